"""What the server logs while Redis is away (issue 10): each loop that needs Redis says
once, in one WARNING line, that Redis is unreachable and that it retries, and once, in an
INFO line, that it is back; no traceback for the expected connection errors, which
before filled the log with one per message and one per round trip of the rooms loop.
An unexpected error keeps its traceback."""

from __future__ import annotations

import asyncio
import logging
import re
import signal
import time
import urllib.request
from pathlib import Path

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from server import keys
from server.embedded_redis import EmbeddedRedis
from server.outage import Outage
from tests.client import close_all, room_with_players
from tests.servers import ServerProcess
from tests.test_redis_restart import BOUND_S, QUIZ, reply, sync_until_snapshot

# The loops of a process that need Redis, as their log lines name them: the rooms it runs
# (server/owner.py), its heartbeat (the same), its pub/sub reader (server/hub.py) and the
# messages of its sockets (server/connection.py).
LOOPS = ("rooms loop", "heartbeat", "pub/sub", "messages")
# Away for longer than two heartbeats (one every LEASE_TTL_MS / 3): the heartbeat fails too.
DOWN_S = keys.LEASE_TTL_MS / 1000 / 3 * 2 + 1


def lines_with(log: str, text: str) -> list[str]:
    return [line for line in log.splitlines() if text in line]


async def test_a_redis_outage_is_one_line_per_loop(restartable_redis: EmbeddedRedis,
                                                   tmp_path: Path) -> None:
    server = ServerProcess(restartable_redis.url, tmp_path).start()
    clients = []
    try:
        host, players = await room_with_players(server.ws_url, QUIZ, 2)
        clients = [host, *players]
        await host.host("start")
        for c in clients:
            await c.phase("open", 0)
        before = len(server.log_path.read_text())

        await asyncio.to_thread(restartable_redis.stop)
        for pl in players:  # messages sent meanwhile are refused (one line in all)
            pl.drain()
            await pl.send({"type": "sync"})
            refused = await reply(pl, "room")
            assert refused.get("code") == "unavailable", refused
        await asyncio.sleep(DOWN_S)
        await asyncio.to_thread(restartable_redis.start)
        for c in clients:
            await sync_until_snapshot(c)

        end = time.monotonic() + BOUND_S
        while True:
            log = server.log_path.read_text()[before:]
            if all(lines_with(log, f"{loop}: Redis is back") for loop in LOOPS):
                break
            assert time.monotonic() < end, f"not every loop said Redis is back:\n{log}"
            await asyncio.sleep(0.1)
        print("\n" + log)
        assert "Traceback" not in log
        assert not lines_with(log, " ERROR ")
        for loop in LOOPS:
            down = lines_with(log, f"{loop}: Redis unreachable (")
            back = lines_with(log, f"{loop}: Redis is back (")
            assert len(down) == 1 and len(back) == 1, (loop, down, back)
            assert " WARNING " in down[0] and " INFO " in back[0]
            # What failed, and what the loop does about it.
            assert re.search(r"Redis unreachable \(.*(refused|closed|connect).*\); \w", down[0],
                             re.I), down[0]
            assert re.search(r"tr(y|ies) failed", back[0]), back[0]
    finally:
        await close_all(clients)
        server.stop()


def test_an_unexpected_error_keeps_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    """Only Redis being away is expected: any other error is logged with its traceback,
    each time, and does not count as an outage."""
    outage = Outage(logging.getLogger("test.outage"), "test loop", "trying again")
    caplog.set_level(logging.INFO)
    for _ in range(2):
        try:
            raise ValueError("a bug")
        except ValueError as exc:
            outage.failed(exc)
    assert [r.exc_info is not None and r.levelno for r in caplog.records] == [logging.ERROR] * 2
    assert not outage.down


def test_a_long_outage_is_said_again_every_minute(caplog: pytest.LogCaptureFixture,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """While Redis stays away, a loop says so again every REMIND_S with the latest error
    (an operator reading the log an hour later sees it is still down, and why)."""
    now = [1000.0]
    monkeypatch.setattr("server.outage.time.monotonic", lambda: now[0])
    outage = Outage(logging.getLogger("test.outage"), "test loop", "trying again")
    caplog.set_level(logging.INFO)
    for t in (0, 30, 59, 61, 90, 125):
        now[0] = 1000 + t
        outage.failed(RedisConnectionError(f"refused at +{t}"))
    now[0] = 1130
    outage.ok()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4, lines
    assert "Redis unreachable (refused at +0)" in lines[0]
    assert "still unreachable after 61 s (4 tries failed; the latest: refused at +61)" in lines[1]
    assert "still unreachable after 125 s (6 tries failed; the latest: refused at +125)" \
        in lines[2]
    assert "Redis is back (6 tries failed, the first 130.0 s ago)" in lines[3]


def test_sigusr1_logs_where_every_task_waits(redis_url: str, tmp_path: Path) -> None:
    """`kill -USR1 PID` (docs/deploy.md, for a process that seems stuck): one WARNING
    listing the process's tasks down their chains of awaits; the process runs on."""
    server = ServerProcess(redis_url, tmp_path).start()
    try:
        assert server.process is not None
        server.process.send_signal(signal.SIGUSR1)
        end = time.monotonic() + BOUND_S
        while "tasks:" not in server.log_path.read_text():
            assert time.monotonic() < end, server.log_path.read_text()[-2000:]
            time.sleep(0.05)
        text = server.log_path.read_text()
        listing = text[text.index("tasks:"):]
        # The rooms loop and the heartbeat, by name, each down to the await it waits in.
        assert re.search(r"\n  rooms: _run \(owner\.py:\d+\) -> ", listing), listing
        assert re.search(r"\n  heartbeat: _beat \(owner\.py:\d+\) -> sleep", listing), listing
        assert "Traceback" not in text
        with urllib.request.urlopen(f"{server.http_url}/healthz", timeout=5) as resp:
            assert resp.status == 200
    finally:
        server.stop()
