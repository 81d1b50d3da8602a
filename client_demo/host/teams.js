// Team mode on the projector: the teams in the lobby (and, when the host sets the teams,
// tap a player and then a team to move them), the team board between rounds and the team
// podium at the end. Teams come from the host view (`teams`, `players[].team`) and the
// room view (`team_mode`, `team_board`).
import { h } from "/static/common.js";
import { players, send, state } from "/static/host/ctx.js";

const PLACES = ["1st", "2nd", "3rd"];
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function teamMode() {
  return (state.room && state.room.team_mode) || "off";
}

/** The colour swatch and name of a team. */
function teamLabel(t) {
  return h("span", { class: "team-name" },
    h("span", { class: "swatch", style: `background:${t.colour}`, "aria-hidden": "true" }), t.name);
}

/**
 * The lobby's teams: one card per team with its members (those the host view lists); in
 * host mode the players without a team come first, and a tap on a player then on a team
 * sends `team`. Returns {el, update}.
 */
export function lobbyTeams() {
  const hostSets = teamMode() === "host";
  let picked = null; // player id chosen, waiting for a team
  const hint = h("p", { class: "teams-hint muted", id: "teams-hint" });
  const grid = h("div", { class: "team-grid", id: "team-grid", role: "list", "aria-label": "Teams" });
  const el = h("section", { class: "teams-panel", id: "teams-panel", "aria-label": "Teams" },
    h("h2", {}, hostSets ? "Teams: tap a player, then a team" : "Teams"), hint, grid);

  function chip(p) {
    const btn = h("button", { type: "button", class: "member", "data-member": p.id, "aria-pressed": p.id === picked ? "true" : "false" }, p.nickname);
    if (!hostSets) return h("span", { class: "member", "data-member": p.id }, p.nickname);
    btn.addEventListener("click", (ev) => {
      ev.stopPropagation();
      picked = picked === p.id ? null : p.id;
      update();
    });
    return btn;
  }

  function card(t, members) {
    const attrs = { class: "team-card", role: "listitem", "data-team": String(t.team), style: `--team:${t.colour}` };
    const body = [h("div", { class: "team-head" }, teamLabel(t), h("span", { class: "count", title: plural(t.members, "player") }, String(t.members))),
      h("div", { class: "members" }, members.map(chip))];
    if (!hostSets) return h("div", attrs, ...body);
    const target = h("div", { ...attrs, tabindex: "0", "aria-label": `Move the chosen player to ${t.name}` }, ...body);
    const move = () => {
      if (!picked) return;
      send({ type: "team", player: picked, team: t.team });
      picked = null;
      update();
    };
    target.addEventListener("click", move);
    target.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); move(); } });
    return target;
  }

  function update() {
    const teams = (state.host && state.host.teams) || [];
    const rows = players();
    if (picked && !rows.some((p) => p.id === picked)) picked = null;
    const byTeam = new Map(teams.map((t) => [t.team, []]));
    const none = [];
    for (const p of rows) {
      if (p.team === null || p.team === undefined) none.push(p);
      else if (byTeam.has(p.team)) byTeam.get(p.team).push(p);
    }
    const cards = teams.map((t) => card(t, byTeam.get(t.team)));
    if (hostSets) {
      cards.unshift(h("div", { class: "team-card unassigned", role: "listitem", "data-team": "none" },
        h("div", { class: "team-head" }, h("span", { class: "team-name" }, "No team yet"), h("span", { class: "count", title: plural(none.length, "player") }, String(none.length))),
        h("div", { class: "members" }, none.map(chip))));
    }
    grid.replaceChildren(...cards);
    const chosen = picked && rows.find((p) => p.id === picked);
    hint.textContent = !hostSets
      ? "Players are put in teams as they join."
      : chosen ? `Now tap the team for ${chosen.nickname}.`
        : "Players without a team go to the smallest team when the game starts.";
  }
  update();
  return { el, update };
}

/** The team board between rounds: rank, team, average score, members. */
export function teamBoard(rows) {
  return h("ol", { class: "board team-board", id: "team-board", "aria-label": "Team leaderboard" }, rows.map((r) => h("li", { "data-team": String(r.team), style: `--team:${r.colour}` },
    h("span", { class: "rank" }, `${r.rank}.`),
    teamLabel(r),
    h("span", { class: "members muted" }, plural(r.members, "player")),
    h("span", { class: "score" }, r.score))));
}

/** The team podium: the three best teams as steps in their colours. */
export function teamPodium(rows) {
  const step = (r, i) => (r
    ? h("div", { class: `step p${i + 1} team-step`, "data-place": i + 1, "data-team": String(r.team), style: `--team:${r.colour}` },
      h("span", { class: "place" }, PLACES[r.rank - 1] || `${r.rank}th`),
      h("span", { class: "pname" }, r.name),
      h("span", { class: "pscore" }, `${r.score} pts · ${plural(r.members, "player")}`))
    : h("div", { class: `step p${i + 1} empty`, "aria-hidden": "true" }));
  const top = rows.slice(0, 3);
  return h("div", { class: "podium team-podium", id: "team-podium", "aria-label": "Team podium" }, step(top[1], 1), step(top[0], 0), step(top[2], 2));
}

/** The create form's team settings: mode, and the size (random) or count (host) it needs. */
export function teamFields() {
  const mode = h("select", { id: "teams" },
    h("option", { value: "off" }, "No teams"),
    h("option", { value: "random" }, "Random teams"),
    h("option", { value: "host" }, "I set the teams"));
  const size = h("input", { id: "team_size", type: "number", min: 2, max: 10, step: 1, value: 4, inputmode: "numeric" });
  const count = h("input", { id: "team_count", type: "number", min: 2, max: 20, step: 1, value: 4, inputmode: "numeric" });
  const field = (id, label, input, hidden) => h("div", { class: `field${hidden ? " hidden" : ""}`, id },
    h("label", { for: input.id }, label), input);
  const sizeField = field("team-size-field", "Players per team", size, true);
  const countField = field("team-count-field", "Number of teams", count, true);
  const sync = () => {
    sizeField.classList.toggle("hidden", mode.value !== "random");
    countField.classList.toggle("hidden", mode.value !== "host");
  };
  mode.addEventListener("change", sync);
  return h("div", { class: "grid team-fields" }, field("teams-field", "Teams", mode, false), sizeField, countField);
}

/** The team settings of the create form, for `create_room.settings`. */
export function teamSettings(form) {
  const mode = form.querySelector("#teams").value;
  const out = { teams: mode };
  if (mode === "random") out.team_size = Number(form.querySelector("#team_size").value);
  if (mode === "host") out.team_count = Number(form.querySelector("#team_count").value);
  return out;
}
