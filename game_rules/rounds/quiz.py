"""Quiz: a card's prompt and four options, its own text and three distractors.

public ``{"kind": "quiz", "prompt", "category", "options": [{"id", "text"} x4]}``;
key ``{"correct": option_id, "options": [option ids in display order]}``;
answer ``{"choice": option_id}``.

Options are card texts (`texts.shown`: the claim, else whole sentences of the answer) with
the names of the deck's categories rewritten ("this historian"). The card asked is drawn
from the unused ones, cards whose answer stands out by its words less often
(`distractors.weights`); distractors are chosen by `distractors.pick`: the same form as
the answer, as many of the question's words, a similar length, the same category or tag
where the deck allows; no two options read the same.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from typing import Any

from game_rules import ids
from game_rules.model import Deck, RoundKind, Settings
from game_rules.rounds import distractors
from game_rules.rounds.base import (
    Built,
    Grade,
    InvalidAnswer,
    forbidden,
    make_round,
    require_fields,
    shown_id,
)
from game_rules.rounds.texts import deck_texts, norm

OPTIONS = 4


@functools.lru_cache(maxsize=16)
def _profile(deck: Deck) -> tuple[Mapping[str, str], tuple[float, ...]]:
    """Each card's option text by id, and how likely it is to be asked (`weights`)."""
    texts = deck_texts(deck)
    return texts, tuple(distractors.weights(deck.cards, texts))


class Quiz:
    kind: RoundKind = "quiz"
    needs = f"{OPTIONS} cards with different answers"
    time_factor = 1.0
    bonus_share = 0.0

    def missing(self, deck: Deck, settings: Settings) -> str | None:
        n = len({norm(t) for t in _profile(deck)[0].values()})
        if n >= OPTIONS:
            return None
        return f"needs {self.needs}, this deck has {n}"

    def build(self, deck: Deck, rng: random.Random, settings: Settings,
              avoid: frozenset[str] = frozenset()) -> Built | None:
        texts, weights = _profile(deck)
        if len({norm(t) for t in texts.values()}) < OPTIONS:
            return None
        pool = [i for i, c in enumerate(deck.cards) if c.id not in avoid] or list(
            range(len(deck.cards)))
        card = deck.cards[rng.choices(pool, [weights[i] for i in pool])[0]]
        chosen = distractors.pick(rng, card, card.prompt, deck.cards, texts, OPTIONS - 1)
        chosen.insert(rng.randrange(OPTIONS), card)

        option_ids = ids.tokens(rng, OPTIONS, forbidden(deck, chosen))
        public = {
            "kind": self.kind,
            "prompt": card.prompt,
            "category": card.category or None,
            "options": [
                {"id": i, "text": texts[c.id]} for i, c in zip(option_ids, chosen, strict=True)
            ],
        }
        correct = option_ids[chosen.index(card)]
        key = {"correct": correct, "options": option_ids}
        return make_round(self, public, key, settings, {correct: card}), frozenset({card.id})

    def grade(self, key: dict[str, Any], answer: Any) -> Grade:
        """1 for the correct option, 0 for another one; an unknown id is invalid."""
        choice = require_fields(answer, ("choice",))["choice"]
        if not isinstance(choice, str):
            raise InvalidAnswer("'choice' must be an option id (a string)")
        known = key.get("options")
        if known is not None and choice not in known:
            raise InvalidAnswer(f"unknown option id {shown_id(choice)}")
        right = choice == key["correct"]
        return Grade(fraction=1.0 if right else 0.0, perfect=right, right=int(right), of=1)

    def size(self, key: dict[str, Any]) -> int:
        """Items a player is scored on: the one choice."""
        return 1

    def bars(self, public: dict[str, Any], key: dict[str, Any],
             answers: list[Any]) -> list[dict[str, Any]]:
        """One bar per option: how many players chose it."""
        counts = {o["id"]: 0 for o in public["options"]}
        for answer in answers:
            try:
                self.grade(key, answer)
            except InvalidAnswer:
                continue
            if answer["choice"] in counts:
                counts[answer["choice"]] += 1
        return [
            {"id": o["id"], "label": o["text"], "count": counts[o["id"]],
             "correct": o["id"] == key["correct"]}
            for o in public["options"]
        ]

    def describe(self, public: dict[str, Any], key: dict[str, Any]) -> list[str]:
        lines = [f"  category: {public['category']}"] if public.get("category") else []
        for i, opt in enumerate(public["options"]):
            mark = "*" if opt["id"] == key["correct"] else " "
            lines.append(f"  {mark} {chr(ord('A') + i)}. {opt['text']}")
        return lines


RULES = Quiz()
