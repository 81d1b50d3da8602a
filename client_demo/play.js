// Player page: join, answer the four round kinds, see results; survives drops and reloads.
import {
  Connection, KIND_NAMES, SHAPES, SHAPE_NAMES, announce, clear, formatSeconds, h, load,
  ordinal, save, secondsLeft, textOf,
} from "/static/common.js";

const STORE = "cardcade.player"; // {room, token, player_id, nickname}
const PENDING = "cardcade.pending"; // {room, round, answer}: sent, not acked yet

const main = document.getElementById("main");
const statusEl = document.getElementById("status");
const live = document.getElementById("live");
const bar = document.getElementById("bar");
const barName = document.getElementById("bar-name");
const barTimer = document.getElementById("bar-timer");
const barScore = document.getElementById("bar-score");

const params = new URLSearchParams(location.search);

const state = {
  creds: load(STORE),
  pending: load(PENDING),
  gen: 0, // connection generation: bumps at each welcome
  pendingGen: -1, // generation the pending answer was last sent on
  room: null,
  me: null,
  joining: null, // {room, nickname} while a join is in flight
  resuming: false,
  drafts: {}, // round index -> local answer being built
  staleSince: 0, // when a room change arrived ahead of its `me`
  staleTimer: null,
  screenKey: null,
  updaters: [],
  joinError: "",
  notice: "", // shown on the round/result screens (e.g. a late answer)
  kicked: null,
  acked: null, // round index of the last acked answer
};

const conn = new Connection({
  onReady() {
    state.gen += 1;
    if (state.creds) {
      state.resuming = true;
      conn.send({ type: "resume", room: state.creds.room, token: state.creds.token });
    } else if (state.joining) {
      conn.send({ type: "join", room: state.joining.room, nickname: state.joining.nickname });
    }
    render();
  },
  onMessage: handle,
  onStatus(s) {
    state.status = s;
    showStatus();
  },
});

// A kicked player's socket is closed by the server and opens again in the background (for
// "Join another game"): no "Reconnecting…" over the "Removed from the game" screen.
function showStatus() {
  const s = state.status; // unset until the connection first changes state
  statusEl.classList.toggle("hidden", !s || s === "online" || Boolean(state.kicked));
  statusEl.textContent = s === "reconnecting" ? "Reconnecting…" : "Connecting…";
}

// ------------------------------------------------------------------ messages

const JOIN_MESSAGES = {
  unknown_room: (code) => `There is no game with the code ${code}. Check the code on the big screen.`,
  room_locked: () => "The host has locked this game: no one can join right now.",
  nickname_taken: () => "Someone in this game already has that nickname. Pick another one.",
  nickname_invalid: () => "Choose a nickname of 1 to 20 characters.",
  game_started: () => "This game has already started and the host does not allow late joining.",
  room_full: () => "This game is full.",
  game_over: () => "This game has ended.",
  kicked: () => "The host removed you from this game.",
};
const ANSWER_CODES = ["round_closed", "wrong_round", "invalid_answer", "paused", "already_answered", "unknown_player"];

function handle(msg) {
  switch (msg.type) {
    case "joined":
      state.creds = { room: msg.room, token: msg.token, player_id: msg.player_id, nickname: state.joining ? state.joining.nickname : "" };
      save(STORE, state.creds);
      state.joining = null;
      state.joinError = "";
      break;
    case "room":
      state.resuming = false;
      if (!state.room || state.room.phase !== msg.phase) state.staleSince = Date.now();
      state.room = msg;
      render();
      break;
    case "me":
      state.me = msg;
      if (state.creds && msg.nickname && state.creds.nickname !== msg.nickname) {
        state.creds.nickname = msg.nickname;
        save(STORE, state.creds);
      }
      reconcilePending();
      render();
      break;
    case "ack":
      if (state.pending && state.pending.round === msg.round) setPending(null);
      state.acked = msg.round;
      announce(live, "Answer received.");
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

function forget() {
  save(STORE, null);
  setPending(null);
  state.creds = null;
  state.room = null;
  state.me = null;
  state.drafts = {};
}

function onError(msg) {
  const code = msg.code;
  if (state.joining) {
    const code4 = state.joining.room;
    state.joining = null;
    state.joinError = (JOIN_MESSAGES[code] || (() => msg.message))(code4);
    render(true);
    focusJoinError();
    return;
  }
  if (state.resuming && ["bad_token", "unknown_room", "kicked", "unknown_player"].includes(code)) {
    state.resuming = false;
    const was = state.creds ? state.creds.room : "";
    forget();
    state.joinError = code === "kicked"
      ? JOIN_MESSAGES.kicked()
      : `Your place in game ${was} is no longer available. Join again.`;
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
      state.pendingGen = -1; // re-sent when the round resumes
      state.notice = "The game is paused: your answer will be sent when it resumes.";
  state.noticeRound = curRound();
      render(true);
      return;
    }
    const round = state.pending.round;
    setPending(null);
    // an invalid answer in an open round may be corrected; otherwise it is lost, say so
    if (code === "invalid_answer" && state.room && state.room.phase === "open") delete state.drafts[round];
    state.notice = `Your answer was not accepted: ${msg.message}`;
  state.noticeRound = curRound();
    state.screenKey = null;
    render();
    announce(live, state.notice);
    return;
  }
  state.notice = msg.message || code;
  state.noticeRound = curRound();
  render(true);
  announce(live, state.notice);
}

function setPending(p) {
  state.pending = p;
  save(PENDING, p);
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
  if (sameRound && me.answered) {
    setPending(null); // the server has it
    return;
  }
  if (room.phase === "open" && sameRound) {
    if (room.round.paused) {
      state.notice = "The game is paused: your answer will be sent when it resumes.";
  state.noticeRound = curRound();
      return;
    }
    if (state.pendingGen !== state.gen) {
      state.pendingGen = state.gen;
      state.notice = "";
      conn.send({ type: "answer", round: p.round, answer: p.answer });
    }
    return;
  }
  if (room.phase === "lobby") return;
  // the round closed before the answer arrived
  setPending(null);
  state.notice = "Your answer did not reach the server before the round closed.";
  state.noticeRound = curRound();
  announce(live, state.notice);
}

function submit(round, answer) {
  const p = { room: state.creds.room, round, answer };
  setPending(p);
  state.notice = "";
  state.pendingGen = state.gen;
  if (!conn.send({ type: "answer", round, answer })) state.pendingGen = -1; // sent on resume
  announce(live, "Answer sent.");
  render();
}

// ------------------------------------------------------------------ rendering

function screenKey() {
  if (state.kicked) return "kicked";
  if (!state.creds) return "join";
  const room = state.room;
  const me = state.me;
  if (!room || !me) return "wait";
  const idx = room.round ? room.round.index : -1;
  if (room.phase === "open") {
    const sent = me.answered || (state.pending && state.pending.round === idx);
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

function render(force) {
  const key = screenKey();
  if (key !== state.screenKey || force === true) {
    const rebuild = key !== state.screenKey;
    const focusId = document.activeElement && document.activeElement.id;
    state.screenKey = key;
    state.updaters = [];
    clear(main);
    const kind = key.split(":")[0];
    main.dataset.screen = kind;
    document.body.dataset.screen = kind;
    const build = {
      kicked: buildKicked, join: buildJoin, wait: buildWait, lobby: buildLobby, open: buildRound,
      sent: buildSent, reveal: buildResult, leaderboard: buildStanding, podium: buildPodium,
    }[kind];
    main.append(build());
    const again = focusId && document.getElementById(focusId);
    if (again && !rebuild) again.focus();
    else if (rebuild && kind !== "join") {
      const first = main.querySelector("[data-autofocus]") || main.querySelector("h1");
      if (first) {
        if (!first.hasAttribute("tabindex") && first.tagName === "H1") first.setAttribute("tabindex", "-1");
        first.focus({ preventScroll: false });
      }
    }
  }
  updateBar();
  showStatus();
  for (const fn of state.updaters) fn();
}

function updateBar() {
  const me = state.me;
  const room = state.room;
  const show = Boolean(state.creds && me && room);
  bar.classList.toggle("hidden", !show);
  if (!show) return;
  barName.textContent = me.nickname;
  barScore.textContent = `${me.score} pts`;
  barScore.setAttribute("aria-label", `Score ${me.score} points`);
  const s = room.phase === "open" ? secondsLeft(room.round, conn) : null;
  barTimer.textContent = room.phase === "open" ? (room.round.paused ? "❚❚" : formatSeconds(s)) : "";
  barTimer.classList.toggle("low", s !== null && s <= 5);
}

function curRound() {
  return state.room && state.room.round ? state.room.round.index : -1;
}

function noticeBox() {
  const show = state.notice && state.noticeRound === curRound();
  return h("div", { class: "notice", id: "notice", role: "alert" }, show ? state.notice : "");
}

function focusJoinError() {
  const el = document.getElementById("join-error");
  if (el && el.textContent) announce(live, el.textContent);
}

// ---------------------------------------------------------------- join & waiting

function buildJoin() {
  const code = (state.lastCode || params.get("room") || "").toUpperCase().slice(0, 12);
  const codeInput = h("input", {
    type: "text", id: "room-code", name: "room", value: code, required: true, maxlength: 12,
    autocomplete: "off", autocapitalize: "characters", spellcheck: "false", inputmode: "text",
    "aria-describedby": "join-error",
  });
  const nickInput = h("input", {
    type: "text", id: "nickname", name: "nickname", required: true, maxlength: 20,
    autocomplete: "nickname", spellcheck: "false", "aria-describedby": "join-error",
  });
  const btn = h("button", { type: "submit", class: "primary big", id: "join-btn" }, "Join");
  if (state.joining) {
    btn.disabled = true;
    btn.textContent = "Joining…";
  }
  const form = h("form", { class: "join", id: "join-form", novalidate: true },
    h("h1", {}, "Join a game"),
    h("div", { class: "field" }, h("label", { for: "room-code" }, "Game code"), codeInput),
    h("div", { class: "field" }, h("label", { for: "nickname" }, "Your nickname"), nickInput),
    h("div", { id: "join-error", class: "error", role: "alert" }, state.joinError),
    btn);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const room = codeInput.value.trim().toUpperCase();
    const nickname = nickInput.value.trim();
    const err = form.querySelector("#join-error");
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
  if (state.lastNickname) nickInput.value = state.lastNickname;
  setTimeout(() => (code ? nickInput : codeInput).focus(), 0);
  return form;
}

function buildWait() {
  return h("section", { class: "center" }, h("h1", {}, "Connecting to your game…"),
    h("p", { class: "muted" }, "One moment."));
}

function buildKicked() {
  return h("section", { class: "center" },
    h("h1", {}, "Removed from the game"),
    h("p", {}, state.kicked),
    h("button", { type: "button", class: "primary", id: "rejoin-btn", onclick: () => { state.kicked = null; render(); } }, "Join another game"));
}

function buildLobby() {
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

// ---------------------------------------------------------------- rounds

function roundTitle(round) {
  return h("p", { class: "round-label" }, `Round ${round.index + 1} of ${round.total} · ${KIND_NAMES[round.kind] || round.kind}`);
}

function pausedBanner() {
  const el = h("p", { class: "paused", role: "status" });
  state.updaters.push(() => {
    const paused = state.room.round && state.room.round.paused;
    el.textContent = paused ? "❚❚ The game is paused." : "";
    el.classList.toggle("hidden", !paused);
  });
  return el;
}

function buildRound() {
  const room = state.room;
  const round = room.round;
  const p = round.public || {};
  const body = {
    quiz: buildQuiz, match: buildMatch, sort: buildSort, order: buildOrder,
  }[round.kind];
  return h("section", { class: `round kind-${round.kind}` },
    roundTitle(round),
    h("h1", { class: "prompt", id: "prompt", tabindex: "-1" },
      p.category && round.kind === "quiz" ? h("span", { class: "category" }, p.category) : null,
      p.prompt || ""),
    pausedBanner(),
    noticeBox(),
    body ? body(round) : h("p", {}, "This round type is not supported by this page."));
}

function isPaused() {
  return Boolean(state.room && state.room.round && state.room.round.paused);
}

function guardPaused() {
  if (isPaused()) {
    announce(live, "The game is paused.");
    return true;
  }
  return false;
}

// quiz: four big buttons, colour + shape; a tap sends at once
function buildQuiz(round) {
  const opts = round.public.options || [];
  return h("div", { class: "quiz-options", role: "group", "aria-labelledby": "prompt" }, opts.map((o, i) =>
    h("button", {
      type: "button", class: `option opt-${i % 4}`, "data-option": o.id, id: `opt-${i}`,
      onclick: () => { if (!guardPaused()) submit(round.index, { choice: o.id }); },
    },
    h("span", { class: "shape", "aria-hidden": "true" }, SHAPES[i % 4]),
    h("span", { class: "sr-only" }, `${SHAPE_NAMES[i % 4]}: `),
    h("span", { class: "otext" }, o.text))));
}

function submitButton(label, onclick) {
  return h("button", { type: "button", class: "primary big submit", id: "submit-btn", onclick }, label);
}

// match: tap a left item, then its partner on the right
function buildMatch(round) {
  const p = round.public;
  const d = state.drafts[round.index] || (state.drafts[round.index] = { pairs: {}, history: [], selected: null });
  const wrap = h("div", { class: "match" });
  const draw = (focusId) => {
    clear(wrap);
    const leftIndex = Object.fromEntries(p.left.map((l, i) => [l.id, i]));
    const rightOwner = {};
    for (const [l, r] of Object.entries(d.pairs)) rightOwner[r] = l;
    const nPairs = Object.keys(d.pairs).length;
    wrap.append(
      h("p", { class: "hint" }, "Tap a name, then the text that goes with it. Tap a pair again to change it."),
      h("h2", { class: "col-title", id: "left-title" }, "Names"),
      h("ul", { class: "pick-list", "aria-labelledby": "left-title" }, p.left.map((l, i) => {
        const r = d.pairs[l.id];
        const sel = d.selected === l.id;
        return h("li", {}, h("button", {
          type: "button", id: `left-${l.id}`, "data-left": l.id,
          class: `pick left-item opt-${i % 4}${sel ? " selected" : ""}${r ? " paired" : ""}`,
          "aria-pressed": sel ? "true" : "false",
          onclick: () => {
            if (guardPaused()) return;
            d.selected = sel ? null : l.id;
            announce(live, d.selected ? `${l.text} selected. Now pick its partner.` : `${l.text} unselected.`);
            draw(`left-${l.id}`);
          },
        },
        h("span", { class: "badge", "aria-hidden": "true" }, SHAPES[i % 4]),
        h("span", { class: "ptext" }, l.text),
        r ? h("span", { class: "paired-with" }, h("span", { class: "sr-only" }, "paired with "), h("span", { "aria-hidden": "true" }, "→ "), textOf(p.right, r)) : null));
      })),
      h("h2", { class: "col-title", id: "right-title" }, "Texts"),
      h("ul", { class: "pick-list", "aria-labelledby": "right-title" }, p.right.map((r) => {
        const owner = rightOwner[r.id];
        const oi = owner !== undefined ? leftIndex[owner] : -1;
        return h("li", {}, h("button", {
          type: "button", id: `right-${r.id}`, "data-right": r.id,
          class: `pick right-item${owner !== undefined ? ` paired opt-${oi % 4}` : ""}`,
          onclick: () => {
            if (guardPaused()) return;
            if (!d.selected) {
              if (owner !== undefined) {
                delete d.pairs[owner];
                d.history = d.history.filter((x) => x !== owner);
                announce(live, `Pair removed.`);
                draw(`right-${r.id}`);
              } else {
                announce(live, "Pick a name first.");
              }
              return;
            }
            if (owner !== undefined) {
              delete d.pairs[owner];
              d.history = d.history.filter((x) => x !== owner);
            }
            d.pairs[d.selected] = r.id;
            d.history = d.history.filter((x) => x !== d.selected).concat([d.selected]);
            const name = textOf(p.left, d.selected);
            d.selected = p.left.map((x) => x.id).find((id) => !d.pairs[id]) || null;
            announce(live, `${name} paired.${d.selected ? ` Next: ${textOf(p.left, d.selected)}.` : ""}`);
            draw(d.selected ? `left-${d.selected}` : "submit-btn");
          },
        },
        owner !== undefined ? h("span", { class: "badge", "aria-hidden": "true" }, SHAPES[oi % 4]) : null,
        h("span", { class: "ptext" }, r.text),
        owner !== undefined ? h("span", { class: "paired-with" }, h("span", { class: "sr-only" }, "paired with "), textOf(p.left, owner)) : null));
      })),
      h("div", { class: "actions" },
        h("button", {
          type: "button", id: "undo-btn", disabled: d.history.length === 0 ? true : null,
          onclick: () => {
            const last = d.history.pop();
            if (last) delete d.pairs[last];
            d.selected = last || d.selected;
            announce(live, "Last pair undone.");
            draw("undo-btn");
          },
        }, "↶ Undo"),
        submitButton(`Send answer (${nPairs}/${p.left.length})`, () => {
          if (guardPaused()) return;
          if (!nPairs) return announce(live, "Make at least one pair first.");
          submit(round.index, { pairs: { ...d.pairs } });
        })));
    const f = focusId && document.getElementById(focusId);
    if (f && !f.disabled) f.focus();
    else if (focusId === "undo-btn") document.getElementById("submit-btn").focus();
  };
  draw(null);
  return wrap;
}

// sort: tap a card, then a bucket
function buildSort(round) {
  const p = round.public;
  const d = state.drafts[round.index] || (state.drafts[round.index] = { placement: {}, selected: p.items.length ? p.items[0].id : null });
  const wrap = h("div", { class: "sort" });
  const draw = (focusId) => {
    clear(wrap);
    const placed = Object.keys(d.placement).length;
    const counts = {};
    for (const b of Object.values(d.placement)) counts[b] = (counts[b] || 0) + 1;
    const selText = d.selected ? textOf(p.items, d.selected) : null;
    wrap.append(
      h("p", { class: "hint" }, "Tap a card, then the group it belongs to."),
      h("div", { class: "bucket-bar", role: "group", "aria-label": "Groups" },
        h("p", { class: "selected-info", id: "selected-info" }, selText ? ["Put: ", h("strong", {}, shorten(selText, 60))] : "Pick a card below."),
        h("div", { class: "bucket-buttons" }, p.buckets.map((b, i) => h("button", {
          type: "button", id: `bucket-${b.id}`, "data-bucket": b.id, class: `bucket-btn opt-${i % 4}`,
          "aria-label": `${b.text}, ${counts[b.id] || 0} card${(counts[b.id] || 0) === 1 ? "" : "s"}`,
          onclick: () => {
            if (guardPaused()) return;
            if (!d.selected) return announce(live, "Pick a card first.");
            d.placement[d.selected] = b.id;
            const txt = shorten(textOf(p.items, d.selected), 40);
            const ids = p.items.map((x) => x.id);
            const start = ids.indexOf(d.selected);
            d.selected = ids.slice(start + 1).concat(ids.slice(0, start)).find((id) => !d.placement[id]) || null;
            announce(live, `“${txt}” put in ${b.text}.`);
            draw(d.selected ? `item-${d.selected}` : "submit-btn");
          },
        },
        h("span", { "aria-hidden": "true" }, SHAPES[i % 4], " "), b.text,
        h("span", { class: "count", "aria-hidden": "true" }, ` ${counts[b.id] || 0}`))))),
      h("h2", { class: "col-title", id: "cards-title" }, "Cards"),
      h("ul", { class: "pick-list", "aria-labelledby": "cards-title" }, p.items.map((it) => {
        const b = d.placement[it.id];
        const bi = b ? p.buckets.findIndex((x) => x.id === b) : -1;
        const sel = d.selected === it.id;
        return h("li", {}, h("button", {
          type: "button", id: `item-${it.id}`, "data-item": it.id,
          class: `pick sort-item${sel ? " selected" : ""}${b ? ` paired opt-${bi % 4}` : ""}`,
          "aria-pressed": sel ? "true" : "false",
          onclick: () => {
            if (guardPaused()) return;
            d.selected = sel ? null : it.id;
            announce(live, d.selected ? "Card selected. Now pick its group." : "Card unselected.");
            draw(`item-${it.id}`);
          },
        },
        h("span", { class: "ptext" }, it.text),
        b ? h("span", { class: "paired-with" }, h("span", { class: "sr-only" }, "in group "), h("span", { "aria-hidden": "true" }, `${SHAPES[bi % 4]} `), textOf(p.buckets, b)) : null));
      })),
      h("div", { class: "actions" },
        submitButton(`Send answer (${placed}/${p.items.length})`, () => {
          if (guardPaused()) return;
          if (!placed) return announce(live, "Put at least one card in a group first.");
          submit(round.index, { placement: { ...d.placement } });
        })));
    const f = focusId && document.getElementById(focusId);
    if (f) f.focus();
  };
  draw(null);
  return wrap;
}

function shorten(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

// order: drag an item by its handle (touch, pen or mouse; with a mouse, by the item too), or
// move it with its up/down buttons (also by keyboard). Escape or a cancelled touch puts it back.
function buildOrder(round) {
  const p = round.public;
  const d = state.drafts[round.index] || (state.drafts[round.index] = { order: p.items.map((x) => x.id) });
  const wrap = h("div", { class: "order" });
  const label = (id) => `“${shorten(textOf(p.items, id), 40)}”`;
  const sayPosition = (id) => announce(live, `${label(id)} moved to position ${d.order.indexOf(id) + 1} of ${d.order.length}.`);
  let drag = null; // {id, li, list, pointerId, y0, scroll0, top0, lastY, orig, started, raf}

  const move = (id, delta, which) => {
    if (drag || guardPaused()) return;
    const i = d.order.indexOf(id);
    const j = i + delta;
    if (j < 0 || j >= d.order.length) return;
    [d.order[i], d.order[j]] = [d.order[j], d.order[i]];
    sayPosition(id);
    draw(`${which}-${id}`, `${which === "up" ? "down" : "up"}-${id}`);
  };

  // Follow the pointer: the item's top goes where the pointer says (in list coordinates, so a
  // scroll during the drag counts), and it trades places with a neighbour whose middle it passes.
  const follow = () => {
    const { li, list } = drag;
    const max = list.offsetHeight - li.offsetHeight;
    const target = Math.min(max + 8, Math.max(-8,
      drag.top0 + (drag.lastY - drag.y0) + (window.scrollY - drag.scroll0)));
    let moved = false;
    for (;;) {
      const prev = li.previousElementSibling;
      const next = li.nextElementSibling;
      // the neighbours move, never the held item: it keeps its pointer capture
      if (prev && target < prev.offsetTop + prev.offsetHeight / 2) list.insertBefore(prev, li.nextSibling);
      else if (next && target + li.offsetHeight > next.offsetTop + next.offsetHeight / 2) list.insertBefore(next, li);
      else break;
      moved = true;
    }
    if (moved) {
      d.order = [...list.children].map((x) => x.dataset.item);
      list.querySelectorAll(".pos").forEach((el, i) => { el.textContent = i + 1; });
    }
    li.style.transform = `translateY(${target - li.offsetTop}px)`;
  };

  // Near the top or bottom of the screen (under the score bar, above the send button), the page
  // scrolls while the item is held there, so a long list can be crossed in one drag.
  const autoScroll = () => {
    if (!drag || !drag.started) return;
    if (!drag.li.isConnected) {
      stop();
      return;
    }
    const top = (bar.classList.contains("hidden") ? 0 : bar.getBoundingClientRect().bottom) + 40;
    const actions = wrap.querySelector(".actions");
    const bottom = Math.min(window.innerHeight, actions ? actions.getBoundingClientRect().top : Infinity) - 40;
    let v = 0;
    if (drag.lastY < top && drag.lastY < drag.y0) v = -Math.min(14, Math.ceil((top - drag.lastY) / 3));
    else if (drag.lastY > bottom && drag.lastY > drag.y0) v = Math.min(14, Math.ceil((drag.lastY - bottom) / 3));
    if (v) {
      const before = window.scrollY;
      window.scrollBy(0, v);
      if (window.scrollY !== before) follow();
    }
    drag.raf = requestAnimationFrame(autoScroll);
  };

  const onKey = (ev) => {
    if (ev.key === "Escape" && drag) {
      ev.preventDefault();
      finish(false);
    }
  };

  const begin = () => {
    drag.started = true;
    drag.li.classList.add("dragging");
    drag.list.classList.add("drag-on");
    document.body.classList.add("order-dragging");
    drag.raf = requestAnimationFrame(autoScroll);
  };

  // Forget the drag (listeners, capture, looks) without touching the draft.
  const stop = () => {
    const g = drag;
    drag = null;
    if (!g) return;
    document.removeEventListener("keydown", onKey, true);
    if (g.raf) cancelAnimationFrame(g.raf);
    document.body.classList.remove("order-dragging");
    try {
      if (g.li.hasPointerCapture(g.pointerId)) g.li.releasePointerCapture(g.pointerId);
    } catch (e) { /* the pointer is gone already */ }
    g.li.classList.remove("dragging");
    g.li.style.transform = "";
    g.list.classList.remove("drag-on");
    return g;
  };

  // Drop (keep = true) or cancel (keep = false: the order before the drag comes back).
  const finish = (keep) => {
    const g = stop();
    if (!g || !g.started || !wrap.isConnected) return;
    const from = g.orig.indexOf(g.id);
    if (!keep) d.order = g.orig;
    const changed = d.order.indexOf(g.id) !== from;
    if (!keep) {
      announce(live, `Move cancelled: ${label(g.id)} stays at position ${from + 1} of ${d.order.length}.`);
    } else if (changed) sayPosition(g.id);
    const focused = wrap.contains(document.activeElement);
    draw(focused || changed ? `up-${g.id}` : null, `down-${g.id}`);
  };

  const onPointerDown = (ev) => {
    if (drag || !ev.isPrimary) return;
    if (ev.pointerType === "mouse" && ev.button !== 0) return;
    const li = ev.target.closest("li[data-item]");
    if (!li) return;
    const onHandle = Boolean(ev.target.closest(".handle"));
    if (!onHandle && (ev.pointerType !== "mouse" || ev.target.closest("button"))) return;
    if (guardPaused()) return;
    ev.preventDefault(); // no text selection, no emulated mouse events
    const list = li.parentElement;
    drag = {
      id: li.dataset.item, li, list, pointerId: ev.pointerId, y0: ev.clientY, lastY: ev.clientY,
      scroll0: window.scrollY, top0: li.offsetTop, orig: d.order.slice(), started: false, raf: 0,
    };
    try {
      li.setPointerCapture(ev.pointerId);
    } catch (e) { /* not an active pointer (synthetic event): the drag still follows it */ }
    document.addEventListener("keydown", onKey, true);
    if (onHandle) begin(); // a mouse on the item's text starts dragging after a few pixels
  };

  const onPointerMove = (ev) => {
    if (!drag || ev.pointerId !== drag.pointerId) return;
    ev.preventDefault();
    drag.lastY = ev.clientY;
    if (!drag.started) {
      if (Math.abs(ev.clientY - drag.y0) < 6) return;
      begin();
    }
    follow();
  };

  const onPointerEnd = (ev) => {
    if (!drag || ev.pointerId !== drag.pointerId) return;
    if (ev.type === "pointercancel") finish(false);
    else if (drag.started) finish(true);
    else stop(); // a plain click on the item's text
  };

  const draw = (focusId, fallbackId) => {
    clear(wrap);
    const n = d.order.length;
    wrap.append(
      h("p", { class: "hint" }, "Earliest at the top. Drag an item by its handle ", h("span", { class: "grip", "aria-hidden": "true" }), " or move it with the arrows."),
      h("ol", {
        class: "order-list", "aria-label": "Events, earliest first",
        onpointerdown: onPointerDown, onpointermove: onPointerMove, onpointerup: onPointerEnd,
        onpointercancel: onPointerEnd, onlostpointercapture: onPointerEnd,
      }, d.order.map((id, i) => h("li", { "data-item": id },
        h("span", {
          class: "handle", "aria-hidden": "true", title: "Drag to move",
          // no touch gestures from the handle (long-press menu, a fling that eats the next tap)
          ontouchstart: (ev) => ev.preventDefault(), oncontextmenu: (ev) => ev.preventDefault(),
        },
          h("span", { class: "pos" }, i + 1),
          h("span", { class: "grip" })),
        h("span", { class: "ptext" }, textOf(p.items, id)),
        h("span", { class: "arrows" },
          h("button", {
            type: "button", id: `up-${id}`, class: "arrow", disabled: i === 0 ? true : null,
            "aria-label": `Move up: ${textOf(p.items, id)}`, onclick: () => move(id, -1, "up"),
          }, "↑"),
          h("button", {
            type: "button", id: `down-${id}`, class: "arrow", disabled: i === n - 1 ? true : null,
            "aria-label": `Move down: ${textOf(p.items, id)}`, onclick: () => move(id, 1, "down"),
          }, "↓"))))),
      h("div", { class: "actions" },
        submitButton("Send answer", () => {
          if (drag || guardPaused()) return;
          submit(round.index, { order: d.order.slice() });
        })));
    for (const fid of [focusId, fallbackId]) {
      const f = fid && document.getElementById(fid);
      if (f && !f.disabled) {
        f.focus();
        break;
      }
    }
  };
  draw(null);
  return wrap;
}

// ---------------------------------------------------------------- after answering

function describeAnswer(round, answer) {
  const p = round.public || {};
  if (!answer) return null;
  switch (round.kind) {
    case "quiz": {
      const i = (p.options || []).findIndex((o) => o.id === answer.choice);
      if (i < 0) return null;
      return h("div", { class: `option opt-${i % 4} chosen-summary` },
        h("span", { class: "shape", "aria-hidden": "true" }, SHAPES[i % 4]),
        h("span", { class: "sr-only" }, `${SHAPE_NAMES[i % 4]}: `),
        h("span", { class: "otext" }, p.options[i].text));
    }
    case "match":
      return h("ul", { class: "summary" }, Object.entries(answer.pairs || {}).map(([l, r]) =>
        h("li", {}, h("strong", {}, textOf(p.left, l)), " → ", shorten(textOf(p.right, r), 70))));
    case "sort":
      return h("ul", { class: "summary" }, Object.entries(answer.placement || {}).map(([it, b]) =>
        h("li", {}, shorten(textOf(p.items, it), 60), " → ", h("strong", {}, textOf(p.buckets, b)))));
    case "order":
      return h("ol", { class: "summary" }, (answer.order || []).map((id) => h("li", {}, textOf(p.items, id))));
    default:
      return null;
  }
}

function buildSent() {
  const room = state.room;
  const round = room.round;
  const me = state.me;
  const pending = state.pending && state.pending.round === round.index ? state.pending : null;
  const answer = pending ? pending.answer : me.answer;
  const status = h("p", { class: "sent-status", id: "sent-status", role: "status" });
  const count = h("p", { class: "muted" });
  state.updaters.push(() => {
    const stillPending = state.pending && state.pending.round === round.index && !state.me.answered;
    status.textContent = stillPending ? "Sending your answer…" : "✓ Answer sent";
    status.classList.toggle("ok", !stillPending);
    count.textContent = `${state.room.answered} of ${state.room.players} players have answered.`;
  });
  return h("section", { class: "center sent" },
    roundTitle(round),
    h("h1", { tabindex: "-1" }, "Answer locked in"),
    status,
    pausedBanner(),
    noticeBox(),
    h("div", { class: "your-answer" }, h("h2", {}, "Your answer"), describeAnswer(round, answer)),
    count,
    h("p", {}, "Watch the big screen for the result."));
}

function resultLine() {
  const room = state.room;
  const me = state.me;
  const rv = room.reveal;
  const idx = rv ? rv.index : room.round ? room.round.index : -1;
  if (rv && rv.skipped) return { cls: "neutral", icon: "»", title: "Round skipped", points: null };
  const last = me.last && me.last.round === idx ? me.last : null;
  if (last && last.correct) return { cls: "good", icon: "✔", title: "Correct!", points: last.points };
  if (last && last.points > 0) return { cls: "partial", icon: "◐", title: "Partly right", points: last.points };
  if (me.answered || (last && me.answer)) return { cls: "bad", icon: "✘", title: "Not this time", points: last ? last.points : 0 };
  return { cls: "bad", icon: "–", title: "No answer", points: 0 };
}

function quizKeyText(round, rv) {
  if (!rv || rv.skipped || round.kind !== "quiz" || !rv.key) return null;
  const opts = round.public.options || [];
  const i = opts.findIndex((o) => o.id === rv.key.correct);
  if (i < 0) return null;
  return h("div", { class: "key" }, h("h2", {}, "The answer"),
    h("div", { class: `option opt-${i % 4}` },
      h("span", { class: "shape", "aria-hidden": "true" }, SHAPES[i % 4]),
      h("span", { class: "sr-only" }, `${SHAPE_NAMES[i % 4]}: `),
      h("span", { class: "otext" }, opts[i].text)));
}

function buildResult() {
  const room = state.room;
  const me = state.me;
  const r = resultLine();
  return h("section", { class: `center result ${r.cls}` },
    room.round ? roundTitle(room.round) : null,
    h("div", { class: "result-icon", "aria-hidden": "true" }, r.icon),
    h("h1", { id: "result-title", tabindex: "-1" }, r.title),
    r.points !== null ? h("p", { class: "points", id: "result-points" }, `+${r.points} points`) : null,
    noticeBox(),
    h("dl", { class: "stats" },
      h("div", {}, h("dt", {}, "Score"), h("dd", { id: "my-score" }, me.score)),
      h("div", {}, h("dt", {}, "Rank"), h("dd", { id: "my-rank" }, ordinal(me.rank))),
      h("div", {}, h("dt", {}, "Streak"), h("dd", { id: "my-streak" }, me.streak > 0 ? `×${me.streak}` : "0"))),
    room.round ? quizKeyText(room.round, room.reveal) : null);
}

function miniBoard(rows) {
  return h("ol", { class: "board", "aria-label": "Top players" }, rows.map((row) =>
    h("li", { class: row.nickname === state.me.nickname ? "me" : "" },
      h("span", { class: "rank" }, `${row.rank}.`),
      h("span", {}),
      h("span", { class: "name" }, row.nickname),
      h("span", { class: "score" }, row.score))));
}

function buildStanding() {
  const me = state.me;
  return h("section", { class: "center standing" },
    h("h1", { tabindex: "-1" }, `You're ${ordinal(me.rank)}`),
    h("dl", { class: "stats" },
      h("div", {}, h("dt", {}, "Score"), h("dd", { id: "my-score" }, me.score)),
      h("div", {}, h("dt", {}, "Rank"), h("dd", { id: "my-rank" }, ordinal(me.rank))),
      h("div", {}, h("dt", {}, "Streak"), h("dd", { id: "my-streak" }, me.streak > 0 ? `×${me.streak}` : "0"))),
    miniBoard((state.room.leaderboard || []).slice(0, 5)),
    h("p", { class: "muted" }, "Next round coming up…"));
}

function buildPodium() {
  const me = state.me;
  const rows = state.room.leaderboard || [];
  const top = rows.slice(0, 3);
  const medal = ["1st", "2nd", "3rd"];
  return h("section", { class: "center final" },
    h("h1", { tabindex: "-1" }, "Game over"),
    h("p", { class: "final-rank", id: "final-rank" }, `You finished ${ordinal(me.rank)} with ${me.score} points`),
    h("h2", {}, "Podium"),
    h("ol", { class: "podium-list", id: "podium-list" }, top.map((row, i) =>
      h("li", { class: row.nickname === me.nickname ? "me" : "" },
        h("span", { "aria-hidden": "true" }, medal[i], " "),
        h("span", { class: "name" }, row.nickname), " ",
        h("span", { class: "score" }, `${row.score} pts`)))),
    h("button", { type: "button", id: "leave-btn", onclick: () => { forget(); state.notice = ""; render(); } }, "Leave"));
}

// countdown
setInterval(() => {
  if (state.room && state.room.phase === "open") updateBar();
}, 250);

render();
conn.start();
