"""The `cardcade` command: each subcommand lives in the module that owns its job."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Modules that add subcommands; each has `register(subparsers)` setting `func` on its parser.
COMMAND_MODULES = ("decks.cli", "server.plan_cmd", "server.serve_cmd", "server.protocol_cmd",
                   "server.bots_cmd", "server.competition_cmd")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cardcade", description="Live quiz games from decks.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
