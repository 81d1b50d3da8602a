"""Keepalive for every WebSocket of a process, from one task (docs/protocol.md: a ping every
20 s; a connection that does not answer within 20 s is closed).

websockets' own keepalive runs a task per connection, with a timer for its sleep and
another for the pong's timeout; with 10,000 idle sockets those wake-ups were about half
of what the process spent (`scripts/bench_idle_sockets.py` measures both). Here one task
visits a twentieth of the connections every second: it writes each a ping frame (built
once, the same bytes for all) and closes one it has heard nothing from since its last
ping. A pong, like any frame, makes a connection heard (`HeardConnection`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from websockets.asyncio.server import ServerConnection
from websockets.frames import CloseCode
from websockets.protocol import State

log = logging.getLogger("cardcade.keepalive")

PING_S = 20.0  # each connection is pinged this often, and closed if unheard for as long
TICK_S = 1.0
FAIL_CLOSE_S = 1.0  # how long a connection closed for silence has to close its side
PING_FRAME = b"\x89\x00"  # FIN, opcode ping, no payload, unmasked (RFC 6455 5.5.2)


class HeardConnection(ServerConnection):
    """A server connection that notes when it last received anything."""

    heard = 0.0  # time.monotonic() of the last bytes received

    def data_received(self, data: bytes) -> None:
        self.heard = time.monotonic()
        super().data_received(data)


class Keepalive:
    """Pings the connections `add`ed, a bucket a tick, each once every `ping_s`."""

    def __init__(self, ping_s: float = PING_S, tick_s: float = TICK_S):
        self.tick_s = tick_s
        # A bucket per tick: connection -> when it was last pinged (0.0: not yet).
        self._buckets: list[dict[HeardConnection, float]] = [
            {} for _ in range(max(1, round(ping_s / tick_s)))]
        self._where: dict[HeardConnection, int] = {}
        self._turn = 0  # the bucket visited next
        self._task: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()
        self.closed = 0  # connections closed for not answering (for tests and logs)

    def add(self, ws: HeardConnection) -> None:
        """Keep `ws` alive: its first ping comes a whole `ping_s` from now."""
        ws.heard = time.monotonic()
        index = (self._turn - 1) % len(self._buckets)  # the bucket visited last
        self._buckets[index][ws] = 0.0
        self._where[ws] = index

    def remove(self, ws: HeardConnection) -> None:
        index = self._where.pop(ws, None)
        if index is not None:
            self._buckets[index].pop(ws, None)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="keepalive")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(self.tick_s)
            now = time.monotonic()
            # After a stall of this process (a long GC, a swapped-out machine) nothing was
            # read meanwhile: ping again, but judge no one this time.
            judge = now - last < 2 * self.tick_s
            last = now
            self.visit(self._buckets[self._turn], now, judge)
            self._turn = (self._turn + 1) % len(self._buckets)

    def visit(self, bucket: dict[HeardConnection, float], now: float, judge: bool) -> None:
        """Close the connections of `bucket` unheard since their last ping; ping the rest."""
        silent = []
        for ws, pinged in bucket.items():
            if ws.protocol.state is not State.OPEN:
                continue  # closing: websockets finishes it
            if judge and pinged and ws.heard < pinged:
                silent.append(ws)
                continue
            ws.transport.write(PING_FRAME)
            bucket[ws] = now
        for ws in silent:
            self.remove(ws)
            self.closed += 1
            task = asyncio.create_task(_fail(ws))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        if silent:
            log.info("%d connection(s) closed: no answer to a ping in %.0f s", len(silent),
                     len(self._buckets) * self.tick_s)


async def _fail(ws: HeardConnection) -> None:
    """Close `ws` as websockets' own keepalive does on a timeout (its code and reason),
    waiting FAIL_CLOSE_S, not the usual 10 s, for the other end to close its side: it has
    answered nothing for a whole interval."""
    ws.close_timeout = FAIL_CLOSE_S
    async with ws.send_context():
        ws.protocol.fail(CloseCode.INTERNAL_ERROR, "keepalive ping timeout")
