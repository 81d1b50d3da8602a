"""A client flooding the server gets `rate_limited` errors, not a dead connection."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from server.connection import RATE_BURST
from tests.servers import ServerProcess

FLOOD = 100


async def test_flood_is_limited_then_served_again(live_server: ServerProcess) -> None:
    async with connect(live_server.ws_url) as ws:
        await ws.send(json.dumps({"type": "hello", "versions": [1]}))
        await ws.recv()
        for _ in range(FLOOD):
            await ws.send(json.dumps({"type": "ping"}))
        replies = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(FLOOD)]
        pongs = sum(r["type"] == "pong" for r in replies)
        limited = [r for r in replies if r["type"] == "error"]
        assert all(r["code"] == "rate_limited" for r in limited)
        # The burst goes through (plus what refilled while sending); the rest is refused.
        assert RATE_BURST <= pongs < FLOOD - 20 and pongs + len(limited) == FLOOD
        await asyncio.sleep(0.5)  # the bucket refills: the same connection is served again
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "pong"
