"""The deck a host asked for: a bundled one by name, or an uploaded file in any format."""

from __future__ import annotations

from decks.importers import import_text
from decks.io import DeckError, bundled_deck_path, load_deck, parse_deck
from decks.model import DeckFile
from server.protocol import CreateRoom

DEFAULT_DECK = "soviet-union-1928-41"


def deck_for_room(msg: CreateRoom) -> DeckFile:
    """Raises ValueError with a sentence for the host when the deck cannot be used."""
    try:
        if msg.upload is None:
            return load_deck(bundled_deck_path(msg.deck or DEFAULT_DECK))
        up = msg.upload
        if up.format == "toml" or (up.format is None and up.filename.endswith(".toml")):
            return parse_deck(up.text, up.filename)
        return import_text(up.text, up.format, filename=up.filename).deck
    except DeckError as exc:
        raise ValueError(str(exc)) from None
