"""The sample decks of issue 9, imported as a teacher would (default options), make games
of every kind they can carry: the plan says what it left out and why, every round of every
kind is answerable and graded, nothing a player reads holds a placeholder or an ellipsis,
and a quiz whose answer is a date offers dates, not a date beside a paragraph."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from decks.importers import import_text
from game_rules import rounds
from game_rules.model import ROUND_KINDS, Deck, Settings
from game_rules.plan import plan_report
from game_rules.rounds.texts import form
from tests.rules_fixtures import assert_plays

SAMPLES = Path(__file__).parent / "samples"
ALL_KINDS = Settings(rounds=12, round_mix=ROUND_KINDS)
# Sample deck -> the kinds it carries, and the sentences for those it does not.
EXPECTED = {
    "anki-french-revolution-html.txt": (ROUND_KINDS, []),
    "quizlet-cell-biology.txt": (("quiz", "match"), [
        "Sort rounds left out: needs cards in 2 categories or with 2 different tags, this "
        "deck has no categories and no tags.",
        "Order rounds left out: needs 4 dated events, this deck has 2."]),
    "knowt-origins-first-world-war.txt": (ROUND_KINDS, []),
    "csv-space-race-dates.csv": (ROUND_KINDS, []),
}


def imported(name: str) -> Deck:
    path = SAMPLES / name
    return import_text(path.read_text(encoding="utf-8"), filename=name).deck.to_rules()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_deck_plans_and_plays(name: str) -> None:
    deck = imported(name)
    kinds, left_out = EXPECTED[name]
    report = plan_report(deck, ALL_KINDS)
    assert report.kinds == kinds
    assert report.sentences() == left_out
    played = assert_plays(deck, ALL_KINDS, range(8))
    assert [r.kind for r in played[:12]] == [kinds[i % len(kinds)] for i in range(12)]


def test_a_date_answer_gets_date_options_of_its_length() -> None:
    deck = imported("anki-french-revolution-html.txt")  # "When was X?" -> a date
    dated = 0
    for seed in range(60):
        rnd = rounds.build("quiz", deck, random.Random(seed), ALL_KINDS)
        assert rnd is not None
        options = {o["id"]: o["text"] for o in rnd.public["options"]}
        if form(options[rnd.key["correct"]]) != "date":
            continue
        dated += 1
        assert all(form(t) == "date" for t in options.values()), options
        assert max(len(t) for t in options.values()) <= 50, options  # a date, not a story
    assert dated >= 10


def test_sort_shows_what_happened_not_dates() -> None:
    """A date deck sorts its events ("The Bastille was stormed"), never bare dates."""
    deck = imported("anki-french-revolution-html.txt")
    labels = {e.label for e in deck.events}
    for seed in range(20):
        rnd = rounds.build("sort", deck, random.Random(seed), ALL_KINDS)
        assert rnd is not None
        for item in rnd.public["items"]:
            assert form(item["text"]) != "date" and item["text"] in labels, item


def test_sort_by_tags_takes_one_family_of_tags() -> None:
    """Cards tagged both by side ("soviet", "american") and by topic ("people",
    "satellites"): the buckets are one way of grouping, the one that places most cards."""
    deck = imported("csv-space-race-dates.csv")
    for seed in range(10):
        rnd = rounds.build("sort", deck, random.Random(seed), ALL_KINDS)
        assert rnd is not None
        assert {b["text"] for b in rnd.public["buckets"]} == {"american", "soviet"}
