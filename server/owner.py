"""The rooms this process runs, in one loop.

One XREAD reads the inboxes of the rooms the process owns, and its own wake stream (so a
room taken on while the read blocks, or a quiet room that gets input, is read at once):
the busy rooms at every round trip, a quiet one when its doorbell rings. Each room with
input, or with a timer due, gets a step; all the steps of a round trip run concurrently.
The process's heartbeat, which holds all its rooms' leases (`server.lease`), beats in a
task of its own. A room with no
input, no timer and no sockets here for `idle_release_s` is given back: an idle room costs
nothing until someone comes back.

On Redis Cluster one XREAD cannot span the rooms' hash slots: the loop blocks on the
doorbell alone and then reads the inboxes it named (`Owner._read_by_slot`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from game_rules import machine as m
from server import keys
from server.competitions import Competitions
from server.lease import Leases
from server.metrics import Metrics
from server.outage import Outage, unreachable
from server.outbox import Outbox
from server.redis_url import is_cluster
from server.runner import RoomRunner
from server.store import LeaseLost, RoomGone, Store

log = logging.getLogger("cardcade.owner")

BATCH = 200  # inbox entries per room per read
BLOCK_S = 1.0  # the longest a read blocks
BEAT_RETRY_S = 0.25  # how soon a heartbeat that failed (Redis away) is tried again
IDLE_CHECK_S = 10.0  # how often rooms are checked for being idle (`_release_idle`)
AUDIT_S = 60.0  # how often quiet rooms are checked for having expired or moved elsewhere
COLD_AFTER_S = 5.0  # a room with no input for this long and no timer running is quiet
PRESENCE_CHECK_S = 2.0  # how often players' processes are checked for having died
QUIET_READ_S = 60.0  # every room is read this often too, in case a doorbell went astray
LOOP_RETRY_S = 0.5  # how soon the rooms loop tries again after a failed round trip


class Owner:
    def __init__(self, blocking: aioredis.Redis, leases: Leases, store: Store, out: Outbox,
                 metrics: Metrics, join_url: Callable[[str], str],
                 has_sockets: Callable[[str], bool], idle_release_s: float):
        self.blocking = blocking  # one connection: the read blocks on it
        self.leases = leases
        self.beat_every_s = leases.ttl_ms / 3000  # three beats in a heartbeat's life
        self.store = store
        self.competitions = Competitions(store.redis)  # the boards its rooms write to
        self.outbox = out
        self.metrics = metrics
        self.join_url = join_url
        self.has_sockets = has_sockets
        self.idle_release_s = idle_release_s
        self.runners: dict[str, RoomRunner] = {}
        self._wake_key = keys.process_wake(leases.owner_id)
        self._wake_id = "0-0"
        self._tasks: list[asyncio.Task[None]] = []
        self._added = asyncio.Event()
        self._busy: set[str] = set()  # rooms read at every round trip (see `_round`)
        self._more: set[str] = set()  # rooms whose last read left entries to read
        self.cluster = is_cluster(blocking)
        self._full_read = 0.0  # when every room's inbox was last read
        # While this process cannot renew its heartbeat (Redis is away), and for a beat
        # after it can again, no other process is taken for dead (see `_may_judge`).
        self._beat_failing = False
        self._judge_after = 0.0
        self._rerun: set[str] = set()  # rooms to run again from Redis (see `_step`)
        # One WARNING when Redis goes away, one INFO when it is back, per loop.
        self._loop_log = Outage(log, "rooms loop", f"trying again every {LOOP_RETRY_S:g} s; "
                                "its rooms run on from their state in Redis once it answers")
        self._beat_log = Outage(log, "heartbeat", f"renewing it every {BEAT_RETRY_S:g} s; no "
                                "other process is taken for dead meanwhile")
        self._watch_log = Outage(log, "take-over check", "trying again at the next check")

    def _may_judge(self) -> bool:
        """Whether a process whose heartbeat is missing may be taken for dead. Not while this
        process cannot renew its own (Redis is away), nor for a beat after it can again:
        when Redis comes back after more than a heartbeat's life, every process's heartbeat
        has run out, and each needs a moment to renew it. Without this, the processes took
        each other's rooms and dropped each other's players as soon as Redis was back."""
        return not self._beat_failing and time.monotonic() >= self._judge_after

    async def ensure(self, code: str) -> None:
        """Run the room here if no process holds its lease."""
        if code in self.runners or not await self.leases.acquire(
                code, take_lapsed=self._may_judge()):
            return
        runner = RoomRunner(code, self.leases.owner_id, self.store, self.outbox, self.metrics,
                            self.join_url, self.competitions)
        if not await runner.start():
            await self.leases.release(code)
            return
        self.runners[code] = runner
        self._busy.add(code)
        assert runner.loaded is not None
        self.metrics.note_room(code, runner.loaded.state)
        self._added.set()
        # Wake the read blocked on the other rooms, so this room's input is read now.
        async with self.store.redis.pipeline(transaction=False) as pipe:
            pipe.xadd(self._wake_key, {"r": code}, maxlen=keys.WAKE_MAXLEN, approximate=True)
            pipe.pexpire(self._wake_key, keys.ROOM_TTL_MS)
            await pipe.execute()

    async def take_over(self, codes: list[str]) -> None:
        """Run those of `codes` whose owner went away (their lease is free): one look at
        all their leases, not a SET NX per room every second."""
        if not self._may_judge():
            return
        try:
            orphans = await self.leases.free([c for c in codes if c not in self.runners])
        except Exception as exc:
            self._watch_log.failed(exc)
            return
        for code in orphans:
            try:
                await self.ensure(code)
            except Exception as exc:
                if not unreachable(exc):
                    log.exception("room %s: could not take its lease", code)
                self._watch_log.failed(exc)
                return
        self._watch_log.ok()

    async def start(self) -> None:
        await self.leases.beat()  # before any lease is taken
        self._tasks = [asyncio.create_task(self._run(), name="rooms"),
                       asyncio.create_task(self._beat(), name="heartbeat")]

    async def stop(self) -> None:
        """Stop the loops, then hand every room back (release the leases)."""
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):
            await self.leases.release(*self.runners)
        await self.leases.stop()
        await self.store.redis.delete(self._wake_key)
        self.runners.clear()

    async def _beat(self) -> None:
        """Keep the heartbeat that holds every lease of this process, on a clock of its
        own: a slow round trip of the rooms loop (thousands of sockets closing at once,
        say) must not let it lapse. A beat that failed (Redis away) is tried again every
        BEAT_RETRY_S, so the heartbeat is back as soon as Redis is."""
        while True:
            await asyncio.sleep(BEAT_RETRY_S if self._beat_failing else self.beat_every_s)
            try:
                await self.leases.beat()
            except Exception as exc:
                self._beat_log.failed(exc)
                self._beat_failing = True
                continue
            self._beat_log.ok()
            if self._beat_failing:
                self._beat_failing = False
                self._judge_after = time.monotonic() + self.beat_every_s + BEAT_RETRY_S

    async def _run(self) -> None:
        checked = audited = presence = time.monotonic()
        task = asyncio.current_task()
        while True:
            if task is not None and task.cancelling():
                # redis-py can swallow a task's cancellation when it arrives during a
                # command (redis/redis-py#2028): stop here rather than run on forever.
                raise asyncio.CancelledError
            failures = self._loop_log.failures  # a step may fail without raising here
            try:
                if time.monotonic() - audited > AUDIT_S:
                    await self._forget_lost()
                    await self._forget_expired()
                    audited = time.monotonic()
                if time.monotonic() - checked > IDLE_CHECK_S:
                    await self._release_idle()
                    checked = time.monotonic()
                if self._rerun:
                    await self._run_again()
                if time.monotonic() - presence > PRESENCE_CHECK_S:
                    await self._drop_dead_connections()
                    presence = time.monotonic()
                if not self.runners:
                    if self._loop_log.failures == failures:
                        self._loop_log.ok()
                    self._added.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._added.wait(), BLOCK_S)
                    continue
                await self._round()
                if self._loop_log.failures == failures:
                    self._loop_log.ok()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._loop_log.failed(exc)
                await asyncio.sleep(LOOP_RETRY_S)

    async def _round(self) -> None:
        """One read of the inboxes, then a step for each room with input or a timer due.

        Every read covers the busy rooms (input in the last COLD_AFTER_S, or a timer
        running). A push to a quiet room rings this process's doorbell (`server.inbox`:
        the room's code on the wake stream, which every read covers), which makes the
        room busy: its input is read at the next round trip. All the rooms are read once
        every QUIET_READ_S too, in case a doorbell went astray (a read naming 10,000 rooms
        costs ~100 ms in redis-py alone). So a round trip costs the
        same with 30 or 10,000 lobbies waiting."""
        now = time.monotonic()
        full = now - self._full_read >= QUIET_READ_S
        if full:
            self._full_read = now
        dues = [d for c in self._busy if (r := self.runners.get(c)) is not None
                and (d := r.due_in_s()) is not None]
        block = min([BLOCK_S, self._full_read + QUIET_READ_S - now, *dues])
        read = await (self._read_by_slot if self.cluster else self._read)(full, block)
        rooms = (list(self.runners.items()) if full else
                 [(c, r) for c in self._busy if (r := self.runners.get(c)) is not None])
        steps = []
        now = time.monotonic()
        for code, runner in rooms:
            entries = read.get(code, [])
            due = runner.due_in_s()
            if entries or (due is not None and due <= 0):
                self._busy.add(code)
                more = len(entries) >= BATCH
                if more and self.cluster:
                    self._more.add(code)  # read again at once (`_read_by_slot`)
                steps.append(self._step(code, runner, entries, more=more))
            elif due is None and now - runner.active > COLD_AFTER_S:
                self._busy.discard(code)  # quiet: read when its doorbell rings
        await asyncio.gather(*steps)

    def _rung(self, wake: list[Any]) -> list[str]:
        """The rooms named by doorbell entries: busy now, and active (input came)."""
        self._wake_id = wake[-1][0].decode()
        codes = [entry[1][b"r"].decode() for entry in wake]
        now = time.monotonic()
        for code in codes:
            if (runner := self.runners.get(code)) is not None:
                self._busy.add(code)
                runner.active = now
        return codes

    async def _read(self, full: bool, block: float) -> dict[str, list[Any]]:
        """One XREAD over the doorbell and the inboxes of the busy rooms (of every room on
        a `full` read): each room's new entries, by code. A rung room is read next time."""
        rooms = [(c, r) for c in (self.runners if full else self._busy)
                 if (r := self.runners.get(c)) is not None]
        streams: dict[Any, Any] = {self._wake_key: self._wake_id}
        streams.update({r.keys.inbox: r.last_id for _, r in rooms})
        reply = cast(list[Any], await self.blocking.xread(
            streams, count=BATCH, block=max(1, int(block * 1000))))  # RESP2: a list
        read = {name.decode(): entries for name, entries in reply or []}
        wake = read.pop(self._wake_key, None)
        if wake:
            self._rung(wake)
        return {c: entries for c, r in rooms if (entries := read.get(r.keys.inbox))}

    async def _read_by_slot(self, full: bool, block: float) -> dict[str, list[Any]]:
        """On Redis Cluster one XREAD cannot span the rooms' hash slots: block on the
        doorbell alone (every push rings it there, `server.inbox`), then read the inboxes
        of the rooms it named, or that had more to read (every room on a `full` read), an
        XREAD each, in one pipeline."""
        urgent = full or bool(self._more)
        reply = cast(list[Any], await self.blocking.xread(
            {self._wake_key: self._wake_id}, count=BATCH,
            block=None if urgent else max(1, int(block * 1000))))
        rung = self._rung(reply[0][1]) if reply else []
        codes = list(self.runners) if full else [
            c for c in {*rung, *self._more} if c in self.runners]
        self._more.clear()
        if not codes:
            return {}
        async with self.store.redis.pipeline(transaction=False) as pipe:
            for code in codes:
                pipe.xread({keys.room_keys(code).inbox: self.runners[code].last_id},
                           count=BATCH)
            replies = await pipe.execute()
        return {code: reply[0][1] for code, reply in zip(codes, replies, strict=True) if reply}

    async def _drop_dead_connections(self) -> None:
        """Players connected through a process that died (its heartbeat ran out, and it
        never said they left) are disconnected, so no round waits for them: one look at
        the few processes named, then a step for each room that had such players."""
        if not self._may_judge():
            return
        rooms_of: dict[str, list[str]] = {}
        me = self.leases.owner_id
        for code, runner in self.runners.items():
            for via in runner.connected_via():  # mostly empty (a lobby) or just `me`
                if via != me:
                    rooms_of.setdefault(via, []).append(code)
        if not rooms_of:
            return
        dead = await self.leases.gone(list(rooms_of))
        gone: dict[str, list[m.Event]] = {}
        for via in dead:
            log.warning("process %s stopped without closing its sockets; its players in "
                        "%d room(s) are disconnected", via, len(rooms_of[via]))
            for code in rooms_of[via]:
                gone.setdefault(code, []).append(m.ProcessGone(via))
        await asyncio.gather(*(self._step(code, self.runners[code], [], local=events)
                               for code, events in gone.items() if code in self.runners))

    async def _release_idle(self) -> None:
        """Give back the quiet rooms nobody is connected to here (see `_idle`)."""
        now = time.monotonic()
        idle = [c for c, r in self.runners.items()
                if self._idle(c, r, now) and c not in self._busy and r.due_in_s() is None]
        for code in idle:
            log.debug("room %s: idle, released until someone comes back", code)
            self._drop(code, None)
        if idle:
            log.info("%d idle room(s) released until someone comes back", len(idle))
            await self.leases.release(*idle)

    async def _step(self, code: str, runner: RoomRunner, entries: list[Any], *,
                    more: bool = False, local: Sequence[m.Event] = ()) -> None:
        try:
            await runner.step(entries, more=more, local=local)
        except LeaseLost as exc:
            self._drop(code, str(exc))
            # Run it again if the lease is still this process's: the state moved under a
            # commit whose reply was lost with its connection, and which was sent again.
            self._rerun.add(code)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            # Redis went away during the step. The lease still names this process, which
            # keeps its heartbeat: releasing the room (which fails too) and forgetting it
            # left it run by no one. Its state in Redis is the last commit: run it again
            # from there once Redis answers (the batch is read again from the inbox).
            log.debug("room %s: Redis failed during a step (%s); it runs again from its "
                      "state in Redis once Redis answers", code, exc)
            self._loop_log.failed(exc)
            self._drop(code, None)
            self._rerun.add(code)
        except RoomGone as exc:
            self._drop(code, str(exc))
            await self.leases.release(code)
        except Exception:
            log.exception("room %s: runner failed; releasing the room for a new owner", code)
            self.metrics.errors.inc("runner_crash")
            self._drop(code, None)
            with contextlib.suppress(Exception):
                await self.leases.release(code)

    async def _run_again(self) -> None:
        """Run again the rooms a step left (see `_step`), where this process still holds
        their lease (raises while Redis is away: tried again at the next round trip)."""
        for code in list(self._rerun):
            await self.ensure(code)
            self._rerun.discard(code)

    def _idle(self, code: str, runner: RoomRunner, now: float) -> bool:
        """No input for a while and nobody here: the room costs nothing until a
        connection, here or elsewhere, runs it again."""
        return (self.idle_release_s > 0 and now - runner.active > self.idle_release_s
                and not self.has_sockets(code))

    async def _forget_lost(self) -> None:
        """Stop running rooms another process took while this one stalled (a commit finds
        that out by itself; this is for rooms that have nothing to commit)."""
        for code in await self.leases.lost(list(self.runners)):
            self._drop(code, "another process runs it now")

    async def _forget_expired(self) -> None:
        """Stop running rooms whose state expired (a commit refuses those by itself; this
        is for quiet rooms, which do not commit)."""
        now = time.monotonic()
        quiet = [c for c, r in self.runners.items() if now - r.active > AUDIT_S]
        for code in await self.store.expired(quiet):
            self._drop(code, f"room {code} has expired")
            await self.leases.release(code)

    def _drop(self, code: str, why: str | None) -> None:
        if self.runners.pop(code, None) is not None and why:
            log.warning("room %s: %s; stopping here", code, why)
        self.metrics.forget_room(code)
