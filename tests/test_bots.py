"""`cardcade bots`: the solver against real plans, and the bot swarm against a real server.

The swarm tests run the command as a subprocess while a scripted host (tests.client) drives
the room, then check the reveal charts and the scores in Redis against what was asked.
"""

from __future__ import annotations

import asyncio
import copy
import random
import re
import subprocess
import sys
from typing import Any

import pytest

from game_rules import rounds
from game_rules.model import Settings
from game_rules.plan import make_plan
from server.bot_solver import Solver, load_rules_deck, spoil
from server.bots_cmd import percentile, ws_url
from server.embedded_redis import free_port
from tests.client import GameClient, RoomData, redis_client
from tests.servers import ServerProcess

DECK = load_rules_deck("soviet-union-1928-41")
ALL_KINDS = {"rounds": 4, "round_mix": ["quiz", "match", "sort", "order"],
             "speed_scoring": False}


# ---------------------------------------------------------------------- solver


@pytest.mark.parametrize("items", [3, 4, 6])
def test_solver_answers_every_planned_round_right(items: int) -> None:
    for seed in range(15):
        solver = Solver(DECK)
        for rnd in make_plan(DECK, Settings(rounds=8, items_per_round=items), seed):
            solution = solver.solve(rnd.public)
            assert solution.solved, (seed, rnd.kind)
            assert rounds.grade(rnd.kind, rnd.key, solution.answer).perfect, (seed, rnd.kind)
            wrong = spoil(rnd.public, solution.answer, random.Random(seed))
            assert not rounds.grade(rnd.kind, rnd.key, wrong).perfect, (seed, rnd.kind)


def test_solver_matches_texts_loosely() -> None:
    """Texts shown differently (case, cut shorter, a changed prompt) still find their card."""
    for rnd in make_plan(DECK, Settings(rounds=4), 3):
        public = copy.deepcopy(rnd.public)
        public["prompt"] = public["prompt"][:-4]
        for group in ("options", "right", "items"):
            for item in public.get(group, []):
                item["text"] = item["text"].upper()[:60]
        solution = Solver(DECK).solve(public)
        assert solution.solved and rounds.grade(rnd.kind, rnd.key, solution.answer).perfect


def test_without_a_deck_rounds_are_guessed() -> None:
    for rnd in make_plan(DECK, Settings(rounds=4), 5):
        solution = Solver(None).solve(rnd.public)
        assert not solution.solved
        rounds.grade(rnd.kind, rnd.key, solution.answer)  # a valid answer all the same


def test_helpers() -> None:
    assert ws_url("http://h:8000") == "ws://h:8000/ws"
    assert ws_url("wss://h/ws") == "wss://h/ws"
    assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 2.0
    assert percentile([], 99) is None


# ---------------------------------------------------------------------- swarm


async def _bots(server: ServerProcess, room: str, *extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "server.cli", "bots", "--url", server.ws_url, "--room", room,
        "--timeout", "25", *extra,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def _host_game(server: ServerProcess, n: int,
                     *bot_args: str) -> tuple[list[dict[str, Any]], str, int, GameClient]:
    """Create a 4-round room, run `n` bots and drive the game to the podium; returns each
    round's reveal, the bots' stdout and exit code, and the host."""
    host = await GameClient(server.ws_url, "host").connect()
    await host.create_room(ALL_KINDS, seed=11)
    assert host.code is not None
    proc = await _bots(server, host.code, "--players", str(n), *bot_args)
    try:
        await host.room_where(lambda r: r["players"] == n, timeout=15)
        await host.host("start")
        reveals = []
        for i in range(4):
            await host.room_where(lambda r, i=i: r["round_index"] == i and r["answered"] == n,
                                  timeout=15)
            reveals.append((await host.phase("reveal", i))["reveal"])
            await host.host("next")
            await host.phase("leaderboard")
            await host.host("next")
        await host.phase("podium")
        out, err = await asyncio.wait_for(proc.communicate(), 15)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await host.close()
    assert proc.returncode is not None
    return reveals, out.decode() + err.decode(), proc.returncode, host


def _perfect(reveal: dict[str, Any]) -> int:
    """How many answers of a round were fully right, from its reveal chart."""
    return sum(bar["count"] for bar in reveal["distribution"] if bar["correct"])


async def test_twenty_accurate_bots_play_every_kind(live_server: ServerProcess,
                                                    redis_url: str) -> None:
    reveals, output, code, host = await _host_game(live_server, 20, "--accuracy", "1",
                                                   "--think", "0.2")
    assert code == 0, output
    assert [_perfect(r) for r in reveals] == [20, 20, 20, 20], output
    assert re.search(r"players:\s+20 joined, 0 failed", output), output
    assert re.search(r"answers:\s+80 sent, 80 acked, 0 refused", output), output
    assert "unsolved:    0 rounds" in output
    plan = await RoomData(redis_client(redis_url), host.code or "").plan()
    assert sorted(r["kind"] for r in plan) == ["match", "order", "quiz", "sort"]
    scores = await RoomData(redis_client(redis_url), host.code or "").scores()
    assert len(scores) == 20 and len(set(scores.values())) == 1 and min(scores.values()) > 0


async def test_inaccurate_bots_never_answer_fully_right(live_server: ServerProcess,
                                                        redis_url: str) -> None:
    reveals, output, code, host = await _host_game(live_server, 8, "--accuracy", "0",
                                                   "--think", "0.2")
    assert code == 0, output
    assert [_perfect(r) for r in reveals] == [0, 0, 0, 0], output
    assert re.search(r"accuracy:\s+0 of 32 graded answers right", output), output
    players = (await RoomData(redis_client(redis_url), host.code or "").state())["players"]
    assert len(players) == 8 and all(p["streak"] == 0 for p in players.values())


def test_unknown_room_is_one_clear_error(live_server: ServerProcess) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "bots", "--url", live_server.ws_url, "--room",
         "ZZZZZZ", "--players", "3"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0
    assert "unknown_room" in done.stderr and "ZZZZZZ" in done.stderr


def test_unreachable_url_is_one_clear_error() -> None:
    url = f"ws://127.0.0.1:{free_port()}/ws"
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "bots", "--url", url, "--room", "ABCDEF",
         "--players", "3"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert done.stderr.startswith(f"cardcade bots: cannot reach {url}")
    assert done.stderr.strip().count("\n") == 0
