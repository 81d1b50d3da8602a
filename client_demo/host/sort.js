// Sort round on the host: the buckets as coloured chips above the cards; at the reveal the
// cards grouped by bucket, each tagged with its bucket's name and colour.
import { h } from "/static/common.js";

export const title = "Sort into groups";

export function open(pub) {
  const buckets = pub.buckets || [];
  return h("div", { class: "sort-body" },
    h("ul", { class: "chips buckets", "aria-label": "Groups" }, buckets.map((b, bi) => h("li", { class: `chip bucket-${bi % 4}` }, b.text))),
    h("ul", { class: "items", "aria-label": "Cards to sort" }, (pub.items || []).map((it) => h("li", { class: "item" }, it.text))));
}

export function reveal(pub, key) {
  const placement = key.placement || {};
  const placed = [];
  (pub.buckets || []).forEach((b, bi) => {
    for (const it of pub.items || []) if (placement[it.id] === b.id) placed.push([it, b, bi]);
  });
  return h("ul", { class: "items placed", "aria-label": "Where each card goes" }, placed.map(([it, b, bi]) => h("li", { class: `item bucket-${bi % 4}` },
    h("span", { class: "tag" }, h("span", { class: "sr-only" }, "In "), b.text, h("span", { class: "sr-only" }, ": ")),
    h("span", { class: "itext" }, it.text))));
}
