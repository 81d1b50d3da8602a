// The leaderboard between rounds (top ten, with rank moves) and the full standings.
import { h, movement } from "/static/common.js";
import { errorBox, hostCmd, morePlayers, players, roundNumbers, state } from "/static/host/ctx.js";
import { playersPanel } from "/static/host/players.js";
import { dock, endButton } from "/static/host/round.js";
import { teamBoard } from "/static/host/teams.js";

export function board(rows, withMoves) {
  return h("ol", { class: "board", id: "board", "aria-label": "Leaderboard" }, rows.map((r) => {
    const m = movement(r);
    return h("li", { "data-nickname": r.nickname },
      h("span", { class: "rank" }, `${r.rank}.`),
      withMoves ? h("span", { class: `move ${m.cls}`, title: m.label },
        h("span", { "aria-hidden": "true" }, m.symbol), h("span", { class: "sr-only" }, m.label)) : h("span", {}),
      h("span", { class: "name" }, r.nickname),
      h("span", { class: "score" }, r.score));
  }));
}

/**
 * The players the host view lists, best first, with the server's rank (ties share one):
 * everyone in a room of up to 100, the best 100 in a bigger one (`more` are not listed).
 */
export function standings() {
  return { rows: players(), more: morePlayers() };
}

export function buildLeaderboard() {
  const room = state.room;
  const nums = roundNumbers();
  const last = Boolean(nums) && nums.index + 1 >= nums.total;
  const title = last ? "Final standings"
    : nums ? `Leaderboard after round ${nums.index + 1} of ${nums.total}` : "Leaderboard";
  const panel = playersPanel();
  let rows = board(room.leaderboard || [], true);
  let shown = JSON.stringify(room.leaderboard || []);
  const boards = h("div", { class: "boards" }, h("div", {}, rows));
  let teams = null;
  let teamsShown = JSON.stringify(room.team_board || []);
  const setTeams = () => {
    const list = state.room.team_board || [];
    const fresh = list.length ? h("div", { class: "team-column" }, h("h2", {}, "Teams"), teamBoard(list)) : null;
    if (teams) teams.remove();
    teams = fresh;
    if (teams) boards.append(teams);
    boards.classList.toggle("with-teams", Boolean(teams));
  };
  setTeams();
  const view = h("section", { class: "leaderboard" },
    h("h1", {}, title),
    boards,
    errorBox(),
    dock(panel,
      h("button", { type: "button", id: "next-btn", class: "primary", "data-primary": true, onclick: hostCmd("next") },
        last ? "Show podium" : nums ? "Next round" : "Next"),
      panel.button,
      last ? null : endButton()));
  state.updaters.push(panel.update, () => {
    // a kick changes the ranking while it is shown
    const teamsNow = JSON.stringify(state.room.team_board || []);
    if (teamsNow !== teamsShown) {
      teamsShown = teamsNow;
      setTeams();
    }
    const now = JSON.stringify(state.room.leaderboard || []);
    if (now === shown) return;
    shown = now;
    const fresh = board(state.room.leaderboard || [], true);
    rows.replaceWith(fresh);
    rows = fresh;
  });
  return view;
}
