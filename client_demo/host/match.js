// Match round on the host: the categories (or the terms) as chips above the cards; at the
// reveal, each category or term with its card.
import { h, textOf } from "/static/common.js";

export const title = "Match the pairs";

export function open(pub) {
  return h("div", { class: `match-body variant-${pub.variant || "category"}` },
    h("ul", { class: "chips", "aria-label": "Match these" }, (pub.left || []).map((x) => h("li", { class: "chip" }, x.text))),
    h("ul", { class: "items", "aria-label": "with these" }, (pub.right || []).map((x) => h("li", { class: "item" }, x.text))));
}

export function reveal(pub, key) {
  const left = pub.left || [];
  return h("ul", { class: `pairs n-${left.length}`, "aria-label": "Pairs" }, left.map((l) => h("li", { class: "pair" },
    h("span", { class: "left" }, l.text),
    h("span", { class: "right" },
      h("span", { class: "arrow", "aria-hidden": "true" }, "→ "),
      h("span", { class: "sr-only" }, " matches "),
      textOf(pub.right, (key.pairs || {})[l.id])))));
}
