"""The server process: its parts wired together (Redis clients, store, hub, the rooms it
runs, HTTP routes) and the listening socket."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import secrets
import socket
from pathlib import Path

import redis.asyncio as aioredis
from websockets.asyncio.server import Server, ServerConnection, serve

from server import protocol
from server.address_limits import AddressLimits
from server.config import Config, connection_limit, fd_limit, join_url
from server.connection import Connection, send_snapshot
from server.http import HttpRoutes
from server.http_body import BodyConnection
from server.hub import Hub, Member
from server.inbox import Inbox
from server.keepalive import HeardConnection, Keepalive
from server.lease import Leases
from server.metrics import Metrics
from server.outbox import Outbox
from server.owner import Owner
from server.redis_url import REDIS_TIMEOUT_S as REDIS_TIMEOUT_S
from server.redis_url import check_server, connect
from server.room_registry import RoomRegistry
from server.rooms import Rooms
from server.store import Store

log = logging.getLogger("cardcade")

WATCH_INTERVAL_S = 1.0


class App:
    """The parts of one server process, wired: the socket side (connections, HTTP routes,
    the hub) meets the room side (the owner loop and its runners) only through the inbox
    (`server.store.Store.push`) and the outbox (`server.outbox`, published by the store)."""

    def __init__(self, config: Config, client: aioredis.Redis, blocking: aioredis.Redis,
                 pubsub: aioredis.Redis | None = None):
        self.config = config
        # The owner of its rooms' leases; an operator maps it to a process (host and pid).
        self.owner_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.metrics = Metrics()
        self.metrics.process = self.owner_id
        self.metrics.max_connections = connection_limit(config.max_connections, fd_limit())
        self.metrics.max_rooms = config.max_rooms
        self.store = Store(client, room_ttl_ms=config.room_ttl_ms)
        self.hub = Hub(pubsub or client, self.metrics)
        out = Outbox(client, config.room_ttl_ms)
        leases = Leases(client, self.owner_id, config.lease_ttl_ms)
        self.owner = Owner(blocking, leases, self.store, out, self.metrics,
                           functools.partial(join_url, config),
                           lambda code: bool(self.hub.rooms.get(code)), config.idle_release_s)
        registry = RoomRegistry(client, cap=config.max_rooms, room_ttl_ms=config.room_ttl_ms)
        self.rooms = Rooms(config, self.store, Inbox(client, config.room_ttl_ms), out, registry,
                           self.owner)
        self.limits = AddressLimits(enabled=config.address_limits)
        self.http = HttpRoutes(self.rooms, self.metrics, client, self.limits)
        self.hub.snapshot = self._snapshot
        self.keepalive = Keepalive(config.ping_s)
        self._watcher: asyncio.Task[None] | None = None

    async def _snapshot(self, member: Member) -> None:
        """Send one socket its snapshot (the hub does after its pub/sub connection is back)."""
        async def send(text: str) -> None:
            await member.ws.send(text)
            self.metrics.messages_out += 1

        await send_snapshot(self.rooms, member, send)

    async def _watch(self) -> None:
        """Take over rooms whose owner went away while this process has sockets in them."""
        while True:
            await asyncio.sleep(WATCH_INTERVAL_S)
            await self.owner.take_over(list(self.hub.rooms))

    async def start(self) -> None:
        self.keepalive.start()
        await self.hub.start()
        await self.owner.start()
        self._watcher = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        """Stop running rooms, and hand them back (release the leases)."""
        if self._watcher:
            self._watcher.cancel()
        await self.owner.stop()
        await self.hub.stop()
        await self.keepalive.stop()
        self.rooms.uploads.close()

    async def handle(self, ws: ServerConnection) -> None:
        assert isinstance(ws, HeardConnection)  # `make_server`'s connection class
        self.keepalive.add(ws)
        try:
            await Connection(ws, self.rooms, self.hub, self.metrics, self.limits).serve()
        finally:
            self.keepalive.remove(ws)


async def make_server(app: App, config: Config) -> Server:
    return await serve(
        app.handle, config.host, config.port,
        process_request=app.http.process_request,
        compression=None,  # small JSON messages: deflate costs more than it saves
        max_size=protocol.MAX_FRAME_BYTES,
        ping_interval=None,  # one task pings every connection (`server.keepalive`)
        max_queue=64,
        reuse_port=config.reuse_port or None,
        create_connection=BodyConnection,  # reads the body of a POST (server/http_body.py)
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
    # Connections are named after the process (CLIENT LIST); a bounded pool for short
    # commands and a client of its own for the blocking read (`server.redis_url`).
    clients = connect(url)
    try:
        await check_server(clients, url)  # connects; refuses a Cluster node named alone
    except BaseException:
        await clients.aclose()
        if embedded:
            embedded.stop()
        raise
    clients.watch()  # with Sentinel: follow the master
    client, blocking = clients.client, clients.blocking
    app = App(config, client, blocking, clients.pubsub)
    server: Server | None = None
    try:
        await app.start()
        server = await make_server(app, config)
        if config.port == 0:
            config.port = server.sockets[0].getsockname()[1]
        print(f"Cardcade is running.\n  Host screen:  {app.rooms.public_url}/host\n"
              f"  Players join: {app.rooms.public_url}/play", flush=True)
        log.info("process %s: the leases of the rooms it runs name it", app.owner_id)
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
        await clients.aclose()
        if embedded:
            embedded.stop()
