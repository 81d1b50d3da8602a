"""Build what each viewer sees from a room's state: the room, the host and one player.

These full views are what the server sends after every change and as the snapshot on
(re)connect, so a client never has to patch state together from diffs.
"""

from __future__ import annotations

from game_rules import rounds
from game_rules.machine import Game, RoomState
from server import protocol as p

LEADERBOARD_ROWS = 10


def room_view(code: str, deck: str, game: Game, state: RoomState, seq: int,
              now_ms: int) -> p.RoomView:
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
    board = []
    if state.phase in ("leaderboard", "podium"):
        board = [
            p.RankRow(rank=rank, nickname=pl.nickname, score=pl.score, prev_rank=pl.prev_rank)
            for rank, _pid, pl in state.ranking()[:rows]
        ]
    return p.RoomView(
        seq=seq, server_time_ms=now_ms, room=code, deck=deck, phase=state.phase,
        round_index=index, rounds=len(game.plan), locked=state.locked,
        players=len(state.players), answered=len(state.results),
        round=round_view, reveal=reveal, leaderboard=board,
    )


def host_view(state: RoomState, seq: int, join_url: str) -> p.HostView:
    players = [
        p.PlayerRow(id=pid, rank=rank, nickname=pl.nickname, connected=pl.connected,
                    score=pl.score, answered=pid in state.results)
        for rank, pid, pl in state.ranking()
    ]
    return p.HostView(seq=seq, players=players, join_url=join_url)


def me_views(game: Game, state: RoomState, seq: int,
             only: set[str] | None = None) -> dict[str, p.MeView]:
    """Each player's own view, by player id (only those in `only`, when given)."""
    views = {}
    of = 0
    if 0 <= state.round_index < len(game.plan):
        rnd = game.plan[state.round_index]
        of = rounds.size(rnd.kind, rnd.key)
    for rank, pid, pl in state.ranking():
        if only is not None and pid not in only:
            continue
        result = state.results.get(pid)
        last = None
        if state.phase != "open" and pl.last_correct is not None and state.round_index >= 0:
            last = p.LastResult(round=state.round_index, correct=pl.last_correct,
                                points=pl.last_points or 0, right=pl.last_right, of=of)
        views[pid] = p.MeView(
            seq=seq, player_id=pid, nickname=pl.nickname, score=pl.score, streak=pl.streak,
            rank=rank, answered=result is not None,
            answer=result.answer if result else None, last=last,
        )
    return views
