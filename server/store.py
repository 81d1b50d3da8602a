"""Room state in Redis: create a room, load it, commit a change atomically, tokens.

A commit is one Lua script: it checks that the caller still holds the room's lease and
that the state is the version it read, then writes the state, the inbox position, new
tokens and the leaderboard and refreshes the TTLs. So a change is applied whole or not at
all, and two processes can never both apply one.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any

import redis.asyncio as aioredis

from game_rules.machine import Event, Game, RoomState
from game_rules.model import Round, Settings
from server import keys
from server.inbox import encode

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
redis.call('HSET', KEYS[1], 'last_id', ARGV[4])
local i = 6
local ntok = tonumber(ARGV[i]); i = i + 1
for _ = 1, ntok do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]); i = i + 2
end
local nscore = tonumber(ARGV[i]); i = i + 1
if nscore > 0 then redis.call('DEL', KEYS[4]) end
for _ = 1, nscore do
  redis.call('ZADD', KEYS[4], ARGV[i + 1], ARGV[i]); i = i + 2
end
for k = 1, #KEYS do
  if k ~= 2 then redis.call('PEXPIRE', KEYS[k], ttl) end
end
return version
"""


def text(value: bytes | str) -> str:
    """A Redis reply as text (the clients here return bytes)."""
    return value.decode() if isinstance(value, bytes) else value


class RoomGone(RuntimeError):
    """The room's state has expired from Redis."""


class LeaseLost(RuntimeError):
    """Another process owns the room now (or the state moved under us)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


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


class Store:
    def __init__(self, client: aioredis.Redis, *, room_ttl_ms: int = keys.ROOM_TTL_MS):
        self.redis = client
        self.room_ttl_ms = room_ttl_ms
        self._commit = client.register_script(_COMMIT)
        # Games never change: cache the most recently used ones.
        self._games: OrderedDict[str, tuple[Game, str]] = OrderedDict()

    async def create_room(self, game: Game, deck_title: str) -> tuple[str, str]:
        """Store a new room; returns (code, host token)."""
        host_token = secrets.token_urlsafe(24)
        for _ in range(20):
            code = new_code()
            k = keys.room_keys(code)
            if not await self.redis.set(k.game, game_to_json(game, deck_title), nx=True,
                                        px=self.room_ttl_ms):
                continue  # code in use: draw another
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(k.state, mapping={"state": RoomState().model_dump_json(),
                                            "version": 0, "last_id": "0-0"})
                pipe.hset(k.tokens, hash_token(host_token), "host")
                for key in (k.state, k.tokens):
                    pipe.pexpire(key, self.room_ttl_ms)
                await pipe.execute()
            self._remember(code, (game, deck_title))
            return code, host_token
        raise RuntimeError("could not find a free room code")

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
        return bool(await self.redis.exists(keys.room_keys(code).state))

    async def load(self, code: str) -> Loaded | None:
        found = await self.game(code)
        raw = await self.redis.hgetall(keys.room_keys(code).state)
        if found is None or not raw:
            self._games.pop(code, None)
            return None
        return Loaded(
            game=found[0], deck_title=found[1],
            state=RoomState.model_validate_json(raw[b"state"]),
            version=int(raw[b"version"]), last_id=text(raw[b"last_id"]),
        )

    async def commit(self, code: str, owner: str, version: int, state: RoomState | None,
                     last_id: str, tokens: dict[str, str], *, write_scores: bool = True) -> int:
        """Write a new state (None: only advance the inbox position). Returns the version.

        `write_scores` rewrites the leaderboard sorted set from the state's scores.
        """
        k = keys.room_keys(code)
        args: list[Any] = [owner, version, state.model_dump_json() if state else "", last_id,
                           self.room_ttl_ms, len(tokens)]
        for token_hash, pid in tokens.items():
            args += [token_hash, pid]
        scores = state.players if state and write_scores else {}
        args.append(len(scores))
        for pid, player in scores.items():
            args += [pid, player.score]
        result = await self._commit(
            keys=[k.state, k.lease, k.tokens, k.leaderboard, k.game, k.inbox], args=args
        )
        if result == -3:
            raise RoomGone(f"room {code} has expired")
        if result < 0:
            raise LeaseLost(f"room {code}: {'lease lost' if result == -1 else 'state moved'}")
        return int(result)

    async def who(self, code: str, token: str) -> str | None:
        """The player id (or "host") a token belongs to, None if unknown."""
        raw = await self.redis.hget(keys.room_keys(code).tokens, hash_token(token))
        return text(raw) if raw else None

    async def push(self, code: str, event: Event, token_hash: str | None = None) -> None:
        """Queue an input event for the room's owner (see `server.inbox`).

        The inbox gets the room's TTL here too: an event pushed after the room expired
        (a socket closing, say) must not leave a stream behind that never expires.
        """
        inbox = keys.room_keys(code).inbox
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(inbox, {"e": encode(event, token_hash)}, maxlen=keys.INBOX_MAXLEN,
                      approximate=True)
            pipe.pexpire(inbox, self.room_ttl_ms)
            await pipe.execute()
