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
