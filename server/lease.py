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
from server.many_keys import ABSENT, positions

# Renews every lease in KEYS this owner still holds; returns the 1-based positions of those
# it does not (run over many rooms at once by `server.many_keys`).
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
        self._absent = client.register_script(ABSENT)

    async def acquire(self, code: str) -> bool:
        return bool(await self.redis.set(keys.room_keys(code).lease, self.owner_id, nx=True,
                                         px=keys.LEASE_TTL_MS))

    async def renew(self, codes: Iterable[str]) -> set[str]:
        """Renew the leases of `codes` in one round trip (a script call per thousand);
        returns the codes whose lease this process no longer holds."""
        codes = list(codes)
        lost = await positions(self.redis, self._renew, [keys.room_keys(c).lease for c in codes],
                               [self.owner_id, keys.LEASE_TTL_MS])
        return {codes[i] for i in lost}

    async def free(self, codes: list[str]) -> list[str]:
        """Those of `codes` whose room nobody owns, in one round trip."""
        free = await positions(self.redis, self._absent, [keys.room_keys(c).lease for c in codes])
        return [codes[i] for i in free]

    async def release(self, *codes: str) -> None:
        """Give rooms back (their leases, where this process still holds them)."""
        await positions(self.redis, self._release, [keys.room_keys(c).lease for c in codes],
                        [self.owner_id])
