"""Benchmark: what idle WebSockets cost one server process (keepalive and bookkeeping).

Starts a private Redis and one `cardcade serve` per revision, opens N sockets that say
hello (and, with --rooms, each create a room: 10,000 idle lobbies whose hosts stay),
waits past a first round of keepalive pings, and prints the server's CPU use (user and
system, share of one core) over a window. The clients answer pings (as browsers do) and
send none. Revisions run one after the other, alternating, --runs times.

    python scripts/bench_idle_sockets.py --sockets 10000 --window 20 --rev HEAD~1 --rev WORKTREE
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.stack import snapshot  # noqa: E402
from server.embedded_redis import EmbeddedRedis, free_port  # noqa: E402

WARM_S = 25.0  # longer than a ping interval: every socket has been pinged once


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(user, system) CPU-seconds of process `pid`."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


async def open_socket(url: str, room: bool) -> ClientConnection:
    ws = await connect(url, ping_interval=None, compression=None, max_size=None,
                       open_timeout=60)
    await ws.send(json.dumps({"type": "hello", "versions": [1]}))
    await ws.recv()
    if room:
        await ws.send(json.dumps({"type": "create_room", "deck": "soviet-union-1928-41",
                                  "settings": {}}))
        while json.loads(await ws.recv())["type"] != "host":
            pass
    return ws


async def measure(source: Path | None, sockets: int, rooms: bool, window: float) -> str:
    folder = Path(tempfile.mkdtemp(prefix="cardcade-idle-"))
    redis = EmbeddedRedis(folder / "redis").start()
    port = free_port()
    env = {**os.environ, "CARDCADE_ADDRESS_LIMITS": "off"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    server = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--redis", redis.url, "--max-connections", str(sockets + 100)],
        cwd=source or ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=(folder / "server.log").open("w"))
    try:
        await asyncio.sleep(3)
        limit = asyncio.Semaphore(200)

        async def one() -> ClientConnection:
            async with limit:
                return await open_socket(f"ws://127.0.0.1:{port}/ws", rooms)

        started = time.monotonic()
        opened = await asyncio.gather(*(one() for _ in range(sockets)))
        opening_s = time.monotonic() - started
        # Read every socket (its pings are answered as frames are read).
        readers = [asyncio.create_task(drain(ws)) for ws in opened]
        await asyncio.sleep(WARM_S)
        user0, system0 = cpu_seconds(server.pid)
        t0 = time.monotonic()
        await asyncio.sleep(window)
        user1, system1 = cpu_seconds(server.pid)
        span = time.monotonic() - t0
        for task in readers:
            task.cancel()
        return (f"user {100 * (user1 - user0) / span:.2f}%, system "
                f"{100 * (system1 - system0) / span:.2f}%, total "
                f"{100 * (user1 - user0 + system1 - system0) / span:.2f}% of a core over "
                f"{span:.0f} s (opened in {opening_s:.0f} s)")
    finally:
        server.kill()
        server.wait()
        redis.stop()


async def drain(ws: ClientConnection) -> None:
    try:
        async for _ in ws:
            pass
    except Exception:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=10_000)
    parser.add_argument("--rooms", action="store_true", help="each socket creates a room")
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--rev", action="append", default=[],
                        help="a git revision, or WORKTREE (default: WORKTREE)")
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 2 * args.sockets + 1000), hard))
    sources: dict[str, Path | None] = {}
    for rev in args.rev or ["WORKTREE"]:
        if rev == "WORKTREE":
            sources[rev] = None
        else:
            into = Path(tempfile.mkdtemp(prefix="cardcade-rev-"))
            sources[f"{rev} ({snapshot(rev, into)})"] = into
    print(f"{args.sockets:,} idle sockets{' with a room each' if args.rooms else ''}; "
          f"CPU of the server over {args.window:g} s, {WARM_S:g} s after the last opened")
    for run in range(args.runs):
        for name, source in sources.items():
            print(f"  run {run + 1}, {name}: "
                  f"{asyncio.run(measure(source, args.sockets, args.rooms, args.window))}",
                  flush=True)


if __name__ == "__main__":
    main()
