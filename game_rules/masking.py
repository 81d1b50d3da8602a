"""Masking names in displayed text, so that a round asking "who argued this?" cannot be
answered by reading the prompt. Pure stdlib; `decks` reuses it.

A name is masked only as a whole word and case-sensitively: "Kotkin", "Kotkin's" and
"Kotkin’s" are masked, "Kotkinson" and "kotkin" are not. Several-word names ("Sheila
Fitzpatrick") match across any run of whitespace, and longer names win over shorter ones
so that "Sheila Fitzpatrick" becomes one placeholder, not "Sheila [historian]".

`mask` puts a placeholder in; `refer` rewrites a name into words that point at it without
naming it ("this historian", "another historian"), which is what players read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

__all__ = ["mask", "name_pattern", "refer"]

SENTENCE_END = ".!?"
OPENERS = " \t\n\"“‘'(["


@lru_cache(maxsize=256)
def _compile(names: tuple[str, ...]) -> re.Pattern[str] | None:
    words = sorted({" ".join(n.split()) for n in names if n.strip()}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, w.split(" "))) for w in words)
    # A possessive suffix is kept (with the text's own apostrophe) after the placeholder.
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:(['’])s)?(?!\w)")


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """The compiled whole-word pattern `mask` uses for `names` (None if there are none)."""
    return _compile(tuple(names))


def mask(text: str, names: Iterable[str], placeholder: str = "[historian]") -> str:
    """Replace every whole-word occurrence of any of `names` in `text` with `placeholder`.

    A possessive keeps its apostrophe: "Fitzpatrick’s view" -> "[historian]’s view".
    Text without any of the names is returned unchanged.
    """
    pattern = _compile(tuple(names))
    if pattern is None:
        return text

    def replace(match: re.Match[str]) -> str:
        apostrophe = match.group(1)
        return placeholder + (f"{apostrophe}s" if apostrophe else "")

    return pattern.sub(replace, text)


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip(OPENERS)
    return not before or before[-1] in SENTENCE_END


def refer(text: str, names: Mapping[str, str], noun: str, own: str | None = None) -> str:
    """`text` with every whole-word name in `names` (name -> whose name it is) rewritten.

    The names of `own` (the card's category; without one, whoever is named first) become
    "this <noun>", anyone else's "another <noun>"; capitalised at a sentence start, with
    possessives kept: "Kotkin’s city, says Lewin" -> "This historian’s city, says another
    historian" (own "Kotkin").
    """
    pattern = _compile(tuple(names))
    if pattern is None:
        return text
    first: list[str] = [own] if own else []
    whose: list[dict[str, str]] = []  # made at the first name found: most texts have none

    def replace(match: re.Match[str]) -> str:
        apostrophe = match.group(1)
        name = match.group(0)[: -2] if apostrophe else match.group(0)
        if not whose:
            whose.append({" ".join(n.split()): who for n, who in names.items()})
        who = whose[0].get(" ".join(name.split()), name)
        if not first:
            first.append(who)
        words = f"{'this' if who == first[0] else 'another'} {noun}"
        if _sentence_start(text, match.start()):
            words = words[0].upper() + words[1:]
        return words + (f"{apostrophe}s" if apostrophe else "")

    return pattern.sub(replace, text)
