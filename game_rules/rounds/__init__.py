"""Round types: one module each, all behind the same small interface, found by `kind`.

A round module provides:

- ``KIND``: its name in ``ROUND_KINDS``;
- ``build(deck, rng, settings) -> Round | None``: the public prompt and the secret key
  (None when the deck cannot make this kind of round);
- ``grade(key, answer) -> Grade``: how right a submission is, or ``InvalidAnswer``.

Points come from ``game_rules.scoring``, the same for every kind.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from game_rules.model import Deck, Round, RoundKind, Settings


class InvalidAnswer(ValueError):
    """A submission that does not fit the round (wrong shape, unknown ids)."""


@dataclass(frozen=True)
class Grade:
    """`fraction` in [0, 1] of the round's accuracy; `perfect` when everything is right."""

    fraction: float
    perfect: bool


def _registry() -> dict[str, ModuleType]:
    from game_rules.rounds import match, order, quiz, sort

    return {m.KIND: m for m in (quiz, match, sort, order)}


def build(kind: RoundKind, deck: Deck, rng: random.Random, settings: Settings) -> Round | None:
    return _registry()[kind].build(deck, rng, settings)


def grade(kind: RoundKind, key: dict[str, Any], answer: Any) -> Grade:
    return _registry()[kind].grade(key, answer)
