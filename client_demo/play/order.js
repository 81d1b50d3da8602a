// Order round: drag an item by its handle (touch, pen or mouse; with a mouse, by the item too),
// or move it with its up/down buttons (also by keyboard). Escape or a cancelled touch puts it back.
import { clear, h, textOf } from "/static/common.js";
import { sortable } from "/static/drag.js";
import { dom, draftFor, focusFirst, guardPaused, keepDraft, say, shorten, submit } from "/static/play/app.js";

const sameSet = (a, b) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

export const title = "Put in order";
export const rightOf = (r, n) => `${r} of ${n} in the right place`;

export function build(round) {
  const p = round.public;
  const ids = p.items.map((x) => x.id);
  const d = draftFor(round, () => ({ order: ids.slice() }),
    (data) => Array.isArray(data.order) && sameSet(data.order, ids));
  const wrap = h("div", { class: "order" });
  const label = (id) => `“${shorten(textOf(p.items, id), 40)}”`;
  const sayPosition = (id) => say(`${label(id)} moved to position ${d.order.indexOf(id) + 1} of ${d.order.length}.`);
  let sorter = null;

  const move = (id, delta, which) => {
    if ((sorter && sorter.dragging()) || guardPaused()) return;
    const i = d.order.indexOf(id);
    const j = i + delta;
    if (j < 0 || j >= d.order.length) return;
    [d.order[i], d.order[j]] = [d.order[j], d.order[i]];
    keepDraft();
    sayPosition(id);
    draw(`${which}-${id}`, `${which === "up" ? "down" : "up"}-${id}`);
  };

  const draw = (focusId, fallbackId) => {
    clear(wrap);
    const n = d.order.length;
    const list = h("ol", { class: "order-list", "aria-label": "Events, earliest first" },
      d.order.map((id, i) => h("li", { "data-item": id },
        h("span", {
          class: "handle", "aria-hidden": "true", title: "Drag to move",
          // no touch gestures from the handle (long-press menu, a fling that eats the next tap)
          ontouchstart: (ev) => ev.preventDefault(), oncontextmenu: (ev) => ev.preventDefault(),
        },
        h("span", { class: "pos" }, i + 1),
        h("span", { class: "grip" })),
        h("span", { class: "ptext" }, textOf(p.items, id)),
        h("span", { class: "arrows" },
          h("button", {
            type: "button", id: `up-${id}`, class: "arrow", disabled: i === 0 ? true : null,
            "aria-label": `Move up: ${textOf(p.items, id)}`, onclick: () => move(id, -1, "up"),
          }, "↑"),
          h("button", {
            type: "button", id: `down-${id}`, class: "arrow", disabled: i === n - 1 ? true : null,
            "aria-label": `Move down: ${textOf(p.items, id)}`, onclick: () => move(id, 1, "down"),
          }, "↓")))));
    sorter = sortable(list, {
      item: "li[data-item]",
      handle: ".handle",
      canStart: () => !guardPaused(),
      // autoscroll under the score bar and above the send button
      edges: () => {
        const actions = wrap.querySelector(".actions");
        return {
          top: dom.top.getBoundingClientRect().bottom,
          bottom: Math.min(window.innerHeight, actions ? actions.getBoundingClientRect().top : Infinity),
        };
      },
      onMove: (order) => {
        list.querySelectorAll(".pos").forEach((el, i) => { el.textContent = i + 1; });
        d.order = order;
      },
      onEnd: ({ id, from, ids: order, cancelled }) => {
        d.order = order;
        keepDraft();
        const changed = order.indexOf(id) !== from;
        if (cancelled) say(`Move cancelled: ${label(id)} stays at position ${from + 1} of ${order.length}.`);
        else if (changed) sayPosition(id);
        const focused = wrap.contains(document.activeElement);
        draw(focused || changed ? `up-${id}` : null, `down-${id}`);
      },
    });
    wrap.append(
      h("p", { class: "hint" }, "Earliest at the top. Drag an item by its handle ", h("span", { class: "grip", "aria-hidden": "true" }), " or move it with the arrows."),
      list,
      h("div", { class: "actions" },
        h("button", {
          type: "button", class: "primary big submit", id: "submit-btn",
          onclick: () => {
            if ((sorter && sorter.dragging()) || guardPaused()) return;
            submit(round.index, { order: d.order.slice() });
          },
        }, "Send answer")));
    focusFirst(focusId, fallbackId);
  };
  draw(null);
  return wrap;
}

/** The answer as sent, for the "Answer locked in" screen. */
export function summary(round, answer) {
  const p = round.public;
  return h("ol", { class: "summary" }, (answer.order || []).map((id) => h("li", {}, textOf(p.items, id))));
}
