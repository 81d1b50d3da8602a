"""What every round kind shares: the `RoundRules` protocol, grades, and small helpers."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from game_rules.model import Card, Deck, Round, RoundKind, Settings, card_record
from game_rules.rounds.texts import names

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


@runtime_checkable
class RoundRules(Protocol):
    """Everything one round kind knows; one object per kind, in `game_rules.rounds.RULES`.

    - ``needs``: what a deck must have, as a phrase ("4 dated events ...");
    - ``time_factor``: the kind's time limit is ``settings.time_limit_ms`` times this
      (whole seconds, rounded half up, unless 1);
    - ``bonus_share``: the share of the points kept for a perfect answer (see
      ``game_rules.scoring``);
    - ``missing(deck, settings)``: None when the deck can carry the kind, else why not
      ("needs 4 dated events, this deck has 2"); ``build`` returns None exactly then;
    - ``build(deck, rng, settings, avoid)``: a round and the ids of the cards it uses,
      preferring cards not in ``avoid``;
    - ``grade(key, answer)``: a `Grade`, or `InvalidAnswer`; ``size(key)``: items scored;
    - ``bars(public, key, answers)``: the host's reveal chart;
    - ``describe(public, key)``: lines showing the round and its key (``cardcade plan``).
    """

    @property
    def kind(self) -> RoundKind: ...
    @property
    def needs(self) -> str: ...
    @property
    def time_factor(self) -> float: ...
    @property
    def bonus_share(self) -> float: ...

    def missing(self, deck: Deck, settings: Settings) -> str | None: ...
    def build(self, deck: Deck, rng: random.Random, settings: Settings,
              avoid: frozenset[str] = frozenset()) -> Built | None: ...
    def grade(self, key: dict[str, Any], answer: Any) -> Grade: ...
    def size(self, key: dict[str, Any]) -> int: ...
    def bars(self, public: dict[str, Any], key: dict[str, Any],
             answers: list[Any]) -> list[dict[str, Any]]: ...
    def describe(self, public: dict[str, Any], key: dict[str, Any]) -> list[str]: ...


def time_limit(factor: float, settings: Settings) -> int:
    """`settings.time_limit_ms` times `factor`, in whole seconds rounded half up (factor 1:
    the setting itself)."""
    if factor == 1:
        return settings.time_limit_ms
    return math.floor(settings.time_limit_ms * factor / 1000 + 0.5) * 1000


def make_round(rules: RoundRules, public: dict[str, Any], key: dict[str, Any],
               s: Settings, cards: Mapping[str, Card] | None = None) -> Round:
    """A round of `rules`' kind; `cards`: the card each scored item id asks (`Round.cards`)."""
    return Round(kind=rules.kind, public=public, key=key,
                 time_limit_ms=time_limit(rules.time_factor, s), points=s.points,
                 cards={item: card_record(card) for item, card in (cards or {}).items()})


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


MAX_SHOWN_ID = 16  # characters of a client's id that an error message repeats


def shown_id(value: str) -> str:
    """An id from an answer, quoted for an error message: cut short, as it comes from the
    client and may be of any length."""
    return repr(value if len(value) <= MAX_SHOWN_ID else value[:MAX_SHOWN_ID] + "…")


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

    It may leave left ids out (a partial answer) but not all of them: an empty mapping is
    no answer, and is refused rather than scored 0 (the player may still answer).
    With `unique`, two left ids may not point at the same right id.
    """
    if not isinstance(value, Mapping):
        raise InvalidAnswer(f"{field!r} must be an object of id -> id")
    if not value:
        raise InvalidAnswer(f"{field!r} is empty: give at least one item")
    lefts, rights = set(left), set(right)
    seen: set[str] = set()
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise InvalidAnswer(f"{field!r} must map ids (strings) to ids (strings)")
        if k not in lefts:
            raise InvalidAnswer(f"unknown id {shown_id(k)} in {field!r}")
        if v not in rights:
            raise InvalidAnswer(f"unknown id {shown_id(v)} in {field!r}")
        if unique and v in seen:
            raise InvalidAnswer(f"id {shown_id(v)} is used twice in {field!r}")
        seen.add(v)
    return dict(value)


def share_right(expected: Mapping[str, str], given: Mapping[str, str]) -> Grade:
    """The grade of a mapping answer (match pairs, sort placements): the share of the
    key's entries given right."""
    right = sum(1 for k, v in given.items() if expected[k] == v)
    total = len(expected)
    return Grade(fraction=right / total if total else 1.0, perfect=right == total, right=right,
                 of=total)


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


def plural(n: int, word: str) -> str:
    """"1 event", "2 events", "no events", "2 categories"."""
    if n == 1:
        return f"1 {word}"
    many = word[:-1] + "ies" if word.endswith("y") and word[-2:-1] not in "aeiou" else word + "s"
    return f"{n or 'no'} {many}"
