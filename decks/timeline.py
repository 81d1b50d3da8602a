"""Dated events found in card text, proposed for the deck's timeline (`order` rounds).

`find_dates` recognises the forms history notes use: "29 July 1936", "July 29, 1936",
"March 1930", "June–August 1932", "1927", "1927–28" / "1927-28" / "1927/8",
"winter 1929–30", "spring 1930", "early 1933", "mid-1933", "late 1932",
"between June 1931 and February 1932", "from 1929 to 1935", and ranges of days written as
one date: "20–21 June 1791", "20 to 21 June 1791", "28 June–4 August 1914", "July 20–21,
1969", "28 June 1914 – 4 August 1914". Decades ("the 1930s") are too vague to order and are
left out, and so are years that are not events: publication years ("The Hungry Steppe
(2018)", "in his 1995 book", "published in 1994"), citations ("(Kotkin 1995)"), counts
("over 1500 households") and comparisons ("the first meeting since 1614", "the worst since
1900", "more than in 1913").

`propose_events` turns the mentions into `Event`s with deterministic ids and a label a
teacher would write (see `label_for` and `docs/deck-format.md`): a short statement of what
happened, without its own date, never cut mid-clause, unique within the deck.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from decks.categories import TextIndex, is_author, strip_attribution
from decks.model import Card, DeckFile, Event, Precision

__all__ = [
    "CUT_LEVELS",
    "MAX_LABEL",
    "DateMention",
    "author_names",
    "drop_apposition",
    "drop_opening",
    "event_id",
    "find_dates",
    "label_for",
    "label_for_date",
    "label_problem",
    "parse_date",
    "propose_events",
    "sentences",
    "shorten",
    "statement",
    "with_proposed_events",
    "without_asides",
]

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
_D = r"\d{1,2}"
_TH = r"(?:st|nd|rd|th)?"
_TO = r"(?:\s?[–-]\s?|\s+to\s+)"  # "20–21", "20 - 21", "20 to 21"
_END = r"(?!\w|[.,]\d)"  # not "1930s", "1930.5" or "1930,000"
_YR = rf"{_Y}(?:\s?[–-]\s?(?:{_Y}|\d{{1,2}})|/(?:{_Y}|\d{{1,2}}))?{_END}"
_SEASON = r"(?:[Ww]inter|[Ss]pring|[Ss]ummer|[Aa]utumn|[Ff]all)"
_PART = r"(?:[Ee]arly\s+|[Ll]ate\s+|[Mm]id-|[Mm]id\s+|[Mm]iddle\s+of\s+)"

_FORMS: dict[str, str] = {
    "iso": rf"(?P<y>{_Y})-(?P<m>\d{{2}})(?:-(?P<d>\d{{2}}))?(?!\d)",
    "dmdmy": rf"(?P<d>{_D}){_TH}\s+(?P<m>{_M}){_TO}(?P<d2>{_D}){_TH}\s+(?P<m2>{_M}),?\s+"
             rf"(?P<y>{_Y}){_END}",
    "ddmy": rf"(?P<d>{_D}){_TH}{_TO}(?P<d2>{_D}){_TH}\s+(?P<m>{_M}),?\s+(?P<y>{_Y}){_END}",
    "dmy": rf"(?P<d>{_D}){_TH}\s+(?P<m>{_M}),?\s+(?P<y>{_Y}){_END}",
    "mdmdy": rf"(?P<m>{_M})\s+(?P<d>{_D}){_TH}{_TO}(?P<m2>{_M})\s+(?P<d2>{_D}){_TH},\s+"
             rf"(?P<y>{_Y}){_END}",
    "mddy": rf"(?P<m>{_M})\s+(?P<d>{_D}){_TH}{_TO}(?P<d2>{_D}){_TH},\s+(?P<y>{_Y}){_END}",
    "mdy": rf"(?P<m>{_M})\s+(?P<d>{_D}){_TH},\s+(?P<y>{_Y}){_END}",
    "mmy": rf"(?P<m>{_M})\s?[–-]\s?(?P<m2>{_M})\s+(?P<y>{_Y}){_END}",
    "my": rf"(?P<m>{_M}),?\s+(?P<y>{_Y}){_END}",
    "season": rf"(?P<s>{_SEASON})(?:\s+of)?\s+(?P<yr>{_YR})",
    "part": rf"(?P<p>{_PART})(?P<yr>{_YR})",
    "year": rf"(?P<yr>{_YR})",
}
_ONE = "|".join("(?:" + re.sub(r"\(\?P<\w+>", "(?:", form) + ")" for form in _FORMS.values())
_SCAN = re.compile(
    rf"(?<![\w.,/–-])(?:(?P<pair>(?:[Bb]etween\s+(?:{_ONE})\s+and|[Ff]rom\s+(?:{_ONE})\s+"
    rf"(?:to|until|till|through))\s+(?:{_ONE}))|(?P<span>(?:{_ONE})(?:\s*[–-]\s*|\s+(?:to|until)"
    rf"\s+)(?:{_ONE}))|(?:{_ONE}))"
)
_PAIR = re.compile(r"(?:[Bb]etween|[Ff]rom)\s+(.+?)\s+(?:and|to|until|till|through)\s+(.+)", re.S)
_SPAN = re.compile(r"(.+?)(?:\s*[–-]\s*|\s+(?:to|until)\s+)(.+)", re.S)
_COMPILED = {name: re.compile(form) for name, form in _FORMS.items()}

_COUNT_BEFORE = {"over", "about", "approximately", "nearly", "some", "than", "almost", "only"}
_COUNT_AFTER = {
    "people", "persons", "households", "families", "tons", "tonnes", "km", "kilometres",
    "kilometers", "miles", "metres", "meters", "men", "women", "workers", "peasants",
    "deaths", "rubles", "roubles", "dollars", "pounds", "head", "copies", "pages", "members",
    "troops", "soldiers", "prisoners", "inhabitants", "residents", "refugees", "children",
}
_BOOK_AFTER = {"book", "study", "monograph", "article", "essay", "novel", "memoir",
               "biography", "film", "paper", "volume", "edition", "account", "history",
               "lecture", "lectures", "thesis", "dissertation", "textbook", "trilogy"}
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
# "the first meeting since 1614", "the worst harvest since 1900", "not seen since 1870"
_SINCE_MARKERS = re.compile(
    r"\b(?:first|last|only|ever|never|not|no|most|least|worst|best|\w{3,}est)\b")
_NOT_SUPERLATIVE = {"interest", "protest", "forest", "harvest", "conquest", "request", "arrest",
                    "contest", "honest", "modest", "manifest", "suggest", "digest", "invest",
                    "priest", "unrest", "inquest", "northwest", "southwest", "midwest"}
_COMPARED_AFTER = {"level", "levels", "figure", "figures", "prices", "output", "borders",
                   "frontiers", "standards"}


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


def _day(year: int, month: int, day: int) -> str | None:
    """'1791-06-20', or None when the month has no such day."""
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{_ym(year, month)}-{day:02d}"


def _parse_days(name: str, groups: dict[str, str | None]) -> tuple[str, str | None,
                                                                     Precision] | None:
    """A date of the day forms: one day ("29 July 1936") or a range of days ("20–21 June
    1791", "28 June–4 August 1914", "July 20–21, 1969")."""
    year = int(groups["y"] or 0)
    month = int(groups["m"] or 0) if name == "iso" else _month(groups["m"] or "")
    if groups.get("d") is None:
        return (_ym(year, month), None, "month") if 1 <= month <= 12 else None
    first = _day(year, month, int(groups["d"] or 0))
    if groups.get("d2") is None:
        return None if first is None else (first, None, "day")
    other = groups.get("m2")
    month2 = _month(other) if other else month
    last = _day(year, month2, int(groups["d2"] or 0))
    if first is None or last is None or last <= first:
        return None
    return first, last, "day"


def _parse_one(text: str) -> tuple[str, str | None, Precision] | None:
    for name, pattern in _COMPILED.items():
        found = pattern.fullmatch(text)
        if found is None:
            continue
        groups = found.groupdict()
        if name in {"iso", "dmy", "mdy", "ddmy", "dmdmy", "mddy", "mdmdy"}:
            parsed = _parse_days(name, groups)
            if parsed is None:
                continue
            return parsed
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


def _join(left: tuple[str, str | None, Precision] | None,
          right: tuple[str, str | None, Precision] | None,
          text: str) -> tuple[str, str | None, Precision] | None:
    """One range from its two ends, or None when either is unreadable or they are reversed."""
    if left is None or right is None:
        return None
    precision = min(left[2], right[2], key=_COARSE.__getitem__)
    end = right[1] or right[0]
    event = Event(id="x", label="x", date_text=text, start=left[0], end=end,
                  precision=precision, card="x")
    return (left[0], end, precision) if event.last_day() >= event.first_day() else None


def parse_date(text: str) -> tuple[str, str | None, Precision] | None:
    """(start, end, precision) of one date expression, or None if it is not one.

    >>> parse_date("winter 1929–30")
    ('1929-12', '1930-02', 'month')
    >>> parse_date("20–21 June 1791")
    ('1791-06-20', '1791-06-21', 'day')
    """
    text = " ".join(text.split())
    pair = _PAIR.fullmatch(text)
    if pair is not None:
        return _join(_parse_one(pair[1]), _parse_one(pair[2]), text)
    one = _parse_one(text)
    if one is not None:
        return one
    span = _SPAN.fullmatch(text)  # "28 June 1914 – 4 August 1914", "1914 to 1918"
    if span is not None:
        return _join(_parse_one(span[1]), _parse_one(span[2]), text)
    return None


def _word_before(text: str, pos: int) -> str:
    """The word just before `pos`, if only spaces separate them."""
    found = re.search(r"([\w’'.]+)[ \t]+$", text[max(0, pos - 60):pos])
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
    if _CITATION.search(text[max(0, pos - 80):pos]):
        return True
    if not (text[:pos].endswith("(") and text[end:end + 1] == ")"):
        return False
    # "(1995)" right after a title-like capitalised phrase.
    words = re.findall(r"\S+", text[max(0, pos - 300):pos - 1])
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


def _is_comparison(text: str, pos: int, end: int) -> bool:
    """Is the date at text[pos:end] only a point of comparison: "the first meeting since
    1614", "the worst since 1900", "more than in 1913", "compared with 1913", "1913 levels"?"""
    clause = re.split(r"[.;:!?\n]", text[max(0, pos - 120):pos])[-1].lower()
    words = re.findall(r"[\w’'-]+", clause)
    if "than" in words[-2:] or words[-2:] in (["compared", "with"], ["compared", "to"]):
        return True
    if words[-3:-1] in (["compared", "with"], ["compared", "to"]):
        return True
    if _word_after(text, end) in _COMPARED_AFTER:
        return True
    if "since" in words[-2:]:
        before = [w for w in words[-10:-1] if w not in _NOT_SUPERLATIVE]
        return any(_SINCE_MARKERS.fullmatch(w) for w in before)
    return False


def find_dates(text: str) -> list[DateMention]:
    """All event dates in `text`, in order of appearance."""
    return list(_find_dates(text))


@functools.lru_cache(maxsize=4096)
def _find_dates(text: str) -> tuple[DateMention, ...]:
    """`find_dates`, remembered: labels look at the same pieces of text many times."""
    mentions = []
    for found in _SCAN.finditer(text):
        chunk = found.group()
        parsed = parse_date(chunk)
        if parsed is None:
            continue
        pos, end = found.span()
        if found["pair"] is None:
            if _is_comparison(text, pos, end):
                continue
            if re.fullmatch(rf"{_Y}(?:\s?[–/-]\s?\d{{1,4}})?", chunk):
                if _is_count(text, pos, end):
                    continue
                if re.fullmatch(_Y, chunk) and _is_publication(text, pos, end):
                    continue
        mentions.append(DateMention(chunk, pos, end, *parsed))
    return tuple(mentions)


# --- sentences and clauses (also used for the claims of imported cards) -----------------

_ABBREVIATIONS = {"c", "ca", "e.g", "i.e", "co", "st", "dr", "mr", "mrs", "ms", "prof", "vs",
                  "etc", "no", "cf", "al", "approx", "u.s", "u.k", "gen", "lt", "col", "jr",
                  "sr", *(m for m in _MONTHS if len(m) <= 4)}
# Where a sentence divides into clauses: ";", ":", a dash, or a comma before a conjunction,
# a relative pronoun or a participle.
_PIECE = re.compile(
    r"\s*(?:;|:\s|,\s+(?=(?:and|but|yet|so|while|whereas|although|though|because|"
    r"which|where|when|causing|leading|with|making|giving|rather)\s))\s*"
)
# Where a too-long text may be cut, by preference: (1) punctuation between clauses,
# (2) a subordinating conjunction or a list, (3) a relative pronoun or a participle,
# (4) a trailing prepositional phrase or coordinated part ("accused engineers of sabotage
# | and collaboration | with foreign powers"), keeping a whole main clause.
_CUTS = (
    re.compile(r"\s*(?:;|:(?=\s)|\s[—–]\s|—|,\s+(?=(?:and|but|yet|so|or|while|whereas|"
               r"although|though|because|since|as|which|who|whom|whose|where|when|until|"
               r"before|after|thus|hence|then|leading|causing|making|giving|including|such as)"
               r"\b)|,\s+(?=[a-z]+ing\b)|,\s+(?=[a-z]{3,}ed\s))"),
    re.compile(r"\s+(?=(?:because|although|though|whereas|while|until|unless|so that|in order "
               r"to|including|such as|rather than|as well as|when|whenever|if)\b)"),
    re.compile(r"\s+(?=(?:(?:in|of|by|on|at|for|to|from|with|through|under)\s+)?(?:which|whom)\b)"
               r"|\s+(?=(?:who|whose|where)\b)|\s+(?=[a-z]{3,}ing\b)"),
    re.compile(r"\s+(?=(?:with|of|in|for|to|during|at|from|after|before|under|against|without|"
               r"due to|despite|as|by|on|into|through|across|over|within|throughout|among|"
               r"between|towards|toward|via|amid|than|that)\s|(?:and|or)\s+(?:[a-z]+ly\s+)?"
               r"[a-z]+ed\b)"),
)
CUT_LEVELS = len(_CUTS)
_NOT_PARTICIPLES = {"during", "king", "thing", "nothing", "something", "anything",
                    "everything", "morning", "evening", "spring", "ring", "bring", "string",
                    "sing", "wing", "building", "meeting", "ceiling", "wedding", "landing",
                    "bombing", "shipping", "ruling", "uprising", "rising", "training", "funding",
                    "housing", "clothing", "feeling", "beginning", "ending", "being", "sibling",
                    "darling", "earning", "earnings", "swing", "sting", "ping", "duckling"}
_NO_CUT_BEFORE_ING = {"was", "were", "is", "are", "be", "been", "being", "by", "of", "for", "in",
                      "on", "to", "about", "without", "after", "before", "while", "from",
                      "into", "the", "a", "an", "his", "her", "their", "its", "our", "this",
                      "that", "not", "started", "began", "begin", "stopped", "kept", "keep",
                      "continued", "stop", "start", "avoid", "avoided", "enjoy", "finished"}


_LAST_TOKEN = re.compile(r"(?:^|(?<=\s))([\w.]*)$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, not splitting at 'V. P.', 'c.', 'Co.'."""
    return list(_sentence_spans(text))


@functools.lru_cache(maxsize=1024)
def _sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    bounds = [0]
    for found in re.finditer(r"[.!?]+[\"”’)\]]*(?=\s|$)|\n", text):
        if found.group().startswith("."):
            word = _LAST_TOKEN.search(text, max(0, found.start() - 40), found.start())
            token = word[1] if word else ""
            if (len(token) == 1 and token.isupper()) or token.lower() in _ABBREVIATIONS or \
                    re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):
                continue
        bounds.append(found.end())
    bounds.append(len(text))
    return tuple((a, b) for a, b in itertools.pairwise(bounds) if text[a:b].strip())


def sentences(text: str) -> list[str]:
    """The sentences of `text`, whitespace collapsed."""
    return [" ".join(text[a:b].split()) for a, b in sentence_spans(text)]


def _cut_allowed(text: str, found: re.Match[str]) -> bool:
    """Is this a real clause boundary (not "during", "a meeting", "was planning")?"""
    if "—" in found.group() and text.count("—") >= 2:
        return False  # a dash of a "—...—" aside
    if text[:found.start()].count("—") % 2 and "—" in text[found.end():]:
        return False  # inside a "—...—" aside
    if re.match(r"\s+(?:which|whom)\b", text[found.start():]) and \
            _word_before(text, found.start() + 1) in _PREPOSITIONS:
        return False  # "in | which": cut before the preposition instead
    if ":" in text[:found.start()]:
        return False  # inside what follows a colon, usually a list
    if re.match(r"\s*,\s+(?:and|or)\b", text[found.start():]):
        items = text[:found.start()].split(",")
        return len(items) == 1 or len(items[-1].split()) > 5  # not "X, Y, and Z"
    ing = re.match(r"[,\s]*([a-z]+ing)\b", text[found.start():found.end() + 20])
    if ing is None:
        return True
    if ing[1] in _NOT_PARTICIPLES or ing[1] == "including":
        return ing[1] == "including"
    if re.match(r"\s*(?:[,.;:)]|and\b|or\b|$)", text[found.start() + len(ing[0]):]):
        return False  # "economic planning, and": a noun, not a participle with an object
    return _word_before(text, found.start() + 1).lower() not in _NO_CUT_BEFORE_ING


def shorten(text: str, limit: int, min_words: int = 3, levels: int = 3) -> str | None:
    """`text` if it fits in `limit` characters, else its longest beginning that ends at a
    clause boundary of the first `levels` kinds of `_CUTS` (best kind first) and fits;
    None when there is none."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    for pattern in _CUTS[:levels]:
        ends = [m.start() for m in pattern.finditer(text)
                if m.start() <= limit and _cut_allowed(text, m)]
        for end in sorted(ends, reverse=True):
            head = text[:end].rstrip(" ,;:—–-")
            if len(head.split()) >= min_words and _balanced(head):
                return head
    return None


def _balanced(text: str) -> bool:
    """Are the brackets and quotes of `text` closed?"""
    pairs = (("(", ")"), ("[", "]"), ("“", "”"))
    return all(text.count(a) == text.count(b) for a, b in pairs) and text.count('"') % 2 == 0


def without_asides(text: str) -> str:
    """`text` without its asides: "(known as Apis)", "[sic]", "—at least 1.8 million—"."""
    out = re.sub(r"\s*\([^()]*\)|\s*\[[^\]]*\]|\s*—(?:[^—.;]|\.\d){1,80}—\s*(?=\w)", " ", text)
    out = re.sub(r"\s{2,}", " ", out)
    return re.sub(r"\s+([,.;:!?])", r"\1", out).strip()


# --- statements from questions: "When was the Bastille stormed?" -> "The Bastille was stormed"

def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_IRREGULAR = dict(pair.split(":") for pair in _wordset(
    "arise:arose awake:awoke be:was bear:bore beat:beat become:became begin:began bend:bent "
    "bind:bound bite:bit blow:blew break:broke bring:brought broadcast:broadcast build:built "
    "burst:burst buy:bought cast:cast catch:caught choose:chose cling:clung come:came cut:cut "
    "deal:dealt dig:dug do:did draw:drew drink:drank drive:drove eat:ate fall:fell feed:fed "
    "feel:felt fight:fought find:found flee:fled fly:flew forbid:forbade foresee:foresaw "
    "forget:forgot forgive:forgave freeze:froze get:got give:gave go:went grow:grew hang:hanged "
    "have:had hear:heard hide:hid hit:hit hold:held hurt:hurt keep:kept know:knew lay:laid "
    "lead:led leave:left lend:lent let:let lie:lay light:lit lose:lost make:made mean:meant "
    "meet:met mislead:misled overcome:overcame overrun:overran oversee:oversaw overtake:overtook "
    "overthrow:overthrew pay:paid put:put quit:quit read:read rebuild:rebuilt rid:rid ride:rode "
    "ring:rang rise:rose run:ran say:said see:saw seek:sought sell:sold send:sent set:set "
    "shake:shook shine:shone shoot:shot shut:shut sing:sang sink:sank sit:sat slay:slew "
    "sleep:slept speak:spoke spend:spent spin:spun split:split spread:spread stand:stood "
    "steal:stole stick:stuck strike:struck strive:strove swear:swore sweep:swept swim:swam "
    "swing:swung take:took teach:taught tear:tore tell:told think:thought throw:threw "
    "undergo:underwent understand:understood undertake:undertook uphold:upheld wake:woke "
    "wear:wore win:won wind:wound withdraw:withdrew withstand:withstood write:wrote"
))
_REGULAR = _wordset(
    "abandon abdicate abolish accept accede achieve acquire adjourn admit adopt advance agree "
    "aim allow ally amend annex announce appear appoint approve arm arrest arrive ask "
    "assassinate assemble attack attempt authorise authorize ban battle besiege blockade bomb "
    "boycott bury call campaign capture cause cede celebrate challenge change charge claim "
    "classify close collapse collectivise collectivize colonise colonize command commit "
    "complete condemn confirm conquer consolidate contact control convene convert crash "
    "create cross crown crush cure decide declare decline decree defeat defect defend demand "
    "demolish deploy depose describe destroy detect detonate develop die disappear disband "
    "discover dismiss dissolve divide dock dominate drop elect embark emerge emigrate enact "
    "end enforce enter erupt escape establish evacuate excavate excommunicate execute exile "
    "expand expel explode explore extend fail finish fire flood form formulate found free "
    "gain gather grant guillotine happen help identify ignite impeach implement impose "
    "imprison improve inaugurate include increase infect introduce invade invent issue join "
    "kill land last launch legalise legalize liberate live march marry massacre merge mobilise "
    "mobilize modernise modernize move murder mutiny name nationalise nationalize negotiate "
    "observe occupy occur offer open orbit order organise organize outlaw pass patent perform "
    "persecute photograph plan pledge plot prepare present print privatise proclaim produce "
    "promise propose protest prove publish purge raid raise ratify reach rebel recapture "
    "receive recognise recognize record redistribute reduce reform refuse reject release "
    "remain remove rename reopen reorganise repeal repel replace resign resume restore retreat "
    "return reveal revoke revolt riot rule sack sail save scuttle seal secure seize sequence "
    "settle shell sign splash stage start starve station stop storm submit succeed suffer "
    "summon support surrender survive suspend synthesise synthesize tax terminate test topple "
    "torpedo trade transfer transform travel triumph try turn unify unite unveil use vaccinate "
    "vanish veto visit vote walk want work"
)
_DOUBLED = {"admit", "commit", "submit", "permit", "occur", "refer", "prefer", "confer",
            "control", "compel", "expel", "repel", "propel", "rebel", "regret", "abet", "equip",
            "patrol", "transfer", "omit", "acquit", "deter", "incur", "recur"}
_IRREGULAR_PARTICIPLES = _wordset(
    "arisen awoken born borne beaten become begun bent bound bitten blown broken brought built "
    "burnt bought cast caught chosen come cut dealt dug done drawn driven eaten fallen fed felt "
    "fought found fled flown forbidden forgotten forgiven frozen given gone grown hanged hung "
    "had heard hidden hit held hurt kept known laid led left lent let lain lit lost made meant "
    "met misled overcome overrun overseen overtaken overthrown paid put read rebuilt rid ridden "
    "rung risen run said seen sought sold sent set shaken shone shot shown shut sung sunk sat "
    "slain slept spoken spent spun split spread stood stolen stuck struck sworn swept swum "
    "swung taken taught torn told thought thrown undergone understood undertaken upheld woken "
    "worn won wound withdrawn withstood written"
)
_DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "this", "that", "these", "those",
                "our", "my", "your", "whose", "each", "every", "some", "any", "no"}
_PREPOSITIONS = {"in", "on", "at", "to", "into", "onto", "from", "by", "with", "without", "for",
                 "of", "during", "after", "before", "under", "over", "against", "across",
                 "through", "towards", "toward", "between", "among", "around", "about", "as",
                 "off", "out", "up", "down", "upon", "within", "near", "behind", "beyond"}
_ASKS_WHEN = (r"(?:When|(?:How|Why|Where)\s+and\s+when|(?:In|By|At|On|During)\s+(?:what|which)\s+"
              r"(?:year|month|decade|century|date|day)|(?:What|Which)\s+(?:year|month|date|day))")
_WHEN = rf"(?:{_ASKS_WHEN}|(?:When\s+and\s+)?(?:how|why|where))"
_WHEN_QUESTION = re.compile(rf"^{_ASKS_WHEN}\b", re.I)
_DO_QUESTION = re.compile(rf"^(?:{_WHEN}|What|Which\s+\w+|Who(?:m)?)\s+(did|does|do)\s+(.+)$",
                          re.I | re.S)
_BE_QUESTION = re.compile(rf"^{_WHEN}\s+(was|were|is|are|has|have|had)\s+(.+)$", re.I | re.S)
_WHAT_IS = re.compile(r"^(?:What|Who)\s+(?:was|were|is|are)\s+(.+)$|"
                      r"^What\s+(?:happened|took\s+place|occurred)\s+(?:during|in|at|on)\s+(.+)$"
                      r"|^(?:The\s+)?(?:date|year|day)\s+(?:of|when)\s+(.+)$", re.I | re.S)


_ASKS = re.compile(r"^(?:Who|What|Which|Why|How|Where|When|Whom|Whose|Did|Does|Do|Is|Are|Was|"
                   r"Were|Has|Have|Had|Can|Could|Should|Would|Will)\b", re.I)
_IMPERATIVE = re.compile(
    r"^(?:Explain|Describe|Compare|Contrast|State|List|Name|Give|Outline|Define|Identify|"
    r"Discuss|Evaluate|Assess|Analy[sz]e|Summari[sz]e|Show|Suggest|Write|Draw)\s+(?:the|a|an|"
    r"two|three|four|five|one|some|each|how|why|what|which|who|when|where|whether|and|your|"
    r"its|his|her|their)\b", re.I)


_SECOND_QUESTION = re.compile(r"\s*(?:;|,\s+(?:and|or|but)\s+(?=(?:how|why|what|when|where|who|"
                              r"which|to what extent|in what ways?)\b))", re.I)


def _past(verb: str) -> str:
    """The simple past of a base verb: "storm" -> "stormed", "flee" -> "fled"."""
    low = verb.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if low.endswith("e"):
        return verb + "d"
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ied"
    if low in _DOUBLED or re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", low):
        return verb + verb[-1] + "ed"
    return verb + "ed"


def _third_person(verb: str) -> str:
    """"storm" -> "storms", "march" -> "marches", "try" -> "tries"."""
    low = verb.lower()
    if low in {"be", "have", "do", "go"}:
        return {"be": "is", "have": "has", "do": "does", "go": "goes"}[low]
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ies"
    return verb + ("es" if re.search(r"(?:s|sh|ch|x|z|o)$", low) else "s")


def _verb_index(words: list[str]) -> int | None:
    """Where the verb of a question's rest is: "the royal family try to ..." -> 3."""
    def plain(k: int) -> str:
        return words[k].strip(",;:“”\"'").lower()

    def after_determiner(k: int) -> bool:
        return k > 0 and plain(k - 1) in _DETERMINERS

    for k in range(1, len(words)):
        word = plain(k)
        if words[k][:1].islower() and not after_determiner(k) and (
                word in _IRREGULAR or word in _REGULAR):
            return k
    if len(words) > 1 and words[0][:1].islower() and plain(0) not in _DETERMINERS and \
            words[1][:1].islower() and plain(1) not in _PREPOSITIONS | _DETERMINERS and \
            not plain(1).endswith(("ly", "s")):
        return 1  # "collectivization trigger mass flight"
    for k in range(1, len(words)):  # an unknown verb: a lowercase word before its object
        word, following = plain(k), plain(k + 1) if k + 1 < len(words) else ""
        if not words[k][:1].islower() or after_determiner(k) or word in _PREPOSITIONS or \
                word in _DETERMINERS or word.endswith(("s", "ly")):
            continue
        if not following or following in _DETERMINERS or following in _PREPOSITIONS or \
                words[k + 1][:1].isupper():
            return k
    return None


def _participle_index(words: list[str]) -> int | None:
    """Where the participle of "the Bastille stormed (by ...)" is, or None."""
    for k in range(1, len(words)):
        word = words[k].strip(",;:“”\"'")
        low = word.lower()
        if not word[:1].islower() or words[k - 1].lower() in _DETERMINERS:
            continue
        if low in _IRREGULAR_PARTICIPLES or re.fullmatch(r"[a-z]{2,}(?:ed|en)", low):
            following = words[k + 1].lower() if k + 1 < len(words) else ""
            if not following or following in _PREPOSITIONS or following in _DETERMINERS or \
                    not following[:1].isalpha() or words[k + 1][:1].isupper():
                return k
    return None


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def statement(prompt: str) -> str | None:
    """A prompt as a statement of what happened: "When was the Bastille stormed?" -> "The
    Bastille was stormed", "When did Napoleon seize power?" -> "Napoleon seized power",
    "What was Sputnik 1?" -> "Sputnik 1"; a prompt that is not a question (a Quizlet term)
    stays as it is. None for a question with no such reading ("Who led the army?")."""
    text = " ".join(prompt.split())
    question = text.split("?", 1)[0].strip() if "?" in text else text.rstrip(".")
    question = _SECOND_QUESTION.split(question, maxsplit=1)[0].strip()
    if not question:
        return None
    if (found := _DO_QUESTION.match(question)) is not None:
        aux, words = found[1].lower(), found[2].split()
        k = _verb_index(words)
        if k is None:
            return None
        verb = {"did": _past, "does": _third_person}.get(aux, lambda v: v)(words[k])
        return _capitalise(" ".join([*words[:k], verb, *words[k + 1:]]))
    if (found := _BE_QUESTION.match(question)) is not None:
        aux, words = found[1].lower(), found[2].split()
        k = _participle_index(words)
        if k is not None:
            return _capitalise(" ".join([*words[:k], aux, *words[k:]]))
        if aux in {"was", "were", "is", "are"} and _WHEN_QUESTION.match(question):
            return _capitalise(" ".join(words))  # "When was the Tennis Court Oath?"
        return None
    if (found := _WHAT_IS.match(question)) is not None:
        return _capitalise(next(g for g in found.groups() if g))
    if "?" in text or _ASKS.match(text) or _IMPERATIVE.match(text):
        return None
    return _capitalise(question)


# --- labels -----------------------------------------------------------------------------

MAX_LABEL = 80
_PREPOSITION = re.compile(
    r"(?:\b(?:[Ii]n|[Oo]n|[Bb]y|[Dd]uring|[Ff]rom|[Ss]ince|[Uu]ntil|[Tt]ill|[Oo]f|[Aa]fter|"
    r"[Bb]efore|[Aa]round|[Tt]hroughout|[Cc]irca|[Aa]t|[Ff]or|[Tt]o)\s+(?:the\s+)?)?"
    r"(?:(?:[Tt]he\s+)?(?:night|morning|evening|summer|winter|spring|autumn|end|beginning|"
    r"start|middle|turn)\s+of\s+(?:the\s+)?)?(?:(?:[Ee]arly|[Ll]ate|[Mm]id-?)\s*)?"
    r"(?:(?:c|ca)\.\s*)?$"
)
_SUBORDINATORS = {"that", "and", "but", "when", "which", "where", "while", "because", "as",
                  "so", "who"}
_LEADING = re.compile(r"^(?:(?:and|but|so|yet|then|thus|hence|when|whereas|although|though|"
                      r"because|while|once|where|that)\b[\s,]*)+", re.I)
_LEADING_PHRASE = re.compile(
    r"^(?:In|On|At|During|After|Before|By|From|Following|Within|Under|Throughout)\s+"
    r"(?:the|a|an|this|that|its|his|her|their)\s+(?:[a-z-]+\s+){0,3}?(?=(?:the|a|an)\s)"
)
_OPENING_CLAUSE = re.compile(r"\s*(?:When|After|Although|Though|Because|While|As|Once|Since|"
                             r"If|Before|Until|Whereas)\s[^,;]+?(,\s*)")
_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "his", "hers",
             "its", "their", "theirs", "our", "this", "these", "those", "that", "which", "who",
             "whom", "whose", "such", "another", "the latter", "the former"}
_FRAGMENT_STARTS = _PREPOSITIONS | {"and", "or", "but", "which", "who", "whom", "whose",
                                    "where", "than", "to", "not", "rather", "the latter"}
_DANGLING_ENDS = _PREPOSITIONS | _DETERMINERS | {"and", "or", "but", "than", "that", "which",
                                                 "who", "when", "because", "while"}


def _date_spans(text: str) -> list[tuple[int, int]]:
    """The spans of the dates in `text`, dates joined by "and", "," or "or" as one span."""
    spans: list[tuple[int, int]] = []
    for mention in find_dates(text):
        if spans and re.fullmatch(r"\s*(?:,|,?\s*and|,?\s*or|&)\s*",
                                  text[spans[-1][1]:mention.pos]):
            spans[-1] = (spans[-1][0], mention.end_pos)
        else:
            spans.append((mention.pos, mention.end_pos))
    return spans


_ASIDE_BEFORE = re.compile(r",\s+(?:[a-z]+\s+){1,3}$")
_OPEN_PAREN = re.compile(r"\(([^()]*)$")


def _without_dates(text: str) -> str:
    """`text` with its dates (and the 'in', 'by', '(…)', ', drawn up in …,' around them)
    taken out."""
    out = text
    for pos, end in reversed(_date_spans(text)):
        if _word_before(out, pos) in _DETERMINERS:
            start = pos  # "the 1927 war scare" -> "the war scare"
        else:
            window = max(0, pos - 80)
            before = _PREPOSITION.search(out, window, pos)
            start = before.start() if before else pos
        if out[end:end + 1] == "," and _word_before(out, start) in _SUBORDINATORS:
            end += 1  # "that in 1930–31, about 381,000" -> "that about 381,000"
        aside = _ASIDE_BEFORE.search(out, max(0, start - 80), start)
        if aside and out[end:end + 1] == "," and _word_before(out, start) not in _SUBORDINATORS:
            start, end = aside.start(), end + 1  # "Plan, drawn up in 1905, required"
        paren = _OPEN_PAREN.search(out, max(0, start - 120), start)
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
    """Outer punctuation, a question mark and dangling last words ("... in the") removed."""
    label = " ".join(label.split()).strip(" ,;:—–-.?!")
    label = re.sub(r"^[^\w“\"'(\[]+", "", label)  # "| He ..." -> "He ..."
    while True:
        words = label.split()
        if len(words) > 1 and words[-1].lower().strip(",;:") in _DANGLING_ENDS:
            label = " ".join(words[:-1]).strip(" ,;:—–-")
        else:
            return label


def drop_opening(text: str) -> str:
    """"In the second crisis the gunboat ..." -> "the gunboat ..."; "During X, Y" -> "Y"."""
    first = text.split(maxsplit=1)[0].lower() if text.split() else ""
    if first not in _PREPOSITIONS and first not in {"following", "throughout", "within"}:
        return text
    comma = text.find(", ")
    if comma > 0 and len(text[:comma].split()) <= 10 and len(text[comma + 2:].split()) >= 3:
        return text[comma + 2:]
    found = _LEADING_PHRASE.match(text)
    if found is not None and len(text[found.end():].split()) >= 3:
        return text[found.end():]
    return text


def _tidy_label(raw: str, authors: Sequence[str]) -> str:
    """A piece of card text made a label: dates, asides, attributions ("Fischer argues
    that"), leading connectors and phrases ("In the second crisis") taken out."""
    text = without_asides(_without_dates(raw))
    text = _drop_subordinator(_LEADING.sub("", text.strip(" ,;:—–-")))
    text = strip_attribution(drop_opening(text), authors)
    text = drop_opening(_LEADING.sub("", text))
    text = re.sub(r"^(?:then|also|finally|eventually|later)\s+", "", text)
    # Time told relative to another sentence means nothing in an order round: "Russia then
    # ordered ...", "... into Belgium two days later".
    text = re.sub(r"(?<=\w) (?:then|soon|shortly) (?=[a-z]+ed\b)", " ", text)
    text = _RELATIVE_TIME.sub("", text)
    first = text.split(maxsplit=1)[0] if text.split() else ""
    if first in _PAST_FORMS or re.fullmatch(r"[a-z]+ed", first):
        return ""  # "printed paper money and ...": its subject is in another clause
    return _capitalise(_tidy(_definite(text)))


_RELATIVE_TIME = re.compile(
    r",?\s+(?:(?:a|one|two|three|four|five|six|seven|eight|nine|ten|a few|several|\d+)\s+"
    r"(?:days?|weeks?|months?|years?)\s+(?:later|afterwards|after that)|later that "
    r"(?:day|week|month|year)|the (?:next|following) (?:day|week|month|year))(?=[.;,]?$)")


_VERB_AFTER_THIS = {"was", "were", "is", "are", "had", "has", "have", "would", "could", "will",
                    "can", "may", "might", "must", "should", "did", "does", "do", "not", "also"}


def _definite(text: str) -> str:
    """"This narrative culminated ..." -> "The narrative culminated ...": a demonstrative
    pointing back to an earlier sentence becomes "the"; "This led to ..." is left alone
    (and is no label)."""
    found = re.match(r"(?:This|These|That|Those|this|these|that|those)\s+([a-z]+)\b", text)
    if found is None:
        return text
    word = found[1]
    if word in _VERB_AFTER_THIS or word in _PAST_FORMS or re.fullmatch(r"[a-z]+ed", word):
        return text
    return "the" + text[found.start(1) - 1:]


def _cut_points(text: str, keep: int) -> list[int]:
    """Where `text` may be cut (see `_CUTS`), best kind first and longest first, never
    before position `keep` (the end of the date the label is for)."""
    points: list[int] = []
    for pattern in _CUTS:
        found = [m.start() for m in pattern.finditer(text) if m.start() >= keep
                 and _cut_allowed(text, m)]
        points.extend(p for p in sorted(found, reverse=True) if p not in points)
    return points


_APPOSITION = re.compile(r"^([A-Z][^,]{2,60}?),\s+(?:(?:a|an|the)\s[^,]{3,80}|[a-z][^,]{2,60}),\s+"
                         r"(?=(?:[a-z]+ly\s+)?[a-z]+(?:ed|s)?\s)")
_PAST_FORMS = frozenset(_IRREGULAR.values())


def _drop_subordinator(text: str) -> str:
    """"After the Congress committed the USSR to ..." -> "the Congress committed the USSR to
    ...": an opening "after", "before", "since", "until", "as" or "once" whose clause has a
    verb in the past ("After inspecting the site" keeps its "After" and is no label)."""
    found = re.match(r"(?:After|Before|Since|Until|As|Once)\s+", text)
    if found is None:
        return text
    words = text[found.end():].split(",", 1)[0].split()
    past = any((w in _PAST_FORMS or re.fullmatch(r"[a-z]{3,}ed", w)) and
               words[k - 1].lower() not in _DETERMINERS for k, w in enumerate(words) if k)
    return text[found.end():] if past else text


def drop_apposition(text: str) -> str:
    """"The Black Hand, a secret society run by X, armed ..." -> "The Black Hand armed ..."."""
    return _APPOSITION.sub(r"\1 ", text)


_MAX_RAW = 400  # a cut further on leaves more than a label, whatever cleaning takes out


def _clean(raw: str, authors: Sequence[str], keep: int = 0) -> str | None:
    """The longest label that `_tidy_label` makes of `raw`, or of a beginning of it cut at
    a clause boundary after `keep`, that fits in `MAX_LABEL`; None when none does."""
    ends = [len(raw)] if len(raw) <= _MAX_RAW else []
    for end in [*ends, *(p for p in _cut_points(raw[:_MAX_RAW + 1], keep) if p <= _MAX_RAW)]:
        label = _tidy_label(raw[:end], authors)
        if len(label) > MAX_LABEL:  # "The Black Hand, a secret society run by X, armed"
            label = drop_apposition(label)
        if label and len(label) <= MAX_LABEL and _balanced(label):
            return label
    return None


def label_problem(label: str, start: str = "", end: str | None = None,
                  authors: Sequence[str] = (), min_words: int = 3) -> str | None:
    """Why `label` is not fit for an order round (None when it is): too long or short, its
    own year in it, an ellipsis, a dangling pronoun or a fragment at the start, a leftover
    "20–21", unclosed brackets, or a sentence about an author ("Fischer reads ...")."""
    words = label.split()
    lead = re.match(r"\W*([\w’'-]+)", label)
    first = lead[1].lower() if lead else ""
    years = range(int(start[:4]), int((end or start)[:4]) + 1) if start else range(0)
    if not words or len(label) > MAX_LABEL:
        return "length"
    if len(words) < min_words or not re.search(r"[A-Za-z]{3}", label):
        return "too short"
    if "…" in label or "..." in label:
        return "ellipsis"
    if any(re.search(rf"(?<!\d){year}(?!\d)", label) for year in years):
        return "own year"
    if re.search(r"(?<![\d,.])\d{1,2}\s?[–-]\s?\d{1,2}(?![\d,.])", label):
        return "leftover range"
    if first in _PRONOUNS or " ".join(words[:2]).lower() in _PRONOUNS:
        return "pronoun"
    if first in _FRAGMENT_STARTS or (re.fullmatch(r"[a-z]+ing", first)
                                     and first not in _NOT_PARTICIPLES | {"according"}):
        return "fragment"
    if _ASKS.match(label) or label.endswith("?"):
        return "question"
    if re.match(r"(?:The\s+)?(?:first|second|third|fourth|fifth|last|latter|former|next|"
                r"other|rest)\b\s*(?:,|in|of|on|at|during|from|to|$)", label, re.I) or re.search(
                r",\s+the\s+(?:second|third|fourth|last|other)\s+(?:in|of|on|at|during|from)\b",
                label):
        return "fragment"  # "The third in the Great Purges", "the first X, the second in Y"
    if not _balanced(label):
        return "brackets"
    if authors and label.startswith(tuple(authors)) and re.match(
            r"(?:" + "|".join(map(re.escape, authors)) + r")(?!\w)", label):
        return "about an author"
    return None


def _piece_bounds(body: str) -> list[tuple[int, int]]:
    """(start, end) of the clause pieces of a sentence."""
    pieces: list[tuple[int, int]] = []
    last = 0
    opening = _OPENING_CLAUSE.match(body)
    if opening is not None:  # "When Austria annexed Bosnia in 1908, Russia ..."
        pieces.append((0, opening.start(1)))
        last = opening.end()
    for sep in _PIECE.finditer(body, last):
        if not _cut_allowed(body, sep):
            continue
        pieces.append((last, sep.start()))
        last = sep.end()
    pieces.append((last, len(body)))
    return pieces


_MAX_CANDIDATES = 6


@dataclass(frozen=True)
class _Sentence:
    """A sentence of a text: its span, its clause pieces (relative to its start) and, for
    each date in it, the date's position in the text and the piece that holds it."""

    start: int
    end: int
    pieces: tuple[tuple[int, int], ...]
    dates: tuple[tuple[int, int], ...]


@functools.lru_cache(maxsize=1024)
def _layout(text: str) -> tuple[_Sentence, ...]:
    """The sentences of `text` with their pieces and dates, worked out once per text."""
    out = []
    for a, b in sentence_spans(text):
        body = text[a:b]
        pieces = tuple(_piece_bounds(body))
        dates = tuple((m.pos + a, next((i for i, (s, e) in enumerate(pieces)
                                        if s <= m.pos < max(e, s + 1)), 0))
                      for m in find_dates(body))
        out.append(_Sentence(a, b, pieces, dates))
    return tuple(out)


def _candidates(text: str, mention: DateMention) -> list[tuple[str, int]]:
    """Stretches of the sentence around `mention` that may make its label, best first: its
    own clause, then with more clauses to the left, then to the right, never reaching the
    clause of another date in the same sentence. Each comes with where the date ends in it
    (0 for a date in brackets, which dates its whole clause: "The crisis ran from X to Y
    (28 June–4 August 1914)" may be cut before "to Y")."""
    sentence = next((s for s in _layout(text) if s.start <= mention.pos < s.end), None)
    if sentence is None:
        return []
    a, pieces = sentence.start, sentence.pieces
    index = next((i for pos, i in sentence.dates if pos == mention.pos), 0)
    others = [i for pos, i in sentence.dates if pos != mention.pos]
    low = max([i + 1 for i in others if i < index], default=0)
    high = min([i - 1 for i in others if i > index], default=len(pieces) - 1)
    spans = [(index, index), *((lo, index) for lo in range(index - 1, low - 1, -1)),
             *((low, hi) for hi in range(index + 1, high + 1))][:_MAX_CANDIDATES]
    bracketed = re.search(r"\([^()]{0,20}$", text[max(0, mention.pos - 30):mention.pos])
    body = text[a:sentence.end]
    return [(body[pieces[lo][0]:pieces[hi][1]],
             0 if bracketed else mention.end_pos - a - pieces[lo][0]) for lo, hi in spans]


def _date_is_subject(text: str, mention: DateMention) -> bool:
    """Is the date the subject of its clause ("Despite this, 1928 produced no designs")?
    Taking it out would leave a clause without a subject."""
    before = text[:mention.pos].rstrip(" ")
    after = re.match(r"\s+([a-z]+)\b", text[mention.end_pos:])
    opens = not before or before.endswith((",", ";", ":", ".", "\n", "—"))
    return opens and after is not None and after[1] not in _PREPOSITIONS | _DETERMINERS | {
        "and", "or", "but", "when", "while"}


def label_for(text: str, mention: DateMention, authors: Sequence[str] = ()) -> str | None:
    """A label for the event dated by `mention` in `text`: the first of `_candidates` that,
    cleaned, passes `label_problem`; None when none does. `authors` are the names of the
    deck's authors, whose attributions are dropped and who are not events."""
    if _date_is_subject(text, mention):
        return None
    for raw, keep in _candidates(text, mention):
        label = _clean(raw, authors, keep)
        if label and label_problem(label, mention.start, mention.end, authors) is None:
            return label
    return None


def label_for_date(card: Card, start: str, end: str | None,
                   authors: Sequence[str] = ()) -> str | None:
    """A label for a date given with `card` (a CSV date column, or the date a "When ...?"
    card answers): the prompt as a statement, else the first sentence of the answer."""
    said = statement(card.prompt)
    if said is not None:
        label = _clean(said, authors)
        if label and label_problem(label, start, end, authors, min_words=1) is None:
            return label
    first = next(iter(sentences(card.answer)), "")
    label = _clean(first, authors)
    if label and label_problem(label, start, end, authors) is None:
        return label
    return None


def event_id(card_id: str, date_text: str) -> str:
    """Deterministic event id: 'e' + a hash of the card id and the date as written."""
    return "e" + hashlib.sha1(f"{card_id}\0{date_text}".encode()).hexdigest()[:10]


def author_names(deck: DeckFile) -> list[str]:
    """The names and aliases of the deck's categories that are authors ("Kotkin argues")."""
    texts = TextIndex(f"{c.prompt}\n{c.answer}" for c in deck.cards)
    return [name for cat in deck.categories if is_author([cat.name, *cat.aliases], texts)
            for name in (cat.name, *cat.aliases)]


def _within(inner: DateMention, outer: DateMention) -> bool:
    """Does `inner`'s period lie inside `outer`'s ("8 December 1912" in "December 1912")?"""
    def bounds(m: DateMention) -> tuple[str, str]:
        event = Event(id="x", label="x", date_text=m.text, start=m.start, end=m.end,
                      precision=m.precision, card="x")
        return event.first_day(), event.last_day()

    (a, b), (c, d) = bounds(inner), bounds(outer)
    return c <= a and b <= d


def _date_only(text: str, mention: DateMention) -> bool:
    """Is the sentence of `mention` little more than the date ("On the night of 4 August
    1789", "1792 (in April)")?"""
    a, b = next(((a, b) for a, b in sentence_spans(text) if a <= mention.pos < b),
                (0, len(text)))
    return len(without_asides(_without_dates(text[a:b])).split()) < 3


def _prompt_label(card: Card, mention: DateMention, authors: Sequence[str]) -> str | None:
    """A label for a date in the prompt: the prompt as a statement without the date, else
    the prompt's own clause, else ("What happened on 14 July 1789?") the answer's lead."""
    said = statement(_without_dates(card.prompt))
    if said is not None:
        label = _clean(said, authors)
        if label and label_problem(label, mention.start, mention.end, authors) is None:
            return label
    label = label_for(card.prompt, mention, authors)
    if label is None:
        lead = _clean(next(iter(sentences(card.answer)), ""), authors)
        if lead and label_problem(lead, mention.start, mention.end, authors) is None:
            label = lead
    return label


def _card_events(card: Card, authors: Sequence[str]) -> Iterable[tuple[DateMention, str]]:
    """(mention, label) for each date of `card` that makes an event: the answer's dates
    first (the first one labelled by the prompt when the prompt asks "When ...?" or the
    answer is little more than the date), then the prompt's dates that no answer date
    already pins down more precisely ("December 1912" and "8 December 1912")."""
    answer = find_dates(card.answer)
    asks_when = _WHEN_QUESTION.match(" ".join(card.prompt.split())) is not None
    for k, mention in enumerate(answer):
        label = None
        if k == 0 and (asks_when or _date_only(card.answer, mention)):
            label = label_for_date(card, mention.start, mention.end, authors)
        label = label or label_for(card.answer, mention, authors)
        if label is not None:
            yield mention, label
    for mention in find_dates(card.prompt):
        if any(_within(m, mention) for m in answer):
            continue
        label = _prompt_label(card, mention, authors)
        if label is not None:
            yield mention, label


def label_key(label: str) -> str:
    """What makes two labels the same: their words, case-folded."""
    return " ".join(re.findall(r"\w+", label.casefold()))


def propose_events(deck: DeckFile) -> list[Event]:
    """Events for the dates in the deck's cards, one per distinct date on a card, with
    labels unique in the deck (a label already used, by the deck's own events too, drops
    the later event). Events the deck already has are not proposed again."""
    authors = author_names(deck)
    taken = {label_key(e.label) for e in deck.events}
    known = {e.id for e in deck.events}
    events: list[Event] = []
    for card in deck.cards:
        seen: set[str] = set()
        for mention, label in _card_events(card, authors):
            ident = event_id(card.id, mention.text)
            if mention.text in seen or ident in known or label_key(label) in taken:
                continue
            seen.add(mention.text)
            taken.add(label_key(label))
            events.append(Event(id=ident, label=label, date_text=mention.text,
                                start=mention.start, end=mention.end,
                                precision=mention.precision, card=card.id))
    return events


def with_proposed_events(deck: DeckFile) -> DeckFile:
    """`deck` with `propose_events` added after its own events (validated again)."""
    proposed = propose_events(deck)
    if not proposed:
        return deck
    events = [*deck.events, *proposed]
    return DeckFile.model_validate(deck.model_dump() | {"events": [e.model_dump()
                                                                   for e in events]})
