"""`cardcade serve`: run the game server (embedded Redis unless a URL is given)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path

from server.app import Config, run


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("serve", help="run the game server")
    parser.add_argument("--host", default=os.environ.get("CARDCADE_HOST", "0.0.0.0"),
                        help="address to listen on (default: all interfaces)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CARDCADE_PORT", 8000)))
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", ""),
                        help="Redis URL (default: start a private embedded Redis)")
    parser.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("CARDCADE_DATA", ".cardcade")),
                        help="where the embedded Redis keeps its data (default: .cardcade)")
    parser.add_argument("--public-url", default=os.environ.get("CARDCADE_PUBLIC_URL", ""),
                        help="address phones use to reach this server (default: detected)")
    parser.add_argument("--room-ttl", type=float, default=24 * 3600,
                        help="seconds a room is kept after its last change (default: a day)")
    parser.add_argument("--log-level", default=os.environ.get("CARDCADE_LOG", "INFO"))
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = Config(host=args.host, port=args.port, redis_url=args.redis,
                    public_url=args.public_url, room_ttl_ms=int(args.room_ttl * 1000))
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    runner(_main(config, args.data_dir))
    return 0


async def _main(config: Config, data_dir: Path) -> None:
    task = asyncio.create_task(run(config, data_dir))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task
    logging.getLogger("cardcade").info("stopped cleanly")
