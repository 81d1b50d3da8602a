"""The owner of a room: reads its inbox stream, runs the state machine, commits, publishes.

Exactly one process runs a room at a time, holding the room's lease in Redis. It reads
input events in batches, applies them with `game_rules.machine.apply`, commits the new
state with the inbox position (so a new owner neither loses nor repeats an event) and
publishes one envelope of output per batch on the room's channel. Timers (the round's
deadline, the end of a dropped player's grace) are read from the state, so a new owner
continues them where the last one stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any, cast

from game_rules import machine as m
from game_rules.standings import Standings
from server import inbox, keys, outbox, protocol, views
from server.changes import Change
from server.store import LeaseLost, Loaded, RoomGone

if TYPE_CHECKING:
    from server.app import App

log = logging.getLogger("cardcade.runner")

BATCH = 200
BLOCK_MS = 1000
VIEW_INTERVAL_S = 0.1  # room and host views during a storm of joins or answers: at most this often

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def now_ms() -> int:
    return int(time.time() * 1000)


class RoomRunner:
    def __init__(self, app: App, code: str):
        self.app = app
        self.code = code
        self.keys = keys.room_keys(code)
        self.redis = app.redis
        self._renew = self.redis.register_script(_RENEW)
        self._release = self.redis.register_script(_RELEASE)
        self.task: asyncio.Task[None] | None = None
        self.timers_checked_ms = 0  # when DeadlineReached was last fed (see RoomState.wake_ms)
        self.standings = Standings()  # ranks, kept between changes of scores
        self.views_sent = 0.0  # monotonic time the last room view went out
        self.views_due = False  # the state changed since then

    async def acquire(self) -> bool:
        return bool(await self.redis.set(self.keys.lease, self.app.owner_id, nx=True,
                                         px=keys.LEASE_TTL_MS))

    async def release(self) -> None:
        await self._release(keys=[self.keys.lease], args=[self.app.owner_id])

    async def run(self) -> None:
        try:
            await self._loop()
        except LeaseLost as exc:
            log.warning("room %s: %s; stopping here", self.code, exc)
        except RoomGone as exc:
            log.info("%s; stopping", exc)
            await self.release()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("room %s: runner failed; releasing the room for a new owner", self.code)
            self.app.metrics.errors.inc("runner_crash")
            with contextlib.suppress(Exception):
                await self.release()
        finally:
            self.app.runners.pop(self.code, None)

    async def _loop(self) -> None:
        loaded = await self.app.store.load(self.code)
        if loaded is None:
            await self.release()
            return
        log.info("room %s: running (version %d, phase %s)", self.code, loaded.version,
                 loaded.state.phase)
        self.standings = Standings.of(loaded.state)
        renewed = active = time.monotonic()
        task = asyncio.current_task()
        while True:
            if task is not None and task.cancelling():
                # redis-py can swallow a task's cancellation when it arrives during a
                # command (redis/redis-py#2028): stop here rather than run on forever.
                raise asyncio.CancelledError
            if time.monotonic() - renewed > keys.LEASE_TTL_MS / 3000:
                if not await self._renew(keys=[self.keys.lease],
                                         args=[self.app.owner_id, keys.LEASE_TTL_MS]):
                    raise LeaseLost("lease expired")
                renewed = time.monotonic()
            block = BLOCK_MS
            wake = loaded.state.wake_ms(self.timers_checked_ms)
            if wake is not None:
                block = max(1, min(block, wake - now_ms() + 1))
            if self.views_due:  # coalesced views to send
                block = max(1, min(block, int((self.views_sent + VIEW_INTERVAL_S
                                               - time.monotonic()) * 1000) + 1))
            reply = cast(list[Any], await self.app.blocking.xread(
                {self.keys.inbox: loaded.last_id}, count=BATCH, block=block))  # RESP2: a list
            entries = reply[0][1] if reply else []
            if entries:
                active = time.monotonic()
            elif wake is None and not self.views_due and self._idle(active):
                log.info("room %s: idle, released until someone comes back", self.code)
                await self.release()
                return
            # Expiry needs a check only when idle: a commit refuses an expired room itself.
            elif not await self.app.store.exists(self.code):
                raise RoomGone(f"room {self.code} has expired")
            loaded = await self._process(loaded, entries)

    def _idle(self, active: float) -> bool:
        """No input for a while and nobody here (the caller checked there is no timer to
        run): the room costs nothing until a connection, here or elsewhere, runs it again."""
        idle_s = self.app.config.idle_release_s
        return (idle_s > 0 and time.monotonic() - active > idle_s
                and not self.app.hub.rooms.get(self.code))

    async def _process(self, loaded: Loaded, entries: list[Any]) -> Loaded:
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
        wake, now = state.wake_ms(self.timers_checked_ms), now_ms()
        if wake is not None and now >= wake:
            event = m.DeadlineReached(state.round_index)
            state, out = m.apply(game, state, event, now)
            change.note(event, state, out, None)
            self.timers_checked_ms = now
            effects += out
        changed = state is not loaded.state
        self.views_due = self.views_due or changed
        # Room and host views go out at once for a new phase or a host's step, else at most
        # every VIEW_INTERVAL_S (a storm of joins or answers moves the counters smoothly).
        send_views = self.views_due and (
            change.urgent or time.monotonic() - self.views_sent >= VIEW_INTERVAL_S)
        if not entries and not changed and not send_views:
            return loaded
        seq = loaded.seq + 1 if send_views else loaded.seq
        version = await self.app.store.commit(
            self.code, self.app.owner_id, loaded.version, state if changed else None,
            last_id, seq, change)
        if change.rescored:
            self.standings = Standings.of(state)
        else:
            for pid in change.joined:
                if pid in state.players:
                    self.standings.add_newcomer(pid)
        loaded = Loaded(game, loaded.deck_title, state, version, last_id, seq)
        await self._publish(loaded, effects, change, send_views)
        return loaded

    async def _publish(self, loaded: Loaded, effects: list[m.Effect], change: Change,
                       send_views: bool) -> None:
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
        seq, state, game = loaded.seq, loaded.state, loaded.game
        # A join or an answer changes no one else's own view: a newcomer scores 0, which
        # moves nobody's rank. Those views go out at once, with the last room view's seq.
        only = None if change.everyone else change.touched
        mes = views.me_views(game, state, seq, only, self.standings) if only != set() else {}
        room = host = None
        if send_views:
            self.app.metrics.note_room(self.code, state)
            room = protocol.encode(views.room_view(self.code, loaded.deck_title, game, state,
                                                   seq, now_ms(), self.standings))
            host = protocol.encode(views.host_view(state, seq, self.app.join_url(self.code),
                                                   self.standings))
            self.views_sent, self.views_due = time.monotonic(), False
        out = None
        if room is not None or mes:
            out = outbox.Views(seq=seq, room=room, host=host,
                               me={pid: protocol.encode(v) for pid, v in mes.items()})
        if out is not None or notices:
            cached = {"room": room, "host": host} if room is not None and host is not None else {}
            await self.app.store.publish(self.code, outbox.Envelope(tuple(notices), out).encode(),
                                         cached)
