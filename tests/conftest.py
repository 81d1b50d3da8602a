"""Session fixtures: a real Redis server, a real `cardcade serve` process, headless Chromium."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from server.embedded_redis import EmbeddedRedis, free_port
from tests.client import redis_client
from tests.servers import ServerProcess


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL if set, else a redis-server started for this test session."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), port=free_port(), persist=False)
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def restartable_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A redis-server of the test's own (AOF on, fsync every second), free to stop and
    start again on the same port and data folder (`.stop()`, `.start()`)."""
    server = EmbeddedRedis(tmp_path / "redis", port=free_port(), persist=True).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def server_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-logs")


@pytest.fixture(scope="session")
def live_server(redis_url: str, server_logs: Path) -> Iterator[ServerProcess]:
    """One server shared by the tests that do not restart it."""
    server = ServerProcess(redis_url, server_logs).start()
    yield server
    server.stop()


@pytest.fixture
def own_server(redis_url: str, server_logs: Path) -> Iterator[ServerProcess]:
    """A server of the test's own, free to restart or kill."""
    server = ServerProcess(redis_url, server_logs).start()
    yield server
    server.stop(kill=True)


@pytest.fixture
def two_servers(redis_url: str, server_logs: Path) -> Iterator[tuple[ServerProcess, ...]]:
    """Two servers of the test's own on the one Redis, free to kill (a crash: SIGKILL)."""
    servers = (ServerProcess(redis_url, server_logs).start(),
               ServerProcess(redis_url, server_logs).start())
    yield servers
    for server in servers:
        server.stop(kill=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's) driven by Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    from tests.browser_helpers import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A client of the test Redis, for looking at what the server stored."""
    client = redis_client(redis_url)
    yield client
    await client.aclose()
