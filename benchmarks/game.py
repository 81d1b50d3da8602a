"""The coordinator's side of a game: host connections that create and drive rooms, the
client processes' players joining and answering, and the same clients listening to the
bare baseline server. Everything measured is gathered in a `Measure`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed

from benchmarks.stack import Redis, Server, progress
from benchmarks.swarm import Pool, TimedConnection, frame_kind, open_ws, room_moment

DECK = "soviet-union-1928-41"
ROUND_MIX = ["quiz", "match", "sort", "order"]


class Refused(Exception):
    """The server refused to create a room as the scenario needs it."""


@dataclass
class Moment:
    at_ns: int
    seq: int
    answered: int
    players: int


class Host:
    """A host connection: creates a room and sends host actions; notes when it sees each
    phase of each round, the `answered` count of each reveal and the round-open frames."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws: TimedConnection | None = None
        self.code = ""
        self.moments: dict[tuple[str, int], Moment] = {}
        self.open_frames: dict[int, bytes] = {}
        self.sent_ns: dict[tuple[str, int], int] = {}  # (phase meant, round) -> sent at
        self.errors: Counter[str] = Counter()
        self.changed = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None
        self.closed_why = ""
        self._last: tuple[str, int] | None = None

    async def create(self, settings: dict[str, Any], seed: int, timeout: float = 60) -> str:
        async with asyncio.timeout(timeout):
            self.ws = await open_ws(self.url)
            await self.ws.send('{"type":"hello","versions":[1]}')
            await self.ws.recv_timed()
            await self.ws.send(json.dumps({"type": "create_room", "deck": DECK,
                                           "settings": settings, "seed": seed}))
            while True:
                raw, _ = await self.ws.recv_timed()
                kind = frame_kind(raw)
                if kind == b"created":
                    self.code = json.loads(raw)["room"]
                    break
                if kind == b"error":
                    err = json.loads(raw)
                    await self.close()
                    raise Refused(f"{err.get('code')}: {err.get('message')}")
        self.reader = asyncio.create_task(self._read())
        return self.code

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            while True:
                raw, now = await self.ws.recv_timed()
                kind = frame_kind(raw)
                if kind == b"room":
                    moment = room_moment(raw)
                    if moment is not None and moment != self._last:
                        self._last = moment
                        room = json.loads(raw)
                        self.moments.setdefault(moment, Moment(now, room["seq"],
                                                               room["answered"],
                                                               room["players"]))
                        if moment[0] == "open":
                            self.open_frames.setdefault(moment[1], raw)
                        self.changed.set()
                    elif moment is not None and moment[0] == "reveal":
                        room = json.loads(raw)  # a later view of the same reveal
                        self.moments[moment].answered = room["answered"]
                elif kind == b"error":
                    self.errors[str(json.loads(raw).get("code"))] += 1
        except ConnectionClosed as exc:
            self.closed_why = f"host connection closed ({exc.rcvd.code if exc.rcvd else '-'})"
            self.changed.set()

    async def act(self, action: str, meant: tuple[str, int]) -> None:
        """Send a host action; `meant` is the (phase, round) it should lead to."""
        assert self.ws is not None
        self.sent_ns[meant] = time.time_ns()
        await self.ws.send(json.dumps({"type": "host", "action": action}))

    async def wait(self, phase: str, index: int | None = None) -> tuple[int, Moment]:
        """When the host saw `phase` (of round `index`, or of any round), and its round."""
        while True:
            for (ph, i), moment in self.moments.items():
                if ph == phase and (index is None or i == index):
                    return i, moment
            if self.closed_why:
                raise ConnectionError(self.closed_why)
            self.changed.clear()
            await self.changed.wait()

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.reader
        if self.ws is not None:
            self.ws.transport.abort()
            self.ws = None


@dataclass
class Measure:
    """Everything a scenario measured, filled in as it goes (a failure keeps the rest)."""

    label: str = ""
    stage: str = "starting"
    joined: int = 0
    join_failed: Counter[str] = field(default_factory=Counter)
    join_span_s: float = 0.0
    join_latency_ms: list[float] = field(default_factory=list)
    join_cpu_s: float = 0.0
    rss_before_joins_kib: int = 0
    rss_after_joins_kib: int = 0
    rounds_played: int = 0
    game_cpu_s: float = 0.0
    redis_cpu_s: float = 0.0
    redis_calls: int = 0
    redis_calls_by_command: Counter[str] = field(default_factory=Counter)
    answers_in_phase: int = 0
    player_rounds: int = 0
    game_completed: bool = False
    notes: list[str] = field(default_factory=list)

    def at(self, stage: str) -> None:
        self.stage = stage
        progress(f"{self.label}: {stage}")


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


async def join_all(pool: Pool, url: str, assignment: list[tuple[str, int, int, int]],
                   opts: dict[str, Any], measure: Measure,
                   joined_by: dict[tuple[str, int], int]) -> None:
    """Send every join command (room, process, first index, count) at once; wait for all;
    `joined_by` gets the players that joined by (room, process)."""
    per_worker: Counter[int] = Counter()
    for code, wid, first, count in assignment:
        pool.send(wid, ("join", code, url, first, count, opts))
        per_worker[wid] += 1
    first_ns, last_ns = 0, 0
    for wid, (_, code, summary) in await pool.replies_with_progress(per_worker, "joins"):
        joined_by[(code, wid)] = joined_by.get((code, wid), 0) + summary["joined"]
        measure.joined += summary["joined"]
        measure.join_failed.update(summary["failed"])
        measure.join_latency_ms.extend(summary["latency_ms"])
        if summary["first_ns"]:
            first_ns = min(first_ns or summary["first_ns"], summary["first_ns"])
        last_ns = max(last_ns, summary["last_ns"])
    measure.join_span_s = max(last_ns - first_ns, 0) / 1e9


async def play(hosts: list[Host], rooms_wids: dict[str, set[int]], pool: Pool, redis: Redis,
               server: Server, rounds: int, settle: float, measure: Measure,
               players: Callable[[], int]) -> None:
    """Play `rounds` rounds in every room in step: open (start / next), every player
    answers and the round closes itself when the last one has, then the leaderboard;
    finally the podium. Redis command counts are taken over each round's answer phase."""

    async def reach(phase: str, index: int) -> None:
        await asyncio.gather(*(pool.wait_reached(h.code, phase, index, rooms_wids[h.code])
                               for h in hosts))

    cpu0, rcpu0 = server.cpu_seconds(), redis.cpu_seconds()
    for index in range(rounds):
        measure.at(f"round {index}: opening")
        calls0 = redis.commands()
        for h in hosts:
            await h.act("start" if index == 0 else "next", ("open", index))
        await asyncio.gather(*(h.wait("open", index) for h in hosts))
        await reach("open", index)
        measure.at(f"round {index}: answering")
        await asyncio.gather(*(h.wait("reveal", index) for h in hosts))
        await reach("reveal", index)
        calls1 = redis.commands()
        measure.redis_calls_by_command.update(
            {k: v - calls0.get(k, 0) for k, v in calls1.items() if v > calls0.get(k, 0)})
        measure.redis_calls += sum(calls1.values()) - sum(calls0.values())
        measure.answers_in_phase += sum(h.moments[("reveal", index)].answered for h in hosts)
        measure.rounds_played = index + 1
        measure.player_rounds += players()
        await asyncio.sleep(settle)
        measure.at(f"round {index}: leaderboard")
        for h in hosts:
            await h.act("next", ("leaderboard", index))
        await asyncio.gather(*(h.wait("leaderboard", index) for h in hosts))
        await reach("leaderboard", index)
        await asyncio.sleep(settle)
    measure.at("podium")
    for h in hosts:
        await h.act("next", ("podium", rounds - 1))
    podiums = await asyncio.gather(*(h.wait("podium") for h in hosts))
    await asyncio.gather(*(pool.wait_reached(h.code, "podium", last, rooms_wids[h.code])
                           for h, (last, _) in zip(hosts, podiums, strict=True)))
    await asyncio.sleep(max(settle, 0.5))  # the final `me` views
    measure.game_cpu_s = server.cpu_seconds() - cpu0
    measure.redis_cpu_s = redis.cpu_seconds() - rcpu0
    measure.game_completed = True


async def collect(pool: Pool, timeout: float = 60) -> list[dict[str, Any]]:
    """Every process's results (and their sockets dropped)."""
    for wid in range(len(pool)):
        pool.send(wid, ("collect",))
    out = []
    for wid in range(len(pool)):
        try:
            _, data = await pool.reply(wid, timeout)
        except TimeoutError:
            raise RuntimeError(f"client process {wid} sent no results within {timeout:g} s") \
                from None
        out.append(data)
    return out


# ---------------------------------------------------------------------- baseline


@dataclass
class BaselineMeasure:
    label: str = ""
    stage: str = "starting"
    connected: int = 0
    connect_failed: Counter[str] = field(default_factory=Counter)
    connect_span_s: float = 0.0
    sent_ns: dict[tuple[str, int], int] = field(default_factory=dict)
    frame_bytes: list[int] = field(default_factory=list)
    cpu_s: float = 0.0

    def at(self, stage: str) -> None:
        self.stage = stage
        progress(f"{self.label} baseline: {stage}")


async def baseline(server: Server, pool: Pool, groups: list[tuple[str, int, int]],
                   frames: list[bytes], settle: float, measure: BaselineMeasure,
                   opts: dict[str, Any]) -> None:
    """The same clients, grouped as the rooms were (group, process, count), get each frame
    broadcast by the bare server; one trigger per group and frame, like one host action per
    room."""
    url = f"ws://127.0.0.1:{server.port}/ws"
    control = await open_ws(url)
    try:
        for i, frame in enumerate(frames):
            await control.send(f"f {i} " + frame.decode())
            await control.recv_timed()
        measure.frame_bytes = [len(f) for f in frames]
        measure.at("connecting")
        per_worker: Counter[int] = Counter()
        for group, wid, count in groups:
            pool.send(wid, ("listen", group, url, count, opts))
            per_worker[wid] += 1
        first_ns, last_ns = 0, 0
        for _wid, (_, _g, summary) in await pool.replies_with_progress(per_worker,
                                                                      "baseline connects"):
            measure.connected += summary["joined"]
            measure.connect_failed.update(summary["failed"])
            if summary["first_ns"]:
                first_ns = min(first_ns or summary["first_ns"], summary["first_ns"])
            last_ns = max(last_ns, summary["last_ns"])
        measure.connect_span_s = max(last_ns - first_ns, 0) / 1e9
        wids: dict[str, set[int]] = {}
        for group, wid, _count in groups:
            wids.setdefault(group, set()).add(wid)
        await asyncio.sleep(settle)
        cpu0 = server.cpu_seconds()
        for i in range(len(frames)):
            measure.at(f"frame {i}")
            for group in wids:
                measure.sent_ns[(group, i)] = time.time_ns()
                await control.send(f"t {i} {group}")
            await asyncio.gather(*(pool.wait_reached(g, "open", i, w) for g, w in wids.items()))
            await asyncio.sleep(settle)
        measure.cpu_s = server.cpu_seconds() - cpu0
    finally:
        control.transport.abort()
