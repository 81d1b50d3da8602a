"""A room's inbox: a Redis stream of state machine events (JSON), pushed by connections in
any process, read in order by the room's owner (`server.owner`)."""

from __future__ import annotations

import asyncio
import json
import logging

import redis.asyncio as aioredis

from game_rules import machine as m
from server import keys
from server.many_keys import queue_script
from server.redis_url import is_cluster
from server.store import text

log = logging.getLogger("cardcade.inbox")

_KINDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (m.PlayerJoin, m.PlayerConnection, m.SubmitAnswer, m.HostAction, m.HostAddTime,
                m.HostKick, m.HostTeam, m.ProcessGone)
}


def encode(event: m.Event, token_hash: str | None = None) -> str:
    """`token_hash` rides with a join: the runner stores it if the join is accepted."""
    data = {"k": type(event).__name__, **vars(event)}  # shallow: asdict deep-copies answers
    if token_hash:
        data["th"] = token_hash
    return json.dumps(data, ensure_ascii=False)


def decode(raw: str | bytes) -> tuple[m.Event, str | None]:
    """Raises ValueError, KeyError or TypeError on an entry that is not an event."""
    data = json.loads(raw)
    token_hash = data.pop("th", None)
    return _KINDS[data.pop("k")](**data), token_hash


# Appends a room's new events (ARGV[6..]) to its inbox, gives the inbox the room's TTL (an
# event pushed after the room expired, a socket closing say, must not leave a stream for
# good), and rings the owner's doorbell: the room's code on the wake stream of the process
# named by its lease, so an owner that reads its quiet rooms rarely reads this one now.
# Returns the owner ('' if none). On Cluster the wake stream is in another hash slot:
# ARGV[3] is then '' and the caller rings (`Inbox._ring`).
_PUSH = """
for i = 6, #ARGV do
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'e', ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local owner = redis.call('GET', KEYS[2])
if owner and ARGV[3] ~= '' then
  redis.call('XADD', ARGV[3] .. owner .. ARGV[4], 'MAXLEN', '~', WAKE_MAXLEN, '*', 'r', ARGV[5])
end
return owner or ''
""".replace("WAKE_MAXLEN", str(keys.WAKE_MAXLEN))


class Inbox:
    """Pushes input events. The events pushed while a write is in flight go together in the
    next one (one round trip for all of them): under a storm of answers a push costs a
    share of a write, not a write of its own. Each `push` returns once its event is in
    Redis, or raises what the write raised."""

    def __init__(self, client: aioredis.Redis, room_ttl_ms: int = keys.ROOM_TTL_MS):
        self.redis = client
        self.room_ttl_ms = room_ttl_ms
        self._push = client.register_script(_PUSH)
        self.cluster = is_cluster(client)
        self._queue: list[tuple[str, str, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def push(self, code: str, event: m.Event, token_hash: str | None = None) -> None:
        """Queue an input event for the room's owner."""
        done = asyncio.get_running_loop().create_future()
        self._queue.append((code, encode(event, token_hash), done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        await done

    async def _write(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                by_room: dict[str, list[str]] = {}
                for code, entry, _ in batch:
                    by_room.setdefault(code, []).append(entry)
                wake_head = "" if self.cluster else keys.WAKE_HEAD
                async with self.redis.pipeline(transaction=False) as pipe:
                    for code, entries in by_room.items():
                        k = keys.room_keys(code)
                        await queue_script(pipe, self._push, [k.inbox, k.lease],
                                           [self.room_ttl_ms, keys.INBOX_MAXLEN, wake_head,
                                            keys.WAKE_TAIL, code, *entries])
                    owners = await pipe.execute()
                if self.cluster:
                    await self._ring(list(zip(by_room, owners, strict=True)))
            except BaseException as exc:
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc if isinstance(exc, Exception)
                                           else ConnectionError("the write was cancelled"))
                if not isinstance(exc, Exception):
                    raise
                continue
            for _, _, done in batch:
                if not done.done():
                    done.set_result(None)

    async def _ring(self, owners: list[tuple[str, bytes | str]]) -> None:
        """Ring the owners' doorbells (Cluster: the script could not). The events are in
        their inboxes already: a ring that fails is logged, not raised; the owner reads
        every room now and then anyway (`server.owner.QUIET_READ_S`)."""
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for code, owner in owners:
                    if owner:
                        pipe.xadd(keys.process_wake(text(owner)), {"r": code},
                                  maxlen=keys.WAKE_MAXLEN, approximate=True)
                await pipe.execute()
        except Exception as exc:
            log.warning("could not ring the owner of room(s) %s (%s); their input is read "
                        "at the owner's next full read", ", ".join(c for c, _ in owners), exc)
