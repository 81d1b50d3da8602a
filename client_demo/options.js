// How a quiz option looks on every screen: colour, shape and text (one place for both pages).
import { SHAPES, SHAPE_NAMES, h } from "/static/common.js";

/** The inside of option `i`: its shape (hidden from screen readers), the shape's name, the text. */
export function optionFace(i, text) {
  return [
    h("span", { class: "shape", "aria-hidden": "true" }, SHAPES[i % 4]),
    h("span", { class: "sr-only" }, `${SHAPE_NAMES[i % 4]}: `),
    h("span", { class: "otext" }, text),
  ];
}

/** Option `i` as an element (`tag`, default div) with the option classes and `attrs`. */
export function optionEl(i, text, attrs = {}, tag = "div") {
  const extra = attrs.class ? ` ${attrs.class}` : "";
  return h(tag, { ...attrs, class: `option opt-${i % 4}${extra}` }, optionFace(i, text));
}
