// The open and reveal screens of a round. They fill the viewport exactly (no scrolling on a
// projector): the prompt with the timer, a stage with the round's content (one module per
// round kind), the controls at the bottom. Type is sized from the viewport in CSS; fitStage
// then scales the prompt and the stage's type down (CSS variable --fit) when a deck's long
// texts would not fit.
import { SHAPES, SHAPE_NAMES, announce, formatSeconds, h, secondsLeft } from "/static/common.js";
import { twoTap } from "/static/host/confirm.js";
import { conn, dom, errorBox, hostCmd, send, state } from "/static/host/ctx.js";
import { KINDS, kindTitle } from "/static/host/kinds.js";
import { missingStrip, playersPanel } from "/static/host/players.js";

const FIT_MIN = 0.5;

/** The round's number, kind, category and points: shown in the top bar. */
export function roundHead(round) {
  const p = round.public || {};
  const kind = KINDS[round.kind];
  return h("span", { class: "round-head" },
    h("span", { class: "round-no" }, `Round ${round.index + 1} of ${round.total}`),
    h("span", { class: "kind" }, kindTitle(round.kind)),
    p.category && kind && kind.showsCategory ? h("span", { class: "category" }, p.category) : null,
    h("span", { class: "pts" }, `${round.points} points`));
}

function prompt(round) {
  const text = (round.public && round.public.prompt) || "";
  const size = text.length > 110 ? "long" : text.length > 60 ? "medium" : "short";
  return h("h1", { class: `prompt prompt-${size}`, id: "prompt" }, text);
}

function roundTop(round, side) {
  return h("div", { class: "round-top" }, prompt(round), h("div", { class: "round-side" }, side));
}

function body(round, key) {
  const kind = KINDS[round.kind];
  const pub = round.public || {};
  if (!kind) return h("pre", {}, JSON.stringify(pub, null, 2));
  return key ? kind.reveal(pub, key) : kind.open(pub);
}

/** "End game" in two taps, as kick: the armed button says what the next tap does. */
export function endButton() {
  const btn = h("button", { type: "button", id: "end-btn", class: "danger end" });
  twoTap(btn, {
    idle: { text: "End game" },
    armed: { text: "Confirm: end game", label: "Confirm: end the game now and show the podium" },
    run: hostCmd("end"),
  });
  return btn;
}

/** The bottom of a screen: the players panel (hidden) above the controls. */
export function dock(panel, ...buttons) {
  return h("div", { class: "dock" }, panel.panel, h("div", { class: "controls" }, buttons));
}

/** Scale the round's type (--fit) down until the stage holds its content, if it must. */
export function fitStage() {
  const section = dom.main.querySelector("section.round");
  const stage = section && section.querySelector(".stage");
  if (!stage) return;
  const fits = () => stage.scrollHeight <= stage.clientHeight + 1 && stage.scrollWidth <= stage.clientWidth + 1
    && document.scrollingElement.scrollHeight <= window.innerHeight;
  const set = (f) => { section.style.setProperty("--fit", String(f)); section.dataset.fit = f.toFixed(3); };
  set(1);
  if (fits()) return;
  let lo = FIT_MIN;
  let hi = 1;
  for (let i = 0; i < 8; i += 1) {
    const mid = (lo + hi) / 2;
    set(mid);
    if (fits()) lo = mid;
    else hi = mid;
  }
  set(lo); // if even FIT_MIN is too big, the stage scrolls and the controls stay in view
}

let fitQueued = false;
export function queueFit() {
  if (fitQueued) return;
  fitQueued = true;
  requestAnimationFrame(() => { fitQueued = false; fitStage(); });
}

export function buildOpen() {
  const round = state.room.round;
  const timer = h("div", { class: "timer", id: "timer", role: "timer", "aria-label": "Seconds left" });
  const answered = h("div", { class: "answered", id: "answered", "aria-live": "off" });
  const pauseBtn = h("button", { type: "button", id: "pause-btn" });
  pauseBtn.addEventListener("click", () => send({ type: "host", action: state.room.round && state.room.round.paused ? "resume" : "pause" }));
  const paused = h("div", { class: "paused-banner hidden", id: "paused-banner", role: "status" }, "❚❚ Paused");
  const panel = playersPanel({ showAnswered: true });
  const missing = missingStrip(panel.open);
  const view = h("section", { class: `round kind-${round.kind}` },
    roundTop(round, [timer, answered]),
    h("div", { class: "stage", id: "stage" }, h("div", { class: "round-body" }, body(round, null))),
    missing.strip,
    paused,
    errorBox(),
    dock(panel,
      pauseBtn,
      h("button", { type: "button", id: "addtime-btn", onclick: () => send({ type: "add_time", seconds: 15 }) }, "+15 s"),
      h("button", { type: "button", id: "skip-btn", onclick: hostCmd("skip") }, "Skip round"),
      h("button", { type: "button", id: "next-btn", class: "primary", "data-primary": true, onclick: hostCmd("next") }, "Close round"),
      panel.button,
      endButton()));
  let lastSecs = null;
  state.updaters.push(() => {
    const r = state.room.round;
    if (!r) return;
    const s = secondsLeft(r, conn());
    timer.textContent = formatSeconds(s);
    timer.classList.toggle("low", s !== null && s <= 5);
    if (s !== lastSecs && s === 10) announce(dom.live, "10 seconds left");
    lastSecs = s;
    const count = `${state.room.answered} / ${state.room.players} answered`;
    if (answered.textContent && answered.textContent !== count) queueFit(); // its width may change
    answered.textContent = count;
    pauseBtn.textContent = r.paused ? "▶ Resume" : "❚❚ Pause";
    paused.classList.toggle("hidden", !r.paused);
    panel.update();
    missing.update();
  });
  return view;
}

function chart(round, rv) {
  const dist = rv.distribution || [];
  const max = Math.max(1, ...dist.map((d) => d.count));
  const opts = (round.public && round.public.options) || [];
  const optionBars = Boolean(KINDS[round.kind] && KINDS[round.kind].optionBars);
  return h("figure", { class: `chart-fig bars-${dist.length}` },
    h("figcaption", {}, "How the room answered"),
    h("div", { class: "chart", role: "list" }, dist.map((d) => {
      const i = opts.findIndex((o) => o.id === d.id);
      const isOpt = optionBars && i >= 0;
      const label = isOpt ? `${SHAPES[i % 4]}` : d.label;
      const srLabel = isOpt ? `${SHAPE_NAMES[i % 4]}${d.correct ? " (correct)" : ""}` : `${d.label}${d.correct ? " (best)" : ""}`;
      return h("div", { class: "bar-wrap", role: "listitem", "aria-label": `${srLabel}: ${d.count}` },
        h("span", { class: "count", "aria-hidden": "true" }, d.count),
        h("div", {
          class: `bar${d.correct ? " correct" : ""} ${isOpt ? `opt-${i % 4}` : `bar-outcome-${d.id}`}`,
          style: `height:${Math.round((d.count / max) * 80)}%`, "aria-hidden": "true",
        }),
        h("span", { class: "blabel", "aria-hidden": "true" }, label, d.correct ? " ✔" : ""));
    })));
}

export function buildReveal() {
  const room = state.room;
  const round = room.round;
  const rv = room.reveal || { key: {}, distribution: [], skipped: false };
  const panel = playersPanel();
  const view = h("section", { class: `round reveal kind-${round.kind}` },
    roundTop(round, h("div", { class: "answered" }, `${room.answered} / ${room.players} answered`)),
    h("div", { class: "stage", id: "stage" },
      rv.skipped ? h("p", { class: "notice" }, "This round was skipped: no points.") : null,
      h("div", { class: "reveal-grid" },
        h("div", { class: "round-body" }, body(round, rv.skipped ? null : rv.key || {})),
        rv.skipped ? null : chart(round, rv))),
    errorBox(),
    dock(panel,
      h("button", { type: "button", id: "next-btn", class: "primary", "data-primary": true, onclick: hostCmd("next") }, "Show leaderboard"),
      panel.button,
      endButton()));
  state.updaters.push(panel.update);
  announce(dom.live, "Round closed. Answer revealed.");
  return view;
}
