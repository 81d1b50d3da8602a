"""Benchmark: one room, N scripted players over real WebSockets, against a real server.

Starts a private redis-server and one `cardcade serve` process on free loopback ports,
plays R quiz rounds where every player answers at once, and prints a report: answer
acknowledgement latency percentiles (client side), the time for the reveal to reach
every player after the last answer, and the server process's memory.

    python scripts/bench_game.py --players 30 100 300 --rounds 5
    python scripts/bench_game.py --rooms 200 --players 3 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_server import rss_mib, start_server

from server.embedded_redis import EmbeddedRedis, free_port


async def hello(url: str) -> ClientConnection:
    ws = await connect(url, max_size=2**22)
    await ws.send(json.dumps({"type": "hello", "versions": [1]}))
    await ws.recv()
    return ws


async def until(ws: ClientConnection, pred, timeout: float = 30.0) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            msg = json.loads(await ws.recv())
            if pred(msg):
                return msg


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def play(url: str, players: int, rounds: int) -> tuple[list[float], list[float]]:
    host = await hello(url)
    await host.send(json.dumps({"type": "create_room", "deck": "soviet-union-1928-41",
                                "settings": {"rounds": rounds, "round_mix": ["quiz"],
                                             "time_limit_s": 60, "max_players": 500}}))
    code = (await until(host, lambda m: m["type"] == "created"))["room"]
    socks = []
    for i in range(players):
        ws = await hello(url)
        await ws.send(json.dumps({"type": "join", "room": code, "nickname": f"bot{i}"}))
        await until(ws, lambda m: m["type"] == "joined")
        socks.append(ws)
    latencies: list[float] = []
    reveal_spread: list[float] = []
    for index in range(rounds):
        await host.send(json.dumps({"type": "host", "action": "start" if index == 0 else "next"}))
        opened = await asyncio.gather(*(until(ws, lambda m, i=index: m["type"] == "room"
                                              and m["phase"] == "open"
                                              and m["round"]["index"] == i) for ws in socks))
        options = [o["id"] for o in opened[0]["round"]["public"]["options"]]

        async def answer(ws: ClientConnection, i: int = index, opts: list[str] = options) -> float:
            t0 = time.perf_counter()
            await ws.send(json.dumps({"type": "answer", "round": i,
                                      "answer": {"choice": random.choice(opts)}}))
            await until(ws, lambda m: m["type"] == "ack")
            return time.perf_counter() - t0

        latencies += await asyncio.gather(*(answer(ws) for ws in socks))
        last = time.perf_counter()
        await asyncio.gather(*(until(ws, lambda m: m["type"] == "room"
                                     and m["phase"] == "reveal") for ws in socks))
        reveal_spread.append(time.perf_counter() - last)
        await host.send(json.dumps({"type": "host", "action": "next"}))  # -> leaderboard
    for ws in [host, *socks]:
        await ws.close()
    return latencies, reveal_spread


async def play_rooms(url: str, rooms: int, players: int, rounds: int) -> dict[str, float]:
    """Play `rooms` games at once; latencies of all of them together."""
    results = await asyncio.gather(*(play(url, players, rounds) for _ in range(rooms)))
    latencies = [x for lat, _ in results for x in lat]
    reveal_spread = [x for _, spread in results for x in spread]
    return {
        "ack_p50_ms": statistics.median(latencies) * 1000,
        "ack_p90_ms": pct(latencies, 0.90) * 1000,
        "ack_p99_ms": pct(latencies, 0.99) * 1000,
        "reveal_all_p50_ms": statistics.median(reveal_spread) * 1000,
        "answers": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, nargs="+", default=[30, 100, 300])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rooms", type=int, default=1,
                        help="rooms played at once, each with --players players")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cardcade-bench-"))
    redis = EmbeddedRedis(tmp / "redis", port=free_port(), persist=False).start()
    log_path = tmp / "server.log"
    server, port = start_server(redis.url, log_path, "--log-level", "INFO")
    try:
        print(f"cardcade benchmark: {args.rooms} room(s) at once, quiz rounds={args.rounds}, "
              f"server pid {server.pid}, loopback, {time.strftime('%Y-%m-%d %H:%M')}")
        print(f"{'players':>8} {'answers':>8} {'ack p50':>9} {'ack p90':>9} {'ack p99':>9} "
              f"{'reveal->all p50':>16} {'server RSS':>11}")
        print(f"{'idle':>8} {'':>8} {'':>9} {'':>9} {'':>9} {'':>16} "
              f"{rss_mib(server.pid):>8.1f} MiB")
        for n in args.players:
            r = asyncio.run(play_rooms(f"ws://127.0.0.1:{port}/ws", args.rooms, n, args.rounds))
            print(f"{n:>8} {r['answers']:>8} {r['ack_p50_ms']:>7.1f}ms {r['ack_p90_ms']:>7.1f}ms "
                  f"{r['ack_p99_ms']:>7.1f}ms {r['reveal_all_p50_ms']:>14.1f}ms "
                  f"{rss_mib(server.pid):>8.1f} MiB")
    finally:
        server.terminate()
        server.wait(30)
        redis.stop()
        print(f"server log: {log_path}")


if __name__ == "__main__":
    main()
