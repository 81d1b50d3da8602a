"""The report routes: a room's results for its host, a player's review deck for the player.

`/export/<ROOM>.csv`, `/export/<ROOM>.json` and `/export/<ROOM>-cards.csv` need the room's
host token; `/review/<ROOM>.txt`, `.toml` and `.json` the token of a player still in the
room (docs/protocol.md, section 13). The host's files are worked out on each request from
the room in Redis (`Store.load`, `Store.all_answers`: O(players + answers)); a player's
from their own answers (`Store.player_answers`: O(rounds)).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from websockets.http11 import Response

from game_rules.report import Report, missed_cards, played_rounds, room_report
from server import export
from server.http_reply import respond
from server.store import Loaded, Store, normalise_code

CSV = "text/csv; charset=utf-8"
JSON = "application/json"

# Suffix -> (content type, the file's text); a suffix that ends another one comes first.
Host = Callable[[Report, Loaded, str], bytes]
HOST_FILES: dict[str, tuple[str, Host]] = {
    "-cards.csv": (CSV, lambda r, _room, _code: export.cards_csv(r)),
    ".csv": (CSV, lambda r, _room, _code: export.results_csv(r)),
    ".json": (JSON, lambda r, room, code: export.results_json(r, code, room.deck_title,
                                                               room.state.phase)),
}
Own = Callable[[list[dict[str, str]], str, str], bytes]  # (cards, room code, deck title)
PLAYER_FILES: dict[str, tuple[str, Own]] = {
    ".txt": ("text/plain; charset=utf-8", lambda cards, _code, _title: export.review_text(cards)),
    ".toml": ("application/toml; charset=utf-8", export.review_toml),
    ".json": (JSON, lambda cards, _code, _title: export.review_json(cards)),
}


def _split(rest: str, suffixes: Iterable[str]) -> tuple[str, str] | None:
    """"ABC123-cards.csv" -> ("ABC123", "-cards.csv"): the room code and a known suffix."""
    for suffix in suffixes:
        if rest.endswith(suffix) and len(rest) > len(suffix):
            return normalise_code(rest[: -len(suffix)]), suffix
    return None


PRIVATE = {"Cache_Control": "no-store", "X_Content_Type_Options": "nosniff"}


async def report_of(store: Store, code: str) -> tuple[Loaded, Report] | None:
    """The room as loaded and its report as of now; None if the room is gone."""
    loaded = await store.load(code)
    if loaded is None:
        return None
    return loaded, room_report(loaded.game, loaded.state, await store.all_answers(code))


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

    async def _export(self, code: str, suffix: str, token: str) -> Response:
        if not token or await self.store.who(code, token) != "host":
            return respond(403, "the host token of this room is needed\n")
        loaded = await self.store.load(code)
        if loaded is None:
            return respond(404, "unknown room\n")
        answers = await self.store.all_answers(code)
        ctype, write = HOST_FILES[suffix]

        def made() -> bytes:
            return write(room_report(loaded.game, loaded.state, answers), loaded, code)

        # O(players x rounds) of work (1.4 s for 10,000 players, 8 rounds): in a thread, so
        # the event loop goes on serving the sockets between its slices.
        body = await asyncio.to_thread(made)
        name = export.download_name(code, suffix)
        return respond(200, body, ctype, Content_Disposition=f'attachment; filename="{name}"',
                       **PRIVATE)

    async def _review(self, code: str, suffix: str, token: str) -> Response:
        """A player's review deck from their own answers only: O(rounds) in any room size,
        as every phone asks for it at the podium."""
        pid = await self.store.who(code, token) if token else None
        found = await self.store.game(code) if pid and pid != "host" else None
        parts = await self.store.snapshot_parts(code, pid) if pid and found else None
        if pid is None or found is None or parts is None or parts.player is None:
            return respond(403, "the token of a player in this room is needed\n")  # kicked too
        game, title = found
        played = played_rounds(parts.state, len(game.plan))
        results = await self.store.player_answers(code, pid, played)
        ctype, write = PLAYER_FILES[suffix]
        headers = dict(PRIVATE)
        if suffix != ".json":
            name = export.download_name(code, "-review" + suffix)
            headers["Content_Disposition"] = f'attachment; filename="{name}"'
        body = write(missed_cards(game, played, results), code, title)
        return respond(200, body, ctype, **headers)
