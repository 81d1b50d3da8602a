"""Profile the `cardcade serve` process of a benchmark scenario, stage by stage.

Runs `python -m benchmarks.run ARGS...`, follows its progress lines, and while the server
is in a chosen stage (the joins, or a round's answers) records it with py-spy; each stage's
folded stacks go to OUT/STAGE.txt, and a summary (self and inclusive share per function)
is printed for each at the end.

    .venv/bin/python scripts/profile_bench.py --out /tmp/prof -- \
        --only rooms-300x30 --no-baseline --out /tmp/cpu-bench

Stages: `joining` (from the first join to the start of play), `opening`, `answering`
(every round's answers), `leaderboard` and `podium` (each one file for all rounds), and
`game`, all but the joins. py-spy samples at 100 Hz, without pausing the
server (`--nonblocking`), so the server runs as it would unprofiled, give or take.
"""

from __future__ import annotations

import argparse
import collections
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

VENV = Path(sys.executable).parent
# The last word of a progress line -> the stage recorded until the next line; every
# stage but the joins is part of the game (`game.txt`).
STAGES = {"joining": "joining", "opening": "opening", "answering": "answering",
          "leaderboard": "leaderboard", "podium": "podium"}


def server_pids(before: set[int]) -> list[int]:
    """`cardcade serve` processes started since `before` was taken."""
    out = subprocess.run(["pgrep", "-f", "server.cli serve"], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split() if int(p) not in before]


def summarise(path: Path, top: int) -> str:
    """Self and inclusive sample shares per function (file and name, lines merged) of
    py-spy's raw (folded) output."""
    self_n: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [re.sub(r" \((?:.*/)?([^/]*?):\d+\)$", r" (\1)", f) for f in stack.split(";")]
        total += n
        self_n[frames[-1]] += n
        for f in set(frames):
            incl[f] += n
    if not total:
        return f"{path.name}: no samples\n"
    lines = [f"{path.name}: {total} samples", "  self:"]
    lines += [f"    {n / total:6.1%}  {f}" for f, n in self_n.most_common(top)]
    lines.append("  inclusive:")
    lines += [f"    {n / total:6.1%}  {f}" for f, n in incl.most_common(top)]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path("/tmp/prof"))
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    ap.add_argument("--summary", action="store_true",
                    help="only print the summary of the stages recorded in --out")
    ap.add_argument("bench", nargs=argparse.REMAINDER, help="arguments for benchmarks.run")
    args = ap.parse_args()
    if args.summary:
        for path in sorted(args.out.glob("*.txt")):
            if "-" not in path.stem:
                print(summarise(path, args.top))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    bench_args = [a for a in args.bench if a != "--"]
    before = set(server_pids(set()))
    bench = subprocess.Popen([sys.executable, "-m", "benchmarks.run", *bench_args],
                             stderr=subprocess.PIPE, text=True)
    spy: subprocess.Popen[bytes] | None = None
    parts: dict[str, list[Path]] = collections.defaultdict(list)

    def stop_spy() -> None:
        nonlocal spy
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
            spy = None

    assert bench.stderr is not None
    for line in bench.stderr:
        sys.stderr.write(line)
        if not line.startswith("[bench]"):
            continue
        stage = next((name for word, name in STAGES.items() if line.rstrip().endswith(word)),
                     None)
        stop_spy()
        if stage is None:
            continue
        pids = server_pids(before)
        if not pids:
            print("profile: no server process found", file=sys.stderr)
            continue
        path = args.out / f"{stage}-{len(parts[stage])}.txt"
        parts[stage].append(path)
        spy = subprocess.Popen(
            [str(VENV / "py-spy"), "record", "-p", str(max(pids)), "--format", "raw",
             "-o", str(path), "--rate", str(args.rate), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.2)
    stop_spy()
    bench.wait()
    game = [p for stage, paths in parts.items() if stage != "joining" for p in paths]
    for stage, paths in [*parts.items(), ("game", game)]:
        merged = args.out / f"{stage}.txt"
        with merged.open("w") as out:
            for p in paths:
                if p.exists():
                    out.write(p.read_text())
        if stage in ("joining", "answering", "game"):
            print(summarise(merged, args.top))
    sys.exit(bench.returncode)


if __name__ == "__main__":
    main()
