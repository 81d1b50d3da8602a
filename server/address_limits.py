"""Limits per client address, so that one machine cannot flood a process or guess its way
into rooms.

New connections, joins and rooms created are token buckets per address; so are failed
guesses (a room code that does not exist, a token that is not a room's): once an address
has used up its guesses it gets one more a second, which makes enumerating room codes or
tokens hopeless. The figures are generous: a school behind one NAT address, with hundreds
of phones joining at once and pupils mistyping the code, stays far below them. Each server
process counts for itself (with `--workers N`, an address may do N times as much).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Literal

from websockets.asyncio.server import ServerConnection

Kind = Literal["connect", "join", "create", "guess"]


def client_address(ws: ServerConnection) -> str:
    """The address a socket comes from (its IP). (Behind a proxy this is the proxy's.)"""
    peer = ws.remote_address
    return str(peer[0]) if peer else "unknown"


class TokenBucket:
    """Allows `burst` actions at once, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = burst, time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self) -> bool:
        self._refill()
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def empty(self) -> bool:
        """No token left (nothing taken)."""
        self._refill()
        return self.tokens < 1


@dataclass(frozen=True)
class Rate:
    burst: float  # actions at once
    per_s: float  # and then this many a second


RATES: dict[Kind, Rate] = {
    "connect": Rate(burst=1000, per_s=50),  # a school's phones connecting at once
    "join": Rate(burst=1000, per_s=50),
    "create": Rate(burst=30, per_s=0.5),  # a staff room of teachers creating games
    "guess": Rate(burst=100, per_s=1),  # mistyped codes from a whole school
}
MAX_ADDRESSES = 100_000  # buckets kept per kind; the least recently used go first


class AddressLimits:
    """The limits of one process; `enabled=False` (`cardcade serve --address-limits off`,
    for load tests from one machine) allows everything."""

    def __init__(self, rates: dict[Kind, Rate] | None = None, *, enabled: bool = True):
        self.rates = rates or RATES
        self.enabled = enabled
        self._buckets: dict[Kind, OrderedDict[str, TokenBucket]] = {
            kind: OrderedDict() for kind in self.rates}

    def _bucket(self, kind: Kind, address: str) -> TokenBucket:
        buckets = self._buckets[kind]
        bucket = buckets.get(address)
        if bucket is None:
            rate = self.rates[kind]
            bucket = buckets[address] = TokenBucket(rate.per_s, rate.burst)
            if len(buckets) > MAX_ADDRESSES:
                buckets.popitem(last=False)
        else:
            buckets.move_to_end(address)
        return bucket

    def allow(self, kind: Kind, address: str) -> bool:
        """Take one `kind` action for `address`; False when it has none left."""
        return not self.enabled or self._bucket(kind, address).take()

    def guessing_blocked(self, address: str) -> bool:
        """`address` has used up its failed guesses (see `guessed_wrong`)."""
        return self.enabled and self._bucket("guess", address).empty()

    def guessed_wrong(self, address: str) -> None:
        """`address` named a room or token that does not exist."""
        if self.enabled:
            self._bucket("guess", address).take()
