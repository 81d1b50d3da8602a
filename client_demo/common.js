// Shared code of the Cardcade pages: the WebSocket connection (hello, reconnect with
// exponential backoff, keepalive, clock offset, seq gap detection), storage and DOM helpers.
// Plain ES module, no dependencies.

export const PROTOCOL_VERSIONS = [1];
export const SHAPES = ["▲", "◆", "●", "■"];
export const SHAPE_NAMES = ["triangle", "diamond", "circle", "square"];
const BACKOFF_START_MS = 250;
const BACKOFF_CAP_MS = 5000;
const PING_EVERY_MS = 10000;
const PONG_TIMEOUT_MS = 8000;

export function wsUrl() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  return `${proto}://${location.host}/ws`;
}

/**
 * One logical connection to the server that survives drops.
 *
 * Callbacks: onReady() after each `welcome` (send join/resume there), onMessage(msg) for
 * every other server message, onStatus(state) with "connecting" | "online" | "reconnecting".
 * `room` messages are checked for seq gaps (a gap sends `sync`); stale ones are dropped.
 */
export class Connection {
  constructor({ onReady, onMessage, onStatus, url } = {}) {
    this.url = url || wsUrl();
    this.onReady = onReady || (() => {});
    this.onMessage = onMessage || (() => {});
    this.onStatus = onStatus || (() => {});
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

  stop() {
    this.closed = true;
    clearTimeout(this.retryTimer);
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
      clearInterval(this.pingTimer);
      clearTimeout(this.pongTimer);
      if (!this.closed) this._retry();
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry
    };
  }

  _retry() {
    this._setStatus(this.everOnline ? "reconnecting" : "connecting");
    const base = Math.min(BACKOFF_CAP_MS, BACKOFF_START_MS * 2 ** this.attempt);
    const delay = Math.round(base / 2 + Math.random() * base / 2); // jitter
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this._open(), delay);
  }

  _handle(msg) {
    switch (msg.type) {
      case "welcome":
        this.offsetMs = msg.server_time_ms - Date.now();
        this.ready = true;
        this.attempt = 0;
        this.lastSeq = null;
        this.everOnline = true;
        this._setStatus("online");
        this._startPing();
        this.onReady();
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
