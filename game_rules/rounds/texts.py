"""The texts players read: a card's short form, names rewritten, and what a text is made of.

Nothing here cuts a text with "…" or shows a "[placeholder]": a card without a claim is
shown as whole sentences (or clauses) of its answer, and names that would give a category
away are rewritten into words ("this historian", see `game_rules.masking.refer`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Literal

from game_rules.masking import refer
from game_rules.model import Card, Deck

MAX_TEXT = 120  # a short form made from an answer aims at this many characters at most
Form = Literal["date", "number", "text"]

_ABBREVIATIONS = frozenset(["mr", "mrs", "ms", "dr", "st", "co", "inc", "ltd", "jr", "sr", "vs",
                            "etc", "no", "nos", "vol", "pp", "ca", "cf"])
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])([\"”’)]*)\s+(?=[\"“‘(]?[A-Z0-9])")
# Where a sentence may end early and still read as one: before ";" or ": ", before a lone
# dash (not one of a pair around an aside), or before a comma that a linking word follows.
_STRONG_BREAK = re.compile(r"\s*(?:;|:\s)")
_DASH = re.compile(r"\s?—\s?|\s[–-]\s")
_COMMA_BREAK = re.compile(
    r",\s(?=(?:but|while|whereas|although|though|yet|which|who|whose|with|as|because|since|"
    r"especially|including|notably|rather|thereby|thus|so)\b)")
_PAIRS = (("(", ")"), ("“", "”"), ("[", "]"))


@functools.lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """Text compared for sameness: case-folded, whitespace collapsed."""
    return " ".join(text.split()).casefold()


def sentences(text: str) -> list[str]:
    """`text` split into sentences; an initial ("V. P. Danilov") or a common abbreviation
    ("Co.") does not end one."""
    text = " ".join(text.split())
    out: list[str] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        word = re.search(r"([\w.]+)[.!?]$", text[start : m.start()])
        stem = word.group(1).casefold().strip(".") if word else ""
        if len(stem) < 2 or stem in _ABBREVIATIONS or "." in stem:
            continue
        out.append(text[start : m.end(1)].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def _balanced(text: str) -> bool:
    return all(text.count(a) == text.count(b) for a, b in _PAIRS) and text.count('"') % 2 == 0


def _leading(parts: list[str], limit: int) -> str:
    """The most leading `parts` (joined by spaces) that fit in `limit` and are balanced."""
    best = ""
    for n in range(1, len(parts) + 1):
        text = " ".join(parts[:n])
        if len(text) > limit:
            break
        if _balanced(text):
            best = text
    return best


def _breaks(sentence: str) -> list[int]:
    """Where `sentence` may end early (see the patterns above), strongest kinds first."""
    dashes = [m.start() for m in _DASH.finditer(sentence) if m.start() > 0]
    strong = [m.start() for m in _STRONG_BREAK.finditer(sentence)]
    return sorted(strong + (dashes if len(dashes) == 1 else [])) or [
        m.start() for m in _COMMA_BREAK.finditer(sentence)]


def _first_clauses(sentence: str, limit: int) -> str:
    """The longest head of `sentence` ending at a clause break that fits in `limit`, as a
    sentence; or ""."""
    heads = [sentence[:i] for i in _breaks(sentence)]
    fits = [h for h in heads if len(h) < limit and len(h.split()) >= 3 and _balanced(h)]
    return _as_sentence(fits[-1]) if fits else ""


def _as_sentence(clause: str) -> str:
    clause = clause.rstrip(" ,;:—–-")
    return clause if clause[-1:] in ".!?" else clause + "."


def short_form(text: str, limit: int = MAX_TEXT) -> str:
    """`text` itself when it fits in `limit`; else its first whole sentences that fit; else
    the first clauses of its first sentence that do; else the whole first sentence, even
    when longer (never cut mid-clause)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    parts = sentences(text)
    return _leading(parts, limit) or _first_clauses(parts[0], limit) or parts[0]


def card_text(card: Card) -> str:
    """What a card says in an option or item: its claim, else a short form of its answer."""
    return " ".join(card.claim.split()) if card.claim else short_form(card.answer)


def names(cards: Iterable[Card]) -> dict[str, str]:
    """Names that would give the categories of `cards` away: each category and its aliases,
    mapped to their category."""
    out: dict[str, str] = {}
    for card in cards:
        if card.category:
            for name in (card.category, *card.aliases):
                out.setdefault(name, card.category)
    return out


def shown(card: Card, to_mask: Mapping[str, str], noun: str) -> str:
    """`card_text(card)` as players read it: the names in `to_mask` rewritten into words
    ("this historian" for the card's own category, "another historian" for others)."""
    text = card_text(card)
    return refer(text, to_mask, noun, card.category) if to_mask else text


@functools.lru_cache(maxsize=32)
def deck_texts(deck: Deck) -> Mapping[str, str]:
    """Every card's text as rounds show it (`shown`, all the deck's names rewritten), by
    card id; worked out once per deck."""
    to_mask = names(deck.cards)
    return MappingProxyType({c.id: shown(c, to_mask, deck.category_noun) for c in deck.cards})


@functools.lru_cache(maxsize=32)
def item_texts(deck: Deck) -> Mapping[str, str]:
    """Card texts to sort (`deck_texts`), except that a card whose text is a date ("14 July
    1789") shows what happened: its event's label, else its prompt. Dates in buckets say
    nothing (or give the bucket away, when it is named by a year)."""
    texts = deck_texts(deck)
    labels: dict[str, str] = {}
    for event in deck.events:
        labels.setdefault(event.card_id, event.label)
    to_mask = names(deck.cards)
    out = {}
    for card in deck.cards:
        text = texts[card.id]
        if form(text) == "date":
            text = labels.get(card.id, card.prompt)
            if to_mask:
                text = refer(text, to_mask, deck.category_noun, card.category)
        out[card.id] = text
    return MappingProxyType(out)


# What a text is made of: for distractors of the same form and for guessing by words.

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?(?:\s*[–-]\s*\d{1,2}(?:st|nd|rd|th)?)?"
_YEAR = r"(?:\d{1,4}\s*(?:BC|BCE|AD|CE)\b|1\d{3}|20\d{2})(?:\s*[–-]\s*\d{2,4})?"
_DATE = re.compile(
    rf"(?:(?:in|on|c\.|circa|about|around)\s+)?(?:the\s+)?"
    rf"(?:{_DAY}\s+{_MONTH},?\s+{_YEAR}|{_MONTH}\s+{_DAY},?\s+{_YEAR}|{_MONTH},?\s+{_YEAR}"
    rf"|{_YEAR}s?|\d{{4}}-\d{{2}}(?:-\d{{2}})?|\d{{1,2}}(?:st|nd|rd|th)\s+century)",
    re.I,
)
_FEW_WORDS = 7
_NUMBER = re.compile(r"(?:about\s+|around\s+|approximately\s+|~|≈)?[-+−]?\d[\d,.\s]*"
                     r"(?:%|°\s?[CF]?|[^\W\d_][\w/²³·-]*(?:\s+[^\W\d_][\w/²³·-]*){0,2})?",
                     re.I)


@functools.lru_cache(maxsize=4096)
def form(text: str) -> Form:
    """"date": a date ("14 July 1789", "1929–32", "May 1927"), a date then an aside ("1792
    (in April)", "21 January 1793. He was guillotined."), or a few words around one ("On
    the night of 4 August 1789"); "number" ("42", "8 minutes", "67%"); else "text"."""
    t = " ".join(text.split()).strip(" .;,")
    lead = _DATE.match(t)
    if lead and (lead.end() == len(t) or t[lead.end()] in ".,;:(–—"):
        return "date"
    if len(t.split()) <= _FEW_WORDS and _DATE.search(t):
        return "date"
    if len(t) <= 30 and _NUMBER.fullmatch(t):
        return "number"
    return "text"


_STOP_WORDS = """
a about above after again against all also although am among an and any are as at be
became become because been before being below between both but by can could did do does
doing done down during each either else even ever every few for from further had has
have having he her here hers herself him himself his how however i if in into is it its
itself just least less many may might more most much must my neither no nor not now of
off on once one only onto or other others our out over own per rather same several she
should since so some such than that the their theirs them themselves then there these
they this those though through thus to too toward towards under until up upon us very
was we were what whatever when where whether which while who whom whose why will with
within without would yet you your
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[^\W\d_][\w’'-]*")


@functools.lru_cache(maxsize=4096)
def key_terms(text: str) -> frozenset[str]:
    """The content words of `text`: case-folded, without stop words, possessives or a plural
    "s" ("Kotkin’s cities" -> {"kotkin", "citie"}); for weighing how much two texts share."""
    out: set[str] = set()
    for word in _WORD.findall(text.casefold()):
        word = re.sub(r"['’]s$", "", word).strip("'’-")
        if len(word) < 3 or word in STOP_WORDS:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.add(word)
    return frozenset(out)
