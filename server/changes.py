"""What one batch of input events changed in a room, so a commit writes only that.

The owner applies a batch of events and then commits once. Writing the whole state each
time would cost O(players) per batch; instead `Change` follows the effects: a join or a
connection change touches one player, an accepted answer one answer; only a round that
opens or closes (and a kick) touches everyone. `server.store.Store.commit` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from game_rules import machine as m

# Effects after which every player's record may differ (scores, streaks, last results,
# previous ranks): the commit rewrites them all, once per round. (A round that opens
# changes no player.)
_EVERY_PLAYER = (m.RoundClosed,)
# Effects that change at most the players they name: their views can wait for the next
# coalesced room view; anything else (a new phase, a pause, a lock) is sent at once.
_QUIET = (m.Joined, m.AnswerAccepted, m.Rejected)


@dataclass
class Change:
    players: set[str] = field(default_factory=set)  # written (new or changed), if still in
    every_player: bool = False
    kicked: set[str] = field(default_factory=set)
    answers: dict[tuple[int, str], m.Result] = field(default_factory=dict)  # (round, player)
    tokens: dict[str, str] = field(default_factory=dict)  # sha256(token) -> player id
    touched: set[str] = field(default_factory=set)  # players whose own view changed
    everyone: bool = False  # every player's own view changed
    rescored: bool = False  # scores or membership changed: ranks must be rebuilt
    joined: list[str] = field(default_factory=list)  # in order
    urgent: bool = False  # send the room view now, not coalesced

    def note(self, event: m.Event, state: m.RoomState, effects: list[m.Effect],
             token_hash: str | None) -> None:
        """Record one event's `effects`; `state` is the state right after it."""
        if effects == [] and not isinstance(
                event, (m.PlayerConnection, m.ProcessGone, m.DeadlineReached, m.SubmitAnswer)):
            self.urgent = True  # a host step with no effect (pause, resume, add time)
        for effect in effects:
            match effect:
                case m.Joined(player_id=pid):
                    self.players.add(pid)
                    self.touched.add(pid)
                    self.joined.append(pid)
                    if token_hash:
                        self.tokens[token_hash] = pid
                case m.PlayersChanged(player_id=pid):
                    if pid is None:
                        self.urgent = True  # lock or unlock
                    else:
                        self.players.add(pid)
                case m.AnswerAccepted(player_id=pid, round_index=index):
                    self.answers[(index, pid)] = state.results[pid]
                    self.touched.add(pid)
                case m.Kicked(player_id=pid):
                    self.kicked.add(pid)
                    self.rescored = self.everyone = True  # the ranks below move up
                case m.RoundClosed():
                    self.rescored = True
                case m.TeamChanged(player_id=pid):  # one player's record and own view
                    self.players.add(pid)
                    self.touched.add(pid)
                    self.rescored = self.urgent = True  # the team board is rebuilt
            if isinstance(effect, _EVERY_PLAYER):
                self.every_player = True
            if not isinstance(effect, (*_QUIET, m.PlayersChanged, m.TeamChanged)):
                self.urgent = self.everyone = True

    def written_players(self, state: m.RoomState) -> list[str]:
        """The ids whose records the commit writes."""
        if self.every_player:
            return list(state.players)
        return [pid for pid in self.players if pid in state.players]
