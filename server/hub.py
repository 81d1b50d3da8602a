"""This process's sockets, by room, and the fan-out of each room's channel to them.

The hub subscribes to a room's channel while it has local sockets in the room. An
envelope (`server.outbox`) carries every frame already encoded by the room's owner: the
room view goes to all fresh sockets with one `websockets.broadcast`, host and player views
and notices only to their own sockets, all without parsing or encoding them again here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection, broadcast
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from server import keys
from server.outage import Outage
from server.outbox import Envelope, Notice

if TYPE_CHECKING:
    from server.metrics import Metrics

log = logging.getLogger("cardcade.hub")

RECONNECT_S = 0.1  # how soon a lost pub/sub connection is tried again
RESYNC_BATCH = 100  # snapshots sent at once after a reconnect


def frame(text: str) -> bytes:
    """`text` as one unmasked WebSocket text frame, as a server sends it (RFC 6455 5.2:
    FIN and the text opcode, then the length in 7, 16 or 64 bits), the same bytes as
    websockets' `Frame(Opcode.TEXT, ...).serialize(mask=False)`, without its checks."""
    data = text.encode()
    n = len(data)
    if n < 126:
        return bytes((0x81, n)) + data
    if n < 65536:
        return b"\x81\x7e" + n.to_bytes(2, "big") + data
    return b"\x81\x7f" + n.to_bytes(8, "big") + data


def _writable(ws: ServerConnection) -> bool:
    return ws.protocol.state is State.OPEN and ws.send_in_progress is None


def write_frame(sockets: list[ServerConnection], text: str) -> None:
    """Send `text` to `sockets` as one text frame serialised once: the same bytes go to
    every socket's transport (what `websockets.broadcast` does, less its frame building
    per socket: 19–35% less time at 2,000 sockets in three runs of
    `scripts/bench_frame_write.py`). Sockets that are closing, or in the middle of a
    fragmented message, are skipped as `broadcast` skips them; a socket with an extension
    (compression is off: none today) goes through `broadcast`."""
    data = frame(text)
    for ws in sockets:
        if ws.protocol.extensions:
            broadcast([ws], text)
        elif _writable(ws):
            ws.transport.write(data)


def write_frames(ws: ServerConnection, texts: list[str]) -> None:
    """Send `texts` to one socket, a text frame each, in one write (one system call for
    an `ack` and the `me` view after it, say), skipped as `write_frame` skips."""
    if ws.protocol.extensions:
        for text in texts:
            broadcast([ws], text)
    elif _writable(ws):
        ws.transport.write(b"".join(map(frame, texts)))


@dataclass(eq=False)
class Member:
    """One socket's place in a room: `who` is "host" or a player id."""

    ws: ServerConnection
    code: str
    who: str
    last_seq: int = 0
    answer_sent: float | None = None  # monotonic time of the last unacknowledged answer
    # While joining: receives the first notice (the join's result); the socket gets no
    # views until the connection has sent `joined` and its snapshot and cleared this.
    waiter: asyncio.Future[Notice] | None = None
    kicked: bool = False  # closed once its `kicked` notice is written


@dataclass
class RoomSockets:
    members: set[Member] = field(default_factory=set)
    _by_who: dict[str, set[Member]] = field(default_factory=dict)  # an index of `members`

    def add(self, member: Member) -> None:
        self.members.add(member)
        self._by_who.setdefault(member.who, set()).add(member)

    def discard(self, member: Member) -> None:
        self.members.discard(member)
        mine = self._by_who.get(member.who)
        if mine is not None:
            mine.discard(member)
            if not mine:
                del self._by_who[member.who]

    def by_who(self, who: str) -> list[Member]:
        return list(self._by_who.get(who, ()))


class Hub:
    def __init__(self, redis: Any, metrics: Metrics):
        self.redis = redis
        self.metrics = metrics
        self.rooms: dict[str, RoomSockets] = {}
        self.pubsub = redis.pubsub(ignore_subscribe_messages=True)
        # redis-py's PubSub takes its connection lazily and unguarded: two first subscribes at
        # once would each take one and lose the other's channels. Connect up front and send
        # (un)subscribes one at a time.
        self._subscribing = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        # Sends a socket the full views it may see (`server.connection.send_snapshot`): what
        # was published while the pub/sub connection was down never reaches this process.
        self.snapshot: Callable[[Member], Awaitable[None]] | None = None
        self._reconnected = False
        self._resyncing: asyncio.Task[None] | None = None
        self._outage = Outage(log, "pub/sub", f"reconnecting every {RECONNECT_S:g} s; every "
                              "socket here gets a snapshot once its channels are back")

    async def start(self) -> None:
        await self.pubsub.connect()
        # Called after every reconnect, after redis-py's own callback has subscribed the
        # channels again (callbacks run in the order they were registered).
        self.pubsub.connection.register_connect_callback(self._on_reconnect)
        self._reader = asyncio.create_task(self._read())

    async def _on_reconnect(self, connection: Any) -> None:
        self._reconnected = True

    async def stop(self) -> None:
        for task in (self._reader, self._resyncing):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.pubsub.aclose()

    async def add(self, member: Member) -> None:
        if member.code not in self.rooms:
            self.rooms[member.code] = RoomSockets()
            async with self._subscribing:
                await self.pubsub.subscribe(keys.room_keys(member.code).channel)
        self.rooms[member.code].add(member)

    async def remove(self, member: Member) -> None:
        room = self.rooms.get(member.code)
        if room is None:
            return
        room.discard(member)
        if not room.members:
            del self.rooms[member.code]
            async with self._subscribing:
                await self.pubsub.unsubscribe(keys.room_keys(member.code).channel)

    def is_connected(self, code: str, who: str) -> bool:
        room = self.rooms.get(code)
        return bool(room and room.by_who(who))

    async def _read(self) -> None:
        task = asyncio.current_task()
        while True:
            if task is not None and task.cancelling():
                raise asyncio.CancelledError  # swallowed by redis-py (redis/redis-py#2028)
            if not self.pubsub.subscribed:
                await asyncio.sleep(0.05)
                continue
            try:
                message = await self.pubsub.get_message(timeout=1.0)
            except Exception as exc:
                self._outage.failed(exc)
                # Start afresh: connect, subscribe every channel again, `_on_reconnect`.
                if self.pubsub.connection is not None:
                    with contextlib.suppress(Exception):
                        await self.pubsub.connection.disconnect()
                await asyncio.sleep(RECONNECT_S)
                continue
            if self._reconnected:
                # The channels are subscribed again (the first replies on the new connection
                # have been read); what was published meanwhile is lost: resync every socket.
                self._reconnected = False
                self._outage.ok()
                log.info("pub/sub: %d room channel(s) subscribed again", len(self.rooms))
                if self._resyncing is None or self._resyncing.done():
                    self._resyncing = asyncio.create_task(self._resync())
            if message is None or message["type"] != "message":
                continue
            code = keys.code_of_channel(message["channel"].decode())
            try:
                self.deliver(code, Envelope.decode(message["data"]))
            except Exception:
                log.exception("room %s: could not deliver an envelope", code)

    async def _resync(self) -> None:
        """Send every socket here (but joins in flight, whose join has its own timeout) a
        snapshot: a room view, an ack or a player's view published while the pub/sub
        connection was down reached no one here."""
        if self.snapshot is None:
            return
        members = [mb for room in self.rooms.values() for mb in room.members
                   if mb.waiter is None]
        for i in range(0, len(members), RESYNC_BATCH):
            results = await asyncio.gather(*(self.snapshot(mb)
                                             for mb in members[i:i + RESYNC_BATCH]),
                                           return_exceptions=True)
            failed = [r for r in results
                      if isinstance(r, Exception) and not isinstance(r, ConnectionClosed)]
            if failed:
                log.warning("resync after the pub/sub reconnect: %d socket(s) failed (%s)",
                            len(failed), failed[0])
        log.info("resync after the pub/sub reconnect: %d socket(s) sent a snapshot",
                 len(members))

    def send(self, member: Member, text: str) -> None:
        self.write([member.ws], text)

    def write(self, sockets: list[ServerConnection], text: str) -> None:
        write_frame(sockets, text)
        self.metrics.messages_out += len(sockets)

    def deliver(self, code: str, envelope: Envelope) -> None:
        """Forward an envelope's frames to the sockets here. Each socket's frames (notices,
        then the room, host and own views) go out in that order, in one write: the room
        view to the sockets with nothing else as one frame serialised once."""
        room = self.rooms.get(code)
        if room is None:
            return
        mine: dict[Member, list[str]] = {}  # frames per socket, in order
        for notice in envelope.notices:
            self._notice(room, notice, mine)
        views = envelope.views
        shared: list[Member] = []
        if views is not None:
            if views.room is not None:
                for mb in room.members:
                    if mb.last_seq < views.seq and mb.waiter is None:
                        mb.last_seq = views.seq
                        if mb in mine:
                            mine[mb].append(views.room)
                        else:
                            shared.append(mb)
                if views.host is not None:
                    for mb in room.by_who("host"):
                        if mb.last_seq == views.seq and mb.waiter is None:
                            mine.setdefault(mb, []).append(views.host)
            # A player's own view follows the room view of its seq, or comes alone with the
            # seq of the last one (looked up by player: a join costs the same in any room
            # size).
            for pid, text in views.me.items():
                for mb in room.by_who(pid):
                    if mb.last_seq <= views.seq and mb.waiter is None:
                        mb.last_seq = views.seq
                        mine.setdefault(mb, []).append(text)
        if shared:
            assert views is not None and views.room is not None
            self.write([mb.ws for mb in shared], views.room)
        for mb, texts in mine.items():
            write_frames(mb.ws, texts)
            self.metrics.messages_out += len(texts)
        for mb in mine:
            if mb.kicked:
                asyncio.get_running_loop().create_task(mb.ws.close(4001, "kicked"))

    def _notice(self, room: RoomSockets, notice: Notice, mine: dict[Member, list[str]]
                ) -> None:
        for mb in room.by_who(notice.to):
            if mb.waiter is not None and not mb.waiter.done():
                mb.waiter.set_result(notice)
                continue
            if notice.kind == "joined":
                continue  # only a join in flight waits for it
            if notice.kind == "ack" and mb.answer_sent is not None:
                self.metrics.answer_latency.observe(time.monotonic() - mb.answer_sent)
                mb.answer_sent = None
            if notice.kind == "error":
                self.metrics.errors.inc(notice.code)
            mine.setdefault(mb, []).append(notice.text)
            if notice.kind == "kicked":
                room.discard(mb)  # no more views; `remove` tidies up on close
                mb.kicked = True
