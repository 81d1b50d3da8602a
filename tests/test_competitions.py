"""Competitions: rooms over two server processes play one plan, one leaderboard across them.

The board is checked against the players' own scores as the rules gave them (each
player's `me` view: the points of every round summed), after the owner of one room was
killed mid-game and the other process took its rooms over.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from server.embedded_redis import EmbeddedRedis
from tests.client import GameClient, RoomData, answer_for, close_all, redis_client
from tests.servers import ServerProcess

PER_ROOM = 20
ROUNDS = 4
HOWS = ("right", "partial", "wrong", "right", "none")


def api(base: str, path: str, method: str = "GET", body: dict[str, Any] | None = None,
        token: str | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
            is_json = resp.headers.get("Content-Type", "").startswith("application/json")
            return resp.status, json.loads(raw) if is_json and "/export/" not in path else raw
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


async def api_async(*args: Any, **kwargs: Any) -> tuple[int, Any]:
    return await asyncio.to_thread(api, *args, **kwargs)


async def new_competition(base: str, **settings: Any) -> dict[str, Any]:
    status, made = await api_async(base, "/api/competitions", "POST", {
        "name": "District final", "deck": "soviet-union-1928-41", "seed": 2024,
        "settings": {"rounds": ROUNDS, "time_limit_s": 60, **settings}})
    assert status == 201, made
    return made


async def competition_room(ws_url: str, made: dict[str, Any], name: str) -> GameClient:
    host = await GameClient(ws_url, name).connect()
    await host.send({"type": "create_room", "competition": made["competition"],
                     "host_key": made["host_key"]})
    created = await host.recv_until("created")
    assert created["competition"] == made["competition"]
    host.code, host.token = created["room"], created["host_token"]
    await host.recv_until("host")
    return host


def board_of(rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    return {(r["room"], r["nickname"]): r["score"] for r in rows}


async def test_three_rooms_over_two_processes_one_board_no_double_counting(
        two_servers: tuple[ServerProcess, ServerProcess], redis: aioredis.Redis) -> None:
    a, b = two_servers
    made = await new_competition(a.http_url, speed_scoring=False)  # equal scores happen
    cid = made["competition"]
    # Rooms 0 and 1 are created (so run) on A, room 2 on B; players join through both.
    hosts = [await competition_room(srv.ws_url, made, f"host{i}")
             for i, srv in enumerate((a, a, b))]
    codes = [h.code or "" for h in hosts]
    plans = [await RoomData(redis, code).plan() for code in codes]
    assert plans[0] == plans[1] == plans[2] and len(plans[0]) == ROUNDS  # one plan for all
    players: list[list[GameClient]] = []
    for r, code in enumerate(codes):
        room = [GameClient((a if i % 2 else b).ws_url, f"r{r}p{i}") for i in range(PER_ROOM)]
        await asyncio.gather(*(pl.connect() for pl in room))
        for i, pl in enumerate(room):
            await pl.join(code, f"Student {i}")  # the same nicknames in every room
        await hosts[r].room_where(lambda v: v["players"] == PER_ROOM)
        players.append(room)
    everyone = [c for room in players for c in room] + hosts
    status, board = await api_async(a.http_url, f"/api/competitions/{cid}/leaderboard.json")
    assert status == 200 and (board["rooms"], board["players"]) == (3, 3 * PER_ROOM)
    assert {r["score"] for r in board["rows"]} == {0} and board["name"] == "District final"

    points: dict[tuple[str, str], int] = {}  # the points of every round, summed, per player
    # (room, nickname) -> what they did in each round: (how, points)
    played: dict[tuple[str, str], list[tuple[str, int]]] = {}
    try:
        for rnd in range(ROUNDS):
            if rnd == 2:  # kill A: it runs rooms 0 and 1 and holds half of the sockets
                a.stop(kill=True)
                killed = asyncio.get_running_loop().time()
                for c in everyone:
                    if c.ws_url == a.ws_url:  # its socket is gone: reconnect to B
                        c.ws_url = b.ws_url
                        await c.close()
                        await c.connect()
                        await c.resume()
            for r, host in enumerate(hosts):
                await host.host("start" if rnd == 0 else "next")
                await host.room_where(lambda v, i=rnd: v["phase"] == "open"
                                      and v["round"]["index"] == i, timeout=30)
                if rnd == 2:  # no timing assert: printed
                    print(f"room {r} open on B {asyncio.get_running_loop().time() - killed:.1f} s "
                          "after A was killed")
                plan = plans[r][rnd]
                for i, pl in enumerate(players[r]):
                    how = HOWS[(i + r + rnd) % len(HOWS)]
                    if how != "none":
                        await pl.answer_acked(rnd, answer_for(plan, how, variant=i))
                await host.host("next")  # close the round (someone did not answer)
                await host.room_where(lambda v, i=rnd: v["phase"] == "reveal"
                                      and v["round"]["index"] == i, timeout=30)
                for pl in players[r]:
                    me = await pl.me_where(lambda m, i=rnd: m["last"] is not None
                                           and m["last"]["round"] == i, timeout=30)
                    key = (codes[r], pl.nickname or "")
                    points[key] = points.get(key, 0) + me["last"]["points"]
                    how = HOWS[(players[r].index(pl) + r + rnd) % len(HOWS)]
                    played.setdefault(key, []).append((how, me["last"]["points"]))
                    assert me["score"] == points[key]
                await host.host("next")  # leaderboard
        # The board equals the rules' scores, each player once, in every room.
        status, board = await api_async(b.http_url, f"/api/competitions/{cid}/leaderboard.json")
        assert status == 200 and board["players"] == 3 * PER_ROOM
        assert len(board["rows"]) == 3 * PER_ROOM
        assert board_of(board["rows"]) == points
        scores = [r["score"] for r in board["rows"]]
        assert scores == sorted(scores, reverse=True)
        for row in board["rows"]:  # ties share a rank: 1 + those with more points
            assert row["rank"] == 1 + sum(s > row["score"] for s in scores)
        assert len({r["score"] for r in board["rows"]}) < len(scores)  # there were ties
        top = await api_async(b.http_url, f"/api/competitions/{cid}/leaderboard.json?limit=5")
        assert top[1]["rows"] == board["rows"][:5] and top[1]["players"] == 3 * PER_ROOM

        # A kicked player leaves the board; the room's others stay.
        kicked = players[1][3]
        await hosts[1].send({"type": "kick", "player": kicked.player_id})
        await hosts[1].room_where(lambda v: v["players"] == PER_ROOM - 1)
        for _ in range(50):
            _, board = await api_async(b.http_url, f"/api/competitions/{cid}/leaderboard.json")
            if board["players"] == 3 * PER_ROOM - 1:
                break
            await asyncio.sleep(0.1)
        del points[(codes[1], kicked.nickname or "")]
        assert board_of(board["rows"]) == points

        # At the podium each room's report is kept in the competition: the organiser's
        # JSON export has all three, their scores the board's.
        for host in hosts:
            await host.host("next")
            await host.phase("podium", timeout=30)
        for _ in range(50):
            status, data = await api_async(b.http_url, f"/export/competition/{cid}.json",
                                           token=made["organiser_token"])
            if status == 200 and len(json.loads(data)["room_reports"]) == 3:
                break
            await asyncio.sleep(0.1)
        data = json.loads(data)
        assert board_of(data["rows"]) == points and sorted(data["room_reports"]) == sorted(codes)
        from_reports = {(code, p["nickname"]): p["score"]
                        for code, report in data["room_reports"].items()
                        for p in report["players"]}
        assert from_reports == points
        assert all(len(p["rounds"]) == ROUNDS for report in data["room_reports"].values()
                   for p in report["players"])
        del played[(codes[1], kicked.nickname or "")]
        await check_merged_report(b.http_url, made, data, played, plans[0])
    finally:
        await close_all(everyone)


async def test_closing_freezes_the_board_and_refuses_rooms(
        live_server: ServerProcess, redis: aioredis.Redis) -> None:
    base = live_server.http_url
    made = await new_competition(base, round_mix=["quiz"])
    cid = made["competition"]
    host = await competition_room(live_server.ws_url, made, "host")
    ann = await GameClient(live_server.ws_url, "ann").connect()
    stranger = await GameClient(live_server.ws_url, "stranger").connect()
    try:
        await ann.join(host.code or "", "Ann")
        await host.room_where(lambda v: v["players"] == 1)
        # Wrong key, unknown competition, a deck beside a competition: refused.
        await stranger.send({"type": "create_room", "competition": cid, "host_key": "nope"})
        await stranger.expect_error("unknown_competition")
        await stranger.send({"type": "create_room", "competition": cid,
                             "host_key": made["host_key"], "deck": "soviet-union-1928-41"})
        assert "leave out deck" in (await stranger.expect_error("malformed"))["message"]
        # Only the organiser closes it.
        assert (await api_async(base, f"/api/competitions/{cid}/close", "POST"))[0] == 403
        assert (await api_async(base, f"/api/competitions/{cid}/close", "POST",
                                token=made["host_key"]))[0] == 403
        status, closed = await api_async(base, f"/api/competitions/{cid}/close", "POST",
                                         token=made["organiser_token"])
        assert status == 200 and closed["closed"] is True
        await stranger.send({"type": "create_room", "competition": cid,
                             "host_key": made["host_key"]})
        await stranger.expect_error("competition_closed")
        # The room plays on; the board keeps its last totals and can still be read.
        plan = await RoomData(redis, host.code or "").plan()
        await host.host("start")
        await ann.phase("open", 0)
        await ann.answer_acked(0, answer_for(plan[0], "right"))
        me = await ann.me_where(lambda m: m["last"] is not None)
        assert me["score"] > 0
        status, board = await api_async(base, f"/api/competitions/{cid}/leaderboard.json")
        assert status == 200 and board["closed"] is True
        assert board_of(board["rows"]) == {(host.code, "Ann"): 0}
        # The organiser's exports: the board as CSV, the board and room reports as JSON.
        status, raw = await api_async(base, f"/export/competition/{cid}.csv",
                                      token=made["organiser_token"])
        assert status == 200
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows == [["rank", "nickname", "room", "score"], ["1", "Ann", host.code, "0"]]
        assert (await api_async(base, f"/export/competition/{cid}.csv"))[0] == 403
    finally:
        await close_all([host, ann, stranger])


async def test_bad_requests_get_clear_errors(live_server: ServerProcess) -> None:
    base = live_server.http_url
    cases = [
        ({"name": "x", "deck": "no-such-deck"}, 422, "bad_deck"),
        ({"name": "", "deck": "soviet-union-1928-41"}, 400, "malformed"),
        ({"name": "x", "settings": {"rounds": "3"}}, 400, "malformed"),
        ({"name": "x", "extra": 1}, 400, "malformed"),
    ]
    for body, status, code in cases:
        got = await api_async(base, "/api/competitions", "POST", body)
        assert (got[0], got[1]["error"]) == (status, code), body
    got = await api_async(base, "/api/competitions/NOSUCHID/leaderboard.json")
    assert (got[0], got[1]["error"]) == (404, "unknown_competition")
    got = await api_async(base, "/api/competitions", "GET")
    assert got[0] == 405
    # A body over 512 KiB: refused with 413 (read and dropped, never handed to websockets).
    too_big = {"name": "x", "upload": {"filename": "big.csv", "text": "a" * 600_000}}
    got = await api_async(base, "/api/competitions", "POST", too_big)
    assert (got[0], got[1]["error"]) == (413, "too_large")
    got = await api_async(base, "/api/competitions", "POST", {"name": "x"})  # still serving
    assert got[0] == 201


def test_cli_creates_a_competition_a_host_can_join(live_server: ServerProcess,
                                                   tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", "competition", "create", "--name", "Year 9",
         "--rounds", "2", "--mix", "quiz", "--url", live_server.http_url, "--json"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, check=True)
    made = json.loads(out.stdout)
    assert made["plan"]["rounds"] == 2 and made["plan"]["kinds"] == ["quiz"]

    async def host_joins() -> str:
        host = await competition_room(live_server.ws_url, made, "host")
        await host.close()
        return host.code or ""

    code = asyncio.run(host_joins())
    board = api(live_server.http_url, f"/api/competitions/{made['competition']}/leaderboard.json")
    assert board[1]["rooms"] == 1 and code
    shown = subprocess.run(
        [sys.executable, "-m", "server.cli", "competition", "leaderboard", made["competition"],
         "--url", live_server.http_url], capture_output=True, text=True, timeout=60,
        cwd=tmp_path, check=True)
    assert shown.stdout.startswith("Year 9: 0 players in 1 rooms")


async def check_merged_report(base: str, made: dict[str, Any], data: dict[str, Any],
                              played: dict[tuple[str, str], list[tuple[str, int]]],
                              plan: list[dict[str, Any]]) -> None:
    """The organiser's merged report and its CSVs against what every player sent."""
    cid, token = made["competition"], made["organiser_token"]
    players = data["report"]["players"]
    assert len(players) == len(played)
    scores = {(p["room"], p["nickname"]): p for p in players}
    for key, rounds in played.items():
        p = scores[key]
        assert p["score"] == sum(points for _, points in rounds)
        assert p["correct"] == sum(how == "right" for how, _ in rounds)
        assert [(x["answered"], x["perfect"], x["points"]) for x in p["rounds"]] == [
            (how != "none", how == "right", points) for how, points in rounds]
    for p in players:  # ranks across the competition; equal values share one
        assert p["rank"] == 1 + sum(q["score"] > p["score"] for q in players)
        assert p["accuracy_rank"] == 1 + sum(q["accuracy"] > p["accuracy"] for q in players)
    # A quiz round's card: right for exactly those who chose the right option.
    cards = {c["id"]: c for c in data["report"]["cards"]}
    asked = [c for rnd in plan for c in rnd["cards"].values()]
    for n, rnd in enumerate(plan):
        if rnd["kind"] != "quiz":
            continue
        card = rnd["cards"][rnd["key"]["correct"]]["id"]
        if sum(c["id"] == card for c in asked) > 1:
            continue  # asked again in another round: its share depends on both
        right = sum(rounds[n][0] == "right" for rounds in played.values())
        assert (cards[card]["players"], cards[card]["right"]) == (len(played), right)
        assert cards[card]["share"] == round(right / len(played), 4)
    shares = [c["share"] for c in data["report"]["cards"]]
    assert shares == sorted(shares)  # hardest first

    status, raw = await api_async(base, f"/export/competition/{cid}-results.csv", token=token)
    assert status == 200
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    head = rows[0]
    assert head[:4] == ["rank", "nickname", "room", "score"]
    assert head[10:] == [f"r{n} {what}" for n in range(1, ROUNDS + 1)
                         for what in ("answer", "result", "points")]
    assert len(rows) == 1 + len(played)
    for row in rows[1:]:
        rounds = played[(row[2], row[1])]
        assert int(row[3]) == sum(points for _, points in rounds)
        for n, (how, points) in enumerate(rounds):
            result, got = row[10 + 3 * n + 1], int(row[10 + 3 * n + 2])
            assert got == points
            if how == "none":
                assert result == "no answer"
            elif how == "right":
                right, of = result.split(" of ")
                assert right == of
    status, raw = await api_async(base, f"/export/competition/{cid}-cards.csv", token=token)
    cards_rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert status == 200 and len(cards_rows) == 1 + len(cards)
    assert [r[3] for r in cards_rows[1:]] == [c["id"] for c in data["report"]["cards"]]


async def test_the_board_survives_redis_being_killed(restartable_redis: EmbeddedRedis,
                                                     server_logs: Path) -> None:
    """Redis killed with SIGKILL (no clean shutdown) a little over a second after the last
    write, then started again on its data: the append-only file kept the competition."""
    store = restartable_redis
    server = ServerProcess(store.url, server_logs).start()
    clients: list[GameClient] = []
    try:
        made = await new_competition(server.http_url, round_mix=["quiz"])
        cid = made["competition"]
        host = await competition_room(server.ws_url, made, "host")
        ann = await GameClient(server.ws_url, "ann").connect()
        bob = await GameClient(server.ws_url, "bob").connect()
        clients = [host, ann, bob]
        await ann.join(host.code or "", "Ann")
        await bob.join(host.code or "", "Bob")
        looker = redis_client(store.url)
        plan = await RoomData(looker, host.code or "").plan()
        await looker.aclose()
        await host.host("start")
        await ann.phase("open", 0)
        await ann.answer_acked(0, answer_for(plan[0], "right"))
        await bob.answer_acked(0, answer_for(plan[0], "wrong"))
        score = (await ann.me_where(lambda m: m["last"] is not None))["score"]
        path = f"/api/competitions/{cid}/leaderboard.json"
        for _ in range(50):
            before = (await api_async(server.http_url, path))[1]
            if before["rows"] and before["rows"][0]["score"] == score:
                break
            await asyncio.sleep(0.1)
        assert board_of(before["rows"]) == {(host.code, "Ann"): score, (host.code, "Bob"): 0}
        await asyncio.sleep(1.5)  # appendfsync everysec: written to disk by now
        assert store.process is not None
        store.process.kill()
        store.process.wait()
        store.start()
        for _ in range(100):  # the server reconnects by itself
            status, after = await api_async(server.http_url, path)
            if status == 200:
                break
            await asyncio.sleep(0.1)
        assert after == before
        status, _ = await api_async(server.http_url, f"/api/competitions/{cid}/close", "POST",
                                    token=made["organiser_token"])
        assert status == 200
    finally:
        await close_all(clients)
        server.stop(kill=True)
