"""Opaque per-round item ids, drawn from a passed `random.Random`.

Ids shown to players must not leak the key: they are random tokens, never card or event
ids, never containing a category name or a run of digits that could read as a year.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from itertools import pairwise

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 6
_DIGITS = frozenset("23456789")


def _acceptable(token: str, taken: set[str], forbidden: tuple[str, ...]) -> bool:
    if token in taken:
        return False
    if any(a in _DIGITS and b in _DIGITS for a, b in pairwise(token)):
        return False  # no two digits in a row: nothing that looks like a date
    return not any(f in token for f in forbidden)


def tokens(rng: random.Random, count: int, forbidden: Iterable[str] = ()) -> list[str]:
    """`count` distinct tokens of `LENGTH` chars from `ALPHABET`.

    A token never contains any of `forbidden` (case-insensitive; strings shorter than 2
    chars are ignored), e.g. the round's category names and card ids.
    """
    avoid = tuple(sorted({f.casefold() for f in forbidden if len(f) >= 2}))
    out: list[str] = []
    taken: set[str] = set()
    while len(out) < count:
        token = "".join(rng.choice(ALPHABET) for _ in range(LENGTH))
        if _acceptable(token, taken, avoid):
            taken.add(token)
            out.append(token)
    return out
