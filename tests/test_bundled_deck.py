"""The bundled deck decks/soviet-union-1928-41.toml: shape, claims, ids and events."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from decks.model import DeckFile, card_id

ROOT = Path(__file__).resolve().parent.parent
DECK_PATH = ROOT / "decks" / "soviet-union-1928-41.toml"
SEED_PATH = Path(__file__).resolve().parent / "samples" / "knowt-soviet-union-1928-41.txt"

EXPECTED_COUNTS = {"Fitzpatrick": 30, "Kotkin": 30, "Lewin": 18, "Khlevniuk": 15, "Cameron": 6}


@pytest.fixture(scope="module")
def deck() -> DeckFile:
    with DECK_PATH.open("rb") as f:
        return DeckFile.model_validate(tomllib.load(f))


def seed_prompts(text: str) -> list[str]:
    """Original prompts (with the "Name:" prefix) of the numbered, non-empty seed cards.

    A card is a number line, a "New cards" line, then paragraphs separated by blank lines:
    the first paragraph is the prompt. A card with no paragraph before the next number
    line is empty and skipped.
    """
    lines = [line.strip() for line in text.splitlines()]
    starts = [
        i for i in range(len(lines) - 1) if lines[i].isdigit() and lines[i + 1] == "New cards"
    ]
    prompts = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        body = lines[start + 2 : end]
        paragraph: list[str] = []
        for line in body:
            if line:
                paragraph.append(line)
            elif paragraph:
                break
        if paragraph:
            prompts.append(" ".join(paragraph))
    return prompts


def names_of(deck: DeckFile, category: str) -> list[str]:
    for cat in deck.categories:
        if cat.name == category:
            return [cat.name, *cat.aliases]
    return [category]


def test_card_count(deck: DeckFile) -> None:
    assert len(deck.cards) == 99


def test_category_counts(deck: DeckFile) -> None:
    assert Counter(c.category for c in deck.cards) == EXPECTED_COUNTS
    assert [c.name for c in deck.categories] == list(EXPECTED_COUNTS)


def test_aliases_occur_in_card_text(deck: DeckFile) -> None:
    text = "\n".join(f"{c.prompt}\n{c.answer}" for c in deck.cards)
    for cat in deck.categories:
        for alias in cat.aliases:
            assert alias in text, alias


def test_prompts_have_no_historian_prefix(deck: DeckFile) -> None:
    for card in deck.cards:
        assert not card.prompt.startswith(f"{card.category}:"), card.id


def test_every_card_has_a_short_claim_without_its_historian(deck: DeckFile) -> None:
    for card in deck.cards:
        assert card.claim, card.id
        assert len(card.claim) <= 140, card.id
        for name in names_of(deck, card.category or ""):
            assert not re.search(rf"\b{re.escape(name)}\b", card.claim), (card.id, name)


def test_claims_name_no_historian_of_the_deck(deck: DeckFile) -> None:
    # Claims feed "which historian argued this?" rounds: naming any of them would mislead.
    names = [n for cat in deck.categories for n in (cat.name, *cat.aliases)]
    for card in deck.cards:
        for name in names:
            assert not re.search(rf"\b{re.escape(name)}\b", card.claim or ""), (card.id, name)


def test_claims_unique(deck: DeckFile) -> None:
    claims = [c.claim for c in deck.cards]
    assert len(set(claims)) == len(claims)


def test_ids_unique_and_stable(deck: DeckFile) -> None:
    ids = [c.id for c in deck.cards]
    assert len(set(ids)) == len(ids)
    prompts = seed_prompts(SEED_PATH.read_text(encoding="utf-8"))
    assert len(prompts) == 99
    assert ids == [card_id(p) for p in prompts]
    for card, original in zip(deck.cards, prompts, strict=True):
        assert original.startswith(f"{card.category}:")
        assert " ".join(original.split()).endswith(" ".join(card.prompt.split()))


def test_events(deck: DeckFile) -> None:
    assert len(deck.events) >= 30
    ids = [e.id for e in deck.events]
    assert len(set(ids)) == len(ids)
    by_id = {c.id: c for c in deck.cards}
    for event in deck.events:
        card = by_id[event.card]
        assert event.date_text in f"{card.prompt}\n{card.answer}", event.id
        assert event.first_day() <= event.last_day(), event.id
    ordered = sorted(deck.events, key=lambda e: e.first_day())
    assert ordered[0].first_day() >= "1925-01-01"
    assert max(e.last_day() for e in deck.events) <= "1945-12-31"
    assert ordered[-1].first_day()[:4] >= "1938"  # covers the deck's period, not one corner
    # A useful spread for ordering rounds, which only ask events whose spans do not overlap:
    # many distinct spans, and a long chain of pairwise disjoint ones (earliest end first).
    assert len({(e.first_day(), e.last_day()) for e in deck.events}) >= 25
    chain: list[str] = []
    for event in sorted(deck.events, key=lambda e: e.last_day()):
        if not chain or event.first_day() > chain[-1]:
            chain.append(event.last_day())
    assert len(chain) >= 12


def test_converts_to_rules_deck(deck: DeckFile) -> None:
    rules_deck = deck.to_rules()
    assert len(rules_deck.cards) == 99
    assert set(rules_deck.categories()) == set(EXPECTED_COUNTS)
    assert len(rules_deck.events) == len(deck.events)
