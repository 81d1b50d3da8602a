"""The outbox envelope: what a room's owner publishes after each batch, for every process.

It is the one message from the room side to the socket side (the inbox event is the other
way). Every frame in it is already encoded as the JSON text a client receives: the owner
encodes each view once, and a process forwards the text to its sockets without parsing it
or dumping it again. `Outbox` publishes it on the room's channel and keeps the last room
and host frames for snapshots.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Literal

import redis.asyncio as aioredis

from server import keys, protocol
from server.redis_url import is_cluster
from server.store import text

# What a notice is, for the hub: `joined` answers a join in flight (it is never sent to a
# socket); `ack` feeds the answer latency metric; `error` the error count; `kicked` closes.
NoticeKind = Literal["joined", "ack", "error", "kicked"]


@dataclass(frozen=True)
class Notice:
    """A frame for one recipient: "host" or a player id (all of its sockets)."""

    to: str
    kind: NoticeKind
    text: str = ""  # the frame; empty for `joined`
    code: str = ""  # the error code, for `error`


@dataclass(frozen=True)
class Views:
    """The room's views after a change, each encoded once: `me` by player id, only for the
    players whose own view changed. `room` and `host` are None when only some players'
    own views changed (the room view of a storm of joins or answers is coalesced); the `me`
    views then carry the `seq` of the last room view sent."""

    seq: int
    room: str | None
    host: str | None
    me: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Envelope:
    notices: tuple[Notice, ...] = ()
    views: Views | None = None

    def encode(self) -> str:
        """A JSON header line, then the view frames one after another as they are: a
        process takes them apart by their lengths, without parsing or unescaping them."""
        header: dict[str, object] = {"n": [[n.to, n.kind, n.text, n.code] for n in self.notices]}
        frames: list[str] = []
        if self.views is not None:
            v = self.views
            frames = [v.room or "", v.host or "", *v.me.values()]
            header["v"] = [v.seq, v.room is not None, v.host is not None, list(v.me),
                           [len(f) for f in frames]]
        return json.dumps(header, separators=(",", ":"), ensure_ascii=False) + "\n" + "".join(
            frames)

    @classmethod
    def decode(cls, raw: bytes | str) -> Envelope:
        text = raw.decode() if isinstance(raw, bytes) else raw
        line, _, body = text.partition("\n")
        data = json.loads(line)
        notices = tuple(Notice(to, kind, text, code) for to, kind, text, code in data["n"])
        if "v" not in data:
            return cls(notices)
        seq, has_room, has_host, me_ids, lengths = data["v"]
        frames, at = [], 0
        for n in lengths:
            frames.append(body[at:at + n])
            at += n
        room, host, *mine = frames
        views = Views(seq, room if has_room else None, host if has_host else None,
                      dict(zip(me_ids, mine, strict=True)))
        return cls(notices, views)


def joined(to: str) -> Notice:
    return Notice(to, "joined")


def ack(to: str, round_index: int) -> Notice:
    return Notice(to, "ack", _ack_frame(round_index))


@functools.lru_cache(maxsize=64)
def _ack_frame(round_index: int) -> str:
    """The `ack` of a round, encoded once (one per answer would be built again otherwise)."""
    return protocol.encode(protocol.Ack(round=round_index))


def error(to: str, code: str, message: str) -> Notice:
    return Notice(to, "error", protocol.encode(protocol.Error(code=code, message=message)), code)


def kicked(to: str) -> Notice:
    return Notice(to, "kicked", protocol.encode(protocol.Kicked()))


class Outbox:
    def __init__(self, client: aioredis.Redis, room_ttl_ms: int = keys.ROOM_TTL_MS):
        self.redis = client
        self.room_ttl_ms = room_ttl_ms
        self.cluster = is_cluster(client)

    async def publish(self, code: str, envelope: Envelope) -> None:
        """Send `envelope` on the room's channel and keep its room and host frames, in one
        transaction: a socket that subscribed before reading them misses nothing."""
        k = keys.room_keys(code)
        views = envelope.views
        async with self.redis.pipeline(transaction=True) as pipe:
            if views is not None and views.room is not None and views.host is not None:
                pipe.hset(k.views, mapping={"room": views.room, "host": views.host})
                pipe.pexpire(k.views, self.room_ttl_ms)
            if not self.cluster:
                pipe.publish(k.channel, envelope.encode())
            await pipe.execute()
        if self.cluster:
            # A channel is in no hash slot: a Cluster transaction refuses PUBLISH. After the
            # views still, so a socket that read them first has missed nothing.
            await self.redis.publish(k.channel, envelope.encode())

    async def last_views(self, code: str) -> tuple[str | None, str | None]:
        """The last room and host frames sent (None before the first)."""
        room, host = await self.redis.hmget(keys.room_keys(code).views, ["room", "host"])
        return (text(room) if room else None), (text(host) if host else None)

