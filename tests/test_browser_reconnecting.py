"""The pages while the game cannot be reached (issue 10), in real headless Chromium against
`cardcade serve` on a Redis of the test's own.

- test_redis_outage_mid_round: Redis stops right after the phone chose its answer. The
  server answers `unavailable`: the phone shows the big "Reconnecting…" banner and keeps
  the answer (also across a reload), the host page reloaded meanwhile shows the banner too;
  both ask again with backoff. Redis comes back: the banners go by themselves, the answer
  is acked and counted once (the host's CSV export), the game goes on to the podium.
- test_answer_with_no_reply: the phone's socket goes silent (nothing arrives either way)
  right as the answer goes: with no ack after a few seconds the page opens a new socket,
  resumes and sends the answer again, which is acked; the banner shows meanwhile.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.embedded_redis import EmbeddedRedis
from tests.browser_helpers import (
    CHROMIUM,
    HOST_VIEW,
    PHONE,
    Frames,
    chromium_available,
    fill_settings,
    new_page,
    open_create_form,
    screen,
)
from tests.servers import ServerProcess
from tests.test_browser_play import join, phone_shot, planned

pytestmark = pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

SEED = 5
BACK_MS = 40_000  # the longest the pages may take to notice Redis is back (backoff: 8 s)


@pytest.fixture
def server(restartable_redis: EmbeddedRedis, tmp_path: Path) -> Iterator[ServerProcess]:
    s = ServerProcess(restartable_redis.url, tmp_path).start()
    yield s
    s.stop()


def create_quiz(host: Any, base: str) -> str:
    """One quiz round of 120 s, 1,000 points for a right answer (no speed or streak points)."""
    open_create_form(host, base, seed=SEED)
    fill_settings(host, rounds=1, mix=["quiz"], time_s=120)
    host.set_checked("#speed_scoring", False)
    host.set_checked("#streak_bonus", False)
    host.click("#create-btn")
    host.wait_for_selector("#room-code")
    return host.inner_text("#room-code").strip()


def right_option() -> str:
    (rnd,) = planned(["quiz"], rounds=1, seed=SEED, time_s=120)
    return str(rnd["key"]["correct"])


def banner(page: Any, state: str | None = None) -> str:
    """Wait for the connection banner (in `state`, if given); its text."""
    where = f"#status[data-state={state}]" if state else "#status"
    page.wait_for_selector(f"{where}:has-text('Reconnecting')")
    return page.inner_text("#status")


def acks(frames: Frames, index: int) -> int:
    return sum(1 for m in frames.received if m.get("type") == "ack" and m["round"] == index)


def export(host: Any, base: str) -> dict[str, int]:
    href = host.get_attribute("#export-link", "href")
    resp = host.request.get(f"{base}{href}")
    assert resp.ok, resp.status
    rows = list(csv.reader(io.StringIO(resp.text())))
    return {row[1]: int(row[2]) for row in rows[1:]}


def to_podium(host: Any) -> None:
    screen(host, "reveal")
    for _ in range(3):
        if host.locator("main[data-screen=podium]").count():
            return
        host.click("#next-btn")
        host.wait_for_timeout(300)
    screen(host, "podium")


def test_redis_outage_mid_round(browser: Any, server: ServerProcess,
                                restartable_redis: EmbeddedRedis) -> None:
    base = server.http_url
    errors: list[str] = []
    host, host_frames = new_page(browser, HOST_VIEW, errors, "host")
    phone, frames = new_page(browser, PHONE, errors, "Ola")
    code = create_quiz(host, base)
    join(phone, base, code, "Ola")
    host.wait_for_selector("#players [data-player=Ola]")
    host.click("#start-btn")
    screen(phone, "open")
    assert phone.is_hidden("#status") and host.is_hidden("#status")

    restartable_redis.stop()
    down = time.monotonic()
    phone.tap(f'button[data-option="{right_option()}"]')
    screen(phone, "sent")
    text = banner(phone, "unavailable")
    assert "trouble" in text and "answer is saved" in text, text
    assert phone.inner_text("#sent-status") == "Sending your answer…"
    assert phone.locator("#status .status-title").evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)") >= 22  # big: 1.35 x 18 px
    phone_shot(phone, "play-reconnecting-server")
    # The choice survives a reload while the server still cannot answer.
    phone.reload()
    banner(phone, "unavailable")
    # A host screen reloaded now (the projector's laptop woke up) says so too.
    host.reload()
    text = banner(host, "unavailable")
    assert "goes on when it is back" in text, text
    phone.wait_for_timeout(2000)  # a few of the backoff's tries
    asked = [m["type"] for m in frames.sent if m["type"] in ("sync", "resume")]
    refused = [m["code"] for m in frames.errors()]
    assert refused and set(refused) == {"unavailable"}, refused
    print(f"\nwhile Redis was down ({time.monotonic() - down:.1f} s): the phone sent "
          f"{len(frames.answers(0))} answer(s) and {asked}, refused {len(refused)} time(s)")

    restartable_redis.start()
    back = time.monotonic()
    phone.wait_for_selector("#status", state="hidden", timeout=BACK_MS)
    phone_back = time.monotonic() - back
    host.wait_for_selector("#status", state="hidden", timeout=BACK_MS)
    print(f"banners gone {phone_back:.1f} s (phone) and {time.monotonic() - back:.1f} s "
          "(host) after Redis was back")
    phone.wait_for_selector("main[data-screen=reveal]", timeout=BACK_MS)  # everyone answered
    assert phone.inner_text("#result-title") == "Correct!"
    assert acks(frames, 0) >= 1
    assert set(m["code"] for m in frames.errors()) == {"unavailable"}
    print(f"answers sent {len(frames.answers(0))}, acks {acks(frames, 0)}")
    assert all(a == frames.answers(0)[0] for a in frames.answers(0))  # always the same one

    to_podium(host)
    assert export(host, base) == {"Ola": 1000}  # counted once
    assert phone.is_hidden("#status") and host.is_hidden("#status")
    assert not [e for e in host_frames.errors() if e["code"] != "unavailable"]
    assert not errors, errors


def test_answer_with_no_reply(browser: Any, server: ServerProcess) -> None:
    base = server.http_url
    errors: list[str] = []
    host, _ = new_page(browser, HOST_VIEW, errors, "host")
    phone, frames = new_page(browser, PHONE, errors, "Ola")
    net: dict[str, Any] = {"arm": False, "dead": None, "refuse": 0, "sockets": 0,
                           "answers": []}

    def handler(ws: Any) -> None:
        net["sockets"] += 1
        if net["refuse"]:
            net["refuse"] -= 1
            ws.close()
            return
        srv = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            if '"answer"' in str(message):
                net["answers"].append(json.loads(message))
            if net["arm"] and '"answer"' in str(message):
                # The answer is lost, and from now on this socket is dead both ways; the
                # next few connections fail (the banner has time to show).
                net["arm"], net["dead"], net["refuse"] = False, ws, 3
            if net["dead"] is not ws:
                srv.send(message)

        def from_server(message: str | bytes) -> None:
            if net["dead"] is not ws:
                ws.send(message)

        ws.on_message(from_page)
        srv.on_message(from_server)

    phone.route_web_socket(re.compile(r".*/ws$"), handler)
    code = create_quiz(host, base)
    join(phone, base, code, "Ola")
    host.wait_for_selector("#players [data-player=Ola]")
    host.click("#start-btn")
    screen(phone, "open")
    net["arm"] = True
    sent = time.monotonic()
    phone.tap(f'button[data-option="{right_option()}"]')
    screen(phone, "sent")
    assert phone.is_hidden("#status")  # nothing known to be wrong yet
    assert phone.inner_text("#sent-status") == "Sending your answer…"
    text = banner(phone, "reconnecting")
    print(f"\nno reply: the banner showed {time.monotonic() - sent:.1f} s after the answer")
    assert "connection to the game was lost" in text and "answer is saved" in text, text
    phone.wait_for_selector("#status", state="hidden", timeout=BACK_MS)
    phone.wait_for_selector("main[data-screen=reveal]", timeout=BACK_MS)
    print(f"acked and revealed {time.monotonic() - sent:.1f} s after the answer, "
          f"{net['sockets']} sockets")
    assert phone.inner_text("#result-title") == "Correct!"
    assert acks(frames, 0) == 1
    # The lost one, and the same again on the new socket (the page's frames show only what
    # reached the server).
    assert len(net["answers"]) == 2 and net["answers"][0] == net["answers"][1], net["answers"]
    assert len(frames.answers(0)) == 1
    to_podium(host)
    assert export(host, base) == {"Ola": 1000}
    assert not errors, errors
