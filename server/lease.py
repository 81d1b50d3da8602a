"""Room leases: which process owns (runs) a room.

A room's lease names its owner; the owner holds it for as long as the process's heartbeat
lives (`keys.process_alive`, a key with a short TTL the process refreshes every few
seconds: one command per process, whatever the number of rooms it runs). A room is free
when it has no lease, or when its lease names a process whose heartbeat has run out (it
crashed or stalled): another process then takes it with one script call. A process gives a
room back by deleting its lease if it still holds it. A commit checks the lease itself
(`server.store`), so a process that lost a room can never write to it again.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from server import keys
from server.many_keys import ABSENT, positions

# Whether the room's lease is free: no lease, or its owner's heartbeat is gone.
_IS_FREE = """
local function free(owner)
  return not owner or redis.call('EXISTS', ARGV[1] .. owner .. ARGV[2]) == 0
end
"""
# Takes the room of KEYS[1] for ARGV[3] unless a live process holds it (unless any process
# does, when ARGV[5] is not '1'); 1 if ARGV[3] holds it now. The lease lives as long as a
# room (commits refresh it with the room's keys).
_ACQUIRE = _IS_FREE + """
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[3] then return 1 end
if owner and ARGV[5] ~= '1' then return 0 end
if not free(owner) then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1
"""
# The 1-based positions of the KEYS whose room is free.
_FREE = _IS_FREE + """
local out = {}
for i, key in ipairs(KEYS) do
  if free(redis.call('GET', key)) then out[#out + 1] = i end
end
return out
"""
# The 1-based positions of the KEYS whose lease is not ARGV[1]'s.
_NOT_MINE = """
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) ~= ARGV[1] then out[#out + 1] = i end
end
return out
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
        self._acquire = client.register_script(_ACQUIRE)
        self._free = client.register_script(_FREE)
        self._not_mine = client.register_script(_NOT_MINE)
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
        return bool(await self._acquire(
            keys=[keys.room_keys(code).lease],
            args=[keys.WAKE_HEAD, keys.ALIVE_TAIL, self.owner_id, keys.ROOM_TTL_MS,
                  "1" if take_lapsed else "0"]))

    async def free(self, codes: list[str]) -> list[str]:
        """Those of `codes` whose room nobody (alive) owns, in one round trip."""
        found = await positions(self.redis, self._free,
                                [keys.room_keys(c).lease for c in codes],
                                [keys.WAKE_HEAD, keys.ALIVE_TAIL])
        return [codes[i] for i in found]

    async def lost(self, codes: list[str]) -> list[str]:
        """Those of `codes` this process no longer holds (its heartbeat ran out while it
        stalled, and another process took them), in one round trip."""
        found = await positions(self.redis, self._not_mine,
                                [keys.room_keys(c).lease for c in codes], [self.owner_id])
        return [codes[i] for i in found]

    async def gone(self, owner_ids: list[str]) -> list[str]:
        """Those of `owner_ids` (processes) whose heartbeat has run out, in one round trip."""
        found = await positions(self.redis, self._absent,
                                [keys.process_alive(o) for o in owner_ids])
        return [owner_ids[i] for i in found]

    async def release(self, *codes: str) -> None:
        """Give rooms back (their leases, where this process still holds them)."""
        await positions(self.redis, self._release, [keys.room_keys(c).lease for c in codes],
                        [self.owner_id])
