"""The player page on phones (360x640 and 390x844, touch) in real headless Chromium against
`cardcade serve` (issue 7). The host is scripted over the wire protocol (no host page): these
tests are about what the phones show and send.

- test_taps_follow_the_hint: in match and sort a tap on the highlighted name/card keeps it
  selected; a partial answer asks before it goes; nothing placed says why nothing is sent; the
  result says how many items were right; the standings after the last round say so.
- test_work_in_progress_survives_reload: placements not sent yet come back after a reload and
  are forgotten once the round closes.
- test_join_screen: a wrong code puts the focus (selected) in the code field, a taken nickname
  in the nickname field; the nickname box counts to 20.
- test_reconnecting_banner_leaves_the_bar_visible.
- test_long_texts_fit_the_phone: the bundled deck's longest quiz fits without scrolling; the
  longest match and sort rounds are played with every tap on a target in view, the selected
  name/card staying in view.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from decks.io import bundled_deck_path, load_deck
from game_rules.model import Settings
from game_rules.plan import make_plan, round_to_json
from tests.browser_helpers import (
    CHROMIUM,
    LONG_FLOOR,
    LONG_SEEDS,
    PHONE,
    TIMEOUT_MS,
    Frames,
    axe_path,
    chromium_available,
    order_on_screen,
    phone_scroll_width,
    points_of,
    run_axe,
    settle,
    shot,
    text_length,
)

pytestmark = pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

DECK = "soviet-union-1928-41"
PHONE_TALL = {**PHONE, "viewport": {"width": 390, "height": 844}}
DRAFT_KEY = "cardcade.draft"


# ------------------------------------------------------------------ a scripted host


class Host:
    """The host over the wire protocol (websockets' sync client; a thread reads the views)."""

    def __init__(self, ws_url: str) -> None:
        self.ws = connect(ws_url, open_timeout=10, legacy=True)
        self.cond = threading.Condition()
        self.room: dict[str, Any] | None = None
        self.code: str | None = None
        self.errors: list[dict[str, Any]] = []
        self.ws.send(json.dumps({"type": "hello", "versions": [1]}))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        try:
            for raw in self.ws:
                msg = json.loads(raw)
                with self.cond:
                    if msg["type"] == "created":
                        self.code = msg["room"]
                    elif msg["type"] == "room" and (
                            self.room is None or msg["seq"] >= self.room["seq"]):
                        self.room = msg
                    elif msg["type"] == "error":
                        self.errors.append(msg)
                    self.cond.notify_all()
        except ConnectionClosed:
            pass

    def create(self, mix: list[str], *, rounds: int, seed: int, items: int = 4,
               time_s: int = 120) -> str:
        self.ws.send(json.dumps({
            "type": "create_room", "deck": DECK, "seed": seed,
            "settings": {"rounds": rounds, "round_mix": mix, "time_limit_s": time_s,
                         "items_per_round": items}}))
        with self.cond:
            assert self.cond.wait_for(lambda: self.code is not None, 10), self.errors
        return self.code

    def wait(self, predicate: Any, timeout: float = 10) -> dict[str, Any]:
        with self.cond:
            ok = self.cond.wait_for(lambda: self.room is not None and predicate(self.room), timeout)
            assert ok, (self.room, self.errors)
            return self.room

    def do(self, action: str) -> None:
        self.ws.send(json.dumps({"type": "host", "action": action}))

    def start(self, players: int) -> None:
        self.wait(lambda r: r["players"] == players)
        self.do("start")
        self.wait(lambda r: r["phase"] == "open")

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def host(live_server: Any) -> Iterator[Host]:
    h = Host(live_server.ws_url)
    yield h
    h.close()


def planned(mix: list[str], *, rounds: int, seed: int, items: int = 4,
            time_s: int = 120) -> list[dict[str, Any]]:
    """The rounds the server plans for these settings and seed, with their keys."""
    deck = load_deck(bundled_deck_path(DECK)).to_rules()
    settings = Settings(rounds=rounds, round_mix=tuple(mix), items_per_round=items,
                        time_limit_ms=time_s * 1000)
    return [round_to_json(r) for r in make_plan(deck, settings, seed)]


# ------------------------------------------------------------------ phones


class Phones:
    """Phone pages (touch contexts) of one test; their page errors; closed at the end."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def new(self, name: str, view: dict[str, Any] = PHONE) -> tuple[Any, Frames]:
        context = self.browser.new_context(**view)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda exc: self.errors.append(f"{name}: {exc}"))
        return page, Frames().attach(page)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def phones(browser: Any) -> Iterator[Phones]:
    p = Phones(browser)
    yield p
    p.close()


def join(page: Any, base: str, code: str, nickname: str) -> None:
    page.goto(f"{base}/play?room={code}")
    page.fill("#nickname", nickname)
    page.tap("#join-btn")
    screen(page, "lobby")


def screen(page: Any, name: str) -> None:
    page.wait_for_selector(f"main[data-screen={name}]")


def answered(page: Any) -> None:
    """The answer went: "Answer locked in", or already the result if the round closed."""
    page.wait_for_selector("main[data-screen=sent], main[data-screen=reveal]")


AXE = axe_path()


def phone_shot(page: Any, name: str) -> None:
    """Screenshot of a phone screen, which must not scroll sideways and, when axe-core is
    installed, has no serious or critical accessibility violation."""
    shot(page, name)
    width = page.viewport_size["width"]
    assert phone_scroll_width(page) <= width, name
    if AXE is not None:
        violations = run_axe(page, AXE)
        assert not violations, (name, json.dumps(violations, indent=1))


def latest_round(frames: Frames) -> dict[str, Any]:
    for msg in reversed(frames.received):
        if msg.get("type") == "room" and msg.get("round"):
            return msg["round"]
    raise AssertionError("no round seen")


def pressed(page: Any, selector: str) -> bool:
    return page.get_attribute(selector, "aria-pressed") == "true"


def no_answer_sent(page: Any, frames: Frames, index: int) -> None:
    page.wait_for_timeout(300)  # time for a frame that should not go
    assert frames.answers(index) == []
    assert page.locator("main[data-screen=open]").count() == 1


def draft(page: Any) -> Any:
    return page.evaluate(f"JSON.parse(localStorage.getItem('{DRAFT_KEY}'))")


def next_to_standings(host: Host, page: Any, index: int) -> str:
    """The host moves from the reveal to the standings; what the phone says comes next."""
    host.do("next")
    host.wait(lambda r: r["phase"] == "leaderboard")
    screen(page, "leaderboard")
    return page.inner_text("#standing-next")


def arrange(page: Any, wanted: list[str]) -> None:
    """Put the order round's items in `wanted` order with the up arrows."""
    for i, item in enumerate(wanted):
        while order_on_screen(page).index(item) > i:
            page.tap(f"#up-{item}")
    assert order_on_screen(page) == wanted


# ------------------------------------------------------------------ 1. taps, sending, results

HINT_SEED = 11


def test_taps_follow_the_hint(browser: Any, live_server: Any, host: Host, phones: Phones) -> None:
    """Match, sort and order on a 360x640 phone: tapping the highlighted name or card (as the
    hint says) keeps it selected and the next tap pairs it; "Send answer (0/n)" says why
    nothing is sent; a partial answer asks first and goes at the second tap; the result says
    how many items were right; the standings after the last round announce the podium."""
    base = live_server.http_url
    mix = ["match", "sort", "order"]
    code = host.create(mix, rounds=3, seed=HINT_SEED)
    plan = planned(mix, rounds=3, seed=HINT_SEED)
    page, frames = phones.new("Pia")
    join(page, base, code, "Pia")
    host.start(players=1)

    # ---- match: 3 of 4 pairs, each name tapped first as the hint says
    screen(page, "open")
    rnd = latest_round(frames)
    assert rnd["kind"] == "match" and rnd["public"] == plan[0]["public"]
    key = plan[0]["key"]["pairs"]
    left = [x["id"] for x in rnd["public"]["left"]]
    assert "Tap a name" in page.inner_text(".hint")

    # nothing placed: the button looks unavailable and a tap says why nothing is sent
    assert page.get_attribute("#submit-btn", "aria-disabled") == "true"
    assert page.inner_text("#submit-btn") == "Send answer (0/4)"
    page.tap("#submit-btn", force=True)  # it looks unavailable (aria-disabled), yet answers
    page.wait_for_selector("#send-note:has-text('Nothing to send yet')")
    no_answer_sent(page, frames, 0)
    phone_shot(page, "play-match-nothing-placed")

    for i, name in enumerate(left[:3]):
        chip = f'button[data-left="{name}"]'
        if i > 0:  # after each pair the next name is highlighted
            assert pressed(page, chip), f"{name} is not highlighted"
        page.tap(chip)  # tapping the name, as the hint says, selects it (never unselects)
        assert pressed(page, chip), f"tapping the highlighted {name} unselected it"
        page.tap(f'button[data-right="{key[name]}"]')
        page.wait_for_selector(f"{chip}.paired")
    assert pressed(page, f'button[data-left="{left[3]}"]')
    assert page.inner_text("#submit-btn") == "Send answer (3/4)"

    page.tap("#submit-btn")  # partial: asks first
    page.wait_for_selector("#submit-btn:has-text('3 of 4 placed — send anyway?')")
    no_answer_sent(page, frames, 0)
    phone_shot(page, "play-match-confirm")
    page.tap("#submit-btn")  # and goes at the second tap
    answered(page)
    assert frames.answers(0) == [{"pairs": {n: key[n] for n in left[:3]}}]

    # the only player answered: the round closes
    screen(page, "reveal")
    page.wait_for_selector("#result-detail")
    assert page.inner_text("#result-title") == "Partly right"
    assert page.inner_text("#result-detail") == "3 of 4 pairs right"
    assert points_of(page.inner_text("#result-points")) > 0
    phone_shot(page, "play-result-match-count")
    assert next_to_standings(host, page, 0) == "Next round coming up…"
    host.do("next")

    # ---- sort: 5 of 6 cards, each highlighted card tapped first
    host.wait(lambda r: r["phase"] == "open" and r["round"]["index"] == 1)
    screen(page, "open")
    rnd = latest_round(frames)
    assert rnd["kind"] == "sort" and rnd["public"] == plan[1]["public"]
    key = plan[1]["key"]["placement"]
    items = [x["id"] for x in rnd["public"]["items"]]
    assert len(items) == 6
    assert page.get_attribute("#submit-btn", "aria-disabled") == "true"
    page.tap("#submit-btn", force=True)  # it looks unavailable (aria-disabled), yet answers
    page.wait_for_selector("#send-note:has-text('Nothing to send yet')")
    no_answer_sent(page, frames, 1)
    for item in items[:5]:
        card = f'button[data-item="{item}"]'
        assert pressed(page, card), f"{item} is not highlighted"
        page.tap(card)
        assert pressed(page, card), f"tapping the highlighted {item} unselected it"
        page.tap(f'button[data-bucket="{key[item]}"]')
        page.wait_for_selector(f"{card}.paired")
    page.tap("#submit-btn")
    page.wait_for_selector("#submit-btn:has-text('5 of 6 placed — send anyway?')")
    no_answer_sent(page, frames, 1)
    page.tap("#submit-btn")
    answered(page)
    assert frames.answers(1) == [{"placement": {i: key[i] for i in items[:5]}}]
    screen(page, "reveal")
    page.wait_for_selector("#result-detail")
    assert page.inner_text("#result-title") == "Partly right"
    assert page.inner_text("#result-detail") == "5 of 6 cards right"
    phone_shot(page, "play-result-sort-count")
    assert next_to_standings(host, page, 1) == "Next round coming up…"
    host.do("next")

    # ---- order: the last two swapped, so 2 of 4 in the right place
    host.wait(lambda r: r["phase"] == "open" and r["round"]["index"] == 2)
    screen(page, "open")
    rnd = latest_round(frames)
    assert rnd["kind"] == "order" and rnd["public"] == plan[2]["public"]
    right = plan[2]["key"]["order"]
    wanted = [*right[:2], right[3], right[2]]
    arrange(page, wanted)
    page.tap("#submit-btn")  # an order is always complete: one tap sends
    answered(page)
    assert frames.answers(2) == [{"order": wanted}]
    screen(page, "reveal")
    page.wait_for_selector("#result-detail")
    assert page.inner_text("#result-title") == "Partly right"
    assert page.inner_text("#result-detail") == "2 of 4 in the right place"
    phone_shot(page, "play-result-order-count")

    # the standings after the last round: the podium is next, not another round
    assert next_to_standings(host, page, 2) == "Final standings — the podium is next."
    phone_shot(page, "play-leaderboard-final")
    host.do("next")
    screen(page, "podium")
    assert not phones.errors, phones.errors


# ------------------------------------------------------------------ 2. reload keeps the work

RELOAD_SEED = 23


def test_work_in_progress_survives_reload(browser: Any, live_server: Any, host: Host,
                                          phones: Phones) -> None:
    """Pairs, placements and an order made but not sent are back after a reload, and sent
    with what comes after; once the round closes they are forgotten."""
    base = live_server.http_url
    mix = ["match", "sort", "order"]
    code = host.create(mix, rounds=3, seed=RELOAD_SEED)
    plan = planned(mix, rounds=3, seed=RELOAD_SEED)
    page, frames = phones.new("Rui")
    join(page, base, code, "Rui")
    host.start(players=1)

    # ---- match: 2 pairs, reload, 2 more, send: all 4 go
    screen(page, "open")
    rnd = latest_round(frames)
    assert rnd["public"] == plan[0]["public"]
    left = [x["id"] for x in rnd["public"]["left"]]
    right = [x["id"] for x in rnd["public"]["right"]]
    pairs = {left[i]: right[(i + 1) % 4] for i in range(4)}
    for name in left[:2]:
        page.tap(f'button[data-left="{name}"]')
        page.tap(f'button[data-right="{pairs[name]}"]')
    page.reload()
    screen(page, "open")
    page.wait_for_selector("section.round.kind-match")
    for name in left[:2]:
        page.wait_for_selector(f'button[data-left="{name}"].paired')
        assert page.locator(f'button[data-right="{pairs[name]}"] .paired-with').count() == 1
    assert page.inner_text("#submit-btn") == "Send answer (2/4)"
    assert pressed(page, f'button[data-left="{left[2]}"]')
    phone_shot(page, "play-match-after-reload")
    for name in left[2:]:
        page.tap(f'button[data-left="{name}"]')
        page.tap(f'button[data-right="{pairs[name]}"]')
    page.tap("#submit-btn")
    answered(page)
    assert frames.answers(0)[-1] == {"pairs": pairs}
    screen(page, "reveal")
    assert draft(page) is None  # the round closed: its work is forgotten
    host.do("next")
    host.do("next")

    # ---- sort: 4 of 6 placed, reload, still there; the host closes the round
    host.wait(lambda r: r["phase"] == "open" and r["round"]["index"] == 1)
    screen(page, "open")
    rnd = latest_round(frames)
    items = [x["id"] for x in rnd["public"]["items"]]
    buckets = {x["id"]: x["text"] for x in rnd["public"]["buckets"]}
    bucket_ids = list(buckets)
    placed = {item: bucket_ids[i % len(bucket_ids)] for i, item in enumerate(items[:4])}
    for item, bucket in placed.items():
        page.tap(f'button[data-item="{item}"]')
        page.tap(f'button[data-bucket="{bucket}"]')
    assert draft(page)["round"] == 1
    page.reload()
    screen(page, "open")
    page.wait_for_selector("section.round.kind-sort")
    for item, bucket in placed.items():
        shown = page.inner_text(f'button[data-item="{item}"] .paired-with')
        assert shown.endswith(buckets[bucket]), (item, shown)
    assert page.inner_text("#submit-btn") == "Send answer (4/6)"
    assert pressed(page, f'button[data-item="{items[4]}"]')
    host.do("next")  # closes the round: nothing was sent
    screen(page, "reveal")
    assert page.inner_text("#result-title") == "No answer"
    assert draft(page) is None
    page.reload()
    screen(page, "reveal")
    host.do("next")
    host.do("next")

    # ---- order: the last item moved to the top, reload, the same order
    host.wait(lambda r: r["phase"] == "open" and r["round"]["index"] == 2)
    screen(page, "open")
    rnd = latest_round(frames)
    ids = [x["id"] for x in rnd["public"]["items"]]
    wanted = [ids[-1], *ids[:-1]]
    arrange(page, wanted)
    page.reload()
    screen(page, "open")
    page.wait_for_selector("section.round.kind-order")
    assert order_on_screen(page) == wanted
    host.do("next")
    screen(page, "reveal")
    assert draft(page) is None
    assert frames.answers(2) == []
    assert not phones.errors, phones.errors


# ------------------------------------------------------------------ 3. join screen


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => { const e = document.activeElement;
      return {id: e.id, value: e.value, start: e.selectionStart, end: e.selectionEnd}; }""")


def test_join_screen(browser: Any, live_server: Any, host: Host, phones: Phones) -> None:
    """A wrong code: the focus is in the code field with the code selected (type the right
    one over it); a taken nickname: in the nickname field. The nickname box shows how many of
    its 20 characters are used and says so when the limit is reached."""
    base = live_server.http_url
    code = host.create(["quiz"], rounds=1, seed=1)
    ana, _ = phones.new("Ana")
    join(ana, base, code, "Ana")

    page, _ = phones.new("Noor")
    page.goto(f"{base}/play")
    page.wait_for_selector("#join-form")
    page.fill("#room-code", "ZZZZ99")
    page.fill("#nickname", "Noor")
    page.tap("#join-btn")
    page.wait_for_selector("#join-error:has-text('no game with the code ZZZZ99')")
    assert focused(page) == {"id": "room-code", "value": "ZZZZ99", "start": 0, "end": 6}
    page.keyboard.type(code)  # replaces the wrong code
    assert page.input_value("#room-code") == code
    assert page.input_value("#nickname") == "Noor"

    # a taken nickname: the focus in the nickname field, the name selected
    page.fill("#nickname", "ana")
    page.tap("#join-btn")
    page.wait_for_selector("#join-error:has-text('already has that nickname')")
    assert focused(page) == {"id": "nickname", "value": "ana", "start": 0, "end": 3}

    # the counter: 12 typed, then up to the limit, which is announced; no 21st character
    page.fill("#nickname", "")
    assert page.inner_text("#nick-count") == "0/20"
    page.focus("#nickname")
    page.keyboard.type("Noor Haddad1")
    assert page.inner_text("#nick-count") == "12/20"
    assert "20 of 20" not in page.inner_text("#live")
    page.keyboard.type("23456789")
    assert page.inner_text("#nick-count") == "20/20"
    page.wait_for_function(
        "document.querySelector('#live').textContent.includes('20 of 20 characters')")
    page.keyboard.type("X")
    assert page.input_value("#nickname") == "Noor Haddad123456789"
    assert page.inner_text("#nick-count") == "20/20"
    phone_shot(page, "play-join-limit")
    page.tap("#join-btn")
    screen(page, "lobby")
    assert not phones.errors, phones.errors


# ------------------------------------------------------------------ 4. reconnecting banner


def test_reconnecting_banner_leaves_the_bar_visible(browser: Any, live_server: Any, host: Host,
                                                    phones: Phones) -> None:
    """While the phone reconnects, its banner sits under the name, timer and points, which
    stay in view and uncovered; it goes when the connection is back."""
    base = live_server.http_url
    code = host.create(["quiz"], rounds=1, seed=2)
    page, _ = phones.new("Ola")
    net: dict[str, Any] = {"down": False, "sockets": []}

    def handler(ws: Any) -> None:
        if net["down"]:
            ws.close()
            return
        server = ws.connect_to_server()
        net["sockets"].append((ws, server))
        ws.on_message(server.send)
        server.on_message(ws.send)

    page.route_web_socket(re.compile(r".*/ws$"), handler)
    join(page, base, code, "Ola")
    host.start(players=1)
    screen(page, "open")
    net["down"] = True
    for ws, server in net["sockets"]:
        ws.close()
        server.close()
    page.wait_for_selector("#status:has-text('Reconnecting')")
    for y in (0, 400):  # at the top and scrolled
        page.evaluate(f"window.scrollTo(0, {y})")
        settle(page)
        banner = page.locator("#status").bounding_box()
        for part in ("#bar-name", "#bar-timer", "#bar-score"):
            box = page.locator(part).bounding_box()
            assert box and box["width"] > 0, part
            assert box["y"] >= 0, (part, box)
            assert box["y"] + box["height"] <= banner["y"] + 0.5, (part, box, banner)
            x, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            hit = page.evaluate("([x, y, s]) => !!document.elementFromPoint(x, y)?.closest(s)",
                                [x, cy, part])
            assert hit, f"{part} is covered"
        assert page.inner_text("#bar-name") == "Ola"
    page.evaluate("window.scrollTo(0, 0)")
    settle(page)
    fit = page.evaluate(_QUIZ_FIT_JS)  # the quiz still fits, under the banner
    assert not fit["problems"], fit
    phone_shot(page, "play-reconnecting-round")
    net["down"] = False
    page.wait_for_selector("#status", state="hidden", timeout=20_000)
    assert not phones.errors, phones.errors


# ------------------------------------------------------------------ 5. long texts on phones

_QUIZ_FIT_JS = """() => {
  const problems = [];
  const vw = innerWidth, vh = innerHeight;
  const page = document.scrollingElement;
  if (page.scrollHeight > vh) problems.push(`page scrolls: ${page.scrollHeight} > ${vh}`);
  if (page.scrollWidth > vw) problems.push(`page scrolls sideways: ${page.scrollWidth} > ${vw}`);
  const bar = document.querySelector('#bar').getBoundingClientRect().bottom;
  let minFont = Infinity;
  const els = [document.querySelector('#prompt'),
               ...document.querySelectorAll('.quiz-options .option')];
  for (const el of els) {
    const r = el.getBoundingClientRect();
    if (r.top < bar - 0.5 || r.bottom > vh + 0.5 || r.left < 0 || r.right > vw)
      problems.push(`not in view: ${el.textContent.slice(0, 30)} ${[r.top, r.bottom]}`);
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
      problems.push(`clipped: ${el.textContent.slice(0, 30)}`);
    minFont = Math.min(minFont, parseFloat(getComputedStyle(el).fontSize));
  }
  return {problems, options: els.length - 1, minFont};
}"""


def in_view(page: Any, selector: str) -> tuple[float, float]:
    """The middle of the element, which must be seen whole in the viewport and uncovered
    (not under the sticky bars); no scrolling is done."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box, selector
    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= size["width"] + 0.5, (selector, box)
    assert box["y"] + box["height"] <= size["height"] + 0.5, (selector, box)
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    hit = page.evaluate("([x, y, s]) => !!document.elementFromPoint(x, y)?.closest(s)",
                        [x, y, selector])
    assert hit, f"{selector} is covered"
    return x, y


def tap_in_view(page: Any, selector: str) -> None:
    """Tap the element where it is: it must be in view (see in_view)."""
    page.touchscreen.tap(*in_view(page, selector))


def scroll_to(page: Any, selector: str) -> None:
    """Scroll the page (as a finger would) so the element is in the middle of the band between
    the sticky bar at the top and the send bar at the bottom, which must hold it whole."""
    room = page.evaluate("""(s) => {
      const el = document.querySelector(s);
      const top = document.querySelector('.pick-bar').getBoundingClientRect().bottom;
      const bottom = document.querySelector('.actions').getBoundingClientRect().top;
      const r = el.getBoundingClientRect();
      window.scrollBy(0, (r.top + r.bottom) / 2 - (top + bottom) / 2);
      return {band: bottom - top, height: r.height};
    }""", selector)
    settle(page)
    assert room["height"] <= room["band"], (selector, room)


def play_match_in_view(page: Any, pub: dict[str, Any], shot_name: str | None) -> None:
    """Pair every name with a text: the selected name is in view in the sticky bar at every
    step, its text is reached by scrolling the texts only."""
    for i, name in enumerate(pub["left"]):
        chip = f'button[data-left="{name["id"]}"]'
        tap_in_view(page, chip)  # the name, as the hint says: no scrolling back up for it
        assert pressed(page, chip)
        assert name["text"] in page.inner_text("#selected-info")
        target = f'button[data-right="{pub["right"][(i + 1) % len(pub["right"])]["id"]}"]'
        scroll_to(page, target)
        in_view(page, chip)  # still in view next to the texts
        tap_in_view(page, target)
        page.wait_for_selector(f"{chip}.paired")
        if i == 1 and shot_name:
            phone_shot(page, shot_name)
    tap_in_view(page, "#submit-btn")


def play_sort_in_view(page: Any, pub: dict[str, Any], shot_name: str | None) -> None:
    """Place every card: the selected card, in full, and every group are in view at each step,
    without scrolling."""
    page.evaluate("window.scrollTo(0, 0)")
    buckets = pub["buckets"]
    for i, item in enumerate(pub["items"]):
        info = page.locator("#selected-info")
        assert item["text"] in info.inner_text(), (item["text"], info.inner_text())
        in_view(page, "#selected-info")
        clipped = info.evaluate(
            "e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1")
        assert not clipped
        for b in buckets:
            in_view(page, f'button[data-bucket="{b["id"]}"]')
        tap_in_view(page, f'button[data-bucket="{buckets[i % len(buckets)]["id"]}"]')
        page.wait_for_selector(f'button[data-item="{item["id"]}"].paired')
        if i == 1 and shot_name:
            phone_shot(page, shot_name)
    tap_in_view(page, "#submit-btn")


VIEWS = {"360x640": PHONE, "390x844": PHONE_TALL}


@pytest.mark.parametrize("kind", ["quiz", "match", "sort"])
def test_long_texts_fit_the_phone(browser: Any, live_server: Any, host: Host, phones: Phones,
                                  kind: str) -> None:
    """The bundled deck's longest round of the kind on 360x640 and 390x844 phones: the quiz's
    prompt and four options are seen whole without scrolling; match and sort are played
    with every tap on a target in view, without scrolling back to the name or card."""
    base = live_server.http_url
    code = host.create([kind], rounds=1, seed=LONG_SEEDS[kind], items=6, time_s=60)
    pages = {}
    for label, view in VIEWS.items():
        pages[label] = phones.new(label, view)
        join(pages[label][0], base, code, f"P{label[:3]}")
    host.start(players=2)
    for label, (page, frames) in pages.items():
        screen(page, "open")
        rnd = latest_round(frames)
        pub = rnd["public"]
        assert rnd["kind"] == kind
        assert text_length(pub) >= LONG_FLOOR[kind], text_length(pub)
        name = f"play-long-{kind}" + ("" if label == "360x640" else f"-{label}")
        if kind == "quiz":
            settle(page)
            fit = page.evaluate(_QUIZ_FIT_JS)
            assert not fit["problems"], (label, fit)
            assert fit["options"] == 4
            assert fit["minFont"] >= 13, (label, fit)
            phone_shot(page, name)
            tap_in_view(page, 'button[data-option]:last-child')
        elif kind == "match":
            play_match_in_view(page, pub, name)
        else:
            play_sort_in_view(page, pub, name)
        answered(page)
        assert phone_scroll_width(page) <= page.viewport_size["width"]
    host.wait(lambda r: r["phase"] == "reveal")
    assert not phones.errors, phones.errors
