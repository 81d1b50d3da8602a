"""Benchmark: the CPU time of an uploaded deck, from text to a game plan, as the file grows.

Makes decks of the shapes that stalled the server (issue 10): a CSV of N rows with 500
categories, and a Knowt page of N cards with 500 "Name:" prefixes, of similar size. For
each size it imports the text as an upload is imported (`decks.importers.import_text`,
events on) and builds the plan (`make_plan`, `plan_report`), and prints the bytes, the
median CPU seconds of a few runs, and the time per row. A cost that grows with N² shows as a
per-row time that doubles when N doubles; a linear one keeps it flat. No upload limits
apply here (these shapes are over them); `--categories 100` is the most a server accepts.

    python scripts/bench_upload.py                 # CSV and Knowt, 1,000 / 2,000 / 4,000 / 8,000
    python scripts/bench_upload.py --rows 1000 4000 --shape csv --runs 5
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decks.importers import import_text
from game_rules.model import ROUND_KINDS, Settings
from game_rules.plan import make_plan, plan_report

SURNAMES = ("Kotkin", "Fitzpatrick", "Conquest", "Davies", "Viola", "Getty", "Service",
            "Suny", "Lewin", "Carr")


def category(i: int, categories: int) -> str:
    """One of `categories` names, letters only (a prefix with a digit is no category):
    'Kotkin', 'Fitzpatrick', ..., 'Kotkinb', ..."""
    k = i % categories
    suffix, n = "", k // len(SURNAMES)
    while n:
        n, d = divmod(n, 26)
        suffix += "abcdefghijklmnopqrstuvwxyz"[d]
    return SURNAMES[k % len(SURNAMES)] + suffix


def answer(i: int, name: str) -> str:
    """Short answers; every tenth has a year (an event), every other one has its category
    arguing ("Kotkin argues that ..."), which makes the categories authors."""
    year = f" in {1900 + i % 100}" if i % 10 == 0 else ""
    return f"{name} argues that fact {i} mattered{year}" if i % 2 else f"It was fact {i}{year}"


def csv_deck(rows: int, categories: int = 500) -> str:
    """A CSV of `rows` short cards over `categories` categories (about 50 bytes a row; the
    issue's was 1,000 rows in 43 KiB)."""
    lines = ["prompt,answer,category"]
    for i in range(rows):
        name = category(i, categories)
        lines.append(f"What did card {i} show?,{answer(i, name)},{name}")
    return "\n".join(lines) + "\n"


def knowt_deck(rows: int, categories: int = 500) -> str:
    """A Knowt page of `rows` cards whose prompts start with one of `categories` names."""
    parts = ["Bench deck", "", f"{rows} Terms", ""]
    for i in range(rows):
        name = category(i, categories)
        parts += [str(i + 1), "New cards", "", f"{name}: What did card {i} show?", "",
                  f"{answer(i, name)}.", ""]
    return "\n".join(parts)


SHAPES: dict[str, tuple[Callable[[int, int], str], str, str]] = {
    "csv": (csv_deck, "csv", "bench.csv"),
    "knowt": (knowt_deck, "knowt", "bench.txt"),
}


def upload_seconds(text: str, fmt: str, filename: str) -> tuple[float, float]:
    """CPU seconds to import `text` as an upload is, and to plan a game from it (CPU time:
    the machine may be busy with other work). Run in a fresh process each time (see
    `fresh`): the caches of texts start empty, as they do for a new upload."""
    import_text(csv_deck(20, 5), "csv", filename="warm.csv", events=True)  # imports done
    start = time.process_time()
    deck = import_text(text, fmt, filename=filename, events=True).deck
    imported = time.process_time()
    settings = Settings(rounds=8, round_mix=tuple(ROUND_KINDS))
    rules_deck = deck.to_rules()
    with contextlib.suppress(ValueError):  # a deck that cannot make a round
        make_plan(rules_deck, settings, 7)
    plan_report(rules_deck, settings)
    return imported - start, time.process_time() - imported


def fresh(text: str, fmt: str, filename: str) -> tuple[float, float]:
    """`upload_seconds` in a new process."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(upload_seconds, text, fmt, filename).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 2000, 4000, 8000])
    parser.add_argument("--shape", choices=[*SHAPES, "all"], default="all")
    parser.add_argument("--categories", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median)")
    parser.add_argument("--max-seconds", type=float, default=120.0,
                        help="skip larger sizes of a shape once one run takes this long")
    args = parser.parse_args()
    shapes = list(SHAPES) if args.shape == "all" else [args.shape]
    print(f"deck upload: import + plan, {args.categories} categories, CPU seconds, median "
          f"of {args.runs}, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'shape':>6} {'rows':>6} {'KiB':>7} {'import s':>9} {'plan s':>8} "
          f"{'total s':>8} {'ms/row':>7} {'per-row ratio':>14}")
    for shape in shapes:
        make, fmt, filename = SHAPES[shape]
        previous: float | None = None
        for rows in sorted(args.rows):
            text = make(rows, args.categories)
            runs = []
            for _ in range(args.runs):
                runs.append(fresh(text, fmt, filename))
                if sum(runs[-1]) > args.max_seconds:
                    break
            imp = statistics.median(r[0] for r in runs)
            plan = statistics.median(r[1] for r in runs)
            per_row = (imp + plan) / rows * 1000
            ratio = f"{per_row / previous:.2f}x" if previous else "-"
            print(f"{shape:>6} {rows:>6} {len(text.encode()) / 1024:>7.0f} {imp:>9.3f} "
                  f"{plan:>8.3f} {imp + plan:>8.3f} {per_row:>7.3f} {ratio:>14}", flush=True)
            previous = per_row
            if imp + plan > args.max_seconds:
                print(f"{shape:>6}: stopping, {imp + plan:.0f}s is over --max-seconds")
                break


if __name__ == "__main__":
    main()
