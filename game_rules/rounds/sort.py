"""Sort: put each card's text in the bucket of its group.

Groups are the deck's categories (which historian argued this?) or, in a deck without two
categories, its cards' tags (`groups.sort_groups`).

public ``{"kind": "sort", "prompt", "buckets": [{"id", "text": group}],
"items": [{"id", "text"}]}``; key ``{"placement": {item_id: bucket_id}}``;
answer ``{"placement": {item_id: bucket_id}}``, partial allowed. The grade is the share of
the round's items placed right.

Buckets: ``min(settings.items_per_round, groups, 4)`` groups, at least 2; items:
``settings.items_per_round + 2`` texts from them (fewer if the deck is short), every
bucket getting at least one. Texts have the deck's category names rewritten. Items are
shuffled so that each bucket's items are not all together when that is avoidable, and
never in bucket order.
"""

from __future__ import annotations

import functools
import random
from typing import Any

from game_rules import ids
from game_rules.model import Card, Deck, RoundKind, Settings
from game_rules.rounds.base import (
    LONG_ROUND_FACTOR,
    Built,
    Grade,
    forbidden,
    grades_of,
    make_round,
    outcome_bars,
    plural,
    prefer_unused,
    require_fields,
    require_mapping,
    share_right,
)
from game_rules.rounds.groups import Texted, sort_groups, tag_groups
from game_rules.rounds.match import pick_categories
from game_rules.rounds.texts import item_texts

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


@functools.lru_cache(maxsize=32)
def _groups(deck: Deck) -> tuple[str, dict[str, tuple[Texted, ...]]]:
    """The bucket noun and groups of `sort_groups` (once per deck: not to be changed)."""
    texts = item_texts(deck)

    def text(card: Card) -> str:
        return texts[card.id]

    return sort_groups(deck, text)


class Sort:
    kind: RoundKind = "sort"
    needs = "cards in 2 categories or with 2 different tags"
    time_factor = LONG_ROUND_FACTOR
    bonus_share = 0.0

    def missing(self, deck: Deck, settings: Settings) -> str | None:
        if len(_groups(deck)[1]) >= 2:
            return None
        cats = len(deck.categories())
        tags = len(tag_groups(deck))
        return (f"needs {self.needs}, this deck has {plural(cats, 'category')} and "
                f"{plural(tags, 'tag')}")

    def build(self, deck: Deck, rng: random.Random, settings: Settings,
              avoid: frozenset[str] = frozenset()) -> Built | None:
        noun, groups = _groups(deck)
        if len(groups) < 2:
            return None
        b = max(2, min(settings.items_per_round, len(groups), MAX_BUCKETS))
        wanted = max(settings.items_per_round + EXTRA_ITEMS, b)
        buckets = pick_categories(groups, rng, b, avoid)

        candidates: list[list[Texted]] = []
        for name in buckets:
            texted = list(groups[name])
            rng.shuffle(texted)
            candidates.append(prefer_unused(texted, avoid, lambda x: x[0].id))
        items = [(bi, *cands[0]) for bi, cands in enumerate(candidates)]  # one per bucket
        rest = [(bi, card, text) for bi, cands in enumerate(candidates)
                for card, text in cands[1:]]
        rng.shuffle(rest)
        items += prefer_unused(rest, avoid, lambda r: r[1].id)[: max(wanted - len(items), 0)]

        cards = [it[1] for it in items]
        tokens = ids.tokens(rng, len(buckets) + len(items), forbidden(deck, cards))
        bucket_ids, item_ids = tokens[: len(buckets)], tokens[len(buckets) :]
        shown_at = arrange(rng, [it[0] for it in items])
        public = {
            "kind": self.kind,
            "prompt": PROMPT.format(noun=noun),
            "buckets": [{"id": bid, "text": name}
                        for bid, name in zip(bucket_ids, buckets, strict=True)],
            "items": [{"id": item_ids[i], "text": items[i][2]} for i in shown_at],
        }
        key = {"placement": {item_ids[i]: bucket_ids[it[0]] for i, it in enumerate(items)}}
        asks = dict(zip(item_ids, cards, strict=True))
        return make_round(self, public, key, settings, asks), frozenset(c.id for c in cards)

    def grade(self, key: dict[str, Any], answer: Any) -> Grade:
        """Share of the round's items put in the right bucket."""
        expected: dict[str, str] = key["placement"]
        given = require_mapping(
            require_fields(answer, ("placement",))["placement"], "placement", expected,
            expected.values(), unique=False,
        )
        return share_right(expected, given)

    def size(self, key: dict[str, Any]) -> int:
        """Items a player is scored on: the cards to place."""
        return len(key["placement"])

    def bars(self, public: dict[str, Any], key: dict[str, Any],
             answers: list[Any]) -> list[dict[str, Any]]:
        return outcome_bars(grades_of(self.grade, key, answers))

    def describe(self, public: dict[str, Any], key: dict[str, Any]) -> list[str]:
        buckets = {x["id"]: x["text"] for x in public["buckets"]}
        return [f"  buckets: {', '.join(buckets.values())}"] + [
            f"  - {x['text']}  [{buckets[key['placement'][x['id']]]}]" for x in public["items"]]


RULES = Sort()
