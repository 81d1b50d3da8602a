"""Room leases: which process owns (runs) a room, held in Redis with a TTL.

A process takes a free room's lease with SET NX PX, renews the leases of all the rooms it
runs in one pipeline, and gives a room back by deleting its lease if it still holds it. A
commit checks the lease itself (`server.store`), so a process that lost a lease can never
write to the room again.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis.asyncio as aioredis

from server import keys

# Renews every lease in KEYS this owner still holds; returns the 1-based positions of those
# it does not. (Keys of many rooms in one script: fine on one Redis; Cluster would need one
# call per slot.)
_RENEW = """
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
  else
    lost[#lost + 1] = i
  end
end
return lost
"""
# The 1-based positions of the KEYS that hold no lease (their room has no owner).
_FREE = """
local free = {}
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 0 then free[#free + 1] = i end
end
return free
"""
RENEW_CHUNK = 1000  # leases per script call (renewal and release)
_RELEASE = """
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 1
"""


class Leases:
    def __init__(self, client: aioredis.Redis, owner_id: str):
        self.redis = client
        self.owner_id = owner_id
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._free = client.register_script(_FREE)

    async def acquire(self, code: str) -> bool:
        return bool(await self.redis.set(keys.room_keys(code).lease, self.owner_id, nx=True,
                                         px=keys.LEASE_TTL_MS))

    async def renew(self, codes: Iterable[str]) -> set[str]:
        """Renew the leases of `codes` in one round trip (a script call per thousand);
        returns the codes whose lease this process no longer holds."""
        codes = list(codes)
        chunks = [codes[i:i + RENEW_CHUNK] for i in range(0, len(codes), RENEW_CHUNK)]
        if not chunks:
            return set()
        async with self.redis.pipeline(transaction=False) as pipe:
            for chunk in chunks:
                await self._renew(keys=[keys.room_keys(c).lease for c in chunk],
                                  args=[self.owner_id, keys.LEASE_TTL_MS], client=pipe)
            replies = await pipe.execute()
        return {chunk[i - 1] for chunk, lost in zip(chunks, replies, strict=True) for i in lost}

    async def free(self, codes: list[str]) -> list[str]:
        """Those of `codes` whose room nobody owns, in one round trip."""
        chunks = [codes[i:i + RENEW_CHUNK] for i in range(0, len(codes), RENEW_CHUNK)]
        if not chunks:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for chunk in chunks:
                await self._free(keys=[keys.room_keys(c).lease for c in chunk], client=pipe)
            replies = await pipe.execute()
        return [chunk[i - 1] for chunk, free in zip(chunks, replies, strict=True) for i in free]

    async def release(self, *codes: str) -> None:
        """Give rooms back (their leases, where this process still holds them)."""
        chunks = [codes[i:i + RENEW_CHUNK] for i in range(0, len(codes), RENEW_CHUNK)]
        if not chunks:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for chunk in chunks:
                await self._release(keys=[keys.room_keys(c).lease for c in chunk],
                                    args=[self.owner_id], client=pipe)
            await pipe.execute()
