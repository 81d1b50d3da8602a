"""Round kinds: one module each, each with one `RoundRules` object, found by `kind`.

`RULES` is the registry, built once: a new kind is a module with a class following
`base.RoundRules` (kind, what a deck needs and why it falls short, time factor, bonus
share, build, grade, size, bars, describe), one line here, its name in
`game_rules.model.RoundKind`, a module for each page (`client_demo/host/`, `client_demo/play/`)
and its section in docs/protocol.md.

Every item id in ``public`` is an opaque token drawn from the round's rng
(``game_rules.ids``), never a card id. The functions below look a kind up and call it;
the text helpers players' texts are made with live in `texts`.
"""

from __future__ import annotations

import random
from typing import Any

from game_rules.model import Deck, Round, RoundKind, Settings
from game_rules.rounds import match, order, quiz, sort
from game_rules.rounds.base import (
    LONG_ROUND_FACTOR,
    Built,
    Grade,
    InvalidAnswer,
    RoundRules,
    derangement,
    forbidden,
    grades_of,
    make_round,
    outcome_bars,
    prefer_unused,
    require_fields,
    require_mapping,
    time_limit,
)
from game_rules.rounds.texts import (
    MAX_TEXT,
    card_text,
    deck_texts,
    names,
    norm,
    short_form,
    shown,
)

__all__ = [
    "LONG_ROUND_FACTOR", "MAX_TEXT", "RULES", "Built", "Grade", "InvalidAnswer", "RoundRules",
    "build", "build_with_cards", "card_text", "deck_texts", "derangement", "distribution",
    "forbidden", "grade", "grades_of", "make_round", "match", "names", "norm", "order",
    "outcome_bars", "prefer_unused", "quiz", "require_fields", "require_mapping", "rules",
    "short_form", "shown", "size", "sort", "time_limit_ms",
]

RULES: dict[str, RoundRules] = {r.kind: r for r in (quiz.RULES, match.RULES, sort.RULES,
                                                     order.RULES)}


def rules(kind: str) -> RoundRules:
    """The rules of `kind`; ValueError for an unknown kind."""
    try:
        return RULES[kind]
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
    built = rules(kind).build(deck, rng, settings, avoid)
    return built[0] if built else None


def build_with_cards(
    kind: RoundKind,
    deck: Deck,
    rng: random.Random,
    settings: Settings,
    avoid: frozenset[str] = frozenset(),
) -> Built | None:
    """Like `build`, with the ids of the cards the round uses."""
    return rules(kind).build(deck, rng, settings, avoid)


def grade(kind: RoundKind, key: dict[str, Any], answer: Any) -> Grade:
    """Grade `answer` against `key`; raises `InvalidAnswer` for a malformed submission."""
    return rules(kind).grade(key, answer)


def size(kind: RoundKind, key: dict[str, Any]) -> int:
    """How many items a round of `kind` scores (the `of` in "3 of 4 right")."""
    return int(rules(kind).size(key))


def distribution(
    kind: RoundKind, public: dict[str, Any], key: dict[str, Any], answers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Bars of the host's reveal chart, each ``{"id", "label", "count", "correct"}``.

    quiz: one bar per option, in display order. match, sort, order: "All right",
    "Some right", "None right" (ids "all", "some", "none"). Invalid answers are not counted.
    """
    return rules(kind).bars(public, key, answers)


def time_limit_ms(kind: RoundKind, settings: Settings) -> int:
    """Time limit of a round of `kind`: the setting times the kind's factor (quiz 1,
    match, sort and order 1.5, rounded half up to whole seconds)."""
    return time_limit(rules(kind).time_factor, settings)
