"""The competitions' HTTP API and pages (docs/protocol.md, section 13).

`POST /api/competitions` creates one; `GET /api/competitions/<ID>/leaderboard.json` is its
live board; `POST /api/competitions/<ID>/close` closes it (organiser token);
`/scoreboard/<ID>` is the projector page of the board; `/export/competition/<ID>.csv`
and `.json` (organiser token) its results.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, quote, urlsplit

from pydantic import ValidationError
from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from server import competition_export, protocol
from server.address_limits import AddressLimits, client_address
from server.competition_export import merged
from server.competitions import Board, Competitions
from server.deck_source import BadDeck
from server.export import csv_bytes, results_json
from server.http_body import BodyConnection
from server.http_reply import respond
from server.reports_http import report_of
from server.rooms import Rooms
from server.store import normalise_code

API = "/api/competitions"
# The organiser's files; a suffix that ends another comes first.
EXPORTS = ("-results.csv", "-cards.csv", ".csv", ".json")
BOARD_LIMIT_MAX = 10_000


def respond_json(status: int, data: object, **extra: str) -> Response:
    return respond(status, json.dumps(data, ensure_ascii=False), "application/json", **extra)


def refuse(status: int, code: str, message: str) -> Response:
    return respond_json(status, {"error": code, "message": message})


def organiser_token(request: Request, query: dict[str, list[str]]) -> str:
    """The organiser token: `Authorization: Bearer TOKEN`, else `?token=`."""
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return query.get("token", [""])[0]


class CompetitionRoutes:
    def __init__(self, rooms: Rooms, limits: AddressLimits):
        self.rooms = rooms
        self.competitions: Competitions = rooms.competitions
        self.limits = limits

    def handles(self, path: str) -> bool:
        return path.startswith((API, "/export/competition/"))

    async def route(self, conn: ServerConnection, request: Request) -> Response:
        url = urlsplit(request.path)
        path, query = url.path, parse_qs(url.query)
        if path == API:
            if request.method != "POST":
                return refuse(405, "method_not_allowed", "POST a competition here.")
            return await self._create(conn)
        if path.startswith(API + "/"):
            cid, _, rest = path[len(API) + 1:].partition("/")
            cid = normalise_code(cid)
            if rest == "leaderboard.json" and request.method == "GET":
                return await self._leaderboard(cid, query)
            if rest == "close" and request.method == "POST":
                return await self._close(cid, organiser_token(request, query))
            return refuse(404, "not_found", "No such competition endpoint.")
        name = path.removeprefix("/export/competition/")
        for ext in EXPORTS:
            if name.endswith(ext) and request.method == "GET":
                return await self._export(normalise_code(name[:-len(ext)]), ext,
                                          organiser_token(request, query))
        return refuse(404, "not_found", "No such competition endpoint.")

    async def _create(self, conn: ServerConnection) -> Response:
        if isinstance(conn, BodyConnection) and conn.body_too_large:
            return refuse(413, "too_large", "The request body is over 512 KiB.")
        body = conn.body if isinstance(conn, BodyConnection) else None
        if not body:
            return refuse(400, "malformed", "Send the competition as a JSON body.")
        if not self.limits.allow("create", client_address(conn)):
            return refuse(429, "rate_limited", "Too many new games from your network; "
                                               "wait a little.")
        try:
            msg = protocol.CreateCompetition.model_validate_json(body)
        except ValidationError as exc:
            return refuse(400, "malformed", protocol.describe_error(exc))
        try:
            made, plan = await self.rooms.create_competition(msg)
        except BadDeck as exc:
            return refuse(422, "bad_deck", str(exc))
        base = self.rooms.public_url
        return respond_json(201, {
            "competition": made.id, "name": msg.name, "organiser_token": made.organiser_token,
            "host_key": made.host_key, "plan": plan.model_dump(mode="json"),
            "leaderboard_url": f"{base}{API}/{made.id}/leaderboard.json",
            "scoreboard_url": f"{base}/scoreboard/{made.id}",
            "host_url": f"{base}/host?competition={made.id}&key={quote(made.host_key)}",
        })

    async def _leaderboard(self, cid: str, query: dict[str, list[str]]) -> Response:
        raw = query.get("limit", [""])[0]
        if raw and not (raw.isdigit() and 1 <= int(raw) <= BOARD_LIMIT_MAX):
            return refuse(400, "malformed", f"limit must be 1..{BOARD_LIMIT_MAX}.")
        board = await self.competitions.board(cid, int(raw) if raw else None)
        if board is None:
            return refuse(404, "unknown_competition", f"There is no competition {cid}.")
        # Live: a projector polls it every few seconds.
        return respond_json(200, board.to_json(), Cache_Control="no-store")

    async def _close(self, cid: str, token: str) -> Response:
        if not await self.competitions.is_organiser(cid, token):
            return refuse(403, "forbidden", "The organiser token of this competition is needed.")
        await self.competitions.close(cid)
        return respond_json(200, {"competition": cid, "closed": True})

    async def _export(self, cid: str, ext: str, token: str) -> Response:
        if not await self.competitions.is_organiser(cid, token):
            return refuse(403, "forbidden", "The organiser token of this competition is needed.")
        board = await self.competitions.board(cid)
        assert board is not None  # the organiser's token was found in it
        name = f"cardcade-competition-{cid}{ext}"
        if ext == ".csv":
            return _attachment(csv_bytes(board_rows(board)), "text/csv; charset=utf-8", name)
        # Each room's report: kept at its podium, else worked out now while the room lives.
        reports = {room: json.loads(r) for room, r in
                   (await self.competitions.reports(cid)).items()}
        missing = []
        for room in await self.competitions.rooms(cid):
            if room not in reports:
                made = await report_of(self.rooms.store, room)
                if made is None:
                    missing.append(room)
                    continue
                loaded, live = made
                reports[room] = json.loads(results_json(live, room, loaded.deck_title,
                                                        loaded.state.phase))
        combined = merged(reports)
        if ext == "-results.csv":
            return _attachment(competition_export.results_csv(combined),
                               "text/csv; charset=utf-8", name)
        if ext == "-cards.csv":
            return _attachment(competition_export.cards_csv(combined),
                               "text/csv; charset=utf-8", name)
        body = competition_export.results_json(cid, board.to_json(), combined, reports,
                                                   missing)
        return _attachment(body, "application/json", name)


def board_rows(board: Board) -> list[list[str | int]]:
    rows: list[list[str | int]] = [["rank", "nickname", "room", "score"]]
    rows += ([r.rank, r.nickname, r.room, r.score] for r in board.rows)
    return rows


def _attachment(body: bytes, content_type: str, name: str) -> Response:
    return respond(200, body, content_type, Content_Disposition=f'attachment; filename="{name}"')
