// The round kinds the host page knows, in the order the create screen offers them: the one
// place a new kind is registered. Each module exports `title` (its name on screen), `open`
// and `reveal` (the stage of the open round and of its reveal), and may set `showsCategory`
// (the category goes in the top bar) and `optionBars` (the reveal chart's bars are the
// round's options, shown by their shapes).
import * as match from "/static/host/match.js";
import * as order from "/static/host/order.js";
import * as quiz from "/static/host/quiz.js";
import * as sort from "/static/host/sort.js";

export const KINDS = { quiz, match, sort, order };

/** The name of `kind` on screen (its own name when this page does not know it). */
export const kindTitle = (kind) => (KINDS[kind] ? KINDS[kind].title : kind);
