"""Match: pair each historian (category) with their argument (a card's claim).

public ``{"kind": "match", "prompt", "left": [{"id", "text": category}],
"right": [{"id", "text": masked claim}]}``, no right item level with its partner;
key ``{"pairs": {left_id: right_id}}``; answer ``{"pairs": {left_id: right_id}}``, partial
allowed. The grade is the share of the round's pairs matched right.

One card per category, ``min(settings.items_per_round, categories)`` categories (at least
2); claims have the names of every category in the round masked.
"""

from __future__ import annotations

import random
from typing import Any

from game_rules import ids
from game_rules.model import Card, Deck, RoundKind, Settings
from game_rules.rounds import (
    Built,
    Grade,
    card_text,
    derangement,
    forbidden,
    grades_of,
    make_round,
    masked,
    names,
    norm,
    outcome_bars,
    prefer_unused,
    require_fields,
    require_mapping,
)

KIND: RoundKind = "match"
PROMPT = "Match each {noun} to the right card"


def pick_categories(
    groups: dict[str, list[Card]], rng: random.Random, k: int, avoid: frozenset[str]
) -> list[str]:
    """`k` random categories, those with cards not yet used first."""
    cats = list(groups)
    rng.shuffle(cats)
    fresh = [c for c in cats if any(card.id not in avoid for card in groups[c])]
    return (fresh + [c for c in cats if c not in fresh])[:k]


def build_with_cards(
    deck: Deck, rng: random.Random, settings: Settings, avoid: frozenset[str] = frozenset()
) -> Built | None:
    groups = deck.categories()
    if len(groups) < 2:
        return None
    k = max(2, min(settings.items_per_round, len(groups)))
    cats = pick_categories(groups, rng, k, avoid)
    in_round = [card for c in cats for card in groups[c]]
    to_mask = names(in_round)

    pairs: list[tuple[str, Card, str]] = []
    seen: set[str] = set()
    for cat in cats:
        options = list(groups[cat])
        rng.shuffle(options)
        for card in prefer_unused(options, avoid, lambda c: c.id):
            text = masked(card_text(card), to_mask, deck.category_noun)
            if norm(text) not in seen:
                seen.add(norm(text))
                pairs.append((cat, card, text))
                break
    if len(pairs) < 2:
        return None

    n = len(pairs)
    tokens = ids.tokens(rng, 2 * n, forbidden(deck, in_round))
    left_ids, right_ids = tokens[:n], tokens[n:]
    shown = derangement(rng, n)
    public = {
        "kind": KIND,
        "prompt": PROMPT.format(noun=deck.category_noun),
        "left": [{"id": left_ids[i], "text": pairs[i][0]} for i in range(n)],
        "right": [{"id": right_ids[i], "text": pairs[i][2]} for i in shown],
    }
    key = {"pairs": dict(zip(left_ids, right_ids, strict=True))}
    return make_round(KIND, public, key, settings), frozenset(p[1].id for p in pairs)


def grade(key: dict[str, Any], answer: Any) -> Grade:
    """Share of the key's pairs the answer matches; each right item may be used once."""
    expected: dict[str, str] = key["pairs"]
    given = require_mapping(
        require_fields(answer, ("pairs",))["pairs"], "pairs", expected, expected.values(),
        unique=True,
    )
    right = sum(1 for left, r in given.items() if expected[left] == r)
    total = len(expected)
    return Grade(fraction=right / total if total else 1.0, perfect=right == total, right=right,
                 of=total)


def size(key: dict[str, Any]) -> int:
    """Items a player is scored on: the pairs."""
    return len(key["pairs"])


def bars(public: dict[str, Any], key: dict[str, Any], answers: list[Any]) -> list[dict[str, Any]]:
    return outcome_bars(grades_of(grade, key, answers))
