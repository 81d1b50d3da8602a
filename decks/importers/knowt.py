"""Knowt flashcard pages copied as text (select all, copy, paste into a file).

The page starts with chrome: the deck title on the first line, then buttons, a "1/159"
progress counter and "160 Terms". Each card follows as a number line, a status line
("New cards", "Still learning", ...), the prompt paragraph and the answer paragraph(s).
"""

from __future__ import annotations

import re

from decks.importers.common import ImportResult, RawCard, build_deck, clean
from decks.io import DeckError

__all__ = ["looks_like", "parse"]

STATUSES = ("new cards", "still learning", "almost done", "mastered", "learning",
            "not studied", "new card", "studying")
_HEADER = re.compile(r"^[ \t]*(\d+)[ \t]*\n[ \t]*(?:" + "|".join(STATUSES) + r")[ \t]*$",
                     re.IGNORECASE | re.MULTILINE)
_TERMS = re.compile(r"^[ \t]*(\d+)[ \t]+Terms?[ \t]*$", re.IGNORECASE | re.MULTILINE)


def looks_like(text: str) -> bool:
    """Does `text` contain Knowt card headers (a number line, then a status line)?"""
    return len(_HEADER.findall(text[:20000])) >= 1


def parse(text: str, *, title: str | None = None, source: str | None = None) -> ImportResult:
    """Read a Knowt page; warns about empty cards and about missing (unloaded) cards."""
    text = clean(text)
    headers = list(_HEADER.finditer(text))
    if not headers:
        raise DeckError(f"{source or 'input'}: not a Knowt page: no numbered cards "
                        "(a number line followed by 'New cards')", reason="no_cards")
    chrome = text[: headers[0].start()]
    page_title = next((line.strip() for line in chrome.split("\n") if line.strip()), "")
    warnings: list[str] = []
    raw: list[RawCard] = []
    previous = 0
    for k, header in enumerate(headers):
        number = int(header.group(1))
        if number != previous + 1:
            warnings.append(f"card numbers jump from {previous} to {number}")
        previous = number
        end = headers[k + 1].start() if k + 1 < len(headers) else len(text)
        body = text[header.end():end].strip()
        paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n", body) if p.strip()]
        if len(paragraphs) == 1 and "\n" in paragraphs[0]:
            paragraphs = paragraphs[0].split("\n", 1)  # no blank line between the two sides
        prompt = paragraphs[0] if paragraphs else ""
        answer = "\n\n".join(paragraphs[1:])
        raw.append(RawCard(prompt=prompt, answer=answer, where=f"card {number}"))
    result = build_deck(title or page_title or "Knowt deck", raw, warnings, source)
    announced = _TERMS.search(chrome)
    if announced and int(announced.group(1)) > len(headers):
        result.warnings.append(
            f"the page announces {announced.group(1)} terms but contains {len(headers)} cards "
            "(Knowt loads cards as you scroll: scroll to the end before copying the page)"
        )
    return result
