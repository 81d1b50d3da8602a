"""docs/protocol.md stays in step with the code: every message type, every error code, and
every JSON example valid against the protocol models."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel, ValidationError

from server import protocol as p

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "protocol.md"
CODE_SOURCES = (ROOT / "server" / "connection.py", ROOT / "game_rules" / "machine.py")

REFUSED = re.compile(r'Refused\(\s*"([a-z_]+)"')
REJECT = re.compile(r'_reject\(\s*state\s*,\s*\w+\s*,\s*"([a-z_]+)"')
ERROR_CALL = re.compile(r'\.error\(\s*"([a-z_]+)"')  # Connection.error("code", ...)
JSON_BLOCK = re.compile(r"^```json[ \t]*\n(.*?)^```", re.S | re.M)
PARTIAL = re.compile(r"<!--\s*partial\b.*?-->\s*$", re.I | re.S)


def _types(union: Any) -> list[str]:
    models: tuple[type[BaseModel], ...] = get_args(get_args(union)[0])
    return [get_args(m.model_fields["type"].annotation)[0] for m in models]


CLIENT_TYPES = _types(p.ClientMessage)
SERVER_TYPES = _types(p.ServerMessage)


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _json_blocks() -> list[tuple[int, str]]:
    """(line number, text) of every ```json block not marked partial just before it."""
    text = _doc()
    blocks = []
    for match in JSON_BLOCK.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        if PARTIAL.search(before):
            continue
        blocks.append((text.count("\n", 0, match.start()) + 1, match.group(1)))
    return blocks


def _error_codes() -> set[str]:
    codes: set[str] = set()
    for path in CODE_SOURCES:
        source = path.read_text(encoding="utf-8")
        codes.update(REFUSED.findall(source))
        codes.update(REJECT.findall(source))
        codes.update(ERROR_CALL.findall(source))
    return codes


def test_union_type_lists_are_found() -> None:
    assert tuple(CLIENT_TYPES) == p.CLIENT_TYPES
    assert "room" in SERVER_TYPES and "error" in SERVER_TYPES


@pytest.mark.parametrize(
    ("direction", "name"),
    [("client", t) for t in CLIENT_TYPES] + [("server", t) for t in SERVER_TYPES],
)
def test_every_message_type_is_documented(direction: str, name: str) -> None:
    mention = f"`{name}`"
    lines = _doc().splitlines()
    in_heading = any(line.startswith("#") and mention in line for line in lines)
    in_table = any(line.startswith("|") and mention in line for line in lines)
    assert in_heading or in_table, f"{direction} message {name!r} is not in docs/protocol.md"


def test_error_codes_are_found_in_the_code() -> None:
    codes = _error_codes()
    # A sample of both sources, so that a broken regex cannot pass silently.
    assert {"malformed", "not_host", "bad_token"} <= codes
    assert {"wrong_round", "bad_phase", "nickname_taken"} <= codes


def test_every_error_code_is_documented() -> None:
    doc = _doc()
    missing = sorted(code for code in _error_codes() if f"`{code}`" not in doc)
    assert not missing, f"error codes missing from docs/protocol.md: {missing}"


def test_limits_and_version_are_documented() -> None:
    doc = _doc()
    assert f"{p.MAX_FRAME_BYTES // 1024} KiB" in doc
    assert f"(version {p.PROTOCOL_VERSION})" in doc
    assert f"| 1–{p.MAX_PLAYERS:,} |".replace(",", " ") in doc  # the max_players range


def test_doc_has_json_examples_of_every_message() -> None:
    seen: set[str] = set()
    for _line, block in _json_blocks():
        data = json.loads(block)
        if isinstance(data, dict) and isinstance(data.get("type"), str):
            seen.add(data["type"])
    missing = sorted(set(CLIENT_TYPES + SERVER_TYPES) - seen)
    assert not missing, f"no JSON example of: {missing}"


@pytest.mark.parametrize(("line", "block"), _json_blocks(), ids=lambda v: str(v)[:40])
def test_json_example_is_valid(line: int, block: str) -> None:
    try:
        data = json.loads(block)
    except json.JSONDecodeError as exc:
        pytest.fail(f"docs/protocol.md line {line}: not valid JSON: {exc}")
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return  # a fragment (round public data, key, HTTP body): parsing is enough
    kind = data["type"]
    adapters = []
    if kind in CLIENT_TYPES:
        adapters.append(("client", p.client_adapter))
    if kind in SERVER_TYPES:
        adapters.append(("server", p.server_adapter))
    if not adapters:
        return  # not a protocol message
    # `host` is both a client command and a server view: one of them must accept it.
    errors = []
    for direction, adapter in adapters:
        try:
            adapter.validate_python(data)
            return
        except ValidationError as exc:
            errors.append(f"as {direction} message: {exc}")
    pytest.fail(f"docs/protocol.md line {line}: {kind!r} example is invalid\n" + "\n".join(errors))
