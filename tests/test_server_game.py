"""Whole games against a real server process and a real Redis, with scripted clients.

Expected scores are computed here from the rules as written in DESIGN.md and the
docstring of `game_rules.scoring` (accuracy-only game), or checked against
`game_rules.scoring.score` with the answer times the server recorded (speed game).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import Counter
from fractions import Fraction
from itertools import combinations
from typing import Any

import redis.asyncio as aioredis

from game_rules import rounds, scoring
from game_rules.model import Round, Settings
from tests.client import (
    GameClient,
    RoomData,
    answer_for,
    close_all,
    connect_many,
    room_with_players,
)
from tests.servers import ServerProcess

P = 1000
PLAYERS = 30
ROUNDS = 8
KINDS = ["quiz", "match", "sort", "order"]
ALL_ANSWER_ROUND = 5  # everyone answers: the round closes by itself


# --------------------------------------------------------------------- the rules, again


def half_up(x: Fraction) -> int:
    return max(0, math.floor(x + Fraction(1, 2)))


def fraction_of(rnd: dict[str, Any], how: str) -> Fraction:
    """The accuracy of `answer_for(rnd, how)`, worked out from the answer's construction."""
    if how == "right":
        return Fraction(1)
    if how == "wrong" or rnd["kind"] == "quiz":
        return Fraction(0)
    key = rnd["key"]
    if rnd["kind"] == "match":  # two pairs swapped
        return Fraction(len(key["pairs"]) - 2, len(key["pairs"]))
    if rnd["kind"] == "sort":  # one item misplaced
        return Fraction(len(key["placement"]) - 1, len(key["placement"]))
    pairs = len(list(combinations(key["order"], 2)))  # order: one adjacent pair swapped
    return Fraction(pairs - 1, pairs)


def expected_points(rnd: dict[str, Any], how: str, streak: int,
                    streak_bonus: bool = True) -> tuple[int, int]:
    """(points, streak after) of an accuracy-only answer; how == "none": no answer."""
    if how == "none":
        return 0, 0
    frac, perfect = fraction_of(rnd, how), how == "right"
    points = rnd["points"]
    if rnd["kind"] == "quiz":
        base = points if perfect else 0
    elif rnd["kind"] in ("match", "sort"):
        base = half_up(points * frac)
    else:
        base = half_up(Fraction(4, 5) * points * frac)
        if perfect:
            base = min(points, base + half_up(Fraction(points, 5)))
    streak = streak + 1 if perfect else 0
    bonus = min(100 * (streak - 1), 500) if perfect and streak_bonus else 0
    return base + bonus, streak


def items_right(rnd: dict[str, Any], answer: dict[str, Any] | None) -> tuple[int, int]:
    """(right, of) the player is told: the choice, pairs, cards or places that are right."""
    key = rnd["key"]
    if rnd["kind"] == "quiz":
        return int(answer is not None and answer["choice"] == key["correct"]), 1
    field = {"match": "pairs", "sort": "placement", "order": "order"}[rnd["kind"]]
    expected, given = key[field], (answer or {}).get(field, {})
    if rnd["kind"] == "order":
        return sum(a == b for a, b in zip(given, expected, strict=False)), len(expected)
    return sum(expected[k] == v for k, v in given.items()), len(expected)


def ranks(order: list[tuple[str, int]]) -> dict[str, int]:
    """Ranks of (player, score) pairs already sorted best first; ties share (1, 2, 2, 4)."""
    out: dict[str, int] = {}
    for i, (pid, score) in enumerate(order):
        if i and order[i - 1][1] == score:
            out[pid] = out[order[i - 1][0]]
        else:
            out[pid] = i + 1
    return out


def behaviour(player: int, round_index: int) -> str:
    """What player `player` does in round `round_index`: right, partial, wrong or none."""
    if player < 3:
        return "right"  # perfect all game: the streak bonus reaches its cap
    if player == 3:
        return "right" if round_index % 3 else "none"  # silence breaks the streak
    if player == 4:
        return "right" if round_index % 2 else "partial"
    how = ("right", "partial", "wrong", "none")[(player * 7 + round_index * 3) % 4]
    if how == "none" and round_index == ALL_ANSWER_ROUND:
        return "wrong"
    return how


def find_leak(obj: Any, key: dict[str, Any]) -> str | None:
    """Where `obj` (a message) gives away `key`, else None."""
    mapping = key.get("pairs") or key.get("placement") or {}
    order = key.get("order")

    def walk(node: Any, path: str) -> str | None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("key", "correct", "reveal") and v not in (None, False):
                    return f"{path}.{k}"
                if k in mapping and mapping[k] == v:
                    return f"{path}.{k} is a key pair"
                found = walk(v, f"{path}.{k}")
                if found:
                    return found
        elif isinstance(node, list):
            if order is not None and node == order:
                return f"{path} is the key order"
            for i, v in enumerate(node):
                found = walk(v, f"{path}[{i}]")
                if found:
                    return found
        return None

    return walk(obj, "")


def expected_bars(rnd: dict[str, Any], choices: list[dict[str, Any]],
                  hows: list[str]) -> list[tuple[str, int, bool]]:
    if rnd["kind"] == "quiz":
        counts = Counter(c["choice"] for c in choices)
        return [(o, counts[o], o == rnd["key"]["correct"]) for o in rnd["key"]["options"]]
    counts = Counter({"right": "all", "partial": "some", "wrong": "none"}[h]
                     for h in hows if h != "none")
    return [("all", counts["all"], True), ("some", counts["some"], False),
            ("none", counts["none"], False)]


def check_seq(client: GameClient) -> None:
    """Views never go back in `seq`; each `room` view is a new one (a `me` may repeat the
    seq of the last room view: docs/protocol.md, section 4), and no view is ahead of the
    room views the client has."""
    rooms = [v["seq"] for v in client.views("room")]
    assert rooms == sorted(set(rooms)), f"{client.name}: room seq repeats or goes back: {rooms}"
    for kind in ("me", "host"):
        seqs = [v["seq"] for v in client.views(kind)]
        assert seqs == sorted(seqs), f"{client.name}: {kind} seq goes back: {seqs}"
        assert set(seqs) <= set(rooms), f"{client.name}: a {kind} view without its room view"


# --------------------------------------------------------------------- games


async def all_in_phase(clients: list[GameClient], phase: str,
                       index: int | None = None) -> list[dict[str, Any]]:
    return await asyncio.gather(*(c.phase(phase, index) for c in clients))


async def test_full_game_30_players_accuracy_only(live_server: ServerProcess,
                                                  redis: aioredis.Redis) -> None:
    host = await GameClient(live_server.ws_url, "host").connect()
    players = await connect_many(live_server.ws_url, PLAYERS)
    everyone = [host, *players]
    try:
        settings = {"rounds": ROUNDS, "round_mix": KINDS, "points": P, "time_limit_s": 60,
                    "speed_scoring": False}
        created = await host.create_room(settings, deck="soviet-union-1928-41", seed=1234)
        code = created["room"]
        room = RoomData(redis, code)
        plan = await room.plan()
        assert [r["kind"] for r in plan] == KINDS * 2
        for i, pl in enumerate(players):  # one by one: the join order breaks score ties
            await pl.join(code, f"Player {i:02d}")
        nick = {pl.player_id: pl.nickname for pl in players}
        lobby = await host.room_where(lambda r: r["players"] == PLAYERS)
        assert lobby["phase"] == "lobby" and lobby["round"] is None

        score = {pl.player_id: 0 for pl in players}
        streak = {pl.player_id: 0 for pl in players}
        prev_rank: dict[str, int] | None = None
        for r, rnd in enumerate(plan):
            await host.host("start" if r == 0 else "next")
            opened = await all_in_phase(everyone, "open", r)
            for view in opened:
                assert view["round"]["public"] == rnd["public"]
                assert view["round"]["kind"] == rnd["kind"] and view["reveal"] is None
                assert view["round"]["total"] == ROUNDS and view["answered"] == 0
                assert view["leaderboard"] == []

            hows = [behaviour(i, r) for i in range(PLAYERS)]
            answers: dict[str, dict[str, Any]] = {}
            for i, pl in enumerate(players):
                if hows[i] != "none":
                    answers[pl.player_id] = answer_for(rnd, hows[i], variant=i)
            await asyncio.gather(*(pl.answer_acked(r, answers[pl.player_id])
                                   for pl in players if pl.player_id in answers))
            if "none" in hows:
                n_answered = len(answers)
                await host.room_where(lambda v, n=n_answered: v["answered"] == n)
                await host.host("next")
            else:
                assert r == ALL_ANSWER_ROUND
            revealed = await all_in_phase(everyone, "reveal", r)

            # The key, only now, and the distribution of the answers.
            for view in revealed:
                assert view["reveal"]["index"] == r and view["reveal"]["key"] == rnd["key"]
                assert view["answered"] == len(answers)
                bars = [(b["id"], b["count"], b["correct"]) for b in view["reveal"]["distribution"]]
                assert bars == expected_bars(rnd, list(answers.values()), hows)
            for c in everyone:
                for v in c.views("room"):
                    if v["phase"] == "open" and v["round"]["index"] == r:
                        assert find_leak(v, rnd["key"]) is None, (c.name, find_leak(v, rnd["key"]))

            # Every player's score, by the rules.
            gained = {}
            for i, pl in enumerate(players):
                pid = pl.player_id
                gained[pid], streak[pid] = expected_points(rnd, hows[i], streak[pid])
                score[pid] += gained[pid]
            order = sorted(score.items(), key=lambda kv: -kv[1])  # stable: join order
            rank = ranks(order)
            def since_reveal(view: dict[str, Any], seq: int = revealed[0]["seq"]) -> bool:
                return view["seq"] >= seq

            mes = await asyncio.gather(*(pl.me_where(since_reveal) for pl in players))
            for i, (pl, me) in enumerate(zip(players, mes, strict=True)):
                pid = pl.player_id
                assert me["player_id"] == pid and me["nickname"] == pl.nickname
                assert (me["score"], me["streak"], me["rank"]) == (score[pid], streak[pid],
                                                                   rank[pid]), (r, i, hows[i])
                assert me["answered"] == (hows[i] != "none")
                assert me["answer"] == answers.get(pid)
                right, of = items_right(rnd, answers.get(pid))
                assert me["last"] == {"round": r, "correct": hows[i] == "right",
                                      "points": gained[pid], "right": right, "of": of}
                assert (right == of) == (hows[i] == "right")
            hv = await host.recv_until("host", since_reveal)
            assert [(row["id"], row["score"]) for row in hv["players"]] == order
            assert all(row["answered"] == (row["id"] in answers) for row in hv["players"])
            assert {row["id"]: row["rank"] for row in hv["players"]} == rank
            assert await room.leaderboard() == score
            assert await room.scores() == score

            # The leaderboard: top ten, best first, ties share a rank, movement since last.
            await host.host("next")
            boards = await all_in_phase(everyone, "leaderboard")
            expected_rows = [{"rank": rank[pid], "nickname": nick[pid], "score": s,
                              "prev_rank": prev_rank[pid] if prev_rank else None}
                             for pid, s in order[:10]]
            for view in boards:
                assert view["leaderboard"] == expected_rows
                assert view["round"] is None and view["reveal"] is None
            prev_rank = rank

        await host.host("next")
        podiums = await all_in_phase(everyone, "podium")
        for view in podiums:
            assert [(row["rank"], row["nickname"], row["score"]) for row in view["leaderboard"]] \
                == [(rank[pid], nick[pid], s) for pid, s in order[:3]]
        # Players 0-2 answered everything right: 8 rounds of P plus bonuses capped at 500.
        assert order[0][1] == ROUNDS * P + sum(min(100 * k, 500) for k in range(ROUNDS))

        # Nobody saw anyone else's own data, and the room views never lagged.
        tokens = {pl.token for pl in players} | {host.token}
        for pl in players:
            others = (set(nick) - {pl.player_id}) | (tokens - {pl.token})
            assert not pl.views("host"), "a player got the host view"
            assert all(m["player_id"] == pl.player_id for m in pl.views("me"))
            for raw in pl.raw_texts():
                assert not any(o in raw for o in others), f"{pl.name} saw another's id/token"
        for c in everyone:
            check_seq(c)
    finally:
        await close_all(everyone)


async def test_speed_scoring_game(live_server: ServerProcess, redis: aioredis.Redis) -> None:
    """Each score is `scoring.score(...)` with the answer time the server recorded."""
    delays = [0.0, 0.3, 0.6, 1.0, 1.5]
    hows = ["right", "right", "partial", "right", "wrong"]
    host = await GameClient(live_server.ws_url, "host").connect()
    players = await connect_many(live_server.ws_url, len(delays), "speedy")
    try:
        created = await host.create_room(
            {"rounds": 4, "round_mix": KINDS, "points": P, "time_limit_s": 10,
             "speed_scoring": True}, seed=99)
        room = RoomData(redis, created["room"])
        game = await room.game()
        mix = tuple(game["settings"]["round_mix"])
        settings = Settings(**{**game["settings"], "round_mix": mix})
        assert settings.speed_scoring
        for i, pl in enumerate(players):
            await pl.join(created["room"], f"Speedy {i}")
        streak = {pl.player_id: 0 for pl in players}
        total = {pl.player_id: 0 for pl in players}
        for r, rnd in enumerate(game["plan"]):
            sent = time.time()
            await host.host("start" if r == 0 else "next")
            await asyncio.gather(*(pl.phase("open", r) for pl in players))
            limit = rnd["time_limit_ms"]

            async def play(i: int, pl: GameClient, rnd: dict[str, Any] = rnd,
                           r: int = r) -> tuple[float, float]:
                seen = time.time()
                await asyncio.sleep(delays[i])
                await pl.answer_acked(r, answer_for(rnd, hows[i], variant=i))
                return seen, time.time()

            times = await asyncio.gather(*(play(i, pl) for i, pl in enumerate(players)))
            await host.phase("reveal", r)  # everyone answered: closed by itself
            state = await room.state()
            rnd_obj = Round(**rnd)
            for i, pl in enumerate(players):
                pid = pl.player_id
                result = state["results"][pid]
                elapsed = result["elapsed_ms"]
                # Opened after `sent`, answered after the delay, graded before the ack.
                assert delays[i] * 1000 - 5 <= elapsed <= (times[i][1] - sent) * 1000 + 5, \
                    (i, elapsed, delays[i])
                grade = rounds.grade(rnd["kind"], rnd["key"], result["answer"])
                expect = scoring.score(rnd_obj, grade, elapsed, streak[pid], settings)
                assert (result["points"], result["streak"]) == (expect.points, expect.streak)
                # Bounds: speed takes off at most half of the accuracy points.
                acc, _ = expected_points(rnd, hows[i], 0, streak_bonus=False)
                assert math.floor(acc / 2) <= expect.base <= acc
                if elapsed < 500:
                    assert expect.base == acc
                elif rnd["kind"] == "quiz" and hows[i] == "right":
                    t = Fraction(min(elapsed, limit), limit)
                    assert expect.base == half_up(P * (1 - t / 2))
                streak[pid] = expect.streak
                total[pid] += expect.points
                assert state["players"][pid]["score"] == total[pid]
            mes = await asyncio.gather(*(pl.me_where(lambda m, pl=pl: m["score"] == total[
                pl.player_id]) for pl in players))
            assert [m["score"] for m in mes] == [total[pl.player_id] for pl in players]
            # A faster right answer never earns less than a slower one of the same kind.
            right = [state["results"][pl.player_id] for i, pl in enumerate(players)
                     if hows[i] == "right"]
            right.sort(key=lambda res: res["elapsed_ms"])
            bases = [res["points"] - scoring.streak_bonus(res["streak"]) for res in right]
            assert bases == sorted(bases, reverse=True)
            await host.host("next")
            await host.phase("leaderboard")
        await host.host("next")
        podium = await host.phase("podium")
        best = sorted(total.values(), reverse=True)[:3]
        assert [row["score"] for row in podium["leaderboard"]] == best
        assert json.loads(json.dumps(await room.leaderboard())) == total
    finally:
        await close_all([host, *players])


async def test_a_join_sends_own_views_to_the_newcomer_only(live_server: ServerProcess) -> None:
    """Per-join cost: everyone gets the new room view, only the joiner a `me`; a kick (ranks
    below it move up) sends everyone theirs again."""
    host, players = await room_with_players(live_server.ws_url, {}, 3)
    late = await GameClient(live_server.ws_url, "late").connect()

    async def settled(client: GameClient) -> None:
        """Every frame written to this socket before now has arrived (pong comes after)."""
        await client.send({"type": "ping"})
        await client.recv_until("pong")

    try:
        await asyncio.gather(*(settled(p) for p in players))
        before = [len(p.views("me")) for p in players]
        await late.join(host.code, "Late")
        await asyncio.gather(*(p.room_where(lambda r: r["players"] == 4) for p in players))
        await asyncio.gather(*(settled(p) for p in players))
        assert [len(p.views("me")) for p in players] == before
        await host.send({"type": "kick", "player": players[0].player_id})
        kicked = await players[1].room_where(lambda r: r["players"] == 3)
        for p in players[1:]:
            await p.me_where(lambda m, seq=kicked["seq"]: m["seq"] >= seq)
    finally:
        await close_all([host, *players, late])
