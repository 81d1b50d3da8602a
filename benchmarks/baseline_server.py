"""The baseline: a bare `websockets` server that broadcasts pre-encoded frames on a trigger.

Clients connect to /ws and send `g <group>` (answered `ok`); a control connection sends
`f <index> <frame>` to store frames (Cardcade's round-open `room` frames, as they were
received) and `t <index> <group>|*` to broadcast frame `index` to one group or to every
group, with `websockets.broadcast()`, as Cardcade's hub sends a room view. Nothing else is
done per message, so what the same clients measure is the floor of this machine, loop and
library. `GET /healthz` answers `ok`.

    python -m benchmarks.baseline_server --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections import defaultdict
from collections.abc import Callable, Coroutine
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Request, Response, ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed


class Baseline:
    def __init__(self) -> None:
        self.groups: dict[str, set[ServerConnection]] = defaultdict(set)
        self.frames: dict[int, str] = {}

    async def handler(self, ws: ServerConnection) -> None:
        group: str | None = None
        try:
            async for message in ws:
                text = message if isinstance(message, str) else message.decode()
                op, _, rest = text.partition(" ")
                if op == "g":
                    group = rest
                    self.groups[group].add(ws)
                    await ws.send("ok")
                elif op == "f":
                    index, _, frame = rest.partition(" ")
                    self.frames[int(index)] = frame
                    await ws.send("ok")
                elif op == "t":
                    index, _, target = rest.partition(" ")
                    frame = self.frames[int(index)]
                    if target == "*":
                        for members in self.groups.values():
                            broadcast(members, frame)
                    else:
                        broadcast(self.groups.get(target, ()), frame)
        except ConnectionClosed:
            pass
        finally:
            if group is not None:
                self.groups[group].discard(ws)


def health(_conn: ServerConnection, request: Request) -> Response | None:
    if request.path == "/healthz":
        return _conn.respond(HTTPStatus.OK, "ok\n")
    return None


async def main(port: int) -> None:
    baseline = Baseline()
    async with serve(baseline.handler, "127.0.0.1", port, process_request=health,
                     compression=None, max_size=2**22) as server:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, server.close)
        await server.wait_closed()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    runner: Callable[[Coroutine[Any, Any, None]], None] = asyncio.run
    with contextlib.suppress(ImportError):
        import uvloop

        runner = uvloop.run
    runner(main(args.port))


if __name__ == "__main__":
    run()
