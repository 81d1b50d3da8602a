// After answering: "Answer locked in", the round's result, the standings and the podium.
import { h, ordinal } from "/static/common.js";
import { app, forget, noticeBox, pausedBanner, state } from "/static/play/app.js";
import { KINDS, roundTitle } from "/static/play/kinds.js";

export function buildSent() {
  const room = state.room;
  const round = room.round;
  const me = state.me;
  const pending = state.pending && state.pending.round === round.index ? state.pending : null;
  const answer = pending ? pending.answer : me.answer;
  const kind = KINDS[round.kind];
  const status = h("p", { class: "sent-status", id: "sent-status", role: "status" });
  const count = h("p", { class: "muted" });
  state.updaters.push(() => {
    const stillPending = state.pending && state.pending.round === round.index && !state.me.answered;
    status.textContent = stillPending ? "Sending your answer…" : "✓ Answer sent";
    status.classList.toggle("ok", !stillPending);
    count.textContent = `${state.room.answered} of ${state.room.players} players have answered.`;
  });
  return h("section", { class: "center sent" },
    roundTitle(round),
    h("h1", { tabindex: "-1" }, "Answer locked in"),
    status,
    pausedBanner(),
    noticeBox(),
    h("div", { class: "your-answer" }, h("h2", {}, "Your answer"), kind && answer ? kind.summary(round, answer) : null),
    count,
    h("p", {}, "Watch the big screen for the result."));
}

function resultLine() {
  const room = state.room;
  const me = state.me;
  const last = me.last && me.last.round === room.reveal.index ? me.last : null;
  const answered = me.answered || Boolean(last && me.answer);
  let detail = null;
  const kind = KINDS[room.round.kind];
  const words = kind && kind.rightOf; // how many items were right: {right, of} from `me.last`
  if (answered && words && last && Number.isInteger(last.right) && Number.isInteger(last.of)) {
    detail = words(last.right, last.of);
  }
  if (last && last.correct) return { cls: "good", icon: "✔", title: "Correct!", detail, points: last.points };
  if (last && last.points > 0) return { cls: "partial", icon: "◐", title: "Partly right", detail, points: last.points };
  if (answered) return { cls: "bad", icon: "✘", title: "Not this time", detail, points: last ? last.points : 0 };
  return { cls: "bad", icon: "–", title: "No answer", detail: null, points: 0 };
}

function stats(me) {
  return h("dl", { class: "stats" },
    h("div", {}, h("dt", {}, "Score"), h("dd", { id: "my-score" }, me.score)),
    h("div", {}, h("dt", {}, "Rank"), h("dd", { id: "my-rank" }, ordinal(me.rank))),
    h("div", {}, h("dt", {}, "Streak"), h("dd", { id: "my-streak" }, me.streak > 0 ? `×${me.streak}` : "0")));
}

// The reveal: the round is in `room.round` and its key in `room.reveal` (a skipped round has no
// reveal: the next round opens at once).
export function buildResult() {
  const room = state.room;
  const r = resultLine();
  const kind = KINDS[room.round.kind];
  return h("section", { class: `center result ${r.cls}` },
    roundTitle(room.round),
    h("div", { class: "result-icon", "aria-hidden": "true" }, r.icon),
    h("h1", { id: "result-title", tabindex: "-1" }, r.title),
    r.detail ? h("p", { class: "result-detail", id: "result-detail" }, r.detail) : null,
    h("p", { class: "points", id: "result-points" }, `+${r.points} points`),
    noticeBox(),
    stats(state.me),
    kind && kind.key ? kind.key(room.round, room.reveal) : null);
}

function miniBoard(rows) {
  return h("ol", { class: "board", "aria-label": "Top players" }, rows.map((row) =>
    h("li", { class: row.nickname === state.me.nickname ? "me" : "" },
      h("span", { class: "rank" }, `${row.rank}.`),
      h("span", {}),
      h("span", { class: "name" }, row.nickname),
      h("span", { class: "score" }, row.score))));
}

export function buildStanding() {
  const room = state.room;
  const me = state.me;
  // round_index/rounds: the round just played and the game's number of rounds
  const last = Number.isInteger(room.round_index) && Number.isInteger(room.rounds)
    && room.round_index >= room.rounds - 1;
  return h("section", { class: "center standing" },
    h("h1", { tabindex: "-1" }, `You're ${ordinal(me.rank)}`),
    stats(me),
    miniBoard((room.leaderboard || []).slice(0, 5)),
    h("p", { class: "muted", id: "standing-next" }, last ? "Final standings — the podium is next." : "Next round coming up…"));
}

/**
 * "Study the N cards you missed" and the review deck's two downloads (Quizlet text, Cardcade
 * deck), filled in once `/review/<ROOM>.json` says how many; "You got every card right" when
 * none; nothing when it cannot be read.
 */
function reviewOffer() {
  const box = h("div", { class: "review", id: "review", "aria-live": "polite" });
  const creds = state.creds;
  if (!creds || !creds.token) return box;
  const base = `/review/${encodeURIComponent(creds.room)}`;
  const query = `?token=${encodeURIComponent(creds.token)}`;
  fetch(base + ".json" + query, { cache: "no-store" })
    .then((resp) => (resp.ok ? resp.json() : null))
    .then((data) => {
      if (!data || !Number.isInteger(data.missed)) return;
      if (data.missed === 0) {
        box.replaceChildren(h("p", { id: "review-none" }, "You got every card right"));
        return;
      }
      const cards = data.missed === 1 ? "the 1 card" : `the ${data.missed} cards`;
      box.replaceChildren(
        h("h2", { id: "review-title" }, `Study ${cards} you missed`),
        h("p", { class: "review-links" },
          h("a", { id: "review-txt", href: base + ".txt" + query, download: `cardcade-${creds.room}-review.txt` }, "Quizlet text (.txt)"), " · ",
          h("a", { id: "review-toml", href: base + ".toml" + query, download: `cardcade-${creds.room}-review.toml` }, "Cardcade deck (.toml)")));
    })
    .catch(() => {});
  return box;
}

export function buildPodium() {
  const me = state.me;
  const top = (state.room.leaderboard || []).slice(0, 3);
  const medal = ["1st", "2nd", "3rd"];
  return h("section", { class: "center final" },
    h("h1", { tabindex: "-1" }, "Game over"),
    h("p", { class: "final-rank", id: "final-rank" }, `You finished ${ordinal(me.rank)} with ${me.score} points`),
    h("h2", {}, "Podium"),
    h("ol", { class: "podium-list", id: "podium-list" }, top.map((row, i) =>
      h("li", { class: row.nickname === me.nickname ? "me" : "" },
        h("span", { "aria-hidden": "true" }, medal[i], " "),
        h("span", { class: "name" }, row.nickname), " ",
        h("span", { class: "score" }, `${row.score} pts`)))),
    reviewOffer(),
    h("button", { type: "button", id: "leave-btn", onclick: () => { forget(); state.notice = ""; app.render(); } }, "Leave"));
}
