"""Round types: one module each, all behind the same small interface, found by `kind`.

A round module provides:

- ``KIND``: its name in ``ROUND_KINDS``;
- ``build_with_cards(deck, rng, settings, avoid) -> (Round, card ids) | None``: the public
  prompt and the secret key, with the ids of the cards the round uses (what a plan adds
  to ``avoid``); None when the deck cannot make this kind of round. ``avoid`` holds ids
  of cards already used by earlier rounds, left out when the deck allows;
- ``grade(key, answer) -> Grade``: how right a submission is, or ``InvalidAnswer``;
- ``size(key)``: how many items the round scores (the ``of`` of a ``Grade``);
- ``bars(public, key, answers)``: the host's reveal chart (see ``distribution``).

Every item id in ``public`` is an opaque token drawn from the round's rng
(``game_rules.ids``), never a card id. Time limits: a quiz gets ``settings.time_limit_ms``;
match, sort and order get 1.5 times that, rounded half up to whole seconds (``time_limit_ms``).

Points come from ``game_rules.scoring``, the same for every kind.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from game_rules.model import Card, Deck, Round, RoundKind, Settings

MAX_TEXT = 120  # answers used as option text are cut to this many characters
LONG_ROUND_FACTOR = 1.5  # time limit factor of match, sort and order rounds


class InvalidAnswer(ValueError):
    """A submission that does not fit the round (wrong shape, unknown ids)."""


@dataclass(frozen=True)
class Grade:
    """`fraction` in [0, 1] of the round's accuracy; `perfect` when everything is right;
    `right` of `of` items were right (quiz: the one choice; match: pairs; sort: cards;
    order: items in their right place), what a player is told."""

    fraction: float
    perfect: bool
    right: int = 0
    of: int = 1


Built = tuple[Round, frozenset[str]]


def _registry() -> dict[str, ModuleType]:
    from game_rules.rounds import match, order, quiz, sort

    return {m.KIND: m for m in (quiz, match, sort, order)}


def _module(kind: str) -> ModuleType:
    try:
        return _registry()[kind]
    except KeyError:
        raise ValueError(f"unknown round kind {kind!r}") from None


def build(
    kind: RoundKind,
    deck: Deck,
    rng: random.Random,
    settings: Settings,
    avoid: frozenset[str] = frozenset(),
) -> Round | None:
    """A round of `kind` from `deck`, or None when the deck cannot make one."""
    built = _module(kind).build_with_cards(deck, rng, settings, avoid)
    return built[0] if built else None


def build_with_cards(
    kind: RoundKind,
    deck: Deck,
    rng: random.Random,
    settings: Settings,
    avoid: frozenset[str] = frozenset(),
) -> Built | None:
    """Like `build`, with the ids of the cards the round uses."""
    return _module(kind).build_with_cards(deck, rng, settings, avoid)


def grade(kind: RoundKind, key: dict[str, Any], answer: Any) -> Grade:
    """Grade `answer` against `key`; raises `InvalidAnswer` for a malformed submission."""
    return _module(kind).grade(key, answer)


def size(kind: RoundKind, key: dict[str, Any]) -> int:
    """How many items a round of `kind` scores (the `of` in "3 of 4 right")."""
    return int(_module(kind).size(key))


def distribution(
    kind: RoundKind, public: dict[str, Any], key: dict[str, Any], answers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Bars of the host's reveal chart, each ``{"id", "label", "count", "correct"}``.

    quiz: one bar per option, in display order. match, sort, order: "All right",
    "Some right", "None right" (ids "all", "some", "none"). Invalid answers are not counted.
    """
    return _module(kind).bars(public, key, answers)


def time_limit_ms(kind: RoundKind, settings: Settings) -> int:
    """Time limit of a round of `kind`: longer for the multi-item kinds, in whole seconds."""
    if kind == "quiz":
        return settings.time_limit_ms
    return math.floor(settings.time_limit_ms * LONG_ROUND_FACTOR / 1000 + 0.5) * 1000


# Helpers shared by the round modules.


def make_round(kind: RoundKind, public: dict[str, Any], key: dict[str, Any], s: Settings) -> Round:
    return Round(kind=kind, public=public, key=key, time_limit_ms=time_limit_ms(kind, s),
                 points=s.points)


def norm(text: str) -> str:
    """Text compared for sameness: case-folded, whitespace collapsed."""
    return " ".join(text.split()).casefold()


def cut(text: str, limit: int = MAX_TEXT) -> str:
    """`text` shortened to at most `limit` chars at a word boundary, ending with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head and text[limit - 1] != " ":
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:.-–—") + "…"


def card_text(card: Card) -> str:
    """What a card says in an option or item: its claim, else its answer cut short."""
    return " ".join(card.claim.split()) if card.claim else cut(card.answer)


def names(cards: Iterable[Card]) -> list[str]:
    """Names to mask for the categories of `cards`: each category and its aliases."""
    out: dict[str, None] = {}
    for card in cards:
        if card.category:
            for name in (card.category, *card.aliases):
                out.setdefault(name, None)
    return list(out)


def masked(text: str, to_mask: Sequence[str], noun: str) -> str:
    """`text` with the category names in `to_mask` replaced by "[noun]"."""
    from game_rules.masking import mask

    return mask(text, to_mask, f"[{noun}]") if to_mask else text


def forbidden(deck: Deck, cards: Iterable[Card], extra: Iterable[str] = ()) -> list[str]:
    """Strings an item id must not contain: ids of the round's `cards`, every category
    name and alias of the deck, and `extra`."""
    out: set[str] = set(extra)
    out.update(card.id for card in cards)
    out.update(names(deck.cards))
    return sorted(out)


def prefer_unused(items: Sequence[Any], avoid: frozenset[str], card_id: Any) -> list[Any]:
    """`items` with those whose card is not in `avoid` first, order kept within each part."""
    return [i for i in items if card_id(i) not in avoid] + [
        i for i in items if card_id(i) in avoid
    ]


def derangement(rng: random.Random, n: int) -> list[int]:
    """A random permutation of range(n) with no fixed point (identity when n < 2)."""
    perm = list(range(n))
    if n < 2:
        return perm
    while True:
        rng.shuffle(perm)
        if all(i != p for i, p in enumerate(perm)):
            return perm


def require_fields(answer: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """`answer` as a dict with exactly `fields`, else `InvalidAnswer`."""
    if not isinstance(answer, Mapping):
        raise InvalidAnswer("the answer must be an object")
    keys = set(answer)
    if keys != set(fields):
        wanted = ", ".join(repr(f) for f in fields)
        raise InvalidAnswer(f"the answer must have exactly the field(s) {wanted}")
    return dict(answer)


def require_mapping(
    value: Any, field: str, left: Iterable[str], right: Iterable[str], *, unique: bool
) -> dict[str, str]:
    """`value` as a mapping from known `left` ids to known `right` ids, else `InvalidAnswer`.

    With `unique`, two left ids may not point at the same right id.
    """
    if not isinstance(value, Mapping):
        raise InvalidAnswer(f"{field!r} must be an object of id -> id")
    lefts, rights = set(left), set(right)
    seen: set[str] = set()
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise InvalidAnswer(f"{field!r} must map ids (strings) to ids (strings)")
        if k not in lefts:
            raise InvalidAnswer(f"unknown id {k!r} in {field!r}")
        if v not in rights:
            raise InvalidAnswer(f"unknown id {v!r} in {field!r}")
        if unique and v in seen:
            raise InvalidAnswer(f"id {v!r} is used twice in {field!r}")
        seen.add(v)
    return dict(value)


def outcome_bars(grades: Iterable[Grade | None]) -> list[dict[str, Any]]:
    """The "All right" / "Some right" / "None right" bars; None (invalid) is not counted."""
    counts = {"all": 0, "some": 0, "none": 0}
    for g in grades:
        if g is not None:
            counts["all" if g.perfect else "some" if g.fraction > 0 else "none"] += 1
    return [
        {"id": "all", "label": "All right", "count": counts["all"], "correct": True},
        {"id": "some", "label": "Some right", "count": counts["some"], "correct": False},
        {"id": "none", "label": "None right", "count": counts["none"], "correct": False},
    ]


def grades_of(
    grade_fn: Callable[[dict[str, Any], Any], Grade], key: dict[str, Any], answers: list[Any]
) -> list[Grade | None]:
    """Each answer's grade, None for an invalid one."""
    out: list[Grade | None] = []
    for answer in answers:
        try:
            out.append(grade_fn(key, answer))
        except InvalidAnswer:
            out.append(None)
    return out
