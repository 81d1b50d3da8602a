// Competition scoreboard (projector): the live leaderboard of a competition, read from the
// public `leaderboard.json` every few seconds (no WebSocket; the page knows only the public
// id in its address, never a token). Rows are kept and patched in place: a poll that
// changes nothing changes nothing on screen, and a row that moves is moved, not rebuilt.
import { clear, h, ordinal, showStatus } from "/static/common.js";

export const TOP = 10; // rows shown: what a 1080p projector shows in type read from the back
const POLL_MS = 2500;
const RETRY_CAP_MS = 10000; // a server that does not answer: ask again, backing off to this
const UNKNOWN_POLL_MS = 10000;
const TIMEOUT_MS = 5000;

const dom = {
  status: document.getElementById("status"),
  name: document.getElementById("sb-name"),
  counts: document.getElementById("sb-counts"),
  state: document.getElementById("sb-state"),
  message: document.getElementById("sb-message"),
  board: document.getElementById("sb-board"),
  more: document.getElementById("sb-more"),
};

const rowsByKey = new Map(); // "room\nnickname" -> its <li>
let shown = false; // a board is on screen
let failures = 0;

/** The competition id in the page's address, /scoreboard/<ID>. */
function competitionId() {
  const parts = location.pathname.split("/").filter(Boolean);
  const last = parts.length > 1 ? parts[parts.length - 1] : "";
  try {
    return decodeURIComponent(last).trim().slice(0, 40);
  } catch (err) {
    return "";
  }
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function plural(n, word) {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

function showMessage(text) {
  setText(dom.message, text);
  dom.message.classList.toggle("hidden", !text);
}

async function fetchBoard(id) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  try {
    const url = `/api/competitions/${encodeURIComponent(id)}/leaderboard.json?limit=${TOP}`;
    const res = await fetch(url, { cache: "no-store", signal: ctl.signal });
    let body = null;
    try {
      body = await res.json();
    } catch (err) {
      body = null;
    }
    return { status: res.status, body };
  } finally {
    clearTimeout(timer);
  }
}

function newRow() {
  return h("li", { class: "sb-row" },
    h("span", { class: "rank" }),
    h("span", { class: "name" }),
    h("span", { class: "room code" }),
    h("span", { class: "score" }));
}

/** Write a row's cells, only those that changed; a score that went up glows once. */
function fillRow(li, row, tied) {
  const [rank, name, room, score] = li.children;
  setText(rank, String(row.rank));
  rank.classList.toggle("tie", tied);
  const label = `${tied ? "tied " : ""}${ordinal(row.rank)}`;
  if (rank.getAttribute("aria-label") !== label) rank.setAttribute("aria-label", label);
  setText(name, row.nickname);
  setText(room, row.room);
  setText(score, row.score.toLocaleString("en"));
  const before = li.dataset.score;
  li.dataset.rank = String(row.rank);
  li.dataset.score = String(row.score);
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (before !== undefined && Number(before) < row.score && !still && li.animate) {
    li.animate([{ backgroundColor: "#1f5a3f", offset: 0 }], { duration: 1500, easing: "ease-out" });
  }
}

function renderRows(rows) {
  const seen = new Set();
  let prev = null;
  rows.forEach((row, i) => {
    const key = `${row.room}\n${row.nickname}`;
    seen.add(key);
    let li = rowsByKey.get(key);
    if (!li) {
      li = newRow();
      rowsByKey.set(key, li);
    }
    const tied = (i > 0 && rows[i - 1].rank === row.rank) ||
      (i + 1 < rows.length && rows[i + 1].rank === row.rank);
    fillRow(li, row, tied);
    const want = prev ? prev.nextSibling : dom.board.firstChild;
    if (want !== li) dom.board.insertBefore(li, want);
    prev = li;
  });
  for (const [key, li] of rowsByKey) {
    if (!seen.has(key)) {
      li.remove();
      rowsByKey.delete(key);
    }
  }
}

function render(board) {
  shown = true;
  document.title = `${board.name} — Cardcade scoreboard`;
  setText(dom.name, board.name);
  setText(dom.counts, `${plural(board.players, "player")} in ${plural(board.rooms, "room")}`);
  const final = Boolean(board.closed);
  document.body.dataset.state = final ? "final" : "live";
  dom.state.dataset.state = final ? "final" : "live";
  setText(dom.state, final ? "Final results" : "Live");
  dom.board.classList.remove("hidden");
  renderRows(board.rows);
  const more = board.players - board.rows.length;
  if (!board.rows.length) {
    setText(dom.more, "No players yet: they appear here as they join a room of this competition.");
  } else {
    setText(dom.more, more > 0 ? `and ${plural(more, "more player")}` : "");
  }
}

function unknown(id) {
  shown = false;
  document.body.dataset.state = "unknown";
  setText(dom.name, "Scoreboard");
  setText(dom.counts, "");
  dom.state.dataset.state = "unknown";
  setText(dom.state, "");
  rowsByKey.clear();
  clear(dom.board).classList.add("hidden");
  setText(dom.more, "");
  showMessage(id
    ? `There is no competition “${id}” on this server. Check the address: it ends with the competition's id, as the organiser gave it.`
    : "This address names no competition. It should end with the competition's id: /scoreboard/ID.");
}

async function poll(id) {
  let next = POLL_MS;
  try {
    const { status, body } = await fetchBoard(id);
    if (status === 200 && body && Array.isArray(body.rows)) {
      failures = 0;
      showStatus(dom.status, "online");
      showMessage("");
      render(body);
      if (body.closed) return; // final: a closed competition's board no longer changes
    } else if (status === 404 && body && body.error === "unknown_competition") {
      failures = 0;
      showStatus(dom.status, "online");
      unknown(id);
      next = UNKNOWN_POLL_MS;
    } else {
      throw new Error(`HTTP ${status}`);
    }
  } catch (err) {
    failures += 1;
    showStatus(dom.status, "reconnecting", {
      extra: shown ? "The board shows the last scores received." : "",
    });
    next = Math.min(RETRY_CAP_MS, POLL_MS * 2 ** (failures - 1));
  }
  setTimeout(() => poll(id), next);
}

const id = competitionId();
if (id) poll(id);
else unknown("");
