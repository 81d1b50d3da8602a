"""Importers from outside flashcard formats into the project's deck format.

Each format module has `parse(text, ...) -> ImportResult` (a `DeckFile` and a list of
warnings) and `looks_like(text) -> bool` for detection. `import_file` picks one by name
or by looking at the file, and (unless `events=False`) adds the timeline events that
`decks.timeline.propose_events` finds in the cards.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from decks.importers import anki, csvfile, knowt, quizlet
from decks.importers.common import ImportResult, title_from_name
from decks.io import DeckError
from decks.limits import NO_LIMITS, Limits, applied
from decks.timeline import with_proposed_events

__all__ = ["FORMATS", "ImportResult", "detect_format", "import_file", "import_text"]

FORMATS = ("knowt", "quizlet", "csv", "anki")


def detect_format(text: str, filename: str | None = None) -> str:
    """The format of `text`: Anki headers, Knowt card headers, a CSV header row, or a
    tab-separated Quizlet export; a '.csv' name means CSV. Raises DeckError otherwise.
    """
    if anki.looks_like(text):
        return "anki"
    if knowt.looks_like(text):
        return "knowt"
    if csvfile.looks_like(text) or (filename or "").lower().endswith(".csv"):
        return "csv"
    if quizlet.looks_like(text):
        return "quizlet"
    raise DeckError(f"{filename or 'input'}: cannot tell the format (one of "
                    f"{', '.join(FORMATS)})", reason="unknown_format")


def import_text(
    text: str,
    fmt: str | None = None,
    *,
    filename: str | None = None,
    title: str | None = None,
    term_sep: str = "\t",
    card_sep: str = "\n",
    events: bool = True,
    limits: Limits = NO_LIMITS,
) -> ImportResult:
    """Import deck text in format `fmt` (detected when None).

    `filename` (recorded as the deck's `source`) helps detection and names the input in
    messages. `title` defaults to the page title (Knowt), the Anki deck name, or the file
    name. `term_sep`/`card_sep` apply to Quizlet exports. With `events` (the default),
    timeline events proposed from the dates in the cards are added. A deck over one of
    `limits` raises `DeckError` (reason "too_large"; see `decks.limits`).
    """
    limits.check_text(text)
    with applied(limits):
        result = _parse(text, fmt, filename=filename, title=title, term_sep=term_sep,
                        card_sep=card_sep)
    if events:
        result = ImportResult(with_proposed_events(result.deck), result.warnings)
    return result


def _parse(text: str, fmt: str | None, *, filename: str | None, title: str | None,
           term_sep: str, card_sep: str) -> ImportResult:
    """The deck of `text` as the format's importer reads it (see `import_text`)."""
    if fmt is not None and fmt not in FORMATS:
        raise DeckError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    source = Path(filename).name if filename else None
    if not text.strip():
        raise DeckError(f"{source or 'input'}: the file is empty", reason="empty")
    fmt = fmt or detect_format(text, source)
    fallback = title or title_from_name(Path(source).stem if source else "")
    if fmt == "knowt":
        return knowt.parse(text, title=title, source=source)
    if fmt == "quizlet":
        return quizlet.parse(text, term_sep=term_sep, card_sep=card_sep, title=fallback,
                             source=source)
    if fmt == "csv":
        return csvfile.parse(text, title=fallback, source=source)
    if fmt == "anki":
        result = anki.parse(text, title=fallback, source=source)
        if title:  # an explicit title wins over the deck name in the export
            result = ImportResult(result.deck.model_copy(update={"title": title}),
                                  result.warnings)
        return result
    raise AssertionError(fmt)  # pragma: no cover


def import_file(
    path: str | os.PathLike[str], fmt: str | None = None, *, events: bool = True,
    **options: Any
) -> ImportResult:
    """Import the file at `path`; see `import_text` for `fmt`, `events` and the options."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeckError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return import_text(data.decode("utf-8-sig"), fmt, filename=path.name, events=events,
                           **options)
    except UnicodeDecodeError:
        result = import_text(data.decode("cp1252", errors="replace"), fmt, filename=path.name,
                             events=events, **options)
        result.warnings.insert(0, f"{path.name} is not UTF-8; read it as Windows-1252")
        return result
