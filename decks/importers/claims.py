"""Claims (short forms, at most 140 characters) for imported cards, made of whole clauses
of the answer, so that nothing shown to players is cut with "...".

The rule, in order (see docs/deck-format.md):

1. An answer that opens with a date sentence ("5 May 1789. It was the first ...") has the
   date as its claim; else an answer that fits is its own claim (lines joined into
   sentences, bullets dropped).
2. Else the first sentence of the answer that fits, tried as it is, then without its
   bracketed asides, then cut at its last clause boundary that fits (a semicolon, a colon,
   a dash, or a comma before "and", "but", "which", a participle ...; then a subordinating
   conjunction; then a relative pronoun): a beginning that is a whole clause. Cuts at the
   end come before taking anything out of the middle (an opening phrase, an apposition).
   When no sentence has such a clause, the last resort is a rewrite that stays whole: the
   sentence without its asides, opening phrase ("After X, ...") and apposition, cut
   before a trailing prepositional phrase or "that"-clause.
3. Names that would give the card's category away are rewritten first: an attribution is
   dropped ("Fischer argues that the Kaiser ..." -> "The Kaiser ..."), and the category's
   names become "this historian" (the deck's `category_noun`) when its categories are
   authors. Claims naming another category, or opening with a pronoun that points outside
   the claim ("It", "They", "This"), come last, with another author's name as "another
   historian"; categories that are not authors (topics) are left as written.
4. No claim (None) when no whole clause fits, or when the only ones hold an ellipsis or a
   bracketed placeholder: the importer warns about it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from decks.categories import present, strip_attribution
from decks.timeline import (
    CUT_LEVELS,
    drop_apposition,
    drop_opening,
    sentences,
    shorten,
    without_asides,
)
from game_rules.rounds.texts import form

__all__ = ["MAX_CLAIM", "claim_for", "claim_problem", "date_lead", "flatten"]

MAX_CLAIM = 140
_DATE_WORDS = 6  # "5–6 October 1789", "In the spring of 1917": longer is a sentence
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+")
_DANGLING = re.compile(r"(?:It|They|This|These|Those|Such|Its|Their)\b")


def flatten(answer: str) -> str:
    """The answer as running text: bullets dropped, a line that does not end a sentence
    joined to the next with ". " (before a capital) or "; "."""
    lines = [_BULLET.sub("", line).strip() for line in answer.splitlines()]
    out = ""
    for line in filter(None, lines):
        if out and not out.endswith((".", "!", "?", ";", ":", ",")):
            out += ". " if line[:1].isupper() or line[:1].isdigit() else "; "
        elif out:
            out += " "
        out += line
    return " ".join(out.split())


def date_lead(answer: str) -> str | None:
    """The date an answer of several sentences opens with, alone in its sentence ("5 May
    1789" of "5 May 1789. It was the first meeting ..."); None if it opens otherwise."""
    parts = sentences(flatten(answer))
    lead = parts[0].rstrip(". ") if parts else ""
    if len(parts) > 1 and len(lead.split()) <= _DATE_WORDS and form(lead) == "date":
        return lead
    return None


def claim_problem(claim: str) -> str | None:
    """Why `claim` cannot be shown (None when it can): too long, an ellipsis, a bracket."""
    if not claim.strip() or len(claim) > MAX_CLAIM:
        return "length"
    if "…" in claim or "..." in claim:
        return "ellipsis"
    if "[" in claim or "]" in claim:
        return "placeholder"
    return None


def _names_pattern(names: Sequence[str], text: str) -> re.Pattern[str] | None:
    """A whole-word pattern of `names`, for use on `text` (of the names it may hold)."""
    return _compiled_names(present(names, text))


@functools.lru_cache(maxsize=256)
def _compiled_names(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """`_names_pattern`, compiled once per set of names (a deck's cards share a few)."""
    ordered = sorted({n for n in names if n}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<![\w’'])(?:" + "|".join(map(re.escape, ordered)) + r")(?![\w])")


def _rename(text: str, names: Sequence[str], phrase: str) -> str:
    """`names` in `text` replaced by `phrase` ("this historian"), capitalised at the start
    of the text; "Clark’s" becomes "this historian’s"."""
    if not any(names):
        return text
    pattern = _names_pattern(names, text)
    out = text if pattern is None else pattern.sub(phrase, text)
    return out[:1].upper() + out[1:] if out.startswith(phrase) else out


def _rewritten(sentence: str, own: Sequence[str], others: Sequence[str], noun: str) -> str:
    """`sentence` with the attribution to its own author dropped and the names of authors
    rewritten: own -> "this historian", others -> "another historian"."""
    text = strip_attribution(sentence, own, noun_phrases=False) if own else sentence
    if text != sentence:  # "Fischer argues that the Kaiser ..." -> "The Kaiser ..."
        text = text[:1].upper() + text[1:]
    text = _rename(text, own, f"this {noun}")
    return _rename(text, others, f"another {noun}")


def _versions(sentence: str) -> list[str]:
    """Whole-clause forms of a sentence, least shortened first: itself; without its
    asides; without its opening phrase ("After X, the furnace ..." -> "The furnace ...")
    and apposition ("The Black Hand, a secret society, armed" -> "The Black Hand armed");
    then the longest beginning of each that ends at a clause boundary and fits."""
    plain = without_asides(sentence)
    bare = drop_apposition(drop_opening(plain))
    bare = bare[:1].upper() + bare[1:]
    out = [sentence, plain]
    # Cut at the end before anything is taken out of the middle: "sacs that sorts,
    # modifies and packages proteins, sending them ..." keeps its list of verbs.
    for text in (plain, sentence, bare):
        if text == bare:
            out.append(bare)
        cut = shorten(text, MAX_CLAIM - 1)
        if cut is not None and cut != text:
            out.append(cut.rstrip(",;:") + ("." if text.endswith(".") else ""))
    return list(dict.fromkeys(out))


def _last_resort(sentence: str) -> str | None:
    """The sentence without its asides and opening phrase, cut before a trailing
    prepositional phrase or "that"-clause ("Farmers raised the price of bread | for the
    merchants of the port ..."): still a whole main clause."""
    bare = drop_apposition(drop_opening(without_asides(sentence)))
    cut = shorten(bare[:1].upper() + bare[1:], MAX_CLAIM - 1, levels=CUT_LEVELS)
    return None if cut is None else cut.rstrip(",;:") + ("." if bare.endswith(".") else "")


def claim_for(answer: str, own: Sequence[str] = (), others: Sequence[str] = (),
              noun: str = "category", hidden: Sequence[str] = ()) -> str | None:
    """The claim of a card whose answer is `answer` (see the module docstring). `own` and
    `others` are the names of the card's author category and of the deck's other author
    categories; `hidden` are names of topic categories that a claim should rather not
    show; `noun` is the deck's `category_noun`."""
    text = flatten(answer)
    parts = sentences(text)
    lead = date_lead(text)
    if lead is not None:
        return lead  # "5 May 1789. It was the first ..." -> the date, as the card asks
    whole = _rewritten(text, own, others, noun)
    if claim_problem(whole) is None:
        return whole  # short enough already: the answer is its own claim
    candidates = [*(v for s in parts for v in _versions(s)),
                  *(v for s in parts if (v := _last_resort(s)) is not None)]
    avoid = [*others, *hidden]
    fallback = None
    for candidate in candidates:
        claim = _rewritten(candidate, own, others, noun)
        if claim_problem(claim) is not None:
            continue
        dangling = _DANGLING.match(claim) and not claim.startswith(f"This {noun} ")
        named = _names_pattern(avoid, candidate)
        if (named is None or not named.search(candidate)) and not dangling:
            return claim
        fallback = fallback or claim
    return fallback
