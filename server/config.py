"""The server's settings (`cardcade serve` flags) and what follows from them: limits and
the address phones reach."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass

from decks.limits import Limits
from server import keys
from server.keepalive import PING_S

log = logging.getLogger("cardcade")

MAX_ROOMS = 20_000  # live rooms on one Redis, all processes together (--max-rooms)
FD_RESERVE = 1_000  # file descriptors kept for Redis, room runners, files and HTTP
FALLBACK_CONNECTIONS = 10_000  # when the file descriptor limit is unknown or unlimited

# Uploaded decks (`create_room` with `upload`, see server/uploads.py): over a limit, the
# host gets `bad_deck` with reason "too_large" (or "too_slow" after the time limit).
UPLOAD_BYTES = 384 * 1024  # the file's text in UTF-8 (the whole frame may be 512 KiB)
UPLOAD_CARDS = 2_000
UPLOAD_CATEGORIES = 100
UPLOAD_FIELD_CHARS = 10_000  # one prompt, answer, category, claim, date or tag
UPLOAD_LIMITS = Limits(bytes=UPLOAD_BYTES, cards=UPLOAD_CARDS, categories=UPLOAD_CATEGORIES,
                       field=UPLOAD_FIELD_CHARS)
UPLOAD_TIMEOUT_S = 10.0  # reading one upload and planning its game (--upload-timeout)
UPLOAD_WORKERS = 2  # worker processes reading uploads, per server process


@dataclass
class Config:
    host: str = "0.0.0.0"
    port: int = 8000
    redis_url: str = ""
    public_url: str = ""  # how phones reach this server; detected when empty
    room_ttl_ms: int = keys.ROOM_TTL_MS
    reuse_port: bool = False  # several worker processes share the port (SO_REUSEPORT)
    idle_release_s: float = 30.0  # stop running a room with no sockets here and no input
    lease_ttl_ms: int = keys.LEASE_TTL_MS  # a process's heartbeat; its rooms move when it ends
    max_rooms: int = MAX_ROOMS  # 0: no cap
    max_connections: int = 0  # WebSocket connections of this process; 0: from the fd limit
    address_limits: bool = True  # limits per client address (`server.address_limits`)
    upload_timeout_s: float = UPLOAD_TIMEOUT_S
    upload_workers: int = UPLOAD_WORKERS
    ping_s: float = PING_S  # a WebSocket ping this often; unanswered for as long: closed


def fd_limit() -> int | None:
    """This process's soft limit on open file descriptors (None: unknown or unlimited)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else soft


def connection_limit(requested: int, fds: int | None) -> int:
    """The most WebSocket connections a process accepts: `requested` (0: as many as the
    file descriptor limit `fds` allows), never more than `fds` leaves room for. Each socket
    is a descriptor; the rest of the process (Redis pools, files) keeps FD_RESERVE of
    them, or half on a low limit."""
    budget = None if fds is None else max(fds - FD_RESERVE, fds // 2, 1)
    if requested <= 0:
        return budget if budget is not None else FALLBACK_CONNECTIONS
    if budget is not None and requested > budget:
        log.warning("--max-connections %d is more than the file descriptor limit (%d) "
                    "allows; accepting %d (raise `ulimit -n` for more)", requested, fds, budget)
        return budget
    return requested


def lan_address() -> str:
    """This machine's address on the local network (the one phones can reach)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent for UDP connect
            return sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def public_url(config: Config) -> str:
    """Where phones reach this server: --public-url, else this machine's LAN address."""
    if config.public_url:
        return config.public_url.rstrip("/")
    host = config.host
    if host in ("0.0.0.0", "", "::"):
        host = lan_address()
    return f"http://{host}:{config.port}"


def join_url(config: Config, code: str) -> str:
    """The address a room's players open (and its QR code holds)."""
    return f"{public_url(config)}/play?room={code}"
