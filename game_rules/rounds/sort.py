"""Sort: put each argument (a card's claim) in the bucket of the historian who made it.

public ``{"kind": "sort", "prompt", "buckets": [{"id", "text": category}],
"items": [{"id", "text": masked claim}]}``; key ``{"placement": {item_id: bucket_id}}``;
answer ``{"placement": {item_id: bucket_id}}``, partial allowed. The grade is the share of
the round's items placed right.

Buckets: ``min(settings.items_per_round, categories, 4)`` categories, at least 2; items:
``settings.items_per_round + 2`` claims from them (fewer if the deck is short), every
bucket getting at least one. Claims have the names of every category in the round masked.
Items are shuffled so that each bucket's items are not all together when that is
avoidable, and never in bucket order.
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
from game_rules.rounds.match import pick_categories

KIND: RoundKind = "sort"
PROMPT = "Which {noun}? Put each card in the right bucket"
MAX_BUCKETS = 4
EXTRA_ITEMS = 2
SHUFFLES = 50


def grouped(buckets: list[int]) -> bool:
    """True when the items of every bucket sit next to each other."""
    done: set[int] = set()
    for i, b in enumerate(buckets):
        if i and buckets[i - 1] != b:
            done.add(buckets[i - 1])
        if b in done:
            return False
    return True


def arrange(rng: random.Random, buckets: list[int]) -> list[int]:
    """A shuffled order of the item indexes, ungrouped when possible, never in bucket order."""
    order = list(range(len(buckets)))
    for _ in range(SHUFFLES):
        rng.shuffle(order)
        if not grouped([buckets[i] for i in order]):
            return order
    seq = [buckets[i] for i in order]
    if seq == sorted(seq):
        order.reverse()
    return order


def build_with_cards(
    deck: Deck, rng: random.Random, settings: Settings, avoid: frozenset[str] = frozenset()
) -> Built | None:
    groups = deck.categories()
    if len(groups) < 2:
        return None
    b = max(2, min(settings.items_per_round, len(groups), MAX_BUCKETS))
    wanted = max(settings.items_per_round + EXTRA_ITEMS, b)
    cats = pick_categories(groups, rng, b, avoid)
    in_round = [card for c in cats for card in groups[c]]
    to_mask = names(in_round)

    candidates: dict[str, list[tuple[Card, str]]] = {}
    for cat in cats:
        cards = list(groups[cat])
        rng.shuffle(cards)
        cards = prefer_unused(cards, avoid, lambda c: c.id)
        candidates[cat] = [(c, masked(card_text(c), to_mask, deck.category_noun)) for c in cards]

    items: list[tuple[int, Card, str]] = []  # (bucket index, card, text)
    seen: set[str] = set()

    def take(bucket: int, card: Card, text: str) -> bool:
        if norm(text) in seen:
            return False
        seen.add(norm(text))
        items.append((bucket, card, text))
        return True

    buckets: list[str] = []
    for cat in cats:  # one item per bucket first
        if any(take(len(buckets), card, text) for card, text in candidates[cat]):
            buckets.append(cat)
    if len(buckets) < 2:
        return None
    rest = [
        (bi, card, text)
        for bi, cat in enumerate(buckets)
        for card, text in candidates[cat]
        if all(card is not it[1] for it in items)
    ]
    rng.shuffle(rest)
    for bi, card, text in prefer_unused(rest, avoid, lambda r: r[1].id):
        if len(items) >= wanted:
            break
        take(bi, card, text)

    tokens = ids.tokens(rng, len(buckets) + len(items), forbidden(deck, in_round))
    bucket_ids, item_ids = tokens[: len(buckets)], tokens[len(buckets) :]
    shown = arrange(rng, [it[0] for it in items])
    public = {
        "kind": KIND,
        "prompt": PROMPT.format(noun=deck.category_noun),
        "buckets": [{"id": bid, "text": cat} for bid, cat in zip(bucket_ids, buckets, strict=True)],
        "items": [{"id": item_ids[i], "text": items[i][2]} for i in shown],
    }
    key = {"placement": {item_ids[i]: bucket_ids[it[0]] for i, it in enumerate(items)}}
    return make_round(KIND, public, key, settings), frozenset(it[1].id for it in items)


def grade(key: dict[str, Any], answer: Any) -> Grade:
    """Share of the round's items put in the right bucket."""
    expected: dict[str, str] = key["placement"]
    given = require_mapping(
        require_fields(answer, ("placement",))["placement"], "placement", expected,
        expected.values(), unique=False,
    )
    right = sum(1 for item, bucket in given.items() if expected[item] == bucket)
    total = len(expected)
    return Grade(fraction=right / total if total else 1.0, perfect=right == total, right=right,
                 of=total)


def size(key: dict[str, Any]) -> int:
    """Items a player is scored on: the cards to place."""
    return len(key["placement"])


def bars(public: dict[str, Any], key: dict[str, Any], answers: list[Any]) -> list[dict[str, Any]]:
    return outcome_bars(grades_of(grade, key, answers))
