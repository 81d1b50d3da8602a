"""Limits per client address: token buckets for connections, joins and rooms created, and a
throttle on wrong room codes and tokens (on the WebSocket and on /qr/), over a real server
with the limits on, as `cardcade serve` starts by default."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from server import address_limits
from server.address_limits import AddressLimits, Rate, TokenBucket
from tests.servers import ServerProcess


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(address_limits.time, "monotonic", fake)
    return fake


def test_a_bucket_gives_its_burst_then_its_rate(clock: Clock) -> None:
    bucket = TokenBucket(rate=2, burst=3)
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.5  # one token back
    assert bucket.take() and not bucket.take()
    clock.now += 100  # never more than the burst
    assert [bucket.take() for _ in range(4)] == [True, True, True, False]


def test_addresses_are_counted_apart_and_guesses_throttled(
        clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    limits = AddressLimits({"connect": Rate(2, 1), "join": Rate(2, 1), "create": Rate(1, 0.1),
                            "guess": Rate(3, 1)})
    assert [limits.allow("join", "10.0.0.1") for _ in range(3)] == [True, True, False]
    assert limits.allow("join", "10.0.0.2")  # another address has its own bucket
    assert limits.allow("create", "10.0.0.1")  # and another kind its own
    for _ in range(3):
        assert not limits.guessing_blocked("10.0.0.1")
        limits.guessed_wrong("10.0.0.1")
    assert limits.guessing_blocked("10.0.0.1") and not limits.guessing_blocked("10.0.0.2")
    clock.now += 1  # one more guess a second
    assert not limits.guessing_blocked("10.0.0.1")
    off = AddressLimits(enabled=False)
    assert all(off.allow("create", "10.0.0.1") for _ in range(1000))
    for _ in range(1000):
        off.guessed_wrong("10.0.0.1")
    assert not off.guessing_blocked("10.0.0.1")
    monkeypatch.setattr(address_limits, "MAX_ADDRESSES", 2)
    for i in range(5):
        limits.allow("connect", f"10.1.0.{i}")
    assert len(limits._buckets["connect"]) == 2  # the least recently used went


@pytest.fixture
def limited_server(redis_url: str, server_logs: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(redis_url, server_logs, address_limits=True).start()
    yield server
    server.stop()


async def open_ws(url: str) -> ClientConnection:
    ws = await connect(url)
    await ws.send(json.dumps({"type": "hello", "versions": [1]}))
    assert json.loads(await ws.recv())["type"] == "welcome"
    return ws


async def ask(ws: ClientConnection, msg: dict[str, Any]) -> dict[str, Any]:
    await ws.send(json.dumps(msg))
    while True:
        reply = json.loads(await ws.recv())
        if reply["type"] in ("error", "created", "joined", "room"):
            return reply


def qr_status(server: ServerProcess, code: str) -> int:
    try:
        with urllib.request.urlopen(f"{server.http_url}/qr/{code}.svg", timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


async def test_wrong_codes_and_tokens_are_throttled(limited_server: ServerProcess) -> None:
    guesses = address_limits.RATES["guess"].burst
    host = await open_ws(limited_server.ws_url)
    code = (await ask(host, {"type": "create_room", "deck": "soviet-union-1928-41"}))["room"]
    assert qr_status(limited_server, code) == 200
    assert qr_status(limited_server, "ZZZZZZ") == 404  # one wrong guess
    sockets = [await open_ws(limited_server.ws_url) for _ in range(5)]
    replies = []
    for i in range(int(guesses) - 1):  # the rest of the guesses, a few per socket
        ws = sockets[i % len(sockets)]
        if i % 2:
            replies.append(await ask(ws, {"type": "resume", "room": code, "token": f"x{i}"}))
        else:
            replies.append(await ask(ws, {"type": "join", "room": "ZZZZZZ", "nickname": "X"}))
    assert {r.get("code") for r in replies} == {"bad_token", "unknown_room"}
    refused = await ask(sockets[0], {"type": "join", "room": code, "nickname": "Ann"})
    assert refused["code"] == "too_many_attempts"  # even for a room that exists
    assert "ZZZZZZ" not in refused["message"]
    assert qr_status(limited_server, code) == 429
    for ws in (host, *sockets):
        await ws.close()


async def test_rooms_created_per_address_are_limited(limited_server: ServerProcess) -> None:
    burst = int(address_limits.RATES["create"].burst)
    replies = []
    for _ in range(burst + 1):
        ws = await open_ws(limited_server.ws_url)
        replies.append(await ask(ws, {"type": "create_room", "deck": "soviet-union-1928-41"}))
        await ws.close()
    assert [r["type"] for r in replies[:burst]] == ["created"] * burst
    assert replies[-1]["type"] == "error" and replies[-1]["code"] == "rate_limited"
