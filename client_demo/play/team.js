// The player's team in team mode: a band in the team's colour with its name, under the
// score bar (`me.team`; none with teams off, or before the host has placed the player).
import { h } from "/static/common.js";

let band = null;

/** Show `me.team` in the band under the bar (made on first use), or hide it. */
export function updateTeamBand(top, bar, me) {
  const team = me && me.team;
  if (!band) {
    band = h("div", { id: "team-band", class: "team-band hidden", role: "note" });
    bar.after(band);
  }
  const show = Boolean(team) && !bar.classList.contains("hidden");
  band.classList.toggle("hidden", !show);
  if (!show) return;
  const text = `Team ${team.name}`;
  if (band.textContent !== text) band.textContent = text;
  band.style.setProperty("--team", team.colour);
  band.dataset.team = String(team.team);
  band.setAttribute("aria-label", `You are in team ${team.name}`);
  top.style.setProperty("--team", team.colour);
}
