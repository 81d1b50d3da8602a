"""Categories from prompt prefixes ("Kotkin: How does ...") and their aliases.

A prefix counts as a category only when the deck uses it consistently: a short
capitalised name (1-3 words, no sentence) before a colon, on most cards of the deck, and
repeated across cards. A lone "Note: ..." in an unprefixed deck stays part of its prompt.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["assign_categories", "derive_aliases", "split_prefix"]

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


def derive_aliases(category: str, texts: Iterable[str]) -> list[str]:
    """Fuller names in `texts` that end with the category's surname, in order of appearance.

    "Sheila Fitzpatrick", "V. P. Danilov", "Arthur G. McKee": one to three capitalised
    first names or initials before the surname; leading sentence words ("In", "The",
    "Historian") are dropped. Only the category's own surname is looked for.
    """
    surname = category.split()[-1] if category.split() else ""
    if not surname:
        return []
    token = r"(?:[A-Z][a-z’'À-ÿ]+(?:-[A-Z][a-z’'À-ÿ]+)?[ \t]+|[A-Z]\.[ \t]*)"
    pattern = re.compile(rf"(?<![\w.])((?:{token}){{1,4}}){re.escape(surname)}(?!\w)")
    found: list[str] = []
    for text in texts:
        for match in pattern.finditer(text):
            words = match.group(1).split()
            while words and words[0].strip(".’'").casefold() in _NOT_FIRST_NAMES:
                words.pop(0)
            words = words[-3:]
            if not words:
                continue
            alias = " ".join([*words, surname])
            if alias != category and alias not in found:
                found.append(alias)
    return found
