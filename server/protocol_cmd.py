"""`cardcade protocol schema`: print the wire protocol's JSON Schema."""

from __future__ import annotations

import argparse
import json

from server import protocol


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("protocol", help="the WebSocket protocol")
    inner = parser.add_subparsers(dest="what", required=True)
    schema = inner.add_parser("schema", help="print the JSON Schema of every message")
    schema.set_defaults(func=lambda _args: print(json.dumps(protocol.schema(), indent=2)))
