"""Quizlet "Export" text: term and definition separated by a tab (or a custom separator),
cards separated by newlines (or a custom separator such as ';').
"""

from __future__ import annotations

from decks.importers.common import ImportResult, RawCard, build_deck, clean
from decks.io import DeckError

__all__ = ["decode_separator", "looks_like", "parse"]

_ESCAPES = {"\\t": "\t", "\\n": "\n", "\\r\\n": "\n", "tab": "\t", "newline": "\n"}


def decode_separator(value: str) -> str:
    r"""A separator as typed on a command line: '\t' or 'tab' mean a tab, '\n' a newline."""
    if value in _ESCAPES:
        return _ESCAPES[value]
    return value.replace("\\t", "\t").replace("\\n", "\n")


def looks_like(text: str) -> bool:
    """Most non-empty lines hold a tab: a Quizlet export with its default separators."""
    lines = [line for line in text.splitlines() if line.strip()]
    return bool(lines) and sum("\t" in line for line in lines) >= 0.8 * len(lines)


def parse(
    text: str,
    *,
    term_sep: str = "\t",
    card_sep: str = "\n",
    title: str = "Quizlet deck",
    source: str | None = None,
) -> ImportResult:
    """Read a Quizlet export; chunks without the term separator are skipped with a warning."""
    if not term_sep or not card_sep:
        raise DeckError("the term and card separators must not be empty")
    if term_sep == card_sep:
        raise DeckError("the term and card separators must differ")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw: list[RawCard] = []
    warnings: list[str] = []
    chunks = text.split(card_sep)
    for number, chunk in enumerate(chunks, 1):
        if not chunk.strip():
            continue
        where = f"card {number}"
        if term_sep not in chunk:
            shown = clean(chunk)[:40]
            warnings.append(f"{where} has no term separator {term_sep!r}; skipped: {shown!r}")
            continue
        term, definition = chunk.split(term_sep, 1)
        raw.append(RawCard(prompt=term, answer=definition, where=where))
    if not raw:
        raise DeckError(f"{source or 'input'}: no cards found with term separator {term_sep!r} "
                        f"and card separator {card_sep!r}", reason="no_cards")
    return build_deck(title, raw, warnings, source)
