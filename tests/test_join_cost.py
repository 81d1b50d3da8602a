"""A join costs the same in a room of 100 or 10,000 players, and still changes nothing of
the state it was applied to (issue 8). Counted, not timed: the Python lines a join runs
and the memory it allocates (a copy of the players of a 10,000-player room is ~300 KB).
Timings: `python scripts/bench_rules_joins.py`."""

from __future__ import annotations

import gc
import statistics
import sys
import tracemalloc
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game_rules import machine as m
from game_rules import nicknames
from game_rules.model import Settings
from game_rules.shared_map import SharedMap
from tests.test_machine import quiz_round

BIG = 10_000


def game(max_players: int) -> m.Game:
    return m.Game(Settings(max_players=max_players), (quiz_round(),))


def room(g: m.Game, players: int) -> m.RoomState:
    state = m.RoomState()
    for i in range(players):
        state, effects = m.apply(g, state, m.PlayerJoin(f"p{i}", f"Player {i}"), i)
        assert effects[0] == m.Joined(f"p{i}")
    return state


def lines_run(call: Callable[[], Any]) -> int:
    """How many Python lines `call` runs (a loop over the players would run thousands);
    the cyclic garbage collector is off meanwhile."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return local

    gc.collect()  # no finaliser of another test's garbage runs in the middle
    gc.disable()
    sys.settrace(lambda frame, event, arg: local)
    try:
        call()
    finally:
        sys.settrace(None)
        gc.enable()
    return count


def fresh_join(g: m.Game, state: m.RoomState) -> m.Outcome:
    """A newcomer's join, with the nickname caches empty (as for a name never seen)."""
    nicknames.name_keys.cache_clear()
    nicknames.is_blocked.cache_clear()
    return m.apply(g, state, m.PlayerJoin("new", "Newcomer"), 10**9)


def joined(outcome: m.Outcome) -> None:
    assert outcome[1][0] == m.Joined("new"), outcome[1]


def test_a_join_runs_the_same_lines_in_any_room_size() -> None:
    g = game(BIG + 1)
    small, big = room(g, 100), room(g, BIG)
    counts: dict[int, int] = {}
    for state in (small, big):
        counts[len(state.players)] = lines_run(lambda state=state: joined(fresh_join(g, state)))
    print(f"Python lines run by one join, by room size: {counts}")
    assert counts[BIG] == counts[100]


def test_a_join_allocates_no_copy_of_the_room() -> None:
    """The median memory one join allocates at its peak, over 50 joins (a dict that grows
    now and then allocates a bigger table: that is amortised, so the median skips it)."""
    g = game(BIG + 100)
    peaks: dict[int, int] = {}
    for size in (100, BIG):
        state = room(g, size)
        one: list[int] = []
        tracemalloc.start()
        try:
            for i in range(50):
                before = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                state, effects = m.apply(g, state, m.PlayerJoin(f"n{i}", f"Newcomer {i}"), 0)
                one.append(tracemalloc.get_traced_memory()[1] - before)
                assert effects[0] == m.Joined(f"n{i}")
        finally:
            tracemalloc.stop()
        peaks[size] = int(statistics.median(one))
    room_copy = sys.getsizeof(dict(state.players))
    print(f"bytes one join allocates (median peak), by room size: {peaks}; one copy of the "
          f"players of a {BIG:,}-player room: {room_copy:,} bytes")
    assert peaks[BIG] < room_copy / 10
    assert peaks[BIG] < 2 * peaks[100] + 4096


def test_joins_leave_every_earlier_state_as_it_was() -> None:
    """States share the players map between versions: the room a join came from, every
    version between, and a second branch from the same state all read as they were made."""
    g = game(3_000)
    base = room(g, 2_000)
    versions = [base]
    dumps = [base.model_dump_json()]
    state = base
    events: list[m.Event] = [
        m.PlayerJoin("a", "Ann"), m.PlayerConnection("p5", False, "X"),
        m.PlayerJoin("b", "Bob"), m.PlayerConnection("p5", True, "Y"),
        m.PlayerJoin("c", "Cy"), m.HostKick("p7"), m.PlayerJoin("d", "Dee")]
    for event in events:
        state, effects = m.apply(g, state, event, 5_000)
        assert not any(isinstance(e, m.Rejected) for e in effects), effects
        versions.append(state)
        dumps.append(state.model_dump_json())
    # A second branch from the first room, after the others were made from it.
    branch, _ = m.apply(g, base, m.PlayerJoin("z", "Zed"), 6_000)
    assert list(branch.players)[-2:] == ["p1999", "z"] and "a" not in branch.players
    for version, dump in zip(versions, dumps, strict=True):
        assert version.model_dump_json() == dump
        rebuilt = m.RoomState.model_validate_json(dump)
        assert list(version.players) == list(rebuilt.players)  # join order kept
        assert version.names == rebuilt.names  # the index matches each version's players
    assert "Bob" not in {p.nickname for p in base.players.values()}
    assert versions[-1].players["p5"].via == "Y" and versions[2].players["p5"].connected is False


@pytest.mark.parametrize(("event", "code"), [
    (m.PlayerJoin("new", "Player 12"), "nickname_taken"),
    (m.PlayerJoin("new", "PLAYER 12"), "nickname_taken"),
    (m.PlayerJoin("new", "Ｐｌａｙｅｒ 12"), "nickname_taken"),  # a look-alike
    (m.PlayerJoin("p3", "Someone"), "already_joined"),
    (m.PlayerJoin("new", "\u200bX"), "bad_nickname"),
    (m.PlayerJoin("new", "Shit Happens"), "nickname_blocked"),
    (m.PlayerJoin("p9", "Back Again"), "kicked"),
])
def test_a_refused_join_returns_the_very_same_state(event: m.PlayerJoin, code: str) -> None:
    g = game(1_000)
    state, _ = m.apply(g, room(g, 500), m.HostKick("p9"), 1)
    before, names = state.model_dump_json(), dict(state.names)
    new, effects = m.apply(g, state, event, 2)
    assert effects == [m.Rejected(event.player_id, code, effects[0].message)]  # type: ignore[union-attr]
    assert new is state and state.model_dump_json() == before and state.names == names
    # The room goes on: the next join into it is taken.
    after, effects = m.apply(g, state, m.PlayerJoin("next", "Next One"), 3)
    assert effects[0] == m.Joined("next") and len(after.players) == len(state.players) + 1


def test_a_full_room_refuses_and_stays_as_it_was() -> None:
    g = game(300)
    state = room(g, 300)
    before = state.model_dump_json()
    new, effects = m.apply(g, state, m.PlayerJoin("new", "Late Comer"), 1)
    assert new is state and [e.code for e in effects] == ["room_full"]  # type: ignore[union-attr]
    assert state.model_dump_json() == before


def test_refused_nicknames_keep_nothing_behind() -> None:
    """Each refusal is an error of its own: raising one shared instance again and again
    chained every raise's frames onto its traceback, for as long as the process ran."""
    depths = []
    for raw in ["", "\u200bX", "x" * 30] * 3:
        with pytest.raises(nicknames.NicknameError) as caught:
            nicknames.clean(raw)
        tb, depth = caught.value.__traceback__, 0
        while tb is not None:
            tb, depth = tb.tb_next, depth + 1
        depths.append(depth)
    assert len(set(depths)) == 1, depths


# --------------------------------------------------------------------------- SharedMap

KEYS = st.sampled_from("abcdefgh")
OPS = st.lists(st.one_of(
    st.tuples(st.just("set"), st.integers(0, 99), KEYS, st.integers()),
    st.tuples(st.just("update"), st.integers(0, 99), st.lists(st.tuples(KEYS, st.integers()),
                                                              max_size=4)),
    st.tuples(st.just("without"), st.integers(0, 99), st.lists(KEYS, max_size=3)),
    st.tuples(st.just("read"), st.integers(0, 99)),
), max_size=40)


@settings(max_examples=300, deadline=None)
@given(start=st.dictionaries(KEYS, st.integers(), max_size=5), ops=OPS)
def test_shared_map_versions_read_like_dicts(start: dict[str, int],
                                             ops: list[tuple[Any, ...]]) -> None:
    """Versions made from any version, in any order, each read as the dict that the same
    changes would have made (items in the same order), however often they are read."""
    maps, models = [SharedMap(start)], [dict(start)]
    for op, at, *args in ops:
        i = at % len(maps)
        if op == "read":
            assert list(maps[i].items()) == list(models[i].items())
            continue
        if op == "set":
            key, value = args
            new, model = maps[i].set(key, value), {**models[i], key: value}
        elif op == "update":
            new, model = maps[i].update(args[0]), {**models[i], **dict(args[0])}
        else:
            new = maps[i].without(args[0])
            model = {k: v for k, v in models[i].items() if k not in args[0]}
        maps.append(new)
        models.append(model)
    for shared, model in zip(maps, models, strict=True):
        assert list(shared.items()) == list(model.items()) and len(shared) == len(model)
        assert shared == model and all(shared[k] == v and k in shared for k, v in model.items())


def test_a_map_iterated_while_newer_versions_are_made_reads_as_it_began() -> None:
    """An iterator holds the version's dict: a version made from it meanwhile gets a copy
    (a replaced value not yet reached, a new key), and the iteration reads the old one."""
    shared = SharedMap({"a": 1, "b": 2, "c": 3})
    items = iter(shared.items())
    assert next(items) == ("a", 1)
    replaced, added = shared.set("c", 30), shared.set("d", 4)
    assert list(items) == [("b", 2), ("c", 3)]
    assert list(shared.items()) == [("a", 1), ("b", 2), ("c", 3)]
    assert dict(replaced) == {"a": 1, "b": 2, "c": 30} and list(added) == ["a", "b", "c", "d"]
    # Once no iterator holds it, a new version shares the dict again (and reads right).
    newer = added.set("e", 5)
    assert list(added) == ["a", "b", "c", "d"] and list(newer) == ["a", "b", "c", "d", "e"]
