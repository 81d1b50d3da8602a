// Players on the host screen: the list with two-tap kick buttons (lobby, and the players
// panel of the round and leaderboard screens), and the one-line strip of who has not
// answered and who is offline during a round. The host view lists the best 100 players at
// most: the lists end with "and N more players", and the strip takes its counts and names
// from the view's `waiting` and `offline`, never from the listed rows.
import { h } from "/static/common.js";
import { twoTap } from "/static/host/confirm.js";
import { missing, morePlayers, playerCount, players, send, state } from "/static/host/ctx.js";

const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

function kickButton(p) {
  const kick = h("button", { type: "button", class: "kick danger", "data-kick": p.id, title: `Remove ${p.nickname}` });
  twoTap(kick, {
    idle: { text: "✕", label: `Remove ${p.nickname}` },
    armed: { text: "Remove?", label: `Confirm: remove ${p.nickname}` },
    run: () => send({ type: "kick", player: p.id }),
  });
  return kick;
}

function status(p, showAnswered) {
  if (!p.connected) return { cls: "offline", text: "offline" };
  if (showAnswered && p.answered) return { cls: "done", text: "answered" };
  if (showAnswered) return { cls: "waiting", text: "not answered" };
  return null;
}

/** The last line of a list that does not hold everyone: "and N more players" (or none). */
function moreLine(list, more) {
  let li = list.querySelector(":scope > li.more-players");
  if (!more) {
    if (li) li.remove();
    return;
  }
  if (!li) li = h("li", { class: "more-players muted" });
  const text = `and ${plural(more, "more player")}`;
  if (li.textContent !== text) li.textContent = text;
  if (list.lastElementChild !== li) list.append(li);
}

/**
 * Keep `list` (a ul) showing `rows` in order, one li per player with a kick button, then
 * "and N more players" when `more` players are not among the rows.
 * Rows are updated in place, so an armed kick button and the focus survive new views.
 */
export function renderPlayerList(list, rows, { showAnswered = false, more = 0 } = {}) {
  const have = new Map([...list.querySelectorAll(":scope > li[data-id]")].map((li) => [li.dataset.id, li]));
  const empty = list.querySelector(":scope > li.empty");
  if (!rows.length && !empty) list.append(h("li", { class: "muted empty" }, "Waiting for players…"));
  if (rows.length && empty) empty.remove();
  const keep = new Set(rows.map((p) => p.id));
  for (const [id, li] of have) if (!keep.has(id)) li.remove();
  const focused = list.contains(document.activeElement) ? document.activeElement : null;
  let cursor = list.querySelector(":scope > li[data-id]");
  for (const p of rows) {
    let li = have.get(p.id);
    if (!li) {
      li = h("li", { class: "player", "data-id": p.id, "data-player": p.nickname },
        h("span", { class: "pname" }, p.nickname),
        h("span", { class: "pstate" }),
        kickButton(p));
    }
    const st = status(p, showAnswered);
    const mark = li.querySelector(".pstate");
    const text = st ? st.text : "";
    if (mark.dataset.text !== text) {
      mark.dataset.text = text;
      mark.className = `pstate${st ? ` ${st.cls}` : ""}`;
      mark.textContent = "";
      if (st && st.cls === "done") mark.append(h("span", { "aria-hidden": "true" }, "✓"), h("span", { class: "sr-only" }, " answered"));
      else if (st && st.cls === "offline") mark.append(" (offline)");
      else if (st) mark.append(h("span", { class: "sr-only" }, " not answered"));
    }
    li.classList.toggle("offline", !p.connected);
    li.classList.toggle("done", Boolean(showAnswered && p.answered));
    if (li === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(li, cursor); // new, or moved up by a change of ranks
  }
  moreLine(list, more);
  if (focused && !list.contains(document.activeElement) && list.contains(focused)) focused.focus();
}

/**
 * The players panel of the round and leaderboard screens: a "Players" button for the
 * controls and a panel above them with the listed players and a kick button each.
 */
export function playersPanel({ showAnswered = false } = {}) {
  const list = h("ul", { id: "panel-players", class: "players", "aria-label": "Players" });
  const title = h("h2", { id: "panel-title" }, "Players");
  const panel = h("div", { id: "player-panel", class: "player-panel hidden", role: "region", "aria-labelledby": "panel-title" },
    h("div", { class: "panel-head" }, title,
      h("button", { type: "button", id: "panel-close", onclick: () => toggle(false) }, "Close")),
    list);
  const button = h("button", { type: "button", id: "players-btn", "aria-expanded": "false", "aria-controls": "player-panel" }, "Players");
  const toggle = (open) => {
    panel.classList.toggle("hidden", !open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) update();
    else if (panel.contains(document.activeElement)) button.focus();
  };
  button.addEventListener("click", () => toggle(panel.classList.contains("hidden")));
  // Escape closes it, wherever the focus is
  const onKey = (ev) => {
    if (ev.key === "Escape" && !panel.classList.contains("hidden")) toggle(false);
  };
  document.addEventListener("keydown", onKey);
  state.cleanups.push(() => document.removeEventListener("keydown", onKey));
  const update = () => {
    const n = playerCount();
    title.textContent = `Players (${n})`;
    button.textContent = `Players (${n})`;
    if (!panel.classList.contains("hidden")) renderPlayerList(list, players(), { showAnswered, more: morePlayers() });
  };
  return { button, panel, update, open: () => toggle(true) };
}

/**
 * The strip under a running round: who has not answered yet and who is offline, on one
 * line (counts of the whole room, the first names of each). Names that do not fit, or that
 * the view does not give, become "+N more", which opens the players panel.
 */
export function missingStrip(openPanel) {
  const more = h("button", { type: "button", class: "more hidden", id: "missing-more", onclick: openPanel });
  const strip = h("div", { class: "missing", id: "missing" });
  let shownKey = null;
  const group = (id, label, names, cls) => h("span", { class: `mgroup ${cls}`, id },
    h("span", { class: "mlabel" }, label),
    names.map((n) => h("span", { class: "mname", "data-player": n }, n)));
  const update = () => {
    const waiting = missing("waiting");
    const offline = missing("offline");
    const anyone = Boolean(state.host) && playerCount() > 0;
    const key = [strip.clientWidth, anyone, waiting.count, offline.count, ...waiting.names, "", ...offline.names].join("\n");
    if (key === shownKey) return;
    shownKey = key;
    const draw = (nWait, nOff) => {
      strip.replaceChildren();
      if (!waiting.count && !offline.count) {
        strip.append(h("span", { class: "mgroup all" }, anyone ? "Everyone has answered" : ""));
        return;
      }
      if (waiting.count) strip.append(group("missing-wait", `Not answered (${waiting.count}):`, waiting.names.slice(0, nWait), "wait"));
      if (offline.count) strip.append(group("missing-off", `Offline (${offline.count}):`, offline.names.slice(0, nOff), "off"));
      const hidden = waiting.count - nWait + offline.count - nOff;
      more.textContent = `+${hidden} more`;
      more.setAttribute("aria-label", `${hidden} more: show all players`);
      more.classList.toggle("hidden", hidden === 0);
      strip.append(more);
    };
    // as many names as fit on the line, taken off the longer of the two lists
    let nWait = waiting.names.length;
    let nOff = offline.names.length;
    draw(nWait, nOff);
    while (strip.scrollWidth > strip.clientWidth + 1 && nWait + nOff > 0) {
      if (nWait >= nOff) nWait -= 1;
      else nOff -= 1;
      draw(nWait, nOff);
    }
  };
  return { strip, update };
}
