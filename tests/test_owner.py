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
    await rooms.start()
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


async def test_leases_are_held_by_their_process_heartbeat(redis_url: str) -> None:
    """A lease is held while its process's heartbeat lives: nobody else can take the room;
    once the heartbeat is gone, every room of that process is free, found in one look over
    thousands of rooms (three script calls here), and the process finds out which it lost."""
    client = aioredis.Redis.from_url(redis_url)
    mine, theirs = Leases(client, "me"), Leases(client, "them")
    codes = [f"L{i:05d}" for i in range(2500)]
    try:
        await mine.beat()
        await theirs.beat()
        for code in codes:
            assert await mine.acquire(code)
        assert await mine.acquire(codes[0])  # already mine
        assert not await theirs.acquire(codes[0])  # held: my heartbeat lives
        assert await theirs.free(codes) == [] and await mine.lost(codes) == []

        await client.delete(keys.room_keys(codes[7]).lease)  # a room given back
        assert await theirs.free(codes) == [codes[7]]
        assert await theirs.acquire(codes[7])
        assert await mine.lost(codes) == [codes[7]]

        await mine.stop()  # my process died: its heartbeat is gone
        assert await theirs.free(codes) == [c for c in codes if c != codes[7]]
        assert await theirs.acquire(codes[2100])
        await mine.beat()  # back from a stall: the rooms nobody took are still mine
        assert await mine.lost(codes) == [codes[7], codes[2100]]
        assert await theirs.free(codes) == []

        await mine.release(*codes)  # gives back only what it holds
        assert await client.get(keys.room_keys(codes[2100]).lease) == b"them"
        assert not await client.exists(keys.room_keys(codes[0]).lease)
        assert await mine.free([]) == [] and await mine.lost([]) == []
    finally:
        await client.delete(*(keys.room_keys(c).lease for c in codes))
        await mine.stop()
        await theirs.stop()
        await client.aclose()
