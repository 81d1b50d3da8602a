"""Plain HTTP on the game port: health, metrics, client pages, decks, QR codes, exports."""

from __future__ import annotations

import asyncio
import csv
import http.client
import io
import json
import re
from urllib.parse import quote

import pytest
import redis.asyncio as aioredis

from tests.client import (
    GameClient,
    RoomData,
    answer_for,
    close_all,
    room_with_players,
)
from tests.servers import ServerProcess


class Reply:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode()


def _get(port: int, path: str, headers: dict[str, str] | None) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers=headers or {})  # the path goes out as it is
        resp = conn.getresponse()
        return Reply(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


async def get(server: ServerProcess, path: str, headers: dict[str, str] | None = None) -> Reply:
    return await asyncio.to_thread(_get, server.port, path, headers)


def metric(text: str, name: str) -> float:
    """The value of one sample (`name` with its labels) in Prometheus text, 0 if absent."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


async def test_health_and_readiness(live_server: ServerProcess) -> None:
    health = await get(live_server, "/healthz")
    assert (health.status, health.text) == (200, "ok\n")
    ready = await get(live_server, "/readyz")
    assert (ready.status, ready.text) == (200, "ready\n")


async def test_metrics(live_server: ServerProcess, redis: aioredis.Redis) -> None:
    first = await get(live_server, "/metrics")
    assert first.status == 200
    assert first.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    for name in ("cardcade_connections", "cardcade_rooms", "cardcade_messages_in_total",
                 "cardcade_errors_total", "cardcade_answer_latency_seconds"):
        assert f"# TYPE {name} " in first.text
    assert 'cardcade_answer_latency_seconds_bucket{le="+Inf"}' in first.text
    # The process, as the leases of its rooms name it: host, pid, a random part.
    assert live_server.process is not None
    process = re.search(r'^cardcade_process_info\{process="([^"]+)"\} 1$', first.text, re.M)
    assert process and process[1].split(":")[1] == str(live_server.process.pid)
    errors_before = metric(first.text, 'cardcade_errors_total{code="not_in_room"}')
    answers_before = metric(first.text, "cardcade_answer_latency_seconds_count")

    host, (ann,) = await room_with_players(live_server.ws_url, {"round_mix": ["quiz"]}, 1)
    stranger = await GameClient(live_server.ws_url, "stranger").connect()
    try:
        await stranger.send({"type": "sync"})
        await stranger.expect_error("not_in_room")
        plan = await RoomData(redis, host.code).plan()
        await host.host("start")
        await ann.phase("open", 0)
        await ann.answer_acked(0, answer_for(plan[0], "right"))

        now = (await get(live_server, "/metrics")).text
        assert metric(now, "cardcade_connections") >= 3
        assert metric(now, 'cardcade_errors_total{code="not_in_room"}') == errors_before + 1
        assert metric(now, "cardcade_answer_latency_seconds_count") == answers_before + 1
        buckets = [float(v) for v in re.findall(
            r'^cardcade_answer_latency_seconds_bucket\{le="[^"]+"\} (\S+)$', now, re.M)]
        assert buckets == sorted(buckets) and buckets[-1] == answers_before + 1
    finally:
        await close_all([host, ann, stranger])


@pytest.mark.parametrize("path", ["/host", "/play"])
async def test_client_pages(live_server: ServerProcess, path: str) -> None:
    page = await get(live_server, path)
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.headers["Cache-Control"] == "no-cache"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<html" in page.body.lower()
    etag = page.headers["ETag"]
    assert etag
    again = await get(live_server, path, {"If-None-Match": etag})
    assert (again.status, again.body) == (304, b"")
    changed = await get(live_server, path, {"If-None-Match": '"something-else"'})
    assert changed.status == 200


async def test_static_files_and_root(live_server: ServerProcess) -> None:
    js = await get(live_server, "/static/common.js")
    assert js.status == 200 and "javascript" in js.headers["Content-Type"]
    css = await get(live_server, "/static/cardcade.css")
    assert css.status == 200 and css.headers["Content-Type"] == "text/css; charset=utf-8"
    root = await get(live_server, "/")
    assert (root.status, root.headers["Location"]) == (302, "/host")
    ws = await get(live_server, "/ws")
    assert ws.status == 426


@pytest.mark.parametrize("path", [
    "/nope", "/host.html", "/static/", "/static/missing.js", "/static/__init__.py",
    "/static/../server/app.py", "/static/..%2Fserver%2Fapp.py", "/static/../pyproject.toml",
    "/static//etc/passwd", "/static/%2e%2e/server/app.py", "/static/../../../../etc/passwd",
    "/qr/", "/export/",
])
async def test_not_found(live_server: ServerProcess, path: str) -> None:
    reply = await get(live_server, path)
    assert reply.status == 404, (path, reply.status)
    assert b"import" not in reply.body and b"root:" not in reply.body


async def test_decks_json(live_server: ServerProcess) -> None:
    reply = await get(live_server, "/decks.json")
    assert reply.status == 200 and reply.headers["Content-Type"] == "application/json"
    decks = {d["name"]: d for d in json.loads(reply.body)["decks"]}
    soviet = decks["soviet-union-1928-41"]
    assert soviet["title"] == "The Soviet Union, 1928–41" and soviet["cards"] == 99


async def test_qr_code(live_server: ServerProcess) -> None:
    host = await GameClient(live_server.ws_url, "host").connect()
    try:
        created = await host.create_room({})
        code = created["room"]
        for path in (f"/qr/{code}.svg", f"/qr/{code.lower()}.svg"):
            reply = await get(live_server, path)
            assert reply.status == 200 and reply.headers["Content-Type"] == "image/svg+xml"
            assert reply.body.lstrip().startswith(b"<svg") and reply.body.rstrip().endswith(
                b"</svg>")
            assert f"Join room {code}".encode() in reply.body
        missing = await get(live_server, "/qr/ZZZZZZ.svg")
        assert missing.status == 404
    finally:
        await host.close()


async def test_results_export(live_server: ServerProcess, redis: aioredis.Redis) -> None:
    host, (ann, bob) = await room_with_players(live_server.ws_url, {"round_mix": ["quiz"],
                                                                    "speed_scoring": False}, 2)
    other_host = await GameClient(live_server.ws_url, "other").connect()
    try:
        await other_host.create_room({})
        plan = await RoomData(redis, host.code).plan()
        await host.host("start")
        await bob.phase("open", 0)
        await bob.answer_acked(0, answer_for(plan[0], "right"))
        await ann.answer_acked(0, answer_for(plan[0], "wrong"))
        await host.phase("reveal", 0)

        path = f"/export/{host.code}.csv"
        for token in ("", "?token=", f"?token={quote(ann.token)}", "?token=nonsense",
                      f"?token={quote(other_host.token)}"):
            refused = await get(live_server, path + token)
            assert refused.status == 403, token
            assert b"Player" not in refused.body
        reply = await get(live_server, f"{path}?token={quote(host.token)}")
        assert reply.status == 200
        assert reply.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="cardcade-{host.code}.csv"' in reply.headers["Content-Disposition"]
        assert reply.body.startswith("\ufeff".encode())  # Excel reads it as UTF-8
        rows = list(csv.reader(io.StringIO(reply.body.decode("utf-8-sig"))))
        # The standings come first; tests/test_reports.py checks the columns after them.
        assert [row[:4] for row in rows] == [["rank", "nickname", "score", "streak"],
                                             ["1", "Player 1", "1000", "1"],
                                             ["2", "Player 0", "0", "0"]]
        unknown = await get(live_server, f"/export/ZZZZZZ.csv?token={quote(host.token)}")
        assert unknown.status in (403, 404)
    finally:
        await close_all([host, ann, bob, other_host])


async def test_export_defuses_formulas_and_keeps_emoji(live_server: ServerProcess) -> None:
    names = ['=HYPERLINK("x","y")', "+1 Fan", "-minus", "@home", "Zoë 🎉", "Plain"]
    host, players = await room_with_players(live_server.ws_url, {}, 0)
    try:
        for name in names:
            client = await GameClient(live_server.ws_url, name).connect()
            players.append(client)
            await client.join(host.code, name)
        reply = await get(live_server, f"/export/{host.code}.csv?token={quote(host.token)}")
        text = reply.body.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
        shown = sorted(row[1] for row in rows[1:])
        assert shown == sorted(["'=HYPERLINK(\"x\",\"y\")", "'+1 Fan", "'-minus", "'@home",
                                "Zoë 🎉", "Plain"])
        assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    finally:
        await close_all([host, *players])


async def test_a_new_lobby_counts_as_a_room(own_server: ServerProcess) -> None:
    """A room counts in `cardcade_rooms` as soon as this process runs it, before anyone
    joins (it used to count only once a view had been sent)."""
    assert metric((await get(own_server, "/metrics")).text, "cardcade_rooms") == 0
    host = await GameClient(own_server.ws_url, "host").connect()
    try:
        await host.create_room({"rounds": 1})
        assert metric((await get(own_server, "/metrics")).text, "cardcade_rooms") == 1
    finally:
        await host.close()
