"""Rooms survive reconnects and server restarts; host controls; timers; room expiry.

Real server processes, a real Redis and real WebSocket clients (`tests.client`).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from server import keys
from tests.client import (
    GameClient,
    RoomData,
    answer_for,
    close_all,
    redis_client,
    room_with_players,
)
from tests.servers import ServerProcess

QUIZ = {"round_mix": ["quiz"], "rounds": 3, "speed_scoring": False, "points": 1000,
        "time_limit_s": 60}


async def start_round(host: GameClient, players: list[GameClient]) -> dict:
    await host.host("start")
    views = await asyncio.gather(*(c.phase("open", 0) for c in [host, *players]))
    return views[0]


async def test_player_and_host_reconnect_mid_round(live_server: ServerProcess,
                                                   redis: aioredis.Redis) -> None:
    host, (ann, bob) = await room_with_players(live_server.ws_url, QUIZ, 2)
    room = RoomData(redis, host.code)
    plan = await room.plan()
    try:
        opened = await start_round(host, [ann, bob])
        await ann.answer_acked(0, answer_for(plan[0], "right"))
        await asyncio.sleep(0.2)

        # Ann: a new socket, the same token.
        snap = await ann.reconnect()
        assert snap["phase"] == "open" and snap["round"]["index"] == 0
        assert snap["round"]["deadline_ms"] == opened["round"]["deadline_ms"]
        assert 0 < snap["round"]["time_left_ms"] <= 60_000
        assert snap["round"]["public"] == plan[0]["public"] and snap["reveal"] is None
        assert ann.me["player_id"] == ann.player_id
        assert ann.me["answered"] is True and ann.me["answer"] == {"choice": plan[0]["key"]
                                                                   ["correct"]}
        assert (ann.me["score"], ann.me["streak"]) == (0, 0)  # counted when the round closes

        # Bob had not answered yet: his snapshot says so.
        await bob.reconnect()
        assert bob.me["answered"] is False and bob.me["answer"] is None
        # The host comes back too and sees who has answered.
        await host.reconnect()
        rows = {row["id"]: row for row in host.host_view["players"]}
        assert rows[ann.player_id]["answered"] and not rows[bob.player_id]["answered"]
        assert all(row["connected"] for row in rows.values())

        # Everyone carries on: Bob's answer closes the round.
        await bob.answer_acked(0, answer_for(plan[0], "wrong"))
        for c in (host, ann, bob):
            await c.phase("reveal", 0)
        me = await ann.me_where(lambda m: m["score"] == 1000)
        assert me["streak"] == 1 and me["last"] == {"round": 0, "correct": True, "points": 1000,
                                                    "right": 1, "of": 1}
        assert (await bob.me_where(lambda m: m["last"] is not None))["score"] == 0
        await host.host("next")
        await ann.phase("leaderboard")
    finally:
        await close_all([host, ann, bob])


async def restart_mid_round(server: ServerProcess, redis: aioredis.Redis, *,
                            kill: bool) -> None:
    settings = {**QUIZ, "time_limit_s": 5 if kill else 60}
    host, (ann, bob) = await room_with_players(server.ws_url, settings, 2)
    room = RoomData(redis, host.code)
    plan = await room.plan()
    try:
        opened = await start_round(host, [ann, bob])
        deadline = opened["round"]["deadline_ms"]
        await ann.answer_acked(0, answer_for(plan[0], "right"))
        before = await room.state()
        assert before["results"][ann.player_id]["points"] == 1000

        await asyncio.to_thread(server.restart, kill=kill)
        for c in (host, ann, bob):
            code = await c.wait_closed()
            assert code in (1001, 1006), code  # going away, or no close frame after a crash
        snaps = [await c.reconnect() for c in (host, ann, bob)]
        state = await room.state()
        assert state["phase"] == "open" and state["round_index"] == 0
        assert state["deadline_ms"] == deadline and state["results"] == before["results"]
        assert set(state["players"]) == {ann.player_id, bob.player_id}
        for snap in snaps:
            assert snap["phase"] == "open" and snap["round"]["deadline_ms"] == deadline
        assert ann.me["answered"] and not bob.me["answered"]

        if kill:
            # Nobody owns the room until the dead process's heartbeat runs out; the new
            # process then takes it over, finds the deadline passed and closes the round.
            dead = (await redis.get(keys.room_keys(host.code).lease)).decode()
            assert await redis.pttl(keys.process_alive(dead)) > 0
            reveal = await ann.phase("reveal", 0, timeout=keys.LEASE_TTL_MS / 1000 + 5)
            assert reveal["server_time_ms"] >= deadline
            assert reveal["answered"] == 1
        else:
            await bob.answer_acked(0, answer_for(plan[0], "wrong"))
            await ann.phase("reveal", 0)
        await ann.me_where(lambda m: m["score"] == 1000 and m["streak"] == 1)
        await bob.me_where(lambda m: m["last"] is not None and m["score"] == 0)

        # The game goes on: next round, answered by Bob this time.
        await host.host("next")
        await host.phase("leaderboard")
        await host.host("next")
        await bob.phase("open", 1)
        await bob.answer_acked(1, answer_for(plan[1], "right"))
        await ann.answer_acked(1, answer_for(plan[1], "right"))
        await host.phase("reveal", 1)
        assert await room.scores() == {ann.player_id: 2100, bob.player_id: 1000}
    finally:
        await close_all([host, ann, bob])


async def test_clean_restart_mid_round(own_server: ServerProcess,
                                       redis: aioredis.Redis) -> None:
    await restart_mid_round(own_server, redis, kill=False)


async def test_crash_mid_round_new_process_takes_over(own_server: ServerProcess,
                                                      redis: aioredis.Redis) -> None:
    await restart_mid_round(own_server, redis, kill=True)


async def test_kick(live_server: ServerProcess) -> None:
    host, (ann, bob) = await room_with_players(live_server.ws_url, QUIZ, 2)
    intruder = await GameClient(live_server.ws_url, "intruder").connect()
    try:
        host.drain()
        await host.send({"type": "kick", "player": ann.player_id})
        await ann.recv_until("kicked")
        assert await ann.wait_closed() == 4001
        view = await host.recv_until("host", lambda v: len(v["players"]) == 1)
        assert [row["id"] for row in view["players"]] == [bob.player_id]
        await bob.room_where(lambda r: r["players"] == 1)

        # Not back with the old token, nor under the same name (any case).
        await ann.connect()
        assert await ann.resume_refused(host.code, ann.token) == "kicked"
        assert await intruder.join_refused(host.code, "Player 0") == "kicked"
        assert await intruder.join_refused(host.code, "  player   0 ") == "kicked"
        await intruder.join(host.code, "Player 2")  # someone else may join
        await host.send({"type": "kick", "player": ann.player_id})
        assert (await host.expect_error("unknown_player"))["type"] == "error"
    finally:
        await close_all([host, ann, bob, intruder])


async def test_lock_and_unlock(live_server: ServerProcess) -> None:
    host, players = await room_with_players(live_server.ws_url, QUIZ, 1)
    late = await GameClient(live_server.ws_url, "late").connect()
    try:
        await host.host("lock")
        await host.room_where(lambda r: r["locked"])
        assert await late.join_refused(host.code, "Late") == "room_locked"
        # A player who was already in may still come back.
        await players[0].reconnect()
        await host.host("unlock")
        await host.room_where(lambda r: not r["locked"])
        await late.join(host.code, "Late")
        await host.room_where(lambda r: r["players"] == 2)
    finally:
        await close_all([host, *players, late])


@pytest.mark.parametrize("late_join", [True, False])
async def test_late_join(live_server: ServerProcess, late_join: bool) -> None:
    host, players = await room_with_players(live_server.ws_url, {**QUIZ, "late_join": late_join},
                                            1)
    late = await GameClient(live_server.ws_url, "late").connect()
    try:
        await start_round(host, players)
        if late_join:
            await late.join(host.code, "Late")
            assert late.room["phase"] == "open" and late.room["round"]["index"] == 0
            assert late.me["score"] == 0 and late.me["answered"] is False
        else:
            assert await late.join_refused(host.code, "Late") == "game_started"
            assert (await host.sync())["players"] == 1
    finally:
        await close_all([host, *players, late])


async def test_pause_and_resume(live_server: ServerProcess, redis: aioredis.Redis) -> None:
    host, (ann,) = await room_with_players(live_server.ws_url, QUIZ, 1)
    plan = await RoomData(redis, host.code).plan()
    try:
        opened = await start_round(host, [ann])
        deadline = opened["round"]["deadline_ms"]
        t_pause = time.time()
        await host.host("pause")
        paused = await ann.room_where(lambda r: r["round"] and r["round"]["paused"])
        t_paused_seen = time.time()
        frozen = paused["round"]["time_left_ms"]
        await ann.answer(0, answer_for(plan[0], "right"))
        await ann.expect_error("paused")
        await asyncio.sleep(0.6)
        assert (await ann.sync())["round"]["time_left_ms"] == frozen  # the clock stands still

        t_resume = time.time()
        await host.host("resume")
        resumed = await ann.room_where(lambda r: r["round"] and not r["round"]["paused"])
        t_resumed_seen = time.time()
        moved = resumed["round"]["deadline_ms"] - deadline
        # The pause lasted from when it was applied to when the resume was applied.
        assert (t_resume - t_paused_seen) * 1000 - 5 <= moved
        assert moved <= (t_resumed_seen - t_pause) * 1000 + 5
        await ann.answer_acked(0, answer_for(plan[0], "right"))
        await ann.phase("reveal", 0)
        assert (await ann.me_where(lambda m: m["last"] is not None))["score"] == 1000

        await host.host("pause")  # not in a running round
        await host.expect_error("bad_phase")
        await host.host("resume")
        await host.expect_error("bad_phase")
    finally:
        await close_all([host, ann])


async def test_add_time(live_server: ServerProcess) -> None:
    host, players = await room_with_players(live_server.ws_url, QUIZ, 1)
    try:
        opened = await start_round(host, players)
        await host.send({"type": "add_time", "seconds": 15})
        later = await players[0].room_where(
            lambda r: r["round"]["deadline_ms"] != opened["round"]["deadline_ms"])
        assert later["round"]["deadline_ms"] == opened["round"]["deadline_ms"] + 15_000
        assert later["round"]["time_left_ms"] > 60_000
        await players[0].send({"type": "add_time", "seconds": 15})
        await players[0].expect_error("not_host")
    finally:
        await close_all([host, *players])


async def test_deadline_closes_the_round(live_server: ServerProcess,
                                         redis: aioredis.Redis) -> None:
    host, players = await room_with_players(live_server.ws_url, {**QUIZ, "time_limit_s": 5}, 2)
    plan = await RoomData(redis, host.code).plan()
    try:
        opened = await start_round(host, players)
        deadline = opened["round"]["deadline_ms"]
        await players[0].answer_acked(0, answer_for(plan[0], "right"))
        reveal = await players[1].phase("reveal", 0, timeout=8)
        assert reveal["server_time_ms"] >= deadline
        assert reveal["server_time_ms"] - deadline < 1500
        assert reveal["answered"] == 1
        me0 = await players[0].me_where(lambda m: m["last"] is not None)
        me1 = await players[1].me_where(lambda m: m["last"] is not None)
        assert me0["score"] == 1000 and me1["score"] == 0
        assert me1["last"] == {"round": 0, "correct": False, "points": 0, "right": 0, "of": 1}
        await players[1].answer(0, answer_for(plan[0], "right"))
        await players[1].expect_error("round_closed")
    finally:
        await close_all([host, *players])


async def test_room_expires_when_idle(redis_url: str, server_logs: Path) -> None:
    server = ServerProcess(redis_url, server_logs, "--room-ttl", "2").start()
    clients: list[GameClient] = []
    try:
        host, (ann,) = await room_with_players(server.ws_url, QUIZ, 1)
        clients += [host, ann]
        await asyncio.sleep(0.5)
        fresh = await GameClient(server.ws_url, "fresh").connect()
        clients.append(fresh)
        await fresh.join(host.code, "Fresh")  # still there: the join refreshed it
        await asyncio.sleep(3)  # idle for longer than the TTL
        other = await GameClient(server.ws_url, "other").connect()
        clients.append(other)
        assert await other.join_refused(host.code, "Other") == "unknown_room"
        assert await other.resume_refused(host.code, ann.token) == "unknown_room"
        assert await other.resume_refused(host.code, host.token) == "unknown_room"
        async with redis_client(redis_url) as r:
            assert not await r.exists(*keys.room_keys(host.code).all_keys())
            # Sockets closing in a room that is gone leave nothing behind in Redis.
            await close_all(clients)
            await asyncio.sleep(0.3)
            left = await r.keys(f"{keys.room_keys(host.code).tag}*")
            assert [k for k in left if await r.pttl(k) < 0] == []
    finally:
        await close_all(clients)
        await asyncio.to_thread(server.stop)


async def test_a_dropped_player_holds_the_round_for_the_grace_only(
        live_server: ServerProcess, redis: aioredis.Redis) -> None:
    """Everyone else answered while Bob's Wi-Fi was down: the round waits for him 15 s from
    the drop (not 0, not the 60 s deadline), then closes on the server's own timer."""
    host, (ann, bob) = await room_with_players(live_server.ws_url, QUIZ, 2)
    data = RoomData(redis, host.code)
    plan = await data.plan()
    try:
        opened = await start_round(host, [ann, bob])
        await bob.close()
        await host.recv_until("host", lambda v: not next(
            p for p in v["players"] if p["id"] == bob.player_id)["connected"])
        left_ms = (await data.state())["players"][bob.player_id]["left_ms"]
        await ann.answer_acked(0, answer_for(plan[0], "right"))
        await asyncio.sleep(2)
        assert host.room is not None and host.room["phase"] == "open"  # Bob is still in it
        reveal = await host.phase("reveal", 0, timeout=20)
        waited = reveal["server_time_ms"] - left_ms
        assert 15_000 <= waited < 17_000, waited
        assert reveal["server_time_ms"] < opened["round"]["deadline_ms"] - 30_000
        assert reveal["answered"] == 1
    finally:
        await close_all([host, ann, bob])


async def test_an_idle_room_is_released_and_runs_again_on_demand(
        redis_url: str, server_logs: Path, redis: aioredis.Redis) -> None:
    """A room nobody is connected to, with no input and no timer, stops being run (its lease
    goes: it costs this process nothing); a join runs it again, with its state intact."""
    server = ServerProcess(redis_url, server_logs, "--room-idle", "1").start()
    try:
        host = await GameClient(server.ws_url, "host").connect()
        await host.create_room({"round_mix": ["quiz"], "time_limit_s": 60})
        code, token = host.code, host.token
        assert code is not None and token is not None
        lease = keys.room_keys(code).lease
        assert await redis.exists(lease)
        await asyncio.sleep(2.5)
        assert await redis.exists(lease)  # the host is still here: the room keeps its runner
        await host.close()
        end = time.monotonic() + 10
        while await redis.exists(lease):
            assert time.monotonic() < end, "the idle room was not released"
            await asyncio.sleep(0.2)

        ann = await GameClient(server.ws_url, "ann").connect()
        await ann.join(code, "Ann")  # runs the room again
        assert await redis.exists(lease)
        await host.connect()
        await host.resume(code, token)
        await host.host("start")
        opened = await ann.phase("open", 0)
        await asyncio.sleep(2.5)  # a running round keeps its runner, even with no input
        assert await redis.exists(lease) and opened["round"]["index"] == 0
        await close_all([host, ann])
    finally:
        server.stop()
