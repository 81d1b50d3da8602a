"""Refused uploads that a host may try again, over a real server (server/uploads.py):

- `bad_deck` reason "busy": with every worker reading and every waiting place taken
  (UPLOAD_WORKERS x (1 + QUEUE_PER_WORKER) uploads), one more upload is refused at once;
  the host that tries again with backoff gets its room once the others are read, and none
  of the others was refused;
- `bad_deck` reason "too_slow" (over `--upload-timeout`): the same socket then uploads the
  deck in a smaller part and gets its room.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.config import UPLOAD_CARDS, UPLOAD_CATEGORIES, UPLOAD_WORKERS
from server.uploads import QUEUE_PER_WORKER
from tests.client import GameClient, close_all
from tests.servers import ServerProcess
from tests.test_uploads import QUIZ_CSV, csv_deck, metric, upload

BIG = csv_deck(UPLOAD_CARDS, UPLOAD_CATEGORIES)  # the biggest deck allowed: slow to read
PLACES = UPLOAD_WORKERS * (1 + QUEUE_PER_WORKER)  # uploads read or waiting, at most


@pytest.fixture
def upload_server(redis_url: str, server_logs: Path) -> Iterator[ServerProcess]:
    """A server of the test's own (its upload workers are all this test's) whose workers
    give up on a deck after 1 s, so that the queue drains in seconds."""
    server = ServerProcess(redis_url, server_logs, "--upload-timeout", "1").start()
    yield server
    server.stop(kill=True)


async def reply(client: GameClient) -> dict[str, Any]:
    return await client.recv_until(predicate=lambda m: m["type"] in ("created", "error"),
                                   errors_ok=True, timeout=60)


async def test_busy_then_a_retry_gets_its_room(upload_server: ServerProcess) -> None:
    url = upload_server.ws_url
    others = [await GameClient(url, f"uploader{i}").connect() for i in range(PLACES)]
    host = await GameClient(url, "host").connect()
    try:
        before = await asyncio.to_thread(metric, upload_server, "messages_in_total")
        for other in others:
            await other.send(upload(BIG))
        # Every upload taken in: a message is counted, then put in a place, in one step
        # of the server's loop (nothing it awaits comes between).
        while (await asyncio.to_thread(metric, upload_server, "messages_in_total")
               < before + PLACES):
            await asyncio.sleep(0.01)
        await host.send(upload(QUIZ_CSV))
        refused = await reply(host)
        assert (refused["type"], refused.get("code"), refused.get("reason")) == (
            "error", "bad_deck", "busy"), refused
        assert refused["message"] == ("The server is reading many decks just now; try again "
                                      "in a moment.")

        started, tries, wait = time.monotonic(), 1, 0.5
        while True:
            await asyncio.sleep(wait)
            await host.send(upload(QUIZ_CSV))
            got = await reply(host)
            tries += 1
            if got["type"] == "created":
                break
            assert (got["code"], got["reason"]) == ("bad_deck", "busy"), got
            assert time.monotonic() - started < 120, "still busy after 2 minutes"
            wait = min(4.0, wait * 2)
        print(f"\nthe host got its room at try {tries}, "
              f"{time.monotonic() - started:.1f} s after the first refusal")
        assert got["room"]

        outcomes = [await reply(other) for other in others]
        seen = sorted((m["type"], m.get("reason")) for m in outcomes)
        print(f"the {PLACES} uploads it waited for: {seen}")
        # Each was read or ran out of time; none was refused for lack of a place.
        assert all(m["type"] == "created" or m["reason"] == "too_slow" for m in outcomes), seen
    finally:
        await close_all([*others, host])


@pytest.fixture
def slow_server(redis_url: str, server_logs: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(redis_url, server_logs, "--upload-timeout", "0.3").start()
    yield server
    server.stop(kill=True)


async def test_too_slow_then_a_smaller_upload_gets_its_room(slow_server: ServerProcess) -> None:
    """After a deck that took too long, the host's next upload on the same socket is read
    (by the same workers: a timer that went off leaves them usable)."""
    host = await GameClient(slow_server.ws_url, "host").connect()
    try:
        await host.send(upload(BIG))
        err = await host.expect_error("bad_deck", timeout=30)
        assert err["reason"] == "too_slow"
        part = "\n".join(BIG.splitlines()[:41]) + "\n"  # its first 40 cards
        await host.send(upload(part))
        created = await host.recv_until("created", timeout=60)
        assert created["room"] and created["plan"]["rounds"] == 3
    finally:
        await host.close()
