"""The project's own deck format (TOML on disk), validated by pydantic.

A deck file holds a title, cards and dated events. `to_rules()` turns a checked deck into
the plain `game_rules.model.Deck` the round rules use.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from game_rules import model as rules

Precision = Literal["year", "month", "day"]
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def card_id(prompt: str) -> str:
    """Stable id of a card: a hash of its whitespace-normalised, case-folded prompt."""
    norm = " ".join(prompt.split()).casefold()
    return "c" + hashlib.sha1(norm.encode()).hexdigest()[:10]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Category(_Strict):
    """A category (e.g. a historian) and the other names the card text uses for it."""

    name: str = Field(min_length=1, max_length=60)
    aliases: list[str] = Field(default_factory=list, description="e.g. 'Sheila Fitzpatrick'")


class Card(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="stable across re-imports")
    prompt: str = Field(min_length=1)
    answer: str = Field(min_length=1)
    category: str | None = Field(default=None, min_length=1, max_length=60)
    claim: str | None = Field(
        default=None, min_length=1, max_length=140, description="short form for small screens"
    )
    tags: list[str] = Field(
        default_factory=list, max_length=20, description="free labels, e.g. Anki tags"
    )


class Event(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,40}$")
    label: str = Field(min_length=1, max_length=120)
    date_text: str = Field(min_length=4, description="the date as the card's text writes it")
    start: str = Field(description="ISO date: YYYY, YYYY-MM or YYYY-MM-DD")
    end: str | None = Field(default=None, description="last date of a range, same form")
    precision: Precision
    card: str = Field(description="id of the card the event comes from")

    @field_validator("start", "end")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None and not _ISO.match(value):
            raise ValueError("must be YYYY, YYYY-MM or YYYY-MM-DD")
        return value

    def first_day(self) -> str:
        return _expand(self.start, last=False)

    def display_date(self) -> str:
        """The date as players read it: "1929", "May 1927", "29 Jul 1933", "1928–1931",
        "Jan–Mar 1933"."""
        start = _show(self.start)
        if not self.end or self.end == self.start:
            return start
        end = _show(self.end)
        if len(self.start) == len(self.end) == 7 and self.start[:4] == self.end[:4]:
            return f"{start.split()[0]}–{end}"  # months of one year
        return f"{start}–{end}"

    def last_day(self) -> str:
        return _expand(self.end or self.start, last=True)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _show(iso: str) -> str:
    """An ISO date of any precision in words: "1929", "May 1927", "29 Jul 1933"."""
    parts = iso.split("-")
    if len(parts) == 1:
        return parts[0]
    month = _MONTHS[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{int(parts[2])} {month} {parts[0]}"


def _expand(iso: str, *, last: bool) -> str:
    """'1930' -> '1930-01-01' (or '1930-12-31' when last), '1930-02' -> '1930-02-28' ..."""
    parts = iso.split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else (12 if last else 1)
    if len(parts) > 2:
        day = int(parts[2])
    else:
        day = calendar.monthrange(year, month)[1] if last else 1
    return f"{year:04d}-{month:02d}-{day:02d}"


class DeckFile(_Strict):
    """A whole deck file."""

    title: str = Field(min_length=1, max_length=200)
    source: str | None = None
    category_noun: str = Field(
        default="category", min_length=1, max_length=30,
        description='what a category is, in round prompts: "Which historian?"',
    )
    categories: list[Category] = Field(default_factory=list)
    cards: list[Card] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> DeckFile:
        counts = Counter(c.id for c in self.cards)
        dupes = sorted(i for i, n in counts.items() if n > 1)
        if dupes:
            raise ValueError(f"duplicate card ids: {', '.join(dupes)}")
        by_id = {c.id: c for c in self.cards}
        for event in self.events:
            card = by_id.get(event.card)
            if card is None:
                raise ValueError(f"event {event.id!r} cites unknown card {event.card!r}")
            if event.date_text not in f"{card.prompt}\n{card.answer}":
                raise ValueError(
                    f"event {event.id!r}: date {event.date_text!r} is not in card {card.id}'s text"
                )
            if event.last_day() < event.first_day():
                raise ValueError(f"event {event.id!r}: end is before start")
        return self

    def to_rules(self) -> rules.Deck:
        aliases = {c.name: tuple(c.aliases) for c in self.categories}
        cards = tuple(
            rules.Card(
                id=c.id,
                prompt=c.prompt,
                answer=c.answer,
                category=c.category,
                claim=c.claim,
                aliases=aliases.get(c.category or "", ()),
                tags=tuple(c.tags),
            )
            for c in self.cards
        )
        events = tuple(
            rules.Event(id=e.id, label=e.label, start=e.first_day(), end=e.last_day(),
                        card_id=e.card, date=e.display_date())
            for e in self.events
        )
        return rules.Deck(title=self.title, cards=cards, events=events,
                          category_noun=self.category_noun)
