"""Time `machine.apply` of 10,000 answers into one 10,000-player quiz round, in join order.

Usage: .venv/bin/python scripts/bench_rules_answers.py TREE [TREE...]. Each TREE holds a
`game_rules` package (`.` for this checkout, or `git archive REV game_rules` extracted
into a folder) and is timed in a process of its own; prints the seconds after 1,000,
5,000 and 9,999 answers (before the last one closes the round). If an answer's cost grew
with the answers before it, the gaps would grow.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

PLAYERS = 10_000
MARKS = (1_000, 5_000, PLAYERS - 1)


def run_here(tree: str) -> None:
    sys.path.insert(0, str(Path(tree).resolve()))
    from game_rules import machine as m
    from game_rules.model import Round, Settings

    options = [{"id": i, "text": f"option {i}"} for i in "abcd"]
    rnd = Round(kind="quiz", public={"kind": "quiz", "prompt": "?", "options": options},
                key={"correct": "a", "options": list("abcd")}, time_limit_ms=10**9,
                points=1000)
    game = m.Game(Settings(max_players=PLAYERS), (rnd,))
    state = m.RoomState()
    for i in range(PLAYERS):
        state, _ = m.apply(game, state, m.PlayerJoin(f"p{i}", f"Player {i}"), i)
    state, _ = m.apply(game, state, m.HostAction("start"), PLAYERS)
    start, seen = time.perf_counter(), []
    for i in range(PLAYERS - 1):
        state, _ = m.apply(game, state, m.SubmitAnswer(f"p{i}", 0, {"choice": "a"}), PLAYERS)
        if i + 1 in MARKS:
            seen.append(f"{time.perf_counter() - start:6.2f}")
    print(f"{tree:<30} " + " ".join(f"{s:>8}" for s in seen), flush=True)


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        run_here(sys.argv[2])
        return
    print(f"{'tree':<30} " + " ".join(f"{n:>8,}" for n in MARKS) + "  (seconds after N answers)")
    for tree in sys.argv[1:] or ["."]:
        subprocess.run([sys.executable, __file__, "--one", tree], check=True)


if __name__ == "__main__":
    main()
