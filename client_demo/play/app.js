// The player page's shared state and the helpers every screen uses: the connection, the answer
// being sent (kept until acked) and the work in progress of the open round (kept until the
// round closes), both in localStorage so that a reload loses neither.
import { Connection, announce, h, load, save } from "/static/common.js";

const STORE = "cardcade.player"; // {room, token, player_id, nickname}
const PENDING = "cardcade.pending"; // {room, round, answer}: sent, not acked yet
const DRAFT = "cardcade.draft"; // {room, round, data}: placed but not sent yet
// An answer with no `ack` (nor error) this long after it went: the socket may be dead, so
// open a new one (resume, then the answer again). The server answers within 5 s even while
// it cannot reach its storage (docs/protocol.md, section 12).
const ACK_WAIT_MS = 8000;

const byId = (id) => document.getElementById(id);
export const dom = {
  main: byId("main"), top: byId("top"), status: byId("status"), live: byId("live"),
  bar: byId("bar"), barName: byId("bar-name"), barTimer: byId("bar-timer"), barScore: byId("bar-score"),
};

export const params = new URLSearchParams(location.search);

export const state = {
  creds: load(STORE),
  pending: load(PENDING),
  roundSeq: 0, // the seq of the first room view of the open round
  draft: load(DRAFT),
  gen: 0, // connection generation: bumps at each welcome
  pendingGen: -1, // generation the pending answer was last sent on
  status: null, // connection status, unset until it first changes
  room: null,
  me: null,
  joining: null, // {room, nickname} while a join is in flight
  resuming: false,
  staleSince: 0, // when a room change arrived ahead of its `me`
  staleTimer: null,
  screenKey: null,
  updaters: [], // run after every render of the current screen
  mounted: [], // run once, after the current screen is in the page
  joinError: "",
  joinFocus: null, // the join field to focus (and select) after an error
  lastCode: "",
  lastNickname: "",
  notice: "", // shown on the round/result screens (e.g. a late answer)
  noticeRound: -1,
  kicked: null,
};

// Callbacks are set by main.js (they need the renderer).
export const conn = new Connection();

/** Re-render the page (main.js sets it). */
export const app = { render: () => {} };

export function say(text) {
  announce(dom.live, text);
}

export function saveCreds(creds) {
  state.creds = creds;
  save(STORE, creds);
}

export function setPending(p) {
  state.pending = p;
  save(PENDING, p);
}

/** Forget this player (left, kicked, or the place is gone). */
export function forget() {
  saveCreds(null);
  setPending(null);
  dropDraft();
  state.room = null;
  state.me = null;
}

export function curRound() {
  return state.room && state.room.round ? state.room.round.index : -1;
}

export function setNotice(text) {
  state.notice = text;
  state.noticeRound = curRound();
}

export function submit(round, answer) {
  setPending({ room: state.creds.room, round, answer });
  state.notice = "";
  sendPending();
  say("Answer sent.");
  app.render();
}

let ackTimer = null;

/**
 * Send the pending answer (again: an identical answer is acked again). Not connected, it goes
 * after the resume; no reply within ACK_WAIT_MS, the socket is replaced and it goes again.
 */
export function sendPending() {
  const p = state.pending;
  if (!p) return;
  state.pendingGen = state.gen;
  if (!conn.send({ type: "answer", round: p.round, answer: p.answer })) {
    state.pendingGen = -1; // sent on resume
    return;
  }
  clearTimeout(ackTimer);
  ackTimer = setTimeout(() => {
    // still waiting on this socket (not refused, not answered `paused` or `unavailable`)
    if (state.pending === p && state.pendingGen === state.gen && conn.status === "online") conn.reconnect();
  }, ACK_WAIT_MS);
}

// ------------------------------------------------------------------ work in progress

/**
 * The draft of `round` (what the player has placed so far): the stored one if it belongs to
 * this room and round and `valid(data)` accepts it, else a new one from `make()`.
 */
export function draftFor(round, make, valid) {
  const room = state.creds && state.creds.room;
  const d = state.draft;
  if (d && d.room === room && d.round === round.index && d.data && valid(d.data)) return d.data;
  state.draft = { room, round: round.index, data: make() };
  save(DRAFT, state.draft);
  return state.draft.data;
}

/** Store the draft after a change. */
export function keepDraft() {
  if (state.draft) save(DRAFT, state.draft);
}

export function dropDraft() {
  state.draft = null;
  save(DRAFT, null);
}

/** A draft lives while its round is open: drop it once the room has moved on. */
export function dropStaleDraft() {
  const d = state.draft;
  const room = state.room;
  if (!d || !room || !state.creds) return;
  if (d.room !== state.creds.room || room.phase !== "open" || !room.round || room.round.index !== d.round) {
    dropDraft();
  }
}

// ------------------------------------------------------------------ pieces of the screens

export function isPaused() {
  return Boolean(state.room && state.room.round && state.room.round.paused);
}

export function guardPaused() {
  if (isPaused()) {
    say("The game is paused.");
    return true;
  }
  return false;
}

export function pausedBanner() {
  const el = h("p", { class: "paused", role: "status" });
  state.updaters.push(() => {
    const paused = isPaused();
    el.textContent = paused ? "❚❚ The game is paused." : "";
    el.classList.toggle("hidden", !paused);
  });
  return el;
}

export function noticeBox() {
  const show = state.notice && state.noticeRound === curRound();
  return h("div", { class: "notice", id: "notice", role: "alert" }, show ? state.notice : "");
}

export function shorten(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

/** Focus the first of these element ids that exists and is enabled. */
export function focusFirst(...ids) {
  for (const id of ids) {
    const el = id && document.getElementById(id);
    if (el && !el.disabled) {
      el.focus();
      return;
    }
  }
}

/**
 * The sticky send bar of the match and sort rounds. A complete answer goes at the first tap;
 * a partial one asks first ("3 of 4 placed — send anyway?") and goes at the second tap; with
 * nothing placed the button looks unavailable and a tap says why nothing is sent.
 */
export function sendBar({ placed, total, empty, onSend, extra }) {
  const note = h("p", { class: "send-note", id: "send-note", "aria-live": "polite" });
  let armed = false;
  const btn = h("button", {
    type: "button", class: `primary big submit${placed ? "" : " inactive"}`, id: "submit-btn",
    "aria-disabled": placed ? null : "true", "aria-describedby": "send-note",
  }, `Send answer (${placed}/${total})`);
  btn.addEventListener("click", () => {
    if (guardPaused()) return;
    if (!placed) {
      note.textContent = empty;
      return;
    }
    if (placed < total && !armed) {
      armed = true;
      btn.classList.add("confirm");
      btn.textContent = `${placed} of ${total} placed — send anyway?`;
      note.textContent = "Tap again to send: what is not placed scores nothing.";
      return;
    }
    onSend();
  });
  return h("div", { class: "actions" }, note, h("div", { class: "action-row" }, extra || null, btn));
}
