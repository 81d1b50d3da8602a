"""How much a deck may hold, for decks from untrusted hands (a server's uploads).

A deck over one of the `Limits` raises `DeckError` with reason "too_large" and a sentence
that says which limit and by how much, without repeating the file's name or content.
`decks.importers.import_text(..., limits=...)` checks them as early as it can: the size of
the text before anything is read, each field and the number of cards as soon as the cards
are read, the number of categories before they are worked on (the costly part of an
import grows with cards and categories); `check_deck` checks a parsed deck file (TOML).
No limits (the default) is what `cardcade deck import` uses.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from decks.io import DeckError
from decks.model import DeckFile

__all__ = ["NO_LIMITS", "Limits", "applied", "current"]


@dataclass(frozen=True)
class Limits:
    """The most a deck may hold; None: no limit."""

    bytes: int | None = None  # the file's text, in UTF-8
    cards: int | None = None
    categories: int | None = None
    field: int | None = None  # characters in one field (a prompt, an answer, a category ...)

    def check_text(self, text: str) -> None:
        """The file's size (checked first: it costs a pass over the text, nothing more)."""
        if self.bytes is None or len(text) * 4 <= self.bytes:  # UTF-8: at most 4 a character
            return
        size = len(text.encode("utf-8", errors="surrogatepass"))
        if size > self.bytes:
            raise DeckError(f"The file is {size:,} bytes; a deck file may be at most "
                            f"{self.bytes:,} bytes ({self.bytes / 1024:,.0f} KiB).",
                            reason="too_large")

    def check_cards(self, n: int) -> None:
        if self.cards is not None and n > self.cards:
            raise DeckError(f"The deck has {n:,} cards; a deck may have at most "
                            f"{self.cards:,}.", reason="too_large")

    def check_categories(self, n: int) -> None:
        if self.categories is not None and n > self.categories:
            raise DeckError(f"The deck has {n:,} categories; a deck may have at most "
                            f"{self.categories:,}.", reason="too_large")

    def check_fields(self, where: str, fields: Iterable[str | None]) -> None:
        """Each of the fields of one card (`where`: "row 12", "card 3") fits in `field`."""
        if self.field is None:
            return
        longest = max((len(f) for f in fields if f), default=0)
        if longest > self.field:
            raise DeckError(f"{where[:1].upper()}{where[1:]} has a field of {longest:,} "
                            f"characters; a field may have at most {self.field:,}.",
                            reason="too_large")

    def field_too_long(self, at_least: int) -> DeckError:
        """The error for a field known only to be longer than `at_least` characters (the
        csv module's own limit)."""
        most = f"; a field may have at most {self.field:,}" if self.field is not None else ""
        return DeckError(f"A field is longer than {at_least:,} characters{most}.",
                         reason="too_large")

    def check_deck(self, deck: DeckFile) -> None:
        """All the limits but the size of the text, on a parsed deck file."""
        self.check_cards(len(deck.cards))
        names = {c.name for c in deck.categories} | {c.category for c in deck.cards
                                                     if c.category}
        self.check_categories(len(names))
        for n, card in enumerate(deck.cards, 1):
            self.check_fields(f"card {n}", [card.prompt, card.answer, card.claim,
                                            card.category, *card.tags])
        for n, category in enumerate(deck.categories, 1):
            self.check_fields(f"category {n}", [category.name, *category.aliases])
        for n, event in enumerate(deck.events, 1):
            self.check_fields(f"event {n}", [event.label, event.date_text])


NO_LIMITS = Limits()
_current: ContextVar[Limits] = ContextVar("deck_limits", default=NO_LIMITS)


def current() -> Limits:
    """The limits of the import under way (`applied`), else `NO_LIMITS`."""
    return _current.get()


@contextlib.contextmanager
def applied(limits: Limits) -> Iterator[None]:
    """Within the block, the importers check `limits` (see `current`)."""
    token = _current.set(limits)
    try:
        yield
    finally:
        _current.reset(token)
