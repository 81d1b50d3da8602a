"""Session fixtures: a real Redis server and a real `cardcade serve` process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.embedded_redis import EmbeddedRedis, free_port
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
