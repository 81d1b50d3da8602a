"""`cardcade protocol schema`: print the wire protocol's JSON Schema (the content of
docs/protocol.schema.json)."""

from __future__ import annotations

import argparse
import sys

from server import protocol


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("protocol", help="the WebSocket protocol")
    inner = parser.add_subparsers(dest="what", required=True)
    schema = inner.add_parser("schema", help="print the JSON Schema of every message "
                                             "(as in docs/protocol.schema.json)")
    schema.set_defaults(func=_print_schema)


def _print_schema(_args: argparse.Namespace) -> int:
    sys.stdout.write(protocol.schema_json())
    return 0
