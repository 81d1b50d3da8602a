"""Masking a card's category (e.g. the historian) in the text shown to players.

The matching itself lives in `game_rules.masking` (pure, used by the round rules too);
this module adds the deck-side view: a category name plus its aliases.
"""

from __future__ import annotations

from collections.abc import Iterable

from game_rules.masking import mask as mask_names

PLACEHOLDER = "[historian]"

__all__ = ["PLACEHOLDER", "mask", "mask_names"]


def mask(
    text: str, category: str | None, aliases: Iterable[str] = (), placeholder: str = PLACEHOLDER
) -> str:
    """Hide `category` and its `aliases` (e.g. "Sheila Fitzpatrick") in `text`.

    "Fitzpatrick’s" becomes "[historian]’s"; other names and longer words that merely
    contain the name ("Kotkinson") are left alone. No category: text is unchanged.
    """
    if not category:
        return text
    return mask_names(text, [category, *aliases], placeholder)
