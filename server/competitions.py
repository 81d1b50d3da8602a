"""Competitions in Redis: many rooms playing one game, one leaderboard across them.

An organiser creates a competition from a deck and settings; its game (the plan, so the
same rounds in the same order) is stored once and every room that joins plays it. Each
room's owner writes its players' totals to the competition's sorted set (member
"ROOM:PLAYER_ID") when a round closes, a player joins or one is kicked, and all of them
again when it takes the room over. A total is written as it is, never added, so a room
that is taken over, or a write that is repeated, cannot count a score twice. The keys
have no TTL: the results outlast the rooms. Once closed, a competition takes no more
rooms and its board no longer moves; it can still be read.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from game_rules.machine import Game
from server import keys
from server.store import game_from_json, game_to_json, hash_token, new_code, text

ID_LENGTH = 8

# KEYS: meta, board, entries. ARGV: room, then n and n × (player id, score, nickname),
# then m and m player ids to remove. Nothing is written once the competition is closed.
_RECORD = """
if redis.call('HGET', KEYS[1], 'closed') ~= '0' then return 0 end
local room = ARGV[1]
local i = 2
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local member = room .. ':' .. ARGV[i]
  redis.call('ZADD', KEYS[2], ARGV[i + 1], member)
  redis.call('HSET', KEYS[3], member, ARGV[i + 2])
  i = i + 3
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local member = room .. ':' .. ARGV[i]
  redis.call('ZREM', KEYS[2], member)
  redis.call('HDEL', KEYS[3], member)
  i = i + 1
end
return 1
"""

# KEYS: meta, rooms. ARGV: room code. Adds the room unless the competition is closed.
_ADD_ROOM = """
local closed = redis.call('HGET', KEYS[1], 'closed')
if closed == false then return -1 end
if closed ~= '0' then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
"""


class CompetitionClosed(Exception):
    """The competition takes no more rooms."""


@dataclass(frozen=True)
class NewCompetition:
    id: str
    organiser_token: str
    host_key: str


@dataclass(frozen=True)
class Row:
    rank: int
    nickname: str
    room: str
    score: int


@dataclass
class Board:
    name: str
    closed: bool
    rooms: int
    players: int
    rows: list[Row] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "closed": self.closed, "rooms": self.rooms,
                "players": self.players,
                "rows": [{"rank": r.rank, "nickname": r.nickname, "room": r.room,
                          "score": r.score} for r in self.rows]}


class Competitions:
    def __init__(self, client: aioredis.Redis):
        self.redis = client
        self._record = client.register_script(_RECORD)
        self._add_room = client.register_script(_ADD_ROOM)

    async def create(self, game: Game, deck_title: str, name: str,
                     plan_info: str) -> NewCompetition:
        """Store a new competition (`plan_info`: what its plan made of the deck, as JSON
        `created.plan`); returns its id and its two secrets."""
        organiser, host_key = secrets.token_urlsafe(24), secrets.token_urlsafe(12)
        for _ in range(20):
            cid = new_code(ID_LENGTH)
            k = keys.competition_keys(cid)
            if not await self.redis.set(k.game, game_to_json(game, deck_title), nx=True):
                continue
            await self.redis.hset(k.meta, mapping={
                "name": name, "deck": deck_title, "created_ms": int(time.time() * 1000),
                "plan": plan_info, "closed": "0", "organiser": hash_token(organiser),
                "host_key": hash_token(host_key)})
            return NewCompetition(cid, organiser, host_key)
        raise RuntimeError("could not find a free competition id")

    async def _meta(self, cid: str) -> dict[str, str]:
        raw = await self.redis.hgetall(keys.competition_keys(cid).meta)
        return {text(k): text(v) for k, v in raw.items()}

    async def is_organiser(self, cid: str, token: str) -> bool:
        meta = await self._meta(cid)
        return bool(token) and meta.get("organiser") == hash_token(token)

    async def game_for_host(self, cid: str, host_key: str) -> tuple[Game, str, str] | None:
        """The competition's game, deck title and plan info (JSON) if `host_key` is its
        host key, else None. Raises CompetitionClosed once it is closed."""
        k = keys.competition_keys(cid)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(k.meta)
            pipe.get(k.game)
            raw_meta, raw_game = await pipe.execute()
        meta = {text(a): text(b) for a, b in raw_meta.items()}
        if not meta or raw_game is None or meta["host_key"] != hash_token(host_key):
            return None
        if meta["closed"] != "0":
            raise CompetitionClosed(cid)
        game, title = game_from_json(raw_game)
        return game, title, meta["plan"]

    async def add_room(self, cid: str, code: str) -> None:
        k = keys.competition_keys(cid)
        if await self._add_room(keys=[k.meta, k.rooms], args=[code]) != 1:
            raise CompetitionClosed(cid)

    async def record(self, cid: str, room: str, totals: dict[str, tuple[str, int]],
                     removed: list[str]) -> bool:
        """Write the totals (player id -> (nickname, score)) of `room`'s players and drop
        the `removed` ones; False (and nothing written) once the competition is closed."""
        k = keys.competition_keys(cid)
        args: list[str | int] = [room, len(totals)]
        for pid, (nickname, score) in totals.items():
            args += [pid, score, nickname]
        args.append(len(removed))
        args += removed
        return bool(await self._record(keys=[k.meta, k.board, k.entries], args=args))

    async def close(self, cid: str) -> None:
        await self.redis.hset(keys.competition_keys(cid).meta, "closed", "1")

    async def save_report(self, cid: str, room: str, report: str) -> None:
        await self.redis.hset(keys.competition_keys(cid).reports, room, report)

    async def rooms(self, cid: str) -> list[str]:
        return sorted(text(code) for code in
                      await self.redis.smembers(keys.competition_keys(cid).rooms))

    async def reports(self, cid: str) -> dict[str, str]:
        raw = await self.redis.hgetall(keys.competition_keys(cid).reports)
        return {text(room): text(report) for room, report in raw.items()}

    async def board(self, cid: str, limit: int | None = None) -> Board | None:
        """The leaderboard, best first (the first `limit` rows); equal scores share a
        rank: 1 + the number of players with a higher score."""
        k = keys.competition_keys(cid)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(k.meta)
            pipe.scard(k.rooms)
            pipe.zcard(k.board)
            pipe.zrevrange(k.board, 0, -1 if limit is None else limit - 1, withscores=True)
            raw_meta, rooms, players, top = await pipe.execute()
        meta = {text(a): text(b) for a, b in raw_meta.items()}
        if not meta:
            return None
        board = Board(meta["name"], meta["closed"] != "0", int(rooms), int(players))
        if not top:
            return board
        members = [text(m) for m, _ in top]
        nicknames = await self.redis.hmget(k.entries, members)
        # The first row's rank counts those above it (none, unless ties were cut by limit).
        above = int(await self.redis.zcount(k.board, f"({top[0][1]}", "+inf"))
        rank = above + 1
        for i, ((_, score), member, nick) in enumerate(zip(top, members, nicknames, strict=True)):
            if i and score != top[i - 1][1]:
                rank = above + i + 1
            room = member.split(":", 1)[0]
            board.rows.append(Row(rank, text(nick) if nick else "?", room, int(score)))
        return board
