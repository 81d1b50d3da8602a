"""What every importer shares: raw cards in, a validated `DeckFile` (plus warnings) out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from pydantic import ValidationError

from decks.categories import assign_categories, derive_aliases
from decks.io import DeckError
from decks.model import Card, Category, DeckFile, Event, card_id
from decks.timeline import event_id, parse_date

__all__ = ["ImportResult", "RawCard", "build_deck", "clean", "title_from_name"]

_MAX_CLAIM = 140
_MAX_CATEGORY = 60


@dataclass
class RawCard:
    """A card as read from the source; `where` says where (e.g. 'card 12', 'row 5')."""

    prompt: str
    answer: str
    where: str
    category: str | None = None
    claim: str | None = None
    date: str | None = None


class ImportResult(NamedTuple):
    """An imported deck and the warnings met while reading it."""

    deck: DeckFile
    warnings: list[str]


def title_from_name(name: str) -> str:
    """'french-vocab_2' -> 'French vocab 2'."""
    words = re.sub(r"[_-]+", " ", name).strip()
    return (words[:1].upper() + words[1:]) if words else "Imported deck"


def clean(text: str) -> str:
    """Strip each line's trailing spaces and the text's outer blank lines."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def build_deck(
    title: str, raw: list[RawCard], warnings: list[str], source: str | None = None
) -> ImportResult:
    """Turn raw cards into a deck: ids, categories (from a column or from prefixes),
    aliases, claims and dated events; problems that are not fatal become warnings.
    """
    kept: list[RawCard] = []
    for card in raw:
        card.prompt, card.answer = clean(card.prompt), clean(card.answer)
        if not card.prompt and not card.answer:
            warnings.append(f"{card.where} is empty; skipped")
        elif not card.prompt:
            warnings.append(f"{card.where} has an answer but no prompt; skipped")
        elif not card.answer:
            warnings.append(f"{card.where} has no answer; skipped")
        else:
            kept.append(card)
    if not kept:
        raise DeckError(f"{source or title}: no cards found", reason="no_cards")

    explicit = any(c.category for c in kept)
    if explicit:
        split = [(c.category.strip() if c.category else None, c.prompt) for c in kept]
    else:
        split = assign_categories([c.prompt for c in kept])

    cards: list[Card] = []
    events: list[Event] = []
    seen: dict[str, str] = {}
    for card, (category, prompt) in zip(kept, split, strict=True):
        base = card_id(card.prompt)  # the full original prompt: stable across re-imports
        ident, n = base, 1
        while ident in seen:
            n += 1
            ident = f"{base}-{n}"
        if n > 1:
            warnings.append(f"{card.where} repeats the prompt of {seen[base]}; id {ident}")
        seen[ident] = card.where
        if category and len(category) > _MAX_CATEGORY:
            warnings.append(f"{card.where}: category longer than {_MAX_CATEGORY} characters; "
                            "dropped")
            category = None
        claim = clean(card.claim or "") or None
        if claim and len(claim) > _MAX_CLAIM:
            warnings.append(f"{card.where}: claim longer than {_MAX_CLAIM} characters; dropped")
            claim = None
        answer = card.answer
        if card.date and card.date.strip():
            event, answer = _date_event(ident, prompt, answer, card.date.strip())
            if event is None:
                warnings.append(f"{card.where}: cannot read the date {card.date.strip()!r}")
            else:
                events.append(event)
        cards.append(Card(id=ident, prompt=prompt, answer=answer, category=category,
                          claim=claim))

    texts = [f"{c.prompt}\n{c.answer}" for c in cards]
    names = list(dict.fromkeys(c.category for c in cards if c.category))
    categories = [Category(name=n, aliases=derive_aliases(n, texts)) for n in names]
    try:
        deck = DeckFile(title=title[:200].strip() or "Imported deck", source=source,
                        categories=categories, cards=cards, events=events)
    except ValidationError as exc:  # pragma: no cover - the steps above keep decks valid
        raise DeckError(f"{source or title}: cannot build a valid deck: {exc}") from None
    return ImportResult(deck, warnings)


def _date_event(ident: str, prompt: str, answer: str, date: str) -> tuple[Event | None, str]:
    """An event for a date column; the date is appended to the answer if the text lacks it."""
    parsed = parse_date(date)
    if parsed is None:
        return None, answer
    if date not in f"{prompt}\n{answer}":
        answer = f"{answer} ({date})"
    start, end, precision = parsed
    label = " ".join(prompt.split())
    label = label if len(label) <= 120 else label[:119].rsplit(" ", 1)[0] + "…"
    event = Event(id=event_id(ident, date), label=label.rstrip("?") or date, date_text=date,
                  start=start, end=end, precision=precision, card=ident)
    return event, answer

