"""Order: put dated events in chronological order.

public ``{"kind": "order", "prompt", "items": [{"id", "text": event label}]}``, items
never in the answer order; key ``{"order": [ids earliest first], "dates": {id: date as
shown}}``; answer ``{"order": [every id once]}``.

A deck carries order rounds when it has at least `MIN_EVENTS` events that can be told
apart (dates that do not overlap, different labels): with fewer, every round would be the
same few events. A round asks ``max(MIN_ITEMS, settings.items_per_round)`` of them, or as
many as the deck has. Only events whose spans do not overlap are asked together
(`Event.before` holds one way for every pair), from distinct cards when the deck allows,
with distinct labels. The grade is the share of pairs in the right relative order (1 -
normalised Kendall tau distance).
"""

from __future__ import annotations

import functools
import random
from itertools import combinations
from typing import Any

from game_rules import ids
from game_rules.model import Deck, Event, RoundKind, Settings
from game_rules.rounds.base import (
    LONG_ROUND_FACTOR,
    Built,
    Grade,
    InvalidAnswer,
    forbidden,
    grades_of,
    make_round,
    outcome_bars,
    plural,
    require_fields,
    shown_id,
)
from game_rules.rounds.texts import norm

PROMPT = "Put these events in chronological order (earliest first)"
MIN_EVENTS = 4  # a deck needs this many events that can be told apart
MIN_ITEMS = 3  # a round asks at least this many
ATTEMPTS = 24


def comparable(a: Event, b: Event) -> bool:
    """True when the spans of `a` and `b` do not overlap, so one is surely first."""
    return a.before(b) or b.before(a)


def _greedy(events: list[Event], k: int, distinct_cards: bool, chosen: list[Event]) -> None:
    for e in events:
        if len(chosen) >= k:
            return
        if distinct_cards and any(c.card_id == e.card_id for c in chosen):
            continue
        if any(c.id == e.id or norm(c.label) == norm(e.label) for c in chosen):
            continue
        if all(comparable(c, e) for c in chosen):
            chosen.append(e)


@functools.lru_cache(maxsize=32)
def widest(deck: Deck) -> tuple[Event, ...]:
    """A largest set of pairwise comparable events with distinct labels, earliest-end first
    (exact for the dates; label clashes may make it one or two short)."""
    out: list[Event] = []
    _greedy(sorted(deck.events, key=lambda e: (e.end, e.start, e.id)), len(deck.events),
            False, out)
    return tuple(out)


def pick_events(
    deck: Deck, rng: random.Random, k: int, avoid: frozenset[str] = frozenset()
) -> list[Event]:
    """Up to `k` pairwise comparable events, preferring unused and distinct cards."""
    best: list[Event] = []
    for _ in range(ATTEMPTS):
        pool = list(deck.events)
        rng.shuffle(pool)
        pool = [e for e in pool if e.card_id not in avoid] + [
            e for e in pool if e.card_id in avoid
        ]
        chosen: list[Event] = []
        _greedy(pool, k, True, chosen)
        _greedy(pool, k, False, chosen)
        if len(chosen) > len(best):
            best = chosen
        if len(best) >= k:
            return best
    # Random tries fell short: earliest-end-first finds a largest comparable set.
    most = widest(deck)
    if len(most) > len(best):
        best = rng.sample(most, min(k, len(most)))
    return best


def concordance(key_order: list[str], answer_order: list[str]) -> float:
    """Share of pairs that two orders of the same ids put the same way round (1 if < 2 ids)."""
    pos = {item: i for i, item in enumerate(answer_order)}
    pairs = list(combinations(key_order, 2))
    if not pairs:
        return 1.0
    agree = sum(1 for a, b in pairs if pos[a] < pos[b])
    return agree / len(pairs)


class Order:
    kind: RoundKind = "order"
    needs = f"{MIN_EVENTS} dated events"
    time_factor = LONG_ROUND_FACTOR
    bonus_share = 0.2

    def missing(self, deck: Deck, settings: Settings) -> str | None:
        apart = len(widest(deck))
        if apart >= MIN_EVENTS:
            return None
        have = len(deck.events)
        if have < MIN_EVENTS:
            return f"needs {self.needs}, this deck has {have}"
        return (f"needs {self.needs} with dates that do not overlap, this deck has "
                f"{plural(have, 'event')} but only {apart} can be told apart")

    def build(self, deck: Deck, rng: random.Random, settings: Settings,
              avoid: frozenset[str] = frozenset()) -> Built | None:
        if self.missing(deck, settings) is not None:
            return None
        events = pick_events(deck, rng, max(MIN_ITEMS, settings.items_per_round), avoid)
        events.sort(key=lambda e: (e.start, e.end))
        cards = [c for c in deck.cards if any(c.id == e.card_id for e in events)]
        item_ids = ids.tokens(rng, len(events), forbidden(deck, cards, [e.id for e in events]))
        shown = list(range(len(events)))
        while shown == sorted(shown):
            rng.shuffle(shown)
        public = {
            "kind": self.kind,
            "prompt": PROMPT,
            "items": [{"id": item_ids[i], "text": events[i].label} for i in shown],
        }
        key = {"order": item_ids, "dates": {item_ids[i]: events[i].date for i in shown}}
        by_id = {c.id: c for c in cards}
        asks = {item: by_id[e.card_id] for item, e in zip(item_ids, events, strict=True)
                if e.card_id in by_id}
        return make_round(self, public, key, settings, asks), frozenset(e.card_id for e in events)

    def grade(self, key: dict[str, Any], answer: Any) -> Grade:
        """Partial credit per pair in the right order; invalid unless a permutation of the ids."""
        order = require_fields(answer, ("order",))["order"]
        if not isinstance(order, list) or not all(isinstance(i, str) for i in order):
            raise InvalidAnswer("'order' must be a list of item ids")
        expected: list[str] = key["order"]
        if len(set(order)) != len(order):
            raise InvalidAnswer("'order' lists an item twice")
        unknown = [i for i in order if i not in expected]
        if unknown:
            raise InvalidAnswer(f"unknown item id {shown_id(unknown[0])} in 'order'")
        if len(order) != len(expected):
            raise InvalidAnswer("'order' must list every item exactly once")
        in_place = sum(1 for a, b in zip(order, expected, strict=True) if a == b)
        return Grade(fraction=concordance(expected, order), perfect=order == expected,
                     right=in_place, of=len(expected))

    def size(self, key: dict[str, Any]) -> int:
        """Items a player is scored on: the events to place."""
        return len(key["order"])

    def bars(self, public: dict[str, Any], key: dict[str, Any],
             answers: list[Any]) -> list[dict[str, Any]]:
        return outcome_bars(grades_of(self.grade, key, answers))

    def describe(self, public: dict[str, Any], key: dict[str, Any]) -> list[str]:
        text = {x["id"]: x["text"] for x in public["items"]}
        dates = key.get("dates", {})
        return ([f"  - {x['text']}" for x in public["items"]] + ["  answer:"]
                + [f"    {i}. {text[item]}" + (f" ({dates[item]})" if dates.get(item) else "")
                   for i, item in enumerate(key["order"], 1)])


RULES = Order()
