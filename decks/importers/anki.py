"""Anki "Notes in Plain Text" exports.

The file starts with `#key:value` header lines: `#separator:tab` (or comma, semicolon,
pipe, space, colon, or the character itself), `#html:true`, `#columns:Front<sep>Back`,
`#deck:Name`, `#notetype column:1`, `#deck column:2`, `#tags column:5`, `#guid column:1`.
Rows follow, CSV-quoted where a field holds the separator, a quote or a newline. With
`#html:true` the fields are HTML: tags are removed, `<br>` becomes a newline and entities
are unescaped. Cloze notes ("{{c1::Stalin}} launched ...") become a prompt with a gap.

Tags come from the `#tags column:` (space-separated, as Anki writes them) and the `#tags:`
header (tags for every note). A hierarchical tag keeps its last part ("FR::1789" ->
"1789"), the name a sort round can show as a group; Anki's own "marked" and "leech" are
dropped.
"""

from __future__ import annotations

import csv
import html
import io
import re

from decks import limits
from decks.importers.common import ImportResult, RawCard, build_deck, split_tags
from decks.importers.csvfile import map_columns, read_rows
from decks.io import DeckError

__all__ = ["anki_tags", "looks_like", "parse", "strip_html"]

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ",
              "colon": ":"}
_HEADER = re.compile(r"^#([A-Za-z ]+):(.*)$")
_KNOWN = {"separator", "html", "columns", "deck", "notetype", "tags", "guid column",
          "notetype column", "deck column", "tags column", "if matches"}
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::(.*?))?\}\}", re.S)


def looks_like(text: str) -> bool:
    """Does `text` start with Anki `#separator:` / `#html:` style header lines?"""
    for line in text.lstrip("\ufeff").splitlines()[:12]:
        found = _HEADER.match(line)
        if found is None:
            return False
        if found.group(1).strip().lower() in {"separator", "html", "columns", "notetype column",
                                              "guid column", "deck column", "tags column"}:
            return True
    return False


def strip_html(text: str) -> str:
    """Plain text of an Anki HTML field."""
    text = re.sub(r"(?s)<!--.*?-->", "", text)
    text = re.sub(r"(?is)<(script|style)\b[^>]*>.*?</\1\s*>", "", text)
    text = re.sub(r"(?i)<br\s*/?>", "\n", text)
    text = re.sub(r"(?i)<li\b[^>]*>", "\n- ", text)
    text = re.sub(r"(?i)</?(?:p|h[1-6]|blockquote)\b[^>]*>", "\n\n", text)  # paragraphs
    text = re.sub(r"(?i)<(?:div|ul|ol|tr)\b[^>]*>", "\n", text)  # lines
    text = re.sub(r"(?i)</(?:div|li|ul|ol|tr)\s*>", "", text)
    text = re.sub(r"<[^>]*>", "", text)
    text = re.sub(r"\[sound:[^\]]*\]", "", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_ANKI_OWN_TAGS = {"marked", "leech"}


def anki_tags(text: str) -> list[str]:
    """Anki's space-separated tags: "FR::1789 paris marked" -> ["1789", "paris"]."""
    leaves = (tag.split("::")[-1] for tag in split_tags(text, r"\s+"))
    return [t for t in dict.fromkeys(leaves) if t and t.lower() not in _ANKI_OWN_TAGS]


def _separator(value: str) -> str:
    value = value.strip("\r\n")
    name = value.strip().lower()
    if name in SEPARATORS:
        return SEPARATORS[name]
    if len(value) == 1:
        return value
    raise DeckError(f"unknown Anki separator {value!r} (tab, comma, semicolon, pipe, space, "
                    "colon or a single character)")


def _cloze(text: str) -> tuple[str, str] | None:
    """('… [...] launched ...', 'Stalin') for a cloze note, or None."""
    answers = [m.group(1) for m in _CLOZE.finditer(text)]
    if not answers:
        return None
    prompt = _CLOZE.sub(lambda m: f"[{m.group(2) or '...'}]", text)
    return prompt, "; ".join(dict.fromkeys(answers))


def parse(text: str, *, title: str = "Anki deck", source: str | None = None) -> ImportResult:
    """Read an Anki plain-text export."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if not text.strip():
        raise DeckError(f"{source or 'input'}: the file is empty", reason="empty")
    headers: dict[str, str] = {}
    lines = text.split("\n")
    body_start = 0
    while body_start < len(lines) and (found := _HEADER.match(lines[body_start])):
        headers[found.group(1).strip().lower()] = found.group(2)
        body_start += 1
    warnings = [f"ignoring Anki header #{k}" for k in headers if k not in _KNOWN]
    sep = _separator(headers.get("separator", "tab"))
    is_html = headers.get("html", "false").strip().lower() == "true"
    special: dict[str, int] = {}
    for key in ("guid", "notetype", "deck", "tags"):
        value = headers.get(f"{key} column", "").strip()
        if value:
            if not value.isdigit() or int(value) < 1:
                raise DeckError(f"{source or 'input'}: #{key} column: expected a column "
                                f"number, got {value!r}")
            special[key] = int(value) - 1
    names = read_rows(csv.reader([headers["columns"]], delimiter=sep))[0] \
        if "columns" in headers else []
    rows = read_rows(csv.reader(io.StringIO("\n".join(lines[body_start:])), delimiter=sep,
                                quotechar='"', skipinitialspace=False))

    raw: list[RawCard] = []
    deck_names: set[str] = set()
    fields_at: list[int] = []
    p = a = 0
    tag_column: int | None = special.get("tags")
    shared_tags = anki_tags(headers.get("tags", ""))
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if "deck" in special and special["deck"] < len(row):
            deck_names.add(row[special["deck"]])
        if not fields_at:  # the note's own fields: all columns but guid, notetype, deck, tags
            width = max(len(row), len(names))
            fields_at = [i for i in range(width) if i not in special.values()]
            mapping, _ = map_columns([names[i] if i < len(names) else "" for i in fields_at])
            p = mapping.get("prompt", 0)
            a = mapping.get("answer", 1 if p == 0 else 0)
            if tag_column is None and "tags" in mapping:  # "#columns:Front<tab>Back<tab>Tags"
                tag_column = fields_at[mapping["tags"]]
        fields = [row[i] if i < len(row) else "" for i in fields_at]
        limits.current().check_fields(f"note {len(raw) + 1}", row)  # before the HTML work
        if is_html:
            fields = [strip_html(f) for f in fields]
        where = f"note {len(raw) + 1}"
        prompt = fields[p] if p < len(fields) else ""
        answer = fields[a] if a < len(fields) else ""
        cloze = _cloze(prompt)
        if cloze is not None:
            prompt, cloze_answer = cloze
            answer = cloze_answer + (f"\n\n{answer}" if answer.strip() else "")
        tags = anki_tags(row[tag_column]) if tag_column is not None and tag_column < len(row) \
            else []
        raw.append(RawCard(prompt=prompt, answer=answer, where=where,
                           tags=list(dict.fromkeys([*tags, *shared_tags]))))
    if not raw:
        raise DeckError(f"{source or 'input'}: no notes found", reason="no_cards")
    deck_title = headers.get("deck", "").strip() or (deck_names.pop() if len(deck_names) == 1
                                                      else "")
    deck_title = deck_title.split("::")[-1].strip() or title
    return build_deck(deck_title, raw, warnings, source)
