"""Benchmark: what idle rooms cost one server process, with and without idle release.

Starts a private redis-server and one `cardcade serve` per setting, creates N rooms whose
hosts then leave (lobbies nobody comes back to), waits for the idle release, and prints the
server's CPU use (share of one core) over a quiet window and its memory.

    python scripts/bench_idle_rooms.py --rooms 1000 --idle 5 0
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_server import rss_mib, start_server

from server.embedded_redis import EmbeddedRedis, free_port


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def create_rooms(url: str, n: int, at_once: int = 50) -> None:
    async def one() -> None:
        async with connect(url) as ws:
            await ws.send(json.dumps({"type": "hello", "versions": [1]}))
            await ws.recv()
            await ws.send(json.dumps({"type": "create_room", "settings": {"rounds": 1}}))
            while json.loads(await ws.recv())["type"] != "created":
                pass

    for start in range(0, n, at_once):
        await asyncio.gather(*(one() for _ in range(min(at_once, n - start))))


def measure(redis_url: str, rooms: int, idle: float, window: float, tmp: Path) -> str:
    server, port = start_server(redis_url, tmp / f"server-idle-{idle:g}.log",
                                "--room-idle", str(idle))
    try:
        asyncio.run(create_rooms(f"ws://127.0.0.1:{port}/ws", rooms))
        time.sleep(idle + 3 if idle else 3)  # let the release happen (when it is on)
        before, t0 = cpu_seconds(server.pid), time.monotonic()
        time.sleep(window)
        share = (cpu_seconds(server.pid) - before) / (time.monotonic() - t0)
        setting = f"after {idle:g} s" if idle else "never"
        return (f"{rooms:>7} {setting:>16} {share * 100:>9.1f}% "
                f"{rss_mib(server.pid):>9.1f} MiB")
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--idle", type=float, nargs="+", default=[5.0, 0.0],
                        help="--room-idle settings to compare (0: never release)")
    parser.add_argument("--window", type=float, default=10.0, help="seconds of CPU sampling")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cardcade-idle-"))
    print(f"cardcade idle rooms: one server process, {args.rooms} lobbies left by their hosts, "
          f"CPU over {args.window:g} s, loopback, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'rooms':>7} {'released':>16} {'CPU/core':>10} {'RSS':>13}")
    for idle in args.idle:
        redis = EmbeddedRedis(tmp / f"redis-{idle:g}", port=free_port(), persist=False).start()
        try:
            print(measure(redis.url, args.rooms, idle, args.window, tmp), flush=True)
        finally:
            redis.stop()


if __name__ == "__main__":
    main()
