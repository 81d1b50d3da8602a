"""How often quiz options can be guessed from the question's words, without knowing.

The "overlap trick": pick the option that shares the most content words with the
question (ties split evenly, so a four-way tie counts a quarter). Builds quiz rounds from
the bundled deck and any deck files given, with many seeds, and prints what share of
rounds the trick wins against chance (1 in 4). The "longest option" trick is shown too.

    .venv/bin/python scripts/measure_option_overlap.py [DECK ...] [--rounds N]

DECK is a bundled deck name, a deck .toml file or an export the importers read. Pure
computation (no server, no timing): the same numbers on every run.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decks.importers import import_file
from decks.io import deck_path, load_deck
from game_rules import rounds
from game_rules.model import Deck, Settings

BUNDLED = "soviet-union-1928-41"
# A plain English stop list, written for this script: the measure must not share code
# with the distractor chooser it judges.
_STOP = """
a about above after again against all also an and any are as at be because been before
being between both but by can could did do does doing down during each few for from had
has have having he her here hers him his how i if in into is it its itself just more most
no nor not of off on once only or other our out over own same she should so some such
than that the their them then there these they this those through to too under until up
very was we were what when where which while who whom why will with would you your
"""
STOP = frozenset(_STOP.split())
WORD = re.compile(r"[^\W\d_][\w’'-]*")


def words(text: str, stem: bool) -> set[str]:
    out = set()
    for w in WORD.findall(text.casefold()):
        w = re.sub(r"['’]s$", "", w).strip("'’-")
        if len(w) < 3 or w in STOP:
            continue
        if stem:
            w = re.sub(r"(ies|es|s|ed|ing|ly)$", "", w) if len(w) > 5 else w
        out.add(w)
    return out


def share_won(scores: Sequence[float], correct: int) -> float:
    """The trick's chance of being right: 1/k when the correct option is among k best."""
    best = max(scores)
    top = [i for i, s in enumerate(scores) if s == best]
    return 1 / len(top) if correct in top else 0.0


def load(name: str) -> Deck:
    path = Path(name)
    if path.suffix != ".toml" and path.exists():
        return import_file(path).deck.to_rules()
    return load_deck(deck_path(name)).to_rules()


def measure(deck: Deck, count: int) -> dict[str, float]:
    """Share of `count` quiz rounds (seeds 0, 1, ...) each trick wins."""
    tricks: dict[str, Callable[[str, str], float]] = {
        "overlap": lambda q, o: len(words(q, False) & words(o, False)),
        "overlap (stemmed)": lambda q, o: len(words(q, True) & words(o, True)),
        "fewest shared": lambda q, o: -len(words(q, False) & words(o, False)),
        "longest option": lambda q, o: len(o),
    }
    won = dict.fromkeys(tricks, 0.0)
    built = 0
    for seed in range(count):
        rnd = rounds.build("quiz", deck, random.Random(seed), Settings())
        if rnd is None:
            break
        pub, key = rnd.public, rnd.key
        ids = [o["id"] for o in pub["options"]]
        correct = ids.index(key["correct"])
        for name, trick in tricks.items():
            scores = [trick(pub["prompt"], o["text"]) for o in pub["options"]]
            won[name] += share_won(scores, correct)
        built += 1
    return {name: w / built for name, w in won.items()} if built else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("decks", nargs="*", help=f"decks to measure (default: {BUNDLED})")
    parser.add_argument("--rounds", type=int, default=2000, help="quiz rounds per deck")
    args = parser.parse_args(argv)
    for name in args.decks or [BUNDLED]:
        deck = load(name)
        shares = measure(deck, args.rounds)
        print(f"{deck.title} ({len(deck.cards)} cards, {args.rounds} quiz rounds)")
        if not shares:
            print("  no quiz round can be built from this deck")
            continue
        for trick, share in shares.items():
            print(f"  {trick:<18} right in {share:6.1%} of rounds (chance 25.0%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
