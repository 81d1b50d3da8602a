"""Reading and writing deck files (TOML), and finding the decks bundled with the package.

`load_deck` turns every problem into a `DeckError` whose message names the file, the
card (its number, id and line) and the field, so a person editing the TOML can fix it.
`save_deck` writes atomically: a failure never leaves a half-written or clobbered file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from decks.model import DeckFile

__all__ = [
    "DeckError",
    "bundled_deck_path",
    "deck_path",
    "deck_to_toml",
    "list_bundled",
    "load_deck",
    "parse_deck",
    "save_deck",
    "schema_json",
]

BUNDLED_DIR = Path(__file__).resolve().parent
_SECTIONS = {"cards": "card", "events": "event", "categories": "category"}


class DeckError(Exception):
    """A deck that cannot be read, imported or written. `problems` lists each finding;
    `reason` names the cause for programs: "unknown_deck", "unknown_format", "empty",
    "no_cards" or "invalid" (anything else)."""

    def __init__(self, message: str, problems: list[str] | None = None,
                 reason: str = "invalid") -> None:
        super().__init__(message)
        self.problems = problems or [message]
        self.reason = reason


def load_deck(path: str | os.PathLike[str]) -> DeckFile:
    """Read and validate the deck file at `path`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DeckError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DeckError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise DeckError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_deck(text, name=str(path))


def parse_deck(text: str, name: str = "<deck>") -> DeckFile:
    """Validate deck TOML `text`; `name` is used in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeckError(f"{name}: TOML syntax error: {_toml_message(exc)}") from None
    try:
        return DeckFile.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(err, data, text) for err in exc.errors()]
        head = f"{name}: invalid deck ({len(problems)} problem{'s' * (len(problems) > 1)})"
        raise DeckError(
            "\n".join([head, *(f"  {p}" for p in problems)]), [f"{name}: {p}" for p in problems]
        ) from None


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    """'Invalid value (at line 3, column 9)' -> 'line 3, column 9: invalid value'."""
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if found is None:
        return message
    reason = message[: found.start()].strip()
    return f"line {found[1]}, column {found[2]}: {reason[:1].lower()}{reason[1:]}"


def _describe(err: Any, data: dict[str, Any], text: str) -> str:
    """One pydantic error as 'card 3 (id 'c…', line 12), field 'answer': message'."""
    loc = tuple(err.get("loc", ()))
    message = str(err.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if err.get("type") == "extra_forbidden":
        message = "unknown field"
    elif err.get("type") == "missing":
        message = "missing"
    where: list[str] = []
    rest = loc
    if len(loc) >= 2 and loc[0] in _SECTIONS and isinstance(loc[1], int):
        section, index = str(loc[0]), loc[1]
        items = data.get(section)
        item = items[index] if isinstance(items, list) and index < len(items) else None
        label = f"{_SECTIONS[section]} {index + 1}"
        details = []
        if isinstance(item, dict) and isinstance(item.get("id") or item.get("name"), str):
            key = "id" if "id" in item else "name"
            details.append(f"{key} {item[key]!r}")
        line = _table_line(text, section, index)
        if line is not None:
            details.append(f"line {line}")
        where.append(f"{label} ({', '.join(details)})" if details else label)
        rest = loc[2:]
    if rest:
        where.append("field " + repr(".".join(str(p) for p in rest)))
    return f"{', '.join(where)}: {message}" if where else message


def _table_line(text: str, section: str, index: int) -> int | None:
    """Line number of the `index`-th `[[section]]` header in the TOML text, if written so."""
    header = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(section)}[ \t]*\]\]", re.MULTILINE)
    for count, match in enumerate(header.finditer(text)):
        if count == index:
            return text.count("\n", 0, match.start()) + 1
    return None


def deck_to_toml(deck: DeckFile, schema: str | None = None) -> str:
    """The TOML text of `deck` (validated again first); `schema` adds a `#:schema` line."""
    data = deck.model_dump(mode="json", exclude_none=True)
    try:
        DeckFile.model_validate(data)
    except ValidationError as exc:
        problems = [_describe(err, data, "") for err in exc.errors()]
        raise DeckError("refusing to write an invalid deck: " + "; ".join(problems)) from None
    for category in data.get("categories", []):
        if not category.get("aliases"):
            category.pop("aliases", None)
    for card in data.get("cards", []):
        if not card.get("tags"):
            card.pop("tags", None)
    if data.get("category_noun") == DeckFile.model_fields["category_noun"].default:
        data.pop("category_noun")
    ordered = {k: data[k] for k in ("title", "source", "category_noun", "categories", "cards",
                                    "events") if data.get(k) not in (None, [])}
    body = tomli_w.dumps(ordered, multiline_strings=True)
    return (f"#:schema {schema}\n" if schema else "") + body


def save_deck(deck: DeckFile, path: str | os.PathLike[str], schema: str | None = None) -> None:
    """Write `deck` as TOML to `path` atomically (temp file in the same folder + rename)."""
    path = Path(path)
    text = deck_to_toml(deck, schema)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise DeckError(f"{path}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def list_bundled() -> list[str]:
    """Names of the decks shipped with the package (decks/*.toml), sorted."""
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.toml"))


def deck_path(name: str) -> Path:
    """A deck file named on a command line: a path (an existing file, anything ending in
    .toml or holding a folder separator), else the bundled deck of that name."""
    path = Path(name)
    if path.is_file() or path.suffix == ".toml" or "/" in name or "\\" in name:
        return path
    return bundled_deck_path(name)


def bundled_deck_path(name: str) -> Path:
    """Path of the bundled deck `name` (with or without '.toml')."""
    stem = name.removesuffix(".toml")
    path = BUNDLED_DIR / f"{stem}.toml"
    if "/" in stem or "\\" in stem or not path.is_file():
        available = ", ".join(list_bundled()) or "none"
        raise DeckError(f"no bundled deck {name!r} (available: {available})",
                        reason="unknown_deck")
    return path


def schema_json() -> str:
    """The JSON Schema of deck files (committed as docs/deck.schema.json)."""
    schema = DeckFile.model_json_schema()
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
