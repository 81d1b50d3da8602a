"""The deck a host asked for: a bundled one by name, or an uploaded file in any format.

An upload's file name and the title in it are a stranger's text that every player sees:
both are cleaned (`game_rules.nicknames.plain_text`) before they are used or repeated in
an error message.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass

from decks.importers import import_text
from decks.importers.common import title_from_name
from decks.io import DeckError, bundled_deck_path, load_deck, parse_deck
from decks.limits import NO_LIMITS, Limits
from decks.model import DeckFile
from game_rules.model import Round, Settings
from game_rules.nicknames import plain_text
from game_rules.plan import PlanReport, make_plan, plan_report
from server.protocol import DeckChoice, DeckUpload

DEFAULT_DECK = "soviet-union-1928-41"
TITLE_MAX = 80  # characters of an uploaded deck's title: it heads the projector's screen
NAME_MAX = 60  # characters of an uploaded file's name, as messages and `source` give it
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,10}")


class BadDeck(ValueError):
    """A deck a room cannot be made from: a sentence for the host and a `reason` code
    (those of `DeckError`, and "no_rounds" when no round of the mix can be built)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason

    def __reduce__(self) -> tuple[type[BadDeck], tuple[str, str]]:
        return BadDeck, (str(self), self.reason)  # raised in a worker process, re-raised here


@dataclass(frozen=True)
class Prepared:
    """What a room is made of: the deck's title, the game's plan, and what the plan made of
    the deck (the kinds it plays, and why it left others out)."""

    title: str
    plan: tuple[Round, ...]
    report: PlanReport


@functools.lru_cache(maxsize=32)
def _bundled(path: str, mtime_ns: int) -> DeckFile:
    """A bundled deck, parsed once per version of its file (13 ms each time otherwise: a
    room is created for every class, and a benchmark creates thousands)."""
    return load_deck(path)


def prepare(msg: DeckChoice, settings: Settings, seed: int,
            limits: Limits = NO_LIMITS) -> Prepared:
    """The deck `msg` names or uploads (an upload within `limits`) and the plan of a game
    from it; raises `BadDeck` when it cannot make one. For an upload this is the costly
    part of creating a room: the server runs it in a worker process (`server.uploads`)."""
    deck = deck_for_room(msg, limits)
    rules_deck = deck.to_rules()
    try:
        plan = make_plan(rules_deck, settings, seed)
    except ValueError as exc:
        raise BadDeck(str(exc), "no_rounds") from None
    return Prepared(deck.title, tuple(plan), plan_report(rules_deck, settings))


def deck_for_room(msg: DeckChoice, limits: Limits = NO_LIMITS) -> DeckFile:
    """The deck `msg` names or uploads; raises `BadDeck` when it cannot be used, or when an
    upload is over one of `limits` (reason "too_large")."""
    try:
        if msg.upload is None:
            path = bundled_deck_path(plain_text(msg.deck or DEFAULT_DECK, 100))
            return _bundled(str(path), os.stat(path).st_mtime_ns)
        return _uploaded(msg.upload, limits)
    except DeckError as exc:
        raise BadDeck(str(exc), exc.reason) from None


def _uploaded(up: DeckUpload, limits: Limits = NO_LIMITS) -> DeckFile:
    """The deck of an upload, its title and `source` cleaned."""
    name = file_name(up.filename)
    limits.check_text(up.text)
    if up.format == "toml" or (up.format is None and name.endswith(".toml")):
        deck = parse_deck(up.text, name)
        limits.check_deck(deck)
    else:  # uploads get what `cardcade deck import` gives: claims and proposed events
        deck = import_text(up.text, up.format, filename=name, events=True,
                           limits=limits).deck
    stem = name.rsplit(".", 1)[0]
    title = (plain_text(deck.title, TITLE_MAX) or plain_text(title_from_name(stem), TITLE_MAX)
             or "Uploaded deck")
    return deck.model_copy(update={"title": title, "source": name})


def file_name(raw: str) -> str:
    """An uploaded file's name made safe to show and repeat: the last part of a path,
    cleaned and cut to NAME_MAX characters, its extension kept when it is plain letters
    and digits ("<b>My deck</b>.csv" -> "My deck.csv"); "upload" when nothing is left."""
    base = re.split(r"[/\\]", plain_text(raw))[-1].strip()
    stem, dot, ext = base.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(ext):
        stem, ext = base, ""
    stem = plain_text(stem, NAME_MAX) or "upload"
    return f"{stem}.{ext}" if ext else stem
