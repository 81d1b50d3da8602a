// The host page's shared state and the few helpers every screen uses (send, errors).
import { h, load } from "/static/common.js";
import { errorText } from "/static/host/errors.js";

export const STORE = "cardcade.host";

export const state = {
  creds: load(STORE), // {room, token, plan}: plan is `created.plan`, kept for a reload
  room: null, // latest `room` view
  host: null, // latest `host` view
  joinUrl: null,
  decks: null,
  screenKey: null,
  updaters: [], // run after every view and on the countdown tick
  cleanups: [], // run when the screen is replaced
  resuming: false,
  creating: null, // {file} while a create_room is on its way
  notice: "",
  lastRound: null, // {index, total} of the latest round seen (fallback for old servers)
};

export const dom = {
  main: document.getElementById("main"),
  status: document.getElementById("status"),
  topjoin: document.getElementById("topjoin"),
  topinfo: document.getElementById("topinfo"),
  live: document.getElementById("live"),
};

let connection = null;
export function setConnection(conn) {
  connection = conn;
}
export function conn() {
  return connection;
}

export function send(msg) {
  if (!connection || !connection.send(msg)) showError("Not connected — try again in a moment.");
}

export const hostCmd = (action) => () => send({ type: "host", action });

/**
 * The players the host view lists (the best 100 at most, best score first), or [] before
 * it arrived. They are everyone only when morePlayers() is 0.
 */
export function players() {
  return (state.host && state.host.players) || [];
}

/** How many players the host view does not list (a room of more than 100). */
export function morePlayers() {
  return (state.host && state.host.more) || 0;
}

/** How many players the room has (the room view's count, all of them). */
export function playerCount() {
  return state.room ? state.room.players : players().length + morePlayers();
}

/**
 * Who the host view counts as `waiting` (connected, not answered the open round) or
 * `offline`: {count, names}, the names being the first 20 in join order.
 */
export function missing(kind) {
  const m = state.host && state.host[kind];
  return { count: (m && m.count) || 0, names: (m && m.names) || [] };
}

/** The error box of the current screen (one per screen, id host-error). */
export function errorBox() {
  return h("div", { id: "host-error", class: "error", role: "alert" });
}

let errorTimer = null;
export function showError(text) {
  const el = document.getElementById("host-error");
  if (!el) return;
  el.textContent = text;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { el.textContent = ""; }, 8000);
}

/** Show a server `error` message in the teacher's words. */
export function showServerError(msg, context = {}) {
  showError(errorText(msg, context));
}

/** Round numbers for the header: {index, total} of the current or last round, or null. */
export function roundNumbers() {
  const room = state.room;
  if (!room) return null;
  if (room.round) return { index: room.round.index, total: room.round.total };
  if (typeof room.round_index === "number" && typeof room.rounds === "number" && room.round_index >= 0) {
    return { index: room.round_index, total: room.rounds };
  }
  return state.lastRound;
}

/** Where players go, without the scheme or the query: "192.168.1.20:8000/play". */
export function joinAddress() {
  const url = state.joinUrl || `${location.origin}/play?room=${state.room ? state.room.room : ""}`;
  try {
    const u = new URL(url, location.href);
    return `${u.host}${u.pathname}`;
  } catch (err) {
    return url;
  }
}
