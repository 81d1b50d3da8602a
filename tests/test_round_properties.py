"""Properties of rounds, grading, scoring and plans over random decks and seeds.

The central one: the public part of a round gives nothing of its key away.
"""

from __future__ import annotations

import random
import re
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game_rules import ids, rounds
from game_rules.model import ROUND_KINDS, Deck, Round, RoundKind, Settings
from game_rules.plan import make_plan
from game_rules.rounds import Grade, order
from game_rules.scoring import max_points, score
from tests.rules_fixtures import decks, history_deck

KEY_FIELDS = {"correct", "pairs", "placement", "order"}
TOKEN = re.compile(rf"^[{ids.ALPHABET}]{{{ids.LENGTH}}}$")
BUNDLED = Path(__file__).resolve().parent.parent / "decks" / "soviet-union-1928-41.toml"
FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

kinds = st.sampled_from(ROUND_KINDS)
seeds = st.integers(0, 2**32)
game_settings = st.builds(
    Settings,
    points=st.integers(0, 5000),
    time_limit_ms=st.integers(0, 120_000),
    speed_scoring=st.booleans(),
    streak_bonus=st.booleans(),
    items_per_round=st.integers(1, 8),
)


def dict_keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in dict_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in dict_keys(v)}
    return set()


def item_ids(public: dict[str, Any]) -> list[str]:
    lists = ("options", "left", "right", "buckets", "items")
    return [x["id"] for name in lists for x in public.get(name, [])]


def perfect_answer(rnd: Round) -> dict[str, Any]:
    if rnd.kind == "quiz":
        return {"choice": rnd.key["correct"]}
    field = {"match": "pairs", "sort": "placement", "order": "order"}[rnd.kind]
    return {field: rnd.key[field]}


def check_public(rnd: Round, deck: Deck) -> None:
    """Everything a player sees is free of the key."""
    pub, key = rnd.public, rnd.key
    assert pub["kind"] == rnd.kind and isinstance(pub["prompt"], str)
    assert not dict_keys(pub) & KEY_FIELDS
    found = item_ids(pub)
    assert len(found) == len(set(found))
    secrets = {c.id for c in deck.cards} | {e.id for e in deck.events}
    names = {n for c in deck.cards if c.category for n in (c.category, *c.aliases)}
    for token in found:
        assert TOKEN.match(token), token
        assert not re.search(r"\d{2}", token), token
        assert not any(s.casefold() in token for s in secrets | names if len(s) >= 2), token
    if rnd.kind == "quiz":
        assert key["correct"] in found and len(pub["options"]) == 4
    elif rnd.kind == "match":
        assert len(pub["left"]) >= 2
        for i, left in enumerate(pub["left"]):
            assert pub["right"][i]["id"] != key["pairs"][left["id"]]
    elif rnd.kind == "sort":
        index = {b["id"]: i for i, b in enumerate(pub["buckets"])}
        seq = [index[key["placement"][x["id"]]] for x in pub["items"]]
        assert set(seq) == set(range(len(index))) and seq != sorted(seq)
    else:
        assert len(pub["items"]) >= 3
        assert [x["id"] for x in pub["items"]] != key["order"]
    got = rounds.grade(rnd.kind, key, perfect_answer(rnd))
    n = rounds.size(rnd.kind, key)
    assert got == Grade(1.0, True, n, n)


@FAST
@given(deck=decks(), kind=kinds, seed=seeds, s=game_settings)
def test_public_gives_nothing_away(deck: Deck, kind: RoundKind, seed: int, s: Settings) -> None:
    rnd = rounds.build(kind, deck, random.Random(seed), s)
    if rnd is not None:
        check_public(rnd, deck)
        other = rounds.build(kind, deck, random.Random(seed + 1), s)
        assert other is not None
        assert not set(item_ids(rnd.public)) & set(item_ids(other.public))


@FAST
@given(deck=decks(), seed=seeds, k=st.integers(1, 8))
def test_order_events_pairwise_comparable(deck: Deck, seed: int, k: int) -> None:
    events = order.pick_events(deck, random.Random(seed), k)
    assert len(events) <= k
    for a, b in combinations(events, 2):
        assert a.before(b) or b.before(a)
        assert a.id != b.id and a.label.casefold() != b.label.casefold()


@FAST
@given(deck=decks(), seed=seeds, s=game_settings, rounds_n=st.integers(1, 10))
def test_same_seed_same_plan(deck: Deck, seed: int, s: Settings, rounds_n: int) -> None:
    s = Settings(**{**s.__dict__, "rounds": rounds_n})
    try:
        plan = make_plan(deck, s, seed)
    except ValueError:
        with pytest.raises(ValueError):
            make_plan(deck, s, seed)
        return
    assert make_plan(deck, s, seed) == plan
    assert len(plan) == rounds_n
    for rnd in plan:
        check_public(rnd, deck)


@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_bundled_deck_plans(seed: int) -> None:
    if not BUNDLED.exists():
        pytest.skip("bundled deck not there yet")
    from decks.io import load_deck

    deck = load_deck(BUNDLED).to_rules()
    for rnd in make_plan(deck, Settings(), seed):
        check_public(rnd, deck)


@FAST
@given(data=st.data(), n=st.integers(1, 9))
def test_order_grading_bounded_and_symmetric(data: st.DataObject, n: int) -> None:
    items = [f"id{i}" for i in range(n)]
    a = data.draw(st.permutations(items))
    b = data.draw(st.permutations(items))
    ab = order.RULES.grade({"order": a}, {"order": b})
    ba = order.RULES.grade({"order": b}, {"order": a})
    assert 0.0 <= ab.fraction <= 1.0
    assert ab.fraction == ba.fraction
    assert ab.perfect == (a == b) == (ab.fraction == 1.0)
    if n >= 2:
        rev = order.RULES.grade({"order": a}, {"order": list(reversed(a))})
        assert rev.fraction == 0.0


grades = st.one_of(
    st.just(Grade(1.0, True)),
    st.builds(lambda f: Grade(f, False), st.floats(0.0, 1.0, exclude_max=True)),
)


@FAST
@given(kind=kinds, grade=grades, elapsed=st.integers(-10**6, 10**7),
       streak=st.integers(0, 30), s=game_settings)
def test_scores_bounded(kind: RoundKind, grade: Grade, elapsed: int, streak: int,
                        s: Settings) -> None:
    rnd = Round(kind=kind, public={}, key={}, time_limit_ms=s.time_limit_ms, points=s.points)
    result = score(rnd, grade, elapsed, streak, s)
    assert 0 <= result.points <= max_points(rnd, s)
    assert result.points == result.base + result.streak_bonus
    best = score(rnd, Grade(1.0, True), elapsed, streak, s)
    assert best.points >= result.points


@FAST
@given(kind=kinds, elapsed=st.integers(-1000, 499), streak=st.integers(0, 30),
       s=game_settings)
def test_fast_perfect_answer_earns_the_maximum(kind: RoundKind, elapsed: int, streak: int,
                                               s: Settings) -> None:
    rnd = Round(kind=kind, public={}, key={}, time_limit_ms=s.time_limit_ms, points=s.points)
    result = score(rnd, Grade(1.0, True), elapsed, streak, s)
    bonus = min(100 * streak, 500) if s.streak_bonus else 0
    assert result.points == s.points + bonus
    assert result.streak == streak + 1


@FAST
@given(seed=seeds, kind=st.sampled_from(("quiz", "match", "sort", "order")))
def test_ids_differ_between_rngs_for_the_same_cards(seed: int, kind: RoundKind) -> None:
    deck = history_deck()
    a = rounds.build(kind, deck, random.Random(seed), Settings())
    b = rounds.build(kind, deck, random.Random(seed ^ 0x5F5F), Settings())
    assert a is not None and b is not None
    assert not set(item_ids(a.public)) & set(item_ids(b.public))
