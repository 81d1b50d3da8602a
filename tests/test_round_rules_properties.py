"""Properties of the round rules over generated decks: a kind is built exactly when the deck
carries it (`RoundRules.missing` is None), the plan plays exactly the kinds its report
names, and no text gains a placeholder or an ellipsis."""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game_rules import rounds
from game_rules.model import ROUND_KINDS, Card, Deck, Event, Settings
from game_rules.plan import make_plan, plan_report

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = ["plan", "terror", "famine", "party", "state", "workers", "grain", "trial", "1929",
         "Kotkin", "Lewin", "Moshe", "the", "of", "was", ",", ";", "—", ".", "14 July 1789",
         "42", "(", ")", "“", "”"]
NAMES = ["Kotkin", "Lewin", "Davies"]
TAGS = ["alpha", "beta", "gamma", "all"]


def sentence(draw: st.DrawFn, most: int) -> str:
    return " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=most)))


@st.composite
def decks(draw: st.DrawFn) -> Deck:
    """Small decks of every shape: with or without categories, tags, claims and events;
    answers from one word to several long sentences naming the categories."""
    cats = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))
    n = draw(st.integers(1, 14))
    cards = []
    for i in range(n):
        category = draw(st.sampled_from([None, *cats])) if cats else None
        tags = tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True)))
        claim = sentence(draw, 8) if draw(st.booleans()) else None
        answer = ". ".join(sentence(draw, 40) for _ in range(draw(st.integers(1, 4))))
        aliases = (f"Moshe {category}",) if category and draw(st.booleans()) else ()
        cards.append(Card(f"c{i}", draw(st.sampled_from([f"Question {i}?", f"Term {i % 5}"])),
                          answer, category=category, claim=claim, aliases=aliases, tags=tags))
    events = []
    for j in range(draw(st.integers(0, 7))):
        year = draw(st.integers(1900, 1930))
        events.append(Event(f"e{j}", draw(st.sampled_from([f"Event {j}", "Congress"])),
                            f"{year}-01-01", f"{year + draw(st.integers(0, 3))}-12-31",
                            cards[draw(st.integers(0, n - 1))].id))
    return Deck("Generated", tuple(cards), tuple(events), category_noun="historian")


game_settings = st.builds(Settings, items_per_round=st.integers(1, 8),
                          rounds=st.integers(1, 10),
                          round_mix=st.lists(st.sampled_from(ROUND_KINDS), min_size=1,
                                             max_size=5).map(tuple))
ADDED = re.compile(r"\[[^\]]*\]|…")


@FAST
@given(deck=decks(), s=game_settings, seed=st.integers(0, 2**32))
def test_built_exactly_when_the_deck_carries_the_kind(deck: Deck, s: Settings,
                                                      seed: int) -> None:
    for kind in ROUND_KINDS:
        rules = rounds.rules(kind)
        reason = rules.missing(deck, s)
        built = rules.build(deck, random.Random(seed), s)
        assert (built is None) == (reason is not None), (kind, reason)
        if reason is not None:
            assert reason.startswith(f"needs {rules.needs}"), reason
            continue
        assert built is not None
        pub = built[0].public
        texts = [pub["prompt"], *[x["text"] for f in ("options", "left", "right", "buckets",
                                                     "items") for x in pub.get(f, [])]]
        assert not any(ADDED.search(t) for t in texts), texts


@FAST
@given(deck=decks(), s=game_settings, seed=st.integers(0, 2**32))
def test_the_plan_plays_what_its_report_names(deck: Deck, s: Settings, seed: int) -> None:
    report = plan_report(deck, s)
    assert set(report.kinds) | {x.kind for x in report.left_out} == set(s.round_mix)
    if not report.kinds:
        return
    mix = [k for k in s.round_mix if k in report.kinds]
    plan = make_plan(deck, s, seed)
    assert [r.kind for r in plan] == [mix[i % len(mix)] for i in range(s.rounds)]
    for rnd in plan:
        assert rnd.time_limit_ms == rounds.time_limit_ms(rnd.kind, s)
