"""Helpers of the browser tests: Chromium launch, frame capture, keyboard moves, axe, grading.

Grading here re-derives from the revealed key whether a player's own submission was right,
so the tests can check what the pages show without knowing the key in advance.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}
HOST_VIEW = {"viewport": {"width": 1280, "height": 720}}


def axe_path() -> Path | None:
    """axe.min.js (axe-core) as shipped in the `axe-playwright-python` wheel, if installed."""
    try:
        import axe_playwright_python
    except ImportError:
        return None
    path = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    return path if path.exists() else None


@dataclass
class Frames:
    """Every JSON frame a page sent and received over its WebSockets."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    def attach(self, page: Any) -> Frames:
        def on_ws(ws: Any) -> None:
            ws.on("framesent", lambda payload: self._add(self.sent, payload))
            ws.on("framereceived", lambda payload: self._add(self.received, payload))

        page.on("websocket", on_ws)
        return self

    @staticmethod
    def _add(into: list[dict[str, Any]], payload: str | bytes) -> None:
        try:
            msg = json.loads(payload)
        except ValueError:
            return
        if isinstance(msg, dict):
            into.append(msg)

    def reveal(self, index: int) -> dict[str, Any] | None:
        for msg in reversed(self.received):
            if msg.get("type") == "room" and msg.get("reveal") and msg["reveal"]["index"] == index:
                return msg
        return None

    def answers(self, index: int) -> list[dict[str, Any]]:
        return [m["answer"] for m in self.sent if m.get("type") == "answer" and m["round"] == index]

    def errors(self) -> list[dict[str, Any]]:
        return [m for m in self.received if m.get("type") == "error"]


def fraction(kind: str, key: dict[str, Any], answer: dict[str, Any]) -> float:
    """The share of the answer that is right, as the round rules define it."""
    if kind == "quiz":
        return 1.0 if answer.get("choice") == key["correct"] else 0.0
    if kind == "match":
        pairs = key["pairs"]
        return sum(answer["pairs"].get(k) == v for k, v in pairs.items()) / len(pairs)
    if kind == "sort":
        placement = key["placement"]
        got = answer["placement"]
        return sum(got.get(k) == v for k, v in placement.items()) / len(placement)
    if kind == "order":
        pos = {item: i for i, item in enumerate(answer["order"])}
        pairs = list(combinations(key["order"], 2))
        return sum(pos[a] < pos[b] for a, b in pairs) / len(pairs)
    raise ValueError(kind)


def tab_to(page: Any, selector: str, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`."""
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"could not reach {selector!r} with the keyboard")


def run_axe(page: Any, path: Path) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(path))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    violations = json.loads(result)["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations if v["impact"] in ("serious", "critical")
    ]


# What must be seen whole on the host's round and reveal screens: the header and controls in
# the viewport; the round's content (options, cards, pairs, chips, chart) inside the stage,
# which is inside the viewport; no scrolling anywhere; no text clipped inside its box.
_HOST_FIT_JS = """() => {
  const problems = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  const page = document.scrollingElement;
  if (page.scrollHeight > vh) problems.push(`page scrolls: ${page.scrollHeight} > ${vh}`);
  if (page.scrollWidth > vw) problems.push(`page scrolls sideways: ${page.scrollWidth} > ${vw}`);
  const stage = document.querySelector("section.round .stage");
  if (!stage) return {problems: ["no round stage"], count: 0, fit: null, minFont: null};
  if (stage.scrollHeight > stage.clientHeight + 1)
    problems.push(`stage overflows: ${stage.scrollHeight} > ${stage.clientHeight}`);
  if (stage.scrollWidth > stage.clientWidth + 1)
    problems.push(`stage overflows sideways: ${stage.scrollWidth} > ${stage.clientWidth}`);
  const sr = stage.getBoundingClientRect();
  const name = (el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} ` +
    JSON.stringify(el.textContent.trim().slice(0, 40));
  const inside = (r, box) => r.left >= box.left - 0.5 && r.top >= box.top - 0.5 &&
    r.right <= box.right + 0.5 && r.bottom <= box.bottom + 0.5;
  const view = {left: 0, top: 0, right: vw, bottom: vh};
  const where = (r) => JSON.stringify([r.left, r.top, r.right, r.bottom].map(Math.round));
  const outer = document.querySelectorAll("section.round .round-head, " +
    "section.round .round-side > *, #prompt, section.round .controls button");
  for (const el of outer) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) problems.push(`not shown: ${name(el)}`);
    else if (!inside(r, view)) problems.push(`outside the viewport: ${name(el)} ${where(r)}`);
  }
  const content = stage.querySelectorAll(
    ".option, .item, .chip, .pair, .chart-fig, .chart .bar-wrap");
  let minFont = Infinity;
  for (const el of content) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) problems.push(`not shown: ${name(el)}`);
    else if (!inside(r, view)) problems.push(`outside the viewport: ${name(el)} ${where(r)}`);
    else if (!inside(r, sr)) problems.push(`cut off by the stage: ${name(el)} ${where(r)}`);
    if (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1)
      problems.push(`text clipped in ${name(el)}`);
    if (!el.matches(".chart-fig, .chart .bar-wrap"))
      minFont = Math.min(minFont, parseFloat(getComputedStyle(el).fontSize));
  }
  const section = document.querySelector("section.round");
  return {problems, count: content.length, fit: Number(section.dataset.fit || 1), minFont};
}"""


def settle(page: Any) -> None:
    """Wait two animation frames: resize handlers and queued layout work have run."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def host_fit(page: Any) -> dict[str, Any]:
    """How the host's open/reveal screen fits its viewport: problems (empty when all of it is
    seen whole), count of content boxes checked, the --fit scale and the smallest font (px)."""
    settle(page)
    return page.evaluate(_HOST_FIT_JS)


def phone_scroll_width(page: Any) -> int:
    """How wide the page scrolls (its document and its body), in CSS px."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")


def shot(page: Any, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def points_of(text: str) -> int:
    m = re.search(r"(\d+)", text.replace(",", ""))
    assert m, text
    return int(m.group(1))


def chromium_available() -> bool:
    return os.path.exists(CHROMIUM)


# ------------------------------------------------------------------ dragging on the phone

Point = tuple[float, float]  # viewport CSS px


def order_on_screen(page: Any) -> list[str]:
    """The item ids of the order round's list, top to bottom, as shown now."""
    return page.eval_on_selector_all(".order-list li", "els => els.map(e => e.dataset.item)")


def center(page: Any, selector: str) -> Point:
    """The middle of the element's box, in viewport CSS px."""
    box = page.locator(selector).bounding_box()
    assert box, selector
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def glide(start: Point, end: Point, steps: int) -> list[Point]:
    """`steps` points from just after `start` to `end`, evenly spaced."""
    (x0, y0), (x1, y1) = start, end
    return [(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps) for i in range(1, steps + 1)]


def touch_drag(cdp: Any, start: Point, end: Point, *, steps: int = 12) -> None:
    """One finger down at `start`, moved in steps to `end`, lifted: real touch input
    (CDP Input.dispatchTouchEvent), so the page sees pointer events of type "touch" and the
    browser pans the page unless `touch-action` says not to."""
    def touch(kind: str, x: float, y: float) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    touch("touchStart", *start)
    for x, y in glide(start, end, steps):
        touch("touchMove", x, y)
    touch("touchEnd", *end)


# Shared by the browser test modules: pages, games, axe, the deck's longest rounds.

TIMEOUT_MS = 15_000


class Axe:
    """Collects serious/critical axe-core violations per screen; asserted at the end."""

    def __init__(self) -> None:
        self.path = axe_path()
        self.found: dict[str, list[dict[str, Any]]] = {}
        self.checked: list[str] = []

    def check(self, page: Any, name: str) -> None:
        if self.path is None:
            return
        self.checked.append(name)
        violations = run_axe(page, self.path)
        if violations:
            self.found[name] = violations


def new_page(
    browser: Any, view: dict[str, Any], errors: list[str], name: str
) -> tuple[Any, Frames]:
    context = browser.new_context(**view)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: errors.append(f"{name}: {exc}"))
    return page, Frames().attach(page)


def open_create_form(host: Any, base: str, *, seed: int | None = None) -> None:
    host.goto(f"{base}/host" + (f"?seed={seed}" if seed is not None else ""))
    host.wait_for_selector("#create-form")
    host.wait_for_function("document.querySelector('#deck').value !== ''")


def fill_settings(host: Any, *, rounds: int, mix: list[str], time_s: int = 60,
                  items: int = 4) -> None:
    for kind in ("quiz", "match", "sort", "order"):
        host.set_checked(f"#mix-{kind}", kind in mix)
    host.fill("#rounds", str(rounds))
    host.fill("#time_limit_s", str(time_s))
    host.fill("#items_per_round", str(items))


def create_game(host: Any, base: str, *, rounds: int, mix: list[str], time_s: int = 60,
                items: int = 4, seed: int | None = None) -> str:
    open_create_form(host, base, seed=seed)
    fill_settings(host, rounds=rounds, mix=mix, time_s=time_s, items=items)
    host.click("#create-btn")
    host.wait_for_selector("#room-code")
    return host.inner_text("#room-code").strip()


def screen(page: Any, name: str) -> None:
    page.wait_for_selector(f"main[data-screen={name}]")


LONG_SEEDS = {"quiz": 1680, "match": 1596, "sort": 1329, "order": 1529}
LONG_FLOOR = {"quiz": 550, "match": 550, "sort": 900, "order": 400}


def text_length(pub: dict[str, Any]) -> int:
    parts = [pub.get("prompt", "")]
    for name in ("options", "left", "right", "buckets", "items"):
        parts += [x["text"] for x in pub.get(name, [])]
    return sum(len(p) for p in parts)




SAMPLE_UPLOAD = ROOT / "tests" / "samples" / "quizlet-solar-system.txt"
