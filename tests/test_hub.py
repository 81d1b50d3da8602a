"""The hub's fan-out of an envelope to real WebSocket connections: each socket gets its
frames in the protocol's order (notices, then the room, host and own views), the room view
alone to sockets with nothing else, a stale view to none, and a kicked socket its notice
before it is closed. Frames are built by hand (`hub.frame`): the same bytes as websockets'."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode

from server.hub import Hub, Member, RoomSockets, frame
from server.metrics import Metrics
from server.outbox import Envelope, Notice, Views


def test_frames_are_websockets_own() -> None:
    for n in (0, 1, 125, 126, 127, 65_535, 65_536, 70_000):
        for text in ("a" * n, "é" * (n // 2), "🎉" * (n // 4)):
            assert frame(text) == Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


async def _frames(ws: ClientConnection, n: int) -> list[dict[str, Any]]:
    async with asyncio.timeout(5):
        return [json.loads(await ws.recv()) for _ in range(n)]


async def test_each_socket_gets_its_frames_in_order(redis_url: str) -> None:
    accepted: asyncio.Queue[ServerConnection] = asyncio.Queue()

    async def handler(ws: ServerConnection) -> None:
        await accepted.put(ws)
        await ws.wait_closed()

    client = aioredis.Redis.from_url(redis_url)
    hub = Hub(client, Metrics())
    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        clients = [await connect(f"ws://127.0.0.1:{port}") for _ in range(5)]
        members = []
        for who in ("host", "p1", "p2", "p3", "p4"):
            members.append(Member(await accepted.get(), "ROOM", who))
        cat = members[3]
        cat.last_seq = 9  # has a newer room view already (a snapshot)
        room = RoomSockets()
        for mb in members:
            room.add(mb)
        hub.rooms["ROOM"] = room

        def msg(kind: str, **fields: Any) -> str:
            return json.dumps({"type": kind, **fields})

        hub.deliver("ROOM", Envelope(
            (Notice("p1", "ack", msg("ack", round=0)), Notice("p4", "kicked", msg("kicked"))),
            Views(5, msg("room", seq=5), msg("host", seq=5),
                  {"p1": msg("me", seq=5, who="p1"), "p3": msg("me", seq=5, who="p3")})))
        got = {mb.who: [f["type"] for f in await _frames(c, n)] for mb, c, n in
               zip(members, clients, (2, 3, 1, 0, 1), strict=True)}
        assert got == {"host": ["room", "host"], "p1": ["ack", "room", "me"], "p2": ["room"],
                       "p3": [], "p4": ["kicked"]}
        # cat's room and own views of seq 5 were stale (it has 9): the next frame is seq 10
        hub.deliver("ROOM", Envelope((), Views(10, msg("room", seq=10), None)))
        frames = await asyncio.gather(*(_frames(c, 1) for c in clients[:4]))
        assert [f[0]["seq"] for f in frames] == [10, 10, 10, 10]
        async with asyncio.timeout(5):
            try:
                await clients[4].recv()
            except ConnectionClosed as exc:
                assert exc.rcvd is not None and exc.rcvd.code == 4001
            else:
                raise AssertionError("the kicked socket got another frame")
        for c in clients:
            await c.close()
    await client.aclose()
