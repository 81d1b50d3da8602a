"""Dated events found in card text, proposed for the deck's timeline (`order` rounds).

`find_dates` recognises the forms history notes use: "29 July 1936", "July 29, 1936",
"March 1930", "June–August 1932", "1927", "1927–28" / "1927-28" / "1927/8",
"winter 1929–30", "spring 1930", "early 1933", "mid-1933", "late 1932",
"between June 1931 and February 1932", "from 1929 to 1935". Decades ("the 1930s") are
too vague to order and are left out, and so are years that are not events: publication
years ("The Hungry Steppe (2018)", "in his 1995 book", "published in 1994"), citations
("(Kotkin 1995)") and counts ("over 1500 households").

`propose_events` turns the mentions into `Event`s with deterministic ids and a short label
taken from the sentence around the date, with the dates removed so that an order round is
not answered by its own labels.
"""

from __future__ import annotations

import calendar
import hashlib
import itertools
import re
from dataclasses import dataclass

from decks.model import DeckFile, Event, Precision

__all__ = ["DateMention", "event_id", "find_dates", "label_for", "parse_date", "propose_events"]

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_SEASONS = {"winter": (12, 2), "spring": (3, 5), "summer": (6, 8), "autumn": (9, 11),
            "fall": (9, 11)}
_PARTS = {"early": (1, 4), "mid": (5, 8), "middle": (5, 8), "late": (9, 12)}

_M = "(?:" + "|".join(sorted((m.capitalize() for m in _MONTHS), key=len, reverse=True)) + r")\.?"
_Y = r"(?:1\d{3}|20\d{2})"
_END = r"(?!\w|[.,]\d)"  # not "1930s", "1930.5" or "1930,000"
_YR = rf"{_Y}(?:\s?[–-]\s?(?:{_Y}|\d{{1,2}})|/(?:{_Y}|\d{{1,2}}))?{_END}"
_SEASON = r"(?:[Ww]inter|[Ss]pring|[Ss]ummer|[Aa]utumn|[Ff]all)"
_PART = r"(?:[Ee]arly\s+|[Ll]ate\s+|[Mm]id-|[Mm]id\s+|[Mm]iddle\s+of\s+)"

_FORMS: dict[str, str] = {
    "iso": rf"(?P<y>{_Y})-(?P<m>\d{{2}})(?:-(?P<d>\d{{2}}))?(?!\d)",
    "dmy": rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_M}),?\s+(?P<y>{_Y}){_END}",
    "mdy": rf"(?P<m>{_M})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,\s+(?P<y>{_Y}){_END}",
    "mmy": rf"(?P<m>{_M})\s?[–-]\s?(?P<m2>{_M})\s+(?P<y>{_Y}){_END}",
    "my": rf"(?P<m>{_M}),?\s+(?P<y>{_Y}){_END}",
    "season": rf"(?P<s>{_SEASON})(?:\s+of)?\s+(?P<yr>{_YR})",
    "part": rf"(?P<p>{_PART})(?P<yr>{_YR})",
    "year": rf"(?P<yr>{_YR})",
}
_ONE = "|".join("(?:" + re.sub(r"\(\?P<\w+>", "(?:", form) + ")" for form in _FORMS.values())
_SCAN = re.compile(
    rf"(?<![\w.,/–-])(?:(?P<pair>(?:[Bb]etween\s+(?:{_ONE})\s+and|[Ff]rom\s+(?:{_ONE})\s+"
    rf"(?:to|until|till|through))\s+(?:{_ONE}))|(?:{_ONE}))"
)
_PAIR = re.compile(r"(?:[Bb]etween|[Ff]rom)\s+(.+?)\s+(?:and|to|until|till|through)\s+(.+)", re.S)
_COMPILED = {name: re.compile(form) for name, form in _FORMS.items()}

_COUNT_BEFORE = {"over", "about", "approximately", "nearly", "some", "than", "almost", "only"}
_COUNT_AFTER = {
    "people", "persons", "households", "families", "tons", "tonnes", "km", "kilometres",
    "kilometers", "miles", "metres", "meters", "men", "women", "workers", "peasants",
    "deaths", "rubles", "roubles", "dollars", "pounds", "head", "copies", "pages", "members",
    "troops", "soldiers", "prisoners", "inhabitants", "residents", "refugees", "children",
}
_BOOK_AFTER = {"book", "study", "monograph", "article", "essay", "novel", "memoir",
               "biography", "film", "paper", "volume", "edition", "account", "history"}
_BOOK_BEFORE = {"published", "publication", "wrote", "written", "reprinted", "translated",
                "appeared", "edition", "ed", "copyright"}
_EVENT_NOUNS = {
    "trial", "trials", "congress", "conference", "plan", "raid", "purge", "purges", "famine",
    "crash", "war", "revolution", "constitution", "pact", "crisis", "law", "decree",
    "campaign", "movement", "treaty", "election", "strike", "uprising", "revolt", "invasion",
    "scare", "reform", "reforms", "terror", "affair", "coup", "speech", "meeting", "plenum",
    "decision", "resolution", "directive", "order", "census", "drive", "collectivization",
    "collectivisation", "offensive", "battle", "siege", "agreement", "act", "massacre",
}
_CONNECTORS = {"and", "of", "the", "from", "with", "in", "on", "for", "a", "an", "to", "at"}
_ARGUE_AFTER = re.compile(
    r"^\)\s*,?\s*(?:argues|argued|shows|showed|contends|claims|suggests|explores|examines|"
    r"traces|presents|describes|maintains|insists)\b"
)
_CITATION = re.compile(r"\(\s*[A-Z][\w’'.-]*(?:\s+(?:and|&)\s+[A-Z][\w’'.-]*|\s+et\s+al\.)?,?\s*$")


@dataclass(frozen=True)
class DateMention:
    """A date found in a text: `text` exactly as written, at `pos`..`end_pos`."""

    text: str
    pos: int
    end_pos: int
    start: str
    end: str | None
    precision: Precision


def _month(word: str) -> int:
    return _MONTHS[word.rstrip(".").lower()]


def _range_end(first: int, text: str) -> int | None:
    """End year of '1927–28', '1936–7', '1929–1932'; None when it is not a sensible range."""
    if len(text) == 4:
        last = int(text)
    else:
        step = 10 ** len(text)
        last = first // step * step + int(text)
        if last <= first:
            last += step
    return last if first < last <= first + 50 else None


def _years(text: str) -> tuple[int, int | None] | None:
    found = re.fullmatch(rf"({_Y})(?:\s?[–/-]\s?(\d{{1,4}}))?", text)
    if found is None:
        return None
    first = int(found[1])
    if found[2] is None:
        return first, None
    last = _range_end(first, found[2])
    return None if last is None else (first, last)


def _ym(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _parse_one(text: str) -> tuple[str, str | None, Precision] | None:
    for name, pattern in _COMPILED.items():
        found = pattern.fullmatch(text)
        if found is None:
            continue
        groups = found.groupdict()
        if name in {"iso", "dmy", "mdy"}:
            year = int(groups["y"])
            month = int(groups["m"]) if name == "iso" else _month(groups["m"])
            if not 1 <= month <= 12:
                continue
            if groups.get("d") is None:
                return _ym(year, month), None, "month"
            day = int(groups["d"])
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                continue
            return f"{_ym(year, month)}-{day:02d}", None, "day"
        if name == "my":
            return _ym(int(groups["y"]), _month(groups["m"])), None, "month"
        if name == "mmy":
            year, first, last = int(groups["y"]), _month(groups["m"]), _month(groups["m2"])
            return (_ym(year, first), _ym(year, last), "month") if first < last else None
        years = _years(groups["yr"])
        if years is None:
            return None
        first_year, last_year = years
        if name == "year":
            return str(first_year), None if last_year is None else str(last_year), "year"
        if name == "season":
            season = groups["s"].lower()
            begin, finish = _SEASONS[season]
            if season == "winter":
                # "winter 1929–30" is Dec 1929-Feb 1930; "winter 1930" the one ending in 1930.
                end_year = last_year if last_year is not None else first_year
                return _ym(end_year - 1, 12), _ym(end_year, 2), "month"
            return _ym(first_year, begin), _ym(last_year or first_year, finish), "month"
        part = groups["p"].strip(" -").split()[0].lower()
        begin, finish = _PARTS[part]
        return _ym(first_year, begin), _ym(last_year or first_year, finish), "month"
    return None


_COARSE = {"year": 0, "month": 1, "day": 2}


def parse_date(text: str) -> tuple[str, str | None, Precision] | None:
    """(start, end, precision) of one date expression, or None if it is not one.

    >>> parse_date("winter 1929–30")
    ('1929-12', '1930-02', 'month')
    """
    text = " ".join(text.split())
    pair = _PAIR.fullmatch(text)
    if pair is None:
        return _parse_one(text)
    left, right = _parse_one(pair[1]), _parse_one(pair[2])
    if left is None or right is None:
        return None
    precision = min(left[2], right[2], key=_COARSE.__getitem__)
    end = right[1] or right[0]
    event = Event(id="x", label="x", date_text=text, start=left[0], end=end,
                  precision=precision, card="x")
    return (left[0], end, precision) if event.last_day() >= event.first_day() else None


def _word_before(text: str, pos: int) -> str:
    """The word just before `pos`, if only spaces separate them."""
    found = re.search(r"([\w’'.]+)[ \t]+$", text[:pos])
    return found[1].lower().rstrip(".") if found else ""


def _word_after(text: str, pos: int) -> str:
    """The word just after `pos`, if only spaces separate them."""
    found = re.match(r"[ \t]+(\w+)", text[pos:])
    return found[1].lower() if found else ""


def _is_publication(text: str, pos: int, end: int) -> bool:
    """Is the single year at text[pos:end] a publication year or a citation?"""
    if _word_after(text, end) in _BOOK_AFTER:
        return True
    before = text[max(0, pos - 30):pos].lower()
    if any(w.rstrip(".") in _BOOK_BEFORE for w in re.findall(r"[\w.]+", before)[-2:]):
        return True
    if _CITATION.search(text[:pos]):
        return True
    if not (text[:pos].endswith("(") and text[end:end + 1] == ")"):
        return False
    # "(1995)" right after a title-like capitalised phrase.
    words = re.findall(r"\S+", text[:pos - 1])
    run: list[str] = []
    while words:
        word = words[-1].strip("“”\"*_,")
        if re.search(r"['’]s$", word):
            break  # an author's possessive: "Lenin’s State and Revolution (1917)"
        if word[:1].isupper() or (run and word.lower() in _CONNECTORS):
            run.insert(0, words.pop())
        else:
            break
    while run and run[0].lower() in _CONNECTORS:
        words.append(run.pop(0))
    if not run:
        return False
    previous = words[-1] if words else ""
    if re.search(r"['’]s$", previous) or previous.lower() in {"in", "book", "study", "titled",
                                                              "entitled", "work", "novel"}:
        return True
    if run[-1].endswith(("”", '"', "*", "_")) or _ARGUE_AFTER.match(text[end:]):
        return True
    last = re.sub(r"['’]s$", "", run[-1].strip("“”\"*_,").lower())
    return last not in _EVENT_NOUNS


def _is_count(text: str, pos: int, end: int) -> bool:
    return _word_before(text, pos) in _COUNT_BEFORE or _word_after(text, end) in _COUNT_AFTER


def find_dates(text: str) -> list[DateMention]:
    """All event dates in `text`, in order of appearance."""
    mentions = []
    for found in _SCAN.finditer(text):
        chunk = found.group()
        parsed = parse_date(chunk)
        if parsed is None:
            continue
        pos, end = found.span()
        if found["pair"] is None and re.fullmatch(rf"{_Y}(?:\s?[–/-]\s?\d{{1,4}})?", chunk):
            if _is_count(text, pos, end):
                continue
            if re.fullmatch(_Y, chunk) and _is_publication(text, pos, end):
                continue
        mentions.append(DateMention(chunk, pos, end, *parsed))
    return mentions


# --- labels -----------------------------------------------------------------------------

_ABBREVIATIONS = {"c", "ca", "e.g", "i.e", "co", "st", "dr", "mr", "mrs", "ms", "prof", "vs",
                  "etc", "no", "cf", "al", "approx", "u.s", "u.k", "gen", "lt", "col", "jr",
                  "sr", *(m for m in _MONTHS if len(m) <= 4)}
_CLAUSE = re.compile(r"\s*(?:;|—|–\s|:\s|,\s+(?:and|but|while|whereas)\s|"
                     r",\s+(?=(?:which|causing|leading|with)\s))\s*")
_PREPOSITION = re.compile(
    r"(?:\b(?:[Ii]n|[Oo]n|[Bb]y|[Dd]uring|[Ff]rom|[Ss]ince|[Uu]ntil|[Tt]ill|[Oo]f|[Aa]fter|"
    r"[Bb]efore|[Aa]round|[Tt]hroughout|[Cc]irca)\s+(?:the\s+)?)?(?:(?:c|ca)\.\s*)?$"
)
_DETERMINERS = {"the", "a", "his", "her", "their", "its", "this", "whose"}
_SUBORDINATORS = {"that", "and", "but", "when", "which", "where", "while", "because", "as",
                  "so", "who"}
_QUESTION = re.compile(r"^(?:What|Who)\s+(?:was|were|is|are|happened(?:\s+(?:during|in|at|on))?)"
                       r"\s+")
MAX_LABEL = 120


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, not splitting at 'V. P.', 'c.', 'Co.'."""
    bounds = [0]
    for found in re.finditer(r"[.!?]+[\"”’)\]]*(?=\s|$)|\n", text):
        if found.group().startswith("."):
            word = re.search(r"([\w.]*)$", text[:found.start()])
            token = word[1] if word else ""
            if (len(token) == 1 and token.isupper()) or token.lower() in _ABBREVIATIONS or \
                    re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):
                continue
        bounds.append(found.end())
    bounds.append(len(text))
    return [(a, b) for a, b in itertools.pairwise(bounds) if text[a:b].strip()]


def _without_dates(text: str) -> str:
    """`text` with its dates (and the 'in', 'by', '(…)' around them) taken out."""
    out = text
    for mention in reversed(find_dates(text)):
        pos, end = mention.pos, mention.end_pos
        if _word_before(out, pos) in _DETERMINERS:
            start = pos  # "the 1927 war scare" -> "the war scare"
        else:
            before = _PREPOSITION.search(out[:pos])
            start = before.start() if before else pos
        if out[end:end + 1] == "," and _word_before(out, start) in _SUBORDINATORS:
            end += 1  # "that in 1930–31, about 381,000" -> "that about 381,000"
        paren = re.search(r"\(([^()]*)$", out[:start])
        close = re.match(r"([^()]*)\)", out[end:])
        if paren and close and len((paren[1] + close[1]).split()) <= 2:
            start, end = paren.start(), end + close.end()  # "(created April 1950)"
        out = out[:start] + out[end:]
    out = re.sub(r"\(\s*(?:c\.|ca\.)?\s*\)", "", out)
    out = re.sub(r"\s+([,.;:!?)—])", r"\1", out)
    out = re.sub(r"\(\s+", "(", out)
    out = re.sub(r"\s{2,}", " ", out).strip()
    return re.sub(r"^[,;:—–-]\s*", "", out)


def _tidy(label: str) -> str:
    label = label.strip().rstrip(",;:—–- ").removesuffix("?").removesuffix(".").strip()
    label = _QUESTION.sub("", label) if _QUESTION.match(label) else label
    if len(label) > MAX_LABEL:
        cut = label[: MAX_LABEL - 1]
        cut = cut[: cut.rfind(" ")] if " " in cut else cut
        label = cut.rstrip(",;:—–- ") + "…"
    return label[:1].upper() + label[1:]


def label_for(text: str, mention: DateMention) -> str:
    """A short label (at most 120 characters) for the event dated by `mention` in `text`."""
    sentence = next(((a, b) for a, b in _sentences(text) if a <= mention.pos < b),
                    (0, len(text)))
    a, _ = sentence
    body = text[sentence[0]:sentence[1]]
    pieces: list[tuple[int, int]] = []
    last = 0
    for sep in _CLAUSE.finditer(body):
        pieces.append((last, sep.start()))
        last = sep.end()
    pieces.append((last, len(body)))
    index = next((i for i, (s, e) in enumerate(pieces) if s <= mention.pos - a < max(e, s + 1)),
                 0)
    low = high = index
    best = _without_dates(body[pieces[low][0]:pieces[high][1]])
    while True:
        grown = False
        for lo, hi in ((low - 1, high), (low, high + 1)):
            if lo < 0 or hi >= len(pieces):
                continue
            candidate = _without_dates(body[pieces[lo][0]:pieces[hi][1]])
            if len(candidate) <= MAX_LABEL or len(best) < 30:
                low, high, best, grown = lo, hi, candidate, True
                break
        if not grown:
            break
    if len(best) < 3:
        best = " ".join(body.split())
    return _tidy(best) or mention.text


def event_id(card_id: str, date_text: str) -> str:
    """Deterministic event id: 'e' + a hash of the card id and the date as written."""
    return "e" + hashlib.sha1(f"{card_id}\0{date_text}".encode()).hexdigest()[:10]


def propose_events(deck: DeckFile) -> list[Event]:
    """One event per distinct date on each card (answer sentences preferred for labels)."""
    events: list[Event] = []
    for card in deck.cards:
        seen: set[str] = set()
        for text in (card.answer, card.prompt):
            for mention in find_dates(text):
                if mention.text in seen:
                    continue
                seen.add(mention.text)
                events.append(Event(
                    id=event_id(card.id, mention.text),
                    label=label_for(text, mention),
                    date_text=mention.text,
                    start=mention.start,
                    end=mention.end,
                    precision=mention.precision,
                    card=card.id,
                ))
    return events
