// The podium: third, second, then first place rise in turn (all at once, without motion,
// when the system asks for reduced motion), and the full standings on request.
import { announce, h, save } from "/static/common.js";
import { standings } from "/static/host/board.js";
import { STORE, dom, state } from "/static/host/ctx.js";
import { teamPodium } from "/static/host/teams.js";

const PLACES = ["1st", "2nd", "3rd"];
const WINNER_AFTER_MS = 4200; // when the first place has risen (host.css: .podium .p1)

function step(row, i) {
  if (!row) return h("div", { class: `step p${i + 1} empty`, "aria-hidden": "true" });
  return h("div", { class: `step p${i + 1}`, "data-place": i + 1 },
    h("span", { class: "place" }, PLACES[i]),
    h("span", { class: "pname" }, row.nickname),
    h("span", { class: "pscore" }, `${row.score} pts`));
}

/** The standings the host view has: everyone, or the best 100 and a line saying so. */
function standingsList({ rows, more }) {
  const list = h("ol", { class: "board standings", id: "standings", "aria-label": "Full standings" }, rows.map((p) => h("li", { "data-nickname": p.nickname },
    h("span", { class: "rank" }, `${p.rank}.`),
    h("span", { class: "name" }, p.nickname),
    h("span", { class: "score" }, p.score))));
  if (!more) return [list];
  const note = h("p", { class: "standings-note muted", id: "standings-note" },
    `Top ${rows.length} of ${rows.length + more} players shown; the CSV download has them all.`);
  return [note, list];
}

export function newGame(render) {
  save(STORE, null);
  state.creds = null;
  state.room = null;
  state.host = null;
  state.lastRound = null;
  state.screenKey = null;
  render();
}

export function buildPodium(render) {
  const room = state.room;
  const top = (room.leaderboard || []).slice(0, 3);
  const token = state.creds ? state.creds.token : "";
  const players = h("div", { class: "podium", id: "podium" }, step(top[1], 1), step(top[0], 0), step(top[2], 2));
  const teamRows = room.team_board || [];
  // In team mode the team podium stands beside the players' one.
  const podium = teamRows.length
    ? h("div", { class: "podiums", id: "podiums" },
      h("div", {}, h("h2", {}, "Players"), players),
      h("div", {}, h("h2", {}, "Teams"), teamPodium(teamRows)))
    : players;
  const full = h("div", { class: "standings-wrap hidden", id: "standings-wrap" });
  const title = h("h1", { id: "podium-title" }, "Podium");
  const toggle = h("button", { type: "button", id: "standings-btn", "aria-expanded": "false", "aria-controls": "standings-wrap" }, "Show full standings");
  let listed = null;
  const fill = () => {
    const now = standings();
    const key = JSON.stringify(now);
    if (key !== listed) full.replaceChildren(...standingsList(now));
    listed = key;
  };
  toggle.addEventListener("click", () => {
    const show = full.classList.contains("hidden");
    if (show) fill();
    full.classList.toggle("hidden", !show);
    podium.classList.toggle("hidden", show);
    toggle.setAttribute("aria-expanded", show ? "true" : "false");
    toggle.textContent = show ? "Show podium" : "Show full standings";
    title.textContent = show ? "Final standings" : "Podium";
  });
  const view = h("section", { class: "podium-screen" },
    title,
    podium,
    full,
    h("div", { class: "controls" },
      toggle,
      h("a", { class: "button-link", id: "export-link", href: `/export/${encodeURIComponent(room.room)}.csv?token=${encodeURIComponent(token)}`, download: `cardcade-${room.room}.csv`, "data-primary": true }, "↓ Download results (CSV)"),
      h("a", { class: "button-link", id: "export-json-link", href: `/export/${encodeURIComponent(room.room)}.json?token=${encodeURIComponent(token)}`, download: `cardcade-${room.room}.json` }, "↓ Download results (JSON)"),
      h("button", { type: "button", id: "new-game-btn", onclick: () => newGame(render) }, "New game")));
  state.updaters.push(() => { if (!full.classList.contains("hidden")) fill(); });
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  let words = top.length ? `The winner is ${top[0].nickname}` : "Game over";
  if (teamRows.length) words += `. The winning team is ${teamRows.filter((r) => r.rank === 1).map((r) => r.name).join(" and ")}`;
  if (still) announce(dom.live, words);
  else {
    const timer = setTimeout(() => announce(dom.live, words), WINNER_AFTER_MS);
    state.cleanups.push(() => clearTimeout(timer));
  }
  return view;
}
