"""What a loop that needs Redis logs while Redis is away: a line, not a traceback a try.

Redis restarting or out of reach is expected in production (a failover, a restart for an
upgrade): each loop that meets it logs one WARNING when Redis becomes unreachable (what
failed and that it retries), a reminder with the latest error every REMIND_S while it
stays away, and one INFO when it answers again (how many tries failed, since when). Any
other error is a bug: it keeps its traceback.
"""

from __future__ import annotations

import logging
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Redis away: refused, reset, timed out, or still loading its data (LOADING, a
# ConnectionError in redis-py).
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
REMIND_S = 60.0  # while Redis stays away, a loop says so again this often


def unreachable(exc: BaseException) -> bool:
    """Whether `exc` means Redis is out of reach (expected, retried), not a bug."""
    return isinstance(exc, UNREACHABLE)


class Outage:
    """The log lines of one loop (`what`) across Redis outages. `failed(exc)` after a try
    that raised, `ok()` after one that worked; `retry` says what the loop does meanwhile."""

    def __init__(self, log: logging.Logger, what: str, retry: str):
        self.log = log
        self.what = what
        self.retry = retry
        self.since: float | None = None  # monotonic time of the first failure, while down
        self.said = 0.0  # monotonic time of the last line about this outage
        self.failures = 0

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> None:
        """Log `exc`: the first of an outage as one WARNING line, the next ones once every
        REMIND_S; an unexpected error with its traceback (call from an `except` block)."""
        if not unreachable(exc):
            self.log.exception("%s: unexpected error", self.what)
            return
        self.failures += 1
        now = time.monotonic()
        if self.since is None:
            self.since = self.said = now
            self.log.warning("%s: Redis unreachable (%s); %s", self.what, exc, self.retry)
        elif now - self.said >= REMIND_S:
            self.said = now
            self.log.warning("%s: Redis still unreachable after %.0f s (%d tries failed; the "
                             "latest: %s)", self.what, now - self.since, self.failures, exc)

    def ok(self) -> None:
        """A try worked: after an outage, one INFO line saying Redis is back."""
        if self.since is None:
            return
        away = time.monotonic() - self.since
        self.log.info("%s: Redis is back (%d tr%s failed, the first %.1f s ago)", self.what,
                      self.failures, "y" if self.failures == 1 else "ies", away)
        self.since, self.failures = None, 0
