"""Time the rules' side of joins: `machine.apply` of 10,000 `PlayerJoin` events into one
room, cumulative seconds after 1,000, 5,000 and 10,000. A join should cost the same in any
room size; a growing cost per join shows up as more than linear growth here.

    python scripts/bench_rules_joins.py              # this checkout
    python scripts/bench_rules_joins.py /tmp/old     # a tree from `git archive REV game_rules`
"""

from __future__ import annotations

import sys
import time


def main() -> None:
    if len(sys.argv) > 1:
        sys.path.insert(0, sys.argv[1])
    from game_rules import machine as m
    from game_rules.model import Round, Settings

    rnd = Round(kind="quiz", public={"kind": "quiz", "prompt": "?", "options": []},
                key={"correct": "a", "options": list("abcd")}, time_limit_ms=20_000,
                points=1000)
    game = m.Game(Settings(max_players=10_000), (rnd,))
    state = m.RoomState()
    marks: dict[int, float] = {}
    start = time.perf_counter()
    for i in range(10_000):
        state, _ = m.apply(game, state, m.PlayerJoin(f"p{i}", f"Player {i}"), i)
        if i + 1 in (1_000, 5_000, 10_000):
            marks[i + 1] = time.perf_counter() - start
    where = sys.argv[1] if len(sys.argv) > 1 else "this checkout"
    print(f"{where}: " + ", ".join(f"{n:,} joins {s:.3f} s" for n, s in marks.items()))


if __name__ == "__main__":
    main()
