"""The ranking of a room's players, kept between changes of scores.

`RoomState.ranking()` sorts every player; a room's views need ranks after every join and
answer, which would make each of those cost a sort of the whole room. Scores change only
when a round closes or a player is kicked, so a `Standings` is built then and a newcomer
(score 0, the latest to join) is added at the end in O(1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from game_rules.machine import RoomState
from game_rules.teams import TeamBoard


@dataclass
class Standings:
    """Player ids best first (score, then who joined first) and each one's rank; equal
    scores share a rank (1, 2, 2, 4), as in `RoomState.ranking`."""

    order: list[str] = field(default_factory=list)
    ranks: dict[str, int] = field(default_factory=dict)
    scores: list[int] = field(default_factory=list)  # in `order`
    teams: TeamBoard = field(default_factory=TeamBoard)  # in team mode

    @classmethod
    def of(cls, state: RoomState) -> Standings:
        standings = cls()
        for rank, pid, player in state.ranking():
            standings.order.append(pid)
            standings.ranks[pid] = rank
            standings.scores.append(player.score)
        standings.teams = TeamBoard.of(state.players)
        return standings

    def add_newcomer(self, pid: str, team: int | None = None) -> None:
        """A player who just joined (in `team`): score 0 and the latest join, so last
        (scores are never negative)."""
        if pid in self.ranks:
            return
        self.teams.add_newcomer(team)
        shared = bool(self.scores) and self.scores[-1] == 0
        self.ranks[pid] = self.ranks[self.order[-1]] if shared else len(self.order) + 1
        self.order.append(pid)
        self.scores.append(0)

    def top(self, n: int) -> list[tuple[int, str]]:
        """(rank, player id) of the first `n`."""
        return [(self.ranks[pid], pid) for pid in self.order[:n]]
