"""Team mode in the rules (game_rules/teams.py, machine.py): placement, the team board
(averages of the members' scores worked out here), ties, kicks, host moves, names."""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

import pytest

from decks.io import bundled_deck_path, load_deck
from game_rules import machine as m
from game_rules import teams
from game_rules.model import Settings
from game_rules.plan import make_plan
from game_rules.standings import Standings
from server import views

DECK = load_deck(bundled_deck_path("soviet-union-1928-41")).to_rules()
P = 1000


def game(**settings: object) -> m.Game:
    # Accuracy only: a right quiz answer earns exactly P, a wrong one 0.
    s = Settings(rounds=3, round_mix=("quiz",), points=P, speed_scoring=False,
                 streak_bonus=False, **settings)  # type: ignore[arg-type]
    return m.Game(s, tuple(make_plan(DECK, s, seed=3)))


def join(g: m.Game, state: m.RoomState, n: int, now: int = 0) -> m.RoomState:
    start = len(state.players) + len(state.kicked_ids)
    for i in range(start, start + n):
        state, effects = m.apply(g, state, m.PlayerJoin(f"p{i}", f"Player {i}"), now)
        assert m.Joined(f"p{i}") in effects, effects
    return state


def play_round(g: m.Game, state: m.RoomState, right: set[str], now: int) -> m.RoomState:
    """Those in `right` answer right, everyone else wrong; the host closes the round."""
    index = state.round_index
    key = g.plan[index].key
    wrong = next(o for o in key["options"] if o != key["correct"])
    for pid in state.players:
        choice = key["correct"] if pid in right else wrong
        state, effects = m.apply(g, state, m.SubmitAnswer(pid, index, {"choice": choice}), now)
        assert not any(isinstance(e, m.Rejected) for e in effects), effects
    if state.phase == "open":
        state, _ = m.apply(g, state, m.HostAction("next"), now)
    assert state.phase == "reveal"
    return state


def expected_board(state: m.RoomState) -> list[tuple[int, int, int, int]]:
    """(rank, team, score, members) from the players, the slow obvious way: the mean with
    exact fractions, rounded half up; best first, equal scores share a rank."""
    members: dict[int, list[int]] = {}
    for player in state.players.values():
        assert player.team is not None
        members.setdefault(player.team, []).append(player.score)
    rows = sorted(((math.floor(Fraction(sum(s), len(s)) + Fraction(1, 2)), t, len(s))
                   for t, s in members.items()), key=lambda r: (-r[0], r[1]))
    out: list[tuple[int, int, int, int]] = []
    for i, (score, team, n) in enumerate(rows):
        rank = out[-1][0] if out and out[-1][2] == score else i + 1
        out.append((rank, team, score, n))
    return out


def board_of(g: m.Game, state: m.RoomState, standings: Standings | None = None
             ) -> list[tuple[int, int, int, int]]:
    """The team board of the room view, as (rank, team, score, members)."""
    view = views.room_view("ROOM", "deck", g, state, 1, 0, standings)
    return [(r.rank, r.team, r.score, r.members) for r in view.team_board]


def test_random_teams_of_three_fill_in_join_order() -> None:
    g = game(teams="random", team_size=3)
    state = join(g, m.RoomState(), 7)
    assert [state.players[f"p{i}"].team for i in range(7)] == [0, 0, 0, 1, 1, 1, 2]
    assert teams.as_list(state.team_sizes) == [3, 3, 1]
    # The index is rebuilt when a stored room is read back (it is not stored).
    again = m.RoomState.model_validate_json(state.model_dump_json())
    assert teams.as_list(again.team_sizes) == [3, 3, 1]
    assert "team_sizes" not in state.model_dump()


def test_uneven_teams_score_the_average_of_their_members() -> None:
    g = game(teams="random", team_size=3)
    state = join(g, m.RoomState(), 7)
    state, _ = m.apply(g, state, m.HostAction("start"), 1000)
    # Team 0 (p0-p2), team 1 (p3-p5), team 2 (p6 alone).
    rights = [{"p0", "p1", "p3", "p6"}, {"p0", "p4", "p5"}, {"p2", "p3", "p6"}]
    for index, right in enumerate(rights):
        state = play_round(g, state, right, 2000 + index * 1000)
        assert board_of(g, state) == []  # the team board is shown at leaderboard and podium
        state, _ = m.apply(g, state, m.HostAction("next"), 2500 + index * 1000)
        assert state.phase == "leaderboard"
        assert board_of(g, state) == expected_board(state)
        if index < len(rights) - 1:
            state, _ = m.apply(g, state, m.HostAction("next"), 2600 + index * 1000)
    scores = {pid: p.score for pid, p in state.players.items()}
    assert scores == {"p0": 2000, "p1": 1000, "p2": 1000, "p3": 2000, "p4": 1000,
                      "p5": 1000, "p6": 2000}
    # Team 0: 4000 / 3 = 1333.3 -> 1333; team 1 the same; team 2: 2000 alone. The sum of
    # team 0's scores (4000) is twice team 2's, yet team 2 wins: size does not decide.
    assert board_of(g, state) == [(1, 2, 2000, 1), (2, 0, 1333, 3), (2, 1, 1333, 3)]
    state, _ = m.apply(g, state, m.HostAction("next"), 9000)
    assert state.phase == "podium"
    assert board_of(g, state) == [(1, 2, 2000, 1), (2, 0, 1333, 3), (2, 1, 1333, 3)]


def test_averages_round_half_up() -> None:
    assert teams.average(1001, 2) == 501  # 500.5
    assert teams.average(1000, 3) == 333  # 333.3
    assert teams.average(2000, 3) == 667  # 666.7
    assert teams.average(2500, 2) == 1250
    assert teams.average(0, 4) == 0
    for total, n in itertools.product(range(0, 60), range(1, 8)):
        assert teams.average(total, n) == math.floor(Fraction(total, n) + Fraction(1, 2))


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    board = teams.TeamBoard(totals={0: 1000, 1: 3000, 2: 1500, 3: 500},
                            members={0: 1, 1: 3, 2: 3, 3: 1})
    # 1000, 1000, 500, 500: two ties
    assert [tuple(r) for r in board.ranked()] == [
        (1, 0, 1000, 1), (1, 1, 1000, 3), (3, 2, 500, 3), (3, 3, 500, 1)]


def test_a_kicked_member_leaves_the_team_and_the_next_joiner_fills_the_place() -> None:
    g = game(teams="random", team_size=3)
    state = join(g, m.RoomState(), 6)
    state, _ = m.apply(g, state, m.HostAction("start"), 1000)
    state = play_round(g, state, {"p0", "p1"}, 2000)  # p2 (team 0) scores nothing
    state, _ = m.apply(g, state, m.HostAction("next"), 2500)
    assert board_of(g, state) == [(1, 0, 667, 3), (2, 1, 0, 3)]  # 2000 / 3
    state, effects = m.apply(g, state, m.HostKick("p2"), 2600)
    assert m.Kicked("p2") in effects
    assert teams.as_list(state.team_sizes) == [2, 3]
    assert board_of(g, state) == expected_board(state) == [(1, 0, 1000, 2), (2, 1, 0, 3)]
    # The next player to join goes to the team with a free place, not a new one.
    state = join(g, state, 1, 2700)
    assert state.players["p6"].team == 0 and teams.as_list(state.team_sizes) == [3, 3]
    state = join(g, state, 1, 2700)
    assert state.players["p7"].team == 2 and teams.as_list(state.team_sizes) == [3, 3, 1]


def test_a_kicked_teams_last_member_takes_the_team_off_the_board() -> None:
    g = game(teams="random", team_size=2)
    state = join(g, m.RoomState(), 3)
    state, _ = m.apply(g, state, m.HostAction("start"), 1000)
    state = play_round(g, state, {"p2"}, 2000)
    state, _ = m.apply(g, state, m.HostAction("next"), 2500)
    assert board_of(g, state) == [(1, 1, 1000, 1), (2, 0, 0, 2)]
    state, _ = m.apply(g, state, m.HostKick("p2"), 2600)
    assert board_of(g, state) == [(1, 0, 0, 2)]


def test_newcomers_keep_the_kept_board_equal_to_a_fresh_one() -> None:
    """The runner adds a late joiner to its kept board in O(1); it must equal a board
    built from the state (the newcomer counts with 0 at once)."""
    g = game(teams="random", team_size=2)
    state = join(g, m.RoomState(), 5)
    state, _ = m.apply(g, state, m.HostAction("start"), 1000)
    state = play_round(g, state, {"p0", "p1", "p4"}, 2000)
    state, _ = m.apply(g, state, m.HostAction("next"), 2500)
    kept = Standings.of(state)
    for _ in range(3):
        state = join(g, state, 1, 2600)
        pid = list(state.players)[-1]
        kept.add_newcomer(pid, state.players[pid].team)
        assert board_of(g, state, kept) == board_of(g, state) == expected_board(state)
    assert teams.as_list(state.team_sizes) == [2, 2, 2, 2]


def test_host_moves_players_and_the_rest_are_placed_at_the_start() -> None:
    g = game(teams="host", team_count=3)
    state = join(g, m.RoomState(), 7)
    assert all(p.team is None for p in state.players.values())  # the host places them
    host_view = views.host_view(state, 1, "url", settings=g.settings)
    assert [(t.team, t.name, t.members) for t in host_view.teams] == [
        (0, "Red Foxes", 0), (1, "Blue Whales", 0), (2, "Green Frogs", 0)]
    for pid, team in (("p0", 2), ("p1", 2), ("p2", 2), ("p3", 0), ("p4", 2)):
        before = state
        state, effects = m.apply(g, state, m.HostTeam(pid, team), 100)
        assert effects == [m.TeamChanged(pid)]
        assert before.players[pid].team is None  # the state given is never changed
    state, effects = m.apply(g, state, m.HostTeam("p4", 0), 100)  # moved again
    assert effects == [m.TeamChanged("p4")]
    assert teams.as_list(state.team_sizes) == [2, 0, 3]
    assert m.apply(g, state, m.HostTeam("p4", 0), 100) == (state, [])  # already there
    # p5, p6 have no team: at the start they go to the smallest team (team 1, then 1).
    before = state
    state, effects = m.apply(g, state, m.HostAction("start"), 1000)
    assert effects == [m.TeamChanged("p5"), m.TeamChanged("p6"), m.RoundOpened(0)]
    assert before.players["p5"].team is None
    teams_now = {pid: p.team for pid, p in state.players.items()}
    assert teams_now == {"p0": 2, "p1": 2, "p2": 2, "p3": 0, "p4": 0, "p5": 1, "p6": 1}
    assert teams.as_list(state.team_sizes) == [2, 2, 3]
    # A late joiner goes to the smallest team too (the lowest number of those).
    state = join(g, state, 1, 1100)
    assert state.players["p7"].team == 0
    state = play_round(g, state, {"p0", "p3", "p5", "p6"}, 2000)
    state, _ = m.apply(g, state, m.HostAction("next"), 2500)
    assert board_of(g, state) == expected_board(state) == [
        (1, 1, 1000, 2), (2, 0, 333, 3), (2, 2, 333, 3)]


@pytest.mark.parametrize(("event", "code"), [
    (m.HostTeam("nobody", 0), "unknown_player"),
    (m.HostTeam("p0", 3), "unknown_team"),
    (m.HostTeam("p0", 10_000), "unknown_team"),
])
def test_host_moves_refused_in_the_lobby(event: m.HostTeam, code: str) -> None:
    g = game(teams="host", team_count=3)
    state = join(g, m.RoomState(), 2)
    new, effects = m.apply(g, state, event, 100)
    assert new is state
    assert [(e.to, e.code) for e in effects if isinstance(e, m.Rejected)] == [(m.HOST, code)]
    assert len(effects) == 1


def test_host_moves_refused_out_of_the_lobby_or_mode() -> None:
    for mode in ("off", "random"):
        g = game(teams=mode)
        state = join(g, m.RoomState(), 2)
        new, effects = m.apply(g, state, m.HostTeam("p0", 0), 100)
        assert new is state and effects == [m.Rejected(
            m.HOST, "no_host_teams", "This game's teams are not set by the host.")]
    g = game(teams="host", team_count=2)
    state = join(g, m.RoomState(), 2)
    state, _ = m.apply(g, state, m.HostAction("start"), 100)
    new, effects = m.apply(g, state, m.HostTeam("p0", 1), 200)
    assert new is state and [e.code for e in effects if isinstance(e, m.Rejected)] == [
        "bad_phase"]
    state, _ = m.apply(g, state, m.HostAction("end"), 300)
    new, effects = m.apply(g, state, m.HostTeam("p0", 1), 400)
    assert [e.code for e in effects if isinstance(e, m.Rejected)] == ["game_over"]


def test_teams_off_gives_no_team() -> None:
    g = game()
    state = join(g, m.RoomState(), 3)
    assert all(p.team is None for p in state.players.values())
    assert teams.as_list(state.team_sizes) == []
    state, _ = m.apply(g, state, m.HostAction("start"), 100)
    state = play_round(g, state, {"p0"}, 200)
    state, _ = m.apply(g, state, m.HostAction("next"), 300)
    view = views.room_view("ROOM", "deck", g, state, 1, 0)
    assert view.team_mode == "off" and view.team_board == []
    assert views.host_view(state, 1, "url", settings=g.settings).teams == []


def test_the_me_view_carries_the_team() -> None:
    g = game(teams="random", team_size=2)
    state = join(g, m.RoomState(), 3)
    frames = views.me_views(g, state, 4)
    assert '"team":{"team":1,"name":"Blue Whales","colour":"#1f4e9e"}' in frames["p2"]
    assert '"team":{"team":0,"name":"Red Foxes","colour":"#c8102e"}' in frames["p0"]


def _luminance(colour: str) -> float:
    def lin(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _lab(colour: str) -> tuple[float, float, float]:
    def lin(c: int) -> float:
        x = c / 255
        return x / 12.92 if x <= 0.04045 else ((x + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(int(colour[i:i + 2], 16)) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_team_colours_read_and_differ_on_a_projector() -> None:
    colours = [c for _, c in teams.PALETTE]
    for c in colours:  # white text on the colour: WCAG contrast of at least 4.5:1
        assert 1.05 / (_luminance(c) + 0.05) >= 4.5, c
    for a, b in itertools.combinations(colours, 2):  # CIE76 distance: clearly different
        assert math.dist(_lab(a), _lab(b)) >= 20, (a, b)


def test_names_for_a_room_of_ten_thousand() -> None:
    g = game(teams="random", team_size=2, max_players=10_000)
    state = m.RoomState()
    for i in range(10_000):
        state, _ = m.apply(g, state, m.PlayerJoin(f"p{i}", f"Player {i}"), 0)
    assert teams.as_list(state.team_sizes) == [2] * 5000
    names = [teams.name(t) for t in range(5000)]
    assert len(set(names)) == 5000
    assert names[:2] == ["Red Foxes", "Blue Whales"] and names[10] == "Red Foxes 2"
    assert names[4999] == "Olive Turtles 500"
    # The host view lists the first 100 teams, not 5,000.
    assert len(views.host_view(state, 1, "url", settings=g.settings).teams) == views.HOST_TEAMS


@pytest.mark.parametrize("seed", range(5))
def test_random_placement_follows_the_rule_through_kicks_and_reloads(seed: int) -> None:
    """Joins, kicks and reloads (the indexes rebuilt from the stored players) in a random
    order: each joiner goes to the smallest team, the lowest-numbered of those, or to a new
    team when every team is full, worked out here from the players alone."""
    rng = random.Random(seed)
    g = game(teams="random", team_size=3, max_players=500)
    state, n = m.RoomState(), 0
    for _ in range(300):
        r = rng.random()
        if r < 0.2 and state.players:
            pid = rng.choice(list(state.players))
            state, _ = m.apply(g, state, m.HostKick(pid), 0)
        elif r < 0.25:
            state = m.RoomState.model_validate_json(state.model_dump_json())
        else:
            # Members per team from the players alone; the teams opened so far (a team
            # emptied by kicks stays open, except at the end after a reload).
            opened = len(state.team_sizes)
            every = [0] * opened
            for p in state.players.values():
                assert p.team is not None
                every[p.team] += 1
            assert teams.as_list(state.team_sizes) == every
            want = every.index(min(every)) if every and min(every) < 3 else opened
            state, _ = m.apply(g, state, m.PlayerJoin(f"p{n}", f"Player {n}"), 0)
            assert state.players[f"p{n}"].team == want
            n += 1
    assert n > 150 and len(state.kicked_ids) > 30
