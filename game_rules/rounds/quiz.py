"""Quiz: a card's prompt and four options, its own claim and three distractors.

public ``{"kind": "quiz", "prompt", "category", "options": [{"id", "text"} x4]}``;
key ``{"correct": option_id, "options": [option ids in display order]}``;
answer ``{"choice": option_id}``.

Options are card texts (claim, else the answer cut short) with the names of the deck's
categories masked, so an option never names its historian. Distractors come from the
same category first, then from the rest of the deck; no two options read the same.
"""

from __future__ import annotations

import random
from typing import Any

from game_rules import ids
from game_rules.model import Card, Deck, RoundKind, Settings
from game_rules.rounds import (
    Built,
    Grade,
    InvalidAnswer,
    card_text,
    forbidden,
    make_round,
    masked,
    names,
    norm,
    require_fields,
)

KIND: RoundKind = "quiz"
OPTIONS = 4


def build_with_cards(
    deck: Deck, rng: random.Random, settings: Settings, avoid: frozenset[str] = frozenset()
) -> Built | None:
    to_mask = names(deck.cards)
    texts = {c.id: masked(card_text(c), to_mask, deck.category_noun) for c in deck.cards}
    if len({norm(t) for t in texts.values()}) < OPTIONS:
        return None
    unused = [c for c in deck.cards if c.id not in avoid]
    card = rng.choice(unused or list(deck.cards))

    same = [c for c in deck.cards if c.category and c.category == card.category and c != card]
    rest = [c for c in deck.cards if c not in same and c != card]
    rng.shuffle(same)
    rng.shuffle(rest)
    chosen: list[Card] = []
    seen = {norm(texts[card.id])}
    for other in same + rest:
        if len(chosen) == OPTIONS - 1:
            break
        if norm(texts[other.id]) not in seen:
            seen.add(norm(texts[other.id]))
            chosen.append(other)
    chosen.insert(rng.randrange(OPTIONS), card)

    option_ids = ids.tokens(rng, OPTIONS, forbidden(deck, chosen))
    public = {
        "kind": KIND,
        "prompt": card.prompt,
        "category": card.category or None,
        "options": [
            {"id": i, "text": texts[c.id]} for i, c in zip(option_ids, chosen, strict=True)
        ],
    }
    key = {"correct": option_ids[chosen.index(card)], "options": option_ids}
    return make_round(KIND, public, key, settings), frozenset({card.id})


def grade(key: dict[str, Any], answer: Any) -> Grade:
    """1 for the correct option, 0 for another one; an unknown id is invalid."""
    choice = require_fields(answer, ("choice",))["choice"]
    if not isinstance(choice, str):
        raise InvalidAnswer("'choice' must be an option id (a string)")
    known = key.get("options")
    if known is not None and choice not in known:
        raise InvalidAnswer(f"unknown option id {choice!r}")
    right = choice == key["correct"]
    return Grade(fraction=1.0 if right else 0.0, perfect=right, right=int(right), of=1)


def size(key: dict[str, Any]) -> int:
    """Items a player is scored on: the one choice."""
    return 1


def bars(public: dict[str, Any], key: dict[str, Any], answers: list[Any]) -> list[dict[str, Any]]:
    """One bar per option: how many players chose it."""
    counts = {o["id"]: 0 for o in public["options"]}
    for answer in answers:
        try:
            grade(key, answer)
        except InvalidAnswer:
            continue
        if answer["choice"] in counts:
            counts[answer["choice"]] += 1
    return [
        {"id": o["id"], "label": o["text"], "count": counts[o["id"]],
         "correct": o["id"] == key["correct"]}
        for o in public["options"]
    ]
