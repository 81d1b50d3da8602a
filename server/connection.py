"""One WebSocket connection: version handshake, then create/join/resume, then play.

A connection never changes room state itself: it validates a message, checks who may
send it, and pushes an event onto the room's inbox for the room's owner to apply.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from redis.exceptions import RedisError
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from game_rules import machine as m
from server import protocol as p
from server import views
from server.address_limits import AddressLimits, Kind, TokenBucket, client_address
from server.clock import now_ms
from server.competitions import CompetitionClosed
from server.deck_source import BadDeck
from server.hub import Hub, Member
from server.metrics import Metrics
from server.outage import Outage
from server.room_registry import ServerFull
from server.rooms import Rooms, UnknownCompetition
from server.store import Loaded, hash_token, normalise_code

log = logging.getLogger("cardcade.connection")

HELLO_TIMEOUT_S = 10
JOIN_TIMEOUT_S = 10
RATE_PER_S = 10.0  # sustained messages per second a client may send
RATE_BURST = 30.0  # and in a burst
BINARY_FRAME = "Send each message as a JSON text frame; binary frames are not accepted."


class Refused(Exception):
    """A message that gets an `error` reply; the connection stays open."""

    def __init__(self, code: str, message: str, reason: str | None = None):
        super().__init__(message)
        self.code, self.message, self.reason = code, message, reason


# Messages refused while Redis is away: one WARNING line per outage, one INFO after it.
UNAVAILABLE = Outage(log, "messages", "answering `unavailable` until it answers")

# Refusals that mean a join or resume named a room or token that does not exist.
WRONG_GUESSES = {"unknown_room", "bad_token", "unknown_competition"}


class Connection:
    def __init__(self, ws: ServerConnection, rooms: Rooms, hub: Hub, metrics: Metrics,
                 limits: AddressLimits):
        self.ws = ws
        self.rooms = rooms
        self.hub = hub
        self.metrics = metrics
        self.limits = limits
        self.address = client_address(ws)
        self.member: Member | None = None
        self.bucket = TokenBucket(RATE_PER_S, RATE_BURST)

    # ------------------------------------------------------------------ plumbing

    async def send(self, msg: p.BaseModel) -> None:
        await self.send_text(msg.model_dump_json())

    async def send_text(self, text: str) -> None:
        await self.ws.send(text)
        self.metrics.messages_out += 1

    async def error(self, code: str, message: str, reason: str | None = None) -> None:
        self.metrics.errors.inc(code)
        await self.send(p.Error(code=code, message=message, reason=reason))

    async def serve(self) -> None:
        # metrics.connections is counted from the handshake to the socket's close (http.py).
        try:
            if await self._handshake():
                async for raw in self.ws:
                    self.metrics.messages_in += 1
                    await self._handle(raw)
        except ConnectionClosed:
            pass
        finally:
            await self._leave()

    async def _handshake(self) -> bool:
        try:
            raw = await asyncio.wait_for(self.ws.recv(), HELLO_TIMEOUT_S)
        except TimeoutError:
            await self.ws.close(1008, "no hello")
            return False
        self.metrics.messages_in += 1
        msg = None
        if isinstance(raw, bytes):
            text = BINARY_FRAME
        else:
            text = 'The first message must be {"type": "hello", ...}.'
            with contextlib.suppress(ValidationError):
                msg = p.client_adapter.validate_json(raw)
        if not isinstance(msg, p.Hello):
            await self.error("malformed", text)
            await self.ws.close(1002, "expected hello")
            return False
        common = sorted(set(msg.versions) & set(p.SUPPORTED_VERSIONS))
        if not common:
            await self.error("unsupported_version",
                             f"This server speaks protocol versions {list(p.SUPPORTED_VERSIONS)}.")
            await self.ws.close(1002, "unsupported version")
            return False
        await self.send(p.Welcome(protocol=common[-1], server_time_ms=now_ms()))
        return True

    async def _handle(self, raw: str | bytes) -> None:
        if not self.bucket.take():
            await self.error("rate_limited", "Too many messages; slow down.")
            return
        if isinstance(raw, bytes):  # the protocol is JSON text frames only
            await self.error("malformed", BINARY_FRAME)
            return
        try:
            msg = p.client_adapter.validate_json(raw)
        except ValidationError as exc:
            await self.error("malformed", p.describe_error(exc))
            return
        try:
            await self._dispatch(msg)
        except Refused as exc:
            await self.error(exc.code, exc.message, exc.reason)
        except RedisError as exc:
            UNAVAILABLE.failed(exc)
            await self.error("unavailable", "The server cannot reach its storage; try again.")
        else:
            if not isinstance(msg, p.Ping):  # a ping does not need Redis
                UNAVAILABLE.ok()

    # ------------------------------------------------------------------ messages

    async def _dispatch(self, msg: Any) -> None:
        match msg:
            case p.Ping():
                await self.send(p.Pong(server_time_ms=now_ms()))
            case p.Hello():
                raise Refused("malformed", "hello is only the first message.")
            case p.CreateRoom():
                self._not_in_room()
                self._within("create")
                if msg.competition is None:
                    await self._create(msg)
                else:  # a wrong competition id or host key counts as a wrong guess
                    await self._guessing(lambda: self._create(msg))
            case p.Join():
                self._not_in_room()
                self._within("join")
                await self._guessing(lambda: self._join(msg))
            case p.Resume():
                self._not_in_room()
                await self._guessing(lambda: self._resume(msg))
            case p.Sync():
                await self._snapshot(self._in_room())
            case p.Answer():
                member = self._in_room()
                if member.who == "host":
                    raise Refused("not_player", "The host cannot answer.")
                member.answer_sent = time.monotonic()
                await self._push(m.SubmitAnswer(member.who, msg.round, msg.answer, now_ms()))
            case p.HostCommand():
                self._host()
                await self._push(m.HostAction(msg.action))
            case p.AddTime():
                self._host()
                await self._push(m.HostAddTime(msg.seconds * 1000))
            case p.Kick():
                self._host()
                await self._push(m.HostKick(msg.player))
            case p.Team():
                self._host()
                await self._push(m.HostTeam(msg.player, msg.team))

    def _not_in_room(self) -> None:
        if self.member is not None:
            raise Refused("already_in_room", "This connection is already in a room.")

    def _in_room(self) -> Member:
        if self.member is None:
            raise Refused("not_in_room", "Join or create a room first.")
        return self.member

    def _host(self) -> Member:
        member = self._in_room()
        if member.who != "host":
            raise Refused("not_host", "Only the host can do that.")
        return member

    async def _push(self, event: m.Event) -> None:
        assert self.member is not None
        await self.rooms.inbox.push(self.member.code, event)

    async def _create(self, msg: p.CreateRoom) -> None:
        try:
            code, token, plan = await self.rooms.create(msg)
        except BadDeck as exc:
            raise Refused("bad_deck", str(exc), exc.reason) from None
        except ServerFull as exc:
            raise Refused("server_full", f"This server is running its maximum of {exc.cap:,} "
                                         "games; try again later.") from None
        except UnknownCompetition as exc:
            raise Refused("unknown_competition", f"There is no competition {exc} with that "
                                                 "host key. Check both.") from None
        except CompetitionClosed as exc:
            raise Refused("competition_closed", f"Competition {exc} is closed: it takes no "
                                                "more rooms.") from None
        self.member = Member(self.ws, code, "host")
        await self.hub.add(self.member)
        await self.send(p.Created(room=code, host_token=token, join_url=self.rooms.join_url(code),
                                  plan=plan, competition=normalise_code(msg.competition)
                                  if msg.competition else None))
        await self.rooms.run(code)
        await self._snapshot(self.member)

    def _within(self, kind: Kind) -> None:
        if not self.limits.allow(kind, self.address):
            what = "rooms created" if kind == "create" else "joins"
            raise Refused("rate_limited", f"Too many {what} from your network; wait a little.")

    async def _guessing(self, attempt: Callable[[], Awaitable[None]]) -> None:
        """A join or resume names a room (and a token): refused outright once this address
        has named too many that do not exist, and counted when it names one."""
        if self.limits.guessing_blocked(self.address):
            raise Refused("too_many_attempts", "Too many wrong room codes or tokens from your "
                                               "network; wait a minute and check the code.")
        try:
            await attempt()
        except Refused as exc:
            if exc.code in WRONG_GUESSES:
                self.limits.guessed_wrong(self.address)
            raise

    async def _join(self, msg: p.Join) -> None:
        code = normalise_code(msg.room)
        if not await self.rooms.store.exists(code):
            raise Refused("unknown_room", f"There is no room {code!r}. Check the code.")
        pid, token = "p" + secrets.token_hex(6), secrets.token_urlsafe(24)
        member = Member(self.ws, code, pid)
        member.waiter = asyncio.get_running_loop().create_future()
        await self.hub.add(member)
        try:
            await self.rooms.inbox.push(
                code, m.PlayerJoin(pid, msg.nickname, self.rooms.process_id), hash_token(token))
            await self.rooms.run(code)
            try:
                result = await asyncio.wait_for(member.waiter, JOIN_TIMEOUT_S)
            except TimeoutError:
                raise Refused("unavailable", "The room did not answer; try again.") from None
        except BaseException:
            await self.hub.remove(member)
            raise
        if result.kind == "error":
            await self.hub.remove(member)
            raise Refused(result.code, json.loads(result.text)["message"])
        self.member = member
        await self.send(p.Joined(room=code, player_id=pid, token=token))
        member.waiter = None
        await self._snapshot(member)

    async def _resume(self, msg: p.Resume) -> None:
        code = normalise_code(msg.room)
        if not await self.rooms.store.exists(code):
            raise Refused("unknown_room", f"There is no room {code!r} any more.")
        who = await self.rooms.store.who(code, msg.token)
        if who is None:
            raise Refused("bad_token", "That token does not belong to this room.")
        if who != "host" and not await self.rooms.store.is_player(code, who):
            raise Refused("kicked", "The host removed this player from the game.")
        # Listen first, then read the state: nothing published in between is missed.
        member = Member(self.ws, code, who)
        await self.hub.add(member)
        self.member = member
        try:
            await self._snapshot(member)
        except BaseException:
            self.member = None
            await self.hub.remove(member)
            raise
        await self.rooms.run(code)
        if who != "host":
            await self._push(m.PlayerConnection(who, True, self.rooms.process_id))

    async def _snapshot(self, member: Member) -> None:
        await send_snapshot(self.rooms, member, self.send_text)

    async def _leave(self) -> None:
        member, self.member = self.member, None
        if member is None:
            return
        await self.hub.remove(member)
        if member.who != "host" and not self.hub.is_connected(member.code, member.who):
            with contextlib.suppress(Exception):
                await self.rooms.inbox.push(
                    member.code, m.PlayerConnection(member.who, False, self.rooms.process_id))


async def send_snapshot(rooms: Rooms, member: Member,
                        send_text: Callable[[str], Awaitable[None]]) -> None:
    """Send the full views `member` may see: the latest room (and host) frames as sent, and
    a player's own view built from their record (O(1) in any room size). Used by `sync`,
    `resume` and the hub after its pub/sub connection came back (`Hub.snapshot`)."""
    parts = await rooms.store.snapshot_parts(member.code, member.who)
    room, host = (parts.room, parts.host) if parts is not None else (None, None)
    if room is None or parts is None:  # nothing sent yet: build the views from the room
        loaded = await rooms.store.load(member.code)
        if loaded is None:
            raise Refused("unknown_room", "This room has expired.")
        await _snapshot_built(rooms, member, loaded, send_text)
        return
    # The seq of the room view sent, not the state's (which may be one ahead of it while
    # the owner publishes): the views of that next seq must still reach this socket.
    room, seq = views.restamp(room, now_ms())
    member.last_seq = max(member.last_seq, seq)
    await send_text(room)
    if member.who == "host" and host is not None:
        await send_text(host)
    elif parts.player is not None:
        found = await rooms.store.game(member.code)
        if found is None:
            raise Refused("unknown_room", "This room has expired.")
        await send_text(views.me_view(found[0], parts.state, seq, member.who, parts.player,
                                      parts.result, parts.rank))


async def _snapshot_built(rooms: Rooms, member: Member, loaded: Loaded,
                          send_text: Callable[[str], Awaitable[None]]) -> None:
    seq, state = loaded.seq, loaded.state
    member.last_seq = max(member.last_seq, seq)
    await send_text(views.room_view(member.code, loaded.deck_title, loaded.game, state, seq,
                                    now_ms()).model_dump_json())
    if member.who == "host":
        await send_text(views.host_view(state, seq, rooms.join_url(member.code),
                                        settings=loaded.game.settings)
                        .model_dump_json())
    elif member.who in state.players:
        await send_text(views.me_views(loaded.game, state, seq, {member.who})[member.who])
