"""Redis restarts under a running game: two server processes, ten players over both, a
round open. Redis is stopped (SIGTERM: its append-only file is flushed) and started again
on the same port and data folder. The processes stay up and say they are not ready while
Redis is away, a message sent then is answered, and once Redis is back every client syncs,
every answer is acknowledged and the game plays to the end with exact scores, run by the
process that ran it before, with every player still shown connected.

And in process: a room whose step meets Redis going away is run again once it is back."""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError

from game_rules import machine as m
from game_rules.model import Round, Settings
from server import keys
from server.app import REDIS_TIMEOUT_S
from server.embedded_redis import EmbeddedRedis
from server.inbox import Inbox
from server.lease import Leases
from server.metrics import Metrics
from server.outbox import Envelope, Outbox
from server.owner import Owner
from server.store import Store
from tests.client import GameClient, RoomData, answer_for, close_all, redis_client
from tests.servers import ServerProcess

PLAYERS = 10
QUIZ = {"round_mix": ["quiz"], "rounds": 2, "speed_scoring": False, "streak_bonus": False,
        "points": 1000, "time_limit_s": 120}
BOUND_S = 20.0  # the longest any one wait may take: generous, the machine is shared
# How Redis stops and how long it stays away: a short clean restart (SIGTERM: the AOF is
# flushed, nothing is lost), one longer than a process's heartbeat lives (keys.LEASE_TTL_MS,
# so every heartbeat has run out when Redis is back), and a crash (SIGKILL: with
# `appendfsync everysec` the writes of the last second or two may be lost, not older ones).
RESTARTS = [("term", 2.0), ("term", keys.LEASE_TTL_MS / 1000 + 1), ("kill", 2.0)]
FSYNCED_S = 3.0  # before a crash: longer than AOF everysec can leave writes unwritten


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=BOUND_S) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def how(player: int, round_index: int) -> str:
    return "right" if (player + round_index) % 3 else "wrong"


async def reply(client: GameClient, *types: str) -> dict[str, Any]:
    """The next message of one of `types`, or an `error`."""
    return await client.recv_until(predicate=lambda m: m["type"] in (*types, "error"),
                                   timeout=BOUND_S, errors_ok=True)


async def sync_until_snapshot(client: GameClient) -> tuple[float, int]:
    """Send `sync` until it is answered with a snapshot; (when, how many were refused)."""
    refused = 0
    end = time.monotonic() + BOUND_S
    while True:
        client.drain()
        await client.send({"type": "sync"})
        msg = await reply(client, "room")
        if msg["type"] == "room":
            return time.monotonic(), refused
        assert msg["code"] == "unavailable", msg
        refused += 1
        assert time.monotonic() < end, f"{client.name}: no snapshot in {BOUND_S} s"
        await asyncio.sleep(0.2)


async def answer_until_acked(client: GameClient, index: int, answer: dict[str, Any]) -> int:
    """Send the answer (the same one again on `unavailable`) until it is acknowledged;
    how many times it was refused."""
    refused = 0
    end = time.monotonic() + BOUND_S
    while True:
        await client.answer(index, answer)
        msg = await reply(client, "ack")
        if msg["type"] == "ack":
            assert msg["round"] == index
            return refused
        assert msg["code"] == "unavailable", msg
        refused += 1
        assert time.monotonic() < end, f"{client.name}: no ack in {BOUND_S} s"
        await asyncio.sleep(0.2)


@pytest.mark.parametrize(("stop", "down_s"), RESTARTS)
async def test_a_redis_restart_mid_round(restartable_redis: EmbeddedRedis, tmp_path: Path,
                                         stop: str, down_s: float) -> None:
    redis_url = restartable_redis.url
    a = ServerProcess(redis_url, tmp_path).start()
    b = ServerProcess(redis_url, tmp_path).start()
    clients: list[GameClient] = []
    data = redis_client(redis_url)
    try:
        host = await GameClient(a.ws_url, "host").connect()  # A creates, so A runs the room
        clients.append(host)
        await host.create_room(QUIZ, seed=11)
        code = host.code
        assert code is not None
        players = [GameClient((a, b)[i % 2].ws_url, f"p{i}") for i in range(PLAYERS)]
        clients += players
        # At once, as a class does: each process opens several pooled Redis connections.
        await asyncio.gather(*(pl.connect() for pl in players))
        await asyncio.gather(*(pl.join(code, f"Player {i}") for i, pl in enumerate(players)))
        await host.room_where(lambda r: r["players"] == PLAYERS)
        room = RoomData(data, code)
        plan = await room.plan()
        lease = keys.room_keys(code).lease
        owner = await data.get(lease)
        await host.host("start")
        for c in clients:
            await c.phase("open", 0)
        early = players[:4]  # they answer before Redis goes away
        await asyncio.gather(*(pl.answer_acked(0, answer_for(plan[0], how(i, 0)))
                               for i, pl in enumerate(early)))
        for c in clients:  # the views of those answers, before anything else is asked
            await c.room_where(lambda r: r["answered"] == len(early))
            c.drain()
        await data.aclose()

        # Redis goes away for `down_s`.
        if stop == "kill":
            await asyncio.sleep(FSYNCED_S)
            assert restartable_redis.process is not None
            restartable_redis.process.kill()
            await asyncio.to_thread(restartable_redis.process.wait)
            restartable_redis.process = None
        else:
            await asyncio.to_thread(restartable_redis.stop)
        down = time.monotonic()
        for server in (a, b):
            assert await asyncio.to_thread(http_status, f"{server.http_url}/readyz") == 503
            assert await asyncio.to_thread(http_status, f"{server.http_url}/healthz") == 200
        # A message sent now is answered (an error, or, if Redis is back by then, its
        # reply), never left without a word.
        asker, late = players[4], players[5]  # on A and on B
        sent = time.monotonic()
        await asker.send({"type": "sync"})
        await late.answer(0, answer_for(plan[0], how(5, 0)))
        answers = await asyncio.gather(reply(asker, "room"), reply(late, "ack"))
        answered_in = time.monotonic() - sent
        assert answers[0]["type"] == "room" or answers[0]["code"] == "unavailable", answers[0]
        assert answers[1]["type"] == "ack" or answers[1]["code"] == "unavailable", answers[1]
        assert answered_in < REDIS_TIMEOUT_S  # docs/protocol.md: "within 5 s at most"
        await asyncio.sleep(max(0.0, down_s - (time.monotonic() - down)))

        await asyncio.to_thread(restartable_redis.start)  # the same port and data folder
        ready = time.monotonic()
        data = redis_client(redis_url)
        room = RoomData(data, code)
        # The answers acknowledged before Redis went away are all there: a clean stop loses
        # nothing, a crash no more than the last second or two.
        state = await room.state()
        assert state["phase"] == "open"
        acked = [*early, late] if answers[1]["type"] == "ack" else early
        assert set(state["results"]) == {pl.player_id for pl in acked}

        synced = await asyncio.gather(*(sync_until_snapshot(c) for c in clients))
        all_synced_s = max(at for at, _ in synced) - ready
        refused_syncs = sum(n for _, n in synced)
        assert all(c.room is not None and c.room["phase"] == "open" for c in clients)

        # Everyone who has not answered yet does, the same answer again after a refusal.
        refused_answers = sum(await asyncio.gather(*(
            answer_until_acked(pl, 0, answer_for(plan[0], how(i, 0)))
            for i, pl in enumerate(players) if i >= len(early))))
        for c in clients:
            await c.phase("reveal", 0, timeout=BOUND_S)

        # The game goes on to the end.
        await host.host("next")
        await host.phase("leaderboard", timeout=BOUND_S)
        await host.host("next")
        for c in clients:
            await c.phase("open", 1, timeout=BOUND_S)
        for i, pl in enumerate(players):
            await pl.answer_acked(1, answer_for(plan[1], how(i, 1)))
        await host.phase("reveal", 1, timeout=BOUND_S)
        await host.host("end")
        podium = await host.phase("podium", timeout=BOUND_S)
        await host.recv_until("host", lambda v: v["seq"] == podium["seq"], timeout=BOUND_S)

        expected = {pl.player_id: 1000 * sum(how(i, r) == "right" for r in range(2))
                    for i, pl in enumerate(players)}
        assert await room.scores() == expected
        for pl in players:
            me = await pl.me_where(lambda m: m["last"] is not None and m["last"]["round"] == 1,
                                   timeout=BOUND_S)
            assert me["score"] == expected[pl.player_id]
        # Nobody was taken for gone: every player is still shown connected.
        assert host.host_view is not None
        assert host.host_view["offline"]["count"] == 0, host.host_view["offline"]
        # One answer per player and round, and the room never changed hands.
        assert len(await room.answers()) == 2 * PLAYERS
        assert await data.get(lease) == owner
        runs = sum(log.read_text().count(f"room {code}: running")
                   for log in tmp_path.glob("server-*.log"))
        assert runs == 1, runs
        print(f"\nRedis {stop}, down {down_s:.0f} s: a message sent while it was down answered in "
              f"{answered_in:.2f} s ({[m.get('code', m['type']) for m in answers]}); "
              f"all {len(clients)} clients synced {all_synced_s:.2f} s after Redis was ready "
              f"({refused_syncs} sync(s) and {refused_answers} answer(s) refused after that)")
        assert refused_syncs == 0 and refused_answers == 0
    finally:
        await close_all(clients)
        await data.aclose()
        a.stop()
        b.stop()


async def test_a_room_whose_step_meets_redis_going_away_runs_again(
        redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis goes away between the read of a room's input and its commit: the commit and
    the release of the room both fail. The room must not be left run by no one (its lease
    names this process, whose heartbeat lives on): it runs again from its state in Redis,
    and the input is applied."""
    client = aioredis.Redis.from_url(redis_url)
    blocking = aioredis.Redis.from_url(redis_url)
    store, leases = Store(client), Leases(client, "test-restart-owner")
    rooms = Owner(blocking, leases, store, Outbox(client), Metrics(), lambda code: "http://x",
                  lambda code: True, 0)
    game = m.Game(Settings(), (Round("quiz", {"kind": "quiz"}, {"correct": "a"}, 1000, 1000),))
    code = (await store.create_room(game, "Deck"))[0]
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(keys.room_keys(code).channel)
    commit, release = store.commit, leases.release
    outage = {"commit": 1, "release": 1}  # calls that fail, as with Redis away

    async def broken_commit(*args: Any, **kwargs: Any) -> int:
        if outage["commit"]:
            outage["commit"] -= 1
            raise RedisConnectionError("Connection closed by server.")
        return await commit(*args, **kwargs)

    async def broken_release(*codes: str) -> None:
        if outage["release"]:
            outage["release"] -= 1
            raise RedisConnectionError("Connection closed by server.")
        await release(*codes)

    monkeypatch.setattr(store, "commit", broken_commit)
    monkeypatch.setattr(leases, "release", broken_release)
    await rooms.start()
    try:
        await rooms.ensure(code)
        await Inbox(client).push(code, m.PlayerJoin("p1", "Ann"), "tokenhash")
        async with asyncio.timeout(BOUND_S):
            while True:
                msg = await pubsub.get_message(timeout=1)
                if msg and any(n.kind == "joined" for n in Envelope.decode(msg["data"]).notices):
                    break
        assert outage["commit"] == 0  # the first commit did fail
        assert code in rooms.runners and await store.is_player(code, "p1")
        assert (await client.get(keys.room_keys(code).lease)) == b"test-restart-owner"
    finally:
        await rooms.stop()
        await pubsub.aclose()
        await client.aclose()
        await blocking.aclose()
