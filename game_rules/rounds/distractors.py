"""Choosing a quiz's question and wrong options so that only knowing the answer picks it.

Each other card is weighed against the answer, lowest cost first:

- the same form (a date for a date, a number for a number, a sentence for a sentence)
  costs nothing, another form `FORM_COST` (so it is taken only when a deck lacks three);
- at least as many of the question's key terms as the answer has: an answer that shares
  the most words with the question would give itself away (`FEWER_WORDS_COST` for each
  word fewer than the answer; more words cost nothing);
- a similar length (`LENGTH_COST` per doubling or halving);
- the same category or a shared tag (`OTHER_GROUP_COST` otherwise);
- a little noise from the round's rng, so that a card does not always meet the same ones.

Some answers share words with their question that no other card has (a name, a place):
no distractor can hide them. `weights` makes those cards less likely to be asked (not
never: a plan still asks every card before it asks one twice).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence

from game_rules.model import Card
from game_rules.rounds.texts import form, key_terms, norm

FORM_COST = 100.0
FEWER_WORDS_COST = 3.0
LENGTH_COST = 1.5
OTHER_GROUP_COST = 1.0
NOISE = 1.0


def _related(a: Card, b: Card) -> bool:
    if a.category or b.category:
        return a.category == b.category
    return bool(set(a.tags) & set(b.tags))


def cost(answer: Card, answer_text: str, other: Card, other_text: str,
         question: frozenset[str]) -> float:
    """How poor a distractor `other` is for `answer` (see the module's docstring)."""
    c = 0.0 if form(other_text) == form(answer_text) else FORM_COST
    want = len(question & key_terms(answer_text))
    have = len(question & key_terms(other_text))
    c += FEWER_WORDS_COST * max(want - have, 0)
    c += LENGTH_COST * abs(math.log2(max(len(other_text), 1) / max(len(answer_text), 1)))
    return c + (0.0 if _related(answer, other) else OTHER_GROUP_COST)


def pick(rng: random.Random, answer: Card, prompt: str, cards: Sequence[Card],
         texts: Mapping[str, str], k: int) -> list[Card]:
    """Up to `k` cards from `cards` whose texts (`texts` by card id) make the best wrong
    options for `answer` asked as `prompt`: each text different from the others."""
    question = key_terms(prompt)
    ranked = sorted(
        (cost(answer, texts[answer.id], c, texts[c.id], question) + NOISE * rng.random(), i)
        for i, c in enumerate(cards) if c.id != answer.id
    )
    chosen: list[Card] = []
    seen = {norm(texts[answer.id])}
    for _, i in ranked:
        if len(chosen) == k:
            break
        if norm(texts[cards[i].id]) not in seen:
            seen.add(norm(texts[cards[i].id]))
            chosen.append(cards[i])
    return chosen


def weights(cards: Sequence[Card], texts: Mapping[str, str]) -> list[float]:
    """How likely each of `cards` is to be asked: 1, less when fewer than 3 other texts
    share as many words with its question as its own text does (1/4 when none does)."""
    terms = {c.id: key_terms(texts[c.id]) for c in cards}
    norms = {c.id: norm(texts[c.id]) for c in cards}
    holding: dict[str, list[int]] = {}  # term -> the cards whose text has it
    for i, c in enumerate(cards):
        for term in terms[c.id]:
            holding.setdefault(term, []).append(i)
    everyone = range(len(cards))
    out = []
    for card in cards:
        question = key_terms(card.prompt)
        want = len(question & terms[card.id])
        # Only the count up to 3 matters, and only texts that can be rivals are read (each
        # card read against every other cost cards²: 2,000 cards took seconds). A text
        # sharing `want` of the question's terms has one of any len - want + 1 of them.
        candidates: Iterable[int] = everyone
        if want:
            rarest = sorted((holding.get(t, []) for t in question), key=len)
            candidates = sorted(set().union(*rarest[:len(question) - want + 1]))
        rivals = 0
        for i in candidates:
            other = cards[i]
            if other.id != card.id and len(question & terms[other.id]) >= want \
                    and norms[other.id] != norms[card.id]:
                rivals += 1
                if rivals == 3:
                    break
        out.append(min(1.0, (rivals + 1) / 4))
    return out
