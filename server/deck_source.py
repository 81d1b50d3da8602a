"""The deck a host asked for: a bundled one by name, or an uploaded file in any format."""

from __future__ import annotations

import functools
import os

from decks.importers import import_text
from decks.io import DeckError, bundled_deck_path, load_deck, parse_deck
from decks.model import DeckFile
from server.protocol import CreateRoom

DEFAULT_DECK = "soviet-union-1928-41"


class BadDeck(ValueError):
    """A deck a room cannot be made from: a sentence for the host and a `reason` code
    (those of `DeckError`, and "no_rounds" when no round of the mix can be built)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@functools.lru_cache(maxsize=32)
def _bundled(path: str, mtime_ns: int) -> DeckFile:
    """A bundled deck, parsed once per version of its file (13 ms each time otherwise: a
    room is created for every class, and a benchmark creates thousands)."""
    return load_deck(path)


def deck_for_room(msg: CreateRoom) -> DeckFile:
    """The deck `msg` names or uploads; raises `BadDeck` when it cannot be used."""
    try:
        if msg.upload is None:
            path = bundled_deck_path(msg.deck or DEFAULT_DECK)
            return _bundled(str(path), os.stat(path).st_mtime_ns)
        up = msg.upload
        if up.format == "toml" or (up.format is None and up.filename.endswith(".toml")):
            return parse_deck(up.text, up.filename)
        # Uploads get what `cardcade deck import` gives: claims and proposed events.
        return import_text(up.text, up.format, filename=up.filename, events=True).deck
    except DeckError as exc:
        raise BadDeck(str(exc), exc.reason) from None
