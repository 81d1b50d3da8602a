"""Run the Cardcade benchmark suite: one command starts Redis, the servers and the clients.

    python -m benchmarks.run                 # the full suite (long: see benchmarks/README.md)
    python -m benchmarks.run --quick         # everything scaled down, about two minutes
    python -m benchmarks.run --only room-500 --players 20 --out /tmp/bench

Writes <out>/<date>.md and <out>/<date>.json (<date>-quick.* for --quick) and prints the
Markdown. The scenarios, figures and targets are described in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.game import DECK, ROUND_MIX
from benchmarks.scenarios import FULL, Context, Scenario, run_game, run_idle, scenarios
from benchmarks.stack import (
    Interference,
    Redis,
    git_describe,
    machine,
    snapshot,
    tool_versions,
)

RESULTS = Path(__file__).resolve().parent / "results"


def parse(argv: list[str] | None) -> argparse.Namespace:
    doc = __doc__ or ""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run",
                                     description=doc.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="scenarios: " + ", ".join(s.name for s in FULL))
    parser.add_argument("--quick", action="store_true",
                        help="scale every scenario down (the whole suite in ~2 minutes)")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only this scenario (repeat, or separate with commas)")
    parser.add_argument("--players", type=int, help="players per room in every game scenario")
    parser.add_argument("--idle-rooms", type=int, help="rooms in the idle rooms scenario")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per game (default 3)")
    parser.add_argument("--think", type=float, nargs=2, metavar=("MIN", "MAX"),
                        help="a player's think time is uniform in [MIN, MAX] seconds "
                             "(default 0.2 2.0; --quick 0.1 0.5)")
    parser.add_argument("--time-limit", type=int, default=120,
                        help="the quiz rounds' time limit in seconds (default 120)")
    parser.add_argument("--clients-per-process", type=int, default=2500,
                        help="client sockets per client process (at most 4000; default 2500)")
    parser.add_argument("--join-concurrency", type=int, default=100,
                        help="joins in flight per client process (default 100)")
    parser.add_argument("--budget-scale", type=float, default=1.0,
                        help="multiply every scenario's time budget")
    parser.add_argument("--window", type=float, help="seconds of CPU sampling for idle rooms "
                                                     "(default 10; --quick 3)")
    parser.add_argument("--room-idle", type=float,
                        help="--room-idle of the idle rooms' server (default 30; --quick 5)")
    parser.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                        help="an extra argument for every `cardcade serve` (repeat)")
    parser.add_argument("--server-commit", metavar="REV",
                        help="run the server's packages as committed at REV (git archive "
                             "into a temp dir) instead of the working tree")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare baseline")
    parser.add_argument("--out", type=Path, default=RESULTS,
                        help="folder for the reports (default benchmarks/results)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)
    args.only = [n.strip() for item in args.only for n in item.split(",") if n.strip()]
    known = {s.name for s in FULL}
    unknown = [n for n in args.only if n not in known]
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(known)}")
    if args.clients_per_process > 4000 or args.clients_per_process < 1:
        parser.error("--clients-per-process must be 1 to 4000")
    if args.players is not None and args.players < 1:
        parser.error("--players must be at least 1")
    if args.idle_rooms is not None and args.idle_rooms < 1:
        parser.error("--idle-rooms must be at least 1")
    if not 1 <= args.rounds <= 50:
        parser.error("--rounds must be 1 to 50")
    return args


def chosen(args: argparse.Namespace) -> list[Scenario]:
    out = []
    for sc in scenarios(args.quick, args.players, args.idle_rooms):
        if args.only and sc.name not in args.only:
            continue
        out.append(Scenario(**{**sc.__dict__, "budget_s": sc.budget_s * args.budget_scale}))
    return out


async def run_all(args: argparse.Namespace, chosen_scenarios: list[Scenario],
                  log_dir: Path, source: Path | None) -> list[dict[str, Any]]:
    think = args.think or ((0.1, 0.5) if args.quick else (0.2, 2.0))
    redis = Redis(log_dir / "redis").start()
    ctx = Context(redis=redis, log_dir=log_dir, quick=args.quick, rounds=args.rounds,
                  think_min=think[0], think_max=think[1], time_limit_s=args.time_limit,
                  settle_s=0.2 if args.quick else 0.5,
                  clients_per_process=args.clients_per_process,
                  join_concurrency=args.join_concurrency,
                  server_args=tuple(args.server_arg), baseline=not args.no_baseline,
                  window_s=args.window or (3.0 if args.quick else 10.0),
                  room_idle_s=args.room_idle, source=source)
    results = []
    try:
        for sc in chosen_scenarios:
            size = (f"{sc.rooms:,} rooms" if sc.kind == "idle"
                    else f"{sc.rooms} x {sc.players:,} players")
            print(f"[bench] {sc.name}: {size}, budget {sc.budget_s:.0f} s ...", file=sys.stderr,
                  flush=True)
            runner = run_game if sc.kind == "game" else run_idle
            load_before = os.getloadavg()[0]
            others = Interference()
            try:
                result = await runner(sc, ctx)
            except Exception as exc:  # a bug in the suite: report it, go on with the next
                result = {"name": sc.name, "kind": sc.kind, "description": sc.description,
                          "rooms": sc.rooms, "players_per_room": sc.players,
                          "workers": sc.workers, "budget_s": sc.budget_s, "status": "failed",
                          "reason": f"benchmark error: {type(exc).__name__}: {exc}",
                          "notes": []}
            # the machine's load (1 min) just before, which includes the last scenario's
            # tail: anything else running shares the CPUs with what is measured
            result["load_before"] = round(load_before, 2)
            result["other_cpu_share"] = round(others.share(), 3)
            full_size = not args.quick and args.players is None and args.idle_rooms is None
            result["targets"] = (report.game_targets(result, full_size) if sc.kind == "game"
                                 else report.idle_targets(result, full_size))
            print(f"[bench] {sc.name}: {result['status']}"
                  + (f" ({result['reason']})" if result.get("reason") else "")
                  + f" in {result.get('duration_s', 0):.0f} s", file=sys.stderr, flush=True)
            results.append(result)
        return results
    finally:
        redis.stop()


def headline(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for s in results:
        if s["kind"] != "game":
            continue
        base = (s.get("baseline") or {}).get("fanout_ms") or {}
        out.append({"scenario": s["name"], "players": s.get("joined") or 0,
                    "cardcade_p99_ms": (s.get("fanout_ms") or {}).get("p99"),
                    "baseline_p99_ms": base.get("p99"),
                    "ratio": s.get("fanout_p99_ratio")})
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.list:
        for sc in scenarios(args.quick, args.players, args.idle_rooms):
            print(f"{sc.name:<22} {sc.description}")
        return 0
    started = datetime.now()
    t0 = time.monotonic()
    log_dir = Path(tempfile.mkdtemp(prefix="cardcade-bench-"))
    chosen_scenarios = chosen(args)
    think = args.think or ((0.1, 0.5) if args.quick else (0.2, 2.0))
    source = None
    server_code = f"working tree at {git_describe()}"
    if args.server_commit:
        source = log_dir / "server-snapshot"
        server_code = f"commit {snapshot(args.server_commit, source)} (git archive)"
    results = asyncio.run(run_all(args, chosen_scenarios, log_dir, source))
    data: dict[str, Any] = {
        "date": started.strftime("%Y-%m-%d"),
        "started": started.strftime("%Y-%m-%d %H:%M:%S"),
        "duration_s": round(time.monotonic() - t0, 1),
        "command": " ".join(["python -m benchmarks.run",
                             *(shlex.quote(a) for a in (argv if argv is not None
                                                        else sys.argv[1:]))]),
        "quick": args.quick,
        "machine": {**machine(), "git": server_code},
        "versions": tool_versions(),
        "settings": {"deck": DECK, "rounds": args.rounds, "round_mix": ROUND_MIX,
                     "time_limit_s": args.time_limit, "think_min": think[0],
                     "think_max": think[1], "accuracy": 0.7,
                     "settle_s": 0.2 if args.quick else 0.5,
                     "join_concurrency": args.join_concurrency,
                     "clients_per_process": args.clients_per_process,
                     "server_args": args.server_arg},
        "scenarios": results,
        "headline": headline(results),
        "logs": str(log_dir),
    }
    stem = data["date"] + ("-quick" if args.quick else "")
    args.out.mkdir(parents=True, exist_ok=True)
    text = report.markdown(data)
    (args.out / f"{stem}.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
    (args.out / f"{stem}.md").write_text(text + "\n")
    print(text)
    print(f"\n[bench] wrote {args.out / stem}.md and .json; server logs in {log_dir}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
