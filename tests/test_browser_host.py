"""The host screen (projector) in real headless Chromium against `cardcade serve`.

The players here are mostly scripted WebSocket clients (tests/client.py) run on an asyncio
loop of their own, so a class of 40 costs no browser pages.

- test_order_reveal_shows_dates: the order round's reveal shows each event's date.
- test_end_game_needs_two_taps: "End game" arms first, says so, disarms by itself.
- test_class_of_40_missing_players_and_kicks: during a round the strip under the stage names
  who has not answered and who is offline, on one line, for 40 players at 1280x720; the
  players panel kicks in two taps from the round and from the leaderboard; the full standings.
- test_room_of_105_counts_everyone: a room bigger than the 100 players the host view lists:
  the lobby counts all 105 and ends its list with "and 5 more players"; the strip under a
  round counts who has not answered and who is offline in the whole room (not the listed
  rows); the players panel and the podium's full standings say how many are not listed.
- test_create_from_file_in_two_clicks: pick a file, "Create game" (in view at 1280x720).
- test_lobby_says_what_the_plan_left_out: the lobby names the round types a plain deck
  plays and why the others were left out, and still does after a reload.
- test_projector_text_and_join_address: nothing on the round, reveal and leaderboard screens
  is under 20 px at 1280x720, and the room code and join address stay in the top bar.
- test_podium_rises_third_second_first: the podium's motion, and none with reduced motion.
- test_leaderboard_knows_the_last_round_after_reload: room.round_index / room.rounds.
- test_deck_errors_in_teacher_words, test_error_words_table: error codes and reasons mapped to
  sentences on the page (no rewriting of the server's text).
- test_host_page_is_small_modules: the page's code layout.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from tests.browser_helpers import (
    CHROMIUM,
    HOST_VIEW,
    LONG_SEEDS,
    ROOT,
    SAMPLE_UPLOAD,
    Axe,
    Frames,
    chromium_available,
    create_game,
    fill_settings,
    host_fit,
    new_page,
    open_create_form,
    screen,
    settle,
    shot,
)
from tests.client import GameClient

pytestmark = pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


HOST_DIR = ROOT / "client_demo" / "host"
MIN_TEXT_PX = 20  # at 1280x720: nothing the class reads is smaller


# ------------------------------------------------------------------ scripted players


class Bots:
    """Scripted players on an asyncio loop in a thread of their own (Playwright's sync API
    keeps the main thread)."""

    def __init__(self, ws_url: str) -> None:
        self.ws_url = ws_url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.clients: dict[str, GameClient] = {}

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def join(self, code: str, names: list[str]) -> None:
        async def go() -> None:
            clients = [GameClient(self.ws_url, n) for n in names]
            await asyncio.gather(*(c.connect() for c in clients))
            for c, n in zip(clients, names, strict=True):
                await c.join(code, n)
                self.clients[n] = c

        self.run(go())

    def answer(self, names: list[str], index: int, pick: int = 0) -> None:
        """Each of `names` answers round `index`: option `pick` (+ its position) of a quiz,
        the items as dealt otherwise."""
        async def one(i: int, c: GameClient) -> None:
            room = await c.phase("open", index, timeout=15)
            rnd = room["round"]
            pub = rnd["public"]
            if rnd["kind"] == "quiz":
                answer = {"choice": pub["options"][(pick + i) % 4]["id"]}
            elif rnd["kind"] == "order":
                answer = {"order": [x["id"] for x in pub["items"]]}
            elif rnd["kind"] == "match":
                answer = {"pairs": {x["id"]: y["id"] for x, y in zip(pub["left"], pub["right"],
                                                                      strict=True)}}
            else:
                answer = {"placement": {x["id"]: pub["buckets"][0]["id"] for x in pub["items"]}}
            await c.answer_acked(index, answer)

        async def go() -> None:
            await asyncio.gather(*(one(i, self.clients[n]) for i, n in enumerate(names)))

        self.run(go())

    def drop(self, names: list[str]) -> None:
        """Their sockets close (a phone locked): they stay in the game, offline."""
        async def go() -> None:
            await asyncio.gather(*(self.clients[n].close() for n in names))

        self.run(go())

    def close_code(self, name: str, timeout: float = 10) -> int | None:
        return self.run(self.clients[name].wait_closed(timeout))

    def close(self) -> None:
        async def go() -> None:
            await asyncio.gather(*(c.close() for c in self.clients.values()),
                                 return_exceptions=True)
            # what a socket closed in a hurry left running (its keepalive), so that no task
            # is pending when the loop stops
            rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        try:
            self.run(go(), timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


@pytest.fixture
def bots(live_server: Any):
    b = Bots(live_server.ws_url)
    yield b
    b.close()


def host_game(browser: Any, base: str, errors: list[str], *, rounds: int, mix: list[str],
              seed: int | None = None, view: dict[str, Any] | None = None,
              items: int = 4) -> tuple[Any, Frames, str]:
    host, frames = new_page(browser, view or HOST_VIEW, errors, "host")
    code = create_game(host, base, rounds=rounds, mix=mix, seed=seed, items=items)
    return host, frames, code


def start(host: Any, names: list[str]) -> None:
    for name in names:
        host.wait_for_selector(f"#players [data-player='{name}']")
    host.click("#start-btn")
    screen(host, "open")


def sent_hosts(frames: Frames, action: str) -> list[dict[str, Any]]:
    return [m for m in frames.sent if m.get("type") == "host" and m.get("action") == action]


def last_view(frames: Frames, kind: str) -> dict[str, Any]:
    return next(m for m in reversed(frames.received) if m.get("type") == kind)


# What the class reads: every visible text on the page (screen-reader-only text aside), with
# its font size in CSS px, smallest first.
_TEXT_SIZES_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text) continue;
    const el = node.parentElement;
    if (el.closest('.sr-only, noscript, script, style')) continue;
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!r.width || !r.height || style.visibility === 'hidden' || +style.opacity === 0) continue;
    out.push({size: parseFloat(style.fontSize), text: text.slice(0, 40),
              cls: el.className || el.tagName});
  }
  out.sort((a, b) => a.size - b.size);
  return out;
}"""


def small_texts(page: Any, px: float) -> list[dict[str, Any]]:
    settle(page)
    return [t for t in page.evaluate(_TEXT_SIZES_JS) if t["size"] < px - 0.01]


def in_view(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    vp = page.viewport_size
    return bool(box) and box["x"] >= 0 and box["y"] >= 0 \
        and box["x"] + box["width"] <= vp["width"] + 0.5 \
        and box["y"] + box["height"] <= vp["height"] + 0.5


def no_page_scroll(page: Any) -> bool:
    return page.evaluate("document.scrollingElement.scrollHeight <= window.innerHeight")


# ------------------------------------------------------------------ 1. dates in the order reveal


def test_order_reveal_shows_dates(browser: Any, live_server: Any, bots: Bots) -> None:
    """The order round's reveal lists the events in the right order, each with its date
    (the key's `dates`), and still fits the projector."""
    base = live_server.http_url
    errors: list[str] = []
    host, frames, code = host_game(browser, base, errors, rounds=1, mix=["order"],
                                   seed=LONG_SEEDS["order"], items=6)
    bots.join(code, ["Olga"])
    start(host, ["Olga"])
    bots.answer(["Olga"], 0)  # the only player answered: the round closes
    screen(host, "reveal")
    key = frames.reveal(0)["reveal"]["key"]
    assert "dates" in key, f"the server sends no dates in the order key: {key}"
    items = {x["id"]: x["text"] for x in frames.reveal(0)["round"]["public"]["items"]}
    rows = host.locator(".order-list.revealed li")
    assert rows.count() == len(key["order"])
    for i, item in enumerate(key["order"]):
        row = rows.nth(i)
        assert row.get_attribute("data-item") == item
        assert row.locator(".date").inner_text() == key["dates"][item]
        assert row.locator(".itext").inner_text() == items[item]
    for width, height in ((1280, 720), (1920, 1080)):
        host.set_viewport_size({"width": width, "height": height})
        fit = host_fit(host)
        assert not fit["problems"], fit
        if height == 720:
            assert fit["minFont"] >= MIN_TEXT_PX, fit
            assert not small_texts(host, MIN_TEXT_PX)
            shot(host, "host-reveal-order-dates")
    assert not errors, errors


# ------------------------------------------------------------------ 2. teacher's controls


def test_end_game_needs_two_taps(browser: Any, live_server: Any, bots: Bots) -> None:
    """One tap on "End game" only arms it (it then says what the next tap does, and disarms
    by itself after a few seconds); the second tap ends the game."""
    base = live_server.http_url
    errors: list[str] = []
    host, frames, code = host_game(browser, base, errors, rounds=3, mix=["quiz"])
    bots.join(code, ["Ivy"])
    start(host, ["Ivy"])
    end = host.locator("#end-btn")
    assert end.inner_text() == "End game"
    end.click()
    assert end.inner_text() == "Confirm: end game"
    assert "end the game" in end.get_attribute("aria-label")
    assert end.get_attribute("data-armed") == "1"
    shot(host, "host-end-confirm")
    host.wait_for_timeout(300)
    assert not sent_hosts(frames, "end")
    assert host.locator("main[data-screen=open]").count() == 1
    # left alone, it disarms
    host.wait_for_function("document.querySelector('#end-btn').dataset.armed === undefined",
                           timeout=8000)
    assert end.inner_text() == "End game"
    assert end.get_attribute("aria-label") is None
    # two taps: the podium
    end.click()
    end.click()
    screen(host, "podium")
    assert len(sent_hosts(frames, "end")) == 1
    assert not errors, errors


def test_class_of_40_missing_players_and_kicks(browser: Any, live_server: Any,
                                               bots: Bots) -> None:
    """A class of 40 on a 1280x720 projector: the strip under the round names who has not
    answered and who is offline on one line, the round still fits; the players panel removes
    a player in two taps during the round and on the leaderboard; the podium's full
    standings list the whole class on one screen."""
    base = live_server.http_url
    errors: list[str] = []
    axe = Axe()
    host, frames, code = host_game(browser, base, errors, rounds=2, mix=["quiz"],
                                   seed=LONG_SEEDS["quiz"])
    names = [f"Student {i:02d}" for i in range(40)]
    bots.join(code, names)
    host.wait_for_selector("#player-count:has-text('40 players')")
    start(host, [names[0], names[-1]])

    # nobody has answered: as many names as fit on one line, then "+N more"
    host.wait_for_selector("#missing-wait:has-text('Not answered (40)')")
    strip = host.locator("#missing")
    shown = host.locator("#missing-wait .mname").all_inner_texts()
    assert 3 <= len(shown) < 40, shown
    assert shown == names[:len(shown)]
    more = host.locator("#missing-more")
    assert more.inner_text() == f"+{40 - len(shown)} more"
    assert in_view(host, "#missing-more")
    box = strip.bounding_box()
    assert box["height"] <= 50, box  # one line
    fit = host_fit(host)
    assert not fit["problems"], fit
    assert in_view(host, "#missing")
    more.click()  # the rest are in the players panel
    assert host.is_visible("#player-panel")
    assert host.locator("#player-panel li.player").count() == 40
    host.keyboard.press("Escape")
    assert host.is_hidden("#player-panel")

    # 30 answer, 5 lose their connection, 5 are still thinking
    bots.answer(names[:30], 0)
    bots.drop(names[30:35])
    host.wait_for_selector("#answered:has-text('30 / 40 answered')")
    host.wait_for_selector("#missing-off:has-text('Offline (5)')")
    host.wait_for_selector("#missing-wait:has-text('Not answered (5)')")
    waiting = host.locator("#missing-wait .mname").all_inner_texts()
    offline = host.locator("#missing-off .mname").all_inner_texts()
    assert waiting and waiting == names[35:35 + len(waiting)], waiting
    assert offline and offline == names[30:30 + len(offline)], offline
    hidden = 10 - len(waiting) - len(offline)
    if hidden:
        assert host.inner_text("#missing-more") == f"+{hidden} more"
    else:
        assert host.is_hidden("#missing-more")
    assert strip.bounding_box()["height"] <= 50
    assert not host_fit(host)["problems"]
    assert not small_texts(host, MIN_TEXT_PX)
    shot(host, "host-missing-players")
    axe.check(host, "host-missing-players")

    # the players panel: everyone with their state; a kick takes two taps
    host.click("#players-btn")
    assert host.get_attribute("#players-btn", "aria-expanded") == "true"
    panel = host.locator("#player-panel")
    assert panel.locator("li.player").count() == 40
    assert panel.locator("li.player.done").count() == 30
    assert panel.locator("li.player.offline").count() == 5
    assert in_view(host, "#player-panel")
    assert not small_texts(host, MIN_TEXT_PX)
    victim = names[39]
    kick = panel.locator(f"li[data-player='{victim}'] button.kick")
    assert kick.get_attribute("aria-label") == f"Remove {victim}"
    kick.click()
    assert kick.inner_text() == "Remove?"
    assert kick.get_attribute("aria-label") == f"Confirm: remove {victim}"
    shot(host, "host-round-players")
    axe.check(host, "host-round-players")
    bots.answer([names[38]], 0)  # new views while armed: the armed button stays armed
    host.wait_for_selector("#answered:has-text('31 / 40 answered')")
    assert kick.inner_text() == "Remove?"
    assert not [m for m in frames.sent if m.get("type") == "kick"]
    kick.click()
    assert bots.close_code(victim) == 4001
    host.wait_for_selector(f"#player-panel li[data-player='{victim}']", state="detached")
    host.wait_for_selector("#missing-wait:has-text('Not answered (3)')")
    assert victim not in host.inner_text("#missing")
    host.keyboard.press("Escape")
    assert host.is_hidden("#player-panel")

    # the rest answer: the round closes by itself (the offline five hold it up for 15 s at
    # most after they dropped)
    bots.answer(names[35:38], 0)
    host.wait_for_selector("main[data-screen=reveal]", timeout=30_000)
    assert host.inner_text(".answered") == "34 / 39 answered"
    host.click("#next-btn")
    screen(host, "leaderboard")

    # removing a player from the leaderboard
    host.click("#players-btn")
    victim = names[0]
    kick = host.locator(f"#player-panel li[data-player='{victim}'] button.kick")
    kick.click()
    shot(host, "host-leaderboard-players")
    axe.check(host, "host-leaderboard-players")
    kick.click()
    assert bots.close_code(victim) == 4001
    host.wait_for_selector(f"#player-panel li[data-player='{victim}']", state="detached")
    host.wait_for_selector(f"#board li[data-nickname='{victim}']", state="detached")
    assert host.locator("#player-panel li.player").count() == 38
    assert len([m for m in frames.sent if m.get("type") == "kick"]) == 2

    # the end: the full standings of the 38 left, on one screen
    host.click("#end-btn")
    host.click("#end-btn")
    screen(host, "podium")
    host.click("#standings-btn")
    assert host.get_attribute("#standings-btn", "aria-expanded") == "true"
    assert host.is_hidden("#podium")
    players = last_view(frames, "host")["players"]
    assert len(players) == 38
    rows = host.locator("#standings li")
    assert rows.count() == 38
    want = [(1 + sum(q["score"] > p["score"] for q in players), p["nickname"], p["score"])
            for p in players]
    got = [(int(rows.nth(i).locator(".rank").inner_text().rstrip(".")),
            rows.nth(i).locator(".name").inner_text(),
            int(rows.nth(i).locator(".score").inner_text())) for i in range(38)]
    assert got == want
    shot(host, "host-standings")
    assert no_page_scroll(host), host.evaluate("document.scrollingElement.scrollHeight")
    axe.check(host, "host-standings")
    host.click("#standings-btn")
    assert host.is_visible("#podium") and host.is_hidden("#standings-wrap")
    assert not errors, errors
    assert not axe.found, json.dumps(axe.found, indent=1)


def test_room_of_105_counts_everyone(browser: Any, live_server: Any, bots: Bots) -> None:
    """105 players, more than the 100 the host view lists: the lobby counts all of them and
    ends its list with "and 5 more players" (no kick button); during a round the strip's
    counts and names come from the view's `waiting` and `offline`, so players who are not
    among the listed rows count too; the players panel and the podium's full standings say
    how many are not listed."""
    base = live_server.http_url
    errors: list[str] = []
    axe = Axe()
    host, frames = new_page(browser, HOST_VIEW, errors, "host")
    open_create_form(host, base)
    fill_settings(host, rounds=1, mix=["quiz"])
    host.fill("#max_players", "120")
    host.click("#create-btn")
    host.wait_for_selector("#room-code")
    code = host.inner_text("#room-code").strip()
    names = [f"P{i:03d}" for i in range(105)]
    bots.join(code, names)

    # the lobby: the total from the room view, the first 100 listed, then one more line
    host.wait_for_selector("#player-count:has-text('105 players joined')")
    host.wait_for_selector("#players > li:last-child:has-text('and 5 more players')")
    assert host.inner_text("#player-count") == "105 players joined"
    assert host.locator("#players > li.player").count() == 100
    last = host.locator("#players > li").last
    assert last.inner_text() == "and 5 more players"
    assert last.locator("button").count() == 0
    assert "105 players" in host.inner_text("#topinfo")
    axe.check(host, "host-lobby-105")

    host.click("#start-btn")
    screen(host, "open")
    host.wait_for_selector("#missing-wait:has-text('Not answered (105)')")
    listed = [p["nickname"] for p in last_view(frames, "host")["players"]]
    unlisted = [n for n in names if n not in listed]
    assert len(listed) == 100 and len(unlisted) == 5, unlisted

    # 30 listed players answer; 3 listed and 1 unlisted lose their connection
    answered = listed[:30]
    dropped = listed[30:33] + unlisted[:1]
    bots.answer(answered, 0)
    bots.drop(dropped)
    waiting = [n for n in names if n not in answered and n not in dropped]
    offline = [n for n in names if n in dropped]
    assert (len(waiting), len(offline)) == (71, 4)
    host.wait_for_selector("#answered:has-text('30 / 105 answered')")
    host.wait_for_selector("#missing-off:has-text('Offline (4)')")
    host.wait_for_selector("#missing-wait:has-text('Not answered (71)')")
    shown_wait = host.locator("#missing-wait .mname").all_inner_texts()
    shown_off = host.locator("#missing-off .mname").all_inner_texts()
    assert shown_wait and shown_wait == waiting[:len(shown_wait)], shown_wait
    assert shown_off and shown_off == offline[:len(shown_off)], shown_off
    hidden = len(waiting) + len(offline) - len(shown_wait) - len(shown_off)
    assert host.inner_text("#missing-more") == f"+{hidden} more"
    assert host.locator("#missing").bounding_box()["height"] <= 50  # one line
    assert not host_fit(host)["problems"]

    # "+N more" opens the players panel: the listed 100, then how many more
    host.click("#missing-more")
    assert host.is_visible("#player-panel")
    assert host.inner_text("#players-btn") == "Players (105)"
    assert host.inner_text("#panel-title") == "Players (105)"
    panel = host.locator("#panel-players")
    assert panel.locator("li.player").count() == 100
    assert panel.locator("li").last.inner_text() == "and 5 more players"
    assert panel.locator("li.player.done").count() == 30
    assert panel.locator("li.player.offline").count() == 3
    assert not small_texts(host, MIN_TEXT_PX)
    axe.check(host, "host-round-players-105")
    host.keyboard.press("Escape")

    # the podium's full standings: the best 100, and a line saying so
    host.click("#end-btn")
    host.click("#end-btn")
    screen(host, "podium")
    host.click("#standings-btn")
    host.wait_for_selector("#standings-wrap:not(.hidden)")
    assert host.locator("#standings li").count() == 100
    assert "Top 100 of 105 players shown" in host.inner_text("#standings-wrap")
    axe.check(host, "host-standings-105")
    assert not errors, errors
    assert not axe.found, json.dumps(axe.found, indent=1)


def test_create_from_file_in_two_clicks(browser: Any, live_server: Any) -> None:
    """At 1280x720 the whole create form is on screen; clicking the file picker (not
    greyed out) and choosing a file picks "Upload a file" by itself; "Create game" makes the
    room from that file."""
    base = live_server.http_url
    errors: list[str] = []
    axe = Axe()
    host, frames = new_page(browser, HOST_VIEW, errors, "host")
    open_create_form(host, base)
    assert in_view(host, "#create-btn")
    assert no_page_scroll(host)
    assert host.is_enabled("#upload")
    assert host.is_checked("#src-bundled")
    axe.check(host, "host-create")
    with host.expect_file_chooser(timeout=5000) as chooser:
        host.click("#upload", timeout=5000)  # click 1: pick the file
    chooser.value.set_files(str(SAMPLE_UPLOAD))
    assert host.is_checked("#src-upload")
    shot(host, "host-create-file")
    host.click("#create-btn")  # click 2
    host.wait_for_selector("#room-code")
    assert host.inner_text("#deck-title") == "Quizlet solar system"
    sent = [m for m in frames.sent if m.get("type") == "create_room"]
    assert len(sent) == 1 and sent[0]["upload"]["filename"] == SAMPLE_UPLOAD.name
    assert not errors, errors
    assert not axe.found, json.dumps(axe.found, indent=1)


def test_name_filter_checkbox(browser: Any, live_server: Any, bots: Bots) -> None:
    """The create form has "Refuse rude nicknames", ticked by default and in view at
    1280x720 with the rest of the form; unticked, `create_room` says `name_filter: false`
    and a rude nickname can join."""
    errors: list[str] = []
    host, frames = new_page(browser, HOST_VIEW, errors, "host")
    open_create_form(host, live_server.http_url)
    box = host.locator("label:has(#name_filter)")
    assert box.inner_text().strip() == "Refuse rude nicknames"
    assert host.is_checked("#name_filter") and in_view(host, "#name_filter")
    assert in_view(host, "#create-btn") and no_page_scroll(host)
    host.set_checked("#name_filter", False)
    fill_settings(host, rounds=1, mix=["quiz"])
    host.click("#create-btn")
    host.wait_for_selector("#room-code")
    sent = [m for m in frames.sent if m.get("type") == "create_room"]
    assert len(sent) == 1 and sent[0]["settings"]["name_filter"] is False
    code = host.inner_text("#room-code").strip()
    bots.join(code, ["Shit Happens"])
    host.wait_for_selector("text=Shit Happens")
    assert not errors, errors


PLAIN_DECK = "".join(f"{term}\t{definition}\n" for term, definition in [
    ("Nucleus", "Holds the cell's DNA"), ("Ribosome", "Builds proteins"),
    ("Mitochondrion", "Makes most of the cell's ATP"), ("Lysosome", "Digests worn-out parts"),
    ("Cell membrane", "Lets some substances in and keeps others out"),
])


def test_lobby_says_what_the_plan_left_out(browser: Any, live_server: Any,
                                           tmp_path: Path) -> None:
    """A plain term/definition file with every round type ticked: before the game starts the
    lobby says which types it plays and why the others were left out (`created.plan`), and
    says it again after a reload."""
    base = live_server.http_url
    errors: list[str] = []
    axe = Axe()
    host, frames = new_page(browser, HOST_VIEW, errors, "host")
    deck = tmp_path / "cells.txt"
    deck.write_text(PLAIN_DECK, encoding="utf-8")
    open_create_form(host, base)
    fill_settings(host, rounds=6, mix=["quiz", "match", "sort", "order"])
    host.set_input_files("#upload", str(deck))
    host.click("#create-btn")
    host.wait_for_selector("#plan-note")
    created = next(m for m in frames.received if m.get("type") == "created")
    assert created["plan"]["kinds"] == ["quiz", "match"]
    want = [x["text"] for x in created["plan"]["left_out"]]
    assert want[1] == "Order rounds left out: needs 4 dated events, this deck has 0."

    def shown() -> tuple[str, list[str]]:
        return (host.inner_text("#plan-note .plan-kinds"),
                host.locator("#plan-note .left-out li").all_inner_texts())

    assert shown() == ("6 rounds: Quiz, Match the pairs", want)
    assert in_view(host, "#plan-note") and in_view(host, "#start-btn")
    axe.check(host, "host-lobby-plan")
    shot(host, "host-lobby-plan")
    host.reload()
    host.wait_for_selector("#plan-note")
    assert shown() == ("6 rounds: Quiz, Match the pairs", want)
    assert not errors, errors
    assert not axe.found, json.dumps(axe.found, indent=1)


# ------------------------------------------------------------------ 3. projector screens


def test_projector_text_and_join_address(browser: Any, live_server: Any, bots: Bots) -> None:
    """On the round, reveal and leaderboard screens of each round kind, at 1280x720, no text
    is under 20 px (top bar, header, content, chart labels, strip, buttons), and the room
    code and join address stay in view in the top bar for late joiners."""
    base = live_server.http_url
    errors: list[str] = []
    host, frames, code = host_game(browser, base, errors, rounds=4,
                                   mix=["quiz", "match", "sort", "order"], items=6)
    bots.join(code, ["Lena", "Mo"])
    start(host, ["Lena", "Mo"])
    kinds = []
    for index in range(4):
        screen(host, "open")
        kinds.append(last_view(frames, "room")["round"]["kind"])
        if index == 0:
            bots.answer(["Lena"], index)
            host.wait_for_selector("#answered:has-text('1 / 2 answered')")
        for phase in ("open", "reveal", "leaderboard"):
            screen(host, phase)
            label = f"round {index} {kinds[-1]} {phase}"
            assert host.inner_text("#top-code") == code, label
            assert host.inner_text("#top-address").endswith("/play"), label
            assert in_view(host, "#top-code") and in_view(host, "#top-address"), label
            small = small_texts(host, MIN_TEXT_PX)
            assert not small, (label, small[:5])
            if phase != "leaderboard":
                assert not host_fit(host)["problems"], (label, host_fit(host))
            host.click("#next-btn")
    assert sorted(kinds) == ["match", "order", "quiz", "sort"]
    screen(host, "podium")
    assert not errors, errors


# ------------------------------------------------------------------ 4. podium


_STEPS_JS = """() => [1, 2, 3].map((i) => {
  const el = document.querySelector(`#podium .step.p${i}`);
  const anims = el.getAnimations();
  return {place: i, opacity: +getComputedStyle(el).opacity,
          delays: anims.map((a) => a.effect.getTiming().delay), count: anims.length};
})"""


def test_podium_rises_third_second_first(browser: Any, live_server: Any, bots: Bots) -> None:
    """The podium rises third, second, then first, and announces the winner; with reduced
    motion nothing moves and all three show at once."""
    base = live_server.http_url
    errors: list[str] = []
    host, _, code = host_game(browser, base, errors, rounds=1, mix=["quiz"])
    names = ["Ada", "Ben", "Cy", "Dee"]
    bots.join(code, names)
    start(host, names)
    bots.answer(names, 0)
    screen(host, "reveal")
    host.click("#end-btn")
    host.click("#end-btn")
    screen(host, "podium")
    host.evaluate("() => document.getAnimations().forEach((a) => a.pause())")
    steps = {s["place"]: s for s in host.evaluate(_STEPS_JS)}
    assert all(steps[i]["count"] == 1 for i in (1, 2, 3)), steps
    assert steps[3]["delays"][0] < steps[2]["delays"][0] < steps[1]["delays"][0], steps
    assert steps[1]["opacity"] == 0  # the winner is not out yet
    # half way: third and second are up, first not yet
    host.evaluate("""() => document.getAnimations().forEach((a) => {
      a.currentTime = 2900; })""")
    steps = {s["place"]: s for s in host.evaluate(_STEPS_JS)}
    assert steps[3]["opacity"] == 1 and steps[2]["opacity"] == 1 and steps[1]["opacity"] == 0
    shot(host, "host-podium-rising")
    host.evaluate("() => document.getAnimations().forEach((a) => a.finish())")
    steps = {s["place"]: s for s in host.evaluate(_STEPS_JS)}
    assert all(steps[i]["opacity"] == 1 for i in (1, 2, 3)), steps
    winner = host.inner_text("#podium .step.p1 .pname")
    host.wait_for_function("w => document.querySelector('#live').textContent.includes(w)",
                           arg=winner, timeout=10_000)

    # reduced motion: no animation, everything at once
    host.emulate_media(reduced_motion="reduce")
    host.reload()
    screen(host, "podium")
    steps = {s["place"]: s for s in host.evaluate(_STEPS_JS)}
    assert all(steps[i]["count"] == 0 and steps[i]["opacity"] == 1 for i in (1, 2, 3)), steps
    assert host.evaluate("document.getAnimations().length") == 0
    host.wait_for_function("w => document.querySelector('#live').textContent.includes(w)",
                           arg=winner, timeout=2000)
    assert not errors, errors


def test_leaderboard_knows_the_last_round_after_reload(browser: Any, live_server: Any,
                                                       bots: Bots) -> None:
    """A host page reloaded on the last leaderboard still knows it is the last one (from the
    room view's round_index and rounds): "Final standings" and "Show podium"."""
    base = live_server.http_url
    errors: list[str] = []
    host, frames, code = host_game(browser, base, errors, rounds=1, mix=["quiz"])
    bots.join(code, ["Kai"])
    start(host, ["Kai"])
    bots.answer(["Kai"], 0)
    screen(host, "reveal")
    host.click("#next-btn")
    screen(host, "leaderboard")
    assert host.inner_text("#next-btn") == "Show podium"
    host.reload()
    screen(host, "leaderboard")
    room = last_view(frames, "room")
    assert room.get("round_index") == 0 and room.get("rounds") == 1, room
    assert host.inner_text("main h1") == "Final standings"
    assert host.inner_text("#next-btn") == "Show podium"
    assert "Round 1 of 1 done" in host.inner_text("#topinfo")
    host.click("#next-btn")
    screen(host, "podium")
    assert not errors, errors


# ------------------------------------------------------------------ 5. errors in words


def test_deck_errors_in_teacher_words(browser: Any, live_server: Any, tmp_path: Path) -> None:
    """Refused decks are explained by the error's code and reason, in the teacher's words."""
    base = live_server.http_url
    errors: list[str] = []
    host, frames = new_page(browser, HOST_VIEW, errors, "host")
    open_create_form(host, base)

    # a file in no format Cardcade can tell: pick it under "File format"
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(bytes(range(1, 9)) + b"\x7f no tabs, no commas, no headers here\n" * 3)
    host.set_input_files("#upload", str(garbage))
    host.click("#create-btn")
    host.wait_for_selector("#host-error:has-text('Could not use that deck')")
    err = frames.errors()[-1]
    assert (err["code"], err.get("reason")) == ("bad_deck", "unknown_format"), err
    text = host.inner_text("#host-error")
    assert "garbage.txt" in text and "“File format”" in text, text
    assert text != f"Could not use that deck: {err['message']}"
    assert "--format" not in text

    # a deck that cannot make the chosen kinds: no dated events for an order round
    host.set_checked("#mix-quiz", False)
    host.set_checked("#mix-match", False)
    host.set_checked("#mix-sort", False)
    host.set_input_files("#upload", str(SAMPLE_UPLOAD))
    host.evaluate("document.querySelector('#host-error').textContent = ''")
    host.click("#create-btn")
    host.wait_for_selector("#host-error:has-text('Could not use that deck')")
    err = frames.errors()[-1]
    assert (err["code"], err.get("reason")) == ("bad_deck", "no_rounds"), err
    assert "round types" in host.inner_text("#host-error")

    # a bundled deck that is gone
    host.set_checked("#mix-quiz", True)
    host.evaluate("""() => { const s = document.querySelector('#deck');
      s.append(new Option('Old deck', 'no-such-deck')); s.value = 'no-such-deck';
      s.dispatchEvent(new Event('change')); }""")
    assert host.is_checked("#src-bundled")
    host.evaluate("document.querySelector('#host-error').textContent = ''")
    host.click("#create-btn")
    host.wait_for_selector("#host-error:has-text('Could not use that deck')")
    err = frames.errors()[-1]
    assert (err["code"], err.get("reason")) == ("bad_deck", "unknown_deck"), err
    assert "not on this server" in host.inner_text("#host-error")
    assert host.is_enabled("#create-btn")
    assert not errors, errors


def test_error_words_table(browser: Any, live_server: Any) -> None:
    """The page's table of (code, reason) -> sentence, and its fallback to the server's own
    message for anything it does not know."""
    errors: list[str] = []
    host, _ = new_page(browser, HOST_VIEW, errors, "host")
    host.goto(f"{live_server.http_url}/host")
    host.wait_for_selector("#create-form")
    words = host.evaluate("""async () => {
      const {errorText} = await import('/static/host/errors.js');
      const deck = (reason) => errorText({type: 'error', code: 'bad_deck', reason,
        message: 'SERVER TEXT'}, {file: 'cards.csv'});
      return {
        unknown_deck: deck('unknown_deck'), unknown_format: deck('unknown_format'),
        empty: deck('empty'), no_cards: deck('no_cards'), invalid: deck('invalid'),
        no_rounds: deck('no_rounds'), unmapped: deck('some_new_reason'), none: deck(undefined),
        too_large: deck('too_large'), too_slow: deck('too_slow'), busy: deck('busy'),
        no_players: errorText({code: 'no_players', message: 'SERVER TEXT'}),
        other: errorText({code: 'bad_phase', message: 'Only a running round can be paused.'}),
      };
    }""")
    for reason in ("unknown_deck", "unknown_format", "empty", "no_cards", "no_rounds"):
        assert words[reason].startswith("Could not use that deck: "), words[reason]
        assert "SERVER TEXT" not in words[reason], words[reason]
    assert "“File format”" in words["unknown_format"] and "cards.csv" in words["unknown_format"]
    assert "cards.csv" in words["empty"] and "cards.csv" in words["no_cards"]
    assert "SERVER TEXT" in words["invalid"]  # the details of a broken file are the server's
    # Which limit a file is over is the server's sentence (it names the limit).
    assert words["too_large"] == "Could not use that deck: cards.csv is too big for this " \
        "server. SERVER TEXT"
    for reason in ("too_slow", "busy"):
        assert words[reason].startswith("Could not use that deck: "), words[reason]
        assert "SERVER TEXT" not in words[reason], words[reason]
    assert "cards.csv" in words["too_slow"]
    assert words["unmapped"] == "Could not use that deck: SERVER TEXT"
    assert words["none"] == "Could not use that deck: SERVER TEXT"
    assert "SERVER TEXT" not in words["no_players"]
    assert words["other"] == "Only a running round can be paused."
    assert not errors, errors


# ------------------------------------------------------------------ 5. the page's code


def test_host_page_is_small_modules() -> None:
    """The host page is plain ES modules: an entry, one module per round kind, quiz options
    from options.js, no rewriting of the server's error text."""
    html = (ROOT / "client_demo" / "host.html").read_text(encoding="utf-8")
    assert '<script type="module" src="/static/host/main.js"></script>' in html
    assert not (ROOT / "client_demo" / "host.js").exists()
    modules = {p.name: p.read_text(encoding="utf-8") for p in HOST_DIR.glob("*.js")}
    for kind in ("quiz", "match", "sort", "order"):
        assert f"{kind}.js" in modules
        assert re.search(r"export (const|function) open\b", modules[f"{kind}.js"]), kind
        assert re.search(r"export (const|function) reveal\b", modules[f"{kind}.js"]), kind
    for name, text in modules.items():
        assert len(text.splitlines()) <= 250, (name, len(text.splitlines()))
        assert "--format" not in text, name
        assert ".replace(/" not in text, name
    assert 'from "/static/options.js"' in modules["quiz.js"]
    assert "SHAPES" not in modules["quiz.js"]
