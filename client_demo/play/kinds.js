// The round kinds the player page knows: the one place a new kind is registered. Each module
// exports `title` (its name on screen), `build` (the open round), `summary` (the answer as
// sent), and may export `key` (the right answer at the reveal), `rightOf` (the result's
// "3 of 4 ..." line) and `showsCategory` (the category goes before the prompt).
import { h } from "/static/common.js";
import * as match from "/static/play/match.js";
import * as order from "/static/play/order.js";
import * as quiz from "/static/play/quiz.js";
import * as sort from "/static/play/sort.js";

export const KINDS = { quiz, match, sort, order };

/** "Round 2 of 8 · Match the pairs". */
export function roundTitle(round) {
  const kind = KINDS[round.kind];
  return h("p", { class: "round-label" }, `Round ${round.index + 1} of ${round.total} · ${kind ? kind.title : round.kind}`);
}
