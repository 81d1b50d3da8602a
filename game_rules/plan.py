"""A game plan: the rounds of one game, built ahead from a deck and a seed.

Kinds cycle through ``settings.round_mix`` in order; a kind the deck cannot build is
skipped for the next one in the mix. Cards used by a round are avoided by later rounds
while the deck has others. The same deck, settings and seed always give the same plan.
"""

from __future__ import annotations

import random
from typing import Any

from game_rules import rounds
from game_rules.model import Deck, Round, Settings


def make_plan(deck: Deck, settings: Settings, seed: int) -> list[Round]:
    """`settings.rounds` rounds from `deck`; ValueError if the deck can build none."""
    mix = list(settings.round_mix)
    if not mix:
        raise ValueError("the round mix is empty: choose at least one round kind")
    rng = random.Random(seed)
    plan: list[Round] = []
    used: frozenset[str] = frozenset()
    next_kind = 0
    for _ in range(max(settings.rounds, 0)):
        for step in range(len(mix)):
            index = (next_kind + step) % len(mix)
            built = rounds.build_with_cards(mix[index], deck, rng, settings, used)
            if built is not None:
                plan.append(built[0])
                used |= built[1]
                next_kind = index + 1
                break
        else:
            break  # no kind of the mix can be built from this deck
    if settings.rounds > 0 and not plan:
        kinds = ", ".join(dict.fromkeys(mix))
        raise ValueError(
            f"deck {deck.title!r} cannot build any round of the kinds {kinds} "
            "(quiz needs 4 different answers, match and sort 2 categories, "
            "order 3 events with non-overlapping dates)"
        )
    return plan


def round_to_json(rnd: Round) -> dict[str, Any]:
    """A round as a JSON-ready dict: kind, public, key, time_limit_ms, points."""
    return {
        "kind": rnd.kind,
        "public": rnd.public,
        "key": rnd.key,
        "time_limit_ms": rnd.time_limit_ms,
        "points": rnd.points,
    }


def plan_to_json(plan: list[Round]) -> list[dict[str, Any]]:
    """The plan as JSON-ready dicts (see `round_to_json`)."""
    return [round_to_json(r) for r in plan]
