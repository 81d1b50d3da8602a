// Join screen (code and nickname), the waiting, lobby and "removed" screens.
import { h } from "/static/common.js";
import { app, conn, params, say, state } from "/static/play/app.js";

const NICK_MAX = 20; // the server's limit, after trimming (protocol.md, section 3)

/** Words for the join errors, by error code (never by the server's message text). */
const JOIN_MESSAGES = {
  unknown_room: (code) => `There is no game with the code ${code}. Check the code on the big screen.`,
  room_locked: () => "The host has locked this game: no one can join right now.",
  nickname_taken: () => "Someone in this game already has that nickname, or one that looks the same. Pick another one.",
  nickname_invalid: () => `Choose a nickname of 1 to ${NICK_MAX} characters.`,
  bad_nickname: () => "Use letters, digits and symbols you can see: no invisible characters, and at most 2 accents on a letter.",
  nickname_blocked: () => "That nickname is not allowed in this game. Pick another one.",
  game_started: () => "This game has already started and the host does not allow late joining.",
  room_full: () => "This game is full.",
  game_over: () => "This game has ended.",
  kicked: () => "The host removed you from this game.",
};
// the field to correct after each error (focused and selected)
const FIELD_OF = {
  unknown_room: "room-code", nickname_taken: "nickname", nickname_invalid: "nickname",
  bad_nickname: "nickname", nickname_blocked: "nickname", kicked: "nickname",
};

/** The join was refused: say why, on the join screen. */
export function joinFailed(code, message) {
  const room = state.joining ? state.joining.room : "";
  state.joining = null;
  state.joinError = (JOIN_MESSAGES[code] || (() => message))(room);
  state.joinFocus = FIELD_OF[code] || "nickname";
  app.render(true);
  say(state.joinError);
}

/** A stored place could not be resumed. */
export function resumeFailed(code, room) {
  state.joinError = code === "kicked" ? JOIN_MESSAGES.kicked() : `Your place in game ${room} is no longer available. Join again.`;
}

export function buildJoin() {
  const code = (state.lastCode || params.get("room") || "").toUpperCase().slice(0, 12);
  const codeInput = h("input", {
    type: "text", id: "room-code", name: "room", value: code, required: true, maxlength: 12,
    autocomplete: "off", autocapitalize: "characters", spellcheck: "false", inputmode: "text",
    "aria-describedby": "join-error",
  });
  const nickInput = h("input", {
    type: "text", id: "nickname", name: "nickname", required: true, maxlength: NICK_MAX,
    autocomplete: "nickname", spellcheck: "false", "aria-describedby": "nick-limit join-error",
  });
  nickInput.value = state.lastNickname;
  const counter = h("span", { class: "counter", id: "nick-count", "aria-hidden": "true" });
  let wasFull = false;
  const count = (speak) => {
    const n = nickInput.value.length;
    counter.textContent = `${n}/${NICK_MAX}`;
    counter.classList.toggle("full", n >= NICK_MAX);
    if (speak && n >= NICK_MAX && !wasFull) say(`${NICK_MAX} of ${NICK_MAX} characters: that is the longest a nickname can be.`);
    wasFull = n >= NICK_MAX;
  };
  nickInput.addEventListener("input", () => count(true));
  count(false);
  const btn = h("button", { type: "submit", class: "primary big", id: "join-btn" }, "Join");
  if (state.joining) {
    btn.disabled = true;
    btn.textContent = "Joining…";
  }
  const err = h("div", { id: "join-error", class: "error", role: "alert" }, state.joinError);
  const form = h("form", { class: "join", id: "join-form", novalidate: true },
    h("h1", {}, "Join a game"),
    h("div", { class: "field" }, h("label", { for: "room-code" }, "Game code"), codeInput),
    h("div", { class: "field" },
      h("div", { class: "label-row" }, h("label", { for: "nickname" }, "Your nickname"), counter),
      nickInput,
      h("span", { class: "sr-only", id: "nick-limit" }, `Up to ${NICK_MAX} characters.`)),
    err,
    btn);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const room = codeInput.value.trim().toUpperCase();
    const nickname = nickInput.value.trim();
    if (!room) {
      err.textContent = "Enter the game code shown on the big screen.";
      codeInput.focus();
      return;
    }
    if (!nickname) {
      err.textContent = "Enter a nickname.";
      nickInput.focus();
      return;
    }
    state.joinError = "";
    state.kicked = null;
    state.joining = { room, nickname };
    state.lastNickname = nickname;
    state.lastCode = room;
    btn.disabled = true;
    btn.textContent = "Joining…";
    err.textContent = "";
    conn.send({ type: "join", room, nickname }); // if offline, sent on (re)connect
  });
  const field = state.joinFocus || (code ? "nickname" : "room-code");
  const select = Boolean(state.joinFocus);
  state.joinFocus = null;
  state.mounted.push(() => {
    const el = field === "room-code" ? codeInput : nickInput;
    el.focus();
    if (select) el.select();
  });
  return form;
}

export function buildWait() {
  return h("section", { class: "center" }, h("h1", {}, "Connecting to your game…"),
    h("p", { class: "muted" }, "One moment."));
}

export function buildKicked() {
  return h("section", { class: "center" },
    h("h1", {}, "Removed from the game"),
    h("p", {}, state.kicked),
    h("button", { type: "button", class: "primary", id: "rejoin-btn", onclick: () => { state.kicked = null; app.render(); } }, "Join another game"));
}

export function buildLobby() {
  const count = h("p", { class: "muted", id: "lobby-count" });
  state.updaters.push(() => {
    const n = state.room.players;
    count.textContent = `${n} player${n === 1 ? "" : "s"} in the game`;
  });
  return h("section", { class: "center lobby" },
    h("h1", {}, "You're in!"),
    h("p", { class: "big-name" }, state.me.nickname),
    h("p", {}, "Watch the big screen: the game starts soon."),
    count);
}
