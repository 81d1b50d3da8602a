// Order round on the host: the events as dealt; at the reveal, in order with their dates.
import { h, textOf } from "/static/common.js";

export const title = "Put in order";

export function open(pub) {
  return h("ol", { class: "order-list" }, (pub.items || []).map((x) => h("li", { class: "item", "data-item": x.id }, x.text)));
}

export function reveal(pub, key) {
  const dates = key.dates || {};
  const ids = key.order || (pub.items || []).map((x) => x.id);
  return h("ol", { class: "order-list revealed", "aria-label": "The right order, earliest first" }, ids.map((id) => h("li", { class: "item", "data-item": id },
    dates[id] ? [h("span", { class: "date" }, dates[id]), h("span", { class: "sr-only" }, ": ")] : null,
    h("span", { class: "itext" }, textOf(pub.items, id)))));
}
