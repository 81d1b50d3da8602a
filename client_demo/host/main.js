// Host screen (projector): create a game, run the lobby, the rounds, reveals, leaderboards
// and the podium. This module owns the connection and picks the screen; each screen is
// built by its own module.
import { Connection, clear, h, save, showStatus } from "/static/common.js";
import { buildLeaderboard } from "/static/host/board.js";
import { buildCompetitionCreate, competitionDone, forgetCompetition, linkedCompetition } from "/static/host/competition.js";
import { buildCreate, createDone } from "/static/host/create.js";
import { STORE, dom, joinAddress, roundNumbers, setConnection, showServerError, state } from "/static/host/ctx.js";
import { buildLobby } from "/static/host/lobby.js";
import { buildPodium } from "/static/host/podium.js";
import { buildOpen, buildReveal, fitStage, queueFit, roundHead } from "/static/host/round.js";

function buildWait() {
  return h("section", {}, h("h1", {}, "Reconnecting to your game…"), h("div", { id: "host-error", class: "error", role: "alert" }));
}

const SCREENS = {
  create: () => (linkedCompetition() ? buildCompetitionCreate(render) : buildCreate()), wait: buildWait, lobby: buildLobby, open: buildOpen,
  reveal: buildReveal, leaderboard: buildLeaderboard, podium: () => buildPodium(render),
};

function resume() {
  state.resuming = true;
  conn.send({ type: "resume", room: state.creds.room, token: state.creds.token });
}

const conn = new Connection({
  onReady() {
    if (state.creds) {
      resume();
      return true;
    }
    render();
    return false;
  },
  onMessage: handle,
  onStatus(s) {
    showStatus(dom.status, s, { extra: s === "unavailable" ? "The game goes on when it is back." : "" });
  },
  // the server could not reach its storage: ask again (the refused resume, or a sync)
  onRecover() {
    if (!state.creds) return false;
    if (state.resuming) resume();
    else conn.send({ type: "sync" });
    return true;
  },
});
setConnection(conn);

function handle(msg) {
  switch (msg.type) {
    case "created":
      state.creds = { room: msg.room, token: msg.host_token, plan: msg.plan || null, competition: msg.competition || null };
      forgetCompetition(); // the host link has made its room
      state.joinUrl = msg.join_url;
      state.creating = null;
      save(STORE, state.creds);
      break;
    case "room":
      state.resuming = false;
      state.room = msg;
      if (msg.round) state.lastRound = { index: msg.round.index, total: msg.round.total };
      render();
      break;
    case "host":
      state.host = msg;
      state.joinUrl = msg.join_url || state.joinUrl;
      render();
      break;
    case "error":
      onError(msg);
      break;
    default:
      break;
  }
}

function onError(msg) {
  if (state.resuming && ["bad_token", "unknown_room", "kicked"].includes(msg.code)) {
    state.resuming = false;
    state.creds = null;
    state.room = null;
    save(STORE, null);
    state.notice = "The previous game is no longer available. Create a new one.";
    state.screenKey = null;
    render();
    return;
  }
  const creating = state.creating;
  if (creating) {
    createDone();
    competitionDone();
  }
  showServerError(msg, creating || {});
  render();
}

// ------------------------------------------------------------------ rendering

function screenKey() {
  const room = state.room;
  if (!state.creds || !room) return state.creds ? "wait" : "create";
  return `${room.phase}:${room.round ? room.round.index : -1}`;
}

export function render() {
  const key = screenKey();
  const rebuilt = key !== state.screenKey;
  if (rebuilt) {
    const hadFocus = dom.main.contains(document.activeElement);
    for (const fn of state.cleanups) fn();
    state.screenKey = key;
    state.updaters = [];
    state.cleanups = [];
    clear(dom.main);
    const name = key.split(":")[0];
    dom.main.dataset.screen = name;
    document.body.dataset.screen = name;
    dom.main.append(SCREENS[name]());
    const primary = dom.main.querySelector("[data-primary]");
    if (hadFocus && primary) primary.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  updateTop(rebuilt);
  for (const fn of state.updaters) fn();
  if (rebuilt) fitStage();
}

/**
 * The top bar: during the game, where and with which code to join (for late joiners) and
 * the round; in the lobby, the room and the player count.
 */
function updateTop(rebuilt) {
  const room = state.room;
  const phase = room && state.creds ? room.phase : null;
  const playing = ["open", "reveal", "leaderboard"].includes(phase);
  document.body.classList.toggle("playing", playing);
  const join = playing ? `${joinAddress()}|${room.room}|${room.locked}` : "";
  if (dom.topjoin.dataset.key !== join) {
    dom.topjoin.dataset.key = join;
    clear(dom.topjoin);
    if (playing && room.locked) {
      dom.topjoin.append("Room ", h("strong", { class: "code", id: "top-code" }, room.room), " is locked");
    } else if (playing) {
      dom.topjoin.append("Join at ", h("strong", { id: "top-address" }, joinAddress()),
        " with code ", h("strong", { class: "code", id: "top-code" }, room.room));
    }
  }
  if (phase === "open" || phase === "reveal") {
    if (rebuilt || !dom.topinfo.querySelector(".round-head")) clear(dom.topinfo).append(roundHead(room.round));
    return;
  }
  const parts = [];
  if (phase && state.creds.competition) parts.push(`Competition ${state.creds.competition}`);
  if (phase === "lobby") parts.push(`Room ${room.room}`);
  if (phase === "leaderboard") {
    const nums = roundNumbers();
    if (nums) parts.push(`Round ${nums.index + 1} of ${nums.total} done`);
  }
  if (phase) parts.push(`${room.players} player${room.players === 1 ? "" : "s"}`);
  if (phase === "lobby" && room.locked) parts.push("locked");
  dom.topinfo.textContent = parts.join(" · ");
}

window.addEventListener("resize", () => {
  queueFit();
  for (const fn of state.updaters) fn();
});
if (document.fonts) document.fonts.ready.then(queueFit);

// countdown redraw
setInterval(() => {
  if (state.room && state.room.phase === "open") for (const fn of state.updaters) fn();
}, 250);

render();
conn.start();
