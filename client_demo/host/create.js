// The create screen: a deck (bundled, or a file picked from the computer), round kinds and
// settings. Everything fits 1280x720 with "Create game" in view: pick a file, then create.
import { clear, h } from "/static/common.js";
import { competitionDisclosure } from "/static/host/competition.js";
import { errorBox, send, showError, state } from "/static/host/ctx.js";
import { KINDS } from "/static/host/kinds.js";
import { teamFields, teamSettings } from "/static/host/teams.js";

const FORMATS = [
  ["", "Detect automatically"], ["toml", "Cardcade deck (.toml)"], ["knowt", "Knowt page text"],
  ["quizlet", "Quizlet export"], ["csv", "CSV"], ["anki", "Anki text export"],
];

function numberInput(id, value, min, max, step = 1) {
  return h("input", { type: "number", id, name: id, value, min, max, step, inputmode: "numeric", required: true });
}

function field(label, input, hint) {
  const hintId = hint ? `${input.id}-hint` : null;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" },
    h("label", { for: input.id }, label),
    input,
    hint ? h("span", { class: "hint muted", id: hintId }, hint) : null);
}

function checkbox(id, label, checked) {
  return h("label", { class: "check", for: id },
    h("input", { type: "checkbox", id, name: id, checked }), " ", label);
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

/** Put the create button back after a refused or unanswered create_room. */
export function createDone() {
  state.creating = null;
  const btn = document.getElementById("create-btn");
  if (btn) {
    btn.disabled = false;
    btn.textContent = "Create game";
  }
}

export function buildCreate() {
  const srcBundled = h("input", { type: "radio", name: "src", id: "src-bundled", value: "bundled", checked: true });
  const srcUpload = h("input", { type: "radio", name: "src", id: "src-upload", value: "upload" });
  const deckSelect = h("select", { id: "deck", "aria-label": "Bundled deck" }, h("option", { value: "" }, "Loading decks…"));
  // never disabled: choosing a file is what picks "Upload a file"
  const fileInput = h("input", {
    type: "file", id: "upload", "aria-label": "Deck file to upload",
    accept: ".toml,.txt,.csv,.tsv,.md",
  });
  const formatSelect = h("select", { id: "format" }, FORMATS.map(([v, t]) => h("option", { value: v }, t)));
  const bundledRow = h("div", { class: "row source" }, srcBundled, h("label", { for: "src-bundled" }, "Bundled deck"), deckSelect);
  const uploadRow = h("div", { class: "row source" }, srcUpload, h("label", { for: "src-upload" }, "Upload a file"), fileInput);
  const sync = () => {
    bundledRow.classList.toggle("inactive", srcUpload.checked);
    uploadRow.classList.toggle("inactive", !srcUpload.checked);
  };
  const pick = (radio) => () => { radio.checked = true; sync(); };
  srcBundled.addEventListener("change", sync);
  srcUpload.addEventListener("change", sync);
  fileInput.addEventListener("change", () => { if (fileInput.files.length) pick(srcUpload)(); });
  deckSelect.addEventListener("change", pick(srcBundled));
  formatSelect.addEventListener("change", () => { if (fileInput.files.length) pick(srcUpload)(); });
  sync();
  loadDecks(deckSelect);

  const kinds = Object.keys(KINDS);
  const submit = h("button", { type: "submit", class: "primary big", id: "create-btn", "data-primary": true }, "Create game");
  const form = h("form", { id: "create-form", class: "create", novalidate: true },
    h("h1", {}, "New game"),
    state.notice ? h("p", { class: "notice", role: "status" }, state.notice) : null,
    h("div", { class: "create-grid" },
      h("div", { class: "create-main" },
        h("fieldset", {},
          h("legend", {}, "Cards"),
          bundledRow,
          uploadRow,
          field("File format", formatSelect, "for uploads; most files are detected")),
        errorBox(),
        h("div", { class: "controls" }, submit),
        competitionDisclosure()),
      h("div", { class: "create-side" },
        h("fieldset", {},
          h("legend", {}, "Round types"),
          h("div", { class: "kinds" }, kinds.map((k) => checkbox(`mix-${k}`, KINDS[k].title, true)))),
        h("fieldset", {},
          h("legend", {}, "Settings"),
          h("div", { class: "grid" },
            field("Rounds", numberInput("rounds", 8, 1, 50)),
            field("Seconds per round", numberInput("time_limit_s", 20, 5, 300), "match, sort, order: 1.5×"),
            field("Points per round", numberInput("points", 1000, 100, 10000, 100)),
            field("Items per round", numberInput("items_per_round", 4, 3, 6)),
            field("Max players", numberInput("max_players", 100, 1, 10000))),
          h("div", { class: "row wrap" },
            checkbox("speed_scoring", "Faster answers score more", true),
            checkbox("streak_bonus", "Streak bonus", true),
            checkbox("late_join", "Allow joining after the start", true),
            checkbox("name_filter", "Refuse rude nicknames", true)),
          teamFields()))));

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
      name_filter: form.querySelector("#name_filter").checked,
      ...teamSettings(form),
    };
    for (const [k, v] of Object.entries(settings)) {
      if (typeof v === "number" && !Number.isFinite(v)) return showError(`Check the value of ${k}.`);
    }
    const msg = { type: "create_room", settings };
    // /host?seed=N replays the same rounds (same deck, settings and seed: same plan)
    const seed = new URLSearchParams(location.search).get("seed");
    if (seed !== null && /^-?\d{1,15}$/.test(seed)) msg.seed = Number(seed);
    let file;
    if (srcUpload.checked) {
      const chosen = fileInput.files[0];
      if (!chosen) return showError("Choose a file to upload.");
      let text;
      try {
        text = await readFile(chosen);
      } catch (err) {
        return showError("Could not read that file.");
      }
      if (!text.trim()) return showError(`${chosen.name} is empty: choose a deck file with cards in it.`);
      msg.upload = { filename: chosen.name.slice(0, 200), text, format: formatSelect.value || null };
      file = chosen.name;
    } else {
      if (!deckSelect.value) return showError("Pick a deck.");
      msg.deck = deckSelect.value;
      file = deckSelect.selectedOptions[0] ? deckSelect.selectedOptions[0].textContent : deckSelect.value;
    }
    state.notice = "";
    state.creating = { file };
    submit.disabled = true;
    submit.textContent = "Creating…";
    send(msg);
    setTimeout(() => {
      if (state.screenKey === "create") createDone();
    }, 5000);
  });
  return form;
}
