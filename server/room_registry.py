"""The registry of live rooms, shared by every process on one Redis: the cap on rooms.

A server may be several processes on several machines, so the count lives in Redis: the
sorted set `keys.ROOMS` maps each room's code to the time (epoch ms) after which it no
longer counts. Entries past their time are pruned whenever a room is created.

Creating a room takes three steps:

1. `reserve()`: one Lua script prunes the expired entries, counts the rest and, below the
   cap, adds a placeholder that counts for `RESERVE_MS`. Atomic, so processes racing for
   the last place cannot all get it.
2. The room is created (`Store.create_room`, which draws the code).
3. `confirm()` swaps the placeholder for the room's code; `release()` drops it if the
   creation failed.

Reserving first means a refused room is never created, so nothing has to be cleaned up
after a refusal, and a process that dies between the steps leaves only a placeholder that
stops counting after `RESERVE_MS`. (Checking after creating would have to delete refused
rooms; checking without reserving would let racing creations exceed the cap.)

A room counts for the room TTL from its creation. Its keys live a TTL after its *last
change*, so a room still in use a day after it was created stops counting a little
before it expires; the entry is not refreshed while the room runs, which keeps the hot
paths (joins, answers) free of registry writes. Rooms created before the registry
existed do not count.
"""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

from server import keys
from server.clock import now_ms

RESERVE_MS = 60_000  # a placeholder counts this long if its room is never confirmed

# KEYS[1] registry; ARGV: member, expiry (ms), now (ms), cap (0: no cap). 1 if added.
_RESERVE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local cap = tonumber(ARGV[4])
if cap > 0 and redis.call('ZCARD', KEYS[1]) >= cap then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
"""


class ServerFull(Exception):
    """The server already runs its maximum number of rooms."""

    def __init__(self, cap: int):
        super().__init__(f"{cap} rooms")
        self.cap = cap


class RoomRegistry:
    def __init__(self, client: aioredis.Redis, *, cap: int, room_ttl_ms: int):
        self.redis = client
        self.cap = cap  # 0: no cap (rooms are still registered)
        self.room_ttl_ms = room_ttl_ms
        self._reserve = client.register_script(_RESERVE)

    async def reserve(self) -> str:
        """A place for one more room (a placeholder member); ServerFull at the cap."""
        slot = "reserved:" + secrets.token_hex(8)  # never a room code (upper case, 6 chars)
        now = now_ms()
        added = await self._reserve(keys=[keys.ROOMS],
                                    args=[slot, now + RESERVE_MS, now, self.cap])
        if not added:
            raise ServerFull(self.cap)
        return slot

    async def confirm(self, slot: str, code: str) -> None:
        """The room is created: its code counts for the room TTL instead of the placeholder."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(keys.ROOMS, slot)
            pipe.zadd(keys.ROOMS, {code: now_ms() + self.room_ttl_ms})
            await pipe.execute()

    async def release(self, slot: str) -> None:
        """The room was not created: give the place back."""
        await self.redis.zrem(keys.ROOMS, slot)
