"""Categories from prompt prefixes ("Kotkin: How does ..."), their aliases, and which of them
are authors ("Kotkin argues ...") whose names claims and labels rewrite.

A prefix counts as a category only when the deck uses it consistently: a short
capitalised name (1-3 words, no sentence) before a colon, on most cards of the deck, and
repeated across cards. A lone "Note: ..." in an unprefixed deck stays part of its prompt.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["REPORTING", "TextIndex", "assign_categories", "derive_aliases", "is_author",
           "present", "role_noun", "split_prefix", "strip_attribution"]

_WORD = r"[A-Z][\w’'.-]*"
_PREFIX = re.compile(rf"^\s*({_WORD}(?:[ \t]+{_WORD}){{0,2}})[ \t]*:[ \t]*(?=\S)")
# Labels that look like names but are the card's own structure, not a category.
_NOT_CATEGORIES = {
    "q", "a", "question", "answer", "term", "definition", "front", "back", "note", "nb",
    "hint", "example", "e.g", "i.e", "prompt", "card",
}
_MAJORITY = 0.6

# Capitalised words that start a sentence or a phrase rather than a first name.
_NOT_FIRST_NAMES = {
    "a", "an", "the", "in", "on", "at", "by", "for", "from", "of", "to", "with", "as",
    "and", "or", "but", "if", "when", "while", "since", "after", "before", "during",
    "unlike", "like", "according", "historian", "historians", "professor", "prof", "dr",
    "mr", "mrs", "ms", "sir", "although", "though", "yet", "so", "both", "also", "thus",
    "echoing", "following", "drawing", "whereas", "how", "why", "what", "who", "which",
    "does", "did", "do", "is", "was", "were", "are", "has", "had", "have", "this", "that",
    "these", "those", "his", "her", "their", "its", "our", "my", "then", "here", "there",
    "later", "early", "late", "many", "some", "most", "all", "against", "between", "under",
    "over", "into", "about", "because", "where", "per", "via",
}


def split_prefix(prompt: str) -> tuple[str, str] | None:
    """('Khlevniuk', 'How does ...') for 'Khlevniuk:How does ...', or None without a prefix.

    The prefix must be 1-3 capitalised words directly followed by a colon at the start of
    the prompt, with text after it; "In 1930: ..." or "The plan: ..." are not prefixes.
    """
    found = _PREFIX.match(prompt)
    if found is None:
        return None
    name = found.group(1).rstrip(".")
    if name.casefold() in _NOT_CATEGORIES or len(name) < 2 or any(c.isdigit() for c in name):
        return None
    return name, prompt[found.end():].strip()


def assign_categories(prompts: Sequence[str]) -> list[tuple[str | None, str]]:
    """For each prompt, (category, prompt without prefix) — or (None, prompt) unchanged.

    Prefixes are used only when most prompts (60 %) carry one and they repeat (a deck of
    one-off "Word: ..." prefixes is a glossary, not categories).
    """
    split = [split_prefix(p) for p in prompts]
    prefixed = [s for s in split if s is not None]
    counts = Counter(name for name, _ in prefixed)
    repeated = sum(n for n in counts.values() if n > 1)
    consistent = (
        len(prompts) >= 2
        and len(prefixed) >= _MAJORITY * len(prompts)
        and repeated >= _MAJORITY * len(prefixed)
    )
    if not consistent:
        return [(None, p) for p in prompts]
    return [s if s is not None else (None, p) for s, p in zip(split, prompts, strict=True)]


_WORDS = re.compile(r"\w+")
_LAST_WORD = re.compile(r"\w+\Z")


class TextIndex:
    """The texts of a deck and, for each word in them (a run of word characters), which
    texts hold it. A whole-word name can only match a text that holds its last word, so a
    scan for one category's names reads those texts alone: scanning every text for every
    category cost categories x cards (500 categories and 2,000 cards took seconds)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.texts = list(texts)
        where: dict[str, list[int]] = {}
        for i, text in enumerate(self.texts):
            for word in set(_WORDS.findall(text)):
                where.setdefault(word, []).append(i)
        self._where = where

    def holding(self, names: Iterable[str]) -> list[str]:
        """The texts, in their order, where a whole-word match of one of `names` may be:
        those holding the name's last word (every text for a name not ending in a word
        character)."""
        found: set[int] = set()
        for name in names:
            if not name:
                continue
            last = _LAST_WORD.search(name)
            if last is None:
                return self.texts
            found.update(self._where.get(last.group(), ()))
        return [self.texts[i] for i in sorted(found)]


def _texts_for(names: Iterable[str], texts: Iterable[str] | TextIndex) -> Iterable[str]:
    return texts.holding(names) if isinstance(texts, TextIndex) else texts


@functools.lru_cache(maxsize=256)
def _by_last_word(names: tuple[str, ...]) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """`names` by their last word, and those that do not end in a word character."""
    index: dict[str, list[str]] = {}
    other: list[str] = []
    for name in dict.fromkeys(names):
        last = _LAST_WORD.search(name)
        if last is None:
            other.append(name)
        else:
            index.setdefault(last.group(), []).append(name)
    return {w: tuple(ns) for w, ns in index.items()}, tuple(other)


def present(names: Sequence[str], text: str) -> tuple[str, ...]:
    """The names of `names` that a whole-word pattern may find in `text`: those whose last
    word is a word of `text` (and any not ending in a word character), sorted. A pattern
    of these finds in `text` just what a pattern of all `names` finds, and is small: one
    made per card of every other category's names cost categories² to compile."""
    if not names:
        return ()
    index, other = _by_last_word(tuple(names))
    found = set(other)
    for word in set(_WORDS.findall(text)):
        found.update(index.get(word, ()))
    return tuple(sorted(found))


def derive_aliases(category: str, texts: Iterable[str] | TextIndex) -> list[str]:
    """Fuller names in `texts` that end with the category's surname, in order of appearance.

    "Sheila Fitzpatrick", "V. P. Danilov", "Arthur G. McKee": one to three capitalised
    first names or initials before the surname; leading sentence words ("In", "The",
    "Historian") are dropped. Only the category's own surname is looked for. `texts` may
    be a `TextIndex` of them (then only the texts holding the surname are read).
    """
    surname = category.split()[-1] if category.split() else ""
    if not surname:
        return []
    texts = _texts_for([surname], texts)
    token = r"(?:[A-Z][a-z’'À-ÿ]+(?:-[A-Z][a-z’'À-ÿ]+)?[ \t]+|[A-Z]\.[ \t]*)"
    pattern = re.compile(rf"(?<![\w.])((?:{token}){{1,4}}){re.escape(surname)}(?!\w)")
    found: list[str] = []
    for text in texts:
        for match in pattern.finditer(text):
            words = match.group(1).split()
            while words and words[0].strip(".’'").casefold() in _NOT_FIRST_NAMES and \
                    not re.fullmatch(r"[A-Z]\.", words[0]):  # "A. J. P. Taylor" keeps its "A."
                words.pop(0)
            words = words[-3:]
            if not words:
                continue
            alias = " ".join([*words, surname])
            if alias != category and alias not in found:
                found.append(alias)
    return found


# --- authors: categories that are people who argue (historians, critics, ...) ----------------

# Verbs of saying and arguing: "Kotkin argues", "Clark stresses", "Taylor treated ... as".
REPORTING = (
    "argues|argued|argue|claims|claimed|contends|contended|stresses|stressed|emphasises|"
    "emphasised|emphasizes|emphasized|suggests|suggested|shows|showed|shown|believes|believed|"
    "maintains|maintained|insists|insisted|notes|noted|concludes|concluded|thinks|thought|"
    "holds|held|writes|wrote|observes|observed|asserts|asserted|finds|found|demonstrates|"
    "demonstrated|explains|explained|accepts|accepted|agrees|agreed|acknowledges|"
    "acknowledged|concedes|conceded|admits|admitted|rejects|rejected|disputes|disputed|"
    "points|pointed|highlights|highlighted|cites|cited|blames|blamed|traces|traced|sees|saw|"
    "reads|treats|treated|regards|regarded|views|viewed|describes|described|interprets|"
    "interpreted|portrays|portrayed|depicts|depicted|characterises|characterised|"
    "characterizes|characterized|calls|called|challenges|challenged|downplays|downplayed|"
    "dismisses|dismissed|questions|questioned|underlines|underlined|frames|framed|links|"
    "linked|attributes|attributed|identifies|identified|documents|documented|explores|"
    "explored|examines|examined|presents|presented|focuses|focused|puts|places|placed"
)
_REPORTING_AFTER = re.compile(rf"^(?:[’']s)?\s+(?:also\s+|further\s+|instead\s+)?(?:{REPORTING})\b")
_ROLE_NOUNS = ("historian", "author", "scholar", "economist", "philosopher", "scientist",
               "sociologist", "psychologist", "critic", "theorist", "writer", "thinker",
               "commentator", "researcher", "analyst", "biographer")


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of `names` as whole words, longest first."""
    ordered = sorted({n for n in names if n}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<![\w’'])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w])")


def is_author(names: Sequence[str], texts: Iterable[str] | TextIndex) -> bool:
    """Does the text speak of the category `names` as a person who argues ("Kotkin argues",
    "According to Sheila Fitzpatrick", "In Clark's view") at least twice? `texts` may be a
    `TextIndex` of them (then only the texts holding one of the names are read)."""
    pattern = _name_pattern(names)
    if pattern is None:
        return False
    texts = _texts_for(names, texts)
    hits = 0
    for text in texts:
        for found in pattern.finditer(text):
            before = text[max(0, found.start() - 20):found.start()].lower()
            after = text[found.end():found.end() + 40]
            if _REPORTING_AFTER.match(after) or re.search(
                    r"(?:according to|for|in the view of)\s+$", before) or re.match(
                    r"^[’']s\s+(?:view|account|reading|argument|interpretation|analysis)\b", after):
                hits += 1
    return hits >= 2


def role_noun(texts: Sequence[str], names: Sequence[str] = (), default: str = "author") -> str:
    """What the deck calls its authors: the role noun ("historian", "critic", ...; plurals
    count) found most often next to one of `names` ("historian Sheila Fitzpatrick"), else
    the first of `_ROLE_NOUNS` that the texts use at all, else `default`."""
    nouns = "|".join(_ROLE_NOUNS)
    near: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    pattern = _name_pattern(names)
    for text in texts:
        for found in re.finditer(rf"\b({nouns})s?\b", text, re.I):
            noun = found[1].lower()
            anywhere[noun] += 1
            window = text[max(0, found.start() - 40):found.end() + 40]
            if pattern is not None and pattern.search(window):
                near[noun] += 1
    if near:
        return near.most_common(1)[0][0]
    return next((noun for noun in _ROLE_NOUNS if anywhere[noun]), default)


_PRONOUNS = ("He", "She", "They", "The historian", "This historian", "Historians")
# What follows the name in "X argues that", "X treats Y as", "X points to Y": compiled once.
# A pattern with the names in it, compiled for each set of names, took milliseconds each
# (REPORTING is long): seconds for a deck of a few hundred authors.
_SAID = re.compile(rf"(?:\s+(?:also|further|instead|rightly))?\s+(?:{REPORTING})(?:\s+out)?"
                   r"\s+that\s+")
_SEEN = re.compile(r"\s+(?:also\s+)?(?:reads|read|sees|saw|treats|treated|regards|regarded|"
                   r"views|viewed|describes|described|interprets|interpreted|portrays|"
                   r"portrayed|depicts|depicted|presents|presented|casts|characteri[sz]es|"
                   r"characteri[sz]ed)\s+(.+?)\s+as\s+")
_POINTED = re.compile(r"\s+(?:also\s+)?(?:points to|pointed to|highlights|highlighted|cites|"
                      r"cited|singles out|underlines|stresses|stressed|emphasi[sz]es|"
                      r"emphasi[sz]ed)\s+(.+?)(?:\s+(?:as|because|which|to show)\b|[,;:]|$)")
_LEADING_PHRASE = re.compile(r"[^,]{3,80},")


@functools.lru_cache(maxsize=256)
def _attribution(names: tuple[str, ...]) -> re.Pattern[str]:
    """The pattern of leading attributions ("According to X, ", "In X's view, ") for these
    names, compiled once (it is short)."""
    who = "|".join([*map(re.escape, sorted(names, key=len, reverse=True)), *_PRONOUNS])
    return re.compile(rf"^(?:According to|For|In the view of|As)\s+(?:{who})"
                      r"(?:\s+(?:argues|shows|notes|puts it|observes|points out))?\s*,\s*"
                      rf"|^(?:In|By)\s+(?:{who})[’']s\s+(?:view|account|reading|words|"
                      r"analysis|interpretation)\s*,\s*")


def _named(text: str, who: Sequence[str], starts: Iterable[int],
           tail: re.Pattern[str]) -> re.Match[str] | None:
    """What `^(?:<who, as an alternation>)<tail>` finds in `text` when the name starts at
    one of `starts`: the first start, then the first name of `who`, that `tail` matches
    after; the order a regular expression tries them in."""
    for start in starts:
        for name in who:
            if text.startswith(name, start) and (found := tail.match(text, start + len(name))):
                return found
    return None


def _after_leading_phrase(text: str) -> list[int]:
    """Where a name may start after a leading phrase ("In his 1961 book, "), as
    `^(?:[^,]{3,80},\\s+)?` leaves it: after the space that follows the phrase's comma
    (less and less of that space, as a regular expression backtracks), else at 0."""
    starts = []
    if (phrase := _LEADING_PHRASE.match(text)) is not None:
        end = phrase.end()
        while end < len(text) and text[end].isspace():
            end += 1
        starts = list(range(end, phrase.end(), -1))
    return [*starts, 0]


def strip_attribution(text: str, names: Sequence[str], noun_phrases: bool = True) -> str:
    """`text` without a leading attribution to one of `names` or a pronoun: "According to
    Clark, X" / "Fischer argues that X" / "In his 1961 book, Fischer argued that X" / "He
    stresses that X" -> "X". With `noun_phrases`, also "Taylor treats the crises as tests"
    -> "the crises" and "He points to the September Programme as proof" -> "the September
    Programme". Anything else is returned unchanged."""
    text = text.strip()
    names = present(names, text)
    if (found := _attribution(names).match(text)) is not None:
        return text[found.end():]
    who = [*sorted(names, key=len, reverse=True), *_PRONOUNS]
    if (found := _named(text, who, _after_leading_phrase(text), _SAID)) is not None:
        return text[found.end():]
    if noun_phrases:
        for tail in (_SEEN, _POINTED):
            if (found := _named(text, who, [0], tail)) is not None:
                return found[1]
    return text
