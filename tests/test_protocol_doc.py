"""docs/protocol.md stays in step with the code: every message type, every error code, and
every JSON example valid against the protocol models."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest
from pydantic import BaseModel, ValidationError

from game_rules.model import ROUND_KINDS
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


# --------------------------------------------------------------------- strictness (issue 10)
#
# The server validates client messages strictly (`"5"`, `5.0` and `true` are not ints), and
# always sends every field of a server message. Every example is therefore checked as JSON
# text, strictly, by the models and by the committed JSON Schema, and server examples must
# show every field; the field tables of sections 6 and 7 must list each model's fields with
# their JSON types, whether they are required, and their bounds.

SCHEMA_FILE = ROOT / "docs" / "protocol.schema.json"
SCHEMA: dict[str, Any] = p.schema()
DIRECTIONS = {"client": "client_to_server", "server": "server_to_client"}


def _models(direction: str) -> dict[str, type[BaseModel]]:
    union = p.ClientMessage if direction == "client" else p.ServerMessage
    models: tuple[type[BaseModel], ...] = get_args(get_args(union)[0])
    return {get_args(m.model_fields["type"].annotation)[0]: m for m in models}


def _validator(direction: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(SCHEMA[DIRECTIONS[direction]])


def _absent(model: type[BaseModel], data: Any, where: str) -> list[str]:
    """Fields of `model` (and of the models nested in it) missing from `data`: a server
    message always carries every field."""
    if not isinstance(data, dict):
        return []
    out = [f"{where}.{name}" for name in model.model_fields if name not in data]
    for name, info in model.model_fields.items():
        nested = _nested_model(info.annotation)
        value = data.get(name)
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            if nested is not None and item is not None:
                out += _absent(nested, item, f"{where}.{name}[{i}]" if isinstance(value, list)
                               else f"{where}.{name}")
    return out


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `X`, `X | None` or `list[X]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _example_errors(text: str) -> list[str]:
    """Why the JSON text of a protocol message example is not what the server takes or sends
    (empty: it is). Tries each direction its `type` belongs to (`host` is in both)."""
    data = json.loads(text)
    errors = []
    for direction in ("client", "server"):
        model = _models(direction).get(data["type"])
        if model is None:
            continue
        adapter = p.client_adapter if direction == "client" else p.server_adapter
        found = []
        try:
            adapter.validate_json(text, strict=True)
        except ValidationError as exc:
            found.append(f"model: {exc}")
        found += [f"schema: {e.message} at {list(e.absolute_path)}"
                  for e in _validator(direction).iter_errors(data)]
        if direction == "server":
            found += [f"always sent, missing: {name}"
                      for name in _absent(model, data, data["type"])]
        if not found:
            return []
        errors += [f"as {direction} message: {e}" for e in found]
    return errors


def _message_blocks() -> list[tuple[int, str]]:
    return [(line, block) for line, block in _json_blocks()
            if isinstance(data := json.loads(block), dict) and isinstance(data.get("type"), str)
            and data["type"] in CLIENT_TYPES + SERVER_TYPES]


@pytest.mark.parametrize(("line", "block"), _message_blocks(), ids=lambda v: str(v)[:40])
def test_json_example_is_exactly_what_the_server_takes_or_sends(line: int, block: str) -> None:
    errors = _example_errors(block)
    assert not errors, f"docs/protocol.md line {line}:\n" + "\n".join(errors)


ANSWER = '{"type": "answer", "round": 0, "answer": {"choice": "5c9jsz"}}'


@pytest.mark.parametrize(("example", "loose"), [
    (ANSWER, ('"round": 0', '"round": "0"')),
    (ANSWER, ('"round": 0', '"round": 0.0')),
    (ANSWER, ('"round": 0', '"round": false')),
    ('{"type": "add_time", "seconds": 10}', ("10", "true")),
    ('{"type": "add_time", "seconds": 10}', ("10", '"10"')),
    ('{"type": "create_room", "seed": 7}', ("7", '"7"')),
    ('{"type": "create_room", "settings": {"rounds": 3}}', ("3", '"3"')),
    ('{"type": "hello", "versions": [1]}', ("[1]", '["1"]')),
    ('{"type": "join", "room": "MGYHV3", "nickname": "Ana"}', ('"Ana"', '"Ana", "x": 1')),
    ('{"type": "ack", "round": 0}', ("0", '"0"')),
    ('{"type": "error", "code": "paused", "message": "Paused.", "reason": null}',
     (', "reason": null', "")),
])
def test_a_loose_example_would_fail(example: str, loose: tuple[str, str]) -> None:
    assert not _example_errors(example)
    assert _example_errors(example.replace(*loose))


def test_committed_schema_is_current() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == p.schema_json(), "run: cardcade protocol schema > docs/protocol.schema.json"


@pytest.mark.parametrize("direction", ["client", "server"])
def test_schema_marks_required_fields(direction: str) -> None:
    """Client: the fields without a default; server: every field (all are always sent)."""
    defs = SCHEMA[DIRECTIONS[direction]]["$defs"]
    seen: set[str] = set()
    todo = list(_models(direction).values())
    while todo:
        model = todo.pop()
        if model.__name__ in seen:
            continue
        seen.add(model.__name__)
        required = set(defs[model.__name__].get("required", []))
        expected = {name for name, info in model.model_fields.items()
                    if direction == "server" or info.is_required()}
        assert required == expected, model.__name__
        assert defs[model.__name__]["additionalProperties"] is False, model.__name__
        todo += [m for info in model.model_fields.values()
                 if (m := _nested_model(info.annotation)) is not None]
    assert seen == set(defs)


# The field tables: `| Field | Type | Required | Notes |` (client), `| Field | Type | Notes |`
# (server) and the settings table `| Field | Type | Default | Range | Meaning |`, under a
# `### \`type\`` heading or an intro line naming the field they describe ("`upload`:",
# "`leaderboard` rows:", "`waiting` and `offline`:").

HEADING = re.compile(r"^### `([a-z_]+)`")
INTRO = re.compile(r"^`([a-z_]+)`(?: and `([a-z_]+)`)?(?: rows)?:\s*$")
NUMBER = re.compile(r"-?\d[\d  ]*")


@dataclass
class Table:
    line: int
    direction: str
    model: type[BaseModel]
    header: list[str]
    rows: list[dict[str, str]]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _field_tables() -> list[Table]:
    lines = _doc().splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith("## 6."))
    end = next(i for i, x in enumerate(lines) if x.startswith("## 8."))
    tables: list[Table] = []
    direction, known, target = "client", [], None  # known: models of the current message
    i = start
    while i < end:
        line = lines[i]
        if line.startswith("## 7."):
            direction = "server"
        if m := HEADING.match(line):
            model = _models(direction)[m.group(1)]
            known, target = [model], model
        elif (m := INTRO.match(line)) and known:
            name = m.group(1)
            owner = next(k for k in known if name in k.model_fields)
            target = _nested_model(owner.model_fields[name].annotation)
            assert target is not None, f"line {i + 1}: {name} is not a nested object"
            known.append(target)
        elif line.startswith("| Field |") and target is not None:
            header = _cells(line)
            rows = []
            i += 2  # the header and the |---| line
            while i < end and lines[i].startswith("|"):
                rows.append(dict(zip(header, _cells(lines[i]), strict=True)))
                i += 1
            tables.append(Table(i + 1, direction, target, header, rows))
            target = None  # the next table needs its own heading or intro line
            continue
        i += 1
    return tables


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[1]]
    return node


def _schema_kinds(node: dict[str, Any], defs: dict[str, Any]) -> tuple[frozenset[str], ...]:
    """(JSON types, enum values, item JSON types, item enum values) of a schema node."""
    node = _resolve(node, defs)
    parts = [_resolve(x, defs) for x in node.get("anyOf", [node])]
    types = frozenset(x.get("type", "object") for x in parts)
    enums = frozenset(str(v) for x in parts for v in x.get("enum", [x["const"]] if "const"
                                                            in x else []))
    items = [x["items"] for x in parts if "items" in x]
    item_types, item_enums = (_schema_kinds(items[0], defs)[:2] if items
                              else (frozenset(), frozenset()))
    return types, enums, item_types, item_enums


WORDS = {"int": "integer", "string": "string", "bool": "boolean", "object": "object",
         "array": "array", "null": "null"}


def _doc_kinds(text: str) -> tuple[frozenset[str], ...]:
    """The same, read from a Type cell: `int or null`, `"a"`, `"b"`, `array of int`,
    `array of {"id", "text"}`, `array of kinds`, `int ≥ 0`."""
    text = re.sub(r"≥\s*\d+", "", text)
    of = ""
    if text.startswith("array of "):
        text, of = "array", text.removeprefix("array of ")
    def read(part: str) -> tuple[frozenset[str], frozenset[str]]:
        if part.strip() == "kinds":
            return frozenset({"string"}), frozenset(ROUND_KINDS)
        if "{" in part:
            return frozenset({"object"}), frozenset()
        enums = frozenset(re.findall(r'"([a-z_]+)"', part))
        words = re.findall(r"\b[a-z]+\b", re.sub(r'"[a-z_]+"', "", part))
        types = frozenset(WORDS[w] for w in words if w in WORDS)
        return types | ({"string"} if enums else set()), enums
    types, enums = read(text)
    item_types, item_enums = read(of) if of else (frozenset(), frozenset())
    return types, enums, item_types, item_enums


def _spaced(n: int) -> set[str]:
    """How the document may write a bound: 524288, 524 288 or 10 000."""
    digits = str(abs(n))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return {str(abs(n)), " ".join(groups), " ".join(groups)}


def test_field_tables_are_found() -> None:
    tables = _field_tables()
    documented = {(t.direction, t.model.__name__) for t in tables}
    for direction in ("client", "server"):
        for name in SCHEMA[DIRECTIONS[direction]]["$defs"]:
            assert (direction, name) in documented, f"no field table for {direction} {name}"
    assert len(documented) == len(tables), "a model has two field tables"


@pytest.mark.parametrize("table", _field_tables(),
                         ids=lambda t: f"{t.direction}-{t.model.__name__}")
def test_field_table_matches_the_model(table: Table) -> None:
    model, where = table.model, f"docs/protocol.md table ending line {table.line}"
    defs = SCHEMA[DIRECTIONS[table.direction]]["$defs"]
    props = defs[model.__name__]["properties"]
    names = [r["Field"].strip("`") for r in table.rows]
    assert names == list(model.model_fields), f"{where}: fields {names}"
    for row, name in zip(table.rows, names, strict=True):
        info, node = model.model_fields[name], props[name]
        doc, code = _doc_kinds(row["Type"]), _schema_kinds(node, defs)
        if doc[0] == {"array"} and not doc[2]:  # a bare "array": its rows have a table
            code = (*code[:2], frozenset(), frozenset())
        assert doc == code, f"{where}: {name} is documented as {row['Type']!r}: {doc} != {code}"
        if "Required" in row:
            assert row["Required"] == ("yes" if info.is_required() else "no"), f"{where}: {name}"
        default = info.get_default(call_default_factory=True)
        if "Default" in row and not isinstance(default, list):  # a list is said in words
            assert row["Default"] == json.dumps(default), f"{where}: {name} default {default}"
        bounds = [node.get(k) for k in ("minimum", "maximum", "minLength", "maxLength",
                                         "minItems", "maxItems")]
        bounds += [x.get(k) for x in node.get("anyOf", []) for k in ("minimum", "maximum",
                                                                      "maxLength")]
        text = " ".join(v for k, v in row.items() if k != "Field")
        for bound in (b for b in bounds if b is not None):
            assert any(s in text for s in _spaced(bound)), \
                f"{where}: {name} does not say its bound {bound}"
