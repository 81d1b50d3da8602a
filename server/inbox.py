"""A room's inbox: a Redis stream of state machine events (JSON), pushed by connections in
any process, read in order by the room's owner (`server.owner`)."""

from __future__ import annotations

import json
from dataclasses import asdict

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
    data = {"k": type(event).__name__, **asdict(event)}
    if token_hash:
        data["th"] = token_hash
    return json.dumps(data, ensure_ascii=False)


def decode(raw: str | bytes) -> tuple[m.Event, str | None]:
    """Raises ValueError, KeyError or TypeError on an entry that is not an event."""
    data = json.loads(raw)
    token_hash = data.pop("th", None)
    return _KINDS[data.pop("k")](**data), token_hash


class Inbox:
    def __init__(self, client: aioredis.Redis, room_ttl_ms: int = keys.ROOM_TTL_MS):
        self.redis = client
        self.room_ttl_ms = room_ttl_ms

    async def push(self, code: str, event: m.Event, token_hash: str | None = None) -> None:
        """Queue an input event for the room's owner. The inbox gets the room's TTL here
        too: an event pushed after the room expired (a socket closing, say) must not leave
        a stream behind that never expires."""
        inbox = keys.room_keys(code).inbox
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(inbox, {"e": encode(event, token_hash)}, maxlen=keys.INBOX_MAXLEN,
                      approximate=True)
            pipe.pexpire(inbox, self.room_ttl_ms)
            await pipe.execute()
