"""One room run by this process: apply a batch of its input, commit, publish.

Exactly one process runs a room at a time, holding the room's lease in Redis
(`server.lease`); `server.owner` reads the inboxes of all the rooms a process runs and
hands each runner its batch. A runner applies the batch with `game_rules.machine.apply`,
commits what it changed with the inbox position (so a new owner neither loses nor repeats
an event) and publishes one envelope of output per batch on the room's channel. Timers
(the round's deadline, the end of a dropped player's grace, a coalesced room view) are
read from the state and the runner, so a new owner continues them where the last stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from redis.exceptions import RedisError

from game_rules import machine as m
from game_rules.report import room_report
from game_rules.standings import Standings
from server import inbox, keys, outbox, protocol, views
from server.changes import Change
from server.clock import now_ms
from server.competitions import Competitions
from server.export import results_json
from server.metrics import Metrics
from server.store import Loaded, Store

log = logging.getLogger("cardcade.runner")

# Room and host views during a storm of joins or answers: at most one per VIEW_INTERVAL_S,
# and in a big room fewer, so that their fan-out stays under FANOUT_PER_S socket writes a
# second (each write is a system call: 10,000 of them take about a quarter of a core).
VIEW_INTERVAL_S = 0.1
FANOUT_PER_S = 10_000


def view_interval_s(players: int) -> float:
    """Seconds between coalesced room views: 0.1 up to 1,000 players, 1 at 10,000."""
    return max(VIEW_INTERVAL_S, players / FANOUT_PER_S)


class RoomRunner:
    def __init__(self, code: str, owner_id: str, store: Store, out: outbox.Outbox,
                 metrics: Metrics, join_url: Callable[[str], str],
                 competitions: Competitions):
        self.code = code
        self.owner_id = owner_id
        self.keys = keys.room_keys(code)
        self.store = store
        self.competitions = competitions
        self.board_behind = False  # the competition's board missed a write (see _record)
        self.report_due = False  # the room's report is to be saved in its competition
        self.outbox = out
        self.metrics = metrics
        self.join_url = join_url(code)
        self.loaded: Loaded | None = None
        self.active = time.monotonic()  # when input last came
        self._via: tuple[int, set[str]] = (-1, set())  # (version, `connected_via`)
        self.timers_checked_ms = 0  # when DeadlineReached was last fed (see RoomState.wake_ms)
        self.standings = Standings()  # ranks, kept between changes of scores
        self.views_sent = 0.0  # monotonic time the last room view went out
        self.views_due = False  # the state changed since then

    async def start(self) -> bool:
        """Load the room; False if it is gone."""
        loaded = await self.store.load(self.code)
        if loaded is None:
            return False
        log.info("room %s: running (version %d, phase %s)", self.code, loaded.version,
                 loaded.state.phase)
        self.loaded, self.standings = loaded, Standings.of(loaded.state)
        self.board_behind = loaded.competition is not None  # write every total once
        self.report_due = loaded.competition is not None and loaded.state.phase == "podium"
        await self._record(loaded, Change())
        return True

    async def _save_report(self, loaded: Loaded) -> None:
        """Keep the room's report in its competition, at the podium (it outlives the room).
        Tried again at the next step if Redis fails."""
        assert loaded.competition is not None
        try:
            answers = await self.store.all_answers(self.code)
            report = room_report(loaded.game, loaded.state, answers)
            text = results_json(report, self.code, loaded.deck_title, loaded.state.phase)
            await self.competitions.save_report(loaded.competition, self.code, text.decode())
        except RedisError as exc:
            log.warning("room %s: report not saved in competition %s (%s); will retry",
                        self.code, loaded.competition, exc)
        else:
            self.report_due = False

    async def _record(self, loaded: Loaded, change: Change) -> None:
        """Bring the competition's board up to date with what `change` did: the totals of
        every player after a round closed or a kick (once per round), else the newcomers'.
        The room's own state is committed already: a write that fails is logged and done in
        full at the next step (totals are written as they are, so twice does no harm)."""
        if loaded.competition is None:
            return
        state = loaded.state
        if self.board_behind or change.rescored:
            pids: list[str] = list(state.players)
            removed = list(state.kicked_ids)
        else:
            pids, removed = [p for p in change.joined if p in state.players], []
        if not pids and not removed:
            return
        totals = {pid: (state.players[pid].nickname, state.players[pid].score) for pid in pids}
        try:
            await self.competitions.record(loaded.competition, self.code, totals, removed)
        except RedisError as exc:
            log.warning("room %s: competition %s board not written (%s); will retry",
                        self.code, loaded.competition, exc)
            self.board_behind = True
        else:
            self.board_behind = False

    @property
    def last_id(self) -> str:
        assert self.loaded is not None
        return self.loaded.last_id

    def due_in_s(self) -> float | None:
        """Seconds until this room has something to do without input (a timer, coalesced
        views to send); None if nothing."""
        assert self.loaded is not None
        due: list[float] = []
        wake = self.loaded.state.wake_ms(self.timers_checked_ms)
        if wake is not None:
            due.append((wake - now_ms()) / 1000)
        if self.views_due:
            due.append(self.views_sent + self._interval() - time.monotonic())
        return max(0.0, min(due)) if due else None

    def _interval(self) -> float:
        assert self.loaded is not None
        return view_interval_s(len(self.loaded.state.players))

    async def step(self, entries: list[Any], *, more: bool = False,
                   local: Sequence[m.Event] = ()) -> None:
        """Apply a batch of inbox entries (maybe none: timers) and then the `local` events
        (found by the owner, not sent by anyone), commit and publish. `more`: the inbox
        holds entries past this batch, so no deadline fires yet (they may be answers that
        arrived in time)."""
        assert self.loaded is not None
        if entries:
            self.active = time.monotonic()
        self.loaded = await self._process(self.loaded, entries, more, local)

    def connected_via(self) -> set[str]:
        """The server processes this room's connected players are connected through."""
        assert self.loaded is not None
        if self._via[0] != self.loaded.version:
            players = self.loaded.state.players.values()
            self._via = (self.loaded.version, {p.via for p in players if p.connected and p.via})
        return self._via[1]

    async def _process(self, loaded: Loaded, entries: list[Any], more: bool,
                       local: Sequence[m.Event]) -> Loaded:
        game, state = loaded.game, loaded.state
        effects: list[m.Effect] = []
        change = Change()
        last_id = loaded.last_id
        for entry_id, fields in entries:
            last_id = entry_id.decode()
            try:
                event, token_hash = inbox.decode(fields[b"e"])
            except (ValueError, KeyError, TypeError) as exc:
                log.error("room %s: bad inbox entry %s: %s", self.code, last_id, exc)
                continue
            state, out = m.apply(game, state, event, now_ms())
            change.note(event, state, out, token_hash)
            effects += out
        for event in local:
            state, out = m.apply(game, state, event, now_ms())
            change.note(event, state, out, None)
            effects += out
        wake, now = state.wake_ms(self.timers_checked_ms), now_ms()
        if wake is not None and now >= wake and not more:
            event = m.DeadlineReached(state.round_index)
            state, out = m.apply(game, state, event, now)
            change.note(event, state, out, None)
            self.timers_checked_ms = now
            effects += out
        changed = state is not loaded.state
        self.views_due = self.views_due or changed
        # Room and host views go out at once for a new phase or a host's step, else at most
        # every `view_interval_s` (a storm of joins or answers moves the counters smoothly).
        send_views = self.views_due and (
            change.urgent or time.monotonic() - self.views_sent >= self._interval())
        if not entries and not changed and not send_views:
            return loaded
        seq = loaded.seq + 1 if send_views else loaded.seq
        # Ranks and views before the commit: the envelopes go out in the commit's own
        # script (a commit that fails drops this runner, its standings with it).
        if change.rescored:
            self.standings = Standings.of(state)
        else:
            for pid in change.joined:
                if pid in state.players:
                    self.standings.add_newcomer(pid, state.players[pid].team)
        envelopes = self._envelopes(loaded.game, loaded.deck_title, state, seq, effects,
                                    change, send_views)
        # A room of a competition writes its board (and report) before its views go out,
        # so whoever sees them can read those: it publishes after the commit.
        apart = loaded.competition is not None
        first = envelopes[0].views if envelopes else None
        kept = (first.room, first.host) if first and first.room and first.host else None
        version = await self.store.commit(
            self.code, self.owner_id, loaded.version, state if changed else None, last_id, seq,
            change, publish=() if apart else [e.encode() for e in envelopes],
            views=None if apart else kept)
        loaded = Loaded(game, loaded.deck_title, state, version, last_id, seq,
                        loaded.competition)
        await self._record(loaded, change)
        if any(isinstance(e, m.GameOver) for e in effects):
            self.report_due = loaded.competition is not None
        if self.report_due:
            await self._save_report(loaded)
        if apart:
            for envelope in envelopes:
                await self.outbox.publish(self.code, envelope)
        if change.everyone:
            await self._everyones_views(loaded)
        return loaded

    async def _everyones_views(self, loaded: Loaded) -> None:
        """Every player's own view, after the room view that changed them all went out."""
        mes = views.me_views(loaded.game, loaded.state, loaded.seq, None, self.standings)
        if mes:
            await self.outbox.publish(
                self.code, outbox.Envelope((), outbox.Views(loaded.seq, None, None, mes)))

    def _envelopes(self, game: m.Game, deck_title: str, state: m.RoomState, seq: int,
                   effects: list[m.Effect], change: Change, send_views: bool
                   ) -> list[outbox.Envelope]:
        """What a batch publishes, in order: its notices and views (none, one or two
        envelopes). Only the first may carry room and host views."""
        notices: list[outbox.Notice] = []
        for effect in effects:
            match effect:
                case m.Rejected(to=to, code=code, message=message):
                    notices.append(outbox.error(to, code, message))
                case m.Joined(player_id=pid):
                    notices.append(outbox.joined(pid))
                case m.AnswerAccepted(player_id=pid, round_index=index):
                    notices.append(outbox.ack(pid, index))
                case m.Kicked(player_id=pid):
                    notices.append(outbox.kicked(pid))
        out: list[outbox.Envelope] = []
        room = host = None
        if send_views:
            self.metrics.note_room(self.code, state)
            room = protocol.encode(views.room_view(self.code, deck_title, game, state,
                                                   seq, now_ms(), self.standings))
            host = views.host_frame(state, seq, self.join_url, self.standings, game.settings)
            self.views_sent, self.views_due = time.monotonic(), False
        if change.everyone:
            # Everyone's own view changed (a round opened or closed...): the room view goes
            # out first, and the players' views, one per player, after the commit
            # (`_everyones_views`: building 10,000 of them must not hold the room view up).
            if room is not None or notices:
                views_out = outbox.Views(seq, room, host) if room is not None else None
                out.append(outbox.Envelope(tuple(notices), views_out))
            return out
        # A join or an answer changes no one else's own view: a newcomer scores 0, which
        # moves nobody's rank. Those views go out at once, with the last room view's seq.
        only = change.touched
        mes = views.me_views(game, state, seq, only, self.standings) if only else {}
        views_out = outbox.Views(seq, room, host, mes) if room is not None or mes else None
        if views_out is not None or notices:
            out.append(outbox.Envelope(tuple(notices), views_out))
        return out
