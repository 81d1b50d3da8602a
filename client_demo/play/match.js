// Match round: the names (or, in a "term" round, the terms or questions) stay in view in a
// sticky bar; tap a name (it is always selected, never unselected, by a tap), then the text
// that goes with it below. After each pair the next unpaired name is selected. Tapping a
// paired text with no name selected undoes that pair.
import { SHAPES, clear, h, textOf } from "/static/common.js";
import { draftFor, focusFirst, guardPaused, keepDraft, say, sendBar, shorten, submit } from "/static/play/app.js";

const known = (items) => new Set(items.map((x) => x.id));

/** What the left items are called: names (of categories), or terms, or questions. */
function leftWord(p) {
  if (p.variant !== "term") return "name";
  return p.left.every((x) => x.text.trim().endsWith("?")) ? "question" : "term";
}

export const title = "Match the pairs";
export const rightOf = (r, n) => `${r} of ${n} pairs right`;

export function build(round) {
  const p = round.public;
  const word = leftWord(p);
  const lefts = known(p.left);
  const rights = known(p.right);
  const d = draftFor(round,
    () => ({ pairs: {}, history: [], selected: p.left.length ? p.left[0].id : null }),
    (data) => data.pairs && Array.isArray(data.history)
      && Object.entries(data.pairs).every(([l, r]) => lefts.has(l) && rights.has(r))
      && (data.selected === null || lefts.has(data.selected)));
  const wrap = h("div", { class: "match" });
  const nextFree = () => p.left.map((x) => x.id).find((id) => !d.pairs[id]) || null;

  const unpair = (left) => {
    delete d.pairs[left];
    d.history = d.history.filter((x) => x !== left);
  };

  const pickLeft = (l) => {
    if (guardPaused()) return;
    d.selected = l.id;
    keepDraft();
    say(`${l.text} selected. Now tap its text.`);
    draw(`left-${l.id}`);
  };

  const pickRight = (r, owner) => {
    if (guardPaused()) return;
    if (!d.selected) {
      // every name is paired: a paired text is taken back, so that its name can pair again
      if (owner === undefined) return say(`Tap a ${word} first.`);
      unpair(owner);
      d.selected = owner;
      keepDraft();
      say(`Pair undone: ${textOf(p.left, owner)} is selected again.`);
      draw(`right-${r.id}`);
      return;
    }
    if (owner !== undefined) unpair(owner);
    unpair(d.selected);
    d.pairs[d.selected] = r.id;
    d.history.push(d.selected);
    const name = textOf(p.left, d.selected);
    d.selected = nextFree();
    keepDraft();
    say(`${name} paired.${d.selected ? ` Next: ${textOf(p.left, d.selected)}.` : ` Every ${word} is paired.`}`);
    draw(d.selected ? `right-${r.id}` : "submit-btn");
  };

  const draw = (focusId) => {
    clear(wrap);
    const leftIndex = Object.fromEntries(p.left.map((l, i) => [l.id, i]));
    const owners = {};
    for (const [l, r] of Object.entries(d.pairs)) owners[r] = l;
    const nPairs = Object.keys(d.pairs).length;
    const sel = d.selected;
    const si = sel ? leftIndex[sel] : -1;
    wrap.append(
      h("p", { class: "hint" }, `Tap a ${word}, then the text that goes with it.`),
      h("div", { class: "pick-bar", role: "group", "aria-labelledby": "left-title" },
        h("h2", { class: "sr-only", id: "left-title" }, `${word[0].toUpperCase()}${word.slice(1)}s`),
        h("div", { class: "chips" }, p.left.map((l, i) => {
          const paired = Boolean(d.pairs[l.id]);
          return h("button", {
            type: "button", id: `left-${l.id}`, "data-left": l.id,
            class: `chip left-item opt-${i % 4}${sel === l.id ? " selected" : ""}${paired ? " paired" : ""}`,
            "aria-pressed": sel === l.id ? "true" : "false",
            onclick: () => pickLeft(l),
          },
          h("span", { class: "badge", "aria-hidden": "true" }, SHAPES[i % 4]),
          h("span", { class: "ctext" }, l.text),
          paired ? h("span", { class: "paired-mark" }, h("span", { "aria-hidden": "true" }, "✓"), h("span", { class: "sr-only" }, ", paired")) : null);
        })),
        h("p", { class: "selected-info", id: "selected-info" }, sel
          ? [h("span", { "aria-hidden": "true" }, `${SHAPES[si % 4]} `), h("strong", {}, textOf(p.left, sel)), ": now tap its text below."]
          : `Every ${word} is paired. Tap a text to change its pair.`)),
      h("h2", { class: "col-title", id: "right-title" }, "Texts"),
      h("ul", { class: "pick-list", "aria-labelledby": "right-title" }, p.right.map((r) => {
        const owner = owners[r.id];
        const oi = owner !== undefined ? leftIndex[owner] : -1;
        return h("li", {}, h("button", {
          type: "button", id: `right-${r.id}`, "data-right": r.id,
          class: `pick right-item${owner !== undefined ? ` paired opt-${oi % 4}` : ""}`,
          onclick: () => pickRight(r, owner),
        },
        h("span", { class: "ptext" }, r.text),
        owner !== undefined
          ? h("span", { class: "paired-with" }, h("span", { class: "sr-only" }, "paired with "),
            h("span", { "aria-hidden": "true" }, `${SHAPES[oi % 4]} `), textOf(p.left, owner))
          : null));
      })),
      sendBar({
        placed: nPairs, total: p.left.length,
        empty: `Nothing to send yet: tap a ${word}, then the text that goes with it.`,
        onSend: () => submit(round.index, { pairs: { ...d.pairs } }),
        extra: h("button", {
          type: "button", id: "undo-btn", disabled: d.history.length === 0 ? true : null,
          "aria-label": "Undo the last pair", title: "Undo the last pair",
          onclick: () => {
            const last = d.history.pop();
            if (!last) return;
            delete d.pairs[last];
            d.selected = last;
            keepDraft();
            say(`Last pair undone: ${textOf(p.left, last)} is selected again.`);
            draw("undo-btn");
          },
        }, h("span", { "aria-hidden": "true" }, "↶")),
      }));
    focusFirst(focusId, focusId === "undo-btn" ? "submit-btn" : null);
  };
  draw(null);
  return wrap;
}

/** The answer as sent, for the "Answer locked in" screen. */
export function summary(round, answer) {
  const p = round.public;
  return h("ul", { class: "summary" }, Object.entries(answer.pairs || {}).map(([l, r]) =>
    h("li", {}, h("strong", {}, textOf(p.left, l)), " → ", shorten(textOf(p.right, r), 70))));
}
