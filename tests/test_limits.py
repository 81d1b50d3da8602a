"""Limits: players per room, live rooms per server (in Redis), connections per process."""

from __future__ import annotations

import asyncio
import socket
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from websockets.exceptions import InvalidStatus

from server import keys
from server.cli import build_parser
from server.config import MAX_ROOMS, connection_limit
from server.embedded_redis import EmbeddedRedis, free_port
from server.protocol import MAX_PLAYERS
from server.serve_cmd import worker_command
from tests.client import GameClient, RoomData, close_all, redis_client
from tests.servers import ServerProcess

# ---------------------------------------------------------------------- players per room


async def test_a_room_takes_up_to_10000_players(live_server: ServerProcess,
                                                redis_url: str) -> None:
    assert MAX_PLAYERS == 10_000
    host = await GameClient(live_server.ws_url, "host").connect()
    redis = redis_client(redis_url)
    try:
        await host.create_room({"max_players": MAX_PLAYERS})
        assert host.code is not None
        game = await RoomData(redis, host.code).game()
        assert game["settings"]["max_players"] == MAX_PLAYERS

        other = await GameClient(live_server.ws_url, "other").connect()
        try:
            await other.send({"type": "create_room", "settings": {"max_players": MAX_PLAYERS + 1}})
            error = await other.expect_error("malformed")
            assert "max_players" in error["message"]
            await other.send({"type": "ping"})  # refused, still connected and in no room
            await other.recv_until("pong")
        finally:
            await other.close()
    finally:
        await host.close()
        await redis.aclose()


# ---------------------------------------------------------------------- rooms per server


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[str]:
    """A Redis of the test's own: the room registry is server-wide, and the other tests'
    rooms in the shared Redis would count against a small cap."""
    server = EmbeddedRedis(tmp_path / "redis", port=free_port(), persist=False).start()
    yield server.url
    server.stop()


@pytest.fixture
async def private_client(private_redis: str) -> AsyncIterator[aioredis.Redis]:
    client = redis_client(private_redis)
    yield client
    await client.aclose()


def room_codes_in(names: list[bytes]) -> set[str]:
    """The room codes that have keys among `names` (keys named `cardcade:{r:CODE}:...`)."""
    codes = set()
    for name in names:
        text = name.decode()
        if text.startswith(f"{keys.PREFIX}:{{r:"):
            codes.add(text.split("{r:", 1)[1].split("}", 1)[0])
    return codes


async def test_room_cap_refuses_with_server_full_and_leaves_nothing(
        private_redis: str, private_client: aioredis.Redis, tmp_path: Path) -> None:
    server = ServerProcess(private_redis, tmp_path, "--max-rooms", "2").start()
    clients: list[GameClient] = []
    try:
        first, second, third = clients = [
            await GameClient(server.ws_url, f"host{i}").connect() for i in range(3)]
        await first.create_room()
        await second.create_room()
        codes = {first.code, second.code}

        await third.send({"type": "create_room"})
        error = await third.expect_error("server_full")
        assert error["message"] == ("This server is running its maximum of 2 games; "
                                    "try again later.")
        await third.send({"type": "ping"})  # the connection stays open, in no room
        await third.recv_until("pong")
        await asyncio.sleep(0.2)

        # Nothing left behind: only the two rooms have keys, and the registry holds their
        # codes (no placeholder of the refused one).
        registry = await private_client.zrange(keys.ROOMS, 0, -1)
        assert {m.decode() for m in registry} == codes
        assert room_codes_in(await private_client.keys("*")) == codes

        # The cap is on new rooms: joining one that exists still works.
        assert first.code is not None
        player = await GameClient(server.ws_url, "player").connect()
        clients.append(player)
        await player.join(first.code, "Ana")

        metrics = await asyncio.to_thread(_read, f"{server.http_url}/metrics")
        assert "cardcade_max_rooms 2\n" in metrics
        assert 'cardcade_errors_total{code="server_full"} 1\n' in metrics
    finally:
        await close_all(clients)
        server.stop()


async def test_room_cap_holds_when_creations_race(
        private_redis: str, private_client: aioredis.Redis, tmp_path: Path) -> None:
    servers = [ServerProcess(private_redis, tmp_path, "--max-rooms", "3").start()
               for _ in range(2)]
    clients = [GameClient(servers[i % 2].ws_url, f"host{i}") for i in range(10)]
    try:
        await asyncio.gather(*(c.connect() for c in clients))
        await asyncio.gather(*(c.send({"type": "create_room"}) for c in clients))
        replies = await asyncio.gather(*(c.recv_until(
            predicate=lambda m: m["type"] in ("created", "error"), errors_ok=True)
            for c in clients))
        outcomes = sorted(m["type"] if m["type"] == "created" else m["code"] for m in replies)
        assert outcomes == ["created"] * 3 + ["server_full"] * 7
        created = {m["room"] for m in replies if m["type"] == "created"}
        registry = await private_client.zrange(keys.ROOMS, 0, -1)
        assert {m.decode() for m in registry} == created
    finally:
        await close_all(clients)
        for server in servers:
            server.stop()


async def test_room_cap_frees_a_place_when_a_room_expires(
        private_redis: str, private_client: aioredis.Redis, tmp_path: Path) -> None:
    server = ServerProcess(private_redis, tmp_path, "--max-rooms", "1",
                           "--room-ttl", "1.5").start()
    host = await GameClient(server.ws_url, "host").connect()
    try:
        await host.create_room()
        other = await GameClient(server.ws_url, "other").connect()
        try:
            await other.send({"type": "create_room"})
            await other.expect_error("server_full")
            end = time.monotonic() + 10
            while True:  # the first room stops counting 1.5 s after its creation
                await asyncio.sleep(0.3)
                await other.send({"type": "create_room"})
                msg = await other.recv_until(
                    predicate=lambda m: m["type"] in ("created", "error"), errors_ok=True)
                if msg["type"] == "created":
                    break
                assert msg["code"] == "server_full"
                assert time.monotonic() < end, "the expired room still counts"
            registry = await private_client.zrange(keys.ROOMS, 0, -1)
            assert [m.decode() for m in registry] == [msg["room"]]
        finally:
            await other.close()
    finally:
        await host.close()
        server.stop()


# ---------------------------------------------------------------------- connections


def _read(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.read().decode()


def _bad_handshake(port: int) -> bytes:
    """A WebSocket upgrade without a key: admitted by the cap, then refused (400)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
        return sock.recv(200)


@pytest.fixture
def capped_server(redis_url: str, server_logs: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(redis_url, server_logs, "--max-connections", "2").start()
    yield server
    server.stop()


async def open_refused(url: str) -> InvalidStatus:
    with pytest.raises(InvalidStatus) as refused:
        await GameClient(url, "refused").open()
    return refused.value


async def test_connection_cap_refuses_handshakes_with_503(capped_server: ServerProcess) -> None:
    url = capped_server.ws_url
    host = await GameClient(url, "host").connect()
    ana = await GameClient(url, "ana").connect()
    late: GameClient | None = None
    try:
        refused = await open_refused(url)
        assert refused.response.status_code == 503
        assert b"limit of 2 connections" in refused.response.body
        assert refused.response.headers["Retry-After"] == "10"
        assert await asyncio.to_thread(_read, f"{capped_server.http_url}/healthz") == "ok\n"

        # The two connections in play keep working.
        await host.create_room({"round_mix": ["quiz"], "rounds": 1})
        assert host.code is not None
        await ana.join(host.code, "Ana")
        await host.host("start")
        await ana.phase("open", 0)

        metrics = await asyncio.to_thread(_read, f"{capped_server.http_url}/metrics")
        assert "cardcade_max_connections 2\n" in metrics
        assert "cardcade_connections_refused_total 1\n" in metrics

        # A closed connection gives its place back.
        await ana.close()
        end = time.monotonic() + 5
        while True:
            try:
                late = await GameClient(url, "late").connect()
                break
            except InvalidStatus:
                assert time.monotonic() < end, "the closed connection still counts"
                await asyncio.sleep(0.1)
    finally:
        await close_all([host, ana] + ([late] if late else []))


async def test_a_failed_handshake_gives_its_place_back(capped_server: ServerProcess) -> None:
    for _ in range(3):
        reply = await asyncio.to_thread(_bad_handshake, capped_server.port)
        assert reply.startswith(b"HTTP/1.1 400")
    await asyncio.sleep(0.2)
    clients = [await GameClient(capped_server.ws_url, f"c{i}").connect() for i in range(2)]
    try:
        refused = await open_refused(capped_server.ws_url)
        assert refused.response.status_code == 503
    finally:
        await close_all(clients)


# ---------------------------------------------------------------------- the command line


def test_limit_flags_parse_and_reach_the_workers() -> None:
    args = build_parser().parse_args(["serve", "--max-rooms", "5", "--max-connections", "7"])
    assert (args.max_rooms, args.max_connections) == (5, 7)
    command = worker_command(args, "redis://example:6379/0")
    assert command[command.index("--max-rooms") + 1] == "5"
    assert command[command.index("--max-connections") + 1] == "7"

    defaults = build_parser().parse_args(["serve"])
    assert (defaults.max_rooms, defaults.max_connections) == (MAX_ROOMS, 0)
    assert MAX_ROOMS == 20_000


def test_default_connection_limit_follows_the_open_file_limit() -> None:
    assert connection_limit(0, 20_000) == 19_000  # 1,000 descriptors kept for the rest
    assert connection_limit(0, 1024) == 512  # half, on a low limit
    assert connection_limit(0, None) == 10_000  # unknown or unlimited
    assert connection_limit(2, 20_000) == 2
    assert connection_limit(50_000, 20_000) == 19_000  # never more than the descriptors
    assert connection_limit(50_000, None) == 50_000
