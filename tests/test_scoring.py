"""Scoring: exact numbers from the rules in game_rules/scoring.py."""

from __future__ import annotations

import pytest

from game_rules.model import Round, RoundKind, Settings
from game_rules.rounds import Grade
from game_rules.scoring import Score, max_points, score, speed_factor

P, T = 1000, 20_000
ON = Settings(points=P, time_limit_ms=T)
NO_STREAK = Settings(points=P, time_limit_ms=T, streak_bonus=False)
ACCURACY = Settings(points=P, time_limit_ms=T, speed_scoring=False, streak_bonus=False)
RIGHT = Grade(1.0, True)
WRONG = Grade(0.0, False)


def rnd(kind: RoundKind, points: int = P, limit: int = T) -> Round:
    return Round(kind=kind, public={}, key={}, time_limit_ms=limit, points=points)


@pytest.mark.parametrize(
    ("elapsed", "points"),
    [(0, 1000), (400, 1000), (499, 1000), (500, 988), (10_000, 750), (15_000, 625),
     (20_000, 500), (30_000, 500), (-50, 1000)],
)
def test_quiz_speed(elapsed: int, points: int) -> None:
    assert score(rnd("quiz"), RIGHT, elapsed, 0, NO_STREAK).points == points


@pytest.mark.parametrize("elapsed", [0, 10_000, 20_000])
def test_accuracy_only_ignores_time(elapsed: int) -> None:
    assert score(rnd("quiz"), RIGHT, elapsed, 0, ACCURACY).points == 1000
    assert score(rnd("match"), Grade(0.5, False), elapsed, 0, ACCURACY).points == 500
    assert speed_factor(elapsed, T, ACCURACY) == 1.0


def test_wrong_quiz_scores_nothing_and_resets_streak() -> None:
    assert score(rnd("quiz"), WRONG, 100, 4, ON) == Score(0, 0, 0, 0)


@pytest.mark.parametrize(
    ("kind", "grade", "elapsed", "points"),
    [
        ("match", Grade(1.0, True), 0, 1000),
        ("match", Grade(0.5, False), 0, 500),
        ("match", Grade(0.75, False), 10_000, 563),  # 1000 * 0.75 * 0.75 = 562.5, half up
        ("sort", Grade(2 / 6, False), 20_000, 167),
        ("sort", Grade(0.0, False), 0, 0),
        ("order", Grade(1.0, True), 0, 1000),  # 800 + 200 perfect bonus
        ("order", Grade(1.0, True), 20_000, 600),  # 400 + 200
        ("order", Grade(1.0, True), 10_000, 800),  # 600 + 200
        ("order", Grade(5 / 6, False), 0, 667),  # 1000 * 0.8 * 5/6 = 666.7
        ("order", Grade(0.5, False), 10_000, 300),
        ("order", Grade(0.0, False), 0, 0),
    ],
)
def test_partial_credit(kind: RoundKind, grade: Grade, elapsed: int, points: int) -> None:
    result = score(rnd(kind), grade, elapsed, 0, NO_STREAK)
    assert result.points == result.base == points


@pytest.mark.parametrize(
    ("streak_before", "bonus"),
    [(0, 0), (1, 100), (2, 200), (3, 300), (4, 400), (5, 500), (6, 500), (7, 500)],
)
def test_streak_bonus(streak_before: int, bonus: int) -> None:
    result = score(rnd("quiz"), RIGHT, 0, streak_before, ON)
    assert result == Score(points=1000 + bonus, streak=streak_before + 1, base=1000,
                           streak_bonus=bonus)


def test_streaks_one_to_eight() -> None:
    streak, bonuses = 0, []
    for _ in range(8):
        s = score(rnd("sort"), RIGHT, 0, streak, ON)
        streak = s.streak
        bonuses.append(s.streak_bonus)
    assert bonuses == [0, 100, 200, 300, 400, 500, 500, 500]


def test_streak_counts_without_bonus_and_partial_breaks_it() -> None:
    assert score(rnd("quiz"), RIGHT, 0, 3, NO_STREAK) == Score(1000, 4, 1000, 0)
    assert score(rnd("match"), Grade(0.75, False), 0, 3, ON) == Score(750, 0, 750, 0)


def test_round_points_and_time_limit_come_from_the_round() -> None:
    assert score(rnd("quiz", points=500, limit=30_000), RIGHT, 15_000, 0, ON).points == 375
    assert score(rnd("quiz", limit=0), RIGHT, 5_000, 0, ON).points == 1000


def test_max_points() -> None:
    assert max_points(rnd("quiz"), ON) == 1500
    assert max_points(rnd("order"), NO_STREAK) == 1000
    assert max_points(rnd("sort", points=0), ON) == 500
