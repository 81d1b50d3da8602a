// The lobby: how to join (address, code, QR code) beside the players who have joined (the
// first 100 listed, then "and N more players"), under what the plan made of the deck: the
// round kinds it plays and, for each kind it left out, why (`created.plan`).
import { h } from "/static/common.js";
import { competitionNote } from "/static/host/competition.js";
import { errorBox, hostCmd, joinAddress, morePlayers, players, send, state } from "/static/host/ctx.js";
import { kindTitle } from "/static/host/kinds.js";
import { renderPlayerList } from "/static/host/players.js";
import { lobbyTeams, teamMode } from "/static/host/teams.js";

/** "8 rounds: Quiz, Match the pairs" and a line per kind left out; null before `created`. */
function planNote() {
  const plan = state.creds && state.creds.plan;
  if (!plan) return null;
  const leftOut = plan.left_out || [];
  return h("div", { class: "plan-note", id: "plan-note" },
    h("p", { class: "plan-kinds" }, `${plan.rounds} round${plan.rounds === 1 ? "" : "s"}: `,
      (plan.kinds || []).map(kindTitle).join(", ")),
    leftOut.length
      ? h("ul", { class: "left-out", "aria-label": "Round types left out" }, leftOut.map((x) => h("li", { "data-kind": x.kind }, x.text)))
      : null);
}

export function buildLobby() {
  const room = state.room;
  const list = h("ul", { id: "players", class: "players", "aria-label": "Players" });
  const count = h("h2", { id: "player-count" });
  const lockBtn = h("button", { id: "lock-btn", type: "button" });
  const startBtn = h("button", { id: "start-btn", type: "button", class: "primary big", "data-primary": true, onclick: hostCmd("start") }, "Start game");
  lockBtn.addEventListener("click", () => send({ type: "host", action: state.room.locked ? "unlock" : "lock" }));
  const teams = teamMode() === "off" ? null : lobbyTeams();
  const view = h("section", { class: "lobby" },
    h("div", { class: "join-panel" },
      h("p", { class: "join-words" }, "Join at ", h("strong", { id: "join-address" }, joinAddress())),
      h("p", { class: "join-words" }, "with the code"),
      h("div", { class: "room-code", id: "room-code", "aria-label": `Room code ${room.room.split("").join(" ")}` }, room.room),
      h("img", { class: "qr", src: `/qr/${encodeURIComponent(room.room)}.svg`, alt: `QR code to join room ${room.room}`, width: 260, height: 260 })),
    h("div", { class: "players-panel" },
      room.deck ? h("p", { class: "deck-title" }, "Deck: ", h("strong", { id: "deck-title" }, room.deck)) : null,
      planNote(),
      competitionNote(),
      count,
      list,
      teams ? teams.el : null,
      errorBox(),
      h("div", { class: "controls" }, lockBtn, startBtn)));
  state.updaters.push(() => {
    const r = state.room;
    const n = r.players; // everyone: the host view lists the first 100 at most
    count.textContent = `${n} player${n === 1 ? "" : "s"} joined`;
    lockBtn.textContent = r.locked ? "Unlock room" : "Lock room";
    lockBtn.setAttribute("aria-pressed", r.locked ? "true" : "false");
    startBtn.disabled = r.players === 0;
    renderPlayerList(list, players(), { more: morePlayers() });
    if (teams) teams.update();
  });
  return view;
}
