"""Team mode: which team a player goes to, team names and colours, the team board.

A team is a number, 0 up, kept in each player's record (`machine.Player.team`), so a
player who reconnects is still in it. Settings `teams` ("off", "random", "host"),
`team_size` (random) and `team_count` (host) choose the mode:

- random: a player is placed when they join, in the smallest team (the lowest number of
  the smallest); when every team has `team_size` members a new team opens. Players who
  join one after another fill one team before the next opens (7 players, teams of 3:
  3, 3, 1); a kick leaves a place that the next player to join fills.
- host: `team_count` teams; the host moves players between them in the lobby; whoever
  has no team when the game starts, or joins later, goes to the smallest team.

A team's score is the average of its members' total scores, rounded half up to an
integer, so the size of a team does not decide the winner; a player who joined late
counts with the total they have. Nothing here is random: placement follows the order of
joins, which is the room's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from game_rules.model import Settings
from game_rules.shared_map import SharedMap

# Members per team: team -> how many, for every team from 0 to the last one opened. A
# SharedMap, so a join makes a new version in O(1) however many teams there are.
Counts = SharedMap[int, int]

# Names and colours: white text reads on each (contrast at least 5:1) and no two are
# alike on a washed-out projector (tests/test_teams.py checks both). Team 10 is
# "Red Foxes 2", team 20 "Red Foxes 3", and so on.
PALETTE: tuple[tuple[str, str], ...] = (
    ("Red Foxes", "#c8102e"),
    ("Blue Whales", "#1f4e9e"),
    ("Green Frogs", "#1e7b34"),
    ("Orange Tigers", "#b84e00"),
    ("Purple Owls", "#6a3d9a"),
    ("Teal Otters", "#00707a"),
    ("Pink Flamingos", "#b5176e"),
    ("Brown Bears", "#6d4522"),
    ("Grey Wolves", "#4b5563"),
    ("Olive Turtles", "#5c6b00"),
)


class Member(Protocol):
    """What the team board reads of a player."""

    @property
    def team(self) -> int | None: ...

    @property
    def score(self) -> int: ...


def name(team: int) -> str:
    base, _ = PALETTE[team % len(PALETTE)]
    lap = team // len(PALETTE)
    return base if lap == 0 else f"{base} {lap + 1}"


def colour(team: int) -> str:
    return PALETTE[team % len(PALETTE)][1]


def info(team: int | None) -> dict[str, object] | None:
    """A player's team as the `me` view carries it."""
    if team is None:
        return None
    return {"team": team, "name": name(team), "colour": colour(team)}


def average(total: int, members: int) -> int:
    """`total / members` rounded half up (members > 0): 1001 / 2 -> 501."""
    return (2 * total + members) // (2 * members)


def sizes(players: Iterable[Member]) -> Counts:
    """Members per team (teams past the last one with a member left out)."""
    out: list[int] = []
    for player in players:
        if player.team is not None:
            if player.team >= len(out):
                out.extend([0] * (player.team + 1 - len(out)))
            out[player.team] += 1
    return SharedMap(enumerate(out))


def as_list(counts: Mapping[int, int]) -> list[int]:
    """`counts` as a list indexed by team."""
    return [counts[t] for t in range(len(counts))]


def teams_of(settings: Settings, counts: Mapping[int, int]) -> list[int]:
    """Members per team as a list, with every team of the mode present: host mode has
    `team_count` teams from the start, empty ones included. O(teams)."""
    out = as_list(counts)
    if settings.teams == "host" and len(out) < settings.team_count:
        out += [0] * (settings.team_count - len(out))
    return out


def smallest(counts: list[int]) -> int:
    """The lowest-numbered of the smallest teams (`counts` not empty)."""
    return counts.index(min(counts))


def free(settings: Settings, counts: Mapping[int, int]) -> tuple[int, ...]:
    """The random teams with a free place (fewer than `team_size` members), in order:
    the last team opened while it fills, and those a kick left a place in. O(teams):
    worked out once when a room is loaded, then kept up to date by `moved`."""
    if settings.teams != "random":
        return ()
    return tuple(t for t, n in counts.items() if n < settings.team_size)


def place(settings: Settings, counts: Mapping[int, int], free_teams: tuple[int, ...],
          in_lobby: bool) -> int | None:
    """The team of a player joining now (None: no team yet, or team mode off).
    Random: the smallest team with a free place (the lowest-numbered of those), else a
    new one; O(teams with a free place), not O(teams). Host, after the lobby: the
    smallest of the `team_count` teams."""
    if settings.teams == "random":
        if not free_teams:
            return len(counts)  # every team is full: open a new one
        return min(free_teams, key=lambda t: (counts[t], t))
    if settings.teams == "host" and not in_lobby:
        return smallest(teams_of(settings, counts))
    return None


def moved(settings: Settings, counts: Counts, free_teams: tuple[int, ...],
          old: int | None, new: int | None) -> tuple[Counts, tuple[int, ...]]:
    """`counts` and the teams with a free place after a player went from team `old` to
    `new` (None: no team), as new versions. O(1) in the number of teams."""
    changes: dict[int, int] = {}
    if old is not None and old in counts:
        changes[old] = counts[old] - 1
    if new is not None:
        for t in range(len(counts), new):  # a host's team past the last one with members
            changes[t] = 0
        changes[new] = changes.get(new, counts.get(new, 0)) + 1
    out = counts.update(changes.items())
    if settings.teams == "random":
        for team, n in changes.items():
            if n < settings.team_size and team not in free_teams:
                free_teams = tuple(sorted((*free_teams, team)))
            elif n >= settings.team_size and team in free_teams:
                free_teams = tuple(t for t in free_teams if t != team)
    return out, free_teams


class TeamRank(NamedTuple):
    rank: int
    team: int
    score: int  # the average of the members' scores, rounded half up
    members: int


@dataclass
class TeamBoard:
    """Each team's members and score total, built once when scores change (a round
    closes, a kick, a team move: O(players)); a newcomer (score 0) is added in O(1), and
    the order is worked out again only when it is asked for (O(teams))."""

    totals: dict[int, int] = field(default_factory=dict)
    members: dict[int, int] = field(default_factory=dict)
    _ranked: list[TeamRank] | None = None

    @classmethod
    def of(cls, players: Mapping[str, Member] | Iterable[Member]) -> TeamBoard:
        board = cls()
        values = players.values() if isinstance(players, Mapping) else players
        for player in values:
            if player.team is not None:
                board.totals[player.team] = board.totals.get(player.team, 0) + player.score
                board.members[player.team] = board.members.get(player.team, 0) + 1
        return board

    def add_newcomer(self, team: int | None) -> None:
        if team is not None:
            self.members[team] = self.members.get(team, 0) + 1
            self.totals.setdefault(team, 0)
            self._ranked = None

    def ranked(self) -> list[TeamRank]:
        """Teams with members, best score first (then the lower number); equal scores
        share a rank (1, 2, 2, 4)."""
        if self._ranked is None:
            scored = sorted(((average(self.totals[t], n), t, n)
                             for t, n in self.members.items() if n > 0),
                            key=lambda row: (-row[0], row[1]))
            out: list[TeamRank] = []
            for i, (score, team, n) in enumerate(scored):
                same = bool(out) and out[-1].score == score
                out.append(TeamRank(out[-1].rank if same else i + 1, team, score, n))
            self._ranked = out
        return self._ranked

    def top(self, n: int) -> list[TeamRank]:
        return self.ranked()[:n]
