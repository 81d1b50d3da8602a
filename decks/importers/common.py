"""What every importer shares: raw cards in, a validated `DeckFile` (plus warnings) out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from pydantic import ValidationError

from decks import limits
from decks.categories import TextIndex, assign_categories, derive_aliases, is_author, role_noun
from decks.importers.claims import claim_for
from decks.io import DeckError
from decks.model import Card, Category, DeckFile, Event, card_id
from decks.timeline import event_id, label_for_date, label_key, parse_date

__all__ = ["ImportResult", "RawCard", "build_deck", "clean", "split_tags", "title_from_name"]

_MAX_CLAIM = 140
_MAX_CATEGORY = 60
_MAX_TAGS = 20


@dataclass
class RawCard:
    """A card as read from the source; `where` says where (e.g. 'card 12', 'row 5')."""

    prompt: str
    answer: str
    where: str
    category: str | None = None
    claim: str | None = None
    date: str | None = None
    tags: list[str] = field(default_factory=list)


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


def split_tags(text: str, separators: str = r"[,;]") -> list[str]:
    """Tags from one cell: split at `separators` (a regex), trimmed, empty ones and
    repeats dropped: "missions; american, soviet" -> ["missions", "american", "soviet"]."""
    return list(dict.fromkeys(t.strip() for t in re.split(separators, text) if t.strip()))


def _kept(raw: list[RawCard], warnings: list[str]) -> list[RawCard]:
    """The raw cards with both a prompt and an answer; the others become warnings."""
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
    return kept


def _ident(card: RawCard, seen: dict[str, str], warnings: list[str]) -> str:
    """`card_id` of the original prompt, with "-2", "-3" ... for repeated prompts."""
    base = card_id(card.prompt)  # the full original prompt: stable across re-imports
    ident, n = base, 1
    while ident in seen:
        n += 1
        ident = f"{base}-{n}"
    if n > 1:
        warnings.append(f"{card.where} repeats the prompt of {seen[base]}; id {ident}")
    seen[ident] = card.where
    return ident


def _tags(card: RawCard, warnings: list[str]) -> list[str]:
    tags = list(dict.fromkeys(t.strip() for t in card.tags if t.strip()))
    if len(tags) > _MAX_TAGS:
        warnings.append(f"{card.where}: more than {_MAX_TAGS} tags; kept the first {_MAX_TAGS}")
    return tags[:_MAX_TAGS]


def _basic_cards(kept: list[RawCard], warnings: list[str]) -> list[Card]:
    """Cards with ids, categories, tags and the claims given in the source (checked)."""
    if any(c.category for c in kept):
        split = [(c.category.strip() if c.category else None, c.prompt) for c in kept]
    else:
        split = assign_categories([c.prompt for c in kept])
    cards: list[Card] = []
    seen: dict[str, str] = {}
    for card, (category, prompt) in zip(kept, split, strict=True):
        ident = _ident(card, seen, warnings)
        if category and len(category) > _MAX_CATEGORY:
            warnings.append(f"{card.where}: category longer than {_MAX_CATEGORY} characters; "
                            "dropped")
            category = None
        claim = clean(card.claim or "") or None
        if claim and len(claim) > _MAX_CLAIM:
            warnings.append(f"{card.where}: claim longer than {_MAX_CLAIM} characters; "
                            "made one from the answer instead")
            claim = None
        cards.append(Card(id=ident, prompt=prompt, answer=card.answer, category=category,
                          claim=claim, tags=_tags(card, warnings)))
    return cards


def _categories(cards: list[Card]) -> tuple[list[Category], set[str], str]:
    """The deck's categories with their aliases, the names of those that are authors
    ("Kotkin argues ..."), and the deck's `category_noun` ("historian" when its
    categories are authors and the text calls them so, else "category")."""
    texts = [f"{c.prompt}\n{c.answer}" for c in cards]
    index = TextIndex(texts)  # each category's scans read only the texts naming it
    names = list(dict.fromkeys(c.category for c in cards if c.category))
    categories = [Category(name=n, aliases=derive_aliases(n, index)) for n in names]
    authors = {c.name for c in categories if is_author([c.name, *c.aliases], index)}
    author_names = [n for c in categories if c.name in authors for n in (c.name, *c.aliases)]
    enough = authors and len(authors) * 2 >= len(categories)
    noun = role_noun(texts, author_names) if enough else "category"
    return categories, authors, noun


def _with_claims(cards: list[Card], categories: list[Category], authors: set[str],
                 noun: str, where: list[str], warnings: list[str]) -> list[Card]:
    """Every card without a claim gets one made of whole clauses of its answer."""
    names = {c.name: [c.name, *c.aliases] for c in categories}
    hidden = [n for c, ns in names.items() if c not in authors for n in ns]
    # The names a card's claim rewrites depend on its category only: worked out once per
    # category (per card, they cost cards x categories).
    whose: dict[str | None, tuple[list[str], list[str]]] = {}
    out = []
    for card, place in zip(cards, where, strict=True):
        if card.claim is None:
            if card.category not in whose:
                whose[card.category] = (
                    names.get(card.category or "", []) if card.category in authors else [],
                    [n for a in authors if a != card.category for n in names[a]])
            own, others = whose[card.category]
            claim = claim_for(card.answer, own, others, noun, hidden)
            if claim is None:
                warnings.append(f"{place}: no whole clause of the answer fits in "
                                f"{_MAX_CLAIM} characters; no claim")
            card = card.model_copy(update={"claim": claim})
        out.append(card)
    return out


def _date_events(cards: list[Card], kept: list[RawCard], authors: list[str],
                 warnings: list[str]) -> tuple[list[Card], list[Event]]:
    """Events for the dates given in a date column (CSV), labelled by `label_for_date`;
    the date is appended to the answer as "(date)" when the card's text does not state it
    (an event's date must be on its card). A date without a fit label makes no event."""
    events: list[Event] = []
    taken: set[str] = set()
    out = []
    for card, raw in zip(cards, kept, strict=True):
        date = (raw.date or "").strip()
        parsed = parse_date(date) if date else None
        if date and parsed is None:
            warnings.append(f"{raw.where}: cannot read the date {date!r}")
        if parsed is not None:
            start, end, precision = parsed
            label = label_for_date(card, start, end, authors)
            if label is None or label_key(label) in taken:
                warnings.append(f"{raw.where}: no label for the date {date!r} (the prompt is "
                                "not a statement of what happened, or repeats another); no event")
            else:
                taken.add(label_key(label))
                if date not in f"{card.prompt}\n{card.answer}":
                    card = card.model_copy(update={"answer": f"{card.answer} ({date})"})
                events.append(Event(id=event_id(card.id, date), label=label, date_text=date,
                                    start=start, end=end, precision=precision, card=card.id))
        out.append(card)
    return out, events


def build_deck(
    title: str, raw: list[RawCard], warnings: list[str], source: str | None = None
) -> ImportResult:
    """Turn raw cards into a deck: ids, categories (from a column or from prefixes),
    aliases, tags, claims (given, else made from the answer) and the events of a date
    column; problems that are not fatal become warnings."""
    limit = limits.current()
    for card in raw:
        limit.check_fields(card.where, [card.prompt, card.answer, card.category, card.claim,
                                        card.date, *card.tags])
    kept = _kept(raw, warnings)
    if not kept:
        raise DeckError(f"{source or title}: no cards found", reason="no_cards")
    limit.check_cards(len(kept))
    cards = _basic_cards(kept, warnings)
    limit.check_categories(len({c.category for c in cards if c.category}))
    categories, authors, noun = _categories(cards)
    author_names = [n for c in categories if c.name in authors for n in (c.name, *c.aliases)]
    cards = _with_claims(cards, categories, authors, noun, [c.where for c in kept], warnings)
    cards, events = _date_events(cards, kept, author_names, warnings)
    try:
        deck = DeckFile(title=title[:200].strip() or "Imported deck", source=source,
                        category_noun=noun, categories=categories, cards=cards, events=events)
    except ValidationError as exc:  # pragma: no cover - the steps above keep decks valid
        raise DeckError(f"{source or title}: cannot build a valid deck: {exc}") from None
    return ImportResult(deck, warnings)
