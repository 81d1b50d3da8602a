"""Scripts and reads over the keys of many rooms at once (leases, expiry checks): on one
Redis a thousand keys per script call, every call in one round trip, so a process with
10,000 rooms sends ten calls, not 10,000 commands. On Redis Cluster a script may only touch
keys of one hash slot: the keys are grouped by slot, a call per slot, still one pipeline
(redis-py sends each node its share)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.crc import key_slot

from server.redis_url import is_cluster

CHUNK = 1000  # keys per script call

# The 1-based positions of the KEYS that do not exist.
ABSENT = """
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 0 then out[#out + 1] = i end
end
return out
"""


async def queue_script(pipe: Any, script: AsyncScript, keys: Sequence[str],
                       args: Sequence[str | int]) -> None:
    """Queue a call of `script` in `pipe`. A Cluster pipeline refuses EVALSHA (and could
    not load a script a node lacks): there the script's text goes with each call (EVAL,
    which Redis caches by its digest too)."""
    if is_cluster(pipe):
        pipe.execute_command("EVAL", script.script, len(keys), *keys, *args)
    else:
        await script(keys=list(keys), args=list(args), client=pipe)


def _groups(client: aioredis.Redis, names: Sequence[str]) -> list[list[int]]:
    """Indexes into `names`, a group per script call: chunks of CHUNK, and on Cluster
    also one hash slot per group."""
    if not is_cluster(client):
        return [list(range(i, min(i + CHUNK, len(names)))) for i in range(0, len(names), CHUNK)]
    by_slot: dict[int, list[int]] = {}
    for i, name in enumerate(names):
        by_slot.setdefault(key_slot(name.encode()), []).append(i)
    return [group[i:i + CHUNK] for group in by_slot.values()
            for i in range(0, len(group), CHUNK)]


async def positions(client: aioredis.Redis, script: AsyncScript, names: Sequence[str],
                    args: Sequence[str | int] = ()) -> list[int]:
    """Run `script`, which answers with 1-based positions in its KEYS (or anything else when
    it has nothing to say), over `names` a group at a time; the 0-based indexes into
    `names` it named, in order."""
    groups = _groups(client, names)
    if not groups:
        return []
    async with client.pipeline(transaction=False) as pipe:
        for group in groups:
            await queue_script(pipe, script, [names[i] for i in group], args)
        replies = await pipe.execute()
    return sorted(group[i - 1] for group, reply in zip(groups, replies, strict=True)
                  if isinstance(reply, list) for i in reply)


async def values(client: aioredis.Redis, names: Sequence[str]) -> list[bytes | None]:
    """The values of the string keys `names` (None where absent), in one round trip."""
    if not names:
        return []
    if is_cluster(client):
        return list(await client.mget_nonatomic(list(names)))  # type: ignore[attr-defined]
    async with client.pipeline(transaction=False) as pipe:
        for i in range(0, len(names), CHUNK):
            pipe.mget(list(names[i:i + CHUNK]))
        replies = await pipe.execute()
    return [value for reply in replies for value in reply]
