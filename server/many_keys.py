"""Scripts over the keys of many rooms at once (leases, expiry checks): a thousand
keys per script call, every call in one round trip, so a process with 10,000 rooms sends
ten calls, not 10,000 commands. (Keys of many rooms in one script: fine on one Redis;
Cluster would need a call per hash slot.)"""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript

CHUNK = 1000  # keys per script call

# The 1-based positions of the KEYS that do not exist.
ABSENT = """
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 0 then out[#out + 1] = i end
end
return out
"""


async def positions(client: aioredis.Redis, script: AsyncScript, names: Sequence[str],
                    args: Sequence[str | int] = ()) -> list[int]:
    """Run `script`, which answers with 1-based positions in its KEYS (or anything else when
    it has nothing to say), over `names` a chunk at a time; the 0-based indexes into `names`
    it named."""
    starts = range(0, len(names), CHUNK)
    if not starts:
        return []
    async with client.pipeline(transaction=False) as pipe:
        for start in starts:
            await script(keys=list(names[start:start + CHUNK]), args=list(args), client=pipe)
        replies = await pipe.execute()
    return [start + i - 1 for start, reply in zip(starts, replies, strict=True)
            if isinstance(reply, list) for i in reply]
