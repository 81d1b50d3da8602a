"""Team mode in real headless Chromium against `cardcade serve`: the host's create form and
lobby with teams (tap a player, then a team), the phone's team band, the team board
between rounds and the team podium. Screenshots go to docs/screenshots/.

Scripted players (tests/test_browser_host.py `Bots`) fill the room; one player is a real
phone page.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import pytest

from tests.browser_helpers import (
    CHROMIUM,
    HOST_VIEW,
    PHONE,
    chromium_available,
    fill_settings,
    new_page,
    open_create_form,
    screen,
    shot,
)
from tests.test_browser_host import Bots, last_view

pytestmark = pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture
def bots(live_server: Any) -> Any:
    b = Bots(live_server.ws_url)
    yield b
    b.close()


def colour_of(page: Any, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def expected_board(host_view: dict[str, Any]) -> list[tuple[int, str, int, int]]:
    """(rank, name, score, members) from the host view's players: the mean rounded half up."""
    names = {t["team"]: t["name"] for t in host_view["teams"]}
    members: dict[int, list[int]] = {}
    for p in host_view["players"]:
        members.setdefault(p["team"], []).append(p["score"])
    rows = sorted(((math.floor(Fraction(sum(s), len(s)) + Fraction(1, 2)), t, len(s))
                   for t, s in members.items()), key=lambda r: (-r[0], r[1]))
    out: list[tuple[int, str, int, int]] = []
    for i, (score, team, n) in enumerate(rows):
        rank = out[-1][0] if out and out[-1][2] == score else i + 1
        out.append((rank, names[team], score, n))
    return out


def board_on_screen(host: Any) -> list[tuple[int, str, int, int]]:
    rows = host.eval_on_selector_all("#team-board li", """els => els.map(li => [
        li.querySelector('.rank').textContent, li.querySelector('.team-name').textContent,
        li.querySelector('.score').textContent, li.querySelector('.members').textContent])""")
    return [(int(r.rstrip(".")), n, int(s), int(m.split()[0])) for r, n, s, m in rows]


def test_host_sets_teams_phone_band_team_board_and_podium(browser: Any, live_server: Any,
                                                           bots: Bots) -> None:
    base = live_server.http_url
    errors: list[str] = []
    host, frames = new_page(browser, HOST_VIEW, errors, "host")
    host.emulate_media(reduced_motion="reduce")  # the podium all at once, for the picture
    open_create_form(host, base, seed=5)
    fill_settings(host, rounds=2, mix=["quiz"])
    assert host.is_hidden("#team-count-field")
    host.select_option("#teams", "host")
    host.fill("#team_count", "3")
    shot(host, "host-create-teams")
    host.click("#create-btn")
    host.wait_for_selector("#room-code")
    code = host.inner_text("#room-code").strip()
    created = next(m for m in frames.sent if m.get("type") == "create_room")
    assert created["settings"]["teams"] == "host" and created["settings"]["team_count"] == 3

    phone, phone_frames = new_page(browser, PHONE, errors, "phone")
    phone.goto(f"{base}/play?room={code}")
    phone.fill("#nickname", "Ana")
    phone.tap("#join-btn")
    screen(phone, "lobby")
    assert phone.locator("#team-band:visible").count() == 0  # no team yet
    names = ["Boris", "Chen", "Dana", "Emil", "Farah"]
    bots.join(code, names)
    host.wait_for_selector("#player-count:has-text('6 players')")

    # The lobby: three empty teams and everyone without a team.
    host.wait_for_selector("#team-grid [data-team='none'] [data-member]:nth-child(6)")
    assert host.locator("#team-grid .team-card[data-team]").count() == 4
    assert host.inner_text("#team-grid [data-team='1'] .team-name") == "Blue Whales"
    # Tap a player, then a team.
    moves = {"Ana": 1, "Boris": 1, "Chen": 0, "Dana": 2}
    for name, team in moves.items():
        host.click(f"#team-grid button.member:text-is('{name}')")
        host.wait_for_selector(f"#teams-hint:has-text('Now tap the team for {name}')")
        host.click(f"#team-grid [data-team='{team}'] .team-head")
        host.wait_for_selector(f"#team-grid [data-team='{team}'] .member:text-is('{name}')")
    sent = [m["team"] for m in frames.sent if m.get("type") == "team"]
    assert sent == list(moves.values())
    host.wait_for_selector("#team-grid [data-team='none'] .count:text-is('2')")
    shot(host, "host-lobby-teams")

    # The phone shows its team as a band in the team's colour.
    phone.wait_for_selector("#team-band:has-text('Team Blue Whales')")
    assert colour_of(phone, "#team-band") == rgb("#1f4e9e")
    shot(phone, "play-team-band")

    host.click("#start-btn")
    screen(host, "open")
    # Emil and Farah had no team: the smallest teams get them (0 then 2, lowest first).
    hv = last_view(frames, "host")
    assert {p["nickname"]: p["team"] for p in hv["players"]} == {
        "Ana": 1, "Boris": 1, "Chen": 0, "Dana": 2, "Emil": 0, "Farah": 2}

    for index in range(2):
        screen(host, "open")
        bots.answer(names, index, pick=index)
        screen(phone, "open")
        phone.tap("#opt-0")
        screen(host, "reveal")
        host.click("#next-btn")
        screen(host, "leaderboard")
        host.wait_for_selector("#team-board li")
        hv = last_view(frames, "host")
        room = last_view(frames, "room")
        expected = expected_board(hv)
        print(f"round {index}: team board {expected}")
        assert board_on_screen(host) == expected
        assert [(r["rank"], r["name"], r["score"], r["members"]) for r in room["team_board"]] \
            == expected
        if index == 0:
            shot(host, "host-leaderboard-teams")
        host.click("#next-btn")

    screen(host, "podium")
    host.wait_for_selector("#team-podium .team-step")
    room = last_view(frames, "room")
    top = room["team_board"][:3]
    for row in top:
        step = f"#team-podium .team-step[data-team='{row['team']}']"
        assert host.inner_text(f"{step} .pname") == row["name"]
        assert f"{row['score']} pts" in host.inner_text(f"{step} .pscore")
        assert colour_of(host, step) == rgb(row["colour"])
    first = host.locator("#team-podium .step.p1 .pname").inner_text()
    assert first == top[0]["name"]
    shot(host, "host-podium-teams")
    screen(phone, "podium")
    phone.wait_for_selector("#team-band:has-text('Team Blue Whales')")
    assert not errors, errors
    assert not [e for e in frames.errors() + phone_frames.errors()], frames.errors()


def test_random_teams_in_the_lobby(browser: Any, live_server: Any, bots: Bots) -> None:
    """Random teams of 2: the lobby shows the teams as players join, no tapping."""
    base = live_server.http_url
    errors: list[str] = []
    host, frames = new_page(browser, HOST_VIEW, errors, "host")
    open_create_form(host, base)
    fill_settings(host, rounds=1, mix=["quiz"])
    host.select_option("#teams", "random")
    host.fill("#team_size", "2")
    host.click("#create-btn")
    host.wait_for_selector("#room-code")
    code = host.inner_text("#room-code").strip()
    created = next(m for m in frames.sent if m.get("type") == "create_room")
    assert created["settings"]["teams"] == "random" and created["settings"]["team_size"] == 2
    bots.join(code, ["Ines", "Jon", "Kai", "Lea", "Mo"])
    host.wait_for_selector("#team-grid [data-team='2'] .member:text-is('Mo')")
    cards = host.eval_on_selector_all(
        "#team-grid .team-card", "els => els.map(e => [e.dataset.team, "
        "[...e.querySelectorAll('.member')].map(m => m.textContent)])")
    assert cards == [["0", ["Ines", "Jon"]], ["1", ["Kai", "Lea"]], ["2", ["Mo"]]]
    assert host.locator("#team-grid button.member").count() == 0  # nothing to tap
    assert host.inner_text("#teams-hint") == "Players are put in teams as they join."
    assert not errors, errors
