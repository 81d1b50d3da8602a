"""An answer costs the same in a room of any size (issue 8): counted, not timed.

The round closes when everyone still in it has answered; that is now counted from the
answers and the players away, not searched over the players. The count is checked against
the plain definition (a scan) over random rooms.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from game_rules import machine as m
from tests.test_join_cost import BIG, game, lines_run, room


def host(g: m.Game, state: m.RoomState, action: str, now: int) -> m.RoomState:
    state, effects = m.apply(g, state, m.HostAction(action), now)
    assert not any(isinstance(e, m.Rejected) for e in effects), effects
    return state


def half_answered(g: m.Game, players: int) -> m.RoomState:
    """A room in round 0 where the first half of the players answered, in join order."""
    state = host(g, room(g, players), "start", players)
    for i in range(players // 2):
        state, effects = m.apply(g, state, m.SubmitAnswer(f"p{i}", 0, {"choice": "a"}),
                                 players + 1)
        assert effects == [m.AnswerAccepted(f"p{i}", 0)]
    return state


def test_an_answer_runs_the_same_lines_in_any_room_size() -> None:
    g = game(BIG)
    counts: dict[int, int] = {}
    for size in (100, BIG):
        state = half_answered(g, size)
        last = f"p{size - 1}"  # the last in join order: a scan would read every player

        def answer(state: m.RoomState = state, last: str = last) -> None:
            _, effects = m.apply(g, state, m.SubmitAnswer(last, 0, {"choice": "b"}), BIG + 2)
            assert effects == [m.AnswerAccepted(last, 0)]

        counts[size] = lines_run(answer)
    print(f"Python lines run by one answer with half the room answered, by size: {counts}")
    assert counts[BIG] == counts[100]


def scanned(state: m.RoomState, now_ms: int) -> bool:
    """The definition, by reading every player."""
    inside = [pid for pid, p in state.players.items() if p.connected or (
        p.left_ms is not None and now_ms - p.left_ms < m.RECONNECT_GRACE_MS)]
    return bool(inside) and all(pid in state.results for pid in inside)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["answer", "drop", "back", "kick"]),
                          st.integers(0, 5), st.integers(0, 40_000)), max_size=25))
def test_the_count_agrees_with_reading_every_player(steps: list[tuple[str, int, int]]) -> None:
    g = game(10)
    state = host(g, room(g, 6), "start", 0)
    now = 0
    for what, who, later in steps:
        if state.phase != "open":
            break
        now += later
        pid = f"p{who}"
        event: m.Event = {
            "answer": m.SubmitAnswer(pid, 0, {"choice": "a"}, at_ms=now),
            "drop": m.PlayerConnection(pid, False),
            "back": m.PlayerConnection(pid, True),
            "kick": m.HostKick(pid),
        }[what]
        state, effects = m.apply(g, state, event, now)
        if any(isinstance(e, m.RoundClosed) for e in effects):
            break  # (the open states before it were all checked)
        assert m._everyone_answered(state, now) == scanned(state, now)

