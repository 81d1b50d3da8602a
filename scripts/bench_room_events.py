"""Benchmark: CPU time of the room rules (`game_rules.machine.apply`) as a room grows.

Builds a room of N players (joins, a quiz round, every player answering), then feeds one
connection change per player (a class's Wi-Fi dropping), and prints the time of each
part: a per-event cost that grows with the room shows up as a time growing with N².

    python scripts/bench_room_events.py --players 500 2000 5000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fanout import closed_room

from game_rules import machine as m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--players", type=int, nargs="+", default=[500, 2000])
    args = parser.parse_args()
    print(f"room rules, one room, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'players':>8} {'joins + answers':>16} {'disconnects':>12} {'per disconnect':>15}")
    for n in args.players:
        start = time.perf_counter()
        game, state = closed_room(n)
        built = time.perf_counter()
        for i in range(n):
            state, _ = m.apply(game, state, m.PlayerConnection(f"p{i:05d}", False), 10**9 + i)
        done = time.perf_counter()
        print(f"{n:>8} {built - start:>14.2f}s {done - built:>10.2f}s "
              f"{(done - built) / n * 1e6:>12.1f}µs")


if __name__ == "__main__":
    main()
