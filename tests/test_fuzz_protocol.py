"""Fuzzing the wire protocol over a live server while real games run (issue 10).

300 sockets send at least 100,000 messages to one `cardcade serve` process of this test's
own: messages of every client type with a field of the wrong JSON type, out of range,
huge (10**400, 1e400, 9 repeated 5,000 times), deeply nested (up to 50,000 levels),
missing or extra, odd Unicode and lone surrogates as JSON escapes, damaged JSON, text
that is not JSON or not an object, binary frames, invalid UTF-8 (in binary frames and, as
the client library allows, in text frames), frames over the size limit, bad first
messages, and valid messages out of place (an answer before joining, host commands from
players, a second hello, a wrong token, an answer to no round). Some sockets host rooms
of their own and some play in them, so the out-of-place messages meet rooms in every
phase. Meanwhile three real games in other rooms are played through every round with
known answers.

Each socket sends one message and waits for its reply before the next (so every reply is
attributed), paced under the server's 30-message burst and 10/s per socket; the reply
expected is worked out from the message (`tests.fuzz_strategies.invalid`: the protocol's
own strict adapter) and from where the socket is (no room, host, player). A socket the
server closes (1002, 1007, 1009) reconnects, says hello again and resumes. A few sockets
never say hello (closed with 1008).

Checks: every message got its reply (an `error` with a code the protocol documents for
that message and that sender, the valid reply, or the documented close code); no frame
holds a traceback; the server is alive and logged no error; the three games end at the
podium with exactly the scores the rules give.

`CARDCADE_FUZZ_SEED` replays a run (its seed is printed; the interleaving of the sockets
still varies); `CARDCADE_FUZZ_MESSAGES` changes the number of messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from server import protocol as p
from server.connection import RATE_BURST, RATE_PER_S
from server.protocol import describe_error
from tests import fuzz_strategies as fz
from tests.client import GameClient, RoomData, answer_for, close_all
from tests.servers import ServerProcess
from tests.test_server_game import expected_points

TARGET = int(os.environ.get("CARDCADE_FUZZ_MESSAGES", "100000"))
SOCKETS = 300
HOSTS, PLAYERS = 20, 60  # sockets that host a fuzz room, and that play in one
REPLY_TIMEOUT_S = 20.0
# Pacing per socket, under the server's limits (30 at once, then 10 a second).
PACE_PER_S, PACE_BURST = RATE_PER_S * 0.9, RATE_BURST - 2

# The error codes of docs/protocol.md, section 11.
DOCUMENTED_CODES = {
    "malformed", "unsupported_version", "already_in_room", "not_in_room", "not_host",
    "not_player", "bad_deck", "unknown_room", "bad_token", "kicked", "rate_limited",
    "too_many_attempts", "unavailable", "server_full", "nickname_invalid", "bad_nickname",
    "nickname_blocked", "nickname_taken", "already_joined", "game_over", "room_locked",
    "game_started", "room_full", "unknown_player", "wrong_round", "round_closed", "paused",
    "already_answered", "invalid_answer", "bad_phase", "no_players", "bad_action", "bad_value",
}
MALFORMED = frozenset({"error:malformed"})
# A host's commands that go to the room's owner: sent with a fence (`Worker.fenced`).
FENCED = {"valid:host:host", "valid:add_time:host"}
# Replies that come on their own (not to a message): views, skipped unless asked for.
VIEWS = {"room", "host", "me"}
LEAKS = ("Traceback", "Internal", 'File "', "Exception")

# Three games in other rooms: every kind, accuracy only (speed scoring off), three
# players each answering by a fixed pattern.
GAMES = 3
GAME_PLAYERS = 3
GAME_SETTINGS = {"rounds": 4, "round_mix": ["quiz", "match", "sort", "order"], "points": 1000,
                 "time_limit_s": 300, "speed_scoring": False}
HOWS = ("right", "partial", "wrong")

BAD_NICKNAMES = ["   ", "\u200b", "a\u0000b", "\u0301", "Z̷̢̛a̶̡l̴̢g̷o̶", "x" * 21, "\u202eabc",
                 "\ufeff", "a\u200db", "\U000f0000", "\u3164", "e\u0301\u0301\u0301"]
BAD_UPLOADS = ["\x00", "}}}", "a", "term,definition\n", "# nothing\n", "[[cards]]\n", "\ufeff"]


@dataclass(frozen=True)
class Probe:
    """One fuzz message: what is sent, how, and the replies it may get.

    `expect` holds reply tokens: a message type (`pong`, `room`, ...), `error:CODE`, or
    `close:CODE` for a documented close. `then_close`: the server must close after the reply.
    """

    label: str
    data: str | bytes
    expect: frozenset[str]
    frame: str = "text"  # "text", "binary", or "bytes_as_text" (invalid UTF-8 as text)
    then_close: int | None = None


@dataclass
class Stats:
    sent: int = 0
    answered: int = 0
    bytes: int = 0
    replies: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    closes: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)  # the fuzz rooms, for strangers to aim at
    stopping: bool = False  # the test is closing the sockets: nothing more counts

    def fail(self, text: str) -> None:
        if len(self.failures) < 200 and not self.stopping:
            self.failures.append(text)


def _short(data: str | bytes, n: int = 160) -> str:
    text = repr(data)
    return text if len(text) <= n else f"{text[:n]}… ({len(data)} long)"


class Worker:
    """One fuzzing socket and its identity (a room's host or player, or none)."""

    def __init__(self, n: int, url: str, seed: int, stats: Stats, role: str):
        self.n, self.url, self.stats, self.role = n, url, stats, role
        self.rng = random.Random(f"{seed}:{n}")
        self.ws: ClientConnection | None = None
        self.code: str | None = None
        self.token: str | None = None
        self.tokens = PACE_BURST
        self.refill = time.monotonic()
        self.round: dict[str, Any] | None = None  # the room's round, from the last room view
        self.phase = "lobby"  # and its phase

    # ------------------------------------------------------------------ socket

    async def _open(self) -> ClientConnection:
        for attempt in range(20):
            try:
                return await connect(self.url, max_size=None, compression=None,
                                     ping_interval=None, close_timeout=2, open_timeout=20)
            except (OSError, InvalidStatus, TimeoutError):
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError(f"socket {self.n}: cannot connect")

    async def _drop(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 3)
        self.ws = None

    async def _connect(self) -> None:
        """A new socket (a new server-side bucket), hello, and resume if we had a room."""
        await self._drop()
        self.ws = await self._open()
        self.tokens, self.refill = PACE_BURST, time.monotonic()
        versions = self.rng.choice([[1], [1], [1, 2], [99, 1], [1, 1, 1]])
        await self.exchange(Probe("valid:hello", json.dumps({"type": "hello",
                                                             "versions": versions}),
                                  frozenset({"welcome"})))
        if self.token is not None and self.ws is not None:
            await self.exchange(Probe("valid:resume", json.dumps(
                {"type": "resume", "room": self.code, "token": self.token}),
                frozenset({"room"})))

    async def _pace(self) -> None:
        while True:
            now = time.monotonic()
            self.tokens = min(PACE_BURST, self.tokens + (now - self.refill) * PACE_PER_S)
            self.refill = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            await asyncio.sleep((1 - self.tokens) / PACE_PER_S)

    async def exchange(self, probe: Probe) -> str | None:
        """Send one probe, wait for its reply; returns the reply token (None: failed)."""
        assert self.ws is not None
        st = self.stats
        st.sent += 1
        st.labels[probe.label.split(":")[0]] += 1
        st.bytes += len(probe.data)
        try:
            if probe.frame == "bytes_as_text":
                await self.ws.send(probe.data, text=True)
            else:
                await self.ws.send(probe.data)
        except ConnectionClosed:
            pass  # the reply is the close (an oversize frame is refused while it is sent)
        token = await self._reply(probe)
        if token is None:
            await self._drop()
            return None
        st.answered += 1
        st.replies[token] += 1
        if probe.then_close is not None and not token.startswith("close:"):
            code = await self._closed()
            if code != probe.then_close:
                st.fail(f"{probe.label}: closed with {code}, not {probe.then_close}: "
                        f"{_short(probe.data)}")
            st.closes[code or 0] += 1
            self.ws = None
        return token

    async def fenced(self, probe: Probe) -> None:
        """A host command, then a kick of nobody as a fence: the room's owner applies both
        in order, so the command's reply (an error, or views) comes before the fence's
        `unknown_player`. A command applied with no error has views as its reply; they may
        trail the fence a little (joins and answers are batched every 100 ms)."""
        assert self.ws is not None
        st = self.stats
        fence = json.dumps({"type": "kick", "player": "nobody"})
        st.sent += 2
        st.labels["valid"] += 2
        st.bytes += len(probe.data) + len(fence)
        try:
            await self.ws.send(probe.data)
            await self.ws.send(fence)
        except ConnectionClosed:
            pass
        # Replies: the command's (an error, `rate_limited`, or views if it was applied) and
        # the fence's (`unknown_player`, or `rate_limited`), in no fixed order between a
        # refusal by the connection and one by the room's owner.
        notices: list[str] = []
        saw_room = False
        loop = asyncio.get_running_loop()
        end = loop.time() + REPLY_TIMEOUT_S
        trailing = False
        while len(notices) < 2:
            if not trailing and saw_room and notices in (["error:unknown_player"],
                                                         ["error:rate_limited"]):
                trailing = True  # applied: its views came; wait a little for a late notice
                end = min(end, loop.time() + 2.0)
            try:
                async with asyncio.timeout_at(end):  # (no task per message, unlike wait_for)
                    raw = await self.ws.recv()
            except (TimeoutError, ConnectionClosed):
                break
            token = self._token(probe, raw)
            if token == "room":
                saw_room = True
            elif token not in VIEWS:
                notices.append(token)
        fence_reply = ("error:unknown_player" if "error:unknown_player" in notices
                       else "error:rate_limited")
        rest = list(notices)
        if fence_reply in rest:
            rest.remove(fence_reply)
        if len(notices) == 2:
            reply = rest[0]
        elif len(notices) == 1 and saw_room:
            reply = "room"
        else:
            st.fail(f"{probe.label}: replies {notices}, views {saw_room} (expected one of "
                    f"{sorted(probe.expect)}, then error:unknown_player): {_short(probe.data)}")
            await self._drop()
            return
        st.answered += 2
        st.replies.update([reply, fence_reply])
        if reply not in probe.expect and reply != "error:rate_limited":
            st.fail(f"{probe.label}: got {reply} (expected {sorted(probe.expect)}): "
                    f"{_short(probe.data)}")

    def _token(self, probe: Probe, raw: str | bytes) -> str:
        """A frame's reply token (`error:CODE` or the type), after the checks every frame
        gets."""
        text = raw if isinstance(raw, str) else raw.decode()
        if "Traceback" in text or 'File "' in text:
            self.stats.fail(f"{probe.label}: a traceback in a reply: {text[:300]}")
        msg = json.loads(text)
        if msg["type"] == "room":
            self.round, self.phase = msg["round"], msg["phase"]
        if msg["type"] != "error":
            return str(msg["type"])
        if msg["code"] not in DOCUMENTED_CODES:
            self.stats.fail(f"{probe.label}: undocumented error {msg}")
        if len(msg["message"]) > 300 or any(w in msg["message"] for w in LEAKS):
            self.stats.fail(f"{probe.label}: error message {msg['message']!r}")
        return f"error:{msg['code']}"

    async def _closed(self) -> int | None:
        assert self.ws is not None
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), REPLY_TIMEOUT_S)
        except ConnectionClosed:
            return self.ws.close_code
        except TimeoutError:
            return None

    async def _reply(self, probe: Probe) -> str | None:
        assert self.ws is not None
        end = asyncio.get_running_loop().time() + REPLY_TIMEOUT_S
        while True:
            try:
                async with asyncio.timeout_at(end):  # (no task per message, unlike wait_for)
                    raw = await self.ws.recv()
            except TimeoutError:
                self.stats.fail(f"{probe.label}: no reply in {REPLY_TIMEOUT_S}s: "
                                f"{_short(probe.data)}")
                return None
            except ConnectionClosed:
                code = self.ws.close_code
                self.stats.closes[code or 0] += 1
                self.ws = None
                if f"close:{code}" in probe.expect:
                    return f"close:{code}"
                self.stats.fail(f"{probe.label}: closed with {code} (expected "
                                f"{sorted(probe.expect)}): {_short(probe.data)}")
                return None
            token = self._token(probe, raw)
            if token in VIEWS and token not in probe.expect:
                continue  # a view of the room's own life
            if token == "error:rate_limited":
                return token  # counted; nothing was applied
            if token not in probe.expect:
                self.stats.fail(f"{probe.label}: got {token} (expected {sorted(probe.expect)}): "
                                f"{_short(probe.data)} -> {_short(raw, 200)}")
                return token  # answered, wrongly
            if token in ("created", "joined"):
                msg = json.loads(raw)
                self.code = msg["room"]
                self.token = msg.get("host_token") or msg["token"]
                self.role = "host" if token == "created" else "player"
            return token

    # ------------------------------------------------------------------ the run

    async def run(self, target: int) -> None:
        # The sockets start spread over a second, at the steady pace (no burst): 300 sockets
        # bursting at once would be 8,400 messages in a moment, nothing like a classroom.
        await asyncio.sleep(self.n / SOCKETS)
        await self._connect()
        self.tokens = 0.0
        if self.role == "host":
            await self._become_host()
        elif self.role == "player":
            await self._become_player()
        while self.stats.sent < target:
            if self.ws is None:
                await self._connect()
                continue
            await self._pace()
            probe = self.probe()
            if probe is None:
                await self._handshake_probe()
            elif probe.label in FENCED:
                await self._pace()  # two messages
                await self.fenced(probe)
            else:
                await self.exchange(probe)
        await self._drop()

    async def _become_host(self) -> None:
        settings = {"rounds": 50, "time_limit_s": 5, "max_players": p.MAX_PLAYERS,
                    "name_filter": self.rng.random() < 0.5}
        token = await self.exchange(Probe("valid:create_room", json.dumps(
            {"type": "create_room", "settings": settings}), frozenset({"created"})))
        if token == "created" and self.code:
            self.stats.rooms.append(self.code)
        else:
            self.role = "stranger"

    async def _become_player(self) -> None:
        for _ in range(200):
            if len(self.stats.rooms) >= HOSTS:
                break
            await asyncio.sleep(0.05)
        if not self.stats.rooms:
            self.role = "stranger"
            return
        code = self.stats.rooms[self.n % len(self.stats.rooms)]
        # (Its host may have ended or locked the room already.)
        token = await self.exchange(Probe("valid:join", json.dumps(
            {"type": "join", "room": code, "nickname": f"fz{self.n}"}),
            frozenset({"joined", "error:game_over", "error:room_locked"})))
        if token != "joined":
            self.role = "stranger"

    async def _handshake_probe(self) -> None:
        """A new socket whose first frame is not a good hello."""
        await self._drop()
        self.ws = await self._open()
        self.tokens, self.refill = PACE_BURST, time.monotonic()
        rng, r = self.rng, self.rng.random()
        if r < 0.35:
            probe = Probe("hello:garbage", rng.choice([fz.garbage(rng), fz.mutated(rng, "hello"),
                                                       fz.mutated(rng)]),
                          MALFORMED, then_close=1002)
            if not fz.invalid(probe.data):  # type: ignore[arg-type]
                probe = Probe("hello:other", '{"type": "ping"}', MALFORMED, then_close=1002)
        elif r < 0.5:
            probe = Probe("hello:binary", rng.choice([b'{"type":"hello","versions":[1]}',
                                                      fz.binary(rng)]),
                          MALFORMED, frame="binary", then_close=1002)
        elif r < 0.7:
            versions = rng.choice([[2], [0], [-1], [99, 100], [2**31], [10**400], [2] * 10])
            probe = Probe("hello:version", fz.dumps({"type": "hello", "versions": versions}),
                          frozenset({"error:unsupported_version"}), then_close=1002)
        elif r < 0.8:
            probe = Probe("hello:utf8", fz.invalid_utf8(rng), frozenset({"close:1007"}),
                          frame="bytes_as_text")
        elif r < 0.9:
            probe = Probe("hello:oversize", "[" * (p.MAX_FRAME_BYTES + 1),
                          frozenset({"close:1009"}))
        else:  # valid, with a first message that is not hello
            probe = Probe("hello:other", rng.choice(['{"type": "ping"}', '{"type": "sync"}',
                                                     '{"type": "join", "room": "A", '
                                                     '"nickname": "B"}']),
                          MALFORMED, then_close=1002)
        await self.exchange(self._sized(probe))  # a garbage hello may be oversize too
        await self._drop()

    # ------------------------------------------------------------------ probes

    def probe(self) -> Probe | None:
        """The next probe on an open socket (None: a handshake probe on a new socket)."""
        probe = self._probe()
        return None if probe is None else self._sized(probe)

    def _probe(self) -> Probe | None:
        rng, r = self.rng, self.rng.random()
        if r < 0.45:
            for _ in range(20):
                text = fz.mutated(rng)
                if fz.invalid(text):
                    return Probe("mutated", text, MALFORMED)
            return Probe("garbage", "{", MALFORMED)
        if r < 0.53:
            return Probe("garbage", fz.garbage(rng), MALFORMED)
        if r < 0.57:
            return Probe("binary", fz.binary(rng), MALFORMED, frame="binary")
        if r < 0.5705:
            return Probe("utf8", fz.invalid_utf8(rng), frozenset({"close:1007"}),
                         frame="bytes_as_text")
        if r < 0.571:
            return Probe("oversize", rng.choice(["x", " ", "["]) * (p.MAX_FRAME_BYTES + 1),
                         frozenset({"close:1009"}))
        if r < 0.58:
            return None
        return self._valid()

    def _sized(self, probe: Probe) -> Probe:
        size = len(probe.data.encode("utf-8", "surrogatepass")) if isinstance(
            probe.data, str) else len(probe.data)
        if size > p.MAX_FRAME_BYTES:
            return Probe("oversize", probe.data, frozenset({"close:1009"}), frame=probe.frame)
        return probe

    def _valid(self) -> Probe:
        """A message the protocol accepts, in or out of place for this socket's role."""
        rng = self.rng
        kind = rng.choice(["ping", "hello", "sync", "answer", "host", "add_time", "kick",
                           "create_room", "join", "resume"])
        if self.role == "player" and rng.random() < 0.4:
            kind = "answer"  # players mostly answer, rightly or not
        msg = fz.base_message(rng, kind)
        role = self.role if self.code else "stranger"
        expect: set[str]
        if kind == "ping":
            expect = {"pong"}
        elif kind == "hello":
            expect = {"error:malformed"}
        elif role == "stranger":
            expect = {"error:not_in_room"}
            if kind == "create_room":
                msg = self._bad_create(msg)
                expect = {"error:bad_deck", "error:malformed"}
            elif kind == "join":
                if self.stats.rooms and rng.random() < 0.5:
                    msg = {"type": "join", "room": rng.choice(self.stats.rooms),
                           "nickname": rng.choice(BAD_NICKNAMES)}
                    expect = {"error:nickname_invalid", "error:bad_nickname",
                              "error:room_locked", "error:game_over"}
                else:
                    msg["room"] = "ZZZZZ" + rng.choice("23456789")  # no room has Z 5 times
                    expect = {"error:unknown_room"}
            elif kind == "resume":
                if self.stats.rooms and rng.random() < 0.5:
                    msg["room"] = rng.choice(self.stats.rooms).lower()
                    expect = {"error:bad_token"}
                else:
                    msg["room"] = "ZZZZZ" + rng.choice("23456789")
                    expect = {"error:unknown_room"}
        elif kind in ("create_room", "join", "resume"):
            expect = {"error:already_in_room"}
            if kind == "create_room":
                msg = self._bad_create(msg)
                expect.add("error:malformed")
        elif kind == "sync":
            expect = {"room"}
        elif role == "player":
            if kind == "answer":
                index = self.round["index"] if self.round else 0
                msg["answer"] = self._odd_answer()
                msg["round"] = rng.choice([index, index, index, index + 1, max(0, index - 1),
                                           rng.randrange(50), 10**400, 2**63])
                expect = {"ack", "error:invalid_answer", "error:wrong_round",
                          "error:round_closed", "error:paused", "error:already_answered"}
            else:
                expect = {"error:not_host"}
        elif kind == "answer":  # host
            expect = {"error:not_player"}
        elif kind == "host":
            # Mostly steps through the game, keeping rounds open long, so that players meet
            # open rounds; seldom the end.
            steps = {"lobby": ["start"], "open": ["pause", "resume", "lock", "unlock"],
                     "reveal": ["next", "skip"], "leaderboard": ["next", "skip"]}
            if rng.random() < 0.01:
                msg["action"] = "end"
            elif rng.random() < 0.7 and self.phase in steps:
                msg["action"] = rng.choice(steps[self.phase])
            expect = {"room", "error:bad_phase", "error:no_players", "error:game_over"}
        elif kind == "add_time":
            expect = {"room", "error:bad_phase", "error:game_over"}
        else:  # kick someone who is not in the room
            expect = {"error:unknown_player", "error:game_over"}
        text = fz.dumps(msg, rng)
        if fz.invalid(text):  # an odd answer or nickname may make it invalid: fine too
            expect = {"error:malformed"}
        return Probe(f"valid:{kind}:{role}", text, frozenset(expect))

    def _bad_create(self, msg: dict[str, Any]) -> dict[str, Any]:
        """A create_room that creates nothing: no such deck, or an upload of no deck."""
        if self.rng.random() < 0.5:
            msg["deck"] = self.rng.choice(["no-such-deck", "../etc/passwd", "é", "\u202e",
                                           "x" * 100])
            msg.pop("upload", None)
        else:
            msg.pop("deck", None)
            msg["upload"] = {"text": self.rng.choice(BAD_UPLOADS),
                             "filename": self.rng.choice(["a.csv", "b.toml", "<b>.txt",
                                                          "../../x", "\u202ecsv.exe"])}
        return msg

    def _odd_answer(self) -> Any:
        """An answer of the shape of the open round's kind, with its ids or others, or
        junk."""
        rng = self.rng
        r = rng.random()
        public = (self.round or {}).get("public") or {}
        ids = [o["id"] for part in ("options", "left", "right", "buckets", "items")
               for o in public.get(part, [])]
        if r < 0.4 and ids:
            pick = [*ids, "", "zzzzzz", "x" * 100, ids[0].upper()]
            shape = {"quiz": "choice", "match": "pairs", "sort": "placement",
                     "order": "order"}.get(str(public.get("kind")), "choice")
            if rng.random() < 0.2:
                shape = rng.choice(["choice", "pairs", "placement", "order"])
            n = rng.randrange(0, len(ids) + 2)
            if shape == "choice":
                return {"choice": rng.choice(pick)}
            if shape == "order":
                return {"order": [rng.choice(pick) for _ in range(n)]}
            return {shape: {rng.choice(pick): rng.choice(pick) for _ in range(n)}}
        if r < 0.6:
            return {rng.choice(["choice", "pairs", "placement", "order"]): fz.junk(rng)}
        if r < 0.75:
            return rng.choice([{}, {"choice": "x" * 5000}, {"pairs": {}}, {"placement": {}},
                               {"order": []}, {"order": ["a", "a"]}, {"choice": None},
                               {"pairs": {"a": "b"}, "choice": "c"}, {"order": [1, 2, 3]}])
        return {fz.key(rng): fz.junk(rng) for _ in range(rng.randrange(1, 4))}


async def silent(url: str, stats: Stats) -> None:
    """A socket that never says hello: closed with 1008 after 10 s."""
    async with connect(url, ping_interval=None, open_timeout=20) as ws:
        try:
            async with asyncio.timeout(20):
                await ws.recv()
            stats.fail("silent socket: a message before the close")
        except ConnectionClosed:
            stats.closes[ws.close_code or 0] += 1
            if (ws.close_code, ws.close_reason) != (1008, "no hello"):
                stats.fail(f"silent socket: closed {ws.close_code} {ws.close_reason!r}")
        except TimeoutError:
            stats.fail("silent socket: still open after 20 s")


# ---------------------------------------------------------------------- the games


@dataclass
class Game:
    host: GameClient
    players: list[GameClient]
    data: RoomData
    plan: list[dict[str, Any]] = field(default_factory=list)


def how(player: int, round_index: int) -> str:
    """What game player `player` answers in round `round_index`."""
    return HOWS[(player + round_index) % len(HOWS)] if player else "right"


async def setup_game(url: str, redis: aioredis.Redis, g: int) -> Game:
    host = await GameClient(url, f"game{g}-host").connect()
    await host.create_room(GAME_SETTINGS, seed=100 + g)
    assert host.code is not None
    players = [await GameClient(url, f"game{g}-p{i}").connect() for i in range(GAME_PLAYERS)]
    for i, pl in enumerate(players):
        await pl.join(host.code, f"Game{g} P{i}")
    game = Game(host, players, RoomData(redis, host.code))
    game.plan = await game.data.plan()
    assert len(game.plan) == GAME_SETTINGS["rounds"]
    return game


async def play(game: Game, stats: Stats, target: int) -> dict[str, int]:
    """Play every round, each when the fuzz has sent its share; returns the scores the
    rules give."""
    t = 60.0  # generous timeouts: the server is under fuzz
    everyone = [game.host, *game.players]
    score = {pl.nickname or "": 0 for pl in game.players}
    streak = dict.fromkeys(score, 0)
    rounds = len(game.plan)
    for r, rnd in enumerate(game.plan):
        while stats.sent < target * (0.05 + 0.85 * r / rounds) and stats.sent < target:
            await asyncio.sleep(0.2)
        await game.host.host("start" if r == 0 else "next")
        await asyncio.gather(*(c.phase("open", r, timeout=t) for c in everyone))
        assert stats.sent < target, "the fuzz ended before the games' last round"
        for i, pl in enumerate(game.players):
            await pl.answer(r, answer_for(rnd, how(i, r), variant=i))
            ack = await pl.recv_until("ack", timeout=t)
            assert ack["round"] == r
            name = pl.nickname or ""
            gained, streak[name] = expected_points(rnd, how(i, r), streak[name])
            score[name] += gained
        # Everyone answered: the round closes by itself.
        await asyncio.gather(*(c.phase("reveal", r, timeout=t) for c in everyone))
        await game.host.host("next")
        await asyncio.gather(*(c.phase("leaderboard", timeout=t) for c in everyone))
    await game.host.host("next")
    podium = await game.host.phase("podium", timeout=t)
    rows = {row["nickname"]: row["score"] for row in podium["leaderboard"]}
    assert rows == score, (game.host.code, rows, score)
    assert await game.data.scores() == {pl.player_id: score[pl.nickname or ""]
                                        for pl in game.players}
    for pl in game.players:
        me = await pl.me_where(lambda m: m["seq"] >= podium["seq"], timeout=t)
        assert me["score"] == score[pl.nickname or ""]
    return score


# ---------------------------------------------------------------------- the test


@pytest.fixture
def fuzz_server(redis_url: str, server_logs: Path) -> Iterator[ServerProcess]:
    """A server of this test's own, so a crash or a logged error is the fuzz's."""
    server = ServerProcess(redis_url, server_logs).start()
    yield server
    server.stop(kill=True)


async def test_fuzz_100k_messages_beside_real_games(fuzz_server: ServerProcess,
                                                    redis: aioredis.Redis) -> None:
    seed = int(os.environ.get("CARDCADE_FUZZ_SEED") or random.randrange(2**32))
    print(f"\nfuzz seed {seed} (CARDCADE_FUZZ_SEED={seed} replays it)")
    log_start = fuzz_server.log_path.stat().st_size
    url = fuzz_server.ws_url
    games = [await setup_game(url, redis, g) for g in range(GAMES)]
    stats = Stats()
    roles = ["host"] * HOSTS + ["player"] * PLAYERS + ["stranger"] * (SOCKETS - HOSTS - PLAYERS)
    workers = [Worker(n, url, seed, stats, role) for n, role in enumerate(roles)]
    started = time.monotonic()
    tasks = [asyncio.create_task(w.run(TARGET)) for w in workers]
    tasks += [asyncio.create_task(silent(url, stats)) for _ in range(5)]
    fuzzing = asyncio.gather(*tasks)
    try:
        scores = await asyncio.gather(*(play(g, stats, TARGET) for g in games))
        games_done = stats.sent
        await fuzzing
    finally:
        elapsed = time.monotonic() - started
        stats.stopping = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(w._drop() for w in workers))
        await close_all([c for g in games for c in (g.host, *g.players)])
        print(f"fuzz: {stats.sent} messages sent ({stats.bytes / 1e6:.1f} MB), "
              f"{stats.answered} answered, in {elapsed:.1f} s "
              f"({stats.sent / max(elapsed, 1e-9):.0f}/s) over {SOCKETS} sockets")
        print(f"  by kind: {dict(stats.labels.most_common())}")
        print(f"  replies: {dict(stats.replies.most_common())}")
        print(f"  closes: {dict(stats.closes.most_common())}")
        for failure in stats.failures[:30]:
            print("  FAIL", failure)
    print(f"  games finished with {games_done} fuzz messages sent: {scores}")
    with open(fuzz_server.log_path, "rb") as f:
        f.seek(log_start)
        log = f.read().decode("utf-8", "replace")
    levels = Counter(line.split()[3] for line in log.splitlines()
                     if len(line.split()) > 3 and line.split()[3].isupper())
    print(f"  server log {fuzz_server.log_path}: {dict(levels)}")
    bad = [line for line in log.splitlines()
           if "Traceback" in line or " ERROR " in line or " CRITICAL " in line]

    assert stats.sent >= TARGET
    assert not stats.failures, f"{len(stats.failures)} failures, first: {stats.failures[:5]}"
    assert stats.answered == stats.sent
    # Most messages were really processed, not dropped by the rate limit.
    assert stats.replies["error:rate_limited"] < stats.sent * 0.05, stats.replies
    # The server lives, and logged nothing bad.
    assert fuzz_server.process is not None and fuzz_server.process.poll() is None
    with urllib.request.urlopen(f"{fuzz_server.http_url}/healthz", timeout=5) as resp:
        assert resp.status == 200
    assert not bad, "\n".join(bad[:20])


# ---------------------------------------------------------------------- offline


@settings(max_examples=300, deadline=None, database=None)
@given(st.randoms(use_true_random=False), st.sampled_from(sorted(fz.MODELS)))
def test_mutated_messages_are_refused_without_echo(rng: random.Random, kind: str) -> None:
    """Hypothesis drives the same generators: a mutated message is refused (or is a valid
    message of the protocol), and the refusal names a field without repeating the value."""
    text = fz.mutated(rng, kind)
    try:
        p.client_adapter.validate_json(text)
    except ValidationError as exc:
        message = describe_error(exc)
        assert len(message) < 200, message
        assert not any(leak in message for leak in LEAKS), message
        return
    assert json.loads(text)["type"] in fz.MODELS
