// Sort round: the selected card (in full) and the groups stay in view in a sticky bar; tap a
// group to put the card there, and the next card not placed yet is selected. A tap on a card in
// the list always selects it (to place it, or to move it to another group).
import { SHAPES, clear, h, textOf } from "/static/common.js";
import { draftFor, focusFirst, guardPaused, keepDraft, say, sendBar, shorten, submit } from "/static/play/app.js";

const known = (items) => new Set(items.map((x) => x.id));

export const title = "Sort into groups";
export const rightOf = (r, n) => `${r} of ${n} card${n === 1 ? "" : "s"} right`;

export function build(round) {
  const p = round.public;
  const items = known(p.items);
  const buckets = known(p.buckets);
  const d = draftFor(round,
    () => ({ placement: {}, selected: p.items.length ? p.items[0].id : null }),
    (data) => data.placement
      && Object.entries(data.placement).every(([it, b]) => items.has(it) && buckets.has(b))
      && (data.selected === null || items.has(data.selected)));
  const wrap = h("div", { class: "sort" });

  // the next card not placed yet, after `from` (round the list)
  const nextFree = (from) => {
    const ids = p.items.map((x) => x.id);
    const start = ids.indexOf(from);
    return ids.slice(start + 1).concat(ids.slice(0, start + 1)).find((id) => !d.placement[id]) || null;
  };

  const pickItem = (it) => {
    if (guardPaused()) return;
    d.selected = it.id;
    keepDraft();
    say(`Card selected: “${shorten(it.text, 40)}”. Now tap its group.`);
    draw(`item-${it.id}`);
  };

  const pickBucket = (b) => {
    if (guardPaused()) return;
    if (!d.selected) return say("Every card is placed. Tap a card to move it.");
    d.placement[d.selected] = b.id;
    const txt = shorten(textOf(p.items, d.selected), 40);
    d.selected = nextFree(d.selected);
    keepDraft();
    say(`“${txt}” put in ${b.text}.${d.selected ? "" : " Every card is placed."}`);
    draw(d.selected ? `bucket-${b.id}` : "submit-btn");
  };

  const draw = (focusId) => {
    clear(wrap);
    const placed = Object.keys(d.placement).length;
    const counts = {};
    for (const b of Object.values(d.placement)) counts[b] = (counts[b] || 0) + 1;
    const cards = (n) => `${n} card${n === 1 ? "" : "s"}`;
    wrap.append(
      h("p", { class: "hint" }, "Tap a group for the card shown; tap a card below to pick another."),
      h("div", { class: "pick-bar", role: "group", "aria-label": "Groups" },
        h("p", { class: "selected-info", id: "selected-info" }, d.selected
          ? [h("span", { class: "tag" }, `Card ${p.items.findIndex((x) => x.id === d.selected) + 1} of ${p.items.length}`), " ", textOf(p.items, d.selected)]
          : "Every card is placed. Tap a card below to move it."),
        h("div", { class: "bucket-buttons" }, p.buckets.map((b, i) => h("button", {
          type: "button", id: `bucket-${b.id}`, "data-bucket": b.id, class: `bucket-btn opt-${i % 4}`,
          "aria-label": `${b.text}, ${cards(counts[b.id] || 0)}`,
          onclick: () => pickBucket(b),
        },
        h("span", { "aria-hidden": "true" }, SHAPES[i % 4], " "), b.text,
        h("span", { class: "count", "aria-hidden": "true" }, ` ${counts[b.id] || 0}`))))),
      h("h2", { class: "col-title", id: "cards-title" }, "Cards"),
      h("ul", { class: "pick-list", "aria-labelledby": "cards-title" }, p.items.map((it) => {
        const b = d.placement[it.id];
        const bi = b ? p.buckets.findIndex((x) => x.id === b) : -1;
        const sel = d.selected === it.id;
        return h("li", {}, h("button", {
          type: "button", id: `item-${it.id}`, "data-item": it.id,
          class: `pick sort-item${sel ? " selected" : ""}${b ? ` paired opt-${bi % 4}` : ""}`,
          "aria-pressed": sel ? "true" : "false",
          onclick: () => pickItem(it),
        },
        h("span", { class: "ptext" }, it.text),
        b ? h("span", { class: "paired-with" }, h("span", { class: "sr-only" }, "in group "), h("span", { "aria-hidden": "true" }, `${SHAPES[bi % 4]} `), textOf(p.buckets, b)) : null));
      })),
      sendBar({
        placed, total: p.items.length,
        empty: "Nothing to send yet: tap a group for the card shown above.",
        onSend: () => submit(round.index, { placement: { ...d.placement } }),
      }));
    focusFirst(focusId);
  };
  draw(null);
  return wrap;
}

/** The answer as sent, for the "Answer locked in" screen. */
export function summary(round, answer) {
  const p = round.public;
  return h("ul", { class: "summary" }, Object.entries(answer.placement || {}).map(([it, b]) =>
    h("li", {}, shorten(textOf(p.items, it), 60), " → ", h("strong", {}, textOf(p.buckets, b)))));
}
