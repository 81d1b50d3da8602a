"""Benchmark: one text frame to N sockets, `websockets.broadcast` against `write_frame`.

A websockets server in this process accepts N connections from a client process (which
only reads); the same ~1.8 KB frame (the size of a round-open room view) is then sent to
all of them 30 times each way, alternating, and the server-side time of each send is
reported (median). `server.hub.write_frame` serialises the frame once and writes the same bytes to
every transport; `broadcast` builds the frame per socket.

    python scripts/bench_frame_write.py --sockets 2000
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, broadcast, serve

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from server.embedded_redis import free_port
from server.hub import write_frame

SENDS = 30


def read_all(port: int, sockets: int) -> None:
    async def main() -> None:
        conns = [await connect(f"ws://127.0.0.1:{port}", max_queue=None) for _ in range(sockets)]

        async def drain(ws):  # type: ignore[no-untyped-def]
            async for _ in ws:
                pass

        await asyncio.gather(*(drain(ws) for ws in conns), return_exceptions=True)

    asyncio.run(main())


async def measure(sockets: int) -> dict[str, float]:
    conns: list[ServerConnection] = []

    async def handler(ws: ServerConnection) -> None:
        conns.append(ws)
        await ws.wait_closed()

    port = free_port()
    async with serve(handler, "127.0.0.1", port, compression=None, max_queue=64):
        reader = mp.Process(target=read_all, args=(port, sockets))
        reader.start()
        try:
            while len(conns) < sockets:
                await asyncio.sleep(0.1)
            text = '{"type":"room","seq":1,"pad":"' + "a" * 1800 + '"}'
            times: dict[str, list[float]] = {"broadcast": [], "write": []}
            for _ in range(SENDS):
                for name in times:
                    start = time.perf_counter()
                    if name == "broadcast":
                        broadcast(conns, text)
                    else:
                        write_frame(conns, text)
                    times[name].append(time.perf_counter() - start)
                    await asyncio.sleep(0.3)  # let the client read
        finally:
            reader.kill()
    return {name: statistics.median(v) * 1000 for name, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=2000)
    args = parser.parse_args()
    result = asyncio.run(measure(args.sockets))
    print(f"one {1800 + 30}-byte frame to {args.sockets} sockets, median of {SENDS} sends each")
    for name, ms in result.items():
        print(f"  {name:9} {ms:7.2f} ms")
    print(f"  write / broadcast: {result['write'] / result['broadcast']:.2f}")


if __name__ == "__main__":
    main()
