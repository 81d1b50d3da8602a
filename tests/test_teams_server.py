"""Team mode over real WebSockets, a real server process and a real Redis: random teams
of 3 with 7 players play a game (the team board equals the averages of the players'
scores), a player who drops and resumes keeps their team, and the host sets teams with
the `team` message."""

from __future__ import annotations

import asyncio
import math
from fractions import Fraction
from typing import Any

import redis.asyncio as aioredis

from tests.client import GameClient, RoomData, answer_for, close_all, room_with_players
from tests.servers import ServerProcess

SETTINGS = {"rounds": 4, "round_mix": ["quiz", "match"], "speed_scoring": False,
            "streak_bonus": True, "time_limit_s": 60, "teams": "random", "team_size": 3}
# What player i does in round r: right, partial or wrong (so team scores differ).
HOWS = ("right", "partial", "wrong")


def how(player: int, round_index: int) -> str:
    if player == 6:
        return "right"
    if player == 5:
        return "wrong"
    return HOWS[(player * 2 + round_index) % 3]


def averages(scores: dict[str, int], teams: dict[str, int]) -> list[dict[str, Any]]:
    """The team board worked out from players' scores: mean rounded half up, best first,
    equal scores share a rank."""
    members: dict[int, list[int]] = {}
    for pid, team in teams.items():
        members.setdefault(team, []).append(scores[pid])
    rows = sorted(((math.floor(Fraction(sum(s), len(s)) + Fraction(1, 2)), t, len(s))
                   for t, s in members.items()), key=lambda r: (-r[0], r[1]))
    out: list[dict[str, Any]] = []
    for i, (score, team, n) in enumerate(rows):
        rank = out[-1]["rank"] if out and out[-1]["score"] == score else i + 1
        out.append({"rank": rank, "team": team, "score": score, "members": n})
    return out


def board(room: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: row[k] for k in ("rank", "team", "score", "members")}
            for row in room["team_board"]]


async def test_random_teams_of_three_play_a_game(live_server: ServerProcess,
                                                 redis: aioredis.Redis) -> None:
    host, players = await room_with_players(live_server.ws_url, SETTINGS, 7, seed=11)
    try:
        assert host.code is not None
        data = RoomData(redis, host.code)
        plan = await data.plan()
        # Placed as they joined: 3, 3 and 1; each phone's own view names its team.
        teams = {pl.player_id: (await pl.me_where(lambda m: m["team"] is not None))["team"]
                 for pl in players}
        assert [teams[pl.player_id]["team"] for pl in players] == [0, 0, 0, 1, 1, 1, 2]
        assert teams[players[3].player_id] == {"team": 1, "name": "Blue Whales",
                                               "colour": "#1f4e9e"}
        hv = await host.recv_until("host", lambda v: sum(t["members"] for t in v["teams"]) == 7)
        assert [(t["name"], t["members"]) for t in hv["teams"]] == [
            ("Red Foxes", 3), ("Blue Whales", 3), ("Green Frogs", 1)]
        assert {r["id"]: r["team"] for r in hv["players"]} == {
            pid: t["team"] for pid, t in teams.items()}
        team_of = {pid: t["team"] for pid, t in teams.items()}

        await host.host("start")
        for index, rnd in enumerate(plan):
            for c in (host, *players):
                await c.phase("open", index)
            if index == 1:
                # Player 4 drops and comes back on a new socket: same team.
                room = await players[4].reconnect()
                assert room["team_mode"] == "random"
                assert players[4].me is not None
                assert players[4].me["team"] == teams[players[4].player_id]
            await asyncio.gather(*(pl.answer_acked(index, answer_for(rnd, how(i, index)))
                                   for i, pl in enumerate(players)))
            for c in (host, *players):
                await c.phase("reveal", index)
            assert host.room is not None and host.room["team_board"] == []
            await host.host("next")
            last = index == len(plan) - 1
            room = await host.phase("leaderboard")
            scores = {pid: pl["score"] for pid, pl in (await data.players()).items()}
            expected = averages(scores, team_of)
            print(f"round {index}: scores {sorted(scores.values())}, teams {expected}")
            assert board(room) == expected
            for pl in players:  # everyone sees the same board
                seen = await pl.phase("leaderboard")
                assert board(seen) == expected
            await host.host("next")
            if last:
                podium = await host.phase("podium")
                assert board(podium) == expected
                assert [r["name"] for r in podium["team_board"]] == [
                    ["Red Foxes", "Blue Whales", "Green Frogs"][r["team"]] for r in expected]
        # Each player's own view kept its team through the game.
        for pl in players:
            assert pl.me is not None and pl.me["team"] == teams[pl.player_id]
        # Sizes differ, and the lone Green Frog (right every time) leads on average.
        assert board(podium)[0]["team"] == 2 and board(podium)[0]["members"] == 1
    finally:
        await close_all([host, *players])


async def test_host_sets_teams_with_the_team_message(live_server: ServerProcess,
                                                     redis: aioredis.Redis) -> None:
    settings = {"rounds": 2, "round_mix": ["quiz"], "speed_scoring": False,
                "teams": "host", "team_count": 3, "time_limit_s": 60}
    host, players = await room_with_players(live_server.ws_url, settings, 5, seed=4)
    late: GameClient | None = None
    try:
        assert host.code is not None
        ids = [pl.player_id for pl in players]
        for pl in players:
            assert pl.me is not None and pl.me["team"] is None  # the host places them
        hv = await host.recv_until("host", lambda v: len(v["players"]) == 5)
        assert [(t["team"], t["members"]) for t in hv["teams"]] == [(0, 0), (1, 0), (2, 0)]

        for pid, team in ((ids[0], 2), (ids[1], 2), (ids[2], 0)):
            await host.send({"type": "team", "player": pid, "team": team})
        await host.recv_until("host", lambda v: [t["members"] for t in v["teams"]] == [1, 0, 2])
        me = await players[0].me_where(lambda m: m["team"] is not None)
        assert me["team"] == {"team": 2, "name": "Green Frogs", "colour": "#1e7b34"}

        # Refusals, each with its code; nothing changes.
        await host.send({"type": "team", "player": ids[3], "team": 3})
        assert "no team 3" in (await host.expect_error("unknown_team"))["message"]
        await host.send({"type": "team", "player": "pnobody", "team": 0})
        await host.expect_error("unknown_player")
        await host.send({"type": "team", "player": ids[3], "team": "1"})
        await host.expect_error("malformed")
        await players[3].send({"type": "team", "player": ids[3], "team": 1})
        await players[3].expect_error("not_host")
        stored = await RoomData(redis, host.code).players()
        assert {pid: stored[pid]["team"] for pid in ids} == {
            ids[0]: 2, ids[1]: 2, ids[2]: 0, ids[3]: None, ids[4]: None}

        # At the start the two without a team go, in join order, to the smallest team
        # (members 1, 0, 2: team 1; then 1, 1, 2: the lowest-numbered, team 0).
        await host.host("start")
        await host.phase("open", 0)
        placed = {pl.player_id: (await pl.me_where(lambda m: m["team"] is not None))["team"]
                  ["team"] for pl in players}
        assert placed == {ids[0]: 2, ids[1]: 2, ids[2]: 0, ids[3]: 1, ids[4]: 0}
        await host.send({"type": "team", "player": ids[0], "team": 1})
        await host.expect_error("bad_phase")

        # A late joiner goes to the smallest team (team 1, with one member).
        late = await GameClient(live_server.ws_url, "late").connect()
        await late.join(host.code, "Late")
        assert late.me is not None and late.me["team"]["team"] == 1

        # Reconnecting keeps a host-set team too.
        await players[0].reconnect()
        assert players[0].me is not None and players[0].me["team"]["team"] == 2
    finally:
        await close_all([host, *players, *([late] if late else [])])


async def test_teams_off_rooms_say_so(live_server: ServerProcess) -> None:
    host, players = await room_with_players(live_server.ws_url, {"rounds": 1}, 1)
    try:
        assert host.room is not None and host.room["team_mode"] == "off"
        assert host.host_view is not None and host.host_view["teams"] == []
        assert players[0].me is not None and players[0].me["team"] is None
        await host.send({"type": "team", "player": players[0].player_id, "team": 0})
        await host.expect_error("no_host_teams")
    finally:
        await close_all([host, *players])
