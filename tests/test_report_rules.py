"""game_rules/report.py and the card ids rounds record (issue 11, reports), pure: a game
played with the state machine (answers right, partly right, wrong and none, a skipped
round, a kicked player); the expected values come from what each player sent."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from typing import Any

import pytest

from game_rules import machine as m
from game_rules import rounds
from game_rules.model import ROUND_KINDS, Round, Settings, card_record
from game_rules.plan import make_plan
from game_rules.report import (
    answer_text,
    build_report,
    missed_cards,
    played_rounds,
    room_report,
)
from server.store import game_from_json, game_to_json
from tests.client import answer_for
from tests.rules_fixtures import history_deck

SETTINGS = Settings(rounds=6, round_mix=ROUND_KINDS, speed_scoring=False, streak_bonus=False,
                    time_limit_ms=60_000)


def as_plan_entry(rnd: Round) -> dict[str, Any]:
    return {"kind": rnd.kind, "key": rnd.key}


def right_items(rnd: Round, how: str | None) -> set[str]:
    return right_of(rnd.kind, rnd.key, how)


def right_of(kind: str, key: dict[str, Any], how: str | None) -> set[str]:
    """The items an answer made by `answer_for` (a round of `kind` with `key`, `how`) gets
    right, worked out from what `answer_for` documents it does (None: no answer)."""
    if how is None or (how == "wrong" and kind != "order"):
        return set()
    if kind == "quiz":
        return {key["correct"]} if how == "right" else set()
    items = {"match": list(key.get("pairs", {})), "sort": list(key.get("placement", {})),
             "order": list(key.get("order", []))}[kind]
    if how == "right":
        return set(items)
    if how == "partial":  # match: 2 swapped; sort: the first moved; order: first 2 swapped
        return set(items[1:] if kind == "sort" else items[2:])
    n = len(items)  # order reversed: only the middle one of an odd count stays in place
    return {items[n // 2]} if n % 2 else set()


def test_every_scored_item_names_the_card_it_asks() -> None:
    deck = history_deck()
    cards = {c.id: c for c in deck.cards}
    events = {e.label: e for e in deck.events}
    for seed in range(20):
        for kind in ROUND_KINDS:
            rnd = rounds.build(kind, deck, random.Random(seed), SETTINGS)
            assert rnd is not None
            pub = rnd.public
            if kind == "quiz":
                assert list(rnd.cards) == [rnd.key["correct"]]
                card = cards[rnd.cards[rnd.key["correct"]]["id"]]
                assert pub["prompt"] == card.prompt
            elif kind == "match":
                assert list(rnd.cards) == [x["id"] for x in pub["left"]]
                for left in pub["left"]:
                    assert cards[rnd.cards[left["id"]]["id"]].category == left["text"]
            elif kind == "sort":
                assert set(rnd.cards) == {x["id"] for x in pub["items"]}
                buckets = {b["id"]: b["text"] for b in pub["buckets"]}
                for item, bucket in rnd.key["placement"].items():
                    assert cards[rnd.cards[item]["id"]].category == buckets[bucket]
            else:
                assert set(rnd.cards) == {x["id"] for x in pub["items"]}
                for item in pub["items"]:
                    assert rnd.cards[item["id"]]["id"] == events[item["text"]].card_id
            for record in rnd.cards.values():
                assert record == card_record(cards[record["id"]])


def test_a_game_stored_before_round_cards_still_loads() -> None:
    deck = history_deck()
    game = m.Game(SETTINGS, tuple(make_plan(deck, SETTINGS, 3)))
    again, title = game_from_json(game_to_json(game, "T"))
    assert again == game and title == "T"
    old = json.loads(game_to_json(game, "T"))
    for entry in old["plan"]:
        del entry["cards"]
    loaded, _ = game_from_json(json.dumps(old))
    assert all(r.cards == {} for r in loaded.plan)
    assert [replace(r, cards={}) for r in game.plan] == list(loaded.plan)


class Played:
    """A game driven through `machine.apply`, every accepted answer kept as Redis keeps it
    (first answer wins, kept after a skip or a kick)."""

    def __init__(self, settings: Settings = SETTINGS, seed: int = 5) -> None:
        self.game = m.Game(settings, tuple(make_plan(history_deck(), settings, seed)))
        self.state = m.RoomState()
        self.now = 1_000
        self.answers: dict[tuple[int, str], m.Result] = {}

    def do(self, event: m.Event) -> None:
        self.now += 100
        new, effects = m.apply(self.game, self.state, event, self.now)
        assert not [e for e in effects if isinstance(e, m.Rejected)], effects
        if isinstance(event, m.SubmitAnswer):
            self.answers.setdefault((event.round_index, event.player_id),
                                    new.results[event.player_id])
        self.state = new

    def answer(self, pid: str, how: str) -> None:
        index = self.state.round_index
        rnd = self.game.plan[index]
        self.do(m.SubmitAnswer(pid, index, answer_for(as_plan_entry(rnd), how)))


def test_report_of_a_played_game() -> None:
    g = Played()
    plan = g.game.plan
    assert [r.kind for r in plan] == ["quiz", "match", "sort", "order", "quiz", "match"]
    for pid, nick in (("a", "Ann"), ("b", "Bob"), ("c", "Cy"), ("d", "Dee")):
        g.do(m.PlayerJoin(pid, nick))
    # Who sends what in each round (None: no answer); round 4 is skipped, Dee is kicked
    # in round 2 after answering it.
    sent: dict[int, dict[str, str | None]] = {
        0: {"a": "right", "b": "wrong", "c": "right", "d": "right"},
        1: {"a": "right", "b": "partial", "c": None, "d": "right"},
        2: {"a": "partial", "b": "right", "c": "wrong", "d": "right"},
        3: {"a": "right", "b": "partial", "c": "wrong"},
        4: {"a": "right"},
        5: {"a": "wrong", "b": "right", "c": "partial"},
    }
    g.do(m.HostAction("start"))
    for index in range(6):
        assert g.state.phase == "open" and g.state.round_index == index
        for pid, how in sent[index].items():
            if how is not None:
                g.answer(pid, how)
        if index == 2:
            g.do(m.HostKick("d"))
        if index == 4:
            g.do(m.HostAction("skip"))
            continue
        if g.state.phase == "open":
            g.do(m.HostAction("next"))
        g.do(m.HostAction("next"))  # the leaderboard
        g.do(m.HostAction("next"))  # the next round, or the podium
    assert g.state.phase == "podium" and g.state.skipped == [4]
    assert played_rounds(g.state, len(plan)) == [0, 1, 2, 3, 5]

    report = room_report(g.game, g.state, g.answers)
    played = [0, 1, 2, 3, 5]
    assert [(r.number, r.played, r.skipped) for r in report.rounds] == [
        (1, True, False), (2, True, False), (3, True, False), (4, True, False),
        (5, False, True), (6, True, False)]
    assert [p.player_id for p in report.players] == sorted(
        "abc", key=lambda pid: -g.state.players[pid].score)  # Dee, kicked, is not there
    for p in report.players:
        player = g.state.players[p.player_id]
        assert (p.nickname, p.score, p.streak) == (player.nickname, player.score, player.streak)
        sizes = [rounds.size(plan[i].kind, plan[i].key) for i in played]
        rights = [len(right_items(plan[i], sent[i].get(p.player_id))) for i in played]
        assert [x.number for x in p.rounds] == [i + 1 for i in played]
        assert [x.right for x in p.rounds] == rights
        assert [x.of for x in p.rounds] == sizes
        assert p.items_right == sum(rights) and p.items_asked == sum(sizes)
        assert p.correct == sum(r == s for r, s in zip(rights, sizes, strict=True))
        assert p.accuracy == round(sum(rights) / sum(sizes), 4)
        assert [x.answered for x in p.rounds] == [sent[i].get(p.player_id) is not None
                                                  for i in played]
        assert sum(x.points for x in p.rounds) == p.score
        # Every card Cy, Bob and Ann were asked, and missed: any item of it wrong or
        # unanswered in a played round.
        missed: list[str] = []
        for i in played:
            rnd, good = plan[i], right_items(plan[i], sent[i].get(p.player_id))
            for item in (rnd.cards if rnd.kind != "quiz" else [rnd.key["correct"]]):
                if item not in good and rnd.cards[item]["id"] not in missed:
                    missed.append(rnd.cards[item]["id"])
        assert sorted(p.missed) == sorted(missed)
    # One player's review deck from their answers alone is what the whole report says.
    for p in report.players:
        mine = {i: g.answers[i, p.player_id] for i in played if (i, p.player_id) in g.answers}
        assert missed_cards(g.game, played, mine) == [report.card(c) for c in p.missed]
    # Ranks: by score, ties shared; accuracy ranks by accuracy alone.
    scores = [p.score for p in report.players]
    assert [p.rank for p in report.players] == [1 + sum(s > x for s in scores) for x in scores]
    accs = {p.player_id: p.items_right / p.items_asked for p in report.players}
    assert {p.player_id: p.accuracy_rank for p in report.players} == {
        pid: 1 + sum(a > x for a in accs.values()) for pid, x in accs.items()}
    # Cards: each asked card once, the share of the 3 players who got it right, hardest first.
    asked = {rec["id"] for i in played for rec in plan[i].cards.values()}
    assert {c.card["id"] for c in report.cards} == asked
    for c in report.cards:
        got = sum(c.card["id"] not in p.missed for p in report.players)
        assert (c.players, c.right, c.share) == (3, got, round(got / 3, 4))
    shares = [c.share for c in report.cards]
    assert shares == sorted(shares)
    skipped_cards = {rec["id"] for rec in plan[4].cards.values()} - asked
    assert not skipped_cards & {c.card["id"] for c in report.cards}


def test_answer_texts_are_what_players_read() -> None:
    deck = history_deck()
    for kind in ROUND_KINDS:
        rnd = rounds.build(kind, deck, random.Random(2), SETTINGS)
        assert rnd is not None
        answer = answer_for(as_plan_entry(rnd), "right")
        text = answer_text(rnd, answer)
        pub = rnd.public
        if kind == "quiz":
            assert text == next(o["text"] for o in pub["options"]
                                if o["id"] == rnd.key["correct"])
        elif kind == "match":
            right = {x["id"]: x["text"] for x in pub["right"]}
            assert text.split("; ") == [f"{x['text']} → {right[rnd.key['pairs'][x['id']]]}"
                                        for x in pub["left"]]
        elif kind == "sort":
            buckets = {b["id"]: b["text"] for b in pub["buckets"]}
            assert text.split("; ") == [
                f"{x['text']} → {buckets[rnd.key['placement'][x['id']]]}" for x in pub["items"]]
        else:
            labels = {x["id"]: x["text"] for x in pub["items"]}
            assert text.split("; ") == [f"{n}. {labels[i]}"
                                        for n, i in enumerate(rnd.key["order"], 1)]


@pytest.mark.parametrize("phase,index,skipped,expected", [
    ("lobby", -1, [], []),
    ("open", 0, [], []),
    ("open", 2, [1], [0]),
    ("reveal", 2, [1], [0, 2]),
    ("leaderboard", 3, [], [0, 1, 2, 3]),
    ("podium", 5, [5], [0, 1, 2, 3, 4]),
    ("podium", -1, [], []),
])
def test_played_rounds(phase: m.Phase, index: int, skipped: list[int],
                       expected: list[int]) -> None:
    state = m.RoomState(phase=phase, round_index=index, skipped=skipped)
    assert played_rounds(state, 6) == expected


def test_nobody_and_nothing() -> None:
    game = m.Game(SETTINGS, tuple(make_plan(history_deck(), SETTINGS, 1)))
    empty = build_report(game, {}, {}, [0, 1])
    assert empty.players == ()
    assert all(c.players == 0 and c.share == 0.0 for c in empty.cards)
    lone = build_report(game, {"x": m.Player(nickname="X", joined_ms=0)}, {}, [])
    (x,) = lone.players
    assert (x.rank, x.accuracy_rank, x.items_asked, x.accuracy, x.missed) == (1, 1, 0, 0.0, ())
    assert lone.cards == ()
