"""How a bot answers (`cardcade bots`): the right answer of a round from the deck.

`Solver` finds the right answer of a round from its public data and the deck the room was
made from, rebuilding the texts players see with the same helpers as the round rules
(`game_rules.rounds.shown`, `names`, and the groups of `game_rules.rounds.groups`) and
falling back to the closest text
(difflib). `guess` answers without knowing; `spoil` turns a right answer into a partly
right or wrong one.
"""

from __future__ import annotations

import difflib
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from game_rules.model import Card, Deck, Event
from game_rules.rounds import deck_texts, norm
from game_rules.rounds.groups import sort_groups, texted_groups

MIN_SIMILARITY = 0.6  # below this a text is "not found" and the round is unsolved


def _similarity(a: str, b: str) -> float:
    a, b = norm(a), norm(b)
    return 1.0 if a == b else difflib.SequenceMatcher(None, a, b).ratio()


def closest(text: str, candidates: Sequence[str]) -> tuple[int, float]:
    """Index of the candidate most like `text` and how alike (1.0: the same when normalised)."""
    best, score = -1, 0.0
    wanted = norm(text)
    for i, cand in enumerate(candidates):
        if norm(cand) == wanted:
            return i, 1.0
    for i, cand in enumerate(candidates):
        s = _similarity(text, cand)
        if s > score:
            best, score = i, s
    return best, score


@dataclass(frozen=True)
class Solution:
    """The right answer of a round as the solver sees it; `solved` False means a guess."""

    answer: dict[str, Any]
    solved: bool


class Solver:
    """Right answers from a round's public data and the deck (None: no deck, all guesses)."""

    def __init__(self, deck: Deck | None, rng: random.Random | None = None) -> None:
        self.deck = deck
        self.rng = rng or random.Random()
        self._cache: dict[str, Solution] = {}

    def solve(self, public: dict[str, Any]) -> Solution:
        """The right answer of the round showing `public` (cached: bots share rounds)."""
        cache_key = json.dumps(public, sort_keys=True)
        if cache_key not in self._cache:
            answer = None
            if self.deck is not None:
                answer = getattr(self, f"_{public['kind']}")(self.deck, public)
            self._cache[cache_key] = (Solution(answer, True) if answer is not None
                                      else Solution(guess(public, self.rng), False))
        return self._cache[cache_key]

    def _quiz(self, deck: Deck, public: dict[str, Any]) -> dict[str, Any] | None:
        i, score = closest(public["prompt"], [c.prompt for c in deck.cards])
        if score < MIN_SIMILARITY:
            return None
        want = _text(deck, deck.cards[i])
        j, score = closest(want, [o["text"] for o in public["options"]])
        return {"choice": public["options"][j]["id"]} if score >= MIN_SIMILARITY else None

    def _categorised(self, by_group: dict[str, list[str]], groups: list[dict[str, Any]],
                     items: list[dict[str, Any]]) -> list[list[float]] | None:
        """Scores[item][group]: how well each item's text fits a text of each group (texts
        of `by_group`, as the round shows them); None if a group is unknown."""
        texts: list[list[str]] = []
        for g in groups:
            i, score = closest(g["text"], list(by_group))
            if score < MIN_SIMILARITY:
                return None
            texts.append(list(by_group.values())[i])
        exact = [{norm(t) for t in group} for group in texts]
        rows = []
        for it in items:
            row = [1.0 if norm(it["text"]) in group else 0.0 for group in exact]
            if not any(row):  # no text is the same: how close is the closest of each group
                row = [closest(it["text"], t)[1] for t in texts]
            rows.append(row)
        return rows

    def _match(self, deck: Deck, public: dict[str, Any]) -> dict[str, Any] | None:
        left, right = public["left"], public["right"]
        if public.get("variant") == "term":  # each prompt's card, then its text
            by_prompt = {c.prompt: [_text(deck, c)] for c in deck.cards}
            scores = self._categorised(by_prompt, left, right)
        else:
            groups = texted_groups(deck.categories(), lambda c: _text(deck, c))
            scores = self._categorised(_texts_of(groups), left, right)
        if scores is None:
            return None
        ranked = sorted(((scores[r][g], r, g) for r in range(len(right))
                         for g in range(len(left))), reverse=True)
        pairs: dict[str, str] = {}
        used: set[int] = set()
        for score, r, g in ranked:  # greedy: the surest pairs first
            if score < MIN_SIMILARITY:
                return None
            if r not in used and left[g]["id"] not in pairs:
                pairs[left[g]["id"]] = right[r]["id"]
                used.add(r)
            if len(pairs) == min(len(left), len(right)):
                return {"pairs": pairs}
        return None

    def _sort(self, deck: Deck, public: dict[str, Any]) -> dict[str, Any] | None:
        buckets, items = public["buckets"], public["items"]
        scores = self._categorised(_texts_of(sort_groups(deck, lambda c: _text(deck, c))[1]),
                                   buckets, items)
        if scores is None:
            return None
        placement: dict[str, str] = {}
        for item, row in zip(items, scores, strict=True):
            best = max(range(len(buckets)), key=lambda g: row[g])
            if row[best] < MIN_SIMILARITY:
                return None
            placement[item["id"]] = buckets[best]["id"]
        return {"placement": placement}

    def _order(self, deck: Deck, public: dict[str, Any]) -> dict[str, Any] | None:
        labels = [e.label for e in deck.events]
        found: list[tuple[Event, str]] = []
        for item in public["items"]:
            i, score = closest(item["text"], labels)
            if score < MIN_SIMILARITY:
                return None
            found.append((deck.events[i], item["id"]))
        found.sort(key=lambda pair: (pair[0].start, pair[0].end))
        return {"order": [item_id for _, item_id in found]}


def _text(deck: Deck, card: Card) -> str:
    """A card's text as rounds show it."""
    return deck_texts(deck)[card.id]


def _texts_of(groups: Mapping[str, Sequence[tuple[Card, str]]]) -> dict[str, list[str]]:
    return {name: [t for _, t in texted] for name, texted in groups.items()}


def guess(public: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A random answer of the right shape."""
    kind = public["kind"]
    if kind == "quiz":
        return {"choice": rng.choice(public["options"])["id"]}
    if kind == "match":
        rights = [r["id"] for r in public["right"]]
        rng.shuffle(rights)
        return {"pairs": {lft["id"]: r for lft, r in zip(public["left"], rights, strict=False)}}
    if kind == "sort":
        return {"placement": {it["id"]: rng.choice(public["buckets"])["id"]
                              for it in public["items"]}}
    order = [it["id"] for it in public["items"]]
    rng.shuffle(order)
    return {"order": order}


def spoil(public: dict[str, Any], right: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A not fully right answer made from the `right` one: quiz another option; match two
    pairs swapped; sort one or two items moved to another bucket; order two items swapped."""
    kind = public["kind"]
    if kind == "quiz":
        others = [o["id"] for o in public["options"] if o["id"] != right["choice"]]
        return {"choice": rng.choice(others)}
    if kind == "match":
        pairs = dict(right["pairs"])
        a, b = rng.sample(list(pairs), 2)
        pairs[a], pairs[b] = pairs[b], pairs[a]
        return {"pairs": pairs}
    if kind == "sort":
        placement = dict(right["placement"])
        bucket_ids = [b["id"] for b in public["buckets"]]
        for item in rng.sample(list(placement), min(len(placement), rng.choice((1, 2)))):
            placement[item] = rng.choice([b for b in bucket_ids if b != placement[item]])
        return {"placement": placement}
    order = list(right["order"])
    i, j = rng.sample(range(len(order)), 2)
    order[i], order[j] = order[j], order[i]
    return {"order": order}


# ---------------------------------------------------------------------- statistics


def load_rules_deck(name_or_path: str) -> Deck:
    """A bundled deck by name or a deck .toml file, as the round rules see it."""
    from decks.io import deck_path, load_deck

    return load_deck(deck_path(name_or_path)).to_rules()
