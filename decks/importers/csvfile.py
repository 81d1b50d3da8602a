"""CSV with a header row. Columns in any order, names case-insensitive, with synonyms:
prompt (term, question, front), answer (definition, back), category (topic, historian),
claim (short answer, summary), date (year, when) and tags (tag, labels, keywords). A date
becomes an event of its card; tags are split at commas and semicolons.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from decks import limits
from decks.importers.common import ImportResult, RawCard, build_deck, split_tags
from decks.io import DeckError

__all__ = ["COLUMNS", "looks_like", "map_columns", "parse"]

COLUMNS: dict[str, tuple[str, ...]] = {
    "prompt": ("prompt", "term", "question", "front", "q", "word", "card", "text"),
    "answer": ("answer", "definition", "back", "a", "meaning", "response", "explanation",
               "extra"),
    "category": ("category", "topic", "historian", "group", "section", "subject", "deck"),
    "claim": ("claim", "short", "shortanswer", "summary", "short form", "shortform"),
    "date": ("date", "year", "when", "dates"),
    "tags": ("tags", "tag", "labels", "keywords"),
}
_LOOKUP = {re.sub(r"[^a-z]", "", syn): key for key, syns in COLUMNS.items() for syn in syns}


def map_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """{field: column index} for the recognised header cells, and the unrecognised names."""
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    for index, name in enumerate(header):
        key = _LOOKUP.get(re.sub(r"[^a-z]", "", name.strip().lower()))
        if key is None or key in mapping:
            if name.strip():
                unknown.append(name.strip())
            continue
        mapping[key] = index
    return mapping, unknown


def _delimiter(text: str) -> str:
    """The header row's delimiter: comma, semicolon, tab or pipe (quoting is always Excel's)."""
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def looks_like(text: str) -> bool:
    """Is the first row a header naming at least a prompt and an answer column?"""
    text = text.lstrip("\ufeff")
    rows = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    try:
        header = next(rows, [])
    except csv.Error:  # e.g. a field over the csv module's limit: not a header row
        return False
    mapping, _ = map_columns(header)
    return "prompt" in mapping and "answer" in mapping


def read_rows(reader: Iterator[list[str]]) -> list[list[str]]:
    """The rows of a csv reader; the csv module's errors as `DeckError`s (a field over its
    limit of 131,072 characters, a NUL character ...)."""
    try:
        return list(reader)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise limits.current().field_too_long(csv.field_size_limit()) from None
        raise DeckError(f"the file cannot be read as CSV ({exc})") from None


def parse(text: str, *, title: str = "CSV deck", source: str | None = None) -> ImportResult:
    """Read CSV text (comma, semicolon, tab or pipe separated; quoted newlines allowed)."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DeckError(f"{source or 'input'}: the file is empty", reason="empty")
    rows = read_rows(csv.reader(io.StringIO(text), delimiter=_delimiter(text)))
    header = rows[0]
    mapping, unknown = map_columns(header)
    if "prompt" not in mapping or "answer" not in mapping:
        raise DeckError(
            f"{source or 'input'}: the first row is not a header naming a prompt column "
            f"({', '.join(COLUMNS['prompt'][:4])}) and an answer column "
            f"({', '.join(COLUMNS['answer'][:3])}); found {header[:5]!r}"
        )
    warnings = [f"ignoring column {name!r}" for name in unknown]
    raw: list[RawCard] = []
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(key: str, row: list[str] = row) -> str | None:
            index = mapping.get(key)
            return row[index] if index is not None and index < len(row) else None

        raw.append(RawCard(prompt=cell("prompt") or "", answer=cell("answer") or "",
                           where=f"row {number}", category=(cell("category") or "").strip()
                           or None, claim=cell("claim"), date=cell("date"),
                           tags=split_tags(cell("tags") or "")))
    if not raw:
        raise DeckError(f"{source or 'input'}: the header has no rows under it",
                        reason="no_cards")
    return build_deck(title, raw, warnings, source)
