"""The server process: its parts wired together (Redis clients, store, hub, the rooms it
runs, HTTP routes) and the listening socket."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

import redis.asyncio as aioredis
from websockets.asyncio.server import Server, ServerConnection, serve

from decks.model import DeckFile
from game_rules.machine import Game
from game_rules.model import Settings
from game_rules.plan import make_plan
from server import keys, protocol
from server.connection import Connection
from server.deck_source import BadDeck, deck_for_room
from server.http import HttpRoutes
from server.hub import Hub
from server.lease import Leases
from server.metrics import Metrics
from server.owner import Owner
from server.room_registry import RoomRegistry
from server.store import Store

log = logging.getLogger("cardcade")

WATCH_INTERVAL_S = 1.0
REDIS_CONNECTIONS = 128  # per process, for short commands
MAX_ROOMS = 20_000  # live rooms on one Redis, all processes together (--max-rooms)
FD_RESERVE = 1_000  # file descriptors kept for Redis, room runners, files and HTTP
FALLBACK_CONNECTIONS = 10_000  # when the file descriptor limit is unknown or unlimited


@dataclass
class Config:
    host: str = "0.0.0.0"
    port: int = 8000
    redis_url: str = ""
    public_url: str = ""  # how phones reach this server; detected when empty
    room_ttl_ms: int = keys.ROOM_TTL_MS
    reuse_port: bool = False  # several worker processes share the port (SO_REUSEPORT)
    idle_release_s: float = 30.0  # stop running a room with no sockets here and no input
    max_rooms: int = MAX_ROOMS  # 0: no cap
    max_connections: int = 0  # WebSocket connections of this process; 0: from the fd limit


def fd_limit() -> int | None:
    """This process's soft limit on open file descriptors (None: unknown or unlimited)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def connection_limit(requested: int, fds: int | None) -> int:
    """The most WebSocket connections a process accepts: `requested` (0: as many as the
    file descriptor limit `fds` allows), never more than `fds` leaves room for. Each socket
    is a descriptor; the rest of the process (Redis pools, files) keeps FD_RESERVE of
    them, or half on a low limit."""
    budget = None if fds is None else max(fds - FD_RESERVE, fds // 2, 1)
    if requested <= 0:
        return budget if budget is not None else FALLBACK_CONNECTIONS
    if budget is not None and requested > budget:
        log.warning("--max-connections %d is more than the file descriptor limit (%d) "
                    "allows; accepting %d (raise `ulimit -n` for more)", requested, fds, budget)
        return budget
    return requested


def lan_address() -> str:
    """This machine's address on the local network (the one phones can reach)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent for UDP connect
            return sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"


class App:
    def __init__(self, config: Config, client: aioredis.Redis, blocking: aioredis.Redis):
        self.config = config
        self.redis = client  # short commands, from a bounded pool
        self.blocking = blocking  # the rooms loop's blocking XREAD
        self.owner_id = f"{socket.gethostname()}:{secrets.token_hex(4)}"
        self.metrics = Metrics()
        self.metrics.max_connections = connection_limit(config.max_connections, fd_limit())
        self.metrics.max_rooms = config.max_rooms
        self.store = Store(client, room_ttl_ms=config.room_ttl_ms)
        self.rooms = RoomRegistry(client, cap=config.max_rooms, room_ttl_ms=config.room_ttl_ms)
        self.hub = Hub(client, self.metrics)
        self.http = HttpRoutes(self)
        self.owner = Owner(blocking, Leases(client, self.owner_id), self.store, self.metrics,
                           self.join_url, lambda code: bool(self.hub.rooms.get(code)),
                           config.idle_release_s)
        self._watcher: asyncio.Task[None] | None = None

    @property
    def public_url(self) -> str:
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        host = self.config.host
        if host in ("0.0.0.0", "", "::"):
            host = lan_address()
        return f"http://{host}:{self.config.port}"

    def join_url(self, code: str) -> str:
        return f"{self.public_url}/play?room={code}"

    async def create_room(self, msg: protocol.CreateRoom) -> tuple[str, str]:
        """Build the plan from the chosen deck and settings and store the new room;
        ServerFull when the server already has its maximum of rooms."""
        deck: DeckFile = deck_for_room(msg)
        s = msg.settings
        settings = Settings(
            rounds=s.rounds, round_mix=tuple(s.round_mix), points=s.points,
            time_limit_ms=s.time_limit_s * 1000, speed_scoring=s.speed_scoring,
            streak_bonus=s.streak_bonus, late_join=s.late_join, max_players=s.max_players,
            items_per_round=s.items_per_round,
        )
        seed = msg.seed if msg.seed is not None else secrets.randbits(32)
        try:
            plan = make_plan(deck.to_rules(), settings, seed)
        except ValueError as exc:
            raise BadDeck(str(exc), "no_rounds") from None
        # A place in the registry first, then the room: a refused room is never created,
        # and racing processes cannot exceed the cap (see server/room_registry.py).
        slot = await self.rooms.reserve()
        try:
            code, token = await self.store.create_room(Game(settings, tuple(plan)), deck.title)
        except BaseException:
            with contextlib.suppress(Exception):
                await self.rooms.release(slot)
            raise
        await self.rooms.confirm(slot, code)
        return code, token

    async def ensure_runner(self, code: str) -> None:
        """Run the room here if no process holds its lease."""
        await self.owner.ensure(code)

    async def _watch(self) -> None:
        """Take over rooms whose owner went away while this process has sockets in them."""
        while True:
            await asyncio.sleep(WATCH_INTERVAL_S)
            await self.owner.take_over(list(self.hub.rooms))

    async def start(self) -> None:
        await self.hub.start()
        self.owner.start()
        self._watcher = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        """Stop running rooms, and hand them back (release the leases)."""
        if self._watcher:
            self._watcher.cancel()
        await self.owner.stop()
        await self.hub.stop()

    async def handle(self, ws: ServerConnection) -> None:
        await Connection(self, ws).serve()


async def make_server(app: App, config: Config) -> Server:
    return await serve(
        app.handle, config.host, config.port,
        process_request=app.http.process_request,
        compression=None,  # small JSON messages: deflate costs more than it saves
        max_size=protocol.MAX_FRAME_BYTES,
        ping_interval=20, ping_timeout=20,
        max_queue=64,
        reuse_port=config.reuse_port or None,
    )


async def run(config: Config, data_dir: Path, ready: asyncio.Event | None = None) -> None:
    """Run until cancelled: embedded Redis if no URL, the app, the listening socket."""
    from server.embedded_redis import EmbeddedRedis

    embedded = None
    url = config.redis_url
    if not url:
        embedded = EmbeddedRedis(data_dir / "redis").start()
        url = embedded.url
        log.info("embedded Redis at %s (data in %s)", url, data_dir / "redis")
    # Connections are named after the process, so CLIENT LIST tells whose they are.
    name = f"cardcade-{socket.gethostname()}-{os.getpid()}"
    # A blocking pool: under a burst, callers wait for a free connection instead of failing.
    pool = aioredis.BlockingConnectionPool.from_url(
        url, max_connections=REDIS_CONNECTIONS, timeout=10, health_check_interval=30,
        client_name=name,
    )
    client = aioredis.Redis(connection_pool=pool)
    # The rooms loop blocks in one XREAD for all the rooms: a connection of its own, so the
    # blocked read never holds one the short commands need.
    blocking = aioredis.Redis.from_url(url, max_connections=2, client_name=name)
    app = App(config, client, blocking)
    server: Server | None = None
    try:
        await client.ping()
        await app.start()
        server = await make_server(app, config)
        if config.port == 0:
            config.port = server.sockets[0].getsockname()[1]
        print(f"Cardcade is running.\n  Host screen:  {app.public_url}/host\n"
              f"  Players join: {app.public_url}/play", flush=True)
        log.info("limits: %d WebSocket connections in this process (open-file limit %s), "
                 "%s live rooms on this Redis", app.metrics.max_connections, fd_limit(),
                 config.max_rooms or "unlimited")
        if ready:
            ready.set()
        await asyncio.Future()
    finally:
        if server:
            server.close()
            await server.wait_closed()
        await app.stop()
        await client.aclose()
        await blocking.aclose()
        if embedded:
            embedded.stop()
