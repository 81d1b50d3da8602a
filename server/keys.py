"""The Redis key schema: every key name and TTL is built here and nowhere else.

All keys of a room share the hash tag ``{r:CODE}`` so that scripts and transactions over
them work on Redis Cluster too.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "cardcade"
ROOM_TTL_MS = 24 * 3600 * 1000  # a room lives a day after its last change (results export)
LEASE_TTL_MS = 6_000  # a process's heartbeat lives this long; it beats every third of it
INBOX_MAXLEN = 20_000  # input events kept per room (audit log)


@dataclass(frozen=True)
class RoomKeys:
    code: str

    @property
    def tag(self) -> str:
        return f"{PREFIX}:{{r:{self.code}}}"

    @property
    def game(self) -> str:  # string: JSON of settings, plan, deck title (never changes)
        return f"{self.tag}:game"

    @property
    def state(self) -> str:  # hash: state (JSON, without players and answers), version,
        return f"{self.tag}:state"  # last_id (inbox position), seq (last room view sent)

    @property
    def players(self) -> str:  # hash: player id -> player (JSON)
        return f"{self.tag}:players"

    @property
    def answers(self) -> str:  # hash: "ROUND:PLAYER_ID" -> graded answer (JSON), first wins
        return f"{self.tag}:answers"

    @property
    def views(self) -> str:  # hash: the latest frames sent: "room", "host" (snapshots)
        return f"{self.tag}:views"

    @property
    def tokens(self) -> str:  # hash: sha256(token) -> player id, or "host"
        return f"{self.tag}:tokens"

    @property
    def inbox(self) -> str:  # stream: input events for the owner, in order
        return f"{self.tag}:inbox"

    @property
    def leaderboard(self) -> str:  # sorted set: player id -> score
        return f"{self.tag}:lb"

    @property
    def lease(self) -> str:  # string: id of the owning process (held while it beats)
        return f"{self.tag}:lease"

    @property
    def channel(self) -> str:  # pub/sub channel: output of this room
        return f"{self.tag}:out"

    def all_keys(self) -> list[str]:
        """Keys that expire together (the lease has its own TTL)."""
        return [self.game, self.state, self.tokens, self.inbox, self.leaderboard, self.players,
                self.answers, self.views]


def room_keys(code: str) -> RoomKeys:
    return RoomKeys(code)


def code_of_channel(channel: str) -> str:
    """The room code of a room's channel name (the inverse of `RoomKeys.channel`)."""
    head, sep, tail = channel.partition(":{r:")
    code, close, rest = tail.partition("}")
    if head != PREFIX or not sep or not close or rest != ":out":
        raise ValueError(f"not a room channel: {channel!r}")
    return code


@dataclass(frozen=True)
class CompetitionKeys:
    """A competition's keys: no TTL (its results must outlast its rooms), one hash tag."""

    id: str

    @property
    def tag(self) -> str:
        return f"{PREFIX}:{{c:{self.id}}}"

    @property
    def meta(self) -> str:  # hash: name, created_ms, closed ("0"/"1"), token hashes
        return f"{self.tag}:meta"

    @property
    def game(self) -> str:  # string: the game every room plays (as a room's `game`)
        return f"{self.tag}:game"

    @property
    def rooms(self) -> str:  # set: the codes of the rooms that joined
        return f"{self.tag}:rooms"

    @property
    def board(self) -> str:  # sorted set: "ROOM:PLAYER_ID" -> score
        return f"{self.tag}:board"

    @property
    def entries(self) -> str:  # hash: "ROOM:PLAYER_ID" -> nickname
        return f"{self.tag}:entries"

    @property
    def reports(self) -> str:  # hash: room code -> the room's report (JSON) at its podium
        return f"{self.tag}:reports"


def competition_keys(competition_id: str) -> CompetitionKeys:
    return CompetitionKeys(competition_id)


# Server-wide, not per room: sorted set, room code -> when it stops counting (epoch ms).
# The registry of live rooms behind the cap on rooms (`server/room_registry.py`).
ROOMS = f"{PREFIX}:rooms"


WAKE_HEAD, WAKE_TAIL = f"{PREFIX}:proc:", ":wake"
WAKE_MAXLEN = 1000  # doorbell entries kept on a process's wake stream
ALIVE_TAIL = ":alive"


def process_alive(owner_id: str) -> str:
    """A process's heartbeat: present while the process runs (`server.lease`). Scripts
    build the same name from WAKE_HEAD and ALIVE_TAIL, with the owner read from a lease."""
    return f"{WAKE_HEAD}{owner_id}{ALIVE_TAIL}"


def process_wake(owner_id: str) -> str:
    """Stream a process reads beside its rooms' inboxes: an entry (a room code) wakes its
    blocked read and names a room with new input. (`server.inbox` builds the same name in
    its script from WAKE_HEAD and WAKE_TAIL, with the owner read from the lease.)"""
    return f"{WAKE_HEAD}{owner_id}{WAKE_TAIL}"
