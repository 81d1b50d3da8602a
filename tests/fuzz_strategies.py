"""Fuzz input for the wire protocol (issue 10): bad client messages, made fast.

Every generator here is a function of a `random.Random`. The live fuzz test
(tests/test_fuzz_protocol.py) drives them with a seeded `random.Random`, which makes
100,000 messages in a few seconds and replays exactly from the seed it prints;
tests/test_fuzz_protocol.py also drives them offline with hypothesis's `st.randoms()`,
whose draws hypothesis explores and shrinks. (Hypothesis's own `.example()` is far too
slow for 100,000 messages, and a `@given` test cannot hold 300 sockets open across its
examples.)

The message shapes come from the pydantic models of `server.protocol` (fields, types,
ranges, required or not), so a field added there is fuzzed without a change here.

A mutated message is written as JSON text by `dumps`, which also places `Raw` pieces
verbatim: what `json.dumps` cannot write (a lone surrogate escape, 10,000 nested arrays,
`1e400`, `NaN`).
"""

from __future__ import annotations

import json
import random
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel, ValidationError

from server import protocol as p

# ---------------------------------------------------------------------- the models


@dataclass(frozen=True)
class Spec:
    """One field of a client message, read from its pydantic model."""

    path: tuple[str, ...]  # e.g. ("settings", "rounds")
    kind: Literal["int", "str", "bool", "list", "dict", "literal", "model"]
    required: bool
    nullable: bool
    lo: int | None = None
    hi: int | None = None
    min_len: int | None = None
    max_len: int | None = None
    choices: tuple[str, ...] = ()  # a literal's values, or a list's literal items
    item: str | None = None  # a list's item kind: "int" or "literal"
    model: type[BaseModel] | None = None


MODELS: dict[str, type[BaseModel]] = {
    m.model_fields["type"].annotation.__args__[0]: m
    for m in typing.get_args(typing.get_args(p.ClientMessage)[0])
}


def _spec(path: tuple[str, ...], info: Any) -> Spec:
    ann, nullable = info.annotation, False
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(ann))
        ann = args[0]
    bounds: dict[str, Any] = {}
    for meta in info.metadata:
        if isinstance(meta, annotated_types.Ge):
            bounds["lo"] = meta.ge
        elif isinstance(meta, annotated_types.Le):
            bounds["hi"] = meta.le
        elif isinstance(meta, annotated_types.MinLen):
            bounds["min_len"] = meta.min_length
        elif isinstance(meta, annotated_types.MaxLen):
            bounds["max_len"] = meta.max_length
    req = info.is_required()
    origin = typing.get_origin(ann)
    if origin is Literal:
        return Spec(path, "literal", req, nullable, choices=typing.get_args(ann), **bounds)
    if origin is list:
        (item,) = typing.get_args(ann)
        if typing.get_origin(item) is Literal:
            return Spec(path, "list", req, nullable, choices=typing.get_args(item),
                        item="literal", **bounds)
        return Spec(path, "list", req, nullable, item="int", **bounds)
    if origin is dict:
        return Spec(path, "dict", req, nullable, **bounds)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return Spec(path, "model", req, nullable, model=ann)
    kind = {int: "int", str: "str", bool: "bool"}[ann]
    return Spec(path, kind, req, nullable, **bounds)  # type: ignore[arg-type]


def specs(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[Spec]:
    """Every field of `model`, nested models' fields included (after the model's own)."""
    out = []
    for name, info in model.model_fields.items():
        spec = _spec((*prefix, name), info)
        out.append(spec)
        if spec.model is not None:
            out += specs(spec.model, spec.path)
    return out


SPECS: dict[str, list[Spec]] = {t: specs(m) for t, m in MODELS.items()}

# ---------------------------------------------------------------------- JSON text


@dataclass(frozen=True)
class Raw:
    """JSON text placed verbatim by `dumps`."""

    text: str


def dumps(obj: Any, rng: random.Random | None = None) -> str:
    """JSON text of `obj`, with `Raw` pieces verbatim (and, with `rng`, non-ASCII sent as
    is or as escapes, and spaces or none)."""
    raws: list[str] = []

    def swap(node: Any) -> Any:
        if isinstance(node, Raw):
            raws.append(node.text)
            return f"\x00RAW{len(raws) - 1}\x00"
        if isinstance(node, dict):
            return {(swap(k) if isinstance(k, Raw) else k): swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    ascii_only = bool(rng and rng.random() < 0.3)
    compact = (",", ":") if rng and rng.random() < 0.5 else None
    text = json.dumps(swap(obj), ensure_ascii=ascii_only, separators=compact)
    for i, raw in enumerate(raws):
        token = json.dumps(f"\x00RAW{i}\x00", ensure_ascii=ascii_only)
        text = text.replace(token, raw, 1)
    return text


# ---------------------------------------------------------------------- odd values

ODD_TEXT = [
    "", " ", "\x00", "\x00" * 8, "\t\n\r", "\u200b", "\u202e", "\ufeff", "\uffff", "\ufffe",
    "\U0001f600", "\U0010ffff", "\U000e0001", "🏳️‍🌈", "🧑‍🚀", "Z̷̢̛a̶̡l̴̢g̷o̶", "\u0301", "e\u0301",
    "Ｂｏｂ", "Вob", "ﬃ", "ǅ", "İ", "ß", "\u0130\u0131", "א", "\u0600", "<script>", "</script>",
    "%s%n%x", "{0}", "${jndi:x}", "' OR 1=1 --", "\\", '"', "null", "true", "0", "-1", "1e400",
    "NaN", "hello", "ping", "type", "__proto__", "constructor", "A" * 61, "x" * 201,
]
# JSON string literals json.dumps does not write: lone surrogates and escapes.
ODD_RAW_STRINGS = [
    '"\\ud800"', '"\\udfff"', '"\\ud83d"', '"a\\ud800b"', '"\\udc00\\ud800"', '"\\ud800\\u0041"',
    '"\\u0000"', '"\\uDBFF\\uDFFF"', '"\\u00"', '"\\x41"', '"\\q"', '"\t"', '"\u2028"',
]
ODD_RAW_NUMBERS = [
    "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "5e0", "5.0", "-0", "-0.0", "0.0000",
    "1E2", "01", "+1", ".5", "5.", "0x10", "1_000", "9" * 400, "-" + "9" * 400, "9" * 5000,
    "1e-400", "123456789012345678901234567890.5",
]
HUGE_INTS = [10**400, -(10**400), 2**53, 2**53 + 1, -(2**53) - 1, 2**63, 2**64, -(2**63) - 1,
             2**31, -(2**31) - 1, 10**18]
NESTING = [50, 199, 200, 201, 256, 1000]


def nested(rng: random.Random) -> Raw:
    """Deeply nested arrays or objects: 50 to 1,000 levels, now and then 10,000 or 50,000
    (100 KB)."""
    r = rng.random()
    n = 50_000 if r < 0.02 else 10_000 if r < 0.12 else rng.choice(NESTING)
    if rng.random() < 0.5:
        return Raw("[" * n + "]" * n)
    return Raw('{"a":' * n + "1" + "}" * n)


def odd_string(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.5:
        return rng.choice(ODD_TEXT)
    if r < 0.75:
        return Raw(rng.choice(ODD_RAW_STRINGS))
    if r < 0.9:  # a run of random code points (surrogates excluded: json.dumps escapes them)
        return "".join(chr(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0xA0, 0xD800),
                                       rng.randrange(0xE000, 0x110000)]))
                       for _ in range(rng.randrange(1, 40)))
    n = 100_000 if rng.random() < 0.02 else rng.choice([100, 1000, 5000])
    return rng.choice("xé€😀") * n  # now and then a long one (up to 400 KB)


def junk(rng: random.Random, depth: int = 0) -> Any:
    """Any JSON value, odd ones first: huge numbers, odd strings, deep or wide nesting."""
    r = rng.random()
    if r < 0.08:
        return None
    if r < 0.14:
        return rng.random() < 0.5
    if r < 0.28:
        return rng.choice([0, 1, -1, 5, 7, 300, 301, *HUGE_INTS])
    if r < 0.36:
        return rng.choice([0.5, -0.0, 5.0, 1.5, 1e308, -1e308, 1e-308, 3.14])
    if r < 0.44:
        return Raw(rng.choice(ODD_RAW_NUMBERS))
    if r < 0.66:
        return odd_string(rng)
    if r < 0.72:
        return nested(rng)
    if depth >= 3:
        return rng.choice(["x", 1, None])
    if r < 0.8:
        return [junk(rng, depth + 1) for _ in range(rng.choice([0, 1, 2, 3]))]
    if r < 0.83:  # wide and flat
        n = 10_000 if rng.random() < 0.1 else rng.choice([11, 100])
        return Raw("[" + ",".join([rng.choice(["0", '"x"', "null", "1.5", "[]", "{}"])] * n) + "]")
    return {key(rng): junk(rng, depth + 1) for _ in range(rng.choice([0, 1, 2, 3]))}


def key(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.4:
        return rng.choice(["type", "Type", "TYPE", " type", "type ", "extra", "", "__proto__",
                           "room", "round", "answer", "choice", "pairs", "order", "placement",
                           "k" * 5000, "1", "null", "versions", "settings"])
    if r < 0.6:
        return Raw(rng.choice(ODD_RAW_STRINGS))
    s = odd_string(rng)
    return s if isinstance(s, str) else "k"


# ---------------------------------------------------------------------- valid values


def valid_value(rng: random.Random, spec: Spec) -> Any:
    if spec.kind == "int":
        lo = spec.lo if spec.lo is not None else -1000
        hi = spec.hi if spec.hi is not None else lo + 1000
        return rng.choice([lo, hi, rng.randint(lo, hi)])
    if spec.kind == "bool":
        return rng.random() < 0.5
    if spec.kind == "str":
        lo, hi = spec.min_len or 1, min(spec.max_len or 20, 20)
        return "".join(rng.choice("ABCDEFGHJKMNPQRSTUVWXYZ23456789") for _ in range(
            rng.randint(lo, max(lo, hi))))
    if spec.kind == "literal":
        return rng.choice(spec.choices)
    if spec.kind == "list":
        n = rng.randint(spec.min_len or 0, min(spec.max_len or 4, 4))
        if spec.item == "literal":
            return [rng.choice(spec.choices) for _ in range(n)]
        return [rng.randint(1, 3) for _ in range(n)]
    if spec.kind == "dict":
        return {"choice": "abc"}
    assert spec.model is not None
    return {}


def base_message(rng: random.Random, kind: str) -> dict[str, Any]:
    """A valid message of type `kind`: required fields, and some optional ones."""
    msg: dict[str, Any] = {}
    for spec in SPECS[kind]:
        *parent_path, name = spec.path
        parent = msg
        for part in parent_path:
            if not isinstance(parent.get(part), dict):
                break
            parent = parent[part]
        else:
            if spec.required or rng.random() < 0.4:
                parent[name] = valid_value(rng, spec)
    return msg


# ---------------------------------------------------------------------- mutations


def _lookup(msg: dict[str, Any], path: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    """The dict that holds the field at `path` (made on the way if missing), and its name."""
    node = msg
    for part in path[:-1]:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = node[part] = {}
        node = nxt
    return node, path[-1]


def wrong_type(rng: random.Random, spec: Spec) -> Any:
    """A value of another JSON type than `spec` takes (strict mode refuses them all)."""
    pools: dict[str, list[Any]] = {
        "int": ["5", "0", 5.0, 0.5, True, False, [], {}, Raw("5e0"), Raw("5.0"), Raw("1e400")],
        "str": [5, 0, -1, 1.5, True, [], ["x"], {}, {"x": 1}, 10**400],
        "bool": [0, 1, "true", "false", "", [], {}, 1.0, Raw("NaN")],
        "list": ["1", 1, {}, {"0": 1}, True, "[1]"],
        "dict": ["x", 1, [], [["choice", "x"]], True, 0.0],
        "literal": [1, True, [], {}, 0.0],
        "model": ["x", 1, [], True, 0.5],
    }
    value = rng.choice(pools[spec.kind])
    if rng.random() < 0.3:  # or something odder
        value = rng.choice([odd_string(rng), nested(rng), Raw(rng.choice(ODD_RAW_NUMBERS))])
        if spec.kind == "str" and not isinstance(value, Raw):
            value = 7
    return value


def out_of_range(rng: random.Random, spec: Spec) -> Any:
    """A value of the right type that the field's range, length or choices refuse."""
    if spec.kind == "int":
        bad = [*HUGE_INTS] if spec.hi is not None else [-(10**400), -(2**63)]
        if spec.lo is not None:
            bad += [spec.lo - 1, spec.lo - 1000, -(10**400)]
        if spec.hi is not None:
            bad += [spec.hi + 1, 10**400]
        return rng.choice(bad)
    if spec.kind == "str" and (spec.max_len or spec.min_len):
        options = []
        if spec.max_len:
            options += ["x" * (spec.max_len + 1), rng.choice("é😀") * (spec.max_len + 1)]
        if spec.min_len:
            options += [""]
        return rng.choice(options)
    if spec.kind == "literal":
        return rng.choice([c.upper() for c in spec.choices] + ["", " start", "quit", "hello"])
    if spec.kind == "list":
        if spec.item == "literal":
            return rng.choice([[], ["QUIZ"], ["quiz", "bingo"], [None]])
        if spec.max_len:
            return rng.choice([[], [1] * (spec.max_len + 1), Raw("[" + "1," * 9999 + "1]")])
        return []
    return wrong_type(rng, spec)


# Text-level damage to a valid JSON text.
def damage_text(rng: random.Random, text: str) -> str:
    r = rng.random()
    if r < 0.2:
        return text[: rng.randrange(len(text))]  # truncated
    if r < 0.3:
        return text + rng.choice(["}", "]", ",", " x", "{}", "\x00", '"'])
    if r < 0.4:
        return text.replace('"', "'")  # single quotes
    if r < 0.5:
        return text[:-1] + ',}'  # trailing comma
    if r < 0.6:
        return "/* c */" + text
    if r < 0.7:
        return text.replace(":", "=", 1)
    if r < 0.8:
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(["\\", "\x7f", "\x01", "{", "[", '"']) + text[i:]
    if r < 0.9:  # two messages in one frame
        return text + text
    return text.replace("{", "[", 1)


TOP_LEVEL = ["null", "true", "1", "-1", "0.5", '"hello"', '""', "[]", "{}", "[{}]",
             '[{"type":"ping"}]', '{"type":null}', '{"type":1}', '{"type":["ping"]}',
             '{"type":{}}', '{"type":"PING"}', '{"type":"ping "}', '{"type":"pong"}',
             '{"type":"welcome"}', '{"type":"error"}', '{"type":""}', '{"Type":"ping"}',
             "1e400", "9" * 400, "NaN", " ", "\n", "\ufeff{}", "{", "}", "{{}}", '{"type"}',
             '{"type":"ping"', '{"type":"ping"}}', '{"type":"ping",}', "{'type':'ping'}",
             "ping", "hello", "GET / HTTP/1.1", "\x00", "[" * 300, "{" * 300]


def garbage(rng: random.Random) -> str:
    """Text that is not a JSON object at all, or not JSON."""
    r = rng.random()
    if r < 0.5:
        return rng.choice(TOP_LEVEL)
    if r < 0.8:
        return "".join(chr(rng.randrange(0x20, 0x7F)) for _ in range(rng.randrange(1, 80)))
    return dumps(junk(rng), rng)


def mutated(rng: random.Random, kind: str | None = None) -> str:
    """A message of a protocol type (`kind`, else any) that the protocol refuses: a wrong
    type, a value out of range, a missing or extra field, a broken `type`, or damaged
    JSON. The text may accidentally still be valid: see `Fuzzer.invalid`."""
    kind = kind or rng.choice(list(MODELS))
    msg = base_message(rng, kind)
    fields = [s for s in SPECS[kind] if s.path != ("type",)]
    r = rng.random()
    if r < 0.3 and fields:
        spec = rng.choice(fields)
        parent, name = _lookup(msg, spec.path)
        parent[name] = wrong_type(rng, spec)
    elif r < 0.5 and fields:
        spec = rng.choice(fields)
        parent, name = _lookup(msg, spec.path)
        parent[name] = out_of_range(rng, spec)
    elif r < 0.58:
        required = [s for s in SPECS[kind] if s.required]
        spec = rng.choice(required)
        parent, name = _lookup(msg, spec.path)
        parent.pop(name, None)
    elif r < 0.7:
        parent = msg
        models = [s for s in fields if s.kind == "model"]
        if models and rng.random() < 0.5:
            parent, name = _lookup(msg, rng.choice(models).path)
            parent = parent.setdefault(name, {})
        extra = key(rng)
        if extra != "type" and not (isinstance(extra, str) and extra in MODELS[kind].model_fields):
            parent[extra] = junk(rng)
        else:
            parent["extra"] = junk(rng)
    elif r < 0.8:
        msg["type"] = rng.choice([None, 1, True, [], {}, "", kind.upper(), kind + " ", "x" * 1000,
                                  Raw(rng.choice(ODD_RAW_STRINGS)), "pong", "welcome", "error",
                                  odd_string(rng)])
        if rng.random() < 0.3:
            msg.pop("type")
    elif r < 0.9:
        return damage_text(rng, dumps(msg, rng))
    else:  # a field deep in junk
        if not fields:
            msg["type"] = nested(rng)
        else:
            parent, name = _lookup(msg, rng.choice(fields).path)
            parent[name] = nested(rng) if rng.random() < 0.5 else junk(rng)
    return dumps(msg, rng)


def invalid_utf8(rng: random.Random) -> bytes:
    """Bytes that are not UTF-8 (for a binary frame, or a text frame the client forces)."""
    return rng.choice([b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xa0\xa1", b"\xed\xa0\x80",
                       b"\xf4\x90\x80\x80", b"\xc0\xaf", b'{"type":"ping\xff"}',
                       b'{"type":"join","room":"AB","nickname":"\xed\xa0\x80"}',
                       bytes(rng.randrange(256) for _ in range(rng.randrange(64))) + b"\xff"])


def binary(rng: random.Random) -> bytes:
    """A binary frame: a valid message, garbage, or not UTF-8 at all."""
    r = rng.random()
    if r < 0.4:
        return b'{"type":"ping"}'
    if r < 0.7:
        return invalid_utf8(rng)
    return mutated(rng).encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------------- the oracle


def invalid(text: str) -> bool:
    """True if the protocol refuses `text` (the server validates with the same adapter;
    the tests of docs/protocol.md keep the adapter and the document equal)."""
    try:
        p.client_adapter.validate_json(text)
    except ValidationError:
        return True
    return False


def parsed(text: str) -> Any:
    """The validated message, or None if `text` is refused."""
    try:
        return p.client_adapter.validate_json(text)
    except ValidationError:
        return None
