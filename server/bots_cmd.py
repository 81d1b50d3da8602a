"""`cardcade bots`: a swarm of scripted players, to see whether a server holds a class.

    cardcade bots --url WS_URL --room CODE --players N [--accuracy 0.7] [--think S]
                  [--deck NAME_OR_PATH] [--processes K] [--prefix Bot] [--timeout SECONDS]

The bots (`server.bots`) join the room as "{prefix} 1".."{prefix} N" and answer every round
the host opens until the podium. They are spread over K processes (at most ~500 bots each);
this process checks the server and room first, prints a progress line on stderr about once
a second and a summary on stdout at the end. Exit code 0 when every bot joined and played
to the podium (or --timeout passed without errors), 1 otherwise, 2 for bad options.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing as mp
import os
import queue as queue_mod
import signal
import sys
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from decks.io import DeckError
from server.bot_solver import Solver, load_rules_deck
from server.bots import BotConfig, Stats, swarm
from server.deck_source import DEFAULT_DECK

BOTS_PER_PROCESS = 500
MAX_NICKNAME = 20
STOP_GRACE = 5.0  # seconds the workers get to report after Ctrl-C or --timeout


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `bots` subcommand."""
    p = sub.add_parser("bots", help="load-test a room with scripted players",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True, help="the server's WebSocket URL (ws://HOST:PORT/ws)")
    p.add_argument("--room", required=True, help="the room code")
    p.add_argument("--players", type=int, required=True, help="number of bots")
    p.add_argument("--accuracy", type=float, default=0.7,
                   help="chance that a bot answers a round right (default 0.7)")
    p.add_argument("--think", type=float, default=3.0,
                   help="median think time in seconds before answering (default 3)")
    p.add_argument("--deck", default=DEFAULT_DECK,
                   help="the room's deck: a bundled deck name or a .toml file, 'none' to guess "
                        f"(default {DEFAULT_DECK})")
    p.add_argument("--processes", type=int, help="bot processes (default: ~500 bots each, "
                                                 "at most one per core)")
    p.add_argument("--prefix", default="Bot", help="nickname prefix (default 'Bot')")
    p.add_argument("--timeout", type=float, help="stop after this many seconds")
    p.set_defaults(func=run)


def ws_url(url: str) -> str:
    """`url` as a WebSocket URL: http(s) becomes ws(s), an empty path becomes /ws."""
    parts = urlsplit(url if "://" in url else f"ws://{url}")
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    path = parts.path if parts.path not in ("", "/") else "/ws"
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


def default_processes(players: int) -> int:
    return max(1, min(math.ceil(players / BOTS_PER_PROCESS), os.cpu_count() or 1))


def _check(args: argparse.Namespace) -> str | None:
    """What is wrong with the options, if anything."""
    if args.players < 1:
        return "--players must be at least 1"
    if not 0 <= args.accuracy <= 1:
        return "--accuracy must be between 0 and 1"
    if args.think < 0:
        return "--think must not be negative"
    if args.processes is not None and args.processes < 1:
        return "--processes must be at least 1"
    if args.timeout is not None and args.timeout <= 0:
        return "--timeout must be positive"
    longest = f"{args.prefix.strip()} {args.players}"
    if not args.prefix.strip() or len(longest) > MAX_NICKNAME:
        return f"nicknames must be 1 to {MAX_NICKNAME} characters; '{longest}' is not"
    return None


async def probe(url: str, room: str) -> str | None:
    """Why the bots cannot play in `room` at `url` (unreachable, no such room), or None.

    Resumes with a token no room has: the server answers `bad_token` when the room exists
    and `unknown_room` when it does not, and nobody joins."""
    try:
        async with connect(url, open_timeout=5, close_timeout=1, compression=None) as ws:
            await ws.send(json.dumps({"type": "hello", "versions": [1]}))
            welcome = json.loads(await asyncio.wait_for(ws.recv(), 5))
            if welcome.get("type") != "welcome":
                return f"{url} refused the handshake: {welcome.get('code')}"
            await ws.send(json.dumps({"type": "resume", "room": room, "token": "bots-probe"}))
            while True:
                msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
                if msg.get("type") == "error" and msg.get("code") == "unknown_room":
                    return f"no room {room!r} at {url} (unknown_room)"
                if msg.get("type") in ("error", "room"):
                    return None
    except InvalidURI as exc:
        return f"bad --url {url!r}: {exc}"
    except InvalidStatus as exc:
        return (f"cannot reach {url}: HTTP {exc.response.status_code} instead of a WebSocket "
                "(the path is usually /ws)")
    except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed) as exc:
        return f"cannot reach {url}: {exc or type(exc).__name__}"


def _worker(wid: int, cfg: BotConfig, deck: str | None, indexes: list[int], stop_at: float,
            out: Any, stop: Any) -> None:
    """One bot process: run its swarm, send progress snapshots and the final stats."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    solver = Solver(load_rules_deck(deck) if deck else None)

    def should_stop() -> bool:
        return bool(stop.is_set()) or time.time() >= stop_at

    coro = swarm(cfg, indexes, solver, lambda s: out.put(("progress", wid, s)), should_stop)
    try:
        import uvloop

        final = uvloop.run(coro)
    except ImportError:  # no uvloop (Windows): the standard loop
        final = asyncio.run(coro)
    out.put(("final", wid, final))


def run(args: argparse.Namespace) -> int:
    """Check the options, server and room; run the bots; print the summary."""
    problem = _check(args)
    deck = None if args.deck.lower() == "none" else args.deck
    if problem is None and deck is not None:
        try:
            load_rules_deck(deck)
        except DeckError as exc:
            problem = f"--deck: {str(exc).splitlines()[0]}"
    if problem:
        print(f"cardcade bots: {problem}", file=sys.stderr)
        return 2
    url = ws_url(args.url)
    problem = asyncio.run(probe(url, args.room))
    if problem:
        print(f"cardcade bots: {problem}", file=sys.stderr)
        return 1
    k = min(args.processes or default_processes(args.players), args.players)
    cfg = BotConfig(url=url, room=args.room, prefix=args.prefix.strip(),
                    accuracy=args.accuracy, think=args.think,
                    ramp=min(5.0, args.players / 200))
    started = time.monotonic()
    stats, interrupted, timed_out = _run_workers(args, cfg, deck, k)
    elapsed = time.monotonic() - started
    ok, verdict = outcome(stats, args.players, interrupted, timed_out)
    print(summary(stats, args, url, k, elapsed, verdict))
    return 0 if ok else 1


def _run_workers(args: argparse.Namespace, cfg: BotConfig, deck: str | None,
                 k: int) -> tuple[Stats, bool, bool]:
    """Start `k` bot processes, show progress, collect their stats."""
    ctx = mp.get_context("spawn")
    out, stop = ctx.Queue(), ctx.Event()
    stop_at = time.time() + args.timeout if args.timeout else math.inf
    procs = [ctx.Process(target=_worker, daemon=True, name=f"bots-{w}",
                         args=(w, cfg, deck, list(range(w + 1, args.players + 1, k)), stop_at,
                               out, stop))
             for w in range(k)]
    for p in procs:
        p.start()
    latest: dict[int, Stats] = {}
    finals: dict[int, Stats] = {}
    interrupted, give_up_at, last_line = False, math.inf, 0.0
    started = time.monotonic()
    while len(finals) < k and time.monotonic() < give_up_at:
        try:
            try:
                kind, wid, snap = out.get(timeout=0.2)
                (finals if kind == "final" else latest)[wid] = snap
            except queue_mod.Empty:
                if all(not p.is_alive() for p in procs):
                    break
            if time.time() >= stop_at and give_up_at == math.inf:
                give_up_at = time.monotonic() + STOP_GRACE
            if time.monotonic() - last_line >= 1.0:
                last_line = time.monotonic()
                _progress(_merge({**latest, **finals}), args.players, last_line - started)
        except KeyboardInterrupt:
            interrupted = True
            stop.set()
            give_up_at = min(give_up_at, time.monotonic() + STOP_GRACE)
    for p in procs:
        p.join(1.0)
        if p.is_alive():
            p.terminate()
    stats = _merge({**latest, **finals})
    missing = k - len(finals)
    if missing:
        stats.errors["bot process did not report"] += missing
    if sys.stderr.isatty():
        print(file=sys.stderr)
    return stats, interrupted, time.time() >= stop_at


def _merge(parts: dict[int, Stats]) -> Stats:
    total = Stats()
    for part in parts.values():
        total.merge(part)
    return total


def _progress(s: Stats, players: int, elapsed: float) -> None:
    line = (f"[{elapsed:5.0f}s] joined {s.joined}/{players} · in round {s.in_round} · "
            f"answered {s.sent} · acked {s.acked} · errors {_errors(s)} · "
            f"round {len(s.rounds)}/{s.total_rounds or '?'}")
    if sys.stderr.isatty():
        print(f"\r\033[K{line}", end="", file=sys.stderr, flush=True)
    else:
        print(line, file=sys.stderr, flush=True)


def _errors(s: Stats) -> int:
    refused = sum(n for code, n in s.refused.items() if code != "already_answered")
    return sum(s.join_failed.values()) + refused + sum(s.errors.values())


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile `p` (0-100) of `values`, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def outcome(s: Stats, players: int, interrupted: bool, timed_out: bool) -> tuple[bool, str]:
    """Whether the run went well, and a sentence saying so."""
    if s.joined < players:
        return False, f"FAILED: {players - s.joined} of {players} bots did not join"
    if s.podium >= players:
        return True, "OK: every bot played to the podium"
    if interrupted:
        return False, "STOPPED: interrupted (Ctrl-C) before the podium"
    errors = _errors(s) - s.errors["connection_lost"] + s.gave_up
    if timed_out and errors == 0:
        return True, "OK: stopped at --timeout with no errors"
    if timed_out:
        return False, f"FAILED: stopped at --timeout with {errors} errors"
    return False, f"FAILED: only {s.podium} of {players} bots reached the podium"


def _codes(counts: Counter[str]) -> str:
    return ", ".join(f"{code} {n}" for code, n in counts.most_common())


def summary(s: Stats, args: argparse.Namespace, url: str, k: int, elapsed: float,
            verdict: str) -> str:
    """The end-of-run report."""
    failed = sum(s.join_failed.values())
    refused = sum(s.refused.values())
    lat = [percentile(s.latencies_ms, p) for p in (50, 95, 99)]
    latency = ("n/a" if lat[0] is None else
               ", ".join(f"p{p} {v:.0f} ms" for p, v in zip((50, 95, 99), lat, strict=True)))
    share = f"{100 * s.right / s.graded:.1f}%" if s.graded else "n/a"
    lines = [
        f"cardcade bots: {args.players} bots in room {args.room} at {url}, "
        f"{k} process{'es' * (k > 1)}, {elapsed:.1f} s",
        f"players:     {s.joined} joined, {failed} failed to join"
        + (f" ({_codes(s.join_failed)})" if failed else ""),
        f"rounds:      {len(s.rounds)} played (of {s.total_rounds})",
        f"answers:     {s.sent} sent, {s.acked} acked, {refused} refused"
        + (f" ({_codes(s.refused)})" if refused else "")
        + (f", {s.counted} counted without an ack" if s.counted else "")
        + (f", {s.resent} sent again after a reconnect" if s.resent else ""),
        f"ack latency: {latency} (client side, answer sent -> ack, {len(s.latencies_ms)} acks)",
        f"accuracy:    {s.right} of {s.graded} graded answers right ({share}), "
        f"intended {100 * args.accuracy:.0f}%"
        + (f"; {s.missed} meant right were not" if s.missed else ""),
        f"unsolved:    {len(s.unsolved_rounds)} rounds ({s.guessed} answers guessed)",
        f"reconnects:  {s.reconnects} ({s.errors['connection_lost']} connections lost, "
        f"{s.retries} failed attempts)",
    ]
    other = Counter({c: n for c, n in s.errors.items() if c != "connection_lost" and n})
    if other:
        lines.append(f"errors:      {_codes(other)}")
    lines.append(f"result:      {verdict}")
    return "\n".join(lines)
