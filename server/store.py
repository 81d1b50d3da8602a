"""Room state in Redis: create a room, load it, commit a change atomically, tokens.

A room is a few Redis structures: the room's own state (phase, timers, lock: small) in a
hash with its version, inbox position and view sequence; the players in a hash (id -> JSON);
the graded answers in a hash ("ROUND:ID" -> JSON, written first-answer-wins); the scores in
a sorted set; the tokens in a hash. A commit is one Lua script: it checks that the caller
still holds the room's lease and that the state is the version it read, then writes what
one batch changed (`server.changes.Change`: usually one player or one answer, whatever the
size of the room) and refreshes the TTLs. So a change is applied whole or not at all, and
two processes can never both apply one.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import redis.asyncio as aioredis

from game_rules.machine import Game, Player, Result, RoomState
from game_rules.model import Round, Settings
from server import keys
from server.batched import Batched, Script
from server.changes import Change
from server.many_keys import ABSENT, positions

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L look-alikes
CODE_LENGTH = 6
GAME_CACHE_SIZE = 2000  # rooms whose (immutable) game a process keeps in memory

_COMMIT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -3 end
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[2]) then return -2 end
local ttl = tonumber(ARGV[5])
if ARGV[3] ~= '' then
  version = version + 1
  redis.call('HSET', KEYS[1], 'state', ARGV[3], 'version', version)
end
redis.call('HSET', KEYS[1], 'last_id', ARGV[4], 'seq', ARGV[6])
local i = 7
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]); i = i + 2
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HSET', KEYS[7], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[4], ARGV[i + 2], ARGV[i]); i = i + 3
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HDEL', KEYS[7], ARGV[i])
  redis.call('ZREM', KEYS[4], ARGV[i]); i = i + 1
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HSETNX', KEYS[8], ARGV[i], ARGV[i + 1]); i = i + 2
end
if ARGV[i] ~= '' then
  redis.call('HSET', KEYS[9], 'room', ARGV[i], 'host', ARGV[i + 1])
end
i = i + 2
for k = 1, #KEYS do
  redis.call('PEXPIRE', KEYS[k], ttl)
end
local channel = ARGV[i]
for j = i + 1, #ARGV do
  redis.call('PUBLISH', channel, ARGV[j])
end
return version
"""
# The leaderboard sorted set holds every player (0 until they score): a player's rank is
# 1 + the number of players with a higher score, one ZCOUNT. After the writes, the commit
# keeps the room and host frames given (the outbox's `views` hash) and publishes the
# envelopes given on the room's channel, in order: what a batch changed goes out with it,
# in the same call, or not at all.


def text(value: bytes | str) -> str:
    """A Redis reply as text (the clients here return bytes)."""
    return value.decode() if isinstance(value, bytes) else value


class RoomGone(RuntimeError):
    """The room's state has expired from Redis."""


class LeaseLost(RuntimeError):
    """Another process owns the room now (or the state moved under us)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(raw: str) -> str:
    """Codes are typed on phones: ignore case, spaces and dashes."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def game_to_json(game: Game, deck_title: str) -> str:
    return json.dumps(
        {"deck": deck_title, "settings": asdict(game.settings),
         "plan": [asdict(r) for r in game.plan]},
        ensure_ascii=False,
    )


def game_from_json(text: str | bytes) -> tuple[Game, str]:
    data = json.loads(text)
    settings = dict(data["settings"])
    settings["round_mix"] = tuple(settings["round_mix"])
    plan = tuple(Round(**r) for r in data["plan"])
    return Game(Settings(**settings), plan), data["deck"]


@dataclass
class Loaded:
    game: Game
    deck_title: str
    state: RoomState
    version: int
    last_id: str
    seq: int  # the `seq` of the last room view sent (docs/protocol.md, section 4)
    competition: str | None = None  # the competition the room plays in (server.competitions)


@dataclass
class Snapshot:
    """See `Store.snapshot_parts`; `state` has no players or answers; `room` and `host`
    are the last such frames sent (None before the first)."""

    state: RoomState
    room: str | None = None
    host: str | None = None
    player: Player | None = None
    result: Result | None = None
    rank: int = 0


class Store:
    def __init__(self, client: aioredis.Redis, *, room_ttl_ms: int = keys.ROOM_TTL_MS):
        self.redis = client
        self.room_ttl_ms = room_ttl_ms
        self._commit = client.register_script(_COMMIT)
        self.batched = Batched(client)  # a storm's commits and reads share round trips
        self._absent = client.register_script(ABSENT)
        # Games never change: cache the most recently used ones.
        self._games: OrderedDict[str, tuple[Game, str]] = OrderedDict()

    async def create_room(self, game: Game, deck_title: str,
                          competition: str | None = None) -> tuple[str, str]:
        """Store a new room (in `competition`, if given); returns (code, host token)."""
        host_token = secrets.token_urlsafe(24)
        for _ in range(20):
            code = new_code()
            k = keys.room_keys(code)
            if not await self.redis.set(k.game, game_to_json(game, deck_title), nx=True,
                                        px=self.room_ttl_ms):
                continue  # code in use: draw another
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(k.state, mapping={"state": RoomState().model_dump_json(),
                                            "version": 0, "last_id": "0-0", "seq": 0})
                if competition:
                    pipe.hset(k.state, "competition", competition)
                pipe.hset(k.tokens, hash_token(host_token), "host")
                for key in (k.state, k.tokens):
                    pipe.pexpire(key, self.room_ttl_ms)
                await pipe.execute()
            self._remember(code, (game, deck_title))
            return code, host_token
        raise RuntimeError("could not find a free room code")

    async def expired(self, codes: list[str]) -> list[str]:
        """Those of `codes` whose room has expired from Redis, in one round trip."""
        gone = await positions(self.redis, self._absent, [keys.room_keys(c).state for c in codes])
        return [codes[i] for i in gone]

    async def game(self, code: str) -> tuple[Game, str] | None:
        if code in self._games:
            self._games.move_to_end(code)
        else:
            raw = await self.redis.get(keys.room_keys(code).game)
            if raw is None:
                return None
            self._remember(code, game_from_json(raw))
        return self._games[code]

    def _remember(self, code: str, game: tuple[Game, str]) -> None:
        self._games[code] = game
        while len(self._games) > GAME_CACHE_SIZE:
            self._games.popitem(last=False)

    async def exists(self, code: str) -> bool:
        [found] = await self.batched.call(("EXISTS", keys.room_keys(code).state))
        return bool(found)

    async def load(self, code: str) -> Loaded | None:
        """The whole room, players and the open round's answers included: O(players), for
        a new owner, an export or a test (a snapshot reads `snapshot_parts` instead)."""
        found = await self.game(code)
        k = keys.room_keys(code)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hgetall(k.state)
            pipe.hgetall(k.players)
            raw, players = await pipe.execute()
        if found is None or not raw:
            self._games.pop(code, None)
            return None
        data = json.loads(raw[b"state"])
        if players:  # else a room stored before players had their own hash: in the state
            # In the order they joined (a hash has none), as the rules keep them.
            rows = sorted(((text(pid), json.loads(v)) for pid, v in players.items()),
                          key=lambda row: (row[1]["joined_ms"], row[0]))
            data["players"] = dict(rows)
        # (A room stored before `results_round` existed kept answers in open and reveal only.)
        index = data.get("results_round", data["round_index"] if data["phase"] in (
            "open", "reveal") else -1)
        if index >= 0:
            prefix = f"{index}:"
            # Answers stay in the hash for the record; a kicked player's is not the room's.
            data["results"] = {
                pid: json.loads(v)
                async for field, v in self.redis.hscan_iter(k.answers, match=prefix + "*",
                                                            count=1000)
                if (pid := text(field)[len(prefix):]) in data.get("players", {})
            }
        return Loaded(
            game=found[0], deck_title=found[1], state=RoomState.model_validate(data),
            version=int(raw[b"version"]), last_id=text(raw[b"last_id"]),
            seq=int(raw.get(b"seq", raw[b"version"])),
            competition=text(raw[b"competition"]) if b"competition" in raw else None,
        )

    async def all_answers(self, code: str) -> dict[tuple[int, str], Result]:
        """Every graded answer kept in the room, by (round index, player id), kicked players'
        included: O(answers), for an export (`HSCAN`, so Redis is never blocked long)."""
        out: dict[tuple[int, str], Result] = {}
        async for field, value in self.redis.hscan_iter(keys.room_keys(code).answers,
                                                        count=1000):
            index, _, pid = text(field).partition(":")
            out[int(index), pid] = Result.model_validate_json(value)
        return out

    async def player_answers(self, code: str, pid: str,
                             rounds: Sequence[int]) -> dict[int, Result]:
        """One player's answers to `rounds` (one HMGET, whatever the room's size): what
        their review deck needs."""
        if not rounds:
            return {}
        raw = await self.redis.hmget(keys.room_keys(code).answers,
                                     [f"{i}:{pid}" for i in rounds])
        return {i: Result.model_validate_json(v) for i, v in zip(rounds, raw, strict=True)
                if v is not None}

    async def commit(self, code: str, owner: str, version: int, state: RoomState | None,
                     last_id: str, seq: int, change: Change | None = None, *,
                     publish: Sequence[str] = (), views: tuple[str, str] | None = None) -> int:
        """Write what `change` changed of `state` (None: only move the inbox position and
        `seq`); then keep `views` (the room and host frames sent) and publish each text of
        `publish` (encoded outbox envelopes) on the room's channel, in the same script.
        Returns the new version. Commits made at about the same time, in any of this
        process's rooms, share a round trip (`server.batched`)."""
        k = keys.room_keys(code)
        change = change or Change()
        core = state.model_dump_json(exclude={"players", "results"}) if state else ""
        args: list[Any] = [owner, version, core, last_id, self.room_ttl_ms, seq,
                           len(change.tokens)]
        for token_hash, pid in change.tokens.items():
            args += [token_hash, pid]
        written = change.written_players(state) if state else []
        args.append(len(written))
        for pid in written:
            player = state.players[pid] if state else None
            assert player is not None
            args += [pid, player.model_dump_json(), player.score]
        kicked = [pid for pid in change.kicked if state is None or pid not in state.players]
        args.append(len(kicked))
        args += kicked
        args.append(len(change.answers))
        for (index, pid), result in change.answers.items():
            args += [f"{index}:{pid}", result.model_dump_json()]
        args += [*(views or ("", "")), k.channel, *publish]
        [result] = await self.batched.call(Script(
            self._commit, [k.state, k.lease, k.tokens, k.leaderboard, k.game, k.inbox,
                           k.players, k.answers, k.views], args))
        if result == -3:
            raise RoomGone(f"room {code} has expired")
        if result < 0:
            raise LeaseLost(f"room {code}: {'lease lost' if result == -1 else 'state moved'}")
        return int(result)

    async def snapshot_parts(self, code: str, who: str) -> Snapshot | None:
        """What a snapshot needs, in O(1) whatever the room's size: the last room and host
        frames sent, the room's state (without players) and, for a player, their record,
        answer to the current round and rank. None if the room is gone. One round trip in
        the lobby, two in a game, shared with other callers' (`server.batched`)."""
        k = keys.room_keys(code)
        (room, host), core, player = await self.batched.call(
            ("HMGET", k.views, "room", "host"), ("HGET", k.state, "state"),
            ("HGET", k.players, who))
        if core is None:
            return None
        parts = Snapshot(state=RoomState.model_validate_json(core),
                         room=text(room) if room else None, host=text(host) if host else None)
        if player is not None:
            parts.player = Player.model_validate_json(player)
            if parts.state.round_index < 0:  # the lobby: no answer yet, everyone scores 0
                parts.rank = 1
                return parts
            answer, above = await self.batched.call(
                ("HGET", k.answers, f"{parts.state.results_round}:{who}"),  # none at -1
                ("ZCOUNT", k.leaderboard, f"({parts.player.score}", "+inf"))
            parts.result = Result.model_validate_json(answer) if answer else None
            parts.rank = int(above) + 1
        return parts

    async def is_player(self, code: str, pid: str) -> bool:
        [found] = await self.batched.call(("HEXISTS", keys.room_keys(code).players, pid))
        return bool(found)

    async def who(self, code: str, token: str) -> str | None:
        """The player id (or "host") a token belongs to, None if unknown."""
        [raw] = await self.batched.call(("HGET", keys.room_keys(code).tokens,
                                         hash_token(token)))
        return text(raw) if raw else None
