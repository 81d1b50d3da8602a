"""Uploaded decks over a real server (`cardcade serve`, real Redis): limits and the event loop.

- an upload over a limit (bytes, cards, categories, one field's length) gets `bad_deck`
  with reason "too_large" and a sentence naming the limit, never the file's name or
  content; the socket stays open and creates a room right after;
- while a big (allowed) upload is being read, the same server process answers another
  client's hello and ping, and /healthz, before the upload's reply: the reading happens
  off the event loop (asserted by the order of events, never by a time);
- an upload that takes longer than `--upload-timeout` gets `bad_deck` "too_slow", and a
  worker stuck where no signal reaches it is killed.
"""

from __future__ import annotations

import asyncio
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from game_rules.model import Settings
from server.config import UPLOAD_BYTES, UPLOAD_CARDS, UPLOAD_CATEGORIES, UPLOAD_FIELD_CHARS
from server.deck_source import BadDeck, Prepared
from server.protocol import MAX_FRAME_BYTES, CreateRoom, DeckUpload
from server.uploads import Uploads, prepare_in_worker
from tests.client import GameClient
from tests.servers import ServerProcess

SURNAMES = ("Kotkin", "Fitzpatrick", "Conquest", "Davies", "Viola", "Getty", "Service",
            "Suny", "Lewin", "Carr")
FILENAME = "Secret-Name.csv"  # no message may repeat it


def category(k: int) -> str:
    """Category k as a name of letters ('Kotkin', ..., 'Kotkinb', ...)."""
    suffix, n = "", k // len(SURNAMES)
    while n:
        n, d = divmod(n, 26)
        suffix += "abcdefghijklmnopqrstuvwxyz"[d]
    return SURNAMES[k % len(SURNAMES)] + suffix


def csv_deck(rows: int, categories: int) -> str:
    """A CSV deck whose categories argue, with a date on every tenth card: the costly
    kind to import (aliases, authors, claims, events)."""
    lines = ["prompt,answer,category"]
    for i in range(rows):
        name = category(i % categories)
        year = f" in {1900 + i % 100}" if i % 10 == 0 else ""
        said = f"{name} argues that fact {i} mattered{year}" if i % 2 else f"It was fact {i}{year}"
        lines.append(f"What did card {i} show?,{said},{name}")
    return "\n".join(lines) + "\n"


def upload(text: str, fmt: str | None = "csv", filename: str = FILENAME) -> dict[str, Any]:
    return {"type": "create_room", "upload": {"filename": filename, "text": text, "format": fmt},
            "settings": {"rounds": 3, "round_mix": ["quiz"]}}


QUIZ_CSV = "q,a\n" + "".join(f"question {i},answer {i}\n" for i in range(6))
LONG = "x" * 200_000  # over the csv module's own limit (131,072): it raised `_csv.Error`


@pytest.mark.parametrize(("text", "fmt", "message"), [
    (csv_deck(UPLOAD_CARDS + 1, 10), "csv",
     f"The deck has {UPLOAD_CARDS + 1:,} cards; a deck may have at most {UPLOAD_CARDS:,}."),
    (csv_deck(2 * (UPLOAD_CATEGORIES + 1), UPLOAD_CATEGORIES + 1), "csv",
     f"The deck has {UPLOAD_CATEGORIES + 1:,} categories; a deck may have at most "
     f"{UPLOAD_CATEGORIES:,}."),
    (f"prompt,answer\nfirst,one\nsecond,{LONG}\nthird,three\n", "csv",
     f"A field is longer than 131,072 characters; a field may have at most "
     f"{UPLOAD_FIELD_CHARS:,}."),
    (f"term\tdefinition\nshort\t{'y' * (UPLOAD_FIELD_CHARS + 1)}\nthird\tfourth\n", "quizlet",
     f"Card 2 has a field of {UPLOAD_FIELD_CHARS + 1:,} characters; a field may have at "
     f"most {UPLOAD_FIELD_CHARS:,}."),
    (("q,a\n" + "what,that\n" * 50_000)[:UPLOAD_BYTES + 1], "csv",
     f"The file is {UPLOAD_BYTES + 1:,} bytes; a deck file may be at most {UPLOAD_BYTES:,} "
     f"bytes ({UPLOAD_BYTES // 1024} KiB)."),
], ids=["cards", "categories", "csv-field", "field", "bytes"])
async def test_upload_over_a_limit_is_a_bad_deck(live_server: ServerProcess, text: str,
                                                fmt: str, message: str) -> None:
    host = await GameClient(live_server.ws_url, "host").connect()
    try:
        await host.send(upload(text, fmt))
        err = await host.expect_error("bad_deck", timeout=30)
        assert (err["reason"], err["message"]) == ("too_large", message)
        assert "Secret" not in err["message"] and "xxxx" not in err["message"]
        # The socket is still open, and the same socket creates a room.
        created = await host.create_room({"rounds": 2, "round_mix": ["quiz"]})
        assert created["room"]
    finally:
        await host.close()


def test_the_limits_fit_a_frame() -> None:
    """An upload of the most bytes allowed still fits the frame limit with room for JSON
    (so that too many bytes gets `bad_deck`, not a closed socket)."""
    assert UPLOAD_BYTES <= MAX_FRAME_BYTES * 0.8


def metric(server: ServerProcess, name: str) -> float:
    with urllib.request.urlopen(f"{server.http_url}/metrics", timeout=30) as resp:
        text = resp.read().decode()
    found = re.search(rf"^cardcade_{name} (\S+)$", text, re.M)
    assert found, name
    return float(found.group(1))


def healthz(server: ServerProcess) -> int:
    with urllib.request.urlopen(f"{server.http_url}/healthz", timeout=30) as resp:
        return resp.status


async def test_a_big_upload_does_not_stall_the_server(own_server: ServerProcess) -> None:
    """While a big upload is read, another client's hello and ping, and /healthz, are
    answered before the upload's `created` arrives."""
    text = csv_deck(UPLOAD_CARDS, UPLOAD_CATEGORIES)
    assert len(text.encode()) <= UPLOAD_BYTES
    host = await GameClient(own_server.ws_url, "host").connect()
    other = GameClient(own_server.ws_url, "other")
    events: list[str] = []
    try:
        before = await asyncio.to_thread(metric, own_server, "messages_in_total")
        await host.send(upload(text))
        # Once the server has taken the upload in (its message counted), it is reading
        # it; on the event loop, nothing else would be answered until it is done.
        while await asyncio.to_thread(metric, own_server, "messages_in_total") <= before:
            await asyncio.sleep(0.01)

        async def wait_created() -> None:
            await host.recv_until("created", timeout=60)
            events.append("created")

        created = asyncio.create_task(wait_created())
        await other.connect()
        events.append("welcome")
        await other.send({"type": "ping"})
        await other.recv_until("pong")
        events.append("pong")
        assert await asyncio.to_thread(healthz, own_server) == 200
        events.append("healthz")
        await created
        assert events == ["welcome", "pong", "healthz", "created"]
    finally:
        await host.close()
        await other.close()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                out.append(int(entry.name))
    return out


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
async def test_upload_workers_end_with_their_server(own_server: ServerProcess) -> None:
    """A server killed with SIGKILL cannot stop its upload workers: they end themselves."""
    host = await GameClient(own_server.ws_url, "host").connect()
    try:
        await host.send(upload(csv_deck(20, 4)))
        await host.recv_until("created", timeout=60)
    finally:
        await host.close()
    assert own_server.process is not None
    workers = children(own_server.process.pid)
    assert workers
    own_server.stop(kill=True)
    for _ in range(2000):  # they look once a second
        if not any(running(pid) for pid in workers):
            break
        await asyncio.sleep(0.01)
    assert not any(running(pid) for pid in workers)


@pytest.fixture
def slow_server(redis_url: str, server_logs: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(redis_url, server_logs, "--upload-timeout", "0.3").start()
    yield server
    server.stop(kill=True)


async def test_an_upload_that_takes_too_long_is_a_bad_deck(slow_server: ServerProcess) -> None:
    """Over `--upload-timeout`, the host hears that the deck took too long; the socket
    stays open and the server goes on (a bundled deck's room, then a small upload)."""
    host = await GameClient(slow_server.ws_url, "host").connect()
    try:
        await host.send(upload(csv_deck(UPLOAD_CARDS, UPLOAD_CATEGORIES)))
        err = await host.expect_error("bad_deck", timeout=30)
        assert err["reason"] == "too_slow"
        assert err["message"] == ("The deck took too long to read (more than 0.3 s); try a "
                                  "smaller file.")
        assert (await host.create_room({"rounds": 2}))["room"]
    finally:
        await host.close()


# ------------------------------------------------------------- a worker stuck in C code


def stuck(*_args: Any) -> Prepared:
    """A worker that no signal interrupts: a regular expression that backtracks for
    minutes (a signal's handler only runs when it returns)."""
    re.match(r"(a+)+$", "a" * 40 + "b")
    raise AssertionError("not reached")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
async def test_a_stuck_worker_is_killed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker still busy `GRACE_S` after the time limit is killed, the host hears the
    deck took too long, and the next upload gets a new pool."""
    monkeypatch.setattr("server.uploads.GRACE_S", 0.5)
    monkeypatch.setattr("server.uploads.prepare_in_worker", stuck)
    uploads = Uploads(workers=1, timeout_s=0.2)
    msg = CreateRoom(type="create_room",
                     upload=DeckUpload(filename="a.csv", text=QUIZ_CSV))
    try:
        task = asyncio.create_task(uploads.prepare(msg, Settings(), 1))
        pids: list[int] = []
        while not pids and not task.done():  # the worker, once the pool has started it
            await asyncio.sleep(0.01)
            pool = uploads._pool
            pids = list(pool._processes or {}) if pool is not None else []
        with pytest.raises(BadDeck) as refused:
            await task
        assert refused.value.reason == "too_slow"
        assert pids and uploads._pool is None
        for _ in range(500):
            if not any(running(pid) for pid in pids):
                break
            await asyncio.sleep(0.01)
        assert not any(running(pid) for pid in pids)
        # Its slot is free again: the next upload is read (by a new pool).
        monkeypatch.setattr("server.uploads.prepare_in_worker", prepare_in_worker)
        monkeypatch.setattr("server.uploads.GRACE_S", 30.0)  # a new worker starts first
        uploads.timeout_s = 30.0
        made = await asyncio.wait_for(uploads.prepare(msg, Settings(round_mix=("quiz",)), 1),
                                      60)
        assert made.title == "A"
    finally:
        uploads.close()
