// Quiz round: four big buttons, colour + shape; a tap sends at once. The prompt and the four
// options always fit the screen: their type shrinks (CSS variable --fit) when long texts need it.
import { h } from "/static/common.js";
import { optionEl } from "/static/options.js";
import { dom, guardPaused, state, submit } from "/static/play/app.js";

const MIN_FIT = 0.7; // the smallest scale of the type (1.05rem options -> about 13px)

export const title = "Quiz";
export const showsCategory = true;

export function build(round) {
  const opts = round.public.options || [];
  const group = h("div", { class: "quiz-options", role: "group", "aria-labelledby": "prompt" },
    opts.map((o, i) => optionEl(i, o.text, {
      type: "button", "data-option": o.id, id: `opt-${i}`,
      onclick: () => { if (!guardPaused()) submit(round.index, { choice: o.id }); },
    }, "button")));
  state.mounted.push(fit);
  state.updaters.push(fit); // a pause banner or a notice takes room too
  return group;
}

const pageFits = () => document.scrollingElement.scrollHeight <= window.innerHeight;

/** Scale the round's type down (to MIN_FIT at most) until the page needs no scrolling. */
function fit() {
  const section = document.querySelector("section.round.kind-quiz");
  if (!section) return;
  const set = (f) => {
    section.style.setProperty("--fit", f.toFixed(3));
    section.dataset.fit = f.toFixed(3);
  };
  set(1);
  if (pageFits()) return;
  let lo = MIN_FIT;
  let hi = 1;
  set(lo);
  if (!pageFits()) return; // as small as it gets: the page scrolls
  for (let i = 0; i < 7; i += 1) {
    const mid = (lo + hi) / 2;
    set(mid);
    if (pageFits()) lo = mid;
    else hi = mid;
  }
  set(lo);
}

// Fit again when the screen or the bars above the round (the "Reconnecting…" banner) change.
let queued = false;
const refit = () => {
  if (queued) return;
  queued = true;
  requestAnimationFrame(() => { queued = false; fit(); });
};
window.addEventListener("resize", refit);
new ResizeObserver(refit).observe(dom.top);

/** The answer as sent, for the "Answer locked in" screen. */
export function summary(round, answer) {
  const opts = round.public.options || [];
  const i = opts.findIndex((o) => o.id === answer.choice);
  return i < 0 ? null : optionEl(i, opts[i].text, { class: "chosen-summary" });
}

/** The right option, for the result screen. */
export function key(round, reveal) {
  const opts = round.public.options || [];
  const i = opts.findIndex((o) => o.id === reveal.key.correct);
  if (i < 0) return null;
  return h("div", { class: "key" }, h("h2", {}, "The answer"), optionEl(i, opts[i].text));
}
