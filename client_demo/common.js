// Shared code of the Cardcade pages: the WebSocket connection (hello, reconnect with
// exponential backoff, keepalive, clock offset, seq gap detection, recovery while the server
// answers `unavailable`), the connection banner, storage and DOM helpers.
// Plain ES module, no dependencies.

export const PROTOCOL_VERSIONS = [1];
export const SHAPES = ["▲", "◆", "●", "■"];
export const SHAPE_NAMES = ["triangle", "diamond", "circle", "square"];
const BACKOFF_START_MS = 250;
const BACKOFF_CAP_MS = 5000;
const PING_EVERY_MS = 10000;
const PONG_TIMEOUT_MS = 8000;
// After `unavailable` (the server cannot reach its storage): ask again after 1 s, doubling
// up to 8 s, until the server answers (docs/protocol.md, section 12).
const RECOVER_START_MS = 1000;
const RECOVER_CAP_MS = 8000;

/** A backoff delay: `startMs` doubled `attempt` times, at most `capMs`, with jitter. */
function backoff(attempt, startMs, capMs) {
  const base = Math.min(capMs, startMs * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * base / 2);
}

export function wsUrl() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  return `${proto}://${location.host}/ws`;
}

/**
 * One logical connection to the server that survives drops.
 *
 * Callbacks: onReady() after each `welcome` (send join/resume there; return true when a
 * `resume` went out, and the status stays "reconnecting" until it is answered), onMessage(msg)
 * for every other server message, onStatus(state) with "connecting" | "online" |
 * "reconnecting" (the socket is down, or resuming) | "unavailable" (the socket is up but the
 * server cannot reach its storage), and onRecover() while "unavailable": ask again (a `sync`,
 * or the `resume` that was refused), with backoff; return false when there is nothing to ask.
 * The first reply that is not an error (a snapshot, an ack) makes the status "online".
 * `room` messages are checked for seq gaps (a gap sends `sync`); stale ones are dropped.
 */
export class Connection {
  constructor({ onReady, onMessage, onStatus, onRecover, url } = {}) {
    this.url = url || wsUrl();
    this.onReady = onReady || (() => false);
    this.onMessage = onMessage || (() => {});
    this.onStatus = onStatus || (() => {});
    this.onRecover = onRecover || (() => this.send({ type: "sync" }));
    this.ws = null;
    this.ready = false;
    this.attempt = 0;
    this.offsetMs = 0; // server clock - local clock
    this.lastSeq = null;
    this.closed = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.pingSentAt = 0;
    this.status = "connecting";
    this.everOnline = false;
    this.resuming = false; // a resume is out: "reconnecting" until its reply
    this.recoverTimer = null;
    this.recoverAttempt = 0;
  }

  start() {
    this.closed = false;
    this._open();
    window.addEventListener("online", () => this._kick());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this._kick();
    });
  }

  /** Server time now, in server-epoch ms. */
  now() {
    return Date.now() + this.offsetMs;
  }

  /** Send a message; returns false when the connection is not ready. */
  send(msg) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.ready) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /** Drop this socket and open a new one (a reply that never came: the socket may be dead). */
  reconnect() {
    if (this.closed || !this.ws) return;
    this.attempt = 0;
    this.ws.close();
  }

  stop() {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.recoverTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    if (this.ws) this.ws.close();
  }

  _setStatus(status) {
    if (status !== this.status) {
      this.status = status;
      this.onStatus(status);
    }
  }

  // Reconnect at once when the browser says the network is back (skip the backoff wait).
  _kick() {
    if (this.closed || (this.ws && this.ws.readyState <= WebSocket.OPEN)) return;
    clearTimeout(this.retryTimer);
    this._open();
  }

  _open() {
    clearTimeout(this.retryTimer);
    this.ready = false;
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this._retry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      ws.send(JSON.stringify({ type: "hello", versions: PROTOCOL_VERSIONS }));
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch (err) {
        return;
      }
      this._handle(msg);
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.ready = false;
      this.resuming = false;
      clearInterval(this.pingTimer);
      clearTimeout(this.pongTimer);
      this._stopRecovering();
      if (!this.closed) this._retry();
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry
    };
  }

  _retry() {
    this._setStatus(this.everOnline ? "reconnecting" : "connecting");
    const delay = backoff(this.attempt, BACKOFF_START_MS, BACKOFF_CAP_MS);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this._open(), delay);
  }

  // The server cannot reach its storage: "unavailable", and ask again with backoff until a
  // reply that is not an error comes.
  _unavailable() {
    this.resuming = false;
    this._setStatus("unavailable");
    if (this.recoverTimer) return;
    const tick = () => {
      if (!this.ready || this.status !== "unavailable") {
        this.recoverTimer = null;
        return;
      }
      if (this.onRecover() === false) {
        this._online();
        return;
      }
      this.recoverAttempt += 1;
      this.recoverTimer = setTimeout(tick, backoff(this.recoverAttempt, RECOVER_START_MS, RECOVER_CAP_MS));
    };
    this.recoverTimer = setTimeout(tick, backoff(0, RECOVER_START_MS, RECOVER_CAP_MS));
  }

  _stopRecovering() {
    clearTimeout(this.recoverTimer);
    this.recoverTimer = null;
    this.recoverAttempt = 0;
  }

  _online() {
    this.resuming = false;
    this._stopRecovering();
    this._setStatus("online");
  }

  _handle(msg) {
    if (msg.type === "error" && msg.code === "unavailable") {
      this._unavailable();
    } else if (msg.type === "error") {
      if (this.resuming) this._online(); // the resume was answered (refused: the page says why)
    } else if (msg.type !== "welcome" && msg.type !== "pong" && (this.resuming || this.status === "unavailable")) {
      this._online(); // the server reached its storage again
    }
    switch (msg.type) {
      case "welcome":
        this.offsetMs = msg.server_time_ms - Date.now();
        this.ready = true;
        this.attempt = 0;
        this.lastSeq = null;
        this.everOnline = true;
        this._startPing();
        this.resuming = this.onReady() === true;
        if (!this.resuming) this._online();
        return;
      case "pong": {
        clearTimeout(this.pongTimer);
        const rtt = Date.now() - this.pingSentAt;
        if (rtt >= 0 && rtt < 5000) {
          this.offsetMs = msg.server_time_ms + rtt / 2 - Date.now();
        }
        return;
      }
      case "room":
        if (typeof msg.seq === "number") {
          if (this.lastSeq !== null && msg.seq < this.lastSeq) return; // stale
          if (this.lastSeq !== null && msg.seq > this.lastSeq + 1) this.send({ type: "sync" });
          this.lastSeq = msg.seq;
        }
        break;
      default:
        break;
    }
    this.onMessage(msg);
  }

  _startPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (!this.ready) return;
      this.pingSentAt = Date.now();
      this.send({ type: "ping" });
      clearTimeout(this.pongTimer);
      // A silent dead connection: close it so the reconnect logic takes over.
      this.pongTimer = setTimeout(() => {
        if (this.ws) this.ws.close();
      }, PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }
}

// ------------------------------------------------------------------ the connection banner

const STATUS_WORDS = {
  connecting: ["Connecting…", ""],
  reconnecting: ["Reconnecting…", "The connection to the game was lost. Trying again…"],
  unavailable: ["Reconnecting…", "The game server is having trouble. Waiting for it…"],
};

/**
 * Show a Connection status in the page's banner element: hidden when "online" (or when
 * `hide`), else a big title and a line saying what is going on, plus `extra` (the page's own
 * words, e.g. that an answer is kept). `el.dataset.state` is the status.
 */
export function showStatus(el, status, { extra = "", hide = false } = {}) {
  const words = !hide && STATUS_WORDS[status];
  el.classList.toggle("hidden", !words);
  el.dataset.state = words ? status : "online";
  if (!words) {
    delete el.dataset.key; // shown again later: announced again
    return;
  }
  const detail = [words[1], extra].filter(Boolean).join(" ");
  const key = `${words[0]}|${detail}`;
  if (el.dataset.key === key) return; // unchanged: not announced again
  el.dataset.key = key;
  clear(el).append(h("strong", { class: "status-title" }, words[0]),
    detail ? h("span", { class: "status-detail" }, detail) : null);
}

// ------------------------------------------------------------------ storage

export function load(key) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch (err) {
    return null;
  }
}

export function save(key, value) {
  try {
    if (value === null || value === undefined) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch (err) {
    // private mode or full storage: the page still works, without reload recovery
  }
}

// ------------------------------------------------------------------ DOM helpers

/** h("button", {class: "x", onclick: fn}, "text", child) -> element. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "text") el.textContent = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Seconds left in the round, from its deadline and the clock offset (frozen when paused). */
export function secondsLeft(round, conn) {
  if (!round) return null;
  let ms;
  if (round.paused || round.deadline_ms === null || round.deadline_ms === undefined) {
    ms = round.time_left_ms;
  } else {
    ms = round.deadline_ms - conn.now();
  }
  if (ms === null || ms === undefined) return null;
  return Math.max(0, Math.ceil(ms / 1000));
}

export function formatSeconds(s) {
  if (s === null || s === undefined) return "–";
  if (s < 60) return String(s);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function ordinal(n) {
  const s = ["th", "st", "nd", "rd"];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

/** Movement of a leaderboard row: {symbol, label, cls}. */
export function movement(row) {
  if (row.prev_rank === null || row.prev_rank === undefined) return { symbol: "•", label: "new", cls: "same" };
  if (row.rank < row.prev_rank) return { symbol: "▲", label: `up ${row.prev_rank - row.rank}`, cls: "up" };
  if (row.rank > row.prev_rank) return { symbol: "▼", label: `down ${row.rank - row.prev_rank}`, cls: "down" };
  return { symbol: "=", label: "same place", cls: "same" };
}

/** Announce text in a polite live region (the element must exist in the page). */
export function announce(el, text) {
  if (!el) return;
  el.textContent = "";
  // a fresh text node after a tick makes screen readers read repeated messages again
  setTimeout(() => { el.textContent = text; }, 30);
}

export function textOf(items, id) {
  const it = (items || []).find((x) => x.id === id);
  return it ? it.text : id;
}
