"""Uploaded decks are read in worker processes, never on the event loop.

Reading an upload (any format, claims and proposed events) and planning its game is CPU
work of up to a few seconds for the biggest decks allowed; on the event loop it stalled
every socket, timer and Redis call of the process (issue 10: 13-65 s for a few hundred
KiB). `Uploads` runs it in a small `ProcessPoolExecutor`, started at the first upload and
shut down with the server:

- the size of the text is checked first, on the loop (a pass over it), then the rest of
  `server.config.UPLOAD_LIMITS` in the worker as soon as the cards are read;
- at most `workers` uploads are read at once; a few more wait for a worker, and beyond
  that an upload is refused (`bad_deck`, reason "busy");
- a worker gives up after `timeout_s` (a timer signal, `bad_deck` "too_slow"); one that
  does not answer `GRACE_S` later (stuck in a regular expression, which no signal
  interrupts) is killed with the pool's other workers, and the next upload gets a new
  pool. An upload that was being read beside it is tried once more;
- the workers are spawned (not forked from the server, whose threads and sockets a fork
  would copy), and a worker whose server process is gone (killed with SIGKILL, it cannot
  stop them) ends itself within `ORPHAN_CHECK_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from decks.io import DeckError
from decks.limits import Limits
from game_rules.model import Settings
from server import protocol
from server.config import UPLOAD_LIMITS, UPLOAD_TIMEOUT_S, UPLOAD_WORKERS
from server.deck_source import BadDeck, Prepared, prepare

log = logging.getLogger("cardcade")

GRACE_S = 5.0  # after the time limit, before a worker that does not answer is killed
ORPHAN_CHECK_S = 1.0  # how often a worker checks that its server process is still there
_TIMER = hasattr(signal, "setitimer")  # POSIX; elsewhere the server side's limit alone
QUEUE_PER_WORKER = 4  # uploads that may wait for a worker, per worker


def too_slow(timeout_s: float) -> BadDeck:
    return BadDeck(f"The deck took too long to read (more than {timeout_s:g} s); try a "
                   "smaller file.", "too_slow")


class _TooSlow(BaseException):
    """The worker's timer went off. A BaseException, so that no `except Exception` in the
    importers catches it on the way out."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise _TooSlow


def _worker_init() -> None:
    # Ctrl-C in a terminal reaches the whole process group: the server stops its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _TIMER:
        signal.signal(signal.SIGALRM, _alarm)
    threading.Thread(target=_orphaned, args=(os.getppid(),), daemon=True).start()


def _orphaned(server: int) -> None:
    """End this worker when its server process is gone (killed with SIGKILL, it cannot
    stop its workers; they would wait for work forever)."""
    while os.getppid() == server:
        time.sleep(ORPHAN_CHECK_S)
    os._exit(1)


def prepare_in_worker(msg: protocol.DeckChoice, settings: Settings, seed: int, limits: Limits,
                      timeout_s: float) -> Prepared:
    """`prepare` in a worker process, within `timeout_s`; `BadDeck` for a deck that
    cannot be used, is over a limit, takes too long or breaks the importer."""
    try:
        return _timed(msg, settings, seed, limits, timeout_s)
    except _TooSlow:
        raise too_slow(timeout_s) from None
    except BadDeck:
        raise
    except Exception:  # a bug met by a stranger's file: logged here, a sentence for the host
        log.exception("reading an uploaded deck failed")
        raise BadDeck("The deck could not be read.", "invalid") from None


def _timed(msg: protocol.DeckChoice, settings: Settings, seed: int, limits: Limits,
           timeout_s: float) -> Prepared:
    if not _TIMER:
        return prepare(msg, settings, seed, limits)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        return prepare(msg, settings, seed, limits)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


class Uploads:
    """The worker processes of one server process that read uploaded decks."""

    def __init__(self, workers: int = UPLOAD_WORKERS, timeout_s: float = UPLOAD_TIMEOUT_S,
                 limits: Limits = UPLOAD_LIMITS) -> None:
        self.workers = max(1, workers)
        self.timeout_s = timeout_s
        self.limits = limits
        self._pool: ProcessPoolExecutor | None = None
        self._slots = asyncio.Semaphore(self.workers)
        self._waiting = 0  # uploads being read or waiting for a worker

    async def prepare(self, msg: protocol.DeckChoice, settings: Settings,
                      seed: int) -> Prepared:
        """`server.deck_source.prepare` of an upload, in a worker process."""
        assert msg.upload is not None
        try:
            self.limits.check_text(msg.upload.text)
        except DeckError as exc:
            raise BadDeck(str(exc), exc.reason) from None
        if self._waiting >= self.workers * (1 + QUEUE_PER_WORKER):
            raise BadDeck("The server is reading many decks just now; try again in a "
                          "moment.", "busy")
        self._waiting += 1
        try:
            return await self._run(msg, settings, seed)
        finally:
            self._waiting -= 1

    async def _run(self, msg: protocol.DeckChoice, settings: Settings, seed: int) -> Prepared:
        loop = asyncio.get_running_loop()

        def free(_: Future[Prepared]) -> None:  # in the executor's thread
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                loop.call_soon_threadsafe(self._slots.release)

        for _ in range(2):  # once more on a new pool, after a kill met this upload too
            # A worker's slot is free again when its work ends, not when the host goes
            # away: an upload read for nobody still holds its worker, and the next one
            # waits here rather than in the pool, where its time limit would run.
            await self._slots.acquire()
            pool = self._executor()
            try:
                future = pool.submit(prepare_in_worker, msg, settings, seed, self.limits,
                                     self.timeout_s)
            except (BrokenProcessPool, RuntimeError):  # killed, or shut down
                self._slots.release()
                self._discard(pool)
                continue
            future.add_done_callback(free)
            try:
                return await asyncio.wait_for(asyncio.wrap_future(future),
                                              self.timeout_s + GRACE_S)
            except TimeoutError:
                log.warning("an upload was still being read %g s after its time limit: "
                            "killing the upload workers", GRACE_S)
                self._discard(pool, kill=True)
                raise too_slow(self.timeout_s) from None
            except BrokenProcessPool:  # killed beside another upload that took too long
                self._discard(pool)
        raise BadDeck("The server could not read the deck just now; try again.", "busy")

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers,
                                             mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_worker_init)
        return self._pool

    def _discard(self, pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
        """Stop using `pool`; with `kill`, end its worker processes now (the executor has
        no public way to, before Python 3.14)."""
        if self._pool is pool:
            self._pool = None
        if kill:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                if process.is_alive():
                    process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """End the worker processes (the server is stopping: no reply could be sent)."""
        if self._pool is not None:
            self._discard(self._pool, kill=True)
