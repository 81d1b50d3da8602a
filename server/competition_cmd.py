"""`cardcade competition create|close|leaderboard`: competitions over the server's HTTP API.

`create` posts the deck (a bundled deck's name, or a deck or export file, sent as an
upload) and the settings to `POST /api/competitions` of a running server (`--url`, or
CARDCADE_URL, default http://127.0.0.1:8000) and prints the competition id, the organiser
token and the host key that hosts need to bring their rooms in.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from game_rules.model import ROUND_KINDS
from server.deck_source import DEFAULT_DECK
from server.plan_cmd import parse_mix

DEFAULT_URL = "http://127.0.0.1:8000"


def register(subparsers: Any) -> None:
    """Add the `competition` subcommand and its actions."""
    p = subparsers.add_parser("competition", help="create, close or show a competition",
                              description=__doc__,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create a competition from a deck and settings")
    create.add_argument("--deck", default=DEFAULT_DECK,
                        help="a bundled deck's name, or a deck file (TOML, Knowt, Quizlet, "
                             f"CSV, Anki text); default {DEFAULT_DECK}")
    create.add_argument("--name", required=True, help="the competition's name, shown to all")
    create.add_argument("--rounds", type=int, help="rounds (default 8)")
    create.add_argument("--mix", help=f"round kinds, comma-separated ({','.join(ROUND_KINDS)})")
    create.add_argument("--time-limit", type=int, help="seconds per round (default 20)")
    create.add_argument("--points", type=int, help="points of a round (default 1000)")
    create.add_argument("--max-players", type=int, help="players per room (default 100)")
    create.add_argument("--items", type=int, help="items in match, sort, order (default 4)")
    create.add_argument("--no-speed-scoring", action="store_true", help="no points for speed")
    create.add_argument("--no-streak-bonus", action="store_true", help="no streak bonus")
    create.add_argument("--no-late-join", action="store_true", help="no joining once started")
    create.add_argument("--no-name-filter", action="store_true", help="no profanity filter")
    create.add_argument("--seed", type=int, help="seed of the plan (default: random)")
    for action in (create, *_token_actions(actions)):
        action.add_argument("--url", default=os.environ.get("CARDCADE_URL", DEFAULT_URL),
                            help=f"the server (default CARDCADE_URL or {DEFAULT_URL})")
        action.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=run)


def _token_actions(actions: Any) -> list[Any]:
    close = actions.add_parser("close", help="close a competition: no more rooms, board frozen")
    close.add_argument("id", help="the competition id")
    close.add_argument("--token", required=True, help="the organiser token")
    board = actions.add_parser("leaderboard", help="print a competition's leaderboard")
    board.add_argument("id", help="the competition id")
    board.add_argument("--limit", type=int, help="only the first N rows")
    return [close, board]


def create_body(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON body of `POST /api/competitions` from the command's options."""
    options = {"rounds": args.rounds, "time_limit_s": args.time_limit, "points": args.points,
               "max_players": args.max_players, "items_per_round": args.items}
    settings: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    if args.mix:
        settings["round_mix"] = list(parse_mix(args.mix))
    for flag, field in (("no_speed_scoring", "speed_scoring"), ("no_streak_bonus", "streak_bonus"),
                        ("no_late_join", "late_join"), ("no_name_filter", "name_filter")):
        if getattr(args, flag):
            settings[field] = False
    body: dict[str, Any] = {"name": args.name, "settings": settings}
    path = Path(args.deck)
    if path.is_file():
        body["upload"] = {"filename": path.name, "text": path.read_text(encoding="utf-8")}
    else:
        body["deck"] = args.deck
    if args.seed is not None:
        body["seed"] = args.seed
    return body


def call(url: str, method: str, token: str | None = None,
         body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    """(status, JSON answer) of one API request."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def run(args: argparse.Namespace) -> int:
    """Do the action; 1 when the server refuses it, 2 when it cannot be reached."""
    base = args.url.rstrip("/") + "/api/competitions"
    try:
        if args.action == "create":
            status, answer = call(base, "POST", body=create_body(args))
        elif args.action == "close":
            status, answer = call(f"{base}/{args.id}/close", "POST", token=args.token)
        else:
            limit = f"?limit={args.limit}" if args.limit else ""
            status, answer = call(f"{base}/{args.id}/leaderboard.json{limit}", "GET")
    except (OSError, ValueError) as exc:
        print(f"cardcade competition: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 2
    if status >= 400:
        print(f"cardcade competition: {answer.get('message', status)}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(answer, ensure_ascii=False, indent=2))
    elif args.action == "create":
        print(f"Competition {answer['competition']} ({answer['name']}), "
              f"{answer['plan']['rounds']} rounds\n"
              f"  host key (for hosts, to bring a room in): {answer['host_key']}\n"
              f"  organiser token (keep it: close, export): {answer['organiser_token']}\n"
              f"  hosts open:  {answer['host_url']}\n"
              f"  scoreboard:  {answer['scoreboard_url']}")
    elif args.action == "close":
        print(f"Competition {answer['competition']} is closed.")
    else:
        print(f"{answer['name']}: {answer['players']} players in {answer['rooms']} rooms"
              f"{' (closed)' if answer['closed'] else ''}")
        for row in answer["rows"]:
            print(f"{row['rank']:>5}  {row['score']:>7}  {row['room']}  {row['nickname']}")
    return 0
