"""The scenarios of the suite and how each one is run, measured and turned into figures."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from benchmarks import report
from benchmarks.game import (
    DECK,
    ROUND_MIX,
    BaselineMeasure,
    Host,
    Measure,
    Refused,
    baseline,
    collect,
    join_all,
    play,
    split,
)
from benchmarks.stack import (
    Redis,
    Server,
    ServerFailed,
    progress,
    start_baseline,
    start_cardcade,
)
from benchmarks.swarm import Pool

Json = dict[str, Any]
T = TypeVar("T")
MAX_SOCKETS_PER_PROCESS = 4000


@dataclass(frozen=True)
class Scenario:
    name: str
    kind: Literal["game", "idle"]
    description: str
    rooms: int = 1
    players: int = 0  # per room
    workers: int = 1  # server processes (`--workers`)
    budget_s: float = 600.0


FULL = (
    Scenario("room-500", "game", "One room of 500 players, one server process.",
             players=500, budget_s=480),
    Scenario("room-2000", "game", "One room of 2,000 players, one server process.",
             players=2000, budget_s=900),
    Scenario("room-5000", "game", "One room of 5,000 players, one server process.",
             players=5000, budget_s=1200),
    Scenario("room-10000", "game", "One room of 10,000 players, one server process.",
             players=10000, budget_s=1500),
    Scenario("rooms-300x30", "game", "300 rooms of 30 players at once (every room's "
             "rounds open together), one server process.", rooms=300, players=30,
             budget_s=900),
    Scenario("room-5000-workers2", "game", "One room of 5,000 players over `--workers 2` "
             "(two server processes sharing the port; players land on either).",
             players=5000, workers=2, budget_s=1200),
    Scenario("idle-rooms-10000", "idle", "10,000 lobbies in one server process: each host "
             "creates a room and stays connected, nobody joins.", rooms=10000, budget_s=1200),
)

QUICK_SIZE = {"room-500": (1, 60), "room-2000": (1, 150), "room-5000": (1, 250),
              "room-10000": (1, 400), "rooms-300x30": (20, 10),
              "room-5000-workers2": (1, 250), "idle-rooms-10000": (300, 0)}


def scenarios(quick: bool, players: int | None = None,
              idle_rooms: int | None = None) -> list[Scenario]:
    out = []
    for sc in FULL:
        if quick:
            rooms, n = QUICK_SIZE[sc.name]
            sc = replace(sc, rooms=rooms, players=n, budget_s=150)
        if players is not None and sc.kind == "game":
            sc = replace(sc, players=players)
        if idle_rooms is not None and sc.kind == "idle":
            sc = replace(sc, rooms=idle_rooms)
        out.append(sc)
    return out


@dataclass
class Context:
    """What every scenario of a run shares."""

    redis: Redis
    log_dir: Path
    quick: bool
    rounds: int
    think_min: float
    think_max: float
    time_limit_s: int
    settle_s: float
    clients_per_process: int
    join_concurrency: int
    server_args: tuple[str, ...]
    baseline: bool
    window_s: float
    room_idle_s: float | None
    source: Path | None = None  # a snapshot of the server's packages (--server-commit)
    last_frames: list[bytes] = field(default_factory=list)

    def opts(self) -> dict[str, Any]:
        return {"think_min": self.think_min, "think_max": self.think_max,
                "join_concurrency": self.join_concurrency,
                "join_timeout": 120.0 if not self.quick else 60.0, "deck": DECK}

    def processes(self, sockets: int) -> int:
        per = min(self.clients_per_process, MAX_SOCKETS_PER_PROCESS)
        return max(math.ceil(sockets / per), 2 if sockets >= 1000 else 1)


class Failure(Exception):
    """A scenario could not go on (not a bug of the suite)."""


async def guarded(aw: Awaitable[T], server: Server, pool: Pool | None) -> T:
    """Await `aw`, failing at once if the server (or a worker of it) or a client process
    dies meanwhile."""
    task: asyncio.Future[T] = asyncio.ensure_future(aw)
    try:
        while True:
            done, _ = await asyncio.wait([task], timeout=0.5)
            if done:
                return task.result()
            dead = "" if server.alive() else (
                f"{server.name} exited (code {server.process.poll()}); "
                f"log tail: {server.log_tail()}")
            if not dead and pool is not None and pool.dead:
                dead = f"client process(es) {sorted(pool.dead)} died"
            if dead:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
                raise ServerFailed(dead)
    finally:
        if not task.done():
            task.cancel()


# ---------------------------------------------------------------------- a game scenario


async def run_game(sc: Scenario, ctx: Context) -> Json:
    started = time.monotonic()
    out: Json = {"name": sc.name, "kind": "game", "description": sc.description,
                 "rooms": sc.rooms, "players_per_room": sc.players, "workers": sc.workers,
                 "budget_s": sc.budget_s, "status": "ok", "reason": None, "notes": []}
    m = Measure(label=sc.name)
    ctx.redis.reset()
    sockets = sc.rooms * sc.players
    procs = ctx.processes(sockets)
    out["client_processes"] = procs
    server: Server | None = None
    pool: Pool | None = None
    hosts: list[Host] = []
    joined_by: dict[tuple[str, int], int] = {}
    results: list[Json] = []
    try:
        async with asyncio.timeout(sc.budget_s):
            m.at("starting the server")
            server = await asyncio.to_thread(
                start_cardcade, ctx.redis.url, ctx.log_dir / f"{sc.name}.log",
                workers=sc.workers, extra=ctx.server_args, source=ctx.source)
            pool = Pool(procs)
            pool.attach()
            m.at("creating the rooms")
            hosts = await guarded(create_rooms(server, sc, ctx), server, pool)
            await asyncio.sleep(1.0)
            m.rss_before_joins_kib = server.rss_kib()
            cpu0 = server.cpu_seconds()
            m.at("joining")
            assignment = assign(hosts, sc, procs)
            await guarded(join_all(pool, server.ws_url, assignment, ctx.opts(), m,
                                   joined_by), server, pool)
            m.join_cpu_s = server.cpu_seconds() - cpu0
            await asyncio.sleep(max(ctx.settle_s, 1.0))
            m.rss_after_joins_kib = server.rss_kib()
            if m.joined == 0:
                raise Failure(f"no player could join: {dict(m.join_failed)}")
            wids: dict[str, set[int]] = defaultdict(set)
            for (code, wid), n in joined_by.items():
                if n:
                    wids[code].add(wid)
            m.at("playing")
            await guarded(play(hosts, wids, pool, ctx.redis, server, ctx.rounds, ctx.settle_s,
                               m, lambda: m.joined), server, pool)
            m.at("collecting")
            results = await collect(pool, 120)
            m.at("done")
    except Refused as exc:
        out["status"], out["reason"] = "refused", f"refused by the server: {exc}"
    except TimeoutError:
        out["status"] = "failed"
        out["reason"] = f"time budget of {sc.budget_s:.0f} s exceeded during: {m.stage}"
    except (Failure, ServerFailed, ConnectionError, RuntimeError, OSError) as exc:
        out["status"], out["reason"] = "failed", f"{type(exc).__name__}: {exc}"
    finally:
        if pool is not None and not results and m.joined:
            with contextlib.suppress(Exception):
                results = await collect(pool, 60)  # what was measured before the failure
                out["notes"].append("figures below are partial: those of the rounds played "
                                    "before the failure")
        for h in hosts:
            await h.close()
        if server is not None:
            if not server.alive() and out["status"] == "ok":
                out["status"], out["reason"] = "failed", f"{server.name} died: " \
                    f"{server.log_tail()}"
            await asyncio.to_thread(server.stop)
    out["stage"] = m.stage if out["status"] != "ok" else None
    frames = [hosts[0].open_frames[i] for i in sorted(hosts[0].open_frames)] if hosts else []
    if frames:
        ctx.last_frames = frames
    out.update(game_figures(m, hosts, joined_by, results))
    if ctx.baseline and pool is not None and out["status"] != "refused" and m.joined:
        groups = [(code, wid, n) for (code, wid), n in joined_by.items() if n]
        out["baseline"] = await run_baseline(sc, ctx, pool, groups,
                                             frames or ctx.last_frames or synthetic_frames(
                                                 ctx.rounds))
        b99 = (out["baseline"].get("fanout_ms") or {}).get("p99")
        c99 = (out.get("fanout_ms") or {}).get("p99")
        if b99 and c99 is not None:
            out["fanout_p99_ratio"] = round(c99 / b99, 2)
    if pool is not None:
        await asyncio.to_thread(pool.close)
    out["duration_s"] = round(time.monotonic() - started, 1)
    return out


async def create_rooms(server: Server, sc: Scenario, ctx: Context) -> list[Host]:
    settings = {"rounds": ctx.rounds, "round_mix": ROUND_MIX, "time_limit_s": ctx.time_limit_s,
                "late_join": True, "max_players": sc.players}
    hosts = [Host(server.ws_url) for _ in range(sc.rooms)]
    sem = asyncio.Semaphore(50)

    async def one(i: int, h: Host) -> None:
        async with sem:
            await h.create(settings, seed=1000 + i)

    results = await asyncio.gather(*(one(i, h) for i, h in enumerate(hosts)),
                                   return_exceptions=True)
    for r in results:
        if isinstance(r, BaseException):
            for h in hosts:
                await h.close()
            raise r
    return hosts


def assign(hosts: list[Host], sc: Scenario, procs: int) -> list[tuple[str, int, int, int]]:
    """(room, process, first index, count): one room spread over every process; many rooms
    dealt out whole, one process each."""
    if len(hosts) == 1:
        out, first = [], 0
        for wid, count in enumerate(split(sc.players, procs)):
            out.append((hosts[0].code, wid, first, count))
            first += count
        return out
    return [(h.code, i % procs, 0, sc.players) for i, h in enumerate(hosts)]


def game_figures(m: Measure, hosts: list[Host], joined_by: dict[tuple[str, int], int],
                 results: list[Json]) -> Json:
    by_code = {h.code: h for h in hosts}
    opened: dict[tuple[str, int], list[int]] = defaultdict(list)
    revealed: dict[tuple[str, int], int] = {}
    last_sent: dict[tuple[str, int], int] = {}
    acked: Counter[tuple[str, int]] = Counter()
    frame_bytes: list[int] = []
    ack_ms: list[float] = []
    ans: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for data in results:
        ack_ms += data["ack_ms"]
        for k in ("sent", "acked", "dup_acks", "no_reply", "score_over", "score_under"):
            ans[k] += data[k]
        refused.update(data["refused"])
        errors.update(data["errors"])
        for code, room in data["rooms"].items():
            for r, times in room["open_ns"].items():
                opened[(code, r)] += times
            for r, times in room["reveal_ns"].items():
                if times:
                    revealed[(code, r)] = max(revealed.get((code, r), 0), *times)
            for r, times in room["sent_ns"].items():
                if times:
                    last_sent[(code, r)] = max(last_sent.get((code, r), 0), *times)
            for r, n in room["acked"].items():
                acked[(code, r)] += n
            frame_bytes += list(room["open_bytes"].values())
    fanout: list[float] = []
    by_round: dict[int, list[float]] = defaultdict(list)
    expected = 0
    for h in hosts:
        players = sum(n for (code, _), n in joined_by.items() if code == h.code)
        for (phase, r), sent in h.sent_ns.items():
            if phase == "open" and ("open", r) in h.moments:
                times = opened.get((h.code, r), [])
                fanout += [(t - sent) / 1e6 for t in times]
                by_round[r] += [(t - sent) / 1e6 for t in times]
                expected += players
    reveal_all = [(revealed[k] - last_sent[k]) / 1e6 for k in revealed if k in last_sent]
    counted = uncounted = counted_no_ack = 0
    for code, h in by_code.items():
        for (phase, r), moment in h.moments.items():
            if phase == "reveal":
                counted += moment.answered
                uncounted += max(0, acked[(code, r)] - moment.answered)
                counted_no_ack += max(0, moment.answered - acked[(code, r)])
    lost = ans["no_reply"] + uncounted
    duplicated = ans["dup_acks"] + ans["score_over"]
    out: Json = {
        "joined": m.joined, "join_failed": dict(m.join_failed),
        "join_span_s": round(m.join_span_s, 3),
        "joins_per_s": round(m.joined / m.join_span_s, 1) if m.join_span_s else None,
        "join_latency_ms": rounded(report.spread(m.join_latency_ms)),
        "rounds_played": m.rounds_played, "game_completed": m.game_completed,
        "fanout_ms": {**rounded(report.spread(fanout)),
                      "missing": max(0, expected - len(fanout))},
        "fanout_by_round_ms": {r: rounded(report.spread(v)) for r, v in sorted(by_round.items())},
        "open_frame_bytes": round(sum(frame_bytes) / len(frame_bytes)) if frame_bytes else None,
        "ack_ms": rounded(report.spread(ack_ms)),
        "reveal_all_ms": {"rounds": len(reveal_all), "p50": report.rnd(report.pct(reveal_all,
                                                                                  0.5)),
                          "max": report.rnd(max(reveal_all)) if reveal_all else None},
        "rss_before_joins_kib": m.rss_before_joins_kib or None,
        "rss_after_joins_kib": m.rss_after_joins_kib or None,
        "memory_kib_per_player": (round((m.rss_after_joins_kib - m.rss_before_joins_kib)
                                        / m.joined, 1)
                                  if m.joined and m.rss_after_joins_kib else None),
        "player_rounds": m.player_rounds,
        "game_cpu_s": round(m.game_cpu_s, 2) if m.game_completed else None,
        "cpu_s_per_1000_player_rounds": (round(m.game_cpu_s / m.player_rounds * 1000, 3)
                                         if m.game_completed and m.player_rounds else None),
        "cpu_s_per_1000_joins": round(m.join_cpu_s / m.joined * 1000, 3) if m.joined else None,
        "redis_cpu_s_per_1000_player_rounds": (round(m.redis_cpu_s / m.player_rounds * 1000, 3)
                                               if m.game_completed and m.player_rounds
                                               else None),
        "redis_commands_per_answer": (round(m.redis_calls / m.answers_in_phase, 2)
                                      if m.answers_in_phase else None),
        "redis_commands_by_answer": (
            {k: round(v / m.answers_in_phase, 3)
             for k, v in m.redis_calls_by_command.most_common(12)}
            if m.answers_in_phase else {}),
        "answers": {"sent": ans["sent"], "acked": ans["acked"], "counted": counted,
                    "refused": dict(refused), "no_reply": ans["no_reply"],
                    "acked_not_counted": uncounted, "counted_without_ack": counted_no_ack,
                    "dup_acks": ans["dup_acks"], "score_over": ans["score_over"],
                    "score_under": ans["score_under"], "lost": lost,
                    "duplicated": duplicated} if results else None,
        "client_errors": dict(errors),
        "host_errors": dict(sum((h.errors for h in hosts), Counter())),
    }
    return out


def rounded(d: Json) -> Json:
    return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in d.items()}


def synthetic_frames(rounds: int, size: int = 1500) -> list[bytes]:
    """Round-open-like frames when no Cardcade frame was captured (a refused scenario)."""
    out = []
    for i in range(rounds):
        head = {"type": "room", "seq": i, "phase": "open", "round_index": i, "pad": ""}
        pad = size - len(json.dumps(head, separators=(",", ":")))
        head["pad"] = "x" * max(pad, 0)
        out.append(json.dumps(head, separators=(",", ":")).encode())
    return out


async def run_baseline(sc: Scenario, ctx: Context, pool: Pool,
                       groups: list[tuple[str, int, int]], frames: list[bytes]) -> Json:
    out: Json = {"status": "ok", "reason": None}
    bm = BaselineMeasure(label=sc.name)
    server: Server | None = None
    results: list[Json] = []
    pool.forget()
    budget = 60 + sum(n for _, _, n in groups) / 50
    try:
        async with asyncio.timeout(budget):
            server = await asyncio.to_thread(start_baseline,
                                             ctx.log_dir / f"{sc.name}-baseline.log")
            await guarded(baseline(server, pool, groups, frames, ctx.settle_s, bm, ctx.opts()),
                          server, pool)
            results = await collect(pool, 120)
    except TimeoutError:
        out["status"], out["reason"] = "failed", f"time budget of {budget:.0f} s exceeded " \
                                                 f"during: {bm.stage}"
    except (ServerFailed, RuntimeError, OSError) as exc:
        out["status"], out["reason"] = "failed", f"{type(exc).__name__}: {exc}"
    finally:
        if server is not None:
            await asyncio.to_thread(server.stop)
    fanout: list[float] = []
    by_round: dict[int, list[float]] = defaultdict(list)
    for data in results:
        for group, room in data["rooms"].items():
            for i, times in room["open_ns"].items():
                sent = bm.sent_ns.get((group, i))
                if sent is not None:
                    fanout += [(t - sent) / 1e6 for t in times]
                    by_round[i] += [(t - sent) / 1e6 for t in times]
    frames_delivered = len(fanout)
    out.update({
        "connected": bm.connected, "connect_failed": dict(bm.connect_failed),
        "connects_per_s": round(bm.connected / bm.connect_span_s, 1) if bm.connect_span_s
        else None,
        "fanout_ms": rounded(report.spread(fanout)),
        "fanout_by_round_ms": {r: rounded(report.spread(v)) for r, v in sorted(by_round.items())},
        "frame_bytes": bm.frame_bytes,
        "cpu_s_per_1000_frames": (round(bm.cpu_s / frames_delivered * 1000, 4)
                                  if frames_delivered else None),
    })
    return out


# ---------------------------------------------------------------------- idle rooms


async def run_idle(sc: Scenario, ctx: Context) -> Json:
    started = time.monotonic()
    room_idle = ctx.room_idle_s if ctx.room_idle_s is not None else (5.0 if ctx.quick else 30.0)
    out: Json = {"name": sc.name, "kind": "idle", "description": sc.description,
                 "rooms": sc.rooms, "players_per_room": 0, "workers": 1,
                 "budget_s": sc.budget_s, "status": "ok", "reason": None, "notes": [],
                 "window_s": ctx.window_s, "room_idle_s": room_idle}
    ctx.redis.reset()
    procs = ctx.processes(sc.rooms)

    def at(stage: str) -> str:
        progress(f"{sc.name}: {stage}")
        return stage

    stage = at("starting the server")
    server: Server | None = None
    pool: Pool | None = None
    try:
        async with asyncio.timeout(sc.budget_s):
            server = await asyncio.to_thread(
                start_cardcade, ctx.redis.url, ctx.log_dir / f"{sc.name}.log",
                extra=("--room-idle", f"{room_idle:g}", *ctx.server_args), source=ctx.source)
            pool = Pool(procs)
            pool.attach()
            await asyncio.sleep(2.0)
            out["rss_empty_kib"] = server.rss_kib()
            stage = at("creating the rooms")
            cpu0 = server.cpu_seconds()
            settings = {"rounds": ctx.rounds, "round_mix": ROUND_MIX}
            for wid, count in enumerate(split(sc.rooms, procs)):
                pool.send(wid, ("create", server.ws_url, count, settings, ctx.opts()))
            # Creating may slow down as rooms pile up: past half the budget, no new room is
            # begun, and the windows measure the rooms there are.
            replies = asyncio.ensure_future(
                pool.replies_with_progress(dict.fromkeys(range(procs), 1), "rooms created"))
            done, _ = await asyncio.wait([replies], timeout=sc.budget_s / 2)
            if not done:
                for wid in range(procs):
                    pool.send(wid, ("stop_creating",))
            created, failed, messages, first, last = 0, Counter[str](), {}, 0, 0
            for _wid, (_, _, summary) in await guarded(replies, server, pool):
                created += summary["created"]
                failed.update(summary["failed"])
                messages.update(summary["messages"])
                if summary["first_ns"]:
                    first = min(first or summary["first_ns"], summary["first_ns"])
                last = max(last, summary["last_ns"])
            if not done:
                out["notes"].append(
                    f"room creation was stopped after {sc.budget_s / 2:.0f} s (half the "
                    f"scenario's budget; no new room begun, those under way finished) with "
                    f"{created:,} rooms created; the CPU windows measure those rooms")
            out["created"], out["create_failed"] = created, dict(failed)
            out["cpu_ms_per_room_created"] = round(
                (server.cpu_seconds() - cpu0) / max(created, 1) * 1000, 2)
            if messages:
                out["notes"].append("create_room refusals: " + "; ".join(
                    f"{k}: {v}" for k, v in messages.items()))
            out["creates_per_s"] = round(created / ((last - first) / 1e9), 1) \
                if last > first else None
            if not created:
                raise Failure(f"no room could be created: {dict(failed)}")
            if created < sc.rooms:
                out["status"] = "partial"
                out["reason"] = (f"only {created:,} of {sc.rooms:,} rooms were created "
                                 f"(refused or not begun: {dict(failed)})")
            stage = at("lobbies open, hosts connected")
            await asyncio.sleep(3.0)
            out["rss_open_kib"] = server.rss_kib()
            out["memory_kib_per_room"] = round(
                (out["rss_open_kib"] - out["rss_empty_kib"]) / created, 1)
            out["rooms_run_hosts_connected"] = metric(server, "cardcade_rooms")
            share, rshare, rates = await guarded(cpu_window(server, ctx.redis, ctx.window_s),
                                                 server, pool)
            out["redis_commands_per_s_hosts_connected"] = rates
            out["cpu_share_hosts_connected"] = round(share, 4)
            out["redis_cpu_share_hosts_connected"] = round(rshare, 4)
            stage = at("hosts gone, waiting for --room-idle")
            await collect(pool, 120)  # every host socket dropped
            await guarded(asyncio.sleep(room_idle + 5.0), server, pool)
            out["rooms_run_after_release"] = metric(server, "cardcade_rooms")
            stage = at("after release")
            share, rshare, rates = await guarded(cpu_window(server, ctx.redis, ctx.window_s),
                                                 server, pool)
            out["redis_commands_per_s_after_release"] = rates
            out["cpu_share_after_release"] = round(share, 4)
            out["redis_cpu_share_after_release"] = round(rshare, 4)
            out["rss_released_kib"] = server.rss_kib()
            stage = at("done")
    except TimeoutError:
        out["status"] = "failed"
        out["reason"] = f"time budget of {sc.budget_s:.0f} s exceeded during: {stage}"
    except (Failure, ServerFailed, ConnectionError, RuntimeError, OSError) as exc:
        out["status"], out["reason"] = "failed", f"{type(exc).__name__}: {exc}"
    finally:
        if server is not None:
            if not server.alive() and out["status"] in ("ok", "partial"):
                out["status"], out["reason"] = "failed", f"{server.name} died: " \
                    f"{server.log_tail()}"
            await asyncio.to_thread(server.stop)
        if pool is not None:
            await asyncio.to_thread(pool.close)
    out["stage"] = stage if out["status"] == "failed" else None
    out["duration_s"] = round(time.monotonic() - started, 1)
    return out


def metric(server: Server, name: str) -> int | None:
    value = server.metrics().get(name)
    return None if value is None else int(value)


async def cpu_window(server: Server, redis: Redis,
                     seconds: float) -> tuple[float, float, dict[str, float]]:
    """The server's and Redis's CPU share of one core over `seconds` of nothing happening,
    and the Redis commands per second meanwhile (the most frequent ones)."""
    c0, r0, k0, t0 = (server.cpu_seconds(), redis.cpu_seconds(), redis.commands(),
                      time.monotonic())
    await asyncio.sleep(seconds)
    elapsed = time.monotonic() - t0
    k1 = redis.commands()
    rates = Counter({k: (v - k0.get(k, 0)) / elapsed for k, v in k1.items()
                     if v > k0.get(k, 0) and k != "info"})
    return ((server.cpu_seconds() - c0) / elapsed, (redis.cpu_seconds() - r0) / elapsed,
            {k: round(v, 1) for k, v in rates.most_common(8)})
