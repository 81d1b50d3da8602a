"""The room state machine: ``apply(game, state, event, now_ms) -> (state, effects)``.

Phases: lobby -> open (round running) -> reveal (round closed) -> leaderboard -> open ...
-> podium. ``Game`` (settings and plan) never changes during a room's life; ``RoomState``
is everything that does, JSON-serialisable so the server can persist it as it is.
Events are inputs, effects are outputs; nothing here reads a clock or does I/O, and an
event that is rejected returns the state unchanged with a single ``Rejected`` effect.
Effects say what cannot be read off the new state (who to answer, what just happened);
the round's deadline is in the state, and the runner feeds ``DeadlineReached`` when due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from game_rules import nicknames, rounds, scoring, teams
from game_rules.model import Round, Settings
from game_rules.shared_map import SharedMap

Phase = Literal["lobby", "open", "reveal", "leaderboard", "podium"]
HOST = "host"  # the recipient id of effects meant for the host
# A player whose connection dropped less than this long ago still holds an open round up
# (a phone's Wi-Fi blip must not cost them the round); after it, they no longer do.
RECONNECT_GRACE_MS = 15_000


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Game:
    """What a room plays: fixed when the room is created."""

    settings: Settings
    plan: tuple[Round, ...]


class Result(BaseModel):
    """A player's answer to the current round, graded when it arrived."""

    answer: dict[str, Any]
    elapsed_ms: int
    fraction: float
    perfect: bool
    right: int = 0  # items right, of the round's `rounds.size`
    points: int
    streak: int


class Player(BaseModel):
    nickname: str
    joined_ms: int
    score: int = 0
    streak: int = 0
    connected: bool = True
    left_ms: int | None = None  # when the connection dropped (None while connected)
    via: str | None = None  # the server process the player is connected through
    last_points: int | None = None  # points of the last closed round (None: no answer)
    last_correct: bool | None = None
    last_right: int = 0  # items right in the last closed round
    prev_rank: int | None = None  # rank before the last round's points (movement arrows)
    team: int | None = None  # in team mode (game_rules/teams.py); None: no team (yet)


class RoomState(BaseModel):
    phase: Phase = "lobby"
    locked: bool = False
    round_index: int = -1
    opened_ms: int | None = None  # when the round opened, shifted forward by pauses
    deadline_ms: int | None = None
    paused_at_ms: int | None = None
    # In join order. A SharedMap: a join or a connection change makes a new version in
    # O(1), the state it came from unchanged (game_rules/shared_map.py).
    players: SharedMap[str, Player] = Field(default_factory=SharedMap)
    # The current round's answers, by player id: a SharedMap, so an answer adds one entry
    # without copying those before it.
    results: SharedMap[str, Result] = Field(default_factory=SharedMap)
    results_round: int = -1  # the round whose answers `results` holds (-1: none, or skipped)
    skipped: list[int] = Field(default_factory=list)  # rounds the host skipped (not scored)
    kicked_ids: list[str] = Field(default_factory=list)
    # The kicked players' `nicknames.name_keys` (case-folded nicknames in older rooms).
    banned_nicknames: list[str] = Field(default_factory=list)
    # Each player's `nicknames.name_keys` -> player id: an index of `players` (never
    # stored, rebuilt on load), so checking that a nickname is free does not read every
    # player, and a look-alike of a nickname in the room ("Ｂｏｂ", "Вob") is taken too.
    names: SharedMap[str, str] = Field(default_factory=SharedMap, exclude=True)
    # Player id -> when their connection dropped, for those whose has: the same kind of
    # index, so the runner's timer does not read every player.
    away: dict[str, int] = Field(default_factory=dict, exclude=True)
    # Members per team (`teams.sizes` of the players), and the random teams with a free
    # place (None: not worked out since the state was loaded): indexes again, so placing
    # a player who joins reads neither every player nor every team.
    team_sizes: SharedMap[int, int] = Field(default_factory=SharedMap, exclude=True)
    free_teams: tuple[int, ...] | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _index_players(self) -> RoomState:
        if len(set(self.names.values())) != len(self.players):
            self.names = SharedMap((key, pid) for pid, p in self.players.items()
                                   for key in nicknames.name_keys(p.nickname))
        if not self.away:
            self.away = {pid: p.left_ms for pid, p in self.players.items()
                         if p.left_ms is not None}
        if not self.team_sizes:
            self.team_sizes = teams.sizes(self.players.values())
        return self

    @property
    def paused(self) -> bool:
        return self.paused_at_ms is not None

    def time_left_ms(self, now_ms: int) -> int | None:
        """Time left in the open round (frozen while paused), None outside a round."""
        if self.phase != "open" or self.deadline_ms is None:
            return None
        at = self.paused_at_ms if self.paused_at_ms is not None else now_ms
        return max(0, self.deadline_ms - at)

    def wake_ms(self, after_ms: int) -> int | None:
        """When the runner must feed ``DeadlineReached`` next: the round's deadline, or
        earlier when a dropped player's grace ends after `after_ms` (the time the runner
        last fed it), since the round may close then. None outside a running round."""
        if self.phase != "open" or self.deadline_ms is None or self.paused:
            return None
        ends = [left + RECONNECT_GRACE_MS for pid, left in self.away.items()
                if pid not in self.results and left + RECONNECT_GRACE_MS > after_ms]
        return min([self.deadline_ms, *ends])

    def ranking(self) -> list[tuple[int, str, Player]]:
        """(rank, player id, player) best first; equal scores share a rank (1, 2, 2, 4)."""
        order = sorted(self.players.items(), key=lambda kv: (-kv[1].score, kv[1].joined_ms))
        ranked: list[tuple[int, str, Player]] = []
        for i, (pid, player) in enumerate(order):
            same = ranked and ranked[-1][2].score == player.score
            ranked.append((ranked[-1][0] if same else i + 1, pid, player))
        return ranked


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class PlayerJoin:
    """`via`: the server process the player joins through (see `PlayerConnection`)."""

    player_id: str
    nickname: str
    via: str = ""


@dataclass(frozen=True)
class PlayerConnection:
    """A player's connection opened or closed, through the server process `via` (a
    process's own sockets: a close reported by another process than the one the player
    is connected through now is stale, and ignored)."""

    player_id: str
    connected: bool
    via: str = ""


@dataclass(frozen=True)
class ProcessGone:
    """The server process `via` stopped without saying so (its heartbeat ran out): the
    players connected through it are not connected any more."""

    via: str


@dataclass(frozen=True)
class SubmitAnswer:
    """`at_ms`: when the answer reached the server (its time, and deadline, are judged by
    that, however late the room's owner gets to it); None: when it is applied."""

    player_id: str
    round_index: int
    answer: Any
    at_ms: int | None = None


@dataclass(frozen=True)
class DeadlineReached:
    """The time the state's ``wake_ms`` named has come: close the round when its deadline
    has passed, or when everyone still in it has answered."""

    round_index: int


@dataclass(frozen=True)
class HostAction:
    """start, next, skip, pause, resume, end, lock, unlock."""

    action: Literal["start", "next", "skip", "pause", "resume", "end", "lock", "unlock"]


@dataclass(frozen=True)
class HostAddTime:
    ms: int


@dataclass(frozen=True)
class HostKick:
    player_id: str


@dataclass(frozen=True)
class HostTeam:
    """The host moves a player to a team (team mode "host", in the lobby)."""

    player_id: str
    team: int


Event = (
    PlayerJoin
    | PlayerConnection
    | ProcessGone
    | SubmitAnswer
    | DeadlineReached
    | HostAction
    | HostAddTime
    | HostKick
    | HostTeam
)

# --------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class Rejected:
    """`to` is a player id or HOST; `code` is stable, `message` a sentence for people."""

    to: str
    code: str
    message: str


@dataclass(frozen=True)
class Joined:
    player_id: str


@dataclass(frozen=True)
class AnswerAccepted:
    player_id: str
    round_index: int


@dataclass(frozen=True)
class PlayersChanged:
    """The player list or a connection state changed (`player_id`: whose), or the lock
    (None): the host view changes."""

    player_id: str | None = None


@dataclass(frozen=True)
class RoundOpened:
    round_index: int


@dataclass(frozen=True)
class RoundClosed:
    round_index: int
    skipped: bool = False


@dataclass(frozen=True)
class LeaderboardShown:
    pass


@dataclass(frozen=True)
class GameOver:
    pass


@dataclass(frozen=True)
class Kicked:
    player_id: str


@dataclass(frozen=True)
class TeamChanged:
    """A player was put in a team other than the one they joined with (by the host, or
    when the game started): their record and own view change."""

    player_id: str


Effect = (
    Rejected
    | Joined
    | AnswerAccepted
    | PlayersChanged
    | RoundOpened
    | RoundClosed
    | LeaderboardShown
    | GameOver
    | Kicked
    | TeamChanged
)
Outcome = tuple[RoomState, list[Effect]]

# --------------------------------------------------------------------------- apply


def apply(game: Game, state: RoomState, event: Event, now_ms: int) -> Outcome:
    """Apply one event. The input state is never modified."""
    match event:
        case PlayerJoin():
            return _join(game, state, event, now_ms)
        case PlayerConnection(player_id=pid, connected=connected, via=via):
            return _connection(state, pid, connected, via, now_ms)
        case ProcessGone(via=via):
            return _process_gone(state, via, now_ms)
        case SubmitAnswer():
            return _answer(game, state, event, now_ms)
        case DeadlineReached(round_index=index):
            if state.phase != "open" or state.round_index != index or state.paused:
                return state, []
            due = state.deadline_ms is None or now_ms >= state.deadline_ms
            if not due and not _everyone_answered(state, now_ms):
                return state, []  # early wake-up: the deadline has moved on
            return _close(game, state.model_copy(), skipped=False)
        case HostAction(action=action):
            return _host(game, state, action, now_ms)
        case HostAddTime(ms=ms):
            return _add_time(state, ms)
        case HostKick(player_id=pid):
            return _kick(game, state, pid, now_ms)
        case HostTeam(player_id=pid, team=team):
            return _move_to_team(game, state, pid, team)
    raise TypeError(f"not an event: {event!r}")


def _connection(state: RoomState, pid: str, connected: bool, via: str,
                now_ms: int) -> Outcome:
    player = state.players.get(pid)
    if player is None:
        return state, []
    if not connected and via and player.via and via != player.via:
        return state, []  # a stale close: the player is connected through another process
    if player.connected == connected and (not connected or player.via == (via or None)):
        return state, []
    # Only this player changes: copy it, share the others (no deep copy of the room).
    player = player.model_copy(update={"connected": connected, "via": via or None,
                                       "left_ms": None if connected else now_ms})
    new = _with_player(state, pid, player)
    new.away = ({k: v for k, v in state.away.items() if k != pid} if connected
                else {**state.away, pid: now_ms})
    return new, [PlayersChanged(pid)]


def _process_gone(state: RoomState, via: str, now_ms: int) -> Outcome:
    """Every player connected through `via` drops, as if each had closed its socket."""
    out: Outcome = (state, [])
    for pid in [pid for pid, p in state.players.items() if p.connected and p.via == via]:
        new, effects = _connection(out[0], pid, False, via, now_ms)
        out = (new, out[1] + effects)
    return out


def _free_teams(game: Game, state: RoomState) -> tuple[int, ...]:
    """The random teams with a free place: kept in the state, worked out after a load."""
    if state.free_teams is not None:
        return state.free_teams
    return teams.free(game.settings, state.team_sizes)


def _with_player(state: RoomState, pid: str, player: Player) -> RoomState:
    """A copy of `state` with `pid` set to `player`: a new version of the players map,
    O(1) in the room's size (neither the players nor the map are copied)."""
    return state.model_copy(update={"players": state.players.set(pid, player)})


def _own_players(state: RoomState) -> None:
    """Give a copied state players of its own to change (a step that changes them all,
    once a round): a copy of each, far cheaper than a deep copy of the whole state."""
    state.players = SharedMap((pid, p.model_copy()) for pid, p in state.players.items())


def _reject(state: RoomState, to: str, code: str, message: str) -> Outcome:
    return state, [Rejected(to, code, message)]


def _join(game: Game, state: RoomState, event: PlayerJoin, now_ms: int) -> Outcome:
    pid = event.player_id
    try:
        nickname = nicknames.clean(event.nickname)
    except nicknames.NicknameError as exc:
        return _reject(state, pid, exc.code, exc.message)
    keys = nicknames.name_keys(nickname)
    banned = state.banned_nicknames
    if pid in state.kicked_ids or nickname.casefold() in banned or any(
            key in banned for key in keys):
        return _reject(state, pid, "kicked", "The host removed this player from the game.")
    if pid in state.players:
        return _reject(state, pid, "already_joined", "This player has already joined.")
    if state.phase == "podium":
        return _reject(state, pid, "game_over", "This game has ended.")
    if state.locked:
        return _reject(state, pid, "room_locked", "The host has locked this room.")
    if state.phase != "lobby" and not game.settings.late_join:
        return _reject(state, pid, "game_started", "The game has started and late joining is off.")
    if len(state.players) >= game.settings.max_players:
        return _reject(state, pid, "room_full", "This room is full.")
    if game.settings.name_filter and nicknames.is_blocked(nickname):
        return _reject(state, pid, nicknames.BLOCKED.code, nicknames.BLOCKED.message)
    if any(key in state.names for key in keys):
        return _reject(state, pid, "nickname_taken",
                       "That nickname, or one that looks the same, is taken in this room.")
    free = _free_teams(game, state)
    team = teams.place(game.settings, state.team_sizes, free, in_lobby=state.phase == "lobby")
    new = _with_player(state, pid, Player(nickname=nickname, joined_ms=now_ms,
                                          via=event.via or None, team=team))
    new.names = state.names.update((key, pid) for key in keys)
    if team is not None:
        new.team_sizes, new.free_teams = teams.moved(game.settings, state.team_sizes, free,
                                                     None, team)
    return new, [Joined(pid), PlayersChanged(pid)]


def _answer(game: Game, state: RoomState, event: SubmitAnswer, now_ms: int) -> Outcome:
    pid = event.player_id
    if pid not in state.players:
        return _reject(state, pid, "unknown_player", "You are not a player in this room.")
    if event.round_index != state.round_index:
        return _reject(state, pid, "wrong_round", "That answer is for another round.")
    if state.phase != "open":
        return _reject(state, pid, "round_closed", "This round is closed.")
    if state.paused:
        return _reject(state, pid, "paused", "The game is paused; answer when it resumes.")
    # Judged by when it arrived: an answer that waited for a new owner keeps its time.
    at = now_ms if event.at_ms is None else min(event.at_ms, now_ms)
    if state.opened_ms is not None and at < state.opened_ms:
        return _reject(state, pid, "wrong_round", "That answer came before the round opened.")
    if state.deadline_ms is not None and at > state.deadline_ms:
        return _reject(state, pid, "round_closed", "Time is up: the answer came too late.")
    if pid in state.results:
        if state.results[pid].answer == event.answer:  # sent again (its ack was lost)
            return state, [AnswerAccepted(pid, state.round_index)]
        return _reject(state, pid, "already_answered", "Your answer has already been counted.")
    rnd = game.plan[state.round_index]
    try:
        grade = rounds.grade(rnd.kind, rnd.key, event.answer)
    except rounds.InvalidAnswer as exc:
        return _reject(state, pid, "invalid_answer", f"That answer does not fit the round: {exc}")
    elapsed = at - (state.opened_ms or at)
    player = state.players[pid]
    score = scoring.score(rnd, grade, elapsed, player.streak, game.settings)
    # The hot path: only `results` changes, by one entry (players are shared, unchanged).
    result = Result(
        answer=event.answer, elapsed_ms=elapsed, fraction=grade.fraction,
        perfect=grade.perfect, right=grade.right, points=score.points, streak=score.streak,
    )
    new = state.model_copy(update={"results": state.results.set(pid, result)})
    effects: list[Effect] = [AnswerAccepted(pid, state.round_index)]
    if _everyone_answered(new, now_ms):
        new_state, closing = _close(game, new.model_copy(), skipped=False)
        return new_state, effects + closing
    return new, effects


def _everyone_answered(state: RoomState, now_ms: int) -> bool:
    """Everyone still in the round has answered: those connected, and those whose
    connection dropped less than ``RECONNECT_GRACE_MS`` ago. Nobody in it: False.

    Counted, not searched: the players out of the round are among those away (the index
    `away`, usually a few), so an answer costs the same in a room of any size."""
    out = [pid for pid, left in state.away.items() if now_ms - left >= RECONNECT_GRACE_MS]
    unanswered_out = sum(pid not in state.results for pid in out)
    unanswered = len(state.players) - len(state.results)  # every answer is a player's
    return unanswered == unanswered_out and len(state.players) > len(out)


def _open(game: Game, state: RoomState, index: int, now_ms: int) -> Outcome:
    """Open round `index` on a state the caller already copied."""
    if index >= len(game.plan):
        return _podium(state)
    state.phase, state.round_index, state.results = "open", index, SharedMap()
    state.results_round = index
    state.opened_ms, state.paused_at_ms = now_ms, None
    state.deadline_ms = now_ms + game.plan[index].time_limit_ms
    return state, [RoundOpened(index)]


def _close(game: Game, state: RoomState, *, skipped: bool) -> Outcome:
    """Close the open round on a copied state: award points (unless skipped), reveal.
    From the second round on, each player's `prev_rank` becomes their rank before this
    round's points (the leaderboard's movement arrows)."""
    before = {} if skipped or state.round_index < 1 else {
        pid: rank for rank, pid, _ in state.ranking()}
    _own_players(state)
    for pid, player in state.players.items():
        if pid in before:
            player.prev_rank = before[pid]
        result = state.results.get(pid)
        player.last_right = 0 if result is None or skipped else result.right
        if skipped:
            player.last_points, player.last_correct = None, None
        elif result is None:
            player.streak, player.last_points, player.last_correct = 0, None, False
        else:
            player.score += result.points
            player.streak = result.streak
            player.last_points, player.last_correct = result.points, result.perfect
    index = state.round_index
    state.phase, state.deadline_ms, state.paused_at_ms = "reveal", None, None
    if skipped:
        state.results, state.results_round = SharedMap(), -1
        state.skipped = [*state.skipped, index]
    return state, [RoundClosed(index, skipped=skipped)]


def _leaderboard(state: RoomState) -> Outcome:
    state.phase = "leaderboard"
    return state, [LeaderboardShown()]


def _podium(state: RoomState) -> Outcome:
    state.phase, state.deadline_ms, state.paused_at_ms = "podium", None, None
    return state, [GameOver()]


# --------------------------------------------------------------------------- host actions
#
# What each host action does in each phase, in one table (docs/protocol.md, section 10).
# "paused" is an open round on pause. Each step gets a shallow copy of the state (its own
# fields; players, answers and lists shared) and copies what it changes of those; an
# action with no entry is refused by the one rejection path below, and changes nothing.
#
#              start    next         skip        pause   resume  end     lock/unlock
# lobby        open     -            -           -       -       podium  lobby
# open         -        reveal       open (+1)   paused  -       podium  open
# paused       -        reveal       open (+1)   -       open    podium  paused
# reveal       -        leaderboard  open (+1)   -       -       podium  reveal
# leaderboard  -        open (+1)    open (+1)   -       -       podium  leaderboard
# podium       -        -            -           -       -       -       podium

HostStep = Callable[[Game, RoomState, int], Outcome]


def _start(game: Game, state: RoomState, now_ms: int) -> Outcome:
    if not state.players:
        return state, [Rejected(HOST, "no_players", "Wait for at least one player.")]
    placed: list[Effect] = []
    if game.settings.teams == "host":  # whoever the host left without a team
        counts = teams.teams_of(game.settings, state.team_sizes)
        for pid, player in list(state.players.items()):  # in join order
            if player.team is None:
                team = teams.smallest(counts)
                counts[team] += 1
                state = _with_player(state, pid, player.model_copy(update={"team": team}))
                placed.append(TeamChanged(pid))
        state.team_sizes = SharedMap(enumerate(counts))
    state, opened = _open(game, state, 0, now_ms)
    return state, placed + opened


def _close_round(game: Game, state: RoomState, now_ms: int) -> Outcome:
    return _close(game, state, skipped=False)


def _skip_round(game: Game, state: RoomState, now_ms: int) -> Outcome:
    state, closing = _close(game, state, skipped=True)
    state, opening = _open(game, state, state.round_index + 1, now_ms)
    return state, closing + opening


def _next_round(game: Game, state: RoomState, now_ms: int) -> Outcome:
    return _open(game, state, state.round_index + 1, now_ms)


def _show_leaderboard(game: Game, state: RoomState, now_ms: int) -> Outcome:
    return _leaderboard(state)


def _pause(game: Game, state: RoomState, now_ms: int) -> Outcome:
    state.paused_at_ms = now_ms
    return state, []


def _resume(game: Game, state: RoomState, now_ms: int) -> Outcome:
    assert state.paused_at_ms is not None and state.deadline_ms is not None
    gap = max(0, now_ms - state.paused_at_ms)
    state.deadline_ms += gap
    state.opened_ms = (state.opened_ms or now_ms) + gap
    state.paused_at_ms = None
    return state, []


def _end(game: Game, state: RoomState, now_ms: int) -> Outcome:
    effects: list[Effect] = []
    if state.phase == "open":
        state, effects = _close(game, state, skipped=False)
    state, more = _podium(state)
    return state, effects + more


def _lock(game: Game, state: RoomState, now_ms: int) -> Outcome:
    state.locked = True
    return state, [PlayersChanged()]


def _unlock(game: Game, state: RoomState, now_ms: int) -> Outcome:
    state.locked = False
    return state, [PlayersChanged()]


_ANY_TIME: dict[str, HostStep] = {"lock": _lock, "unlock": _unlock}
_ROUND: dict[str, HostStep] = {"next": _close_round, "skip": _skip_round, "end": _end}
HOST_STEPS: dict[str, dict[str, HostStep]] = {
    "lobby": {"start": _start, "end": _end, **_ANY_TIME},
    "open": {**_ROUND, "pause": _pause, **_ANY_TIME},
    "paused": {**_ROUND, "resume": _resume, **_ANY_TIME},
    "reveal": {"next": _show_leaderboard, "skip": _next_round, "end": _end, **_ANY_TIME},
    "leaderboard": {"next": _next_round, "skip": _next_round, "end": _end, **_ANY_TIME},
    "podium": dict(_ANY_TIME),
}
# Why an action has no entry in a phase (before the podium).
_NOT_NOW = {
    "start": "The game has already started.",
    "next": "Start the game first.",
    "skip": "Start the game first.",
    "pause": "Only a running round can be paused.",
    "resume": "The game is not paused.",
}


def _host(game: Game, state: RoomState, action: str, now_ms: int) -> Outcome:
    where = "paused" if state.phase == "open" and state.paused else state.phase
    step = HOST_STEPS[where].get(action)
    if step is not None:
        new, effects = step(game, state.model_copy(), now_ms)
        refused: list[Effect] = [e for e in effects if isinstance(e, Rejected)]
        return (state, refused) if refused else (new, effects)  # a refusal changes nothing
    if where == "podium":
        return _reject(state, HOST, "game_over", "The game has ended.")
    if action in _NOT_NOW:
        return _reject(state, HOST, "bad_phase", _NOT_NOW[action])
    return _reject(state, HOST, "bad_action", f"Unknown host action {action!r}.")


def _add_time(state: RoomState, ms: int) -> Outcome:
    if state.phase != "open" or state.deadline_ms is None:
        return _reject(state, HOST, "bad_phase", "Time can only be added to a running round.")
    if not 0 < ms <= 300_000:
        return _reject(state, HOST, "bad_value", "Add between 1 ms and 5 minutes.")
    new = state.model_copy()
    assert new.deadline_ms is not None
    new.deadline_ms += ms
    return new, []


def _kick(game: Game, state: RoomState, pid: str, now_ms: int) -> Outcome:
    if pid not in state.players:
        return _reject(state, HOST, "unknown_player", "There is no such player in this room.")
    player = state.players[pid]
    sizes, free = teams.moved(game.settings, state.team_sizes, _free_teams(game, state),
                              player.team, None)
    new = state.model_copy(update={
        "team_sizes": sizes, "free_teams": free,
        "players": state.players.without([pid]),
        "names": state.names.without([k for k, v in state.names.items() if v == pid]),
        "away": {k: v for k, v in state.away.items() if k != pid},
        "results": state.results.without((pid,)),
        "kicked_ids": [*state.kicked_ids, pid],
        "banned_nicknames": [*state.banned_nicknames,
                             *nicknames.name_keys(player.nickname)],
    })
    effects: list[Effect] = [Kicked(pid), PlayersChanged(pid)]
    if new.phase == "open" and _everyone_answered(new, now_ms):
        new, closing = _close(game, new, skipped=False)
        effects += closing
    return new, effects


def _move_to_team(game: Game, state: RoomState, pid: str, team: int) -> Outcome:
    settings = game.settings
    if settings.teams != "host":
        return _reject(state, HOST, "no_host_teams",
                       "This game's teams are not set by the host.")
    if state.phase == "podium":
        return _reject(state, HOST, "game_over", "The game has ended.")
    if state.phase != "lobby":
        return _reject(state, HOST, "bad_phase", "Teams can only be changed in the lobby.")
    if pid not in state.players:
        return _reject(state, HOST, "unknown_player", "There is no such player in this room.")
    if not 0 <= team < settings.team_count:
        return _reject(state, HOST, "unknown_team",
                       f"There is no team {team}: this game has teams 0 to "
                       f"{settings.team_count - 1}.")
    player = state.players[pid]
    if player.team == team:
        return state, []
    new = _with_player(state, pid, player.model_copy(update={"team": team}))
    new.team_sizes, _ = teams.moved(settings, state.team_sizes, (), player.team, team)
    return new, [TeamChanged(pid)]
