"""The report routes: a room's results for its host, a player's review deck for the player.

`/export/<ROOM>.csv`, `/export/<ROOM>.json` and `/export/<ROOM>-cards.csv` need the room's
host token; `/review/<ROOM>.txt`, `.toml` and `.json` the token of a player still in the
room (docs/protocol.md, section 13). The report is worked out on each request from the
room in Redis (`Store.load`, `Store.all_answers`: O(players + answers)).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from websockets.http11 import Response

from game_rules.report import Report, room_report
from server import export
from server.http_reply import respond
from server.store import Loaded, Store, normalise_code

CSV = "text/csv; charset=utf-8"
JSON = "application/json"

# Suffix -> (content type, the file's text); a suffix that ends another one comes first.
Host = Callable[[Report, Loaded, str], bytes]
Own = Callable[[Report, Loaded, str, str], bytes]
HOST_FILES: dict[str, tuple[str, Host]] = {
    "-cards.csv": (CSV, lambda r, _room, _code: export.cards_csv(r)),
    ".csv": (CSV, lambda r, _room, _code: export.results_csv(r)),
    ".json": (JSON, lambda r, room, code: export.results_json(r, code, room.deck_title,
                                                               room.state.phase)),
}
PLAYER_FILES: dict[str, tuple[str, Own]] = {
    ".txt": ("text/plain; charset=utf-8", lambda r, _room, _code, pid: export.review_text(r, pid)),
    ".toml": ("application/toml; charset=utf-8",
              lambda r, room, code, pid: export.review_toml(r, pid, code, room.deck_title)),
    ".json": (JSON, lambda r, _room, _code, pid: export.review_json(r, pid)),
}


def _split(rest: str, suffixes: Iterable[str]) -> tuple[str, str] | None:
    """"ABC123-cards.csv" -> ("ABC123", "-cards.csv"): the room code and a known suffix."""
    for suffix in suffixes:
        if rest.endswith(suffix) and len(rest) > len(suffix):
            return normalise_code(rest[: -len(suffix)]), suffix
    return None


PRIVATE = {"Cache_Control": "no-store", "X_Content_Type_Options": "nosniff"}


class ReportRoutes:
    def __init__(self, store: Store):
        self.store = store

    @staticmethod
    def handles(path: str) -> bool:
        return path.startswith(("/export/", "/review/"))

    async def answer(self, path: str, token: str) -> Response:
        """The reply to GET `path` (one `handles` takes), `token` from its query string."""
        if path.startswith("/export/"):
            found = _split(path.removeprefix("/export/"), HOST_FILES)
            if found is None:
                return respond(404, "not found\n")
            return await self._export(*found, token)
        found = _split(path.removeprefix("/review/"), PLAYER_FILES)
        if found is None:
            return respond(404, "not found\n")
        return await self._review(*found, token)

    async def _report(self, code: str) -> tuple[Loaded, Report] | None:
        loaded = await self.store.load(code)
        if loaded is None:
            return None
        answers = await self.store.all_answers(code)
        return loaded, room_report(loaded.game, loaded.state, answers)

    async def _export(self, code: str, suffix: str, token: str) -> Response:
        if not token or await self.store.who(code, token) != "host":
            return respond(403, "the host token of this room is needed\n")
        made = await self._report(code)
        if made is None:
            return respond(404, "unknown room\n")
        loaded, report = made
        ctype, write = HOST_FILES[suffix]
        name = export.download_name(code, suffix)
        return respond(200, write(report, loaded, code), ctype,
                       Content_Disposition=f'attachment; filename="{name}"', **PRIVATE)

    async def _review(self, code: str, suffix: str, token: str) -> Response:
        pid = await self.store.who(code, token) if token else None
        made = await self._report(code) if pid and pid != "host" else None
        if pid is None or made is None or pid not in made[0].state.players:  # kicked too
            return respond(403, "the token of a player in this room is needed\n")
        loaded, report = made
        ctype, write = PLAYER_FILES[suffix]
        headers = dict(PRIVATE)
        if suffix != ".json":
            name = export.download_name(code, "-review" + suffix)
            headers["Content_Disposition"] = f'attachment; filename="{name}"'
        return respond(200, write(report, loaded, code, pid), ctype, **headers)
