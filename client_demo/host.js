// Host screen: create a game, run the lobby, the rounds, reveals, leaderboards, podium.
import {
  Connection, KIND_NAMES, SHAPES, SHAPE_NAMES, announce, clear, formatSeconds, h, load,
  movement, save, secondsLeft, textOf,
} from "/static/common.js";

const STORE = "cardcade.host";
const main = document.getElementById("main");
const statusEl = document.getElementById("status");
const topinfo = document.getElementById("topinfo");
const live = document.getElementById("live");

const state = {
  creds: load(STORE), // {room, token}
  room: null, // latest RoomView
  host: null, // latest HostView
  joinUrl: null,
  decks: null,
  screenKey: null,
  updaters: [],
  resuming: false,
  creating: false,
  notice: "",
};

const conn = new Connection({
  onReady() {
    if (state.creds) {
      state.resuming = true;
      conn.send({ type: "resume", room: state.creds.room, token: state.creds.token });
    } else {
      render();
    }
  },
  onMessage: handle,
  onStatus(s) {
    statusEl.classList.toggle("hidden", s === "online");
    statusEl.textContent = s === "reconnecting" ? "Connection lost — reconnecting…" : "Connecting…";
  },
});

function handle(msg) {
  switch (msg.type) {
    case "created":
      state.creds = { room: msg.room, token: msg.host_token };
      state.joinUrl = msg.join_url;
      state.creating = false;
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
  state.creating = false;
  if (creating && msg.code === "bad_deck") {
    // the server's sentence names the file; its hint is worded for the command line
    const why = (msg.message || "").replace(/; use --format \(([^)]*)\)/, "; pick its format ($1) under “File format”");
    showError(`Could not use that deck: ${why}`);
    const btn = document.getElementById("create-btn");
    if (btn) {
      btn.disabled = false;
      btn.textContent = "Create game";
    }
  } else {
    showError(msg.message || msg.code);
  }
  render();
}

function showError(text) {
  const el = document.getElementById("host-error");
  if (el) {
    el.textContent = text;
    clearTimeout(showError.timer);
    showError.timer = setTimeout(() => { el.textContent = ""; }, 8000);
  }
}

function send(msg) {
  if (!conn.send(msg)) showError("Not connected — try again in a moment.");
}
const hostCmd = (action) => () => send({ type: "host", action });

// ------------------------------------------------------------------ rendering

function render() {
  const room = state.room;
  let key;
  if (!state.creds || !room) key = state.creds ? "wait" : "create";
  else key = `${room.phase}:${room.round ? room.round.index : -1}`;
  const rebuilt = key !== state.screenKey;
  if (rebuilt) {
    const hadFocus = main.contains(document.activeElement);
    state.screenKey = key;
    state.updaters = [];
    clear(main);
    main.dataset.screen = key.split(":")[0];
    document.body.dataset.screen = main.dataset.screen;
    const build = {
      create: buildCreate, wait: buildWait, lobby: buildLobby, open: buildOpen,
      reveal: buildReveal, leaderboard: buildLeaderboard, podium: buildPodium,
    }[main.dataset.screen];
    main.append(build());
    const primary = main.querySelector("[data-primary]");
    if (hadFocus && primary) primary.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  updateTop();
  for (const fn of state.updaters) fn();
  if (rebuilt) fitStage();
}

function updateTop() {
  const room = state.room;
  if (!room || !state.creds) {
    topinfo.textContent = "";
    return;
  }
  const parts = [`Room ${room.room}`, `${room.players} player${room.players === 1 ? "" : "s"}`];
  if (room.round && room.phase !== "lobby") parts.push(`Round ${room.round.index + 1} of ${room.round.total}`);
  if (room.locked) parts.push("locked");
  topinfo.textContent = parts.join(" · ");
}

function errorBox() {
  return h("div", { id: "host-error", class: "error", role: "alert" });
}

// ---------------------------------------------------------------- create form

function field(label, input, hint) {
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input,
    hint ? h("span", { class: "hint muted" }, hint) : null);
}

function numberInput(id, value, min, max, step) {
  return h("input", { type: "number", id, name: id, value, min, max, step: step || 1, required: true });
}

function checkbox(id, label, checked) {
  return h("label", { class: "check", for: id },
    h("input", { type: "checkbox", id, name: id, checked: checked || null }), " ", label);
}

function buildCreate() {
  const deckSelect = h("select", { id: "deck", name: "deck", "aria-label": "Bundled deck" }, h("option", { value: "" }, "Loading decks…"));
  const fileInput = h("input", { type: "file", id: "upload", name: "upload", "aria-label": "Deck file to upload", accept: ".toml,.txt,.csv,.tsv,.md" });
  const formatSelect = h("select", { id: "format", name: "format" },
    h("option", { value: "" }, "Detect automatically"),
    ["toml", "knowt", "quizlet", "csv", "anki"].map((f) => h("option", { value: f }, f)));
  const srcBundled = h("input", { type: "radio", name: "source", id: "src-bundled", value: "bundled", checked: true });
  const srcUpload = h("input", { type: "radio", name: "source", id: "src-upload", value: "upload" });
  const sync = () => {
    const up = srcUpload.checked;
    deckSelect.disabled = up;
    fileInput.disabled = !up;
    formatSelect.disabled = !up;
  };
  srcBundled.addEventListener("change", sync);
  srcUpload.addEventListener("change", sync);
  fileInput.addEventListener("change", () => { srcUpload.checked = true; sync(); });
  sync();

  loadDecks(deckSelect);

  const kinds = Object.keys(KIND_NAMES);
  const submit = h("button", { type: "submit", class: "primary big", id: "create-btn", "data-primary": true }, "Create game");
  const form = h("form", { id: "create-form", class: "create", novalidate: true },
    h("h1", {}, "New game"),
    state.notice ? h("p", { class: "notice", role: "status" }, state.notice) : null,
    h("fieldset", {},
      h("legend", {}, "Cards"),
      h("div", { class: "row" }, srcBundled, h("label", { for: "src-bundled" }, "Bundled deck"), deckSelect),
      h("div", { class: "row" }, srcUpload, h("label", { for: "src-upload" }, "Upload a file"), fileInput),
      field("File format", formatSelect)),
    h("fieldset", {},
      h("legend", {}, "Round types"),
      h("div", { class: "row wrap" }, kinds.map((k) => checkbox(`mix-${k}`, KIND_NAMES[k], true)))),
    h("fieldset", {},
      h("legend", {}, "Settings"),
      h("div", { class: "grid" },
        field("Rounds", numberInput("rounds", 8, 1, 50)),
        field("Seconds per round", numberInput("time_limit_s", 20, 5, 300), "match, sort, order get 1.5×"),
        field("Points per round", numberInput("points", 1000, 100, 10000, 100)),
        field("Items per round", numberInput("items_per_round", 4, 3, 6)),
        field("Max players", numberInput("max_players", 100, 1, 500))),
      h("div", { class: "row wrap" },
        checkbox("speed_scoring", "Faster answers score more", true),
        checkbox("streak_bonus", "Streak bonus", true),
        checkbox("late_join", "Allow joining after the start", true))),
    errorBox(),
    h("div", { class: "controls" }, submit));

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const mix = kinds.filter((k) => form.querySelector(`#mix-${k}`).checked);
    if (!mix.length) return showError("Pick at least one round type.");
    const num = (id) => Number(form.querySelector(`#${id}`).value);
    const settings = {
      rounds: num("rounds"), round_mix: mix, points: num("points"),
      time_limit_s: num("time_limit_s"), items_per_round: num("items_per_round"),
      max_players: num("max_players"),
      speed_scoring: form.querySelector("#speed_scoring").checked,
      streak_bonus: form.querySelector("#streak_bonus").checked,
      late_join: form.querySelector("#late_join").checked,
    };
    for (const [k, v] of Object.entries(settings)) {
      if (typeof v === "number" && !Number.isFinite(v)) return showError(`Check the value of ${k}.`);
    }
    const msg = { type: "create_room", settings };
    // /host?seed=N replays the same rounds (same deck, settings and seed: same plan)
    const seed = new URLSearchParams(location.search).get("seed");
    if (seed !== null && /^-?\d{1,15}$/.test(seed)) msg.seed = Number(seed);
    if (srcUpload.checked) {
      const file = fileInput.files[0];
      if (!file) return showError("Choose a file to upload.");
      let text;
      try {
        text = await readFile(file);
      } catch (err) {
        return showError("Could not read that file.");
      }
      if (!text.trim()) return showError(`${file.name} is empty: choose a deck file with cards in it.`);
      msg.upload = { filename: file.name.slice(0, 200), text, format: formatSelect.value || null };
    } else {
      if (!deckSelect.value) return showError("Pick a deck.");
      msg.deck = deckSelect.value;
    }
    state.notice = "";
    state.creating = true;
    submit.disabled = true;
    submit.textContent = "Creating…";
    send(msg);
    setTimeout(() => {
      if (state.screenKey === "create") {
        submit.disabled = false;
        submit.textContent = "Create game";
      }
    }, 5000);
  });
  return form;
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}

async function loadDecks(select) {
  try {
    if (!state.decks) {
      const res = await fetch("/decks.json", { cache: "no-store" });
      state.decks = (await res.json()).decks || [];
    }
    clear(select);
    for (const d of state.decks) {
      select.append(h("option", { value: d.name }, `${d.title} (${d.cards} cards)`));
    }
    if (!state.decks.length) select.append(h("option", { value: "" }, "No bundled decks"));
  } catch (err) {
    clear(select).append(h("option", { value: "" }, "Could not load decks"));
  }
}

function buildWait() {
  return h("section", {}, h("h1", {}, "Reconnecting to your game…"), errorBox());
}

// ---------------------------------------------------------------- lobby

function joinWords() {
  const url = state.joinUrl || `${location.origin}/play?room=${state.room.room}`;
  try {
    const u = new URL(url, location.href);
    return `${u.host}${u.pathname}`;
  } catch (err) {
    return url;
  }
}

function buildLobby() {
  const room = state.room;
  const list = h("ul", { id: "players", class: "players", "aria-label": "Players" });
  const count = h("h2", { id: "player-count" });
  const lockBtn = h("button", { id: "lock-btn", type: "button" });
  const startBtn = h("button", { id: "start-btn", type: "button", class: "primary big", "data-primary": true, onclick: hostCmd("start") }, "Start game");
  lockBtn.addEventListener("click", () => send({ type: "host", action: state.room.locked ? "unlock" : "lock" }));
  const view = h("section", { class: "lobby" },
    h("div", { class: "join-panel" },
      h("p", { class: "join-words" }, "Join at ", h("strong", { id: "join-address" }, joinWords())),
      h("p", { class: "join-words" }, "with the code"),
      h("div", { class: "room-code", id: "room-code", "aria-label": `Room code ${room.room.split("").join(" ")}` }, room.room),
      h("img", { class: "qr", src: `/qr/${encodeURIComponent(room.room)}.svg`, alt: `QR code to join room ${room.room}`, width: 260, height: 260 })),
    h("div", { class: "players-panel" },
      room.deck ? h("p", { class: "deck-title" }, "Deck: ", h("strong", { id: "deck-title" }, room.deck)) : null,
      count,
      list,
      errorBox(),
      h("div", { class: "controls" }, lockBtn, startBtn)));
  state.updaters.push(() => {
    const r = state.room;
    const players = (state.host && state.host.players) || [];
    count.textContent = `${players.length || r.players} player${(players.length || r.players) === 1 ? "" : "s"} joined`;
    lockBtn.textContent = r.locked ? "Unlock room" : "Lock room";
    lockBtn.setAttribute("aria-pressed", r.locked ? "true" : "false");
    startBtn.disabled = r.players === 0;
    renderPlayerList(list, players, false);
  });
  return view;
}

function renderPlayerList(list, players, showAnswered) {
  const ids = players.map((p) => `${p.id}:${p.nickname}:${p.connected}:${p.answered}:${p.score}`).join("|");
  if (list.dataset.ids === ids) return;
  const focusedKick = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.kick : null;
  list.dataset.ids = ids;
  clear(list);
  if (!players.length) list.append(h("li", { class: "muted empty" }, "Waiting for players…"));
  for (const p of players) {
    const kick = h("button", {
      type: "button", class: "kick danger", "data-kick": p.id,
      "aria-label": `Remove ${p.nickname}`, title: `Remove ${p.nickname}`,
    }, "✕");
    kick.addEventListener("click", () => {
      // two taps: a stray tap on a projected screen must not throw a student out
      if (kick.dataset.armed) {
        send({ type: "kick", player: p.id });
      } else {
        kick.dataset.armed = "1";
        kick.textContent = "Remove?";
        kick.setAttribute("aria-label", `Confirm: remove ${p.nickname}`);
        setTimeout(() => {
          delete kick.dataset.armed;
          kick.textContent = "✕";
          kick.setAttribute("aria-label", `Remove ${p.nickname}`);
        }, 3000);
      }
    });
    list.append(h("li", { class: `player${p.connected ? "" : " offline"}`, "data-player": p.nickname },
      h("span", { class: "pname" }, p.nickname),
      p.connected ? null : h("span", { class: "muted small" }, " (offline)"),
      showAnswered && p.answered ? h("span", { class: "answered-mark", "aria-label": "answered" }, " ✓") : null,
      kick));
    if (focusedKick === p.id) kick.focus();
  }
}

// ---------------------------------------------------------------- rounds
//
// The open and reveal screens fill the viewport exactly (no scrolling on a projector): a
// header with the prompt, a stage with the round's content, the controls at the bottom.
// Type is sized from the viewport in CSS; `fitStage` then scales the prompt and the stage's
// type down (CSS variable --fit) when a deck's long texts would not fit.

const FIT_MIN = 0.5;

function roundHeader(round) {
  const p = round.public || {};
  return h("div", { class: "round-head" },
    h("span", { class: "round-no" }, `Round ${round.index + 1} of ${round.total}`),
    h("span", { class: "kind" }, KIND_NAMES[round.kind] || round.kind),
    p.category && round.kind === "quiz" ? h("span", { class: "category" }, p.category) : null,
    h("span", { class: "pts muted" }, `${round.points} points`));
}

function prompt(round) {
  const text = (round.public && round.public.prompt) || "";
  const size = text.length > 110 ? "long" : text.length > 60 ? "medium" : "short";
  return h("h1", { class: `prompt prompt-${size}`, id: "prompt" }, text);
}

function roundTop(round, side) {
  return h("div", { class: "round-top" }, roundHeader(round), h("div", { class: "round-side" }, side), prompt(round));
}

function quizOptions(round, key) {
  const opts = (round.public && round.public.options) || [];
  return h("ol", { class: "options", "aria-label": "Answers" }, opts.map((o, i) => {
    const correct = key && key.correct === o.id;
    const cls = `option opt-${i % 4}${key ? (correct ? " correct" : " wrong") : ""}`;
    return h("li", { class: cls, "data-option": o.id },
      h("span", { class: "shape", "aria-hidden": "true" }, SHAPES[i % 4]),
      h("span", { class: "sr-only" }, `${SHAPE_NAMES[i % 4]}: `),
      h("span", { class: "otext" }, o.text),
      correct ? h("span", { class: "tick" }, h("span", { "aria-hidden": "true" }, "✔"), h("span", { class: "sr-only" }, " correct answer")) : null);
  }));
}

function roundBody(round, key) {
  const p = round.public || {};
  switch (round.kind) {
    case "quiz":
      return quizOptions(round, key);
    case "match":
      if (key && key.pairs) {
        return h("ul", { class: `pairs n-${(p.left || []).length}`, "aria-label": "Pairs" }, (p.left || []).map((l) => h("li", { class: "pair" },
          h("span", { class: "left" }, l.text),
          h("span", { class: "right" }, h("span", { class: "arrow", "aria-hidden": "true" }, "→ "),
            h("span", { class: "sr-only" }, " matches "), textOf(p.right, key.pairs[l.id])))));
      }
      return h("div", { class: "match-body" },
        h("ul", { class: "chips", "aria-label": "Match these" }, (p.left || []).map((x) => h("li", { class: "chip" }, x.text))),
        h("ul", { class: "items", "aria-label": "with these" }, (p.right || []).map((x) => h("li", { class: "item" }, x.text))));
    case "sort": {
      const buckets = p.buckets || [];
      if (key && key.placement) {
        // the items grouped by bucket, each tagged with its bucket's name
        const placed = [];
        buckets.forEach((b, bi) => {
          for (const it of p.items || []) if (key.placement[it.id] === b.id) placed.push([it, b, bi]);
        });
        return h("ul", { class: "items placed", "aria-label": "Where each card goes" }, placed.map(([it, b, bi]) => h("li", { class: `item bucket-${bi % 4}` },
          h("span", { class: "tag" }, h("span", { class: "sr-only" }, "In "), b.text, h("span", { class: "sr-only" }, ": ")),
          h("span", { class: "itext" }, it.text))));
      }
      return h("div", { class: "sort-body" },
        h("ul", { class: "chips buckets", "aria-label": "Groups" }, buckets.map((b, bi) => h("li", { class: `chip bucket-${bi % 4}` }, b.text))),
        h("ul", { class: "items", "aria-label": "Cards to sort" }, (p.items || []).map((it) => h("li", { class: "item" }, it.text))));
    }
    case "order": {
      const ids = key && key.order ? key.order : (p.items || []).map((x) => x.id);
      return h("ol", { class: `order-list${key ? " revealed" : ""}` }, ids.map((id) => h("li", { class: "item" }, textOf(p.items, id))));
    }
    default:
      return h("pre", {}, JSON.stringify(p, null, 2));
  }
}

/** Scale the round's type (--fit) down until the stage holds its content, if it must. */
function fitStage() {
  const section = main.querySelector("section.round");
  const stage = section && section.querySelector(".stage");
  if (!stage) return;
  const fits = () => stage.scrollHeight <= stage.clientHeight + 1 && stage.scrollWidth <= stage.clientWidth + 1
    && document.scrollingElement.scrollHeight <= window.innerHeight;
  const set = (f) => { section.style.setProperty("--fit", String(f)); section.dataset.fit = f.toFixed(3); };
  set(1);
  if (fits()) return;
  let lo = FIT_MIN;
  let hi = 1;
  for (let i = 0; i < 8; i += 1) {
    const mid = (lo + hi) / 2;
    set(mid);
    if (fits()) lo = mid;
    else hi = mid;
  }
  set(lo); // if even FIT_MIN is too big, the stage scrolls and the controls stay in view
}

let fitQueued = false;
function queueFit() {
  if (fitQueued) return;
  fitQueued = true;
  requestAnimationFrame(() => { fitQueued = false; fitStage(); });
}
window.addEventListener("resize", queueFit);
if (document.fonts) document.fonts.ready.then(queueFit);

function buildOpen() {
  const round = state.room.round;
  const timer = h("div", { class: "timer", id: "timer", role: "timer", "aria-label": "Seconds left" });
  const answered = h("div", { class: "answered", id: "answered", "aria-live": "off" });
  const pauseBtn = h("button", { type: "button", id: "pause-btn" });
  pauseBtn.addEventListener("click", () => send({ type: "host", action: state.room.round && state.room.round.paused ? "resume" : "pause" }));
  const paused = h("div", { class: "paused-banner hidden", id: "paused-banner", role: "status" }, "❚❚ Paused");
  const view = h("section", { class: `round kind-${round.kind}` },
    roundTop(round, [timer, answered]),
    h("div", { class: "stage", id: "stage" }, h("div", { class: "round-body" }, roundBody(round, null))),
    paused,
    errorBox(),
    h("div", { class: "controls" },
      pauseBtn,
      h("button", { type: "button", id: "addtime-btn", onclick: () => send({ type: "add_time", seconds: 15 }) }, "+15 s"),
      h("button", { type: "button", id: "skip-btn", onclick: hostCmd("skip") }, "Skip round"),
      h("button", { type: "button", id: "next-btn", class: "primary", "data-primary": true, onclick: hostCmd("next") }, "Close round"),
      h("button", { type: "button", id: "end-btn", class: "danger", onclick: hostCmd("end") }, "End game")));
  let lastSecs = null;
  state.updaters.push(() => {
    const r = state.room.round;
    if (!r) return;
    const s = secondsLeft(r, conn);
    timer.textContent = formatSeconds(s);
    timer.classList.toggle("low", s !== null && s <= 5);
    if (s !== lastSecs && s === 10) announce(live, "10 seconds left");
    lastSecs = s;
    const count = `${state.room.answered} / ${state.room.players} answered`;
    if (answered.textContent && answered.textContent !== count) queueFit(); // its width may change
    answered.textContent = count;
    pauseBtn.textContent = r.paused ? "▶ Resume" : "❚❚ Pause";
    paused.classList.toggle("hidden", !r.paused);
  });
  return view;
}

function buildReveal() {
  const room = state.room;
  const round = room.round;
  const rv = room.reveal || { key: {}, distribution: [], skipped: false };
  const view = h("section", { class: `round reveal kind-${round.kind}` },
    roundTop(round, h("div", { class: "answered" }, `${room.answered} / ${room.players} answered`)),
    h("div", { class: "stage", id: "stage" },
      rv.skipped ? h("p", { class: "notice" }, "This round was skipped: no points.") : null,
      h("div", { class: "reveal-grid" },
        h("div", { class: "round-body" }, rv.skipped ? roundBody(round, null) : roundBody(round, rv.key)),
        rv.skipped ? null : chart(round, rv))),
    errorBox(),
    h("div", { class: "controls" },
      h("button", { type: "button", id: "next-btn", class: "primary", "data-primary": true, onclick: hostCmd("next") }, "Show leaderboard"),
      h("button", { type: "button", id: "end-btn", class: "danger", onclick: hostCmd("end") }, "End game")));
  announce(live, "Round closed. Answer revealed.");
  return view;
}

function chart(round, rv) {
  const dist = rv.distribution || [];
  const max = Math.max(1, ...dist.map((d) => d.count));
  const opts = (round.public && round.public.options) || [];
  return h("figure", { class: "chart-fig" },
    h("figcaption", {}, "How the room answered"),
    h("div", { class: "chart", role: "list" }, dist.map((d) => {
      const i = opts.findIndex((o) => o.id === d.id);
      const isOpt = round.kind === "quiz" && i >= 0;
      const label = isOpt ? `${SHAPES[i % 4]}` : d.label;
      const srLabel = isOpt ? `${SHAPE_NAMES[i % 4]}${d.correct ? " (correct)" : ""}` : `${d.label}${d.correct ? " (best)" : ""}`;
      return h("div", { class: "bar-wrap", role: "listitem", "aria-label": `${srLabel}: ${d.count}` },
        h("span", { class: "count", "aria-hidden": "true" }, d.count),
        h("div", {
          class: `bar${d.correct ? " correct" : ""} ${isOpt ? `opt-${i % 4}` : `bar-outcome-${d.id}`}`,
          style: `height:${Math.round((d.count / max) * 80)}%`, "aria-hidden": "true",
        }),
        h("span", { class: "blabel", "aria-hidden": "true" }, label, d.correct ? " ✔" : ""));
    })));
}

// ---------------------------------------------------------------- leaderboard, podium

function board(rows, withMoves) {
  return h("ol", { class: "board", id: "board", "aria-label": "Leaderboard" }, rows.map((r) => {
    const m = movement(r);
    return h("li", { "data-nickname": r.nickname },
      h("span", { class: "rank" }, `${r.rank}.`),
      withMoves ? h("span", { class: `move ${m.cls}`, title: m.label },
        h("span", { "aria-hidden": "true" }, m.symbol), h("span", { class: "sr-only" }, m.label)) : h("span", {}),
      h("span", { class: "name" }, r.nickname),
      h("span", { class: "score" }, r.score));
  }));
}

function buildLeaderboard() {
  const room = state.room;
  const round = room.round || state.lastRound;
  const last = round && round.index + 1 >= round.total;
  const view = h("section", { class: "leaderboard" },
    h("h1", {}, last ? "Final standings" : round ? `Leaderboard after round ${round.index + 1}` : "Leaderboard"),
    board(room.leaderboard || [], true),
    errorBox(),
    h("div", { class: "controls" },
      h("button", { type: "button", id: "next-btn", class: "primary", "data-primary": true, onclick: hostCmd("next") }, last ? "Show podium" : round ? "Next round" : "Next"),
      last ? null : h("button", { type: "button", id: "end-btn", class: "danger", onclick: hostCmd("end") }, "End game")));
  return view;
}

function buildPodium() {
  const room = state.room;
  const rows = room.leaderboard || [];
  const top = rows.slice(0, 3);
  const step = (r, i) => r ? h("div", { class: `step p${i + 1}`, "data-place": i + 1 },
    h("span", { class: "place" }, ["1st", "2nd", "3rd"][i]),
    h("span", { class: "pname" }, r.nickname),
    h("span", { class: "pscore" }, `${r.score} pts`)) : h("div", { class: `step p${i + 1} empty` });
  const token = state.creds ? state.creds.token : "";
  const view = h("section", { class: "podium-screen" },
    h("h1", {}, "Podium"),
    h("div", { class: "podium", id: "podium" }, step(top[1], 1), step(top[0], 0), step(top[2], 2)),
    rows.length > 3 ? board(rows.slice(3), false) : null,
    h("div", { class: "controls" },
      h("a", { class: "button-link", id: "export-link", href: `/export/${encodeURIComponent(room.room)}.csv?token=${encodeURIComponent(token)}`, download: `cardcade-${room.room}.csv`, "data-primary": true }, "↓ Download results (CSV)"),
      h("button", { type: "button", id: "new-game-btn", onclick: newGame }, "New game")));
  announce(live, top.length ? `The winner is ${top[0].nickname}` : "Game over");
  return view;
}

function newGame() {
  save(STORE, null);
  state.creds = null;
  state.room = null;
  state.host = null;
  state.screenKey = null;
  render();
}

// countdown redraw
setInterval(() => {
  if (state.room && state.room.phase === "open") for (const fn of state.updaters) fn();
}, 250);

render();
conn.start();
