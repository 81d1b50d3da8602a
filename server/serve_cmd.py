"""`cardcade serve`: run the game server (embedded Redis unless a URL is given).

With `--workers N` a supervisor starts N worker processes that share the port
(SO_REUSEPORT) and one Redis, and restarts a worker that dies.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from redis.exceptions import RedisError

from server import keys
from server.app import run
from server.config import MAX_ROOMS, UPLOAD_TIMEOUT_S, Config
from server.embedded_redis import EmbeddedRedis
from server.keepalive import PING_S
from server.redis_url import RedisSetupError, check_url

log = logging.getLogger("cardcade")


def register(sub: argparse._SubParsersAction) -> None:
    env = os.environ.get
    parser = sub.add_parser("serve", help="run the game server")
    parser.add_argument("--host", default=env("CARDCADE_HOST", "0.0.0.0"),
                        help="address to listen on (default: all interfaces)")
    parser.add_argument("--port", type=int, default=int(env("CARDCADE_PORT", "8000")))
    parser.add_argument("--redis", default=env("REDIS_URL", ""),
                        help="Redis URL: redis://HOST:PORT/DB, rediss://, unix:///PATH, or "
                             "redis+sentinel://HOST:PORT[,HOST:PORT...]/SERVICE, or "
                             "redis+cluster://HOST:PORT[,HOST:PORT...] (default: start a "
                             "private embedded Redis)")
    parser.add_argument("--data-dir", type=Path, default=env("CARDCADE_DATA") or default_data_dir(),
                        help="where the embedded Redis keeps its data (default: %(default)s)")
    parser.add_argument("--public-url", default=env("CARDCADE_PUBLIC_URL", ""),
                        help="address phones use to reach this server (default: detected)")
    parser.add_argument("--room-ttl", type=float, default=24 * 3600,
                        help="seconds a room is kept after its last change (default: a day)")
    parser.add_argument("--room-idle", type=float, default=30.0,
                        help="seconds after which a room with no input, no timer and no "
                             "player or host connected here stops costing anything; it runs "
                             "again as soon as someone connects (0: never; default 30)")
    parser.add_argument("--lease-ttl", type=float, default=keys.LEASE_TTL_MS / 1000,
                        help="seconds a process's heartbeat lives: a crashed process's rooms "
                             "move to another process this long after its last beat; a "
                             "process whose event loop stalls this long loses its rooms "
                             "(1.5 to 60; default %(default)g)")
    parser.add_argument("--ping-interval", type=float, default=PING_S,
                        help="seconds between WebSocket pings to each connection; one that "
                             "sends nothing back for as long is closed (keep it under your "
                             "proxy's idle timeout; 5 to 300; default %(default)g)")
    parser.add_argument("--max-rooms", type=int, default=MAX_ROOMS,
                        help="live rooms on this Redis, all processes together; creating "
                             "one more is refused with server_full (0: no cap; default "
                             "%(default)s)")
    parser.add_argument("--max-connections", type=int, default=0,
                        help="WebSocket connections per process; more handshakes get HTTP "
                             "503 (default 0: as many as the open-file limit allows, "
                             "keeping 1,000 files or half of them for the rest)")
    parser.add_argument("--address-limits", choices=("on", "off"),
                        default=env("CARDCADE_ADDRESS_LIMITS", "on"),
                        help="limits per client address on connections, joins, rooms created "
                             "and wrong room codes or tokens (off: for load tests from one "
                             "machine, e.g. `cardcade bots`; default on)")
    parser.add_argument("--upload-timeout", type=float, default=UPLOAD_TIMEOUT_S,
                        help="seconds to read an uploaded deck and plan its game before the "
                             "host is told it took too long (default %(default)g)")
    parser.add_argument("--workers", type=int, default=int(env("CARDCADE_WORKERS", "1")),
                        help="worker processes sharing the port; 0 = one per core (default 1)")
    parser.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--log-level", default=env("CARDCADE_LOG", "INFO"))
    parser.set_defaults(func=serve)


def default_data_dir() -> Path:
    """The per-user data folder: $XDG_DATA_HOME/cardcade (~/.local/share/cardcade), or
    ~/Library/Application Support/cardcade on macOS, %LOCALAPPDATA%\\cardcade on Windows."""
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "cardcade"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "cardcade"
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "cardcade"


def serve(args: argparse.Namespace) -> int:
    # Absolute from here on: redis-server changes into its data folder before it opens files.
    args.data_dir = Path(args.data_dir).expanduser().resolve()
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    if args.log_level.upper() != "DEBUG":  # one INFO line per HTTP request is noise
        logging.getLogger("websockets").setLevel(logging.WARNING)
    if not 1.5 <= args.lease_ttl <= 60:
        log.error("cannot start: --lease-ttl must be 1.5 to 60 seconds, not %g", args.lease_ttl)
        return 1
    if not 5 <= args.ping_interval <= 300:
        log.error("cannot start: --ping-interval must be 5 to 300 seconds, not %g",
                  args.ping_interval)
        return 1
    if args.redis:
        try:
            check_url(args.redis)  # before any worker starts: one line, not one per worker
        except RedisSetupError as exc:
            log.error("cannot start: %s", exc)
            return 1
    workers = args.workers if args.workers > 0 else (os.cpu_count() or 1)
    if workers > 1:
        return supervise(args, workers)
    config = Config(host=args.host, port=args.port, redis_url=args.redis,
                    public_url=args.public_url, room_ttl_ms=int(args.room_ttl * 1000),
                    reuse_port=args.reuse_port, idle_release_s=args.room_idle,
                    lease_ttl_ms=int(args.lease_ttl * 1000),
                    max_rooms=args.max_rooms, max_connections=args.max_connections,
                    address_limits=args.address_limits == "on",
                    upload_timeout_s=args.upload_timeout, ping_s=args.ping_interval)
    tune_gc()
    run_loop: Callable[[Coroutine[Any, Any, None]], None]
    try:
        import uvloop

        run_loop = uvloop.run
    except ImportError:  # no uvloop (Windows): the standard loop
        run_loop = asyncio.run
    try:
        run_loop(_main(config, args.data_dir))
    except (OSError, RuntimeError, RedisError) as exc:  # port taken, Redis down or not started
        log.error("cannot start: %s", exc)
        return 1
    return 0


# Allocations between two collections of the youngest generation (CPython's default: 700).
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    """Collect cyclic garbage less often. A server holds many long-lived objects (every
    player's record, every socket's state) and makes short-lived ones at a high rate (a
    state version, a view, a frame per event). With CPython's default thresholds, a game
    of 300 rooms x 30 players ran about 50 collections a second and spent about 8 of the
    22 CPU-seconds of its game phase in them; with these, 1.7 s over the whole run (the
    benchmark's rooms-300x30). What start-up made (modules, the bundled deck) is frozen
    out of every collection."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def log_tasks() -> None:
    """Log where every task of this process waits (`kill -USR1 PID`): for a process that
    looks stuck, what it is waiting for."""
    tasks = asyncio.all_tasks()
    lines = [f"{len(tasks)} tasks:"]
    for task in tasks:
        where: list[str] = []
        step: Any = task.get_coro()
        while step is not None:  # down the chain of awaits (`get_stack` stops at the top)
            frame = getattr(step, "cr_frame", None) or getattr(step, "gi_frame", None)
            if frame is not None:
                where.append(f"{frame.f_code.co_name} ({Path(frame.f_code.co_filename).name}"
                             f":{frame.f_lineno})")
            step = getattr(step, "cr_await", None) or getattr(step, "gi_yieldfrom", None)
        lines.append(f"  {task.get_name()}: {' -> '.join(where) or 'running'}")
    log.warning("\n".join(lines))


async def _main(config: Config, data_dir: Path) -> None:
    task = asyncio.create_task(run(config, data_dir))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    loop.add_signal_handler(signal.SIGUSR1, log_tasks)
    with contextlib.suppress(asyncio.CancelledError):
        await task
    log.info("stopped cleanly")


def worker_command(args: argparse.Namespace, redis_url: str) -> list[str]:
    """The command line of one worker: the same options, one process, the shared port."""
    return [sys.executable, "-m", "server.cli", "serve", "--host", args.host,
            "--port", str(args.port), "--redis", redis_url, "--public-url", args.public_url,
            "--room-ttl", str(args.room_ttl), "--room-idle", str(args.room_idle),
            "--lease-ttl", str(args.lease_ttl), "--ping-interval", str(args.ping_interval),
            "--max-rooms", str(args.max_rooms), "--max-connections", str(args.max_connections),
            "--address-limits", args.address_limits, "--log-level", args.log_level,
            "--upload-timeout", str(args.upload_timeout),
            "--workers", "1", "--reuse-port"]


def supervise(args: argparse.Namespace, workers: int) -> int:
    """Run `workers` single-process servers on one port and one Redis until a signal."""
    embedded = None
    url = args.redis
    if not url:
        embedded = EmbeddedRedis(args.data_dir / "redis").start()
        url = embedded.url
    command = worker_command(args, url)
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    procs = [subprocess.Popen(command) for _ in range(workers)]
    log.info("supervising %d workers on port %d: %s", workers, args.port,
             ", ".join(str(p.pid) for p in procs))
    try:
        while not stopping:
            time.sleep(0.5)
            for i, proc in enumerate(procs):
                if proc.poll() is not None and not stopping:
                    log.error("worker %d exited with %s; starting another", proc.pid,
                              proc.returncode)
                    procs[i] = subprocess.Popen(command)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if embedded:
            embedded.stop()
    log.info("all workers stopped")
    return 0
