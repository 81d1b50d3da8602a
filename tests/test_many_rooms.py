"""Many rooms created at once on a fresh server: every room's output reaches its sockets.

(redis-py's PubSub took its connection lazily: simultaneous first subscribes each took
one, and the channels subscribed on the lost one never delivered.)
"""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from tests.servers import ServerProcess

ROOMS = 60


async def create_and_join(ws_url: str) -> str:
    async def hello():
        ws = await connect(ws_url)
        await ws.send(json.dumps({"type": "hello", "versions": [1]}))
        await ws.recv()
        return ws

    async def first(ws, type_: str) -> dict:
        async with asyncio.timeout(15):
            while True:
                msg = json.loads(await ws.recv())
                if msg["type"] in (type_, "error"):
                    return msg

    host = await hello()
    await host.send(json.dumps({"type": "create_room", "settings": {"rounds": 1}}))
    code = (await first(host, "created"))["room"]
    player = await hello()
    await player.send(json.dumps({"type": "join", "room": code, "nickname": "Solo"}))
    reply = await first(player, "joined")
    await host.close()
    await player.close()
    return reply["type"]


async def test_rooms_created_at_once_all_deliver(own_server: ServerProcess) -> None:
    replies = await asyncio.gather(*(create_and_join(own_server.ws_url) for _ in range(ROOMS)))
    assert replies == ["joined"] * ROOMS


async def test_one_read_serves_every_room_of_a_process(own_server: ServerProcess,
                                                      redis_url: str) -> None:
    """40 rooms running in one process, each with a player connected: their inboxes are
    read by one blocking XREAD, not one per room (a connection each)."""
    import socket

    from tests.client import GameClient, close_all, redis_client

    clients: list[GameClient] = []
    for i in range(40):
        host = await GameClient(own_server.ws_url, f"host{i}").connect()
        await host.create_room({"rounds": 1})
        assert host.code is not None
        player = await GameClient(own_server.ws_url, f"player{i}").connect()
        await player.join(host.code, "Solo")
        clients += [host, player]
    redis = redis_client(redis_url)
    try:
        assert own_server.process is not None
        name = f"cardcade-{socket.gethostname()}-{own_server.process.pid}"
        mine = [c for c in await redis.client_list() if c.get("name") == name]
        reads = [c for c in mine if c.get("cmd") == "xread"]
        assert mine and len(reads) == 1, [c.get("cmd") for c in mine]
    finally:
        await redis.aclose()
        await close_all(clients)
