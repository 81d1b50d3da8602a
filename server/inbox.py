"""A room's inbox: a Redis stream of state machine events (JSON), pushed by connections in
any process, read in order by the room's owner (`server.owner`)."""

from __future__ import annotations

import asyncio
import json

import redis.asyncio as aioredis

from game_rules import machine as m
from server import keys

_KINDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (m.PlayerJoin, m.PlayerConnection, m.SubmitAnswer, m.HostAction, m.HostAddTime,
                m.HostKick)
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


class Inbox:
    """Pushes input events. The events pushed while a write is in flight go together in the
    next one (one pipeline, one round trip for all of them): under a storm of answers a
    push costs a share of a pipeline, not a pipeline of its own. Each `push` returns once
    its event is in Redis, or raises what the write raised."""

    def __init__(self, client: aioredis.Redis, room_ttl_ms: int = keys.ROOM_TTL_MS):
        self.redis = client
        self.room_ttl_ms = room_ttl_ms
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
                async with self.redis.pipeline(transaction=False) as pipe:
                    for code, entry, _ in batch:
                        pipe.xadd(keys.room_keys(code).inbox, {"e": entry},
                                  maxlen=keys.INBOX_MAXLEN, approximate=True)
                    # The room's TTL on its inbox too: an event pushed after the room
                    # expired (a socket closing, say) must not leave a stream for good.
                    for code in {code for code, _, _ in batch}:
                        pipe.pexpire(keys.room_keys(code).inbox, self.room_ttl_ms)
                    await pipe.execute()
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
