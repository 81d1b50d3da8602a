"""Points for a graded submission: the same rules for every round kind.

With ``P = round.points`` and ``T = round.time_limit_ms`` and the answer time ``t``
(clamped to ``[0, T]``):

- speed factor ``f = 1 - (t / T) / 2`` (``f = 1`` under 500 ms, or with speed scoring off);
- with the kind's bonus share ``b`` (``RoundRules.bonus_share``: order 0.2, the others 0):
  ``P * (1 - b) * fraction * f``, plus ``P * b`` for a perfect answer, at most ``P``. A
  quiz's fraction is 1 or 0, so it earns ``P * f`` when correct, else 0;
- streak: a perfect answer extends the streak, anything else resets it to 0; with the
  streak bonus on, a perfect answer earns ``min(100 * (streak - 1), 500)`` more.

Each part is rounded half up to a whole number of points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from game_rules.model import Round, Settings
from game_rules.rounds import Grade, rules

FAST_MS = 500
STREAK_STEP = 100
STREAK_CAP = 500


@dataclass(frozen=True)
class Score:
    """`points` = `base` + `streak_bonus`; `streak` is the player's streak after this answer."""

    points: int
    streak: int
    base: int
    streak_bonus: int


def _round(x: float) -> int:
    """Round half up (not Python's banker's rounding), after trimming float noise."""
    return max(0, math.floor(round(x, 9) + 0.5))


def speed_factor(elapsed_ms: int, time_limit_ms: int, settings: Settings) -> float:
    """1 for an instant answer down to 0.5 at the time limit; 1 when speed scoring is off."""
    if not settings.speed_scoring or time_limit_ms <= 0:
        return 1.0
    t = min(max(elapsed_ms, 0), time_limit_ms)
    if t < FAST_MS:
        return 1.0
    return 1.0 - (t / time_limit_ms) / 2


def streak_bonus(streak_after: int) -> int:
    """Bonus for a perfect answer that makes the streak `streak_after` long."""
    return min(STREAK_STEP * max(streak_after - 1, 0), STREAK_CAP)


def score(
    round: Round, grade: Grade, elapsed_ms: int, streak_before: int, settings: Settings
) -> Score:
    """Points for one graded submission to `round`, answered `elapsed_ms` after it opened."""
    p = max(round.points, 0)
    f = speed_factor(elapsed_ms, round.time_limit_ms, settings)
    fraction = min(max(grade.fraction, 0.0), 1.0)
    share = rules(round.kind).bonus_share
    base = _round(p * (1 - share) * fraction * f)
    if grade.perfect and share:
        base = min(base + _round(p * share), p)
    streak = max(streak_before, 0) + 1 if grade.perfect else 0
    bonus = streak_bonus(streak) if settings.streak_bonus and grade.perfect else 0
    return Score(points=base + bonus, streak=streak, base=base, streak_bonus=bonus)


def max_points(round: Round, settings: Settings) -> int:
    """Upper bound of `score(...).points` for this round: P, plus the streak cap when on."""
    return max(round.points, 0) + (STREAK_CAP if settings.streak_bonus else 0)
