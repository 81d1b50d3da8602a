"""Match: pair each item on the left with its text on the right.

Two variants, named by ``public["variant"]``:

- ``"category"`` (a deck with two categories): each historian (category) with one of their
  cards' texts;
- ``"term"`` (any other deck, the way Quizlet Live plays a plain set): each card's prompt
  (the term, or the question) with its text (the definition, or the answer).

public ``{"kind": "match", "prompt", "variant", "left": [{"id", "text"}], "right": [{"id",
"text"}]}``, no right item level with its partner; key ``{"pairs": {left_id: right_id}}``;
answer ``{"pairs": {left_id: right_id}}``, partial allowed. The grade is the share of the
round's pairs matched right.

``min(settings.items_per_round, what the deck has)`` pairs, at least 2; texts are card
texts with the deck's category names rewritten (`texts.shown`).
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping, Sequence
from typing import Any

from game_rules import ids
from game_rules.model import Card, Deck, RoundKind, Settings
from game_rules.rounds.base import (
    LONG_ROUND_FACTOR,
    Built,
    Grade,
    derangement,
    forbidden,
    grades_of,
    make_round,
    outcome_bars,
    prefer_unused,
    require_fields,
    require_mapping,
    share_right,
)
from game_rules.rounds.groups import Texted, term_pairs, texted_groups
from game_rules.rounds.texts import deck_texts

CATEGORY_PROMPT = "Match each {noun} to the right card"
TERM_PROMPT = "Match each term to its definition"
QUESTION_PROMPT = "Match each question to its answer"


def pick_categories(
    groups: Mapping[str, Sequence[Card] | Sequence[Texted]], rng: random.Random, k: int,
    avoid: frozenset[str],
) -> list[str]:
    """`k` random categories, those with cards not yet used first."""
    cats = list(groups)
    rng.shuffle(cats)

    def fresh(cat: str) -> bool:
        return any((x[0] if isinstance(x, tuple) else x).id not in avoid for x in groups[cat])

    ordered = [c for c in cats if fresh(c)]
    return (ordered + [c for c in cats if c not in ordered])[:k]


@functools.lru_cache(maxsize=32)
def _candidates(deck: Deck) -> tuple[dict[str, tuple[Texted, ...]], tuple[Texted, ...]]:
    """The deck's categories with their texts, and its cards for term pairs (worked out
    once per deck: not to be changed)."""
    texts = deck_texts(deck)

    def text(card: Card) -> str:
        return texts[card.id]

    groups = texted_groups(deck.categories(), text)
    return groups, (() if len(groups) >= 2 else term_pairs(deck, text))


class Match:
    kind: RoundKind = "match"
    needs = "2 cards with different prompts and answers"
    time_factor = LONG_ROUND_FACTOR
    bonus_share = 0.0

    def missing(self, deck: Deck, settings: Settings) -> str | None:
        groups, pairs = _candidates(deck)
        if len(groups) >= 2 or len(pairs) >= 2:
            return None
        return f"needs {self.needs}, this deck has {len(pairs)}"

    def build(self, deck: Deck, rng: random.Random, settings: Settings,
              avoid: frozenset[str] = frozenset()) -> Built | None:
        groups, pairs = _candidates(deck)
        chosen: list[tuple[str, Card, str]] = []  # (left text, card, right text)
        if len(groups) >= 2:
            variant = "category"
            prompt = CATEGORY_PROMPT.format(noun=deck.category_noun)
            k = max(2, min(settings.items_per_round, len(groups)))
            for cat in pick_categories(groups, rng, k, avoid):
                options = list(groups[cat])
                rng.shuffle(options)
                card, text = prefer_unused(options, avoid, lambda x: x[0].id)[0]
                chosen.append((cat, card, text))
        elif len(pairs) >= 2:
            variant = "term"
            k = max(2, min(settings.items_per_round, len(pairs)))
            pool = list(pairs)
            rng.shuffle(pool)
            pool = prefer_unused(pool, avoid, lambda x: x[0].id)[:k]
            chosen = [(c.prompt, c, t) for c, t in pool]
            questions = all(c.prompt.rstrip().endswith("?") for _, c, _ in chosen)
            prompt = QUESTION_PROMPT if questions else TERM_PROMPT
        else:
            return None

        n = len(chosen)
        cards = [c for _, c, _ in chosen]
        tokens = ids.tokens(rng, 2 * n, forbidden(deck, cards))
        left_ids, right_ids = tokens[:n], tokens[n:]
        shown_at = derangement(rng, n)
        public = {
            "kind": self.kind,
            "prompt": prompt,
            "variant": variant,
            "left": [{"id": left_ids[i], "text": chosen[i][0]} for i in range(n)],
            "right": [{"id": right_ids[i], "text": chosen[i][2]} for i in shown_at],
        }
        key = {"pairs": dict(zip(left_ids, right_ids, strict=True))}
        asks = dict(zip(left_ids, cards, strict=True))
        return make_round(self, public, key, settings, asks), frozenset(c.id for c in cards)

    def grade(self, key: dict[str, Any], answer: Any) -> Grade:
        """Share of the key's pairs the answer matches; each right item may be used once."""
        expected: dict[str, str] = key["pairs"]
        given = require_mapping(
            require_fields(answer, ("pairs",))["pairs"], "pairs", expected, expected.values(),
            unique=True,
        )
        return share_right(expected, given)

    def size(self, key: dict[str, Any]) -> int:
        """Items a player is scored on: the pairs."""
        return len(key["pairs"])

    def bars(self, public: dict[str, Any], key: dict[str, Any],
             answers: list[Any]) -> list[dict[str, Any]]:
        return outcome_bars(grades_of(self.grade, key, answers))

    def describe(self, public: dict[str, Any], key: dict[str, Any]) -> list[str]:
        left = {x["id"]: x["text"] for x in public["left"]}
        right = {x["id"]: x["text"] for x in public["right"]}
        return ([f"  - {x['text']}" for x in public["right"]] + ["  answer:"]
                + [f"    {left[a]} -> {right[b]}" for a, b in key["pairs"].items()])


RULES = Match()
