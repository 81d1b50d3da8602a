"""Figures from raw measurements, the targets of issue 8, and the Markdown report."""

from __future__ import annotations

import math
from typing import Any

Json = dict[str, Any]


def pct(values: list[float], q: float) -> float | None:
    """The q-quantile by nearest rank (q=0.99: the value 99% of samples do not exceed)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def spread(values: list[float], *, full: bool = True) -> Json:
    out: Json = {"samples": len(values), "p50": pct(values, 0.50), "p95": pct(values, 0.95),
                 "p99": pct(values, 0.99)}
    if full:
        out["max"] = max(values) if values else None
    return out


def rnd(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


# ---------------------------------------------------------------------- targets

FANOUT_RATIO = 1.5
JOINS_PER_S = 1000.0
ACK_P99_MS = 50.0
KIB_PER_PLAYER = 24.0
IDLE_CORE_SHARE = 0.05


def target(text: str, value: str, met: bool | None, note: str = "") -> Json:
    return {"target": text, "value": value, "met": met, "note": note}


def game_targets(s: Json, full_size: bool) -> list[Json]:
    """The targets of issue 8 that apply to a game scenario; `met` is None when the run
    was scaled down (quick, --players) or the figure is missing."""
    out = []
    name, players, rooms = s["name"], s["players_per_room"], s["rooms"]
    scaled = "" if full_size else "scaled-down run: not evaluated"
    ok = s["status"] == "ok"
    if name in ("room-2000", "room-5000"):
        ratio = s.get("fanout_p99_ratio")
        met = None if ratio is None or not full_size else ratio <= FANOUT_RATIO
        out.append(target(f"fan-out p99 within {FANOUT_RATIO}x of the bare baseline "
                          f"at {players:,} players",
                          "n/a" if ratio is None else f"{ratio:.2f}x", met, scaled))
    if name == "room-10000":
        ans = s.get("answers") or {}
        clean = ok and s.get("game_completed") and ans.get("lost") == 0 \
            and ans.get("duplicated") == 0
        value = (f"game completed: {bool(s.get('game_completed'))}, lost "
                 f"{ans.get('lost', 'n/a')}, duplicated {ans.get('duplicated', 'n/a')}")
        out.append(target("a 10,000-player room plays a whole game with no lost or "
                          "duplicated answer", value, bool(clean) if full_size else None,
                          scaled))
    if rooms == 1 and name.startswith("room-"):
        jps = s.get("joins_per_s")
        complete = s.get("joined") == players
        met = None if jps is None or not full_size else (jps >= JOINS_PER_S and complete)
        note = scaled or ("" if complete or jps is None else "not every player joined")
        out.append(target(f"at least {JOINS_PER_S:,.0f} joins/s into one room",
                          "n/a" if jps is None else f"{jps:,.0f}/s", met, note))
    if rooms > 1:
        p99 = (s.get("ack_ms") or {}).get("p99")
        met = None if p99 is None or not full_size else p99 < ACK_P99_MS
        out.append(target(f"{rooms} rooms x {players} players: answer ack p99 under "
                          f"{ACK_P99_MS:.0f} ms", "n/a" if p99 is None else f"{p99:.1f} ms",
                          met, scaled))
    kib = s.get("memory_kib_per_player")
    met = None if kib is None or not full_size else kib <= KIB_PER_PLAYER
    out.append(target(f"at most {KIB_PER_PLAYER:.0f} KiB of server memory per connected "
                      "player", "n/a" if kib is None else f"{kib:.1f} KiB", met, scaled))
    return out


def idle_targets(s: Json, full_size: bool) -> list[Json]:
    out = []
    scaled = "" if full_size else "scaled-down run: not evaluated"
    created = s.get("created") or 0
    short_of = (f"only {created:,} rooms created: not evaluated unless already over"
                if created < s["rooms"] else "")
    for key, label in (("cpu_share_hosts_connected", "lobbies open (hosts connected)"),
                       ("cpu_share_after_release", "hosts gone, after --room-idle")):
        share = s.get(key)
        met = None if share is None or not full_size else share < IDLE_CORE_SHARE
        if met and short_of:  # fewer rooms than the target's: only a miss is conclusive
            met = None
        out.append(target(f"{s['rooms']:,} idle rooms in one process under "
                          f"{IDLE_CORE_SHARE:.0%} of a core: {label}",
                          "n/a" if share is None else
                          f"{share:.1%} of a core with {created:,} rooms", met,
                          scaled or short_of))
    return out


# ---------------------------------------------------------------------- Markdown


def fmt(value: Any, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return f"{value}{unit}"


def ms4(d: Json | None) -> str:
    if not d or not d.get("samples"):
        return "–"
    parts = [fmt(d.get(k)) for k in ("p50", "p95", "p99")]
    if "max" in d:
        parts.append(fmt(d.get("max")))
    return " / ".join(parts)


def mark(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not evaluated"}[met]


def markdown(report: Json) -> str:
    m, v, st = report["machine"], report["versions"], report["settings"]
    lines = [f"# Cardcade benchmark, {report['date']}", ""]
    lines += [f"Command: `{report['command']}` ({'quick' if report['quick'] else 'full'} suite, "
              f"{report['duration_s'] / 60:.1f} min, started {report['started']}).", ""]
    lines += ["## Machine", "", "| item | value |", "|---|---|",
              f"| CPUs | {m['cpus']} × {m['cpu_model']} |",
              f"| memory | {m['memory_gib']} GiB |",
              f"| kernel | {m['kernel']} |",
              f"| open files per process | {m['fd_limit']:,} |",
              f"| Cardcade server code | {m['git']} |"]
    lines += [f"| {k} | {val} |" for k, val in v.items()]
    lines += ["", "Everything runs on this machine over loopback: Redis, the server, the "
              "client processes and the coordinator share its CPUs, so absolute times drift "
              "from run to run; the ratio to the bare `websockets` baseline, measured in the "
              "same run by the same client code, is the headline.", ""]
    lines += ["## Settings", "",
              f"Each game: deck `{st['deck']}`, {st['rounds']} rounds of "
              f"{', '.join(st['round_mix'][:st['rounds']])} (round mix "
              f"{', '.join(st['round_mix'])}), quiz time limit {st['time_limit_s']} s, late join "
              f"on; every player answers each round after a think time drawn uniformly from "
              f"{st['think_min']}–{st['think_max']} s (right {st['accuracy']:.0%} of the time); "
              f"the round closes by itself when the last player has answered; the host moves "
              f"on {st['settle_s']} s after every player saw the reveal. Joins: at most "
              f"{st['join_concurrency']} in flight per client process; at most "
              f"{st['clients_per_process']:,} sockets per client process.", ""]

    games = [s for s in report["scenarios"] if s["kind"] == "game"]
    idles = [s for s in report["scenarios"] if s["kind"] == "idle"]
    lines += ["## Headline: round-open fan-out p99 against the bare baseline", "",
              "| scenario | players | Cardcade p99 | baseline p99 | ratio |",
              "|---|---|---|---|---|"]
    for h in report["headline"]:
        ratio = "–" if h["ratio"] is None else f"{h['ratio']:.2f}x"
        lines.append(f"| {h['scenario']} | {fmt(h['players'])} | {fmt(h['cardcade_p99_ms'])} ms"
                     f" | {fmt(h['baseline_p99_ms'])} ms | {ratio} |")
    lines.append("")

    if games:
        lines += ["## Scenarios", "",
                  "| scenario | status | players joined | joins/s | fan-out p50/p95/p99/max ms | "
                  "baseline p50/p95/p99/max ms | ack p50/p95/p99 ms | reveal to all p50/max ms | "
                  "CPU-s per 1,000 player-rounds | KiB per player | Redis cmds per answer | "
                  "lost / duplicated |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for s in games:
            ans = s.get("answers") or {}
            rev = s.get("reveal_all_ms") or {}
            base = (s.get("baseline") or {}).get("fanout_ms")
            expected = s["rooms"] * s["players_per_room"]
            lines.append(
                f"| {s['name']} | {status(s)} | {fmt(s.get('joined'))} of {fmt(expected)} | "
                f"{fmt(s.get('joins_per_s'), 0)} | {ms4(s.get('fanout_ms'))} | {ms4(base)} | "
                f"{ms4(s.get('ack_ms'))} | {fmt(rev.get('p50'))} / {fmt(rev.get('max'))} | "
                f"{fmt(s.get('cpu_s_per_1000_player_rounds'), 2)} | "
                f"{fmt(s.get('memory_kib_per_player'))} | "
                f"{fmt(s.get('redis_commands_per_answer'))} | "
                f"{fmt(ans.get('lost'))} / {fmt(ans.get('duplicated'))} |")
        lines.append("")
        for s in games:
            lines += scenario_details(s)
    for s in idles:
        lines += idle_details(s)

    lines += ["## Targets (issue 8)", "", "| scenario | target | value | |", "|---|---|---|---|"]
    for s in report["scenarios"]:
        for t in s.get("targets", []):
            note = f" ({t['note']})" if t["note"] else ""
            lines.append(f"| {s['name']} | {t['target']} | {t['value']} | {mark(t['met'])}"
                         f"{note} |")
    lines += ["", "## What the figures mean", "", MEANINGS, ""]
    return "\n".join(lines)


def status(s: Json) -> str:
    if s["status"] == "ok":
        return "ok"
    return f"{s['status']}: {short(s.get('reason') or '')}"


def short(reason: str, limit: int = 200) -> str:
    """A reason on one line for a table: a traceback shortened to its last line."""
    lines = [x.strip() for x in reason.splitlines() if x.strip()]
    if len(lines) > 1 and any(x.startswith("Traceback") for x in lines):
        head = lines[0].split("Traceback")[0].strip()
        reason = f"{head} … {lines[-1]}"
    else:
        reason = " ".join(lines)
    reason = reason.replace("|", "/")
    return reason if len(reason) <= limit else reason[:limit - 1] + "…"


def scenario_details(s: Json) -> list[str]:
    ans = s.get("answers") or {}
    base = s.get("baseline") or {}
    lines = [f"### {s['name']}", "", s["description"], ""]
    if s["status"] != "ok":
        lines += failure(s)
    rows = [
        ("server processes", fmt(s.get("workers"))),
        ("client processes", fmt(s.get("client_processes"))),
        ("players joined", f"{fmt(s.get('joined'))} of "
                           f"{fmt(s['rooms'] * s['players_per_room'])}"
                           + (f"; failed: {s['join_failed']}" if s.get("join_failed") else "")),
        ("joins per second (all joins, first connect to last `joined`)",
         f"{fmt(s.get('joins_per_s'), 0)} ({fmt(s.get('join_span_s'), 2)} s)"),
        ("join latency p50 / p95 / p99 ms", ms4(s.get("join_latency_ms"))),
        ("rounds played", fmt(s.get("rounds_played"))),
        ("round-open fan-out p50 / p95 / p99 / max ms", ms4(s.get("fanout_ms"))
         + (f" ({s['fanout_ms'].get('missing')} not received)"
            if (s.get("fanout_ms") or {}).get("missing") else "")),
        ("fan-out by round p50 / p99 / max ms", by_round(s.get("fanout_by_round_ms"))),
        ("round-open `room` frame", f"{fmt(s.get('open_frame_bytes'))} bytes"),
        ("answer ack p50 / p95 / p99 / max ms", ms4(s.get("ack_ms"))),
        ("reveal to all p50 / max ms (last answer sent -> last player has the reveal)",
         f"{fmt((s.get('reveal_all_ms') or {}).get('p50'))} / "
         f"{fmt((s.get('reveal_all_ms') or {}).get('max'))}"),
        ("server CPU-seconds per 1,000 player-rounds (game, joins excluded)",
         f"{fmt(s.get('cpu_s_per_1000_player_rounds'), 2)} "
         f"({fmt(s.get('game_cpu_s'), 1)} s for {fmt(s.get('player_rounds'))} player-rounds)"),
        ("server CPU-seconds per 1,000 joins", fmt(s.get("cpu_s_per_1000_joins"), 2)),
        ("Redis CPU-seconds per 1,000 player-rounds",
         fmt(s.get("redis_cpu_s_per_1000_player_rounds"), 2)),
        ("server memory per connected player",
         f"{fmt(s.get('memory_kib_per_player'))} KiB (RSS {fmt(s.get('rss_before_joins_kib'))}"
         f" -> {fmt(s.get('rss_after_joins_kib'))} KiB)"),
        ("Redis commands per answer (answer phases)",
         f"{fmt(s.get('redis_commands_per_answer'))}"
         + (f"; most: {top_commands(s)}" if s.get("redis_commands_by_answer") else "")),
        ("answers sent / acked / counted by the server",
         f"{fmt(ans.get('sent'))} / {fmt(ans.get('acked'))} / {fmt(ans.get('counted'))}"),
        ("answers refused", fmt(ans.get("refused") or 0)),
        ("lost (no reply, or acked but not counted)", fmt(ans.get("lost"))),
        ("duplicated (two acks for a round, or a score above the sum of its rounds)",
         fmt(ans.get("duplicated"))),
        ("scores below the sum of their rounds' points", fmt(ans.get("score_under"))),
        ("client errors", fmt(s.get("client_errors") or "none")),
        ("host errors", fmt(s.get("host_errors") or "none")),
        ("baseline: clients connected", f"{fmt(base.get('connected'))}"
         + (f"; failed: {base['connect_failed']}" if base.get("connect_failed") else "")),
        ("baseline: connects per second", fmt(base.get("connects_per_s"), 0)),
        ("baseline: fan-out p50 / p95 / p99 / max ms", ms4(base.get("fanout_ms"))),
        ("baseline: fan-out by round p50 / p99 / max ms",
         by_round(base.get("fanout_by_round_ms"))),
        ("baseline: server CPU-seconds per 1,000 frames delivered",
         fmt(base.get("cpu_s_per_1000_frames"), 3)),
        ("fan-out p99 / baseline p99", "–" if s.get("fanout_p99_ratio") is None
         else f"{s['fanout_p99_ratio']:.2f}x"),
        ("time taken", f"{fmt(s.get('duration_s'), 0)} s (budget {fmt(s.get('budget_s'), 0)} s)"),
        ("machine load average (1 min) at the start", fmt(s.get("load_before"), 2)),
        ("CPU used meanwhile by processes outside the suite",
         f"{fmt(pct100(s.get('other_cpu_share')), 1)}% of a core"),
    ]
    if base.get("status") and base["status"] != "ok":
        rows.append(("baseline status", f"{base['status']}: {base.get('reason')}"))
    lines += ["| figure | value |", "|---|---|"]
    lines += [f"| {k} | {str(val).replace('|', '/')} |" for k, val in rows]
    for note in s.get("notes", []):
        lines += ["", f"Note: {note}"]
    lines.append("")
    return lines


def failure(s: Json) -> list[str]:
    reason = str(s.get("reason") or "")
    lines = [f"**{s['status']}**: {short(reason, 400)}", ""]
    if "\n" in reason:
        lines += ["```text", reason.strip()[-3000:], "```", ""]
    if s.get("stage"):
        lines += [f"Stage reached: {s['stage']}.", ""]
    return lines


def by_round(d: Json | None) -> str:
    if not d:
        return "–"
    return "; ".join(f"{r}: {fmt(v.get('p50'))} / {fmt(v.get('p99'))} / {fmt(v.get('max'))}"
                     for r, v in d.items())


def rates(d: Json | None) -> str:
    if d is None:
        return "–"
    return ", ".join(f"{k} {v:,.1f}" for k, v in d.items()) or "none"


def top_commands(s: Json, n: int = 6) -> str:
    per = s["redis_commands_by_answer"]
    return ", ".join(f"{k} {v:.2f}" for k, v in list(per.items())[:n])


def idle_details(s: Json) -> list[str]:
    lines = [f"### {s['name']}", "", s["description"], ""]
    if s["status"] != "ok":
        lines += failure(s)
    rows = [
        ("rooms created", f"{fmt(s.get('created'))} of {fmt(s['rooms'])}"
         + (f"; refused: {s['create_failed']}" if s.get("create_failed") else "")),
        ("rooms created per second", fmt(s.get("creates_per_s"), 0)),
        ("server CPU per room created", f"{fmt(s.get('cpu_ms_per_room_created'), 2)} ms"),
        ("server CPU, lobbies open (hosts connected)",
         f"{fmt(pct100(s.get('cpu_share_hosts_connected')), 2)}% of a core over "
         f"{fmt(s.get('window_s'), 0)} s; `cardcade_rooms` gauge: "
         f"{fmt(s.get('rooms_run_hosts_connected'))}"),
        ("server CPU, hosts gone, after --room-idle",
         f"{fmt(pct100(s.get('cpu_share_after_release')), 2)}% of a core over "
         f"{fmt(s.get('window_s'), 0)} s; `cardcade_rooms` gauge: "
         f"{fmt(s.get('rooms_run_after_release'))}"),
        ("Redis commands per second, lobbies open", rates(s.get(
            "redis_commands_per_s_hosts_connected"))),
        ("Redis commands per second, after release", rates(s.get(
            "redis_commands_per_s_after_release"))),
        ("Redis CPU, lobbies open / after release",
         f"{fmt(pct100(s.get('redis_cpu_share_hosts_connected')), 1)}% / "
         f"{fmt(pct100(s.get('redis_cpu_share_after_release')), 1)}% of a core"),
        ("server RSS: empty / rooms open / after release",
         f"{fmt(s.get('rss_empty_kib'))} / {fmt(s.get('rss_open_kib'))} / "
         f"{fmt(s.get('rss_released_kib'))} KiB"),
        ("server memory per open room (hosts connected)",
         f"{fmt(s.get('memory_kib_per_room'))} KiB"),
        ("--room-idle", f"{fmt(s.get('room_idle_s'), 0)} s"),
        ("time taken", f"{fmt(s.get('duration_s'), 0)} s (budget {fmt(s.get('budget_s'), 0)} s)"),
        ("machine load average (1 min) at the start", fmt(s.get("load_before"), 2)),
        ("CPU used meanwhile by processes outside the suite",
         f"{fmt(pct100(s.get('other_cpu_share')), 1)}% of a core"),
    ]
    lines += ["| figure | value |", "|---|---|"]
    lines += [f"| {k} | {str(val).replace('|', '/')} |" for k, val in rows]
    for note in s.get("notes", []):
        lines += ["", f"Note: {note}"]
    lines.append("")
    return lines


def pct100(share: float | None) -> float | None:
    return None if share is None else share * 100


MEANINGS = """\
- **Round-open fan-out**: the host sends the action that opens a round (`start`, then
  `next` from the leaderboard); each player notes when its first `room` frame with phase
  `open` for that round arrives. Both times are wall-clock `time.time_ns()` on one
  machine; one sample per player and round. p50/p95/p99/max over all samples.
- **Baseline**: a bare `websockets` server (`benchmarks/baseline_server.py`, same event
  loop, no compression) broadcasts with `websockets.broadcast()` the very round-open frames
  Cardcade sent (same bytes) to the same number of clients in the same groups (one group
  per room), on one trigger message per group, received and parsed by the same client code.
  The ratio is Cardcade's p99 over the baseline's p99.
- **Answer ack**: a player's `answer` sent -> its `ack` received (monotonic clock).
- **Reveal to all**: the round closes by itself once every player has answered (protocol
  section 10), so this is the time from the last answer sent (latest send time over all
  players) to the last player receiving the `room` frame with phase `reveal`.
- **Joins per second**: players joined / time from the first connection attempt to the
  last `joined` (at most N joins in flight per client process, see Settings).
- **CPU-seconds per 1,000 player-rounds**: utime+stime of the server process(es) from
  /proc/<pid>/stat, from just before `start` to the podium (joins excluded: they are
  given per 1,000 joins), divided by players x rounds / 1,000.
- **Memory per connected player**: server RSS after all joins minus RSS with the empty room
  created, divided by the players joined (KiB; summed over workers).
- **Redis commands per answer**: the growth of `INFO commandstats` calls (every command,
  every client) from just before each round opens until every player saw its reveal,
  divided by the answers the server counted in those rounds.
- **Lost / duplicated answers**: *lost* = answers sent that got neither an `ack` nor an
  error, plus acked answers the server did not count (the reveal's `answered`); *duplicated*
  = extra `ack`s for one round, plus players whose final score is higher than the sum of
  the points their rounds gave (`me.last.points`).
- **Idle rooms**: N hosts create a room each (a lobby nobody joins) and stay connected; the
  server's CPU share of one core over a quiet window; then the hosts leave, and after
  `--room-idle` (when an abandoned room is released) a second window."""
