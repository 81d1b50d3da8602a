"""The server's clock: epoch milliseconds, the time base of every deadline and view."""

from __future__ import annotations

import time


def now_ms() -> int:
    return int(time.time() * 1000)
