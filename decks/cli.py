"""`cardcade deck`: import outside flashcards into a deck file, and check deck files.

    cardcade deck import SRC [--format knowt|quizlet|csv|anki] [--no-events] -o OUT
    cardcade deck check PATH [--json]
    cardcade deck list
    cardcade deck schema
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from pydantic import ValidationError

from decks.importers import FORMATS, import_file
from decks.importers.quizlet import decode_separator
from decks.io import (
    DeckError,
    deck_path,
    deck_to_toml,
    list_bundled,
    load_deck,
    save_deck,
    schema_json,
)
from decks.model import DeckFile

__all__ = ["check_report", "register"]

MIN_CATEGORY_CARDS = 4  # a sort or match round shows four items


def register(subparsers: Any) -> None:
    """Add the `deck` command and its subcommands."""
    deck = subparsers.add_parser("deck", help="import and check deck files",
                                 description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = deck.add_subparsers(dest="deck_command", required=True)

    imp = sub.add_parser("import", help="convert Knowt, Quizlet, CSV or Anki text to a deck")
    imp.add_argument("src", help="file to import")
    imp.add_argument("-o", "--output", required=True, help="deck TOML file to write ('-': stdout)")
    imp.add_argument("--format", choices=FORMATS, help="input format (default: detect)")
    imp.add_argument("--title", help="deck title (default: from the input)")
    imp.add_argument("--term-sep", default="\t", help="Quizlet: between term and definition "
                     r"(default: tab; '\t' and '\n' are understood)")
    imp.add_argument("--card-sep", default="\n", help="Quizlet: between cards (default: newline)")
    imp.add_argument("--events", action=argparse.BooleanOptionalAction, default=True,
                     help="add timeline events proposed from the dates in the cards "
                     "(default; --no-events leaves them out)")
    imp.add_argument("--schema", help="write a '#:schema' line with this path or URL")
    imp.set_defaults(func=run_import)

    chk = sub.add_parser("check", help="validate a deck file and report on it")
    chk.add_argument("path", help="deck TOML file, or the name of a bundled deck")
    chk.add_argument("--json", action="store_true", help="print the report as one JSON object")
    chk.set_defaults(func=run_check)

    lst = sub.add_parser("list", help="list the bundled decks")
    lst.set_defaults(func=run_list)

    sch = sub.add_parser("schema", help="print the JSON Schema of deck files")
    sch.set_defaults(func=run_schema)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run_import(args: argparse.Namespace) -> int:
    """Import `args.src` and write the deck; 2 on any failure (nothing is written then)."""
    options = {"term_sep": decode_separator(args.term_sep),
               "card_sep": decode_separator(args.card_sep)}
    if args.title:
        options["title"] = args.title
    try:
        deck, warnings = import_file(args.src, args.format, events=args.events, **options)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if args.output == "-":
            sys.stdout.write(deck_to_toml(deck, args.schema))
        else:
            save_deck(deck, args.output, args.schema)
            counts = _summary(deck)
            print(f"wrote {args.output}: {counts}")
    except DeckError as exc:
        hint = "; choose one with --format" if exc.reason == "unknown_format" else ""
        return _fail(f"{exc}{hint}")
    except ValidationError as exc:  # pragma: no cover - proposed events are checked already
        return _fail(f"{args.src}: {exc}")
    return 0


def _summary(deck: DeckFile) -> str:
    categories = len({c.category for c in deck.cards if c.category})
    return f"{len(deck.cards)} cards, {categories} categories, {len(deck.events)} events"


def check_report(deck: DeckFile) -> dict[str, Any]:
    """Counts and warnings for a valid deck (what `check --json` prints)."""
    per_category = Counter(c.category for c in deck.cards if c.category)
    warnings: list[str] = []
    no_claim = [c.id for c in deck.cards if not c.claim]
    if no_claim:
        shown = ", ".join(no_claim[:5]) + (", …" if len(no_claim) > 5 else "")
        warnings.append(f"{len(no_claim)} of {len(deck.cards)} cards have no claim "
                        f"(short form for phones): {shown}")
    if per_category:
        loose = [c.id for c in deck.cards if not c.category]
        if loose:
            warnings.append(f"{len(loose)} cards have no category: {', '.join(loose[:5])}")
    for name, count in sorted(per_category.items()):
        if count < MIN_CATEGORY_CARDS:
            warnings.append(f"category {name!r} has only {count} card{'s' * (count > 1)} "
                            f"(match and sort rounds want at least {MIN_CATEGORY_CARDS})")
    for category in deck.categories:
        if category.name not in per_category:
            warnings.append(f"category {category.name!r} is listed but no card uses it")
    years = Counter(e.first_day()[:4] for e in deck.events)
    for event in deck.events:
        year = event.first_day()[:4]
        if years[year] == 1:
            warnings.append(f"event {event.id} ({event.label!r}) is the only one in {year}")
    if 0 < len(deck.events) < MIN_CATEGORY_CARDS:
        warnings.append(f"only {len(deck.events)} events: order rounds need "
                        f"{MIN_CATEGORY_CARDS}")
    return {
        "title": deck.title,
        "cards": len(deck.cards),
        "categories": dict(per_category),
        "events": len(deck.events),
        "warnings": warnings,
    }


def run_check(args: argparse.Namespace) -> int:
    """Validate a deck and report; 2 when it is malformed."""
    try:
        path = deck_path(args.path)
        deck = load_deck(path)
    except DeckError as exc:
        return _fail(str(exc))
    report = {"file": str(path), **check_report(deck)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"{path}: {deck.title!r}: ok")
    print(f"  {report['cards']} cards, {len(report['categories'])} categories, "
          f"{report['events']} events")
    for name, count in report["categories"].items():
        print(f"  {name}: {count}")
    for warning in report["warnings"]:
        print(f"  warning: {warning}")
    return 0


def run_schema(args: argparse.Namespace) -> int:
    """Print the deck JSON Schema (the content of docs/deck.schema.json)."""
    sys.stdout.write(schema_json())
    return 0


def run_list(args: argparse.Namespace) -> int:
    """Print the names of the bundled decks."""
    for name in list_bundled():
        print(name)
    return 0
