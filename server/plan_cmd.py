"""`cardcade plan DECK --seed N`: show the rounds a game would play, with their keys.

DECK is a deck TOML file or the name of a bundled deck (``decks/<name>.toml``). The
round kinds of the mix the deck cannot carry are named first, each with the reason
("Order rounds left out: needs 4 dated events, this deck has 2."); with ``--json`` these
sentences go to stderr, so that stdout stays the plan.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any, cast

from decks.io import DeckError, deck_path, load_deck
from game_rules import rounds
from game_rules.model import ROUND_KINDS, Round, RoundKind, Settings
from game_rules.plan import make_plan, plan_report, plan_to_json


def register(subparsers: Any) -> None:
    """Add the `plan` subcommand."""
    p = subparsers.add_parser(
        "plan", help="show the rounds a game would play from a deck (answers included)",
        description=__doc__,
    )
    p.add_argument("deck", help="path to a deck TOML file, or the name of a bundled deck")
    p.add_argument("--seed", type=int, required=True, help="seed (same seed, same plan)")
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.add_argument("--rounds", type=int, help="number of rounds (default from settings)")
    p.add_argument("--mix", help=f"comma-separated round kinds, in order ({','.join(ROUND_KINDS)})")
    p.set_defaults(func=run)


def parse_mix(text: str) -> tuple[RoundKind, ...]:
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in ROUND_KINDS]
    if unknown or not kinds:
        raise ValueError(
            f"--mix: unknown round kind(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(ROUND_KINDS)}"
        )
    return tuple(cast(RoundKind, k) for k in kinds)


def run(args: argparse.Namespace) -> int:
    """Build and print the plan; 2 on a bad deck or option."""
    try:
        deck = load_deck(deck_path(args.deck)).to_rules()
        settings = Settings()
        if args.rounds is not None:
            if args.rounds < 1:
                raise ValueError("--rounds must be at least 1")
            settings = dataclasses.replace(settings, rounds=args.rounds)
        if args.mix is not None:
            settings = dataclasses.replace(settings, round_mix=parse_mix(args.mix))
        plan = make_plan(deck, settings, args.seed)
    except (DeckError, ValueError) as exc:
        print(f"cardcade plan: {exc}", file=sys.stderr)
        return 2
    left_out = plan_report(deck, settings).sentences()
    if args.json:
        print(json.dumps(plan_to_json(plan), ensure_ascii=False, indent=2))
        for line in left_out:
            print(line, file=sys.stderr)
    else:
        print(f"{deck.title} — {len(plan)} rounds, seed {args.seed}")
        for line in left_out:
            print(line)
        for n, rnd in enumerate(plan, 1):
            print()
            print("\n".join(describe(n, rnd)))
    return 0


def describe(n: int, rnd: Round) -> list[str]:
    """Lines showing round `n`: kind, prompt, items, and the key resolved to texts."""
    return [f"Round {n}: {rnd.kind} ({rnd.time_limit_ms // 1000} s, {rnd.points} points)",
            f"  {rnd.public['prompt']}",
            *rounds.rules(rnd.kind).describe(rnd.public, rnd.key)]
