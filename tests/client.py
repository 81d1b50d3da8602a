"""A scripted WebSocket client for the server tests, and Redis helpers to read a room.

`GameClient` speaks the wire protocol (`server.protocol`) over a real socket. A reader task
records every frame (raw text and parsed), keeps the latest `room`, `me` and `host` views
(by `seq`) and hands messages to `recv_until`, which always gives up after a timeout.

`RoomData` reads a room straight from Redis (key names from `server.keys`): the plan with
each round's secret key, and the state (results with their `elapsed_ms`, scores). Tests
use it to answer right, partly right or wrong on purpose and to check the scores.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server import keys

TIMEOUT = 5.0
VIEW_TYPES = ("room", "me", "host")


class ClientError(AssertionError):
    """Something the test did not expect: a timeout, a closed socket, an unexpected error."""


@dataclass
class Frame:
    raw: str
    msg: dict[str, Any]
    at: float  # time.time() when it arrived


@dataclass
class GameClient:
    ws_url: str
    name: str = "client"
    ws: ClientConnection | None = None
    frames: list[Frame] = field(default_factory=list)  # everything received, in order
    room: dict[str, Any] | None = None  # latest views by seq
    me: dict[str, Any] | None = None
    host_view: dict[str, Any] | None = None
    seq: int = 0  # highest seq seen on any view
    code: str | None = None
    token: str | None = None  # host token or player token
    player_id: str | None = None
    nickname: str | None = None
    welcome: dict[str, Any] | None = None
    close_code: int | None = None

    def __post_init__(self) -> None:
        self._queue: asyncio.Queue[Frame | None] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ socket

    async def open(self, **kwargs: Any) -> GameClient:
        """Open the socket without saying hello (for handshake tests)."""
        self.frames.clear()
        self._queue = asyncio.Queue()
        self.close_code = None
        self.ws = await asyncio.wait_for(connect(self.ws_url, open_timeout=TIMEOUT,
                                                 close_timeout=2, **kwargs), TIMEOUT)
        self._reader = asyncio.create_task(self._read(self.ws), name=f"reader-{self.name}")
        return self

    async def connect(self, versions: list[int] | None = None) -> GameClient:
        """Open the socket and say hello; waits for `welcome`."""
        await self.open()
        await self.send({"type": "hello", "versions": versions or [1]})
        self.welcome = await self.recv_until("welcome")
        return self

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                text = raw if isinstance(raw, str) else raw.decode()
                frame = Frame(text, json.loads(text), time.time())
                self.frames.append(frame)
                self._note(frame.msg)
                self._queue.put_nowait(frame)
        except ConnectionClosed:
            pass
        finally:
            self.close_code = ws.close_code
            self._queue.put_nowait(None)

    def _note(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind in VIEW_TYPES:
            seq = msg["seq"]
            self.seq = max(self.seq, seq)
            attr = "host_view" if kind == "host" else kind
            current = getattr(self, attr)
            if current is None or current["seq"] <= seq:
                setattr(self, attr, msg)

    async def send(self, data: dict[str, Any] | str | bytes) -> None:
        if self.ws is None:
            raise ClientError(f"{self.name}: not connected")
        text = data if isinstance(data, str | bytes) else json.dumps(data)
        await self.ws.send(text)

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 3)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self.ws, self._reader = None, None

    async def wait_closed(self, timeout: float = TIMEOUT) -> int | None:
        """Wait until the server closes the socket; returns the close code."""
        if self._reader is None:
            return self.close_code
        try:
            await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        except TimeoutError:
            raise ClientError(f"{self.name}: socket still open after {timeout}s") from None
        return self.close_code

    # ------------------------------------------------------------------ receiving

    async def recv(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        try:
            frame = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            raise ClientError(f"{self.name}: nothing received in {timeout}s") from None
        if frame is None:
            self._queue.put_nowait(None)  # stay closed for later calls
            raise ClientError(f"{self.name}: connection closed (code {self.close_code})")
        return frame.msg

    async def recv_until(
        self,
        type: str | None = None,
        predicate: Callable[[dict[str, Any]], bool] | None = None,
        *,
        timeout: float = TIMEOUT,
        errors_ok: bool = False,
    ) -> dict[str, Any]:
        """The next message of `type` matching `predicate`; earlier ones are skipped.

        An `error` message that is not asked for fails the test unless `errors_ok`.
        """
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise ClientError(f"{self.name}: no {type or 'message'} matching in {timeout}s")
            msg = await self.recv(left)
            if msg["type"] == "error" and type != "error" and not errors_ok:
                raise ClientError(f"{self.name}: unexpected error {msg}")
            if (type is None or msg["type"] == type) and (predicate is None or predicate(msg)):
                return msg

    async def expect_error(self, code: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        msg = await self.recv_until("error", timeout=timeout)
        assert msg["code"] == code, f"{self.name}: expected error {code}, got {msg}"
        return msg

    async def room_where(self, predicate: Callable[[dict[str, Any]], bool],
                         timeout: float = TIMEOUT) -> dict[str, Any]:
        """The latest room view if it matches, else the next room view that does."""
        if self.room is not None and predicate(self.room):
            return self.room
        return await self.recv_until("room", predicate, timeout=timeout)

    async def phase(self, phase: str, index: int | None = None,
                    timeout: float = TIMEOUT) -> dict[str, Any]:
        """Wait for a room view in `phase` (and round `index`, when given)."""
        def ok(room: dict[str, Any]) -> bool:
            if room["phase"] != phase:
                return False
            return index is None or (room["round"] or {}).get("index") == index

        return await self.room_where(ok, timeout)

    async def me_where(self, predicate: Callable[[dict[str, Any]], bool],
                       timeout: float = TIMEOUT) -> dict[str, Any]:
        if self.me is not None and predicate(self.me):
            return self.me
        return await self.recv_until("me", predicate, timeout=timeout)

    def drain(self) -> list[dict[str, Any]]:
        """Take every message queued so far without waiting (views are kept anyway)."""
        out = []
        while not self._queue.empty():
            frame = self._queue.get_nowait()
            if frame is None:
                self._queue.put_nowait(None)
                break
            out.append(frame.msg)
        return out

    # ------------------------------------------------------------------ protocol

    async def create_room(self, settings: dict[str, Any] | None = None, *,
                          deck: str | None = None, seed: int | None = None) -> dict[str, Any]:
        msg: dict[str, Any] = {"type": "create_room", "settings": settings or {}}
        if deck is not None:
            msg["deck"] = deck
        if seed is not None:
            msg["seed"] = seed
        await self.send(msg)
        created = await self.recv_until("created")
        self.code, self.token = created["room"], created["host_token"]
        await self.recv_until("host")  # the snapshot: room, then host view
        return created

    async def join(self, code: str, nickname: str) -> dict[str, Any]:
        """Join as a player; returns `joined` (an `error` fails the test)."""
        await self.send({"type": "join", "room": code, "nickname": nickname})
        joined = await self.recv_until("joined")
        self.code, self.token, self.player_id = joined["room"], joined["token"], joined["player_id"]
        self.nickname = nickname
        await self.recv_until("me")  # the snapshot: room, then me
        return joined

    async def join_refused(self, code: str, nickname: str) -> str:
        """Try to join; returns the error code (a `joined` fails the test)."""
        await self.send({"type": "join", "room": code, "nickname": nickname})
        msg = await self.recv_until(predicate=lambda m: m["type"] in ("error", "joined"),
                                    errors_ok=True)
        assert msg["type"] == "error", f"{self.name}: join went through: {msg}"
        return msg["code"]

    async def resume(self, code: str | None = None, token: str | None = None) -> dict[str, Any]:
        """Resume with a token; returns the room view of the snapshot (the `me` or `host`
        view that follows it is waited for too)."""
        code, token = code or self.code, token or self.token
        await self.send({"type": "resume", "room": code, "token": token})
        room = await self.recv_until("room")
        self.code, self.token = code, token
        await self.recv_until("host" if self.player_id is None else "me")
        return room

    async def resume_refused(self, code: str, token: str) -> str:
        """Try to resume; returns the error code (a snapshot fails the test)."""
        await self.send({"type": "resume", "room": code, "token": token})
        msg = await self.recv_until(predicate=lambda m: m["type"] in ("error", "room"),
                                    errors_ok=True)
        assert msg["type"] == "error", f"{self.name}: resume went through: {msg}"
        return msg["code"]

    async def reconnect(self) -> dict[str, Any]:
        """Close the socket, open a new one and resume with the token."""
        await self.close()
        await self.connect()
        return await self.resume()

    async def answer(self, round_index: int, answer: dict[str, Any]) -> None:
        await self.send({"type": "answer", "round": round_index, "answer": answer})

    async def answer_acked(self, round_index: int, answer: dict[str, Any]) -> dict[str, Any]:
        await self.answer(round_index, answer)
        return await self.recv_until("ack", lambda m: m["round"] == round_index)

    async def host(self, action: str) -> None:
        await self.send({"type": "host", "action": action})

    async def sync(self) -> dict[str, Any]:
        await self.send({"type": "sync"})
        return await self.recv_until("room")

    # ------------------------------------------------------------------ checks

    def views(self, kind: str) -> list[dict[str, Any]]:
        return [f.msg for f in self.frames if f.msg.get("type") == kind]

    def raw_texts(self) -> list[str]:
        return [f.raw for f in self.frames]


async def connect_many(ws_url: str, n: int, prefix: str = "player") -> list[GameClient]:
    clients = [GameClient(ws_url, f"{prefix}{i}") for i in range(n)]
    await asyncio.gather(*(c.connect() for c in clients))
    return clients


async def close_all(clients: list[GameClient]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


# ---------------------------------------------------------------------- Redis side


@dataclass
class RoomData:
    """A room as stored in Redis."""

    redis: aioredis.Redis
    code: str

    @property
    def keys(self) -> keys.RoomKeys:
        return keys.room_keys(self.code)

    async def game(self) -> dict[str, Any]:
        raw = await self.redis.get(self.keys.game)
        assert raw is not None, f"room {self.code}: no game in Redis"
        return json.loads(raw)

    async def plan(self) -> list[dict[str, Any]]:
        return (await self.game())["plan"]

    async def state_hash(self) -> dict[str, Any]:
        raw = await self.redis.hgetall(self.keys.state)
        return {k.decode(): v.decode() for k, v in raw.items()}

    async def state(self) -> dict[str, Any]:
        """The room's state put together from its hashes: its own fields, the players,
        and the answers to the current round (of players still in the room)."""
        raw = await self.redis.hget(self.keys.state, "state")
        assert raw is not None, f"room {self.code}: no state in Redis"
        state = json.loads(raw)
        state["players"] = await self.players()
        prefix = f"{state['round_index']}:"
        state["results"] = {
            field[len(prefix):]: value for field, value in (await self.answers()).items()
            if field.startswith(prefix) and field[len(prefix):] in state["players"]
        }
        return state

    async def players(self) -> dict[str, Any]:
        raw = await self.redis.hgetall(self.keys.players)
        return {pid.decode(): json.loads(v) for pid, v in raw.items()}

    async def answers(self) -> dict[str, Any]:
        """Every answer accepted in the room, by "ROUND:PLAYER_ID"."""
        raw = await self.redis.hgetall(self.keys.answers)
        return {field.decode(): json.loads(v) for field, v in raw.items()}

    async def version(self) -> int:
        return int(await self.redis.hget(self.keys.state, "version") or 0)

    async def lease(self) -> str:
        """The id of the process that runs the room ('' if none)."""
        raw = await self.redis.get(self.keys.lease)
        return raw.decode() if raw else ""

    async def leaderboard(self) -> dict[str, int]:
        rows = await self.redis.zrange(self.keys.leaderboard, 0, -1, withscores=True)
        return {pid.decode(): int(score) for pid, score in rows}

    async def scores(self) -> dict[str, int]:
        return {pid: pl["score"] for pid, pl in (await self.state())["players"].items()}

    async def snapshot(self) -> dict[str, Any]:
        """What must not change when a bad message is refused."""
        state = await self.state()
        return {"version": await self.version(), "state": state,
                "lb": await self.leaderboard()}


def redis_client(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)


# ---------------------------------------------------------------------- answers


def answer_for(rnd: dict[str, Any], how: str, variant: int = 0) -> dict[str, Any]:
    """An answer to `rnd` (a plan entry) that is "right", "partial" or "wrong".

    quiz has no partial credit: "partial" is a wrong option too (`variant` picks which).
    match "partial": two right items swapped; sort "partial": one item in a wrong bucket;
    order "partial": the first two events swapped. "wrong" gets nothing right.
    """
    kind, key = rnd["kind"], rnd["key"]
    if kind == "quiz":
        if how == "right":
            return {"choice": key["correct"]}
        wrong = [o for o in key["options"] if o != key["correct"]]
        return {"choice": wrong[(variant + (how == "partial")) % len(wrong)]}
    if kind == "match":
        lefts = list(key["pairs"])
        rights = [key["pairs"][left] for left in lefts]
        if how == "partial":
            rights[0], rights[1] = rights[1], rights[0]
        elif how == "wrong":
            rights = rights[1:] + rights[:1]
        return {"pairs": dict(zip(lefts, rights, strict=True))}
    if kind == "sort":
        placement = dict(key["placement"])
        buckets = sorted(set(placement.values()))
        items = list(placement)
        def other(bucket: str) -> str:
            return buckets[(buckets.index(bucket) + 1) % len(buckets)]
        if how == "partial":
            placement[items[0]] = other(placement[items[0]])
        elif how == "wrong":
            placement = {item: other(bucket) for item, bucket in placement.items()}
        return {"placement": placement}
    if kind == "order":
        order = list(key["order"])
        if how == "partial":
            order[0], order[1] = order[1], order[0]
        elif how == "wrong":
            order.reverse()
        return {"order": order}
    raise ValueError(f"unknown round kind {kind!r}")


async def room_with_players(ws_url: str, settings: dict[str, Any], n: int, *,
                            seed: int = 7, prefix: str = "Player") -> tuple[
                                GameClient, list[GameClient]]:
    """A host with a new room and `n` players joined one by one (nicknames prefix 0..n-1)."""
    host = await GameClient(ws_url, "host").connect()
    await host.create_room(settings, seed=seed)
    assert host.code is not None
    players = await connect_many(ws_url, n, prefix.lower())
    for i, pl in enumerate(players):
        await pl.join(host.code, f"{prefix} {i}")
    await host.room_where(lambda r: r["players"] == n)
    return host, players


@dataclass
class OpenRound:
    """A room in round 0 (a host and two players) and a stranger connected in no room: for
    tests that send something wrong and check that nothing changed."""

    host: GameClient
    ann: GameClient
    bob: GameClient
    data: RoomData
    plan: list[dict[str, Any]]
    stranger: GameClient  # said hello, in no room

    async def intact(self, before: dict[str, Any], phase: str = "open") -> None:
        """State, version and leaderboard as before (a wrongly accepted event had time to
        be applied), the room still in `phase`, and the server still answering."""
        await asyncio.sleep(0.1)
        assert await self.data.snapshot() == before
        view = await self.host.sync()
        assert view["seq"] == before["version"] and view["phase"] == phase
        await self.stranger.send({"type": "ping"})
        await self.stranger.recv_until("pong")

    async def close(self) -> None:
        await close_all([self.host, self.ann, self.bob, self.stranger])


async def open_round(ws_url: str, redis: aioredis.Redis,
                     settings: dict[str, Any]) -> OpenRound:
    host, (ann, bob) = await room_with_players(ws_url, settings, 2)
    stranger = await GameClient(ws_url, "stranger").connect()
    assert host.code is not None
    data = RoomData(redis, host.code)
    plan = await data.plan()
    await host.host("start")
    for c in (host, ann, bob):
        await c.phase("open", 0)
    return OpenRound(host, ann, bob, data, plan, stranger)
