// Rooms of a competition (docs/protocol.md, section 14). The organiser's host link
// (/host?competition=ID&key=KEY) opens the create screen in "room of competition ID" mode:
// no deck or settings to choose (the room plays the competition's), one button that sends
// `create_room` with `competition` and `host_key`. The normal create screen has a small
// "Join a competition" disclosure to type an id and key. The lobby names the competition.
import { h } from "/static/common.js";
import { errorBox, send, showError, state } from "/static/host/ctx.js";

const PENDING = "cardcade.host.competition"; // sessionStorage: {id, key} of the host link
const OPEN = "Open a room for this competition";

/**
 * The competition of the host link, read once: kept for this tab (a reload keeps the mode)
 * and the key taken out of the address bar, which the projector shows to the class.
 */
function readLink() {
  const params = new URLSearchParams(location.search);
  const id = (params.get("competition") || "").trim();
  const key = (params.get("key") || "").trim();
  if (id && key) {
    try {
      sessionStorage.setItem(PENDING, JSON.stringify({ id, key }));
    } catch (err) {
      // private mode: the mode lasts until a reload
    }
    params.delete("key");
    history.replaceState(null, "", `${location.pathname}?${params}`);
    return { id, key };
  }
  try {
    const kept = JSON.parse(sessionStorage.getItem(PENDING) || "null");
    return kept && kept.id && kept.key ? kept : null;
  } catch (err) {
    return null;
  }
}

let linked = readLink();

/** {id, key} of the host link this tab was opened with, or null. */
export function linkedCompetition() {
  return linked;
}

/** Leave "room of competition" mode (a room was created, or the host chose a game of their own). */
export function forgetCompetition() {
  if (!linked) return;
  linked = null;
  try {
    sessionStorage.removeItem(PENDING);
  } catch (err) {
    // nothing kept
  }
  const params = new URLSearchParams(location.search);
  params.delete("competition");
  const query = params.toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}`);
}

function openButton(onclick, id, cls) {
  return h("button", { type: "button", class: cls, id, "data-competition-open": true, onclick }, OPEN);
}

/** Put the "Open a room" buttons back after a refused or unanswered create_room. */
export function competitionDone() {
  for (const btn of document.querySelectorAll("button[data-competition-open]")) {
    btn.disabled = false;
    btn.textContent = OPEN;
  }
}

function openRoom(id, key, button) {
  if (!id || !key) return showError("Type the competition's id and its host key (the organiser has them).");
  state.notice = "";
  state.creating = { competition: id };
  button.disabled = true;
  button.textContent = "Opening…";
  send({ type: "create_room", competition: id, host_key: key });
  setTimeout(() => {
    if (state.screenKey === "create" && state.creating) {
      state.creating = null;
      competitionDone();
    }
  }, 5000);
}

/** What the public board says of the competition: its name and rooms so far, or that there is none. */
async function describe(id, el) {
  try {
    const res = await fetch(`/api/competitions/${encodeURIComponent(id)}/leaderboard.json?limit=1`, { cache: "no-store" });
    const board = await res.json();
    if (res.status === 404) {
      el.textContent = `There is no competition ${id} on this server: check the link with the organiser.`;
    } else if (res.ok) {
      const rooms = `${board.rooms} room${board.rooms === 1 ? "" : "s"}`;
      el.textContent = board.closed
        ? `“${board.name}” is closed: it takes no more rooms.`
        : `“${board.name}”: ${rooms} so far, ${board.players} player${board.players === 1 ? "" : "s"}.`;
    }
  } catch (err) {
    // the button still works; the server's answer says what is wrong
  }
}

/** The create screen of the host link: one button, and a way back to a game of one's own. */
export function buildCompetitionCreate(render) {
  const { id, key } = linked;
  const about = h("p", { class: "deck-title", id: "competition-about" });
  describe(id, about);
  const button = openButton(() => openRoom(id, key, button), "competition-btn", "primary big");
  button.dataset.primary = "";
  const own = () => {
    forgetCompetition();
    state.screenKey = null;
    render();
  };
  return h("section", { class: "create", id: "competition-create" },
    h("h1", {}, "Room of competition ", h("strong", { class: "code", id: "competition-id-shown" }, id)),
    state.notice ? h("p", { class: "notice", role: "status" }, state.notice) : null,
    about,
    h("p", {}, "This room plays the competition's deck, settings and rounds, the same as every room of it. " +
      "Its players' scores go on the competition's scoreboard."),
    errorBox(),
    h("div", { class: "controls" }, button,
      h("button", { type: "button", id: "own-game-btn", onclick: own }, "Create a game of my own instead")));
}

function textField(id, label, attrs) {
  return h("div", { class: "field" }, h("label", { for: id }, label),
    h("input", { id, name: id, autocomplete: "off", spellcheck: "false", ...attrs }));
}

/**
 * "Join a competition" on the normal create screen: its id and host key typed in (the key
 * hidden as it is typed: the class sees the projector). Enter opens the room, not a game.
 */
export function competitionDisclosure() {
  const idField = textField("competition-id", "Competition id", { type: "text", maxlength: 20 });
  const keyField = textField("competition-key", "Host key", { type: "password", maxlength: 100 });
  const value = (sel) => details.querySelector(sel).value.trim();
  const open = () => openRoom(value("#competition-id"), value("#competition-key"), button);
  const button = openButton(open, "competition-join-btn", "");
  const details = h("details", { class: "competition-join", id: "competition-join" },
    h("summary", {}, h("strong", {}, "Join a competition")),
    h("p", { class: "hint muted" }, "A room of a competition plays its deck and settings: the organiser gives you its id and host key."),
    h("div", { class: "grid" }, idField, keyField),
    h("div", { class: "controls" }, button));
  details.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && ev.target.tagName === "INPUT") {
      ev.preventDefault(); // not the create form's submit
      open();
    }
  });
  return details;
}

/** The lobby's line naming the competition and where its scoreboard is; null for a room of its own. */
export function competitionNote() {
  const id = state.creds && state.creds.competition;
  if (!id) return null;
  return h("p", { class: "deck-title", id: "competition-note" },
    "Competition ", h("strong", { class: "code" }, id), " · scoreboard at ",
    h("strong", {}, `${location.host}/scoreboard/${id}`));
}
