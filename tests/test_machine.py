"""The room state machine, event by event: phases, answers, host controls, rejections."""

from __future__ import annotations

import dataclasses

import pytest

from game_rules import machine as m
from game_rules.model import Round, Settings
from tests.rules_fixtures import random_event

T = 10_000


def quiz_round(correct: str = "a") -> Round:
    options = [{"id": i, "text": f"option {i}"} for i in "abcd"]
    return Round(kind="quiz", public={"kind": "quiz", "prompt": "?", "options": options},
                 key={"correct": correct, "options": list("abcd")}, time_limit_ms=T, points=1000)


def make_game(rounds: int = 3, **settings: object) -> m.Game:
    base = {"speed_scoring": False, **settings}
    return m.Game(Settings(**base), tuple(quiz_round() for _ in range(rounds)))  # type: ignore[arg-type]


def run(game: m.Game, events: list[tuple[int, m.Event]],
        state: m.RoomState | None = None) -> tuple[m.RoomState, list[m.Effect]]:
    state = state or m.RoomState()
    effects: list[m.Effect] = []
    for now, event in events:
        state, out = m.apply(game, state, event, now)
        effects += out
    return state, effects


def rejected(effects: list[m.Effect]) -> list[str]:
    return [e.code for e in effects if isinstance(e, m.Rejected)]


def lobby(game: m.Game, *names: str) -> m.RoomState:
    state, _ = run(game, [(0, m.PlayerJoin(f"p{i}", n)) for i, n in enumerate(names)])
    return state


def started(game: m.Game, *names: str) -> m.RoomState:
    state, _ = run(game, [(100, m.HostAction("start"))], lobby(game, *names))
    return state


def test_join_then_start_opens_first_round_with_deadline() -> None:
    game = make_game()
    state, effects = run(game, [(0, m.PlayerJoin("p1", "  Ann  ")), (50, m.HostAction("start"))])
    assert state.players["p1"].nickname == "Ann"
    assert (state.phase, state.round_index, state.deadline_ms) == ("open", 0, 50 + T)
    assert m.RoundOpened(0) in effects


@pytest.mark.parametrize(
    ("name", "code"),
    [("", "nickname_invalid"), ("   ", "nickname_invalid"), ("x" * 21, "nickname_invalid"),
     ("ann", "nickname_taken"), ("ANN", "nickname_taken")],
)
def test_bad_nicknames_are_rejected(name: str, code: str) -> None:
    game = make_game()
    state = lobby(game, "Ann")
    new, effects = m.apply(game, state, m.PlayerJoin("p9", name), 5)
    assert rejected(effects) == [code] and new is state


def test_lock_late_join_and_full_room() -> None:
    game = make_game(late_join=False, max_players=2)
    state = lobby(game, "Ann")
    locked, _ = m.apply(game, state, m.HostAction("lock"), 1)
    assert rejected(m.apply(game, locked, m.PlayerJoin("p9", "Bo"), 2)[1]) == ["room_locked"]
    unlocked, _ = m.apply(game, locked, m.HostAction("unlock"), 3)
    full, _ = m.apply(game, unlocked, m.PlayerJoin("p8", "Bo"), 4)
    assert rejected(m.apply(game, full, m.PlayerJoin("p9", "Cy"), 5)[1]) == ["room_full"]
    running, _ = m.apply(game, state, m.HostAction("start"), 6)
    assert rejected(m.apply(game, running, m.PlayerJoin("p9", "Cy"), 7)[1]) == ["game_started"]


def test_late_join_allowed_when_on() -> None:
    game = make_game(late_join=True)
    state, effects = run(game, [(200, m.PlayerJoin("p9", "Late"))], started(game, "Ann"))
    assert "p9" in state.players and not rejected(effects)


@pytest.mark.parametrize(
    ("event_at", "event", "code"),
    [
        (T + 101, m.SubmitAnswer("p0", 0, {"choice": "a"}), "round_closed"),
        (200, m.SubmitAnswer("p0", 1, {"choice": "a"}), "wrong_round"),
        (200, m.SubmitAnswer("nobody", 0, {"choice": "a"}), "unknown_player"),
        (200, m.SubmitAnswer("p0", 0, {"choice": "z"}), "invalid_answer"),
        (200, m.SubmitAnswer("p0", 0, "a"), "invalid_answer"),
    ],
)
def test_bad_answers_change_nothing(event_at: int, event: m.Event, code: str) -> None:
    game = make_game()
    state = started(game, "Ann", "Bo")
    new, effects = m.apply(game, state, event, event_at)
    assert rejected(effects) == [code] and new is state


def test_first_answer_wins_and_is_scored_at_close() -> None:
    game = make_game()
    state = started(game, "Ann", "Bo")
    state, effects = run(game, [(300, m.SubmitAnswer("p0", 0, {"choice": "a"})),
                                (400, m.SubmitAnswer("p0", 0, {"choice": "b"}))], state)
    assert rejected(effects) == ["already_answered"]
    assert state.results["p0"].answer == {"choice": "a"} and state.players["p0"].score == 0
    state, effects = run(game, [(T + 100, m.DeadlineReached(0))], state)
    assert state.phase == "reveal" and m.RoundClosed(0) in effects
    assert (state.players["p0"].score, state.players["p0"].last_correct) == (1000, True)
    assert (state.players["p1"].score, state.players["p1"].last_correct) == (0, False)


def test_round_closes_when_everyone_answered() -> None:
    game = make_game()
    state = started(game, "Ann", "Bo")
    state, _ = run(game, [(300, m.SubmitAnswer("p0", 0, {"choice": "a"})),
                          (400, m.SubmitAnswer("p1", 0, {"choice": "c"}))], state)
    assert state.phase == "reveal"
    assert [p.score for p in state.players.values()] == [1000, 0]


def test_early_deadline_wake_up_keeps_round_open() -> None:
    game = make_game()
    state = started(game, "Ann")
    new, effects = m.apply(game, state, m.DeadlineReached(0), 500)
    assert new is state and effects == []


def long_game() -> m.Game:
    """One quiz round of a minute: longer than the reconnect grace."""
    game = make_game(rounds=1)
    return m.Game(game.settings, (dataclasses.replace(game.plan[0], time_limit_ms=60_000),))


def test_a_dropped_player_holds_the_round_up_for_the_grace_only() -> None:
    game = long_game()
    state = started(game, "Ann", "Bo")  # opened at 100, deadline 100 + T
    grace = m.RECONNECT_GRACE_MS
    state, _ = run(game, [(1_000, m.PlayerConnection("p1", False)),
                          (2_000, m.SubmitAnswer("p0", 0, {"choice": "a"}))], state)
    assert state.phase == "open"  # Bo dropped 1 s ago: still in the round
    assert state.wake_ms(2_000) == min(1_000 + grace, state.deadline_ms or 0)
    early, effects = m.apply(game, state, m.DeadlineReached(0), 1_000 + grace - 1)
    assert early is state and effects == []
    closed, effects = m.apply(game, state, m.DeadlineReached(0), 1_000 + grace)
    assert closed.phase == "reveal" and m.RoundClosed(0) in effects
    assert closed.players["p0"].score == 1000


def test_a_player_back_within_the_grace_keeps_the_round_open() -> None:
    game = long_game()
    state = started(game, "Ann", "Bo")
    state, _ = run(game, [(1_000, m.PlayerConnection("p1", False)),
                          (2_000, m.SubmitAnswer("p0", 0, {"choice": "a"})),
                          (5_000, m.PlayerConnection("p1", True))], state)
    assert state.players["p1"].left_ms is None
    assert state.wake_ms(5_000) == state.deadline_ms  # no grace timer for a connected player
    state, _ = run(game, [(1_000 + m.RECONNECT_GRACE_MS, m.DeadlineReached(0))], state)
    assert state.phase == "open"
    state, _ = run(game, [(20_000, m.SubmitAnswer("p1", 0, {"choice": "b"}))], state)
    assert state.phase == "reveal"


def test_a_player_gone_longer_than_the_grace_does_not_hold_the_round() -> None:
    game = long_game()
    state = started(game, "Ann", "Bo")
    state, _ = run(game, [(200, m.PlayerConnection("p1", False))], state)
    state, _ = run(game, [(200 + m.RECONNECT_GRACE_MS, m.SubmitAnswer("p0", 0, {"choice": "a"}))],
                   state)
    assert state.phase == "reveal"  # closes on Ann's answer: Bo is long gone
    assert state.wake_ms(0) is None


def test_result_counts_items_right() -> None:
    game = make_game()
    state = started(game, "Ann", "Bo")
    state, _ = run(game, [(300, m.SubmitAnswer("p0", 0, {"choice": "a"})),
                          (400, m.SubmitAnswer("p1", 0, {"choice": "c"}))], state)
    assert [p.last_right for p in state.players.values()] == [1, 0]


def test_full_game_walks_all_phases_to_podium_with_streaks() -> None:
    game = make_game(rounds=3, streak_bonus=True)
    state = started(game, "Ann", "Bo")
    for index in range(3):
        state, _ = run(game, [(1000 * index + 200, m.SubmitAnswer("p0", index, {"choice": "a"})),
                              (1000 * index + 300, m.HostAction("next"))], state)
        assert state.phase == "reveal"
        state, _ = run(game, [(1000 * index + 400, m.HostAction("next"))], state)
        assert state.phase == "leaderboard"
        state, effects = run(game, [(1000 * index + 500, m.HostAction("next"))], state)
    assert state.phase == "podium" and m.GameOver() in effects
    # streak 1, 2, 3 -> bonuses 0, 100, 200
    assert state.players["p0"].score == 3000 + 100 + 200
    assert state.players["p0"].streak == 3 and state.players["p1"].score == 0
    assert [rank for rank, _, _ in state.ranking()] == [1, 2]


def test_pause_freezes_time_and_resume_moves_deadline() -> None:
    game = make_game(speed_scoring=True)
    state = started(game, "Ann")
    state, _ = run(game, [(1100, m.HostAction("pause"))], state)
    assert state.time_left_ms(5000) == T - 1000
    assert rejected(m.apply(game, state, m.SubmitAnswer("p0", 0, {"choice": "a"}), 1200)[1]) \
        == ["paused"]
    state, _ = run(game, [(4100, m.HostAction("resume"))], state)
    assert state.deadline_ms == 100 + T + 3000 and state.time_left_ms(4100) == T - 1000
    state, _ = run(game, [(4100, m.SubmitAnswer("p0", 0, {"choice": "a"}))], state)
    assert state.results["p0"].elapsed_ms == 1000  # the pause does not count


def test_add_time_and_skip() -> None:
    game = make_game()
    state = started(game, "Ann")
    state, effects = run(game, [(200, m.HostAddTime(5000))], state)
    assert state.deadline_ms == 100 + T + 5000 and not effects
    state = started(game, "Ann", "Bo")
    state, effects = run(game, [(200, m.SubmitAnswer("p0", 0, {"choice": "a"})),
                                (300, m.HostAction("skip"))], state)
    assert (state.phase, state.round_index) == ("open", 1)
    assert state.players["p0"].score == 0  # a skipped round scores nothing


def test_kick_bans_id_and_nickname() -> None:
    game = make_game()
    state = lobby(game, "Ann", "Bo")
    state, effects = run(game, [(10, m.HostKick("p0"))], state)
    assert "p0" not in state.players and m.Kicked("p0") in effects
    assert rejected(m.apply(game, state, m.PlayerJoin("p0", "Other"), 11)[1]) == ["kicked"]
    assert rejected(m.apply(game, state, m.PlayerJoin("p7", "ann"), 11)[1]) == ["kicked"]


@pytest.mark.parametrize(
    ("action", "code"), [("next", "bad_phase"), ("skip", "bad_phase"), ("pause", "bad_phase"),
                         ("resume", "bad_phase")],
)
def test_host_actions_out_of_phase(action: str, code: str) -> None:
    game = make_game()
    state = lobby(game, "Ann")
    new, effects = m.apply(game, state, m.HostAction(action), 1)  # type: ignore[arg-type]
    assert rejected(effects) == [code] and new is state


def state_in(game: m.Game, where: str) -> m.RoomState:
    """A room of one player in phase `where` ("paused": an open round on pause)."""
    steps = {"lobby": [], "open": ["start"], "paused": ["start", "pause"],
             "reveal": ["start", "next"], "leaderboard": ["start", "next", "next"],
             "podium": ["end"]}[where]
    state, effects = run(game, [(100 + i, m.HostAction(a)) for i, a in enumerate(steps)],  # type: ignore[arg-type]
                         lobby(game, "Ann"))
    assert not rejected(effects)
    return state


# docs/protocol.md section 10: where each host action leads from each phase, or its error.
HOST_TABLE = {
    "lobby": {"start": "open", "next": "bad_phase", "skip": "bad_phase", "pause": "bad_phase",
              "resume": "bad_phase", "end": "podium", "lock": "lobby", "unlock": "lobby"},
    "open": {"start": "bad_phase", "next": "reveal", "skip": "open", "pause": "paused",
             "resume": "bad_phase", "end": "podium", "lock": "open", "unlock": "open"},
    "paused": {"start": "bad_phase", "next": "reveal", "skip": "open", "pause": "bad_phase",
               "resume": "open", "end": "podium", "lock": "paused", "unlock": "paused"},
    "reveal": {"start": "bad_phase", "next": "leaderboard", "skip": "open", "pause": "bad_phase",
               "resume": "bad_phase", "end": "podium", "lock": "reveal", "unlock": "reveal"},
    "leaderboard": {"start": "bad_phase", "next": "open", "skip": "open", "pause": "bad_phase",
                    "resume": "bad_phase", "end": "podium", "lock": "leaderboard",
                    "unlock": "leaderboard"},
    "podium": {"start": "game_over", "next": "game_over", "skip": "game_over",
               "pause": "game_over", "resume": "game_over", "end": "game_over",
               "lock": "podium", "unlock": "podium"},
}


@pytest.mark.parametrize(("where", "action"),
                         [(w, a) for w, row in HOST_TABLE.items() for a in row])
def test_host_action_table(where: str, action: str) -> None:
    game = make_game()
    state = state_in(game, where)
    new, effects = m.apply(game, state, m.HostAction(action), 1_000)  # type: ignore[arg-type]
    expected = HOST_TABLE[where][action]
    if expected in ("bad_phase", "game_over"):
        assert rejected(effects) == [expected] and new is state
        return
    assert not rejected(effects)
    assert ("paused" if new.phase == "open" and new.paused else new.phase) == expected
    if action == "skip" and where in ("open", "paused"):
        assert new.round_index == state.round_index + 1
    if action in ("lock", "unlock"):
        assert new.locked == (action == "lock")


def test_start_needs_players_and_end_goes_to_podium() -> None:
    game = make_game()
    empty = m.RoomState()
    new, effects = m.apply(game, empty, m.HostAction("start"), 0)
    assert rejected(effects) == ["no_players"] and new is empty
    state, _ = run(game, [(200, m.SubmitAnswer("p0", 0, {"choice": "a"})),
                          (300, m.HostAction("end"))], started(game, "Ann", "Bo"))
    assert state.phase == "podium"
    assert state.players["p0"].score == 1000  # the open round was closed and scored
    assert rejected(m.apply(game, state, m.HostAction("next"), 400)[1]) == ["game_over"]


def test_state_round_trips_through_json() -> None:
    game = make_game()
    state = started(game, "Ann", "Bo")
    state, _ = run(game, [(300, m.SubmitAnswer("p0", 0, {"choice": "a"}))], state)
    assert m.RoomState.model_validate_json(state.model_dump_json()) == state


def test_ranking_shares_ranks_on_ties() -> None:
    state = m.RoomState(players={
        "a": m.Player(nickname="A", joined_ms=1, score=500),
        "b": m.Player(nickname="B", joined_ms=2, score=500),
        "c": m.Player(nickname="C", joined_ms=3, score=900),
        "d": m.Player(nickname="D", joined_ms=4, score=100),
    })
    assert [(r, pid) for r, pid, _ in state.ranking()] == [(1, "c"), (2, "a"), (2, "b"), (4, "d")]


def test_join_and_connection_changes_leave_the_input_state_alone() -> None:
    """They copy only the player that changes (the rest is shared): the input state, and
    any state an earlier step returned, must stay exactly as it was."""
    game = make_game()
    state = started(game, "Ann", "Bo")
    before = state.model_dump_json()
    dropped, _ = m.apply(game, state, m.PlayerConnection("p1", False), 500)
    joined, _ = m.apply(game, dropped, m.PlayerJoin("p2", "Cy"), 600)
    back, _ = m.apply(game, joined, m.PlayerConnection("p1", True), 700)
    assert state.model_dump_json() == before
    assert (dropped.players["p1"].connected, dropped.players["p1"].left_ms) == (False, 500)
    assert "p2" not in dropped.players and "p2" in joined.players
    assert joined.players["p1"].connected is False and back.players["p1"].connected is True
    closed, _ = run(game, [(800, m.SubmitAnswer("p0", 0, {"choice": "a"})),
                           (900, m.HostAction("next"))], back)
    assert closed.players["p0"].score == 1000
    assert back.players["p0"].score == 0 and state.model_dump_json() == before


def test_apply_never_changes_the_state_it_is_given() -> None:
    """States share players and lists between versions (no deep copies): through random
    games, every event leaves the state it was applied to exactly as it was."""
    import random

    from decks.io import bundled_deck_path, load_deck
    from game_rules.plan import make_plan

    settings = Settings(rounds=3, round_mix=("quiz",), max_players=40)
    plan = make_plan(load_deck(bundled_deck_path("soviet-union-1928-41")).to_rules(), settings, 4)
    game = m.Game(settings, tuple(plan))
    kinds = set()
    for seed in range(20):
        rng = random.Random(seed)
        state, now = m.RoomState(), 0
        for _ in range(150):
            now += rng.randint(0, 2500)
            event = random_event(rng, state, plan)
            before = state.model_dump()
            names, away = dict(state.names), dict(state.away)
            new, effects = m.apply(game, state, event, now)
            assert state.model_dump() == before, event
            assert (state.names, state.away) == (names, away), event
            # The indexes agree with the players, as a state loaded from Redis builds them.
            fresh = m.RoomState.model_validate(new.model_dump())
            assert (new.names, new.away) == (fresh.names, fresh.away), event
            kinds.update(type(e).__name__ for e in effects)
            state = new
    assert {"RoundClosed", "Kicked", "RoundOpened", "AnswerAccepted", "GameOver"} <= kinds


def test_answers_are_judged_by_when_they_arrived() -> None:
    """An answer that waited for a new owner keeps its time: in before the deadline is in,
    scored for the time it arrived; one that arrived after the deadline is late."""
    game = make_game(speed_scoring=True)
    state = started(game, "Ann", "Bo", "Cy")  # opened at 100, deadline 100 + T
    late = T + 5_000  # the new owner gets to them long after the deadline
    state, effects = run(game, [
        (late, m.SubmitAnswer("p0", 0, {"choice": "a"}, at_ms=600)),
        (late, m.SubmitAnswer("p1", 0, {"choice": "a"}, at_ms=T + 101)),
    ], state)
    assert rejected(effects) == ["round_closed"]
    assert state.results["p0"].elapsed_ms == 500 and "p1" not in state.results
    on_time, _ = run(game, [(late, m.SubmitAnswer("p0", 0, {"choice": "a"}))],
                     started(game, "Ann", "Bo"))
    assert on_time.results == {}  # without its arrival time, the same answer is too late
    # An arrival time is never later than now, nor before the round opened.
    state, effects = run(game, [(700, m.SubmitAnswer("p2", 0, {"choice": "b"}, at_ms=90))],
                         state)
    assert rejected(effects) == ["wrong_round"]


def test_an_answer_sent_again_gets_its_ack_again() -> None:
    game = make_game()
    state = started(game, "Ann", "Bo")
    state, _ = run(game, [(300, m.SubmitAnswer("p0", 0, {"choice": "a"}))], state)
    again, effects = m.apply(game, state, m.SubmitAnswer("p0", 0, {"choice": "a"}), 400)
    assert again is state and effects == [m.AnswerAccepted("p0", 0)]
    other, effects = m.apply(game, state, m.SubmitAnswer("p0", 0, {"choice": "b"}), 400)
    assert other is state and rejected(effects) == ["already_answered"]


def test_presence_follows_the_process_a_player_is_connected_through() -> None:
    """A close reported by a process the player has left is stale; when a process dies,
    exactly the players connected through it drop."""
    game = long_game()
    state = started(game, "Ann", "Bo", "Cy")
    state, _ = run(game, [(200, m.PlayerConnection("p0", True, "A")),
                          (200, m.PlayerConnection("p1", True, "A")),
                          (200, m.PlayerConnection("p2", True, "B")),
                          (300, m.PlayerConnection("p0", True, "B")),  # Ann moved to B
                          (400, m.PlayerConnection("p0", False, "A"))], state)  # A's late close
    assert state.players["p0"].connected and state.players["p0"].via == "B"
    state, effects = run(game, [(500, m.ProcessGone("A"))], state)
    assert effects == [m.PlayersChanged("p1")]
    assert [(p.connected, p.left_ms) for p in state.players.values()] == [
        (True, None), (False, 500), (True, None)]
    assert state.away == {"p1": 500}
    again, effects = m.apply(game, state, m.ProcessGone("A"), 600)
    assert again is state and effects == []
