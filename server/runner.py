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
from server import inbox, keys, outbox, protocol, views
from server.store import LeaseLost, Loaded, RoomGone

if TYPE_CHECKING:
    from server.app import App

log = logging.getLogger("cardcade.runner")

BATCH = 200
BLOCK_MS = 1000

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
            reply = cast(list[Any], await self.app.blocking.xread(
                {self.keys.inbox: loaded.last_id}, count=BATCH, block=block))  # RESP2: a list
            entries = reply[0][1] if reply else []
            if entries:
                active = time.monotonic()
            elif wake is None and self._idle(active):
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
        tokens: dict[str, str] = {}
        last_id = loaded.last_id
        for entry_id, fields in entries:
            last_id = entry_id.decode()
            try:
                event, token_hash = inbox.decode(fields[b"e"])
            except (ValueError, KeyError, TypeError) as exc:
                log.error("room %s: bad inbox entry %s: %s", self.code, last_id, exc)
                continue
            state, out = m.apply(game, state, event, now_ms())
            effects += out
            if isinstance(event, m.PlayerJoin) and token_hash and \
                    any(isinstance(e, m.Joined) for e in out):
                tokens[token_hash] = event.player_id
        wake, now = state.wake_ms(self.timers_checked_ms), now_ms()
        if wake is not None and now >= wake:
            state, out = m.apply(game, state, m.DeadlineReached(state.round_index), now)
            self.timers_checked_ms = now
            effects += out
        if not entries and state is loaded.state:
            return loaded
        changed = state is not loaded.state
        scores_moved = any(isinstance(e, (m.RoundClosed, m.Joined, m.Kicked)) for e in effects)
        version = await self.app.store.commit(
            self.code, self.app.owner_id, loaded.version, state if changed else None,
            last_id, tokens, write_scores=scores_moved,
        )
        loaded = Loaded(game, loaded.deck_title, state, version, last_id)
        await self._publish(loaded, effects, changed)
        return loaded

    async def _publish(self, loaded: Loaded, effects: list[m.Effect], changed: bool) -> None:
        notices: list[outbox.Notice] = []
        everyone = False
        touched: set[str] = set()
        for effect in effects:
            match effect:
                case m.Rejected(to=to, code=code, message=message):
                    notices.append(outbox.error(to, code, message))
                case m.Joined(player_id=pid):
                    notices.append(outbox.joined(pid))
                    touched.add(pid)
                case m.AnswerAccepted(player_id=pid, round_index=index):
                    notices.append(outbox.ack(pid, index))
                    touched.add(pid)
                case m.Kicked(player_id=pid):
                    notices.append(outbox.kicked(pid))
                    everyone = True  # the ranks below the kicked player move up
                case m.RoundOpened() | m.RoundClosed() | m.LeaderboardShown() | m.GameOver():
                    everyone = True
                # PlayersChanged (a join, a connection, a lock) changes no one else's own
                # view: a newcomer scores 0, which moves nobody's rank.
        out = None
        if changed:
            self.app.metrics.note_room(self.code, loaded.state)
            seq, state = loaded.version, loaded.state
            mes = views.me_views(loaded.game, state, seq, None if everyone else touched)
            out = outbox.Views(
                seq=seq,
                room=protocol.encode(views.room_view(self.code, loaded.deck_title, loaded.game,
                                                     state, seq, now_ms())),
                host=protocol.encode(views.host_view(state, seq, self.app.join_url(self.code))),
                me={pid: protocol.encode(v) for pid, v in mes.items()},
            )
        if out is not None or notices:
            envelope = outbox.Envelope(tuple(notices), out)
            await self.redis.publish(self.keys.channel, envelope.encode())
