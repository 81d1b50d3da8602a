"""Redis calls made at once by many tasks share round trips (`server.batched`), on a real
Redis: each caller gets its own replies, an error reaches only the caller whose command
failed, a script Redis forgot is loaded again, and a cancelled caller harms no other."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from server.batched import Batched, Script


async def test_many_callers_share_round_trips_and_get_their_own_replies(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    batched = Batched(client)
    await client.set("batched:text", "not a hash")

    async def one(i: int) -> list[object]:
        if i == 57:  # a command that fails: WRONGTYPE
            return await batched.call(("HGET", "batched:text", "field"))
        return await batched.call(("SET", f"batched:{i}", i), ("GET", f"batched:{i}"),
                                  ("EXISTS", f"batched:{i}", "batched:none"))

    replies = await asyncio.gather(*(one(i) for i in range(200)), return_exceptions=True)
    assert isinstance(replies[57], ResponseError)
    assert all(replies[i] == [True, str(i).encode(), 1] for i in range(200) if i != 57)
    # 200 callers at once, one connection: the first went alone, the rest in pipelines
    # while it and each other were in flight (redis-py alone opens one per caller).
    pool = client.connection_pool
    assert len(pool._available_connections) + len(pool._in_use_connections) == 1
    await client.aclose()


async def test_a_forgotten_script_is_loaded_again_in_a_batch(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    batched = Batched(client)
    script = client.register_script("return ARGV[1] .. KEYS[1]")
    await client.script_flush()
    replies = await asyncio.gather(*(batched.call(Script(script, [f"k{i}"], [i]),
                                                  ("ECHO", "after"))
                                     for i in range(5)))
    assert replies == [[f"{i}k{i}".encode(), b"after"] for i in range(5)]
    await client.aclose()


async def test_a_cancelled_caller_leaves_the_others_their_replies(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    batched = Batched(client)
    first = asyncio.create_task(batched.call(("ECHO", "first")))
    await asyncio.sleep(0)  # it is in flight: the next ones queue
    queued = [asyncio.create_task(batched.call(("ECHO", str(i)))) for i in range(3)]
    await asyncio.sleep(0)
    queued[1].cancel()
    assert await first == [b"first"]
    assert await queued[0] == [b"0"] and await queued[2] == [b"2"]
    with pytest.raises(asyncio.CancelledError):
        await queued[1]
    assert await batched.call(("ECHO", "later")) == [b"later"]  # nothing left in flight
    await client.aclose()
