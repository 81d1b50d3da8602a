"""A room's report: per player and per card, from the game, its players and every answer.

Pure: plain data in (the `Game`, the players in join order, every graded answer by
(round index, player id), the rounds played), a `Report` out; the server reads Redis and
writes the files (`server/export.py`), a competition can merge the reports of its rooms.

What counts:

- A round is *played* when it closed without being skipped (`played_rounds`): a skipped
  round, the round still open and the rounds never reached are not asked of anyone.
- Every player in the room is asked every played round, late joiners included; a round
  they did not answer is shown as unanswered and scores 0 of its items.
- *correct*: rounds answered fully right (`Result.perfect`: quiz the right option; match,
  sort every pair or placement right; order every event in its place).
- *accuracy*: items right / items asked over the played rounds (`Result.right` of the
  round's `rounds.size`: quiz 1 item, match pairs, sort cards, order events in their right
  place); 0 when no round was played. The accuracy rank orders players by it alone
  (no speed, no streaks); equal accuracies share a rank, as equal scores do.
- A player *got a card right* in a round when every item of the round that asks it was
  right: quiz the right option, match the card's pair, sort the card's placement, order
  the card's event in its right position. Over the game, a player got a card right when
  they got it right every time it was asked; otherwise it is one of their missed cards
  (their review deck). A card's share is the players who got it right / the players.
- Kicked players are not the room's: the caller leaves them out of `players`, and their
  answers are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, TypeVar

from game_rules import rounds
from game_rules.machine import Game, Player, Result, RoomState
from game_rules.model import Round

NO_ANSWER = "(no answer)"
SEP = "; "  # between the parts of an answer shown as text
T = TypeVar("T")


@dataclass(frozen=True)
class RoundInfo:
    """One round of the plan: its number (1-based), kind, prompt, items scored, and whether
    it was played (closed, not skipped) or skipped by the host."""

    number: int
    kind: str
    prompt: str
    items: int
    played: bool
    skipped: bool


@dataclass(frozen=True)
class RoundLine:
    """What one player did in one played round."""

    number: int
    answered: bool
    answer: str  # the answer as text ("" when unanswered)
    right: int
    of: int
    points: int
    perfect: bool


@dataclass(frozen=True)
class PlayerLine:
    player_id: str
    nickname: str
    rank: int
    score: int
    streak: int
    correct: int
    items_right: int
    items_asked: int
    accuracy_rank: int
    rounds: tuple[RoundLine, ...]
    missed: tuple[str, ...]  # card ids, in the order they were asked

    @property
    def accuracy(self) -> float:
        """items_right / items_asked, rounded to 4 places; 0 when nothing was asked."""
        return round(self.items_right / self.items_asked, 4) if self.items_asked else 0.0


@dataclass(frozen=True)
class CardLine:
    card: dict[str, str]  # `game_rules.model.card_record`
    rounds: tuple[int, ...]  # the numbers of the played rounds that asked it
    players: int
    right: int

    @property
    def share(self) -> float:
        """right / players, rounded to 4 places; 0 without players."""
        return round(self.right / self.players, 4) if self.players else 0.0


@dataclass(frozen=True)
class Report:
    rounds: tuple[RoundInfo, ...]
    players: tuple[PlayerLine, ...]  # by rank, then join order
    cards: tuple[CardLine, ...]  # hardest first

    def card(self, card_id: str) -> dict[str, str]:
        return next(c.card for c in self.cards if c.card["id"] == card_id)

    def player(self, player_id: str) -> PlayerLine | None:
        return next((p for p in self.players if p.player_id == player_id), None)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready dicts (the fields docs/protocol.md, section 13, lists)."""
        return {
            "rounds": [{"round": r.number, "kind": r.kind, "prompt": r.prompt,
                        "items": r.items, "played": r.played, "skipped": r.skipped}
                       for r in self.rounds],
            "players": [{
                "rank": p.rank, "player_id": p.player_id, "nickname": p.nickname,
                "score": p.score, "streak": p.streak, "correct": p.correct,
                "items_right": p.items_right, "items_asked": p.items_asked,
                "accuracy": p.accuracy, "accuracy_rank": p.accuracy_rank,
                "rounds": [{"round": x.number, "answered": x.answered,
                            "answer": x.answer if x.answered else None, "right": x.right,
                            "of": x.of, "points": x.points, "perfect": x.perfect}
                           for x in p.rounds],
                "missed": list(p.missed),
            } for p in self.players],
            "cards": [{**c.card, "rounds": list(c.rounds), "players": c.players,
                       "right": c.right, "share": c.share} for c in self.cards],
        }


def played_rounds(state: RoomState, plan_length: int) -> list[int]:
    """Indexes of the rounds that closed and were not skipped: those up to the current one
    (not the current one while it is open), without `state.skipped`."""
    last = state.round_index - (1 if state.phase == "open" else 0)
    skipped = set(state.skipped)
    return [i for i in range(min(last + 1, plan_length)) if i not in skipped]


def shared_ranks(items: Sequence[T], value: Callable[[T], Any]) -> list[int]:
    """Ranks of `items` (already sorted best first): equal `value`s share one (1, 2, 2, 4)."""
    out: list[int] = []
    for i, item in enumerate(items):
        same = i and value(items[i - 1]) == value(item)
        out.append(out[-1] if same else i + 1)
    return out


def item_order(rnd: Round) -> list[str]:
    """The ids of a round's scored items in the order players saw them (quiz: the correct
    option)."""
    if rnd.kind == "quiz":
        return [rnd.key["correct"]]
    listed = rnd.public["left"] if rnd.kind == "match" else rnd.public["items"]
    return [x["id"] for x in listed]


def items_right(rnd: Round, answer: Mapping[str, Any] | None) -> dict[str, bool]:
    """Each scored item of `rnd` -> whether `answer` (None: no answer) got it right."""
    key, ids = rnd.key, item_order(rnd)
    if answer is None:
        return dict.fromkeys(ids, False)
    if rnd.kind == "quiz":
        return {ids[0]: answer.get("choice") == key["correct"]}
    if rnd.kind in ("match", "sort"):
        expected = key["pairs"] if rnd.kind == "match" else key["placement"]
        given = answer.get("pairs" if rnd.kind == "match" else "placement") or {}
        return {i: given.get(i) == expected[i] for i in ids}
    order = list(answer.get("order") or [])
    place = {item: n for n, item in enumerate(key["order"])}
    return {i: place[i] < len(order) and order[place[i]] == i for i in ids}


def answer_text(rnd: Round, answer: Mapping[str, Any]) -> str:
    """An answer as people read it: quiz the option's text; match "left → right" per pair
    given; sort "card → bucket" per card placed; order "1. first; 2. second; ..."."""
    pub = rnd.public
    if rnd.kind == "quiz":
        texts = {o["id"]: o["text"] for o in pub["options"]}
        return str(texts.get(answer.get("choice"), ""))
    if rnd.kind == "match":
        right = {x["id"]: x["text"] for x in pub["right"]}
        pairs = answer.get("pairs") or {}
        return SEP.join(f"{x['text']} → {right[pairs[x['id']]]}" for x in pub["left"]
                        if pairs.get(x["id"]) in right)
    if rnd.kind == "sort":
        buckets = {b["id"]: b["text"] for b in pub["buckets"]}
        placed = answer.get("placement") or {}
        return SEP.join(f"{x['text']} → {buckets[placed[x['id']]]}" for x in pub["items"]
                        if placed.get(x["id"]) in buckets)
    labels = {x["id"]: x["text"] for x in pub["items"]}
    given = answer.get("order") or []
    return SEP.join(f"{n}. {labels.get(i, '?')}" for n, i in enumerate(given, 1))


Asks = dict[int, dict[str, list[str]]]  # round index -> card id -> the items asking it


def cards_asked(game: Game, played: Collection[int]) -> tuple[dict[str, dict[str, str]], Asks]:
    """The cards the `played` rounds ask (card id -> its `card_record`, in the order first
    asked: by round, then as the items were shown), and which items ask each, per round."""
    asked: dict[str, dict[str, str]] = {}
    asks: Asks = {}
    for i in sorted(i for i in set(played) if i < len(game.plan)):
        rnd = game.plan[i]
        per_card: dict[str, list[str]] = {}
        for item in item_order(rnd):
            record = rnd.cards.get(item)
            if record is not None:
                asked.setdefault(record["id"], record)
                per_card.setdefault(record["id"], []).append(item)
        asks[i] = per_card
    return asked, asks


def _missed(game: Game, asked: Mapping[str, Any], asks: Asks,
            results: Mapping[int, Result | None]) -> list[str]:
    """The ids of the cards a player with `results` (round -> their answer, None or left
    out: none) did not get right every time, in the order of `asked`."""
    missed: set[str] = set()
    for i, per_card in asks.items():
        result = results.get(i)
        right = items_right(game.plan[i], None if result is None else result.answer)
        missed.update(c for c, items in per_card.items() if not all(right[x] for x in items))
    return [c for c in asked if c in missed]


def missed_cards(game: Game, played: Collection[int],
                 results: Mapping[int, Result | None]) -> list[dict[str, str]]:
    """The cards one player missed (their review deck), from their answers alone (round
    index -> answer): what `build_report` gives them, at the cost of one player."""
    asked, asks = cards_asked(game, played)
    return [asked[c] for c in _missed(game, asked, asks, results)]


def build_report(game: Game, players: Mapping[str, Player],
                 answers: Mapping[tuple[int, str], Result], played: Collection[int],
                 skipped: Collection[int] = ()) -> Report:
    """The report of a room: `players` in join order (kicked ones left out), `answers` every
    graded answer by (round index, player id), `played` the indexes of the played rounds
    (`played_rounds`), `skipped` those the host skipped."""
    done = set(played)
    plan = game.plan
    infos = tuple(
        RoundInfo(number=i + 1, kind=r.kind, prompt=str(r.public.get("prompt", "")),
                  items=rounds.size(r.kind, r.key), played=i in done, skipped=i in skipped)
        for i, r in enumerate(plan))
    order = [i for i in sorted(done) if i < len(plan)]

    asked, asks = cards_asked(game, order)
    lines: dict[str, PlayerLine] = {}
    card_right: dict[str, int] = dict.fromkeys(asked, 0)
    for pid, player in players.items():
        round_lines: list[RoundLine] = []
        for i in order:
            rnd, result = plan[i], answers.get((i, pid))
            size = rounds.size(rnd.kind, rnd.key)
            if result is None:
                round_lines.append(RoundLine(i + 1, False, "", 0, size, 0, False))
            else:
                round_lines.append(RoundLine(i + 1, True, answer_text(rnd, result.answer),
                                             result.right, size, result.points,
                                             result.perfect))
        missed = _missed(game, asked, asks, {i: answers.get((i, pid)) for i in order})
        for card_id in set(asked) - set(missed):
            card_right[card_id] += 1
        lines[pid] = PlayerLine(
            player_id=pid, nickname=player.nickname, rank=0, score=player.score,
            streak=player.streak, correct=sum(x.perfect for x in round_lines),
            items_right=sum(x.right for x in round_lines),
            items_asked=sum(x.of for x in round_lines), accuracy_rank=0,
            rounds=tuple(round_lines), missed=tuple(missed))

    def accuracy(p: PlayerLine) -> Fraction:
        return Fraction(p.items_right, p.items_asked) if p.items_asked else Fraction(0)

    joined = {pid: n for n, pid in enumerate(lines)}
    by_score = sorted(lines.values(), key=lambda p: (-p.score, joined[p.player_id]))
    by_accuracy = sorted(lines.values(), key=lambda p: -accuracy(p))
    score_ranks = dict(zip((p.player_id for p in by_score),
                           shared_ranks(by_score, lambda p: p.score), strict=True))
    accuracy_ranks = dict(zip((p.player_id for p in by_accuracy),
                              shared_ranks(by_accuracy, accuracy), strict=True))
    ranked = tuple(replace(p, rank=score_ranks[p.player_id],
                           accuracy_rank=accuracy_ranks[p.player_id]) for p in by_score)

    first_round = {card_id: min(i for i in order if card_id in asks[i]) for card_id in asked}
    card_lines = [
        CardLine(card=record,
                 rounds=tuple(i + 1 for i in order if card_id in asks[i]),
                 players=len(lines), right=card_right[card_id])
        for card_id, record in asked.items()]
    position = {card_id: n for n, card_id in enumerate(asked)}
    card_lines.sort(key=lambda c: (Fraction(c.right, c.players) if c.players else 0,
                                   first_round[c.card["id"]], position[c.card["id"]]))
    return Report(rounds=infos, players=ranked, cards=tuple(card_lines))


def room_report(game: Game, state: RoomState,
                answers: Mapping[tuple[int, str], Result]) -> Report:
    """`build_report` of a room's state (its players in join order, kicked ones gone)."""
    return build_report(game, state.players, answers, played_rounds(state, len(game.plan)),
                        state.skipped)
