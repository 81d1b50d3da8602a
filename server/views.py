"""Build what each viewer sees from a room's state: the room, the host and one player.

These full views are what the server sends after every change and as the snapshot on
(re)connect, so a client never has to patch state together from diffs. Ranks come from a
`Standings` the caller keeps between changes of scores (built here when not given), and no
view lists a whole big room: the host view holds the best `HOST_ROWS` players and counts.
"""

from __future__ import annotations

import json
from itertools import islice
from typing import Any

from game_rules import rounds, teams
from game_rules.machine import Game, Player, Result, RoomState
from game_rules.model import Settings
from game_rules.standings import Standings
from server import protocol as p

LEADERBOARD_ROWS = 10
HOST_ROWS = 100  # players listed in the host view, best first
HOST_TEAMS = 100  # teams listed in the host view
TEAM_ROWS = 10  # teams on the room view's team board
MISSING_NAMES = 20  # names listed of those who have not answered, and of those offline


def room_view(code: str, deck: str, game: Game, state: RoomState, seq: int,
              now_ms: int, standings: Standings | None = None) -> p.RoomView:
    round_view = reveal = None
    index = state.round_index
    if 0 <= index < len(game.plan) and state.phase in ("open", "reveal"):
        rnd = game.plan[index]
        round_view = p.RoundView(
            index=index, total=len(game.plan), kind=rnd.kind, public=rnd.public,
            time_limit_ms=rnd.time_limit_ms, points=rnd.points, deadline_ms=state.deadline_ms,
            time_left_ms=state.time_left_ms(now_ms), paused=state.paused,
        )
        if state.phase == "reveal":
            answers = [r.answer for r in state.results.values()]
            reveal = p.RevealView(
                index=index, key=rnd.key,
                distribution=rounds.distribution(rnd.kind, rnd.public, rnd.key, answers),
            )
    rows = 3 if state.phase == "podium" else LEADERBOARD_ROWS
    board, team_board = [], []
    if state.phase in ("leaderboard", "podium"):
        standings = standings or Standings.of(state)
        board = [
            p.RankRow(rank=rank, nickname=pl.nickname, score=pl.score, prev_rank=pl.prev_rank)
            for rank, pid in standings.top(rows) for pl in (state.players[pid],)
        ]
        if game.settings.teams != "off":
            team_board = [
                p.TeamRow(rank=t.rank, team=t.team, name=teams.name(t.team),
                          colour=teams.colour(t.team), score=t.score, members=t.members)
                for t in standings.teams.top(TEAM_ROWS)
            ]
    return p.RoomView(
        seq=seq, server_time_ms=now_ms, room=code, deck=deck, phase=state.phase,
        round_index=index, rounds=len(game.plan), locked=state.locked,
        players=len(state.players), answered=len(state.results),
        round=round_view, reveal=reveal, leaderboard=board,
        team_mode=game.settings.teams, team_board=team_board,
    )


def restamp(room_frame: str, now_ms: int) -> tuple[str, int]:
    """A room view sent earlier, as of `now_ms` (its server time and the time left in a
    running round), and its `seq`: a snapshot resends the last room view rather than
    reading the whole room."""
    view = json.loads(room_frame)
    view["server_time_ms"] = now_ms
    rnd = view.get("round")
    if rnd and not rnd["paused"] and rnd["deadline_ms"] is not None and view["phase"] == "open":
        rnd["time_left_ms"] = max(0, rnd["deadline_ms"] - now_ms)
    return json.dumps(view, ensure_ascii=False, separators=(",", ":")), view["seq"]


def host_view(state: RoomState, seq: int, join_url: str,
              standings: Standings | None = None, settings: Settings | None = None
              ) -> p.HostView:
    return p.HostView.model_validate(_host_data(state, seq, join_url, standings, settings))


def host_frame(state: RoomState, seq: int, join_url: str,
               standings: Standings | None = None, settings: Settings | None = None) -> str:
    """`host_view`, encoded. Built as plain JSON rather than through the model (a room's
    owner sends one with every room view it sends, each with up to 100 rows): a test holds
    it equal to the model's encoding."""
    return json.dumps(_host_data(state, seq, join_url, standings, settings),
                      ensure_ascii=False, separators=(",", ":"))


def _host_data(state: RoomState, seq: int, join_url: str, standings: Standings | None,
               settings: Settings | None) -> dict[str, Any]:
    """The host view as the JSON object `protocol.HostView` encodes to (its field order)."""
    standings = standings or Standings.of(state)
    rows = []
    players, results = state.players, state.results
    for rank, pid in standings.top(HOST_ROWS):
        pl = players[pid]
        rows.append({"id": pid, "rank": rank, "nickname": pl.nickname,
                     "connected": pl.connected, "score": pl.score,
                     "answered": pid in results, "team": pl.team})
    team_rows = []
    if settings is not None and settings.teams != "off":
        counts = (enumerate(teams.teams_of(settings, state.team_sizes))
                  if settings.teams == "host" else state.team_sizes.items())
        listed = islice(((t, n) for t, n in counts if n or settings.teams == "host"),
                        HOST_TEAMS)
        team_rows = [{"team": t, "name": teams.name(t), "colour": teams.colour(t),
                      "members": n} for t, n in listed]
    waiting: dict[str, Any] = {"count": 0, "names": []}
    offline: dict[str, Any] = {"count": 0, "names": []}
    is_open = state.phase == "open"
    for pid, pl in players.items():  # in join order
        missing = offline if not pl.connected else (
            waiting if is_open and pid not in results else None)
        if missing is not None:
            missing["count"] += 1
            if len(missing["names"]) < MISSING_NAMES:
                missing["names"].append(pl.nickname)
    return {"type": "host", "seq": seq, "players": rows, "more": len(players) - len(rows),
            "waiting": waiting, "offline": offline, "join_url": join_url, "teams": team_rows}


def me_views(game: Game, state: RoomState, seq: int, only: set[str] | None = None,
             standings: Standings | None = None) -> dict[str, str]:
    """Each player's own view, encoded, by player id (only those in `only`, when given)."""
    standings = standings or Standings.of(state)
    of = round_size(game, state)
    frames = {}
    for pid in (standings.order if only is None else only):
        pl = state.players.get(pid)
        if pl is not None:
            frames[pid] = me_view(game, state, seq, pid, pl, state.results.get(pid),
                                  standings.ranks[pid], of)
    return frames


def round_size(game: Game, state: RoomState) -> int:
    """Items in the current (or last) round: the `of` of a player's last result."""
    if 0 <= state.round_index < len(game.plan):
        rnd = game.plan[state.round_index]
        return rounds.size(rnd.kind, rnd.key)
    return 0


def me_view(game: Game, state: RoomState, seq: int, pid: str, pl: Player,
            result: Result | None, rank: int, of: int | None = None) -> str:
    """One player's own view (`protocol.MeView`), encoded; `state` is read only for its
    phase and round. Built as plain JSON rather than through the model: a round that
    opens or closes sends one to every player, and this is several times faster (a test
    holds it equal to the model's encoding)."""
    last = None
    if state.phase != "open" and pl.last_correct is not None and state.round_index >= 0:
        last = {"round": state.round_index, "correct": pl.last_correct,
                "points": pl.last_points or 0, "right": pl.last_right,
                "of": round_size(game, state) if of is None else of}
    return json.dumps({
        "type": "me", "seq": seq, "player_id": pid, "nickname": pl.nickname, "score": pl.score,
        "streak": pl.streak, "rank": rank, "answered": result is not None,
        "answer": result.answer if result else None, "last": last,
        "team": teams.info(pl.team),
    }, ensure_ascii=False, separators=(",", ":"))
