"""Time the rules' side of joins: `machine.apply` of 10,000 `PlayerJoin` events into one
room (nicknames "Player 0".."Player 9999", all different, so no cache helps). A join
should cost the same in any room size: the table gives the time of one join at 1,000,
5,000 and 10,000 players (the mean of the 500 joins before that size) and the seconds for
all joins so far. Each tree runs in a process of its own, the trees taking turns, and each
figure is the median of the runs.

    python scripts/bench_rules_joins.py                    # this checkout
    python scripts/bench_rules_joins.py /tmp/old .         # trees side by side, same run
    python scripts/bench_rules_joins.py --runs 5 /tmp/old .

A tree is a folder holding `game_rules` (`.`, or one from `git archive REV game_rules`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

SIZES = (1_000, 5_000, 10_000)
WINDOW = 500  # joins before each size that its per-join time is the mean of


def measure(tree: str) -> dict[int, tuple[float, float]]:
    """Join 10,000 players; size -> (seconds per join near that size, seconds so far)."""
    sys.path.insert(0, tree)
    from game_rules import machine as m
    from game_rules.model import Round, Settings

    rnd = Round(kind="quiz", public={"kind": "quiz", "prompt": "?", "options": []},
                key={"correct": "a", "options": list("abcd")}, time_limit_ms=20_000,
                points=1000)
    game = m.Game(Settings(max_players=SIZES[-1]), (rnd,))
    state = m.RoomState()
    marks: dict[int, float] = {}
    start = time.perf_counter()
    for i in range(1, SIZES[-1] + 1):
        state, effects = m.apply(game, state, m.PlayerJoin(f"p{i}", f"Player {i}"), i)
        assert isinstance(effects[0], m.Joined), effects
        if i in SIZES or i + WINDOW in SIZES:
            marks[i] = time.perf_counter() - start
    return {n: ((marks[n] - marks[n - WINDOW]) / WINDOW, marks[n]) for n in SIZES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs="*", default=["."], help="folders holding game_rules")
    parser.add_argument("--runs", type=int, default=3, help="runs per tree (median shown)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    runs: dict[str, list[dict[str, list[float]]]] = {tree: [] for tree in args.trees}
    for _ in range(args.runs):
        for tree in args.trees:  # taking turns, so a busy moment hits every tree
            out = subprocess.run([sys.executable, __file__, "--child", str(Path(tree).resolve())],
                                 check=True, capture_output=True, text=True).stdout
            runs[tree].append(json.loads(out))
    print(f"time per join (µs) at each room size, and seconds for all joins so far; "
          f"median of {args.runs} run(s)")
    head = f"{'players':>8} | " + " | ".join(f"{tree[-24:]:>24}" for tree in args.trees)
    print(head)
    print("-" * len(head))
    for n in SIZES:
        cells = []
        for tree in args.trees:
            per = statistics.median(r[str(n)][0] for r in runs[tree]) * 1e6
            total = statistics.median(r[str(n)][1] for r in runs[tree])
            cells.append(f"{per:8.1f} µs {total:8.3f} s")
        print(f"{n:>8,} | " + " | ".join(f"{c:>24}" for c in cells))
    for tree in args.trees:
        first, last = (statistics.median(r[str(n)][0] for r in runs[tree]) for n in (1_000, 10_000))
        print(f"{tree}: a join at 10,000 players costs {last / first:.1f}x one at 1,000")


if __name__ == "__main__":
    main()
