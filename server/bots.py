"""Scripted players for load tests (`cardcade bots`): the bot swarm.

`Bot` is one player speaking the wire protocol (docs/protocol.md) over a real WebSocket:
hello, join, then one answer per round after a think time, reconnecting and resuming
with its token when the connection drops. `swarm` runs many bots in one asyncio loop and
reports their `Stats`; `server.bots_cmd` spreads swarms over processes and prints them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from server.bot_solver import Solver, spoil

THINK_SIGMA = 0.5  # spread of the lognormal think time
MAX_FRAME = 2**20
ANSWER_ERRORS = frozenset({"wrong_round", "round_closed", "paused", "already_answered",
                           "invalid_answer", "unknown_player"})
GIVE_UP_ERRORS = frozenset({"unknown_room", "bad_token", "kicked"})
NETWORK_ERRORS = (OSError, ConnectionClosed, InvalidHandshake, TimeoutError)
JOIN_ATTEMPTS = 5

@dataclass
class Stats:
    """Counters of a swarm; `merge` adds another's (gauges and sets included)."""

    bots: int = 0
    joined: int = 0
    join_failed: Counter[str] = field(default_factory=Counter)
    in_round: int = 0  # gauge: bots that see an open round
    sent: int = 0
    acked: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)  # other errors, lost connections
    latencies_ms: list[float] = field(default_factory=list)  # answer sent -> ack
    graded: int = 0  # answers whose result came back (`me.last`)
    right: int = 0
    meant_right: int = 0  # graded answers the bot meant to get right
    missed: int = 0  # ... that were not fully right (solver mistakes)
    guessed: int = 0  # answers to rounds the solver could not solve
    unsolved_rounds: set[int] = field(default_factory=set)
    rounds: set[int] = field(default_factory=set)  # round indexes seen open
    total_rounds: int = 0
    reconnects: int = 0
    retries: int = 0  # connection attempts that failed while reconnecting
    resent: int = 0  # answers sent again after a reconnect, their ack not seen
    counted: int = 0  # answers the server counted but whose ack was lost (seen on resume)
    podium: int = 0
    gave_up: int = 0  # kicked, room gone, could not resume

    def merge(self, other: Stats) -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if f.name == "total_rounds":
                self.total_rounds = max(mine, theirs)
            elif isinstance(mine, set):
                mine |= theirs
            elif isinstance(mine, Counter | list):
                mine += theirs
            else:
                setattr(self, f.name, mine + theirs)


# ---------------------------------------------------------------------- one bot


@dataclass(frozen=True)
class BotConfig:
    """What every bot of a run shares."""

    url: str
    room: str
    prefix: str = "Bot"
    accuracy: float = 0.7
    think: float = 3.0
    ramp: float = 0.0  # bots start spread over this many seconds


@dataclass
class _Plan:
    answer: dict[str, Any]
    meant_right: bool | None  # None: a guess
    think_until: float  # loop time


class JoinFailed(Exception):
    """The server refused the join; `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Retry(Exception):
    """The server asked to try again later (`unavailable`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Bot:
    """One scripted player; `run` plays until the podium, a refusal or cancellation."""

    def __init__(self, index: int, cfg: BotConfig, solver: Solver, stats: Stats,
                 rng: random.Random) -> None:
        self.nickname = f"{cfg.prefix} {index}"
        self.cfg, self.solver, self.stats, self.rng = cfg, solver, stats, rng
        self.token: str | None = None
        self.ws: ClientConnection | None = None
        self.room: dict[str, Any] | None = None
        self.seq = -1
        self.entering = False  # join/resume sent, snapshot not yet received
        self.resuming = False
        self.entered = False  # this connection got into the room (its snapshot came)
        self.finished = False  # podium seen
        self.done = False
        self.offset_ms = 0.0
        self.best_rtt = math.inf
        self.plans: dict[int, _Plan] = {}
        self.answered: set[int] = set()
        self.given_up: set[int] = set()
        self.graded: set[int] = set()
        self.pending: tuple[int, float, int] | None = None  # round, sent at, session
        self.session = 0  # connections that got a `welcome`
        self.changed = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.task_round = -1
        self.background: set[asyncio.Task[None]] = set()

    @property
    def in_round(self) -> bool:
        return self.room is not None and self.room["phase"] == "open" and not self.done

    async def run(self) -> None:
        await asyncio.sleep(self.rng.uniform(0, self.cfg.ramp))
        delay, attempts = 0.5, 0
        while not self.done:
            try:
                await self._session()
                delay = 0.5
            except JoinFailed as exc:
                self.stats.join_failed[exc.code] += 1
                return
            except (*NETWORK_ERRORS, Retry, InvalidURI, ValueError) as exc:
                if self.token is None:
                    attempts += 1
                    if attempts >= JOIN_ATTEMPTS:
                        why = exc.code if isinstance(exc, Retry) else type(exc).__name__
                        self.stats.join_failed[f"connect: {why}"] += 1
                        return
                elif self.entered:
                    self.stats.errors["connection_lost"] += 1
                    delay = 0.5
                else:
                    self.stats.retries += 1
            if not self.done:
                await asyncio.sleep(delay * self.rng.uniform(0.8, 1.2))
                delay = min(delay * 2, 10.0)

    async def _session(self) -> None:
        self.entered = False
        async with connect(self.cfg.url, open_timeout=10, close_timeout=2, max_size=MAX_FRAME,
                           compression=None) as ws:
            self.ws = ws
            try:
                await self._handshake(ws)
                while not self.done:
                    raw = await asyncio.wait_for(ws.recv(), 1.0 if self.finished else None)
                    self._handle(json.loads(raw))
            except TimeoutError:
                if not self.finished:
                    raise
                self.done = True
            finally:
                self.ws = None
                if self.task is not None:
                    self.task.cancel()
                    self.task, self.task_round = None, -1

    async def _handshake(self, ws: ClientConnection) -> None:
        sent = time.time() * 1000
        await ws.send(json.dumps({"type": "hello", "versions": [1]}))
        welcome = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if welcome.get("type") != "welcome":
            raise JoinFailed(str(welcome.get("code", "no_welcome")))
        self._clock(welcome["server_time_ms"], sent, time.time() * 1000)
        self.session += 1
        self.entering, self.seq, self.resuming = True, -1, self.token is not None
        if self.token is None:
            msg = {"type": "join", "room": self.cfg.room, "nickname": self.nickname}
        else:
            msg = {"type": "resume", "room": self.cfg.room, "token": self.token}
        await ws.send(json.dumps(msg))

    def _clock(self, server_ms: float, sent_ms: float, got_ms: float) -> None:
        rtt = got_ms - sent_ms
        if rtt <= self.best_rtt:
            self.best_rtt = rtt
            self.offset_ms = server_ms - (sent_ms + got_ms) / 2

    # ------------------------------------------------------------------ messages

    def _handle(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "room":
            self._on_room(msg)
        elif kind == "me":
            self._on_me(msg)
        elif kind == "ack":
            self._on_ack(msg["round"])
        elif kind == "error":
            self._on_error(msg["code"])
        elif kind == "joined":
            self.token = msg["token"]
            self.stats.joined += 1
        elif kind == "kicked":
            self.stats.gave_up += 1
            self.done = True

    def _on_room(self, room: dict[str, Any]) -> None:
        if room["seq"] < self.seq:
            return
        if self.entering:
            self.entering, self.entered = False, True
            self.stats.reconnects += self.resuming
        elif room["seq"] > self.seq + 1 and self.ws is not None:
            sync = asyncio.create_task(self._send({"type": "sync"}))
            self.background.add(sync)
            sync.add_done_callback(self.background.discard)
        old, self.room, self.seq = self.room, room, room["seq"]
        self.stats.total_rounds = max(self.stats.total_rounds, room["rounds"])
        rnd = room["round"]
        if old is None or _moment(old) != _moment(room):
            self.changed.set()
        if room["phase"] == "open" and rnd is not None:
            self.stats.rounds.add(rnd["index"])
            self._ensure_task(rnd["index"], rnd["public"])
        elif room["phase"] == "podium" and not self.finished:
            self.finished = True
            self.stats.podium += 1

    def _on_me(self, me: dict[str, Any]) -> None:
        if me["seq"] < self.seq or self.room is None:
            return
        rnd = self.room["round"]
        if me["answered"] and rnd is not None and self.room["phase"] == "open":
            self.answered.add(rnd["index"])
            if self.pending is not None and self.pending[0] == rnd["index"]:
                self.stats.counted += 1  # its ack was lost with the old connection
                self.pending = None
        last = me.get("last")
        if last and last["round"] not in self.graded and last["round"] in self.answered:
            self.graded.add(last["round"])
            plan = self.plans.get(last["round"])
            self.stats.graded += 1
            self.stats.right += bool(last["correct"])
            if plan is not None and plan.meant_right:
                self.stats.meant_right += 1
                self.stats.missed += not last["correct"]
        if self.finished and me["seq"] >= self.seq:
            self.done = True

    def _on_ack(self, index: int) -> None:
        self.answered.add(index)
        if self.pending is not None and self.pending[0] == index:
            self.stats.acked += 1
            self.stats.latencies_ms.append((time.perf_counter() - self.pending[1]) * 1000)
            self.pending = None

    def _on_error(self, code: str) -> None:
        if self.entering:
            if code == "unavailable":
                raise Retry(code)
            if self.token is None:
                raise JoinFailed(code)
            if code in GIVE_UP_ERRORS:
                self.stats.gave_up += 1
                self.stats.errors[f"resume: {code}"] += 1
                self.done = True
                return
        if self.pending is not None and code in ANSWER_ERRORS:
            index = self.pending[0]
            self.pending = None
            self.stats.refused[code] += 1
            if code == "already_answered":
                self.answered.add(index)
            elif code != "paused":
                self.given_up.add(index)
            self.changed.set()
            return
        self.stats.errors[code] += 1
        if code == "kicked":
            self.stats.gave_up += 1
            self.done = True

    async def _send(self, msg: dict[str, Any]) -> None:
        if self.ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self.ws.send(json.dumps(msg))

    # ------------------------------------------------------------------ answering

    def _ensure_task(self, index: int, public: dict[str, Any]) -> None:
        if index in self.answered or index in self.given_up or self.task_round == index:
            return
        if index not in self.plans:
            self.plans[index] = self._plan(index, public)
        if self.task is not None:
            self.task.cancel()
        self.task_round = index
        self.task = asyncio.create_task(self._play(index))

    def _plan(self, index: int, public: dict[str, Any]) -> _Plan:
        solution = self.solver.solve(public)
        think = 0.0
        if self.cfg.think > 0:
            think = self.rng.lognormvariate(math.log(self.cfg.think), THINK_SIGMA)
        until = asyncio.get_running_loop().time() + think
        if not solution.solved:
            self.stats.unsolved_rounds.add(index)
            return _Plan(solution.answer, None, until)
        if self.rng.random() < self.cfg.accuracy:
            return _Plan(solution.answer, True, until)
        return _Plan(spoil(public, solution.answer, self.rng), False, until)

    def _time_left(self, rnd: dict[str, Any]) -> float:
        if rnd.get("deadline_ms") is None:
            return float(rnd.get("time_left_ms") or 0) / 1000
        return (rnd["deadline_ms"] - (time.time() * 1000 + self.offset_ms)) / 1000

    async def _play(self, index: int) -> None:
        """Wait the think time (never past the deadline, not while paused), then answer."""
        await asyncio.sleep(0.05)  # let the `me` of a snapshot say whether it is answered
        plan = self.plans[index]
        loop = asyncio.get_running_loop()
        while True:
            room = self.room
            rnd = room["round"] if room else None
            if (room is None or room["phase"] != "open" or rnd is None or rnd["index"] != index
                    or index in self.answered or index in self.given_up):
                return
            resend = self.pending is not None and self.pending[0] == index
            if resend and self.pending is not None and self.pending[2] == self.session:
                return  # sent on this connection: the ack or an error will come
            left = self._time_left(rnd)
            wait = min(plan.think_until - loop.time(), left - min(0.5, 0.1 * max(left, 0)))
            if rnd["paused"] or wait > 0.01:
                self.changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), None if rnd["paused"] else wait)
                continue
            if resend and self.pending is not None:  # the ack may have been lost
                self.pending = (index, self.pending[1], self.session)
                self.stats.resent += 1
            else:
                self.pending = (index, time.perf_counter(), self.session)
                self.stats.sent += 1
                self.stats.guessed += plan.meant_right is None
            await self._send({"type": "answer", "round": index, "answer": plan.answer})
            return


def _moment(room: dict[str, Any]) -> tuple[Any, ...]:
    """What a waiting bot cares about: phase, round, pause and deadline."""
    rnd = room["round"] or {}
    return room["phase"], rnd.get("index"), rnd.get("paused"), rnd.get("deadline_ms")


# ---------------------------------------------------------------------- many bots


async def swarm(cfg: BotConfig, indexes: Sequence[int], solver: Solver,
                report: Callable[[Stats], None], should_stop: Callable[[], bool],
                every: float = 0.5, seed: int | None = None) -> Stats:
    """Run the bots `indexes` until they are all done or `should_stop()`; `report` gets a
    snapshot of the counters (without latencies) every `every` seconds."""
    stats = Stats(bots=len(indexes))
    rng = random.Random(seed)
    bots = [Bot(i, cfg, solver, stats, random.Random(rng.random())) for i in indexes]
    tasks = [asyncio.create_task(b.run()) for b in bots]
    try:
        while not all(t.done() for t in tasks) and not should_stop():
            await asyncio.wait(tasks, timeout=every)
            report(_snapshot(stats, bots))
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for t in tasks:
        if not t.cancelled() and t.exception() is not None:
            stats.errors[f"bug: {type(t.exception()).__name__}"] += 1
    stats.in_round = 0
    return stats


def _snapshot(stats: Stats, bots: Sequence[Bot]) -> Stats:
    snap = Stats(**{f.name: getattr(stats, f.name) for f in fields(stats)})
    snap.latencies_ms = []
    snap.join_failed, snap.refused, snap.errors = (Counter(stats.join_failed),
                                                   Counter(stats.refused), Counter(stats.errors))
    snap.unsolved_rounds, snap.rounds = set(stats.unsolved_rounds), set(stats.rounds)
    snap.in_round = sum(b.in_round for b in bots)
    return snap


__all__ = ["Bot", "BotConfig", "Stats", "swarm"]
