"""A competition in real headless Chromium: the host's room of a competition and the
projector scoreboard (/scoreboard/<ID>), against `cardcade serve`.

- test_scoreboard_follows_a_competition: a competition made over HTTP; its host link opened
  in Chromium opens a room of it (the board counts the room); a second room and the players
  are scripted clients (tests/client.py); after a round with known answers the scoreboard
  shows the board's rows (rank, nickname, room, score), its counts and shared ranks; after
  another round it updates by itself, the same row elements patched in place; with the
  server stopped it keeps the board under a "reconnecting" note; closed, it shows the final
  results; the host link of a closed competition says so. No secret reaches the page.
- test_unknown_competition_and_wrong_key: an unknown id on the scoreboard, a wrong host key
  typed in the host page's "Join a competition".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser_helpers import (
    CHROMIUM,
    HOST_VIEW,
    Axe,
    chromium_available,
    new_page,
    screen,
    shot,
)
from tests.client import GameClient, RoomData, answer_for, redis_client
from tests.test_browser_host import Bots
from tests.test_competitions import api, competition_room

pytestmark = pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
# Exact scores: a right quiz answer is worth 1000 points, whatever its speed, no streak bonus.
SETTINGS = {"rounds": 3, "round_mix": ["quiz"], "time_limit_s": 60, "speed_scoring": False,
            "streak_bonus": False}
ROOM_1 = ["Ana", "Boris", "Chen", "<b>Dora</b>"]  # the browser host's room
ROOM_2 = ["Ana", "Emil", "Farah"]  # the scripted host's room: a second Ana is a second player
# round -> (room, nickname) -> how they answer (missing: no answer). Someone in each room
# leaves each round unanswered: the host closes it (a round everyone answered closes itself).
ANSWERS = [
    {(1, "Ana"): "right", (1, "Boris"): "wrong", (1, "<b>Dora</b>"): "right",
     (2, "Ana"): "right", (2, "Farah"): "right"},
    {(1, "Ana"): "right", (1, "Boris"): "right", (2, "Farah"): "right"},
]

ROWS_JS = """() => [...document.querySelectorAll('#sb-board li')].map(li => {
  const [rank, name, room, score] = li.children;
  return {rank: Number(rank.textContent), nickname: name.textContent,
          room: room.textContent, score: Number(score.textContent.replaceAll(',', '')),
          tie: rank.classList.contains('tie')};
})"""


def board(base: str, cid: str, limit: int = 10) -> dict[str, Any]:
    status, data = api(base, f"/api/competitions/{cid}/leaderboard.json?limit={limit}")
    assert status == 200, data
    assert isinstance(data, dict)
    return data


def eventually(check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    """Ask `check` until it returns something true; fail naming `what` after `timeout` s."""
    end = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError(f"not seen in {timeout} s: {what}")
        time.sleep(0.2)


def shown_rows(page: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = page.evaluate(ROWS_JS)
    return rows


def rows_match(page: Any, base: str, cid: str) -> dict[str, Any] | None:
    """The board when the page shows exactly its rows (rank, nickname, room, score)."""
    data = board(base, cid)
    shown = [{k: r[k] for k in ("rank", "nickname", "room", "score")} for r in shown_rows(page)]
    return data if shown == data["rows"] and data["rows"] else None


@pytest.fixture
def bots(own_server: Any) -> Iterator[Bots]:
    b = Bots(own_server.ws_url)
    yield b
    b.close()


def test_scoreboard_follows_a_competition(browser: Any, own_server: Any, bots: Bots) -> None:
    base = own_server.http_url
    errors: list[str] = []
    status, made = api(base, "/api/competitions", "POST", {
        "name": "District final", "deck": "soviet-union-1928-41", "seed": 2024,
        "settings": SETTINGS})
    assert status == 201, made
    cid, secrets = made["competition"], (made["organiser_token"], made["host_key"])

    # 1. The host link opens the create screen of a room of the competition: no deck to pick.
    host, frames = new_page(browser, HOST_VIEW, errors, "host")
    link = urlsplit(made["host_url"])
    host.goto(f"{base}{link.path}?{link.query}")
    host.wait_for_selector("#competition-btn")
    assert host.inner_text("#competition-id-shown") == cid
    assert host.locator("#deck").count() == 0 and host.locator("#create-form").count() == 0
    host.wait_for_function("document.querySelector('#competition-about').textContent"
                           ".includes('District final')")
    assert made["host_key"] not in host.url  # the projector does not show the key
    axe = Axe()
    axe.check(host, "host-competition")
    shot(host, "host-competition")
    host.click("#competition-btn")
    host.wait_for_selector("#room-code")
    code_1 = host.inner_text("#room-code").strip()
    sent = next(m for m in frames.sent if m.get("type") == "create_room")
    assert sent == {"type": "create_room", "competition": cid, "host_key": made["host_key"]}
    created = next(m for m in frames.received if m.get("type") == "created")
    assert (created["room"], created["competition"]) == (code_1, cid)
    assert f"Competition {cid}" in host.inner_text("#topinfo")
    assert f"/scoreboard/{cid}" in host.inner_text("#competition-note")
    assert board(base, cid)["rooms"] == 1  # the room really joined the competition

    # 2. A second room and the players, scripted.
    players: dict[tuple[int, str], GameClient] = {}

    async def second_room_and_players() -> tuple[str, list[dict[str, Any]]]:
        host_2 = await competition_room(own_server.ws_url, made, "host2")
        bots.clients["host2"] = host_2
        for room, code, names in ((1, code_1, ROOM_1), (2, host_2.code or "", ROOM_2)):
            for name in names:
                client = await GameClient(own_server.ws_url, f"r{room}-{name}").connect()
                await client.join(code, name)
                players[(room, name)] = bots.clients[client.name] = client
        await host_2.room_where(lambda v: v["players"] == len(ROOM_2))
        store = redis_client(own_server.redis_url)
        try:
            plans = [await RoomData(store, c).plan() for c in (code_1, host_2.code or "")]
        finally:
            await store.aclose()
        assert plans[0] == plans[1]  # one plan for the competition
        return host_2.code or "", plans[0]

    code_2, plan = bots.run(second_room_and_players())
    host_2 = bots.clients["host2"]
    codes = {1: code_1, 2: code_2}
    assert (board(base, cid)["rooms"], board(base, cid)["players"]) == (2, 7)

    async def play(index: int) -> None:
        """Both rooms' round `index`: the answers of ANSWERS, then the round closed."""
        await host_2.host("start" if index == 0 else "next")
        for (room, name), client in players.items():
            await client.phase("open", index, timeout=15)
            how = ANSWERS[index].get((room, name))
            if how:
                await client.answer_acked(index, answer_for(plan[index], how))
        await host_2.host("next")
        await host_2.phase("reveal", index)

    def round_in_browser(index: int) -> None:
        if index == 0:
            host.wait_for_selector("#start-btn:not([disabled])")
            host.click("#start-btn")
        else:
            host.click("#next-btn")  # the leaderboard's "next round"
        screen(host, "open")
        bots.run(play(index))
        host.click("#next-btn")  # close the round (not everyone answered)
        screen(host, "reveal")
        host.click("#next-btn")
        screen(host, "leaderboard")
        bots.run(host_2.host("next"))

    def expected(rounds: int) -> dict[tuple[str, str], int]:
        return {(codes[room], name): 1000 * sum(ANSWERS[i].get((room, name)) == "right"
                                                 for i in range(rounds))
                for room, name in players}

    round_in_browser(0)
    eventually(lambda: {(r["room"], r["nickname"]): r["score"]
                        for r in board(base, cid)["rows"]} == expected(1), "round 1 on the board")

    # 3. The scoreboard shows the board: rows, counts, shared ranks; nicknames as text.
    sb, _ = new_page(browser, PROJECTOR, errors, "scoreboard")
    asked: list[str] = []
    sb.on("request", lambda req: asked.append(req.url))
    sb.goto(f"{base}/scoreboard/{cid}")
    data = eventually(lambda: rows_match(sb, base, cid), "the board's rows on the scoreboard")
    assert sb.inner_text("#sb-name") == "District final"
    assert sb.inner_text("#sb-counts") == "7 players in 2 rooms"
    assert sb.inner_text("#sb-state") == "Live"
    ranks = [r["rank"] for r in data["rows"]]
    assert ranks == [1, 1, 1, 1, 5, 5, 5]  # four with 1000 points, three with none
    assert all(r["tie"] for r in shown_rows(sb))
    dora = sb.locator("#sb-board li", has_text="Dora")
    assert dora.locator(".name").text_content() == "<b>Dora</b>"  # text, not markup
    assert sb.locator("#sb-board b").count() == 0
    # Mark the row elements: an update patches them, it does not rebuild the list.
    sb.evaluate("""() => { window.rowEls = new Map([...document.querySelectorAll('#sb-board li')]
      .map(li => [li.children[2].textContent + '|' + li.children[1].textContent, li])); }""")

    # 4. Another round: the page follows by itself (no reload), rows moved in place.
    round_in_browser(1)
    eventually(lambda: {(r["room"], r["nickname"]): r["score"]
                        for r in board(base, cid)["rows"]} == expected(2), "round 2 on the board")
    data = eventually(lambda: rows_match(sb, base, cid), "the scoreboard following round 2")
    assert [r["rank"] for r in data["rows"]] == [1, 1, 3, 3, 3, 6, 6]
    assert [r["tie"] for r in shown_rows(sb)] == [True] * 7
    assert sb.evaluate("""() => [...document.querySelectorAll('#sb-board li')].every(li =>
      window.rowEls.get(li.children[2].textContent + '|' + li.children[1].textContent) === li)""")
    assert shown_rows(sb)[0]["score"] == 2000
    assert sb.locator("#sb-board li").first.get_attribute("data-rank") == "1"
    sb.wait_for_function("document.getAnimations().length === 0")  # a raised score's glow
    axe.check(sb, "scoreboard")
    shot(sb, "scoreboard")
    print(f"the page asked for the board {sum('leaderboard.json' in u for u in asked)} times")

    # 5. The server stops: the last board stays, under a "reconnecting" note; then it is back.
    before = shown_rows(sb)
    own_server.stop()
    sb.wait_for_selector("#status:not(.hidden)", timeout=20_000)
    assert "Reconnecting" in sb.inner_text("#status")
    assert "last scores" in sb.inner_text("#status")
    assert shown_rows(sb) == before
    own_server.start()
    sb.wait_for_selector("#status.hidden", state="attached", timeout=30_000)
    assert shown_rows(sb) == before

    # 6. Closed: the final results; the host link of a closed competition says so.
    status, closed = api(base, f"/api/competitions/{cid}/close", "POST",
                         token=made["organiser_token"])
    assert status == 200 and closed["closed"] is True
    sb.wait_for_function("document.querySelector('#sb-state').textContent === 'Final results'")
    assert sb.get_attribute("body", "data-state") == "final"
    assert shown_rows(sb) == before
    shot(sb, "scoreboard-final")
    late, _ = new_page(browser, HOST_VIEW, errors, "late host")
    late.goto(f"{base}{link.path}?{link.query}")
    late.wait_for_function("document.querySelector('#competition-about').textContent"
                           ".includes('closed')")
    late.click("#competition-btn")
    late.wait_for_function("document.querySelector('#host-error').textContent !== ''")
    assert "closed" in late.inner_text("#host-error")
    assert late.inner_text("#competition-btn") == "Open a room for this competition"

    # Nothing secret reached the scoreboard: not in the page, not in what it asked for.
    page_text = sb.content()
    for secret in secrets:
        assert secret not in page_text and not any(secret in u for u in asked)
    assert all(u.startswith(f"{base}/static/") or u == f"{base}/scoreboard/{cid}"
               or u == f"{base}/api/competitions/{cid}/leaderboard.json?limit=10" for u in asked)
    assert not axe.found, axe.found
    assert not errors, errors


def test_unknown_competition_and_wrong_key(browser: Any, live_server: Any) -> None:
    base = live_server.http_url
    errors: list[str] = []
    sb, _ = new_page(browser, PROJECTOR, errors, "scoreboard")
    sb.goto(f"{base}/scoreboard/NOSUCH99")
    sb.wait_for_selector("#sb-message:not(.hidden)")
    assert "There is no competition “NOSUCH99”" in sb.inner_text("#sb-message")
    assert sb.locator("#sb-board li").count() == 0 and sb.is_hidden("#sb-board")
    assert sb.is_hidden("#status")  # the server answered: not a connection problem
    shot(sb, "scoreboard-unknown")

    status, made = api(base, "/api/competitions", "POST", {
        "name": "Year 9", "deck": "soviet-union-1928-41", "settings": {"rounds": 2}})
    assert status == 201, made
    host, frames = new_page(browser, HOST_VIEW, errors, "host")
    host.goto(f"{base}/host")
    host.wait_for_selector("#create-form")
    host.click("#competition-join summary")
    host.fill("#competition-id", made["competition"])
    host.fill("#competition-key", made["host_key"] + "x")
    host.press("#competition-key", "Enter")  # opens the room, does not submit the game form
    host.wait_for_function("document.querySelector('#host-error').textContent !== ''")
    assert "no competition with that id and host key" in host.inner_text("#host-error")
    assert [m["type"] for m in frames.sent if m.get("type") == "create_room"] == ["create_room"]
    assert frames.errors()[-1]["code"] == "unknown_competition"
    # The right key: a room of the competition, from the normal create screen.
    host.fill("#competition-key", made["host_key"])
    host.click("#competition-join-btn")
    host.wait_for_selector("#competition-note")
    assert made["competition"] in host.inner_text("#topinfo")
    assert board(base, made["competition"])["rooms"] == 1
    assert not errors, errors
