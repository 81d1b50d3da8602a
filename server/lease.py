"""Room leases: which process owns (runs) a room.

A room's lease names its owner; the owner holds it for as long as the process's heartbeat
lives (`keys.process_alive`, a key with a short TTL the process refreshes every few
seconds: one command per process, whatever the number of rooms it runs). A room is free
when it has no lease, or when its lease names a process whose heartbeat has run out (it
crashed or stalled): another process then takes it, with a script that sets the lease
only if it still names the dead process (the heartbeat is another key, of another hash
slot on Redis Cluster: it is read first). A process gives a room back by deleting its
lease if it still holds it. A commit checks the lease itself (`server.store`), so a
process that lost a room, even one that stalled and beats again, can never write to it
again.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from server import keys
from server.many_keys import ABSENT, positions, values
from server.store import text

# Takes the room of KEYS[1] for ARGV[2] if its lease still names ARGV[1] ('': no lease);
# 1 if ARGV[2] holds it now. The lease lives as long as a room (commits refresh it with the
# room's keys).
_CLAIM = """
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[2] then return 1 end
if (owner or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""
_RELEASE = """
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 1
"""


class Leases:
    def __init__(self, client: aioredis.Redis, owner_id: str,
                 ttl_ms: int = keys.LEASE_TTL_MS):
        self.redis = client
        self.owner_id = owner_id
        self.ttl_ms = ttl_ms  # how long a heartbeat lives
        self._heart = keys.process_alive(owner_id)
        self._claim = client.register_script(_CLAIM)
        self._release = client.register_script(_RELEASE)
        self._absent = client.register_script(ABSENT)

    async def beat(self) -> None:
        """Keep this process's leases for another `ttl_ms`."""
        await self.redis.set(self._heart, "1", px=self.ttl_ms)

    async def stop(self) -> None:
        """End the heartbeat: any lease left names a dead process, free for the taking."""
        await self.redis.delete(self._heart)

    async def acquire(self, code: str, *, take_lapsed: bool = True) -> bool:
        """Take `code`'s room unless a live process holds it (`take_lapsed` False: unless
        any process does, even one whose heartbeat has run out). Call `beat` first: a
        lease is only as good as its owner's heartbeat."""
        lease = keys.room_keys(code).lease
        raw = await self.redis.get(lease)
        owner = text(raw) if raw else ""
        if owner and owner != self.owner_id and (not take_lapsed
                                                 or not await self.gone([owner])):
            return False
        return bool(await self._claim(keys=[lease],
                                      args=[owner, self.owner_id, keys.ROOM_TTL_MS]))

    async def free(self, codes: list[str]) -> list[str]:
        """Those of `codes` whose room nobody (alive) owns, in two round trips: the leases,
        then the heartbeats of the processes they name."""
        owners = [text(o) if o else None for o in await values(
            self.redis, [keys.room_keys(c).lease for c in codes])]
        dead = set(await self.gone(sorted({o for o in owners if o})))
        return [c for c, o in zip(codes, owners, strict=True) if o is None or o in dead]

    async def lost(self, codes: list[str]) -> list[str]:
        """Those of `codes` this process no longer holds (its heartbeat ran out while it
        stalled, and another process took them), in one round trip."""
        owners = await values(self.redis, [keys.room_keys(c).lease for c in codes])
        return [c for c, o in zip(codes, owners, strict=True)
                if o is None or text(o) != self.owner_id]

    async def gone(self, owner_ids: list[str]) -> list[str]:
        """Those of `owner_ids` (processes) whose heartbeat has run out, in one round trip."""
        found = await positions(self.redis, self._absent,
                                [keys.process_alive(o) for o in owner_ids])
        return [owner_ids[i] for i in found]

    async def release(self, *codes: str) -> None:
        """Give rooms back (their leases, where this process still holds them)."""
        await positions(self.redis, self._release, [keys.room_keys(c).lease for c in codes],
                        [self.owner_id])
