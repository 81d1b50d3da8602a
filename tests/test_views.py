"""The views built for big rooms: ranks kept between score changes, the capped host view,
and a room view resent in a snapshot as of the time it is sent."""

from __future__ import annotations

import random

from decks.io import bundled_deck_path, load_deck
from game_rules import machine as m
from game_rules.model import Settings
from game_rules.plan import make_plan
from game_rules.standings import Standings
from server import protocol, views

SETTINGS = Settings(rounds=3, round_mix=("quiz",), max_players=500)
GAME = m.Game(SETTINGS, tuple(make_plan(
    load_deck(bundled_deck_path("soviet-union-1928-41")).to_rules(), SETTINGS, seed=5)))


def joined(n: int, state: m.RoomState | None = None, now: int = 0) -> m.RoomState:
    state = state or m.RoomState()
    start = len(state.players) + len(state.kicked_ids)
    for i in range(start, start + n):
        state, _ = m.apply(GAME, state, m.PlayerJoin(f"p{i:04d}", f"Player {i}"), now)
    return state


def ranks(standings: Standings) -> list[tuple[int, str]]:
    return standings.top(len(standings.order))


def test_newcomers_keep_the_standings_equal_to_a_fresh_ranking() -> None:
    rng = random.Random(2)
    state = joined(20)
    standings = Standings.of(state)
    now = 1000
    state, _ = m.apply(GAME, state, m.HostAction("start"), now)
    for index in range(3):
        for pid in list(state.players):
            if rng.random() < 0.7:
                choice = rng.choice(GAME.plan[index].key["options"])
                state, _ = m.apply(GAME, state, m.SubmitAnswer(pid, index, {"choice": choice}),
                                   now + rng.randint(0, 9000))
        now += 10_000
        state, _ = m.apply(GAME, state, m.HostAction("next"), now)  # closes the round
        assert state.phase == "reveal"
        standings = Standings.of(state)  # scores changed: rebuilt, as the runner does
        for _ in range(rng.randint(1, 4)):  # late joiners, some in the same millisecond
            before = len(state.players)
            state = joined(1, state, now)
            (pid,) = list(state.players)[before:]
            standings.add_newcomer(pid)
            assert ranks(standings) == [(r, p) for r, p, _ in state.ranking()]
        state, _ = m.apply(GAME, state, m.HostAction("next"), now)  # leaderboard
        state, _ = m.apply(GAME, state, m.HostAction("next"), now)  # the next round
    assert len({score for score in standings.scores}) > 1  # the ranks were not all equal


def test_host_view_lists_the_best_100_and_counts_the_rest() -> None:
    state = joined(150)
    state, _ = m.apply(GAME, state, m.HostAction("start"), 10)
    for i in range(0, 150, 3):  # 50 answer
        choice = GAME.plan[0].key["options"][i % 4]
        state, _ = m.apply(GAME, state, m.SubmitAnswer(f"p{i:04d}", 0, {"choice": choice}), 20)
    for i in range(1, 150, 10):  # 15 drop
        state, _ = m.apply(GAME, state, m.PlayerConnection(f"p{i:04d}", False), 30)
    host = views.host_view(state, 7, "http://x/play?room=A")
    assert len(host.players) == views.HOST_ROWS == 100 and host.more == 50
    assert [row.id for row in host.players] == [pid for _, pid, _ in state.ranking()][:100]
    offline = [f"p{i:04d}" for i in range(1, 150, 10)]
    waiting = [pid for pid, p in state.players.items()
               if p.connected and pid not in state.results]
    assert host.offline.count == 15 and host.offline.names == [
        state.players[pid].nickname for pid in offline]
    assert host.waiting.count == len(waiting) == 150 - 50 - 10  # 5 who dropped had answered
    assert host.waiting.names == [state.players[pid].nickname for pid in waiting[:20]]
    small = views.host_view(joined(3), 1, "u")
    assert small.more == 0 and len(small.players) == 3 and small.waiting.count == 0


def test_a_resent_room_view_is_as_of_now() -> None:
    state = joined(2)
    state, _ = m.apply(GAME, state, m.HostAction("start"), 1_000)
    sent = protocol.encode(views.room_view("ABC", "Deck", GAME, state, 4, 2_000))
    assert views.restamp(sent, 5_500) == (protocol.encode(
        views.room_view("ABC", "Deck", GAME, state, 4, 5_500)), 4)
    paused, _ = m.apply(GAME, state, m.HostAction("pause"), 3_000)
    sent = protocol.encode(views.room_view("ABC", "Deck", GAME, paused, 5, 3_000))
    assert views.restamp(sent, 9_000) == (protocol.encode(
        views.room_view("ABC", "Deck", GAME, paused, 5, 9_000)), 5)


def test_me_frames_are_the_models_encoding() -> None:
    """`me_view` builds its JSON by hand (fast): through a game, every frame is exactly what
    `protocol.MeView` would encode, with each player's own score, rank and answer."""
    state = joined(6)
    state, _ = m.apply(GAME, state, m.PlayerJoin("pzoe", "Zoë 🎉 \"q\""), 5)
    seen = set()
    now = 100
    state, _ = m.apply(GAME, state, m.HostAction("start"), now)
    for index in range(3):
        options = GAME.plan[index].key["options"]
        for n, pid in enumerate(list(state.players)[:-2]):
            state, _ = m.apply(GAME, state, m.SubmitAnswer(pid, index, {"choice": options[n % 4]}),
                               now + 500 * n)
        for step in ("next", "next", "next"):  # reveal, leaderboard, the next round
            frames = views.me_views(GAME, state, 9)
            ranks = {pid: rank for rank, pid, _ in state.ranking()}
            for pid, frame in frames.items():
                model = protocol.MeView.model_validate_json(frame)
                assert protocol.encode(model) == frame
                pl, result = state.players[pid], state.results.get(pid)
                assert (model.score, model.rank, model.nickname) == (pl.score, ranks[pid],
                                                                     pl.nickname)
                assert model.answer == (result.answer if result else None)
                seen.add((state.phase, model.last is not None, model.answered))
            now += 10_000
            state, _ = m.apply(GAME, state, m.HostAction(step), now)
    assert {("open", False, True), ("open", False, False), ("reveal", True, True),
            ("leaderboard", True, False)} <= seen


def test_host_frames_are_the_models_encoding() -> None:
    """`host_frame` builds its JSON by hand (fast): in every phase, with teams off, random
    and set by the host, players offline and names that need escaping, it is exactly what
    `protocol.HostView` encodes to."""
    for team_mode in ("off", "random", "host"):
        settings = Settings(rounds=2, round_mix=("quiz",), max_players=500, teams=team_mode,
                            team_size=3, team_count=4)
        game = m.Game(settings, GAME.plan[:2])
        state = m.RoomState()
        for i, name in enumerate(["Ann", "Zoë 🎉 \"q\"", "back\\slash", "tab\tname", "Bo"]
                                 + [f"P{i}" for i in range(120)]):
            state, _ = m.apply(game, state, m.PlayerJoin(f"p{i:04d}", name), i)
        state, _ = m.apply(game, state, m.PlayerConnection("p0002", False), 200)
        frames = []
        now = 1_000
        for step in ("start", "next", "next", "next", "next", "next"):
            state, _ = m.apply(game, state, m.HostAction(step), now)
            if state.phase == "open":
                options = game.plan[state.round_index].key["options"]
                for n, pid in enumerate(list(state.players)[::2]):
                    state, _ = m.apply(game, state, m.SubmitAnswer(
                        pid, state.round_index, {"choice": options[n % 4]}), now + 10 * n)
            frames.append(views.host_frame(state, now, "http://x/play?room=A",
                                           settings=settings))
            assert frames[-1] == protocol.encode(views.host_view(
                state, now, "http://x/play?room=A", settings=settings))
            now += 10_000
        host = protocol.HostView.model_validate_json(frames[0])
        assert host.more == 25 and host.offline.count == 1
        assert (team_mode == "off") == (host.teams == [])
