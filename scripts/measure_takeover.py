"""What a shorter lease (`cardcade serve --lease-ttl`) buys and costs, measured.

For each lease TTL, two server processes on one Redis; a room run by A, a player on B.

- Takeover: A is killed (SIGKILL) while a round is open, and the player on B answers at
  once: the time until the `ack` is the time the room had no owner (B takes it over when
  A's heartbeat has run out). Several trials per TTL: median and max.
- Stall: A's event loop is frozen (SIGSTOP) for S seconds and let go (SIGCONT): whether
  the room moved to B. A stall at least as long as the heartbeat's life (less the time
  since the last beat) costs the room: every one of its players then waits for a takeover.
  The smallest stall of the list that moved it is reported.
- Redis: each process beats 3 times per TTL (one SET each), whatever its number of rooms.

Usage: .venv/bin/python scripts/measure_takeover.py [--ttl 6 3 2] [--trials 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `tests` is not installed

from server import keys
from server.embedded_redis import EmbeddedRedis, free_port
from tests.client import GameClient, RoomData, answer_for, redis_client
from tests.servers import ServerProcess

STALLS_S = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)


async def room_on_a(a: ServerProcess, b: ServerProcess) -> tuple[GameClient, GameClient, str]:
    host = await GameClient(a.ws_url, "host").connect()
    await host.create_room({"round_mix": ["quiz"], "time_limit_s": 300}, seed=1)
    player = await GameClient(b.ws_url, "player").connect()
    await player.join(host.code or "", "Player 1")
    return host, player, host.code or ""


async def takeover_s(url: str, logs: Path, ttl: float) -> float:
    a = ServerProcess(url, logs, "--lease-ttl", str(ttl)).start()
    b = ServerProcess(url, logs, "--lease-ttl", str(ttl)).start()
    try:
        host, player, code = await room_on_a(a, b)
        looker = redis_client(url)
        plan = await RoomData(looker, code).plan()
        await looker.aclose()
        await host.host("start")
        await player.phase("open", 0)
        await asyncio.sleep(ttl / 3 * 0.5)  # half-way between two beats, on average
        a.stop(kill=True)
        killed = time.monotonic()
        await player.answer(0, answer_for(plan[0], "right"))
        await player.recv_until("ack", lambda m: m["round"] == 0, timeout=60)  # the new owner
        took = time.monotonic() - killed
        await host.close()
        await player.close()
        return took
    finally:
        a.stop(kill=True)
        b.stop(kill=True)


async def stall_moves(url: str, logs: Path, ttl: float, stall: float) -> bool:
    a = ServerProcess(url, logs, "--lease-ttl", str(ttl)).start()
    b = ServerProcess(url, logs, "--lease-ttl", str(ttl)).start()
    looker = redis_client(url)
    try:
        host, player, code = await room_on_a(a, b)
        owner = await looker.get(keys.room_keys(code).lease)
        assert a.process is not None
        os.kill(a.process.pid, signal.SIGSTOP)
        await asyncio.sleep(stall)
        os.kill(a.process.pid, signal.SIGCONT)
        await asyncio.sleep(1.5)  # B looks every second; A's own check notices the loss
        moved = await looker.get(keys.room_keys(code).lease) != owner
        await host.close()
        await player.close()
        return moved
    finally:
        await looker.aclose()
        a.stop(kill=True)
        b.stop(kill=True)


async def main(ttls: list[float], trials: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedRedis(Path(tmp) / "redis", port=free_port(), persist=False).start()
        logs = Path(tmp) / "logs"
        logs.mkdir()
        print(f"lease TTL vs takeover and stalls; {trials} takeovers per TTL, "
              f"{os.cpu_count()} cores, stalls tried: {', '.join(f'{s:g}' for s in STALLS_S)} s")
        print(f"{'TTL s':>6} {'takeover median s':>18} {'max s':>6} {'beats/s per process':>20} "
              f"{'smallest stall that lost the room':>34}")
        try:
            for ttl in ttls:
                times = [await takeover_s(store.url, logs, ttl) for _ in range(trials)]
                lost = None
                for stall in STALLS_S:
                    if await stall_moves(store.url, logs, ttl, stall):
                        lost = stall
                        break
                lost_text = f"{lost:g} s" if lost is not None else f"none up to {STALLS_S[-1]:g} s"
                print(f"{ttl:>6g} {statistics.median(times):>18.2f} {max(times):>6.2f} "
                      f"{3 / ttl:>20.2f} {lost_text:>34}", flush=True)
        finally:
            store.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ttl", type=float, nargs="+", default=[6.0, 3.0, 2.0])
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.ttl, args.trials))
