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

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Leases:
    def __init__(self, client: aioredis.Redis, owner_id: str):
        self.redis = client
        self.owner_id = owner_id
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    async def acquire(self, code: str) -> bool:
        return bool(await self.redis.set(keys.room_keys(code).lease, self.owner_id, nx=True,
                                         px=keys.LEASE_TTL_MS))

    async def renew(self, codes: Iterable[str]) -> set[str]:
        """Renew the leases of `codes` in one round trip; returns the codes whose lease this
        process no longer holds."""
        codes = list(codes)
        if not codes:
            return set()
        async with self.redis.pipeline(transaction=False) as pipe:
            for code in codes:
                await self._renew(keys=[keys.room_keys(code).lease],
                                  args=[self.owner_id, keys.LEASE_TTL_MS], client=pipe)
            held = await pipe.execute()
        return {code for code, ok in zip(codes, held, strict=True) if not ok}

    async def release(self, code: str) -> None:
        await self._release(keys=[keys.room_keys(code).lease], args=[self.owner_id])
