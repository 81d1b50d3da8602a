"""A game plan: the rounds of one game, built ahead from a deck and a seed.

Kinds cycle through ``settings.round_mix`` in order; a kind the deck cannot carry is left
out, and `plan_report` says which and why ("Order rounds left out: needs 4 dated events,
this deck has 2."). Cards used by a round are avoided by later rounds while the deck has
others. The same deck, settings and seed always give the same plan.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from game_rules import rounds
from game_rules.model import Deck, Round, RoundKind, Settings


@dataclass(frozen=True)
class LeftOut:
    """A kind of the mix the deck cannot carry, and why ("needs 4 dated events, ...")."""

    kind: RoundKind
    reason: str

    @property
    def sentence(self) -> str:
        """"Order rounds left out: needs 4 dated events, this deck has 2." """
        return f"{self.kind.capitalize()} rounds left out: {self.reason}."


@dataclass(frozen=True)
class PlanReport:
    """What a deck can play of a round mix: `kinds` it can build (mix order, once each)
    and, for each kind it cannot, the reason."""

    kinds: tuple[RoundKind, ...]
    left_out: tuple[LeftOut, ...] = field(default=())

    def sentences(self) -> list[str]:
        return [x.sentence for x in self.left_out]


def plan_report(deck: Deck, settings: Settings) -> PlanReport:
    """Which kinds of `settings.round_mix` `deck` can carry, and why not the others."""
    kinds: list[RoundKind] = []
    left_out: list[LeftOut] = []
    for kind in dict.fromkeys(settings.round_mix):
        reason = rounds.rules(kind).missing(deck, settings)
        if reason is None:
            kinds.append(kind)
        else:
            left_out.append(LeftOut(kind, reason))
    return PlanReport(tuple(kinds), tuple(left_out))


def make_plan(deck: Deck, settings: Settings, seed: int) -> list[Round]:
    """`settings.rounds` rounds from `deck`; ValueError if the deck can build none."""
    if not settings.round_mix:
        raise ValueError("the round mix is empty: choose at least one round kind")
    report = plan_report(deck, settings)
    mix = [k for k in settings.round_mix if k in report.kinds]
    if settings.rounds > 0 and not mix:
        raise ValueError(f"deck {deck.title!r} cannot build any round of the kinds chosen: "
                         + " ".join(report.sentences()))
    rng = random.Random(seed)
    plan: list[Round] = []
    used: frozenset[str] = frozenset()
    next_kind = 0
    for _ in range(max(settings.rounds, 0)):
        for step in range(len(mix)):  # `missing` said each can; skip one that cannot anyway
            index = (next_kind + step) % len(mix)
            built = rounds.rules(mix[index]).build(deck, rng, settings, used)
            if built is not None:
                plan.append(built[0])
                used |= built[1]
                next_kind = index + 1
                break
        else:
            break
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
