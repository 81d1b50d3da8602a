"""Plain HTTP on the game's port: health, metrics, the client pages, QR codes, exports.

websockets hands every request to `process_request` first; returning None lets a
WebSocket handshake on `/ws` go ahead, anything else is answered here.
"""

from __future__ import annotations

import hashlib
import io
import json
import mimetypes
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import redis.asyncio as aioredis
import segno
from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from decks.io import bundled_deck_path, list_bundled, load_deck
from server.address_limits import AddressLimits, client_address
from server.competition_http import CompetitionRoutes
from server.http_reply import respond
from server.metrics import Metrics
from server.reports_http import ReportRoutes
from server.rooms import Rooms
from server.store import normalise_code

CLIENT_DIR = Path(__file__).resolve().parent.parent / "client_demo"
PAGES = {"/host": "host.html", "/play": "play.html"}
STATIC_TYPES = {".html", ".js", ".css", ".svg", ".png", ".ico", ".json"}


class HttpRoutes:
    def __init__(self, rooms: Rooms, metrics: Metrics, client: aioredis.Redis,
                 limits: AddressLimits):
        self.rooms = rooms
        self.metrics = metrics
        self.limits = limits
        self.redis = client
        self._decks_json: bytes | None = None
        self.competitions = CompetitionRoutes(rooms, limits)
        self.reports = ReportRoutes(rooms.store)

    async def process_request(self, conn: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        path = url.path
        if self.competitions.handles(path):
            return await self.competitions.route(conn, request)
        if request.method != "GET":
            return respond(405, "only GET here (POST goes to /api/competitions)\n", Allow="GET")
        if path == "/ws":
            if request.headers.get("Upgrade", "").lower() != "websocket":
                return respond(426, "Use a WebSocket client on /ws.\n")
            return self._admit(conn)
        if path == "/healthz":
            return respond(200, "ok\n")
        if path == "/readyz":
            try:
                await self.redis.ping()
            except Exception as exc:
                return respond(503, f"redis unreachable: {exc}\n")
            return respond(200, "ready\n")
        if path == "/metrics":
            return respond(200, self.metrics.render(), "text/plain; version=0.0.4")
        if path == "/":
            return respond(302, "", Location="/host")
        if path in PAGES:
            return self._file(PAGES[path], request)
        if path.startswith("/scoreboard/"):  # the page reads the competition from its URL
            return self._file("scoreboard.html", request)
        if path.startswith("/static/"):
            return self._file(path.removeprefix("/static/"), request)
        if path == "/decks.json":
            return respond(200, self._decks(), "application/json")
        if path.startswith("/qr/") and path.endswith(".svg"):
            return await self._qr(normalise_code(path[4:-4]), client_address(conn))
        if self.reports.handles(path):
            return await self.reports.answer(path, parse_qs(url.query).get("token", [""])[0])
        return respond(404, "not found\n")

    def _admit(self, conn: ServerConnection) -> Response | None:
        """Let a WebSocket handshake go ahead and count it until its socket closes, or at
        the process's limit refuse it (503) before any room work."""
        metrics = self.metrics
        if not self.limits.allow("connect", client_address(conn)):
            metrics.refused_connections += 1
            return respond(429, "Too many new connections from your network; try again in a "
                                "few seconds.\n", Retry_After="5")
        if metrics.connections >= metrics.max_connections:
            metrics.refused_connections += 1
            return respond(503, f"This server is at its limit of {metrics.max_connections:,} "
                                "connections; try again later.\n", Retry_After="10")
        metrics.connections += 1

        def closed(_: object) -> None:
            metrics.connections -= 1

        # Resolved when the TCP connection is lost, whether or not the handshake completed
        # (it is what ServerConnection.wait_closed() awaits).
        conn.connection_lost_waiter.add_done_callback(closed)
        return None

    def _file(self, name: str, request: Request) -> Response:
        path = (CLIENT_DIR / name).resolve()
        # The pages' files and their module folders (client_demo/host/, client_demo/play/).
        inside = path.parent == CLIENT_DIR or path.parent.parent == CLIENT_DIR
        if not inside or path.suffix not in STATIC_TYPES or not path.is_file():
            return respond(404, "not found\n")
        body = path.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return respond(304, b"", "text/plain", ETag=etag)
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript"):
            ctype += "; charset=utf-8"
        # No build step means no hashed file names: revalidate every time (cheap with ETag).
        return respond(200, body, ctype, ETag=etag, Cache_Control="no-cache",
                       X_Content_Type_Options="nosniff")

    def _decks(self) -> bytes:
        if self._decks_json is None:
            decks = []
            for name in list_bundled():
                deck = load_deck(bundled_deck_path(name))
                decks.append({"name": name, "title": deck.title, "cards": len(deck.cards)})
            self._decks_json = json.dumps({"decks": decks}).encode()
        return self._decks_json

    async def _qr(self, code: str, address: str) -> Response:
        # A QR code says whether a room exists, like a join: the same throttle on guesses.
        if self.limits.guessing_blocked(address):
            return respond(429, "Too many unknown rooms asked for; wait a minute.\n",
                           Retry_After="60")
        if not await self.rooms.store.exists(code):
            self.limits.guessed_wrong(address)
            return respond(404, "unknown room\n")
        buf = io.BytesIO()
        segno.make(self.rooms.join_url(code), error="m").save(
            buf, kind="svg", scale=10, border=2, xmldecl=False, title=f"Join room {code}"
        )
        return respond(200, buf.getvalue(), "image/svg+xml", Cache_Control="max-age=3600")
