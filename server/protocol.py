"""The wire protocol: JSON text frames, one pydantic discriminated union per direction.

`docs/protocol.md` documents every message; `cardcade protocol schema` prints the JSON
Schema generated from these models (committed as docs/protocol.schema.json). Client
messages are validated strictly (`_In`); tests/test_protocol_doc.py keeps the document,
the schema and these models equal. Bump PROTOCOL_VERSION on any incompatible change.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from game_rules.model import ROUND_KINDS, RoundKind, TeamMode

PROTOCOL_VERSION = 1
SUPPORTED_VERSIONS = (1,)
MAX_FRAME_BYTES = 512 * 1024  # a deck upload is the largest message
MAX_PLAYERS = 10_000  # the largest `max_players` a room may be created with
MAX_SEED = 2**53 - 1  # the largest integer a JavaScript number holds exactly
MAX_TEAM_COUNT = 20  # teams a host may set up (team mode "host")


class _In(BaseModel):
    """A client message (or part of one): validated strictly, as `docs/protocol.md` says.

    Strict mode takes JSON values only of the declared type: an int field refuses `"5"`,
    `5.0` and `true`; a string field refuses numbers; a bool field refuses 0 and 1. Unknown
    fields are refused too.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


class _Out(BaseModel):
    """A server message (or part of one): every field is always sent, defaults included,
    so the JSON Schema (serialization mode) marks every field as required."""

    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)


# --------------------------------------------------------------------- client -> server


class Hello(_In):
    """First message of every connection: the protocol versions the client speaks."""

    type: Literal["hello"]
    versions: list[int] = Field(min_length=1, max_length=10)


class GameSettingsIn(_In):
    rounds: int = Field(default=8, ge=1, le=50)
    round_mix: list[RoundKind] = Field(default_factory=lambda: list(ROUND_KINDS), min_length=1)
    points: int = Field(default=1000, ge=100, le=10_000)
    time_limit_s: int = Field(default=20, ge=5, le=300)
    speed_scoring: bool = True
    streak_bonus: bool = True
    late_join: bool = True
    max_players: int = Field(default=100, ge=1, le=MAX_PLAYERS)
    items_per_round: int = Field(default=4, ge=3, le=6)
    name_filter: bool = True  # refuse nicknames with a word of the profanity list
    teams: TeamMode = "off"  # team mode: off, random teams, or teams the host sets
    team_size: int = Field(default=4, ge=2, le=10)  # members per random team
    team_count: int = Field(default=4, ge=2, le=MAX_TEAM_COUNT)  # teams the host sets


class DeckUpload(_In):
    filename: str = Field(default="upload.txt", max_length=200)
    text: str = Field(min_length=1, max_length=MAX_FRAME_BYTES)
    format: Literal["toml", "knowt", "quizlet", "csv", "anki"] | None = None


class CreateRoom(_In):
    """Host: create a room from a bundled deck (by name) or an uploaded one, or a room of
    a competition (`competition` and its `host_key`: the competition's deck and settings)."""

    type: Literal["create_room"]
    deck: str | None = Field(default=None, max_length=100)
    upload: DeckUpload | None = None
    settings: GameSettingsIn = Field(default_factory=GameSettingsIn)
    seed: int | None = Field(default=None, ge=-MAX_SEED, le=MAX_SEED)
    competition: str | None = Field(default=None, min_length=1, max_length=20)
    host_key: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_game(self) -> CreateRoom:
        if (self.competition is None) != (self.host_key is None):
            raise ValueError("`competition` and `host_key` go together")
        own = {"deck", "upload", "settings", "seed"} & self.model_fields_set
        if self.competition is not None and own:
            raise ValueError(f"a competition's room plays its deck and settings: leave out "
                             f"{', '.join(sorted(own))}")
        return self


class CreateCompetition(_In):
    """`POST /api/competitions`: a competition from a deck and settings (not a message)."""

    name: str = Field(min_length=1, max_length=80)
    deck: str | None = Field(default=None, max_length=100)
    upload: DeckUpload | None = None
    settings: GameSettingsIn = Field(default_factory=GameSettingsIn)
    seed: int | None = Field(default=None, ge=-MAX_SEED, le=MAX_SEED)


# What names a deck and settings: both are read the same way (server.deck_source).
DeckChoice = CreateRoom | CreateCompetition


class Join(_In):
    """Player: join a room with its code and a nickname."""

    type: Literal["join"]
    room: str = Field(min_length=1, max_length=12)
    nickname: str = Field(min_length=1, max_length=60)


class Resume(_In):
    """Host or player: come back to a room with the token received earlier."""

    type: Literal["resume"]
    room: str = Field(min_length=1, max_length=12)
    token: str = Field(min_length=1, max_length=100)


class Answer(_In):
    type: Literal["answer"]
    round: int = Field(ge=0)
    answer: dict[str, Any]


class HostCommand(_In):
    type: Literal["host"]
    action: Literal["start", "next", "skip", "pause", "resume", "end", "lock", "unlock"]


class AddTime(_In):
    type: Literal["add_time"]
    seconds: int = Field(ge=1, le=300)


class Kick(_In):
    type: Literal["kick"]
    player: str = Field(min_length=1, max_length=40)


class Team(_In):
    """Host: move a player to a team (team mode "host", in the lobby)."""

    type: Literal["team"]
    player: str = Field(min_length=1, max_length=40)
    team: int = Field(ge=0, le=10_000)


class Sync(_In):
    """Ask for a full snapshot (after a gap in `seq`)."""

    type: Literal["sync"]


class Ping(_In):
    type: Literal["ping"]


ClientMessage = Annotated[
    Hello | CreateRoom | Join | Resume | Answer | HostCommand | AddTime | Kick | Team | Sync
    | Ping,
    Field(discriminator="type"),
]
client_adapter: TypeAdapter[Any] = TypeAdapter(ClientMessage)
CLIENT_TYPES = tuple(
    m.model_fields["type"].annotation.__args__[0]
    for m in get_args(get_args(ClientMessage)[0])
)

# --------------------------------------------------------------------- server -> client


class Welcome(_Out):
    type: Literal["welcome"] = "welcome"
    protocol: int
    server_time_ms: int


class LeftOut(_Out):
    kind: RoundKind
    reason: str = Field(description="why the deck cannot carry it, e.g. \"needs 4 dated "
                                    "events, this deck has 2\"")
    text: str = Field(description="the sentence for the host, e.g. \"Order rounds left out: "
                                  "needs 4 dated events, this deck has 2.\"")


class PlanInfo(_Out):
    """What the plan made of the deck: the kinds it plays and those of the mix it left out."""

    rounds: int = Field(description="rounds planned")
    kinds: list[RoundKind] = Field(description="kinds of the mix the deck can carry")
    left_out: list[LeftOut]


class Created(_Out):
    type: Literal["created"] = "created"
    room: str
    host_token: str
    join_url: str
    plan: PlanInfo
    competition: str | None = None  # the competition the room plays in


class Joined(_Out):
    type: Literal["joined"] = "joined"
    room: str
    player_id: str
    token: str


class RoundView(_Out):
    index: int
    total: int
    kind: RoundKind
    public: dict[str, Any]
    time_limit_ms: int
    points: int
    deadline_ms: int | None
    time_left_ms: int | None
    paused: bool


class RevealView(_Out):
    index: int
    key: dict[str, Any]
    distribution: list[dict[str, Any]]


class RankRow(_Out):
    rank: int
    nickname: str
    score: int
    prev_rank: int | None


class TeamRow(_Out):
    """A team on the team board."""

    rank: int = Field(description="equal scores share a rank (1, 2, 2, 4)")
    team: int = Field(description="the team's number, 0 up")
    name: str
    colour: str = Field(description="#rrggbb")
    score: int = Field(description="the average of its members' scores, rounded half up")
    members: int


class RoomView(_Out):
    """What everyone in the room may see; broadcast after every change."""

    type: Literal["room"] = "room"
    seq: int
    server_time_ms: int
    room: str
    deck: str
    phase: Literal["lobby", "open", "reveal", "leaderboard", "podium"]
    round_index: int = Field(description="the current or last round, -1 in the lobby")
    rounds: int = Field(description="how many rounds the game has")
    locked: bool
    players: int
    answered: int
    round: RoundView | None
    reveal: RevealView | None
    leaderboard: list[RankRow]
    team_mode: TeamMode = Field(description="the room's `teams` setting")
    team_board: list[TeamRow] = Field(description="teams best first: the first 10 in "
                                                  "phases leaderboard and podium, else empty")


class PlayerRow(_Out):
    id: str
    rank: int
    nickname: str
    connected: bool
    score: int
    answered: bool
    team: int | None = Field(description="the player's team (None: no team, or teams off)")


class TeamCount(_Out):
    """A team and how many members it has."""

    team: int
    name: str
    colour: str
    members: int


class Missing(_Out):
    """Players in one situation (not answered, offline): how many, and the first names."""

    count: int
    names: list[str]


class HostView(_Out):
    """Host only: the best players with ids (for kicks), who is missing, and the counts."""

    type: Literal["host"] = "host"
    seq: int
    players: list[PlayerRow]
    more: int
    waiting: Missing
    offline: Missing
    join_url: str
    teams: list[TeamCount] = Field(description="in team mode: every team (random mode: "
                                               "those with members), the first 100")


class TeamInfo(_Out):
    """A player's team."""

    team: int
    name: str
    colour: str


class LastResult(_Out):
    round: int
    correct: bool
    points: int
    right: int = Field(description="items right: the choice, pairs, cards or places")
    of: int = Field(description="items in the round")


class MeView(_Out):
    """One player's own data; never sent to anyone else."""

    type: Literal["me"] = "me"
    seq: int
    player_id: str
    nickname: str
    score: int
    streak: int
    rank: int
    answered: bool
    answer: dict[str, Any] | None
    last: LastResult | None
    team: TeamInfo | None = Field(description="the player's team; None with teams off, or "
                                              "before the host has put them in one")


class Ack(_Out):
    type: Literal["ack"] = "ack"
    round: int


class Kicked(_Out):
    type: Literal["kicked"] = "kicked"
    message: str = "The host removed you from the game."


class Error(_Out):
    type: Literal["error"] = "error"
    code: str
    message: str
    reason: str | None = Field(default=None, description="a finer cause, for some codes")


class Pong(_Out):
    type: Literal["pong"] = "pong"
    server_time_ms: int


ServerMessage = Annotated[
    Welcome | Created | Joined | RoomView | HostView | MeView | Ack | Kicked | Error | Pong,
    Field(discriminator="type"),
]
server_adapter: TypeAdapter[Any] = TypeAdapter(ServerMessage)


def schema() -> dict[str, Any]:
    """JSON Schema of both directions."""
    return {
        "protocol": PROTOCOL_VERSION,
        "client_to_server": client_adapter.json_schema(),
        # Serialization mode: what the server sends, every field present (see `_Out`).
        "server_to_client": server_adapter.json_schema(mode="serialization"),
    }


def schema_json() -> str:
    """The JSON Schema as committed in docs/protocol.schema.json."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def encode(msg: BaseModel) -> str:
    return msg.model_dump_json()


# What a refused value must be, by pydantic error type: strict mode refuses `"5"`, `5.0` and
# `true` for an int, a number for a string, 0 and 1 for a bool.
_MUST_BE = {
    "int_type": "must be an integer (a JSON number without a fraction or exponent: "
                "5, not \"5\", 5.0 or true)",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "list_type": "must be an array",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
}
MAX_LOC_PART = 30  # characters of one path element (a field name may come from the client)


def _where(loc: tuple[Any, ...]) -> str:
    parts = [str(x) for x in loc]
    return ".".join(x if len(x) <= MAX_LOC_PART else x[:MAX_LOC_PART] + "…" for x in parts)


def describe_error(exc: ValidationError) -> str:
    """The first error, naming the field (its path) and what is wrong, never the value."""
    first = exc.errors(include_input=False, include_url=False)[0]
    kind = first.get("type")
    where = _where(tuple(first.get("loc", ()))) or "message"
    if kind == "json_invalid":
        return "The message is not valid JSON."
    if kind == "union_tag_invalid":
        return f"Unknown message type; expected one of: {', '.join(CLIENT_TYPES)}."
    if kind == "union_tag_not_found":
        return 'Every message needs a "type".'
    if not first.get("loc"):
        return 'Every message must be a JSON object with a "type".'
    if kind == "missing":
        return f"Missing field {where}."
    if kind == "extra_forbidden":
        return f"Unknown field {where}: only the documented fields are allowed."
    if kind in _MUST_BE and "." in where:
        return f"Invalid field {where}: it {_MUST_BE[kind]}."
    return f"Invalid field {where}: {first.get('msg', 'invalid')}."
