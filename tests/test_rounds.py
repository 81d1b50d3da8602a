"""Round types on small synthetic decks: build, grade (right, partial, wrong, invalid), bars."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from typing import Any

import pytest

from game_rules import rounds
from game_rules.model import ROUND_KINDS, Card, Deck, Event, Round, Settings
from game_rules.rounds import Grade, InvalidAnswer, RoundRules, order, quiz, sort
from tests.rules_fixtures import history_deck, one_category_deck, tiny_deck

S = Settings()
DECK = history_deck()
CATS = set(DECK.categories())
NAMES = {n for c in DECK.cards if c.category for n in (c.category, *c.aliases)}


def built(kind: str, deck: Deck = DECK, seed: int = 0, settings: Settings = S,
          avoid: frozenset[str] = frozenset()) -> Round:
    rnd = rounds.build(kind, deck, random.Random(seed), settings, avoid)  # type: ignore[arg-type]
    assert rnd is not None
    return rnd


def check(kind: str, key: dict[str, Any], answer: Any, expected: Grade | str) -> None:
    if isinstance(expected, Grade):
        got = rounds.grade(kind, key, answer)  # type: ignore[arg-type]
        assert got.perfect == expected.perfect
        assert got.fraction == pytest.approx(expected.fraction)
    else:
        with pytest.raises(InvalidAnswer, match=expected):
            rounds.grade(kind, key, answer)  # type: ignore[arg-type]


# quiz


def test_quiz_shape() -> None:
    rnd = built("quiz")
    pub = rnd.public
    assert set(pub) == {"kind", "prompt", "category", "options"}
    assert pub["kind"] == "quiz" and len(pub["options"]) == 4
    card = next(c for c in DECK.cards if c.prompt == pub["prompt"])
    assert pub["category"] == card.category
    texts = [o["text"] for o in pub["options"]]
    assert len({t.casefold() for t in texts}) == 4
    correct = next(o for o in pub["options"] if o["id"] == rnd.key["correct"])
    assert correct["text"].endswith(card.claim.split()[-1])
    assert not any(name in t.split() for t in texts for name in CATS)  # names masked
    assert rnd.time_limit_ms == S.time_limit_ms and rnd.points == S.points


def test_quiz_distractors_same_category_where_possible() -> None:
    for seed in range(20):
        pub = built("quiz", one_category_deck(), seed).public
        assert all(o["text"].startswith("Claim number") for o in pub["options"])
    # 3 cards per historian in the history deck, texts of the same form and length: the
    # category is one weight among others (question words, length), so most distractors
    # but not all come from the answer's historian (chance would give 0.5 of 3).
    same = []
    for seed in range(60):
        rnd = built("quiz", seed=seed)
        card = next(c for c in DECK.cards if c.prompt == rnd.public["prompt"])
        if card.category is None:
            continue
        own = {quiz_text(c) for c in DECK.categories()[card.category]}
        same.append(sum(o["text"] in own for o in rnd.public["options"]) - 1)
    assert sum(same) / len(same) >= 1.4, same


def quiz_text(card: Card) -> str:
    return rounds.deck_texts(DECK)[card.id]


def test_quiz_correct_position_uniform() -> None:
    positions = Counter()
    for seed in range(800):
        rnd = built("quiz", seed=seed)
        positions[[o["id"] for o in rnd.public["options"]].index(rnd.key["correct"])] += 1
    assert set(positions) == {0, 1, 2, 3}
    assert all(130 < n < 270 for n in positions.values()), positions


def test_quiz_without_claims_shows_whole_sentences() -> None:
    # Was: a long answer cut at MAX_TEXT with "…". Cut answers gave the right option away
    # by their shape and read badly (issue 9): now the first whole sentences that fit.
    long = "word " * 60
    cards = tuple(Card(id=f"x{i}", prompt=f"Q{i}?",
                       answer=f"Answer {i} is short. Then a long one: " + long)
                  for i in range(4))
    rnd = built("quiz", Deck(title="no claims", cards=cards))
    assert sorted(o["text"] for o in rnd.public["options"]) == [
        f"Answer {i} is short." for i in range(4)]
    assert rnd.public["category"] is None


def test_quiz_never_duplicates_the_answer() -> None:
    cards = (
        Card(id="a", prompt="Qa?", answer="Same."),
        Card(id="b", prompt="Qb?", answer="same."),
        Card(id="c", prompt="Qc?", answer="Other."),
        Card(id="d", prompt="Qd?", answer="Third."),
    )
    assert rounds.build("quiz", Deck("dupes", cards), random.Random(1), S) is None
    deck = Deck("dupes", (*cards, Card(id="e", prompt="Qe?", answer="Fourth.")))
    for seed in range(30):
        texts = [o["text"].casefold() for o in built("quiz", deck, seed).public["options"]]
        assert len(set(texts)) == 4


def test_quiz_avoids_used_cards() -> None:
    keep = DECK.cards[5]
    avoid = frozenset(c.id for c in DECK.cards if c != keep)
    for seed in range(10):
        assert built("quiz", seed=seed, avoid=avoid).public["prompt"] == keep.prompt
    assert built("quiz", avoid=frozenset(c.id for c in DECK.cards)) is not None


QUIZ_KEY = {"correct": "abcdef", "options": ["abcdef", "ghjkmn", "pqrstu", "vwxyz2"]}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"choice": "abcdef"}, Grade(1.0, True, 1, 1)),
        ({"choice": "ghjkmn"}, Grade(0.0, False, 0, 1)),
        ({"choice": "zzzzzz"}, "unknown option"),
        ({"choice": 3}, "string"),
        ({"choice": None}, "string"),
        ({}, "exactly"),
        ({"choice": "abcdef", "extra": 1}, "exactly"),
        ({"pick": "abcdef"}, "exactly"),
        (["abcdef"], "object"),
        ("abcdef", "object"),
        (None, "object"),
    ],
)
def test_quiz_grade(answer: Any, expected: Grade | str) -> None:
    check("quiz", QUIZ_KEY, answer, expected)


def test_quiz_grade_with_minimal_key() -> None:
    assert quiz.RULES.grade({"correct": "abc"}, {"choice": "abc"}).perfect
    assert quiz.RULES.grade({"correct": "abc"}, {"choice": "xyz"}).fraction == 0


# match


def test_match_shape() -> None:
    rnd = built("match")
    pub = rnd.public
    assert set(pub) == {"kind", "prompt", "variant", "left", "right"}
    assert pub["prompt"] == "Match each historian to the right card"
    assert pub["variant"] == "category"
    assert len(pub["left"]) == len(pub["right"]) == 4
    assert {x["text"] for x in pub["left"]} == CATS
    for item in pub["right"]:
        assert not any(name in item["text"] for name in NAMES)
    pairs = rnd.key["pairs"]
    assert set(pairs) == {x["id"] for x in pub["left"]}
    assert sorted(pairs.values()) == sorted(x["id"] for x in pub["right"])
    for i, left in enumerate(pub["left"]):
        assert pub["right"][i]["id"] != pairs[left["id"]]
    assert rnd.time_limit_ms == 30_000


def test_match_pairs_are_right() -> None:
    for seed in range(20):
        rnd = built("match", seed=seed)
        right = {x["id"]: x["text"] for x in rnd.public["right"]}
        for left in rnd.public["left"]:
            text = right[rnd.key["pairs"][left["id"]]]
            own = {quiz_text(c) for c in DECK.categories()[left["text"]]}
            assert text in own


def test_match_rewrites_names_and_possessives() -> None:
    # Was "[historian]'s city.": players read no placeholders now (issue 9), names are
    # rewritten into words that do not give the historian away.
    cards = (
        Card(id="a", prompt="Qa?", answer="A.", category="Kotkin", claim="Kotkin's city."),
        Card(id="b", prompt="Qb?", answer="B.", category="Lewin",
             claim="As Kotkin notes, Moshe Lewin said so.", aliases=("Moshe Lewin",)),
    )
    rnd = built("match", Deck("possessive", cards, category_noun="historian"))
    assert sorted(x["text"] for x in rnd.public["right"]) == [
        "As another historian notes, this historian said so.", "This historian's city."]


@pytest.mark.parametrize(("items", "k"), [(1, 2), (2, 2), (3, 3), (4, 4), (8, 4)])
def test_match_size(items: int, k: int) -> None:
    rnd = built("match", settings=Settings(items_per_round=items))
    assert len(rnd.public["left"]) == k


def test_match_without_two_categories_pairs_terms() -> None:
    # Was: no match round without two categories. Now prompt -> text, as Quizlet Live does.
    deck = one_category_deck()
    rnd = built("match", deck)
    assert rnd.public["variant"] == "term"
    assert rnd.public["prompt"] == "Match each question to its answer"
    claims = {c.prompt: c.claim for c in deck.cards}
    right = {x["id"]: x["text"] for x in rnd.public["right"]}
    for left in rnd.public["left"]:
        assert right[rnd.key["pairs"][left["id"]]] == claims[left["text"]]
    one = Deck("one card", deck.cards[:1])
    assert rounds.build("match", one, random.Random(0), S) is None


MATCH_KEY = {"pairs": {"aaaaaa": "bbbbbb", "cccccc": "dddddd", "eeeeee": "ffffff",
                       "gggggg": "hhhhhh"}}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (MATCH_KEY, Grade(1.0, True, 4, 4)),
        ({"pairs": {"aaaaaa": "bbbbbb", "cccccc": "dddddd"}}, Grade(0.5, False, 2, 4)),
        ({"pairs": {"aaaaaa": "dddddd", "cccccc": "bbbbbb", "eeeeee": "ffffff",
                    "gggggg": "hhhhhh"}}, Grade(0.5, False, 2, 4)),
        ({"pairs": {"aaaaaa": "dddddd", "cccccc": "bbbbbb", "eeeeee": "hhhhhh",
                    "gggggg": "ffffff"}}, Grade(0.0, False, 0, 4)),
        ({"pairs": {}}, "empty"),
        ({"pairs": {"zzzzzz": "bbbbbb"}}, "unknown id"),
        ({"pairs": {"aaaaaa": "zzzzzz"}}, "unknown id"),
        ({"pairs": {"aaaaaa": "bbbbbb", "cccccc": "bbbbbb"}}, "twice"),
        ({"pairs": {"aaaaaa": 1}}, "strings"),
        ({"pairs": [["aaaaaa", "bbbbbb"]]}, "object"),
        ({"pairs": MATCH_KEY["pairs"], "more": True}, "exactly"),
        ({"placement": {}}, "exactly"),
        ("pairs", "object"),
    ],
)
def test_match_grade(answer: Any, expected: Grade | str) -> None:
    check("match", MATCH_KEY, answer, expected)


# sort


def test_sort_shape() -> None:
    for seed in range(30):
        rnd = built("sort", seed=seed)
        pub = rnd.public
        assert set(pub) == {"kind", "prompt", "buckets", "items"}
        assert pub["prompt"] == "Which historian? Put each card in the right bucket"
        assert len(pub["buckets"]) == 4 and len(pub["items"]) == S.items_per_round + 2
        assert {b["text"] for b in pub["buckets"]} <= CATS
        placement = rnd.key["placement"]
        assert set(placement) == {x["id"] for x in pub["items"]}
        assert set(placement.values()) == {b["id"] for b in pub["buckets"]}  # none empty
        for item in pub["items"]:
            assert not any(name in item["text"] for name in NAMES)
        index = {b["id"]: i for i, b in enumerate(pub["buckets"])}
        seq = [index[placement[x["id"]]] for x in pub["items"]]
        assert not sort.grouped(seq)  # avoidable here: 6 items in 4 buckets


@pytest.mark.parametrize(("items", "buckets", "n"), [(1, 2, 3), (2, 2, 4), (3, 3, 5), (6, 4, 8)])
def test_sort_size(items: int, buckets: int, n: int) -> None:
    pub = built("sort", settings=Settings(items_per_round=items)).public
    assert (len(pub["buckets"]), len(pub["items"])) == (buckets, n)


def test_sort_short_deck_uses_what_it_has() -> None:
    for seed in range(20):
        rnd = built("sort", tiny_deck(), seed)
        assert len(rnd.public["buckets"]) == 2 and len(rnd.public["items"]) == 3
        index = {b["id"]: i for i, b in enumerate(rnd.public["buckets"])}
        seq = [index[rnd.key["placement"][x["id"]]] for x in rnd.public["items"]]
        assert seq != sorted(seq)


def test_sort_needs_two_categories() -> None:
    assert rounds.build("sort", one_category_deck(), random.Random(0), S) is None


def test_grouped() -> None:
    assert sort.grouped([0, 0, 1, 1, 2])
    assert sort.grouped([1, 0, 0])
    assert not sort.grouped([0, 1, 0])


SORT_KEY = {"placement": {"iiiii1": "bbbbb1", "iiiii2": "bbbbb2", "iiiii3": "bbbbb1",
                          "iiiii4": "bbbbb2"}}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (SORT_KEY, Grade(1.0, True, 4, 4)),
        ({"placement": {"iiiii1": "bbbbb1", "iiiii2": "bbbbb2", "iiiii3": "bbbbb1"}},
         Grade(0.75, False, 3, 4)),
        ({"placement": {"iiiii1": "bbbbb1", "iiiii2": "bbbbb1", "iiiii3": "bbbbb1",
                        "iiiii4": "bbbbb1"}}, Grade(0.5, False, 2, 4)),
        ({"placement": {"iiiii1": "bbbbb2", "iiiii2": "bbbbb1"}}, Grade(0.0, False, 0, 4)),
        ({"placement": {}}, "empty"),
        ({"placement": {"nope": "bbbbb1"}}, "unknown id"),
        ({"placement": {"iiiii1": "nope"}}, "unknown id"),
        ({"placement": {"iiiii1": ["bbbbb1"]}}, "strings"),
        ({"placement": "bbbbb1"}, "object"),
        ({"pairs": {}}, "exactly"),
        (42, "object"),
    ],
)
def test_sort_grade(answer: Any, expected: Grade | str) -> None:
    check("sort", SORT_KEY, answer, expected)


# order


def test_order_shape() -> None:
    events = {e.label: e for e in DECK.events}
    for seed in range(40):
        rnd = built("order", seed=seed)
        pub = rnd.public
        assert set(pub) == {"kind", "prompt", "items"}
        assert pub["prompt"] == "Put these events in chronological order (earliest first)"
        assert len(pub["items"]) == S.items_per_round
        text = {x["id"]: x["text"] for x in pub["items"]}
        chosen = [events[text[i]] for i in rnd.key["order"]]
        for a, b in itertools.pairwise(chosen):
            assert a.before(b)
        for i, a in enumerate(chosen):
            assert all(a.before(b) or b.before(a) for b in chosen[i + 1:])
        assert len({e.card_id for e in chosen}) == len(chosen)  # distinct cards available
        assert [x["id"] for x in pub["items"]] != rnd.key["order"]


@pytest.mark.parametrize(("items", "n"), [(1, 3), (3, 3), (4, 4), (6, 6), (9, 6)])
def test_order_size(items: int, n: int) -> None:
    rnd = built("order", settings=Settings(items_per_round=items))
    assert len(rnd.public["items"]) == n


def test_order_needs_four_comparable_events() -> None:
    # Was three: with three events every order round of a game asked the same ones (issue 9).
    assert rounds.build("order", tiny_deck(), random.Random(0), S) is None
    assert rounds.build("order", one_category_deck(), random.Random(0), S) is None
    cards = DECK.cards
    events = [Event(id=f"e{y}", label=f"Event of {y}", start=f"{y}-01-01", end=f"{y}-12-31",
                    card_id=cards[i].id) for i, y in enumerate((1920, 1925, 1930, 1935))]
    three = Deck("three", cards, tuple(events[:3]))
    assert rounds.build("order", three, random.Random(0), S) is None
    assert order.RULES.missing(three, S) == "needs 4 dated events, this deck has 3"
    four = Deck("four", cards, tuple(events))
    assert order.RULES.missing(four, S) is None
    for items in (3, 4, 6):
        rnd = built("order", four, settings=Settings(items_per_round=items))
        assert len(rnd.public["items"]) == max(3, min(items, 4))
    overlapping = Deck("overlap", cards, (*events[:3], Event(
        id="e5", label="Long event", start="1921-01-01", end="1936-01-01", card_id="x")))
    assert order.RULES.missing(overlapping, S) == (
        "needs 4 dated events with dates that do not overlap, this deck has 4 events but "
        "only 3 can be told apart")


def test_order_prefers_unused_cards() -> None:
    used = frozenset({"card-lewin-0", "card-fitzpatrick-0"})
    for seed in range(20):
        built_ = order.RULES.build(DECK, random.Random(seed), S, used)
        assert built_ is not None
        _rnd, cards = built_
        assert not cards & used


ORDER_KEY = {"order": ["aaaaaa", "bbbbbb", "cccccc", "dddddd"]}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (ORDER_KEY, Grade(1.0, True, 4, 4)),
        ({"order": ["bbbbbb", "aaaaaa", "cccccc", "dddddd"]}, Grade(5 / 6, False, 2, 4)),
        ({"order": ["dddddd", "cccccc", "bbbbbb", "aaaaaa"]}, Grade(0.0, False, 0, 4)),
        ({"order": ["cccccc", "dddddd", "aaaaaa", "bbbbbb"]}, Grade(2 / 6, False, 0, 4)),
        ({"order": ["aaaaaa", "bbbbbb", "cccccc"]}, "every item"),
        ({"order": ["aaaaaa", "bbbbbb", "cccccc", "cccccc"]}, "twice"),
        ({"order": ["aaaaaa", "bbbbbb", "cccccc", "zzzzzz"]}, "unknown item"),
        ({"order": ["aaaaaa", "bbbbbb", "cccccc", "dddddd", "eeeeee"]}, "unknown item"),
        ({"order": "aaaaaa"}, "list"),
        ({"order": ["aaaaaa", 2, "cccccc", "dddddd"]}, "list"),
        ({"order": []}, "every item"),
        ({"ordering": ORDER_KEY["order"]}, "exactly"),
        (ORDER_KEY["order"], "object"),
    ],
)
def test_order_grade(answer: Any, expected: Grade | str) -> None:
    check("order", ORDER_KEY, answer, expected)


# distribution and interface


def test_distribution_quiz() -> None:
    rnd = built("quiz")
    ids = [o["id"] for o in rnd.public["options"]]
    answers = [{"choice": ids[0]}, {"choice": ids[0]}, {"choice": ids[2]}, {"choice": "bogus"},
               {"nope": 1}]
    bars = rounds.distribution("quiz", rnd.public, rnd.key, answers)
    assert [b["id"] for b in bars] == ids
    assert [b["count"] for b in bars] == [2, 0, 1, 0]
    assert [b["label"] for b in bars] == [o["text"] for o in rnd.public["options"]]
    assert [b["correct"] for b in bars] == [i == rnd.key["correct"] for i in ids]


@pytest.mark.parametrize("kind", ["match", "sort", "order"])
def test_distribution_outcomes(kind: str) -> None:
    rnd = built(kind)
    field = next(iter(rnd.key))
    perfect = {field: rnd.key[field]}
    if kind == "order":
        some = {"order": list(reversed(rnd.key["order"][:2])) + rnd.key["order"][2:]}
        none = {"order": list(reversed(rnd.key["order"]))}
    else:
        first = next(iter(rnd.key[field]))
        some = {field: {first: rnd.key[field][first]}}
        wrong = next(v for v in rnd.key[field].values() if v != rnd.key[field][first])
        none = {field: {first: wrong}}  # one item, wrong (an empty answer is invalid)
    answers = [perfect, perfect, some, none, none, none, {"bad": 1}]
    bars = rounds.distribution(kind, rnd.public, rnd.key, answers)  # type: ignore[arg-type]
    assert bars == [
        {"id": "all", "label": "All right", "count": 2, "correct": True},
        {"id": "some", "label": "Some right", "count": 1, "correct": False},
        {"id": "none", "label": "None right", "count": 3, "correct": False},
    ]


@pytest.mark.parametrize(("limit", "long"), [(20_000, 30_000), (15_000, 23_000), (1_000, 2_000)])
def test_time_limits(limit: int, long: int) -> None:
    s = Settings(time_limit_ms=limit, points=700)
    assert rounds.time_limit_ms("quiz", s) == limit
    for kind in ("match", "sort", "order"):
        assert rounds.time_limit_ms(kind, s) == long  # type: ignore[arg-type]
        assert built(kind, settings=s).points == 700


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown round kind"):
        rounds.build("bingo", DECK, random.Random(0), S)  # type: ignore[arg-type]


def test_one_rules_object_per_kind() -> None:
    assert tuple(rounds.RULES) == ROUND_KINDS
    for kind, rules in rounds.RULES.items():
        assert isinstance(rules, RoundRules) and rules.kind == kind
        assert rounds.rules(kind) is rules
    assert [rounds.rules(k).time_factor for k in ROUND_KINDS] == [1, 1.5, 1.5, 1.5]
    assert [rounds.rules(k).bonus_share for k in ROUND_KINDS] == [0, 0, 0, 0.2]
