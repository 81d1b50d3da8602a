// Quiz round on the host: the four options as big tiles; at the reveal the right one ticked.
import { h } from "/static/common.js";
import { optionEl } from "/static/options.js";

function tiles(pub, key) {
  return h("ol", { class: "options", "aria-label": "Answers" }, (pub.options || []).map((o, i) => {
    const correct = Boolean(key) && key.correct === o.id;
    const li = optionEl(i, o.text, { class: key ? (correct ? "correct" : "wrong") : null, "data-option": o.id }, "li");
    if (correct) {
      li.append(h("span", { class: "tick" },
        h("span", { "aria-hidden": "true" }, "✔"), h("span", { class: "sr-only" }, " correct answer")));
    }
    return li;
  }));
}

export const title = "Quiz";
export const showsCategory = true;
export const optionBars = true;
export const open = (pub) => tiles(pub, null);
export const reveal = (pub, key) => tiles(pub, key);
