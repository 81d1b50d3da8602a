"""Process metrics in the Prometheus text format (no client library needed for this few)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from game_rules.machine import RoomState

# Upper bounds (seconds) of the answer latency histogram: receipt -> acknowledgement.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Labelled:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def inc(self, label: str, n: int = 1) -> None:
        self.counts[label] += n


class Histogram:
    def __init__(self, buckets: tuple[float, ...]):
        self.buckets = buckets
        self.counts = [0] * len(buckets)
        self.total = 0
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.total += 1
        self.sum += value
        for i, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[i] += 1


class Metrics:
    def __init__(self) -> None:
        self.connections = 0  # WebSocket connections, from the handshake to the close
        self.max_connections = 0  # this process refuses handshakes beyond it (503)
        self.refused_connections = 0
        self.max_rooms = 0  # live rooms on the whole server (0: no cap)
        self.process = ""  # this process's id, as rooms' leases name their owner
        self.messages_in = 0
        self.messages_out = 0
        self.errors = Labelled()  # by error code
        self.answer_latency = Histogram(LATENCY_BUCKETS)
        self.room_players: dict[str, int] = {}  # rooms this process runs -> players

    def note_room(self, code: str, state: RoomState) -> None:
        self.room_players[code] = len(state.players)

    def forget_room(self, code: str) -> None:
        self.room_players.pop(code, None)

    def render(self) -> str:
        out: list[str] = []

        def metric(name: str, kind: str, doc: str, samples: list[tuple[str, float]]) -> None:
            out.append(f"# HELP cardcade_{name} {doc}")
            out.append(f"# TYPE cardcade_{name} {kind}")
            out.extend(f"cardcade_{name}{labels} {value:g}" for labels, value in samples)

        metric("process_info", "gauge",
               "This process: the id the leases of the rooms it runs hold (host:pid:random).",
               [(f'{{process="{self.process}"}}', 1)])
        metric("connections", "gauge", "Open WebSocket connections.", [("", self.connections)])
        metric("max_connections", "gauge",
               "WebSocket connections this process accepts; more are refused (503).",
               [("", self.max_connections)])
        metric("connections_refused_total", "counter",
               "WebSocket handshakes refused because the process had max_connections.",
               [("", self.refused_connections)])
        metric("max_rooms", "gauge",
               "Live rooms the server (every process on this Redis) accepts; 0: no cap.",
               [("", self.max_rooms)])
        metric("rooms", "gauge", "Rooms run by this process.", [("", len(self.room_players))])
        metric("players", "gauge", "Players in the rooms run by this process.",
               [("", sum(self.room_players.values()))])
        metric("messages_in_total", "counter", "Messages received from clients.",
               [("", self.messages_in)])
        metric("messages_out_total", "counter", "Messages sent to clients.",
               [("", self.messages_out)])
        metric("errors_total", "counter", "Error messages sent, by code.",
               [(f'{{code="{code}"}}', n) for code, n in sorted(self.errors.counts.items())])
        h = self.answer_latency
        samples: list[tuple[str, float]] = [
            (f'_bucket{{le="{b:g}"}}', c) for b, c in zip(h.buckets, h.counts, strict=True)]
        samples += [('_bucket{le="+Inf"}', h.total), ("_sum", h.sum), ("_count", h.total)]
        out.append("# HELP cardcade_answer_latency_seconds Answer received to acknowledged.")
        out.append("# TYPE cardcade_answer_latency_seconds histogram")
        out.extend(f"cardcade_answer_latency_seconds{s} {v:g}" for s, v in samples)
        return "\n".join(out) + "\n"
