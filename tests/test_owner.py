"""The owner loop in process, on a real Redis: quiet rooms leave the per-round-trip read,
and a push to one rings the owner's doorbell so its input is applied at once."""

from __future__ import annotations

import asyncio
import time

import pytest
import redis.asyncio as aioredis

from game_rules import machine as m
from game_rules.model import Round, Settings
from server import keys, owner
from server.inbox import Inbox
from server.lease import Leases
from server.metrics import Metrics
from server.outbox import Envelope, Outbox
from server.owner import Owner
from server.store import Store

GAME = m.Game(Settings(), (Round("quiz", {"kind": "quiz"}, {"correct": "a"}, 1000, 1000),))


async def test_a_quiet_room_is_read_when_its_doorbell_rings(
        redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(owner, "COLD_AFTER_S", 0.3)
    monkeypatch.setattr(owner, "QUIET_READ_S", 60)  # only the doorbell can wake the room
    client = aioredis.Redis.from_url(redis_url)
    blocking = aioredis.Redis.from_url(redis_url)
    store, metrics = Store(client), Metrics()
    rooms = Owner(blocking, Leases(client, "test-owner"), store, Outbox(client), metrics,
                  lambda code: f"http://x/play?room={code}", lambda code: True, 0)
    codes = [(await store.create_room(GAME, "Deck"))[0] for _ in range(3)]
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(keys.room_keys(codes[0]).channel)
    rooms.start()
    try:
        for code in codes:
            await rooms.ensure(code)
        assert set(rooms.runners) == set(codes)
        deadline = time.monotonic() + 5
        while rooms._busy and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not rooms._busy, "rooms with no input and no timer should turn quiet"

        await Inbox(client).push(codes[0], m.PlayerJoin("p1", "Ann"), "tokenhash")
        pushed = time.monotonic()
        async with asyncio.timeout(3):
            while True:
                msg = await pubsub.get_message(timeout=1)
                if msg and any(n.kind == "joined" for n in Envelope.decode(msg["data"]).notices):
                    break
        assert time.monotonic() - pushed < 2  # not the 60 s of the read of all rooms
        assert codes[0] in rooms._busy  # busy again after its input
        assert await store.who(codes[0], "tokenhash") is None  # a token hash is not a token
        assert await store.is_player(codes[0], "p1")
    finally:
        await rooms.stop()
        await pubsub.aclose()
        await client.aclose()
        await blocking.aclose()


async def test_leases_renew_in_chunks_and_name_the_lost(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    mine, theirs = Leases(client, "me"), Leases(client, "them")
    codes = [f"L{i:05d}" for i in range(2500)]  # three script calls
    try:
        for code in codes:
            assert await mine.acquire(code)
        await client.delete(keys.room_keys(codes[7]).lease)
        assert await theirs.acquire(codes[7])  # taken over after it expired
        await client.delete(keys.room_keys(codes[2100]).lease)  # expired, nobody took it
        for code in codes[:3]:
            await client.pexpire(keys.room_keys(code).lease, 50)
        assert await mine.renew(codes) == {codes[7], codes[2100]}
        assert await client.pttl(keys.room_keys(codes[0]).lease) > 1000  # renewed
        assert await client.get(keys.room_keys(codes[7]).lease) == b"them"  # left alone
        assert await mine.renew([]) == set()
    finally:
        await client.delete(*(keys.room_keys(c).lease for c in codes))
        await client.aclose()


async def test_free_leases_are_found_in_one_look(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    codes = [f"F{i:05d}" for i in range(1200)]  # two script calls
    try:
        for code in codes[::3]:
            assert await Leases(client, "someone").acquire(code)
        assert await Leases(client, "me").free(codes) == [c for c in codes if c not in codes[::3]]
        assert await Leases(client, "me").free([]) == []
    finally:
        await client.delete(*(keys.room_keys(c).lease for c in codes))
        await client.aclose()
