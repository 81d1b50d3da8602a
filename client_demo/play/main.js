// Player page: join, answer the four round kinds, see results; survives drops and reloads.
// This module handles the server's messages and picks the screen; the screens live in the
// modules next to it (join, results, and one per round kind registered in kinds.js) and share
// app.js.
import { clear, formatSeconds, h, secondsLeft, showStatus } from "/static/common.js";
import {
  app, conn, dom, dropDraft, dropStaleDraft, forget, noticeBox, pausedBanner, saveCreds, say,
  sendPending, setNotice, setPending, state,
} from "/static/play/app.js";
import { buildJoin, buildKicked, buildLobby, buildWait, joinFailed, resumeFailed } from "/static/play/join.js";
import { KINDS, roundTitle } from "/static/play/kinds.js";
import { buildPodium, buildResult, buildSent, buildStanding } from "/static/play/results.js";
import { updateTeamBand } from "/static/play/team.js";

const ANSWER_CODES = ["round_closed", "wrong_round", "invalid_answer", "paused", "already_answered", "unknown_player"];
const PAUSED_NOTICE = "The game is paused: your answer will be sent when it resumes.";

conn.onReady = () => {
  state.gen += 1;
  if (state.creds) {
    state.resuming = true;
    conn.send({ type: "resume", room: state.creds.room, token: state.creds.token });
  } else if (state.joining) {
    conn.send({ type: "join", room: state.joining.room, nickname: state.joining.nickname });
  }
  render();
  return state.resuming;
};
conn.onMessage = handle;
conn.onStatus = (s) => {
  state.status = s;
  updateStatus();
};
// The server could not reach its storage: ask again (the refused resume, or a sync). The
// snapshot's `me` then sends an answer that did not get its ack again (reconcilePending).
conn.onRecover = () => {
  if (!state.creds) return false;
  if (state.resuming) conn.send({ type: "resume", room: state.creds.room, token: state.creds.token });
  else conn.send({ type: "sync" });
  return true;
};

// A kicked player's socket is closed by the server and opens again in the background (for
// "Join another game"): no "Reconnecting…" over the "Removed from the game" screen.
function updateStatus() {
  const kept = state.pending && state.status !== "connecting" ? "Your answer is saved: it goes as soon as the game is back." : "";
  showStatus(dom.status, state.status, { extra: kept, hide: Boolean(state.kicked) });
}

// ------------------------------------------------------------------ messages

function handle(msg) {
  switch (msg.type) {
    case "joined":
      saveCreds({ room: msg.room, token: msg.token, player_id: msg.player_id, nickname: state.joining ? state.joining.nickname : "" });
      state.joining = null;
      state.joinError = "";
      break;
    case "room":
      state.resuming = false;
      if (!state.room || state.room.phase !== msg.phase) state.staleSince = Date.now();
      if (roundOf(msg) !== roundOf(state.room)) state.roundSeq = msg.seq;
      state.room = msg;
      render();
      break;
    case "me":
      state.me = msg;
      if (state.creds && msg.nickname && state.creds.nickname !== msg.nickname) {
        saveCreds({ ...state.creds, nickname: msg.nickname });
      }
      reconcilePending();
      render();
      break;
    case "ack":
      if (state.pending && state.pending.round === msg.round) setPending(null);
      say("Answer received.");
      render(true);
      break;
    case "kicked":
      forget();
      state.kicked = msg.message || "The host removed you from the game.";
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
  const code = msg.code;
  if (state.joining) {
    joinFailed(code, msg.message);
    return;
  }
  if (code === "unavailable") {
    // the banner says so and the connection asks again; an answer waiting for its ack goes
    // again after the next snapshot
    state.pendingGen = -1;
    render();
    return;
  }
  if (state.resuming && ["bad_token", "unknown_room", "kicked", "unknown_player"].includes(code)) {
    state.resuming = false;
    const was = state.creds ? state.creds.room : "";
    forget();
    resumeFailed(code, was);
    render();
    return;
  }
  if (state.pending && ANSWER_CODES.includes(code)) {
    if (code === "already_answered") {
      setPending(null); // it was counted
      render(true);
      return;
    }
    if (code === "paused") {
      state.pendingGen = -1; // sent again when the round resumes
      setNotice(PAUSED_NOTICE);
      render(true);
      return;
    }
    setPending(null);
    // an invalid answer in an open round may be corrected (from a fresh start); otherwise it
    // is lost: say so
    if (code === "invalid_answer" && state.room && state.room.phase === "open") dropDraft();
    setNotice(`Your answer was not accepted: ${msg.message}`);
    state.screenKey = null;
    render();
    say(state.notice);
    return;
  }
  setNotice(msg.message || code);
  render(true);
  say(state.notice);
}

// After a (re)connect: send again an answer that was never acked, if its round is open.
function reconcilePending() {
  const p = state.pending;
  const room = state.room;
  const me = state.me;
  if (!p || !room || !me) return;
  if (!state.creds || p.room !== state.creds.room) {
    setPending(null);
    return;
  }
  const sameRound = room.round && room.round.index === p.round;
  if (sameRound && me.answered && me.seq >= state.roundSeq) {
    setPending(null); // the server has it
    return;
  }
  if (room.phase === "open" && sameRound) {
    if (room.round.paused) {
      setNotice(PAUSED_NOTICE);
      return;
    }
    if (state.pendingGen !== state.gen) {
      state.notice = "";
      sendPending();
    }
    return;
  }
  if (room.phase === "lobby") return;
  // the round closed before the answer arrived
  setPending(null);
  setNotice("Your answer did not reach the server before the round closed.");
  say(state.notice);
}

// ------------------------------------------------------------------ screens

/** "open:N" while round N is open (paused or not), else null. */
function roundOf(room) {
  return room && room.phase === "open" && room.round ? `open:${room.round.index}` : null;
}

function screenKey() {
  if (state.kicked) return "kicked";
  if (!state.creds) return "join";
  const room = state.room;
  const me = state.me;
  if (!room || !me) return "wait";
  const idx = room.round ? room.round.index : -1;
  if (room.phase === "open") {
    // A round's own `me` views follow its first room view: an older `me` is the last
    // round's, and its `answered` is not about this one.
    const sent = (me.answered && me.seq >= state.roundSeq) || (state.pending && state.pending.round === idx);
    return `${sent ? "sent" : "open"}:${idx}`;
  }
  if (room.phase === "lobby") return "lobby:-1";
  // results and ranks come in `me`: wait (briefly) for the `me` of this room change
  if (me.seq < room.seq && state.screenKey && Date.now() - state.staleSince < 1500) {
    if (!state.staleTimer) state.staleTimer = setTimeout(() => { state.staleTimer = null; render(); }, 1600);
    return state.screenKey;
  }
  return `${room.phase}:${idx}:${me.score}:${me.rank}:${me.streak}:${JSON.stringify(me.last)}`;
}

function buildRound() {
  const round = state.room.round;
  const p = round.public || {};
  const kind = KINDS[round.kind];
  return h("section", { class: `round kind-${round.kind}` },
    roundTitle(round),
    h("h1", { class: "prompt", id: "prompt", tabindex: "-1" },
      p.category && kind && kind.showsCategory ? h("span", { class: "category" }, p.category) : null,
      p.prompt || ""),
    pausedBanner(),
    noticeBox(),
    kind ? kind.build(round) : h("p", {}, "This round type is not supported by this page."));
}

const BUILDERS = {
  kicked: buildKicked, join: buildJoin, wait: buildWait, lobby: buildLobby, open: buildRound,
  sent: buildSent, reveal: buildResult, leaderboard: buildStanding, podium: buildPodium,
};

function render(force) {
  dropStaleDraft();
  const key = screenKey();
  if (key !== state.screenKey || force === true) {
    const rebuild = key !== state.screenKey;
    const focusId = document.activeElement && document.activeElement.id;
    state.screenKey = key;
    state.updaters = [];
    state.mounted = [];
    clear(dom.main);
    const kind = key.split(":")[0];
    dom.main.dataset.screen = kind;
    document.body.dataset.screen = kind;
    dom.main.append(BUILDERS[kind]());
    const again = focusId && document.getElementById(focusId);
    if (again && !rebuild) again.focus();
    else if (rebuild && kind !== "join") {
      const first = dom.main.querySelector("h1");
      if (first) {
        if (!first.hasAttribute("tabindex")) first.setAttribute("tabindex", "-1");
        first.focus();
      }
    }
    updateBar();
    for (const fn of state.mounted) fn();
  }
  updateBar();
  updateStatus();
  for (const fn of state.updaters) fn();
}
app.render = render;

function updateBar() {
  const me = state.me;
  const room = state.room;
  const show = Boolean(state.creds && me && room);
  dom.bar.classList.toggle("hidden", !show);
  updateTeamBand(dom.top, dom.bar, me);
  if (!show) return;
  dom.barName.textContent = me.nickname;
  dom.barScore.textContent = `${me.score} pts`;
  dom.barScore.setAttribute("aria-label", `Score ${me.score} points`);
  const open = room.phase === "open";
  const s = open ? secondsLeft(room.round, conn) : null;
  dom.barTimer.textContent = open ? (room.round.paused ? "❚❚" : formatSeconds(s)) : "";
  dom.barTimer.classList.toggle("low", s !== null && s <= 5);
}

// The sticky parts of the rounds sit under the score bar (and the status banner, when shown).
new ResizeObserver(() => {
  document.documentElement.style.setProperty("--top-h", `${dom.top.offsetHeight}px`);
}).observe(dom.top);

// countdown
setInterval(() => {
  if (state.room && state.room.phase === "open") updateBar();
}, 250);

render();
conn.start();
