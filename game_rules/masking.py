"""Masking names in displayed text, so that a round asking "who argued this?" cannot be
answered by reading the prompt. Pure stdlib; `decks` reuses it.

A name is masked only as a whole word and case-sensitively: "Kotkin", "Kotkin's" and
"Kotkin’s" are masked, "Kotkinson" and "kotkin" are not. Several-word names ("Sheila
Fitzpatrick") match across any run of whitespace, and longer names win over shorter ones
so that "Sheila Fitzpatrick" becomes one placeholder, not "Sheila [historian]".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["mask", "name_pattern"]


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
