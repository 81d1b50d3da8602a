"""Bad input gets its error code and leaves the room as it was.

Each test runs against the shared real server with a room in round 0 (a host, two
players), sends something wrong and checks the error code, then that the room's state,
version (`seq`) and leaderboard in Redis are unchanged.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from server.protocol import MAX_FRAME_BYTES
from tests.client import (
    GameClient,
    answer_for,
    close_all,
    open_round,
    room_with_players,
)
from tests.client import OpenRound as Room
from tests.servers import ServerProcess

SETTINGS = {"round_mix": ["quiz"], "rounds": 3, "speed_scoring": False, "time_limit_s": 60}


@pytest.fixture
async def room(live_server: ServerProcess, redis: aioredis.Redis) -> AsyncIterator[Room]:
    room = await open_round(live_server.ws_url, redis, SETTINGS)
    yield room
    await room.close()


# --------------------------------------------------------------------- handshake


@pytest.mark.parametrize("first, code", [
    ("{not json", "malformed"),
    ('{"type": "bogus"}', "malformed"),
    ('{"type": "join", "room": "ABCDEF", "nickname": "Ann"}', "malformed"),
    ('{"type": "hello", "versions": []}', "malformed"),
    ('{"type": "hello", "versions": [2, 99]}', "unsupported_version"),
])
async def test_bad_first_message_closes(live_server: ServerProcess, first: str,
                                        code: str) -> None:
    client = await GameClient(live_server.ws_url, "early").open()
    try:
        await client.send(first)
        assert (await client.expect_error(code))["message"]
        assert await client.wait_closed() == 1002
    finally:
        await client.close()


async def test_hello_picks_the_highest_common_version(live_server: ServerProcess) -> None:
    client = await GameClient(live_server.ws_url).connect(versions=[99, 1])
    try:
        assert client.welcome["protocol"] == 1
    finally:
        await client.close()


# --------------------------------------------------------------------- malformed


@pytest.mark.parametrize("raw, words", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "object"),
    ('{"type": "launch_missiles"}', "Unknown message type"),
    ('{"room": "ABCDEF"}', "type"),
    ('{"type": "join", "room": "ABCDEF"}', "nickname"),
    ('{"type": "answer", "round": 0}', "answer"),
    ('{"type": "answer", "round": -1, "answer": {}}', "round"),
    ('{"type": "host", "action": "explode"}', "action"),
    ('{"type": "add_time", "seconds": 0}', "seconds"),
    ('{"type": "join", "room": "ABCDEF", "nickname": "Ann", "extra": 1}', "extra"),
    ('{"type": "hello", "versions": [1]}', "hello"),
])
async def test_malformed_messages(room: Room, raw: str, words: str) -> None:
    before = await room.data.snapshot()
    for client in (room.ann, room.host, room.stranger):
        await client.send(raw)
        msg = await client.expect_error("malformed")
        assert words in msg["message"], msg
    await room.intact(before)


async def test_oversized_frame_closes_with_1009(room: Room, live_server: ServerProcess) -> None:
    before = await room.data.snapshot()
    big = json.dumps({"type": "answer", "round": 0,
                      "answer": {"choice": "x" * (MAX_FRAME_BYTES + 1)}})
    assert len(big.encode()) > MAX_FRAME_BYTES
    await room.ann.send(big)
    assert await room.ann.wait_closed() == 1009
    # The room is as it was, but for Ann being marked disconnected.
    await room.bob.room_where(lambda r: r["seq"] > before["version"])
    after = await room.data.snapshot()
    connected = {pid: pl.pop("connected") for pid, pl in after["state"]["players"].items()}
    assert connected == {room.ann.player_id: False, room.bob.player_id: True}
    left = {pid: pl.pop("left_ms") for pid, pl in after["state"]["players"].items()}
    assert left[room.ann.player_id] and left[room.bob.player_id] is None  # Ann's grace start
    for player in before["state"]["players"].values():
        player.pop("connected")
        player.pop("left_ms")
    assert after["state"] == before["state"] and after["lb"] == before["lb"]
    view = await room.host.sync()
    assert view["phase"] == "open" and view["round"]["index"] == 0 and view["players"] == 2
    # Ann comes back on a new socket and plays on.
    await room.ann.reconnect()
    await room.ann.answer_acked(0, answer_for(room.plan[0], "right"))


# --------------------------------------------------------------------- tokens and rooms


async def test_wrong_and_stolen_tokens(room: Room, live_server: ServerProcess) -> None:
    other_host, (eve,) = await room_with_players(live_server.ws_url, SETTINGS, 1, seed=8)
    thief = await GameClient(live_server.ws_url, "thief").connect()
    try:
        before = await room.data.snapshot()
        assert await thief.resume_refused(room.host.code, "not-a-token") == "bad_token"
        # A real token, of another room: it does not open this one.
        assert await thief.resume_refused(room.host.code, eve.token) == "bad_token"
        assert await thief.resume_refused(room.host.code, other_host.token) == "bad_token"
        assert await thief.resume_refused("ZZZZZZ", room.ann.token) == "unknown_room"
        assert await thief.join_refused("ZZZZZZ", "Thief") == "unknown_room"
        await room.intact(before)
    finally:
        await close_all([other_host, eve, thief])


async def test_not_in_room_and_already_in_room(room: Room) -> None:
    before = await room.data.snapshot()
    s = room.stranger
    await s.answer(0, answer_for(room.plan[0], "right"))
    await s.expect_error("not_in_room")
    await s.host("next")
    await s.expect_error("not_in_room")
    await s.send({"type": "sync"})
    await s.expect_error("not_in_room")
    await room.ann.send({"type": "join", "room": room.host.code, "nickname": "Ann again"})
    await room.ann.expect_error("already_in_room")
    await room.host.send({"type": "resume", "room": room.host.code, "token": room.host.token})
    await room.host.expect_error("already_in_room")
    await room.intact(before)


@pytest.mark.parametrize("nickname, code", [
    ("Player 0", "nickname_taken"),
    ("  pLaYeR   0 ", "nickname_taken"),
    ("   ", "nickname_invalid"),
    ("\u0007\u200b", "bad_nickname"),
    ("x" * 21, "nickname_invalid"),
])
async def test_bad_nicknames(room: Room, nickname: str, code: str) -> None:
    before = await room.data.snapshot()
    assert await room.stranger.join_refused(room.host.code, nickname) == code
    await room.intact(before)


# --------------------------------------------------------------------- answers and roles


async def test_a_second_answer_counts_once(room: Room) -> None:
    rnd = room.plan[0]
    await room.ann.answer_acked(0, answer_for(rnd, "right"))
    before = await room.data.snapshot()
    await room.ann.answer(0, answer_for(rnd, "wrong"))
    await room.ann.expect_error("already_answered")
    # The same answer sent again (its ack lost, say) is acknowledged again, counted once.
    await room.ann.answer_acked(0, answer_for(rnd, "right"))
    await room.intact(before)
    await room.bob.answer_acked(0, answer_for(rnd, "wrong"))
    await room.ann.phase("reveal", 0)
    assert await room.data.scores() == {room.ann.player_id: 1000, room.bob.player_id: 0}
    assert (await room.ann.me_where(lambda m: m["last"] is not None))["answer"] == \
        answer_for(rnd, "right")


async def test_wrong_round_invalid_answer_and_closed_round(room: Room) -> None:
    rnd = room.plan[0]
    before = await room.data.snapshot()
    await room.ann.answer(1, answer_for(room.plan[1], "right"))
    await room.ann.expect_error("wrong_round")
    await room.ann.answer(0, {"choice": "no-such-option"})
    await room.ann.expect_error("invalid_answer")
    await room.ann.answer(0, {"pairs": {}})
    await room.ann.expect_error("invalid_answer")
    await room.host.answer(0, answer_for(rnd, "right"))
    await room.host.expect_error("not_player")
    await room.intact(before)

    await room.host.host("next")  # the host closes the round
    await room.ann.phase("reveal", 0)
    before = await room.data.snapshot()
    await room.ann.answer(0, answer_for(rnd, "right"))
    await room.ann.expect_error("round_closed")
    await room.intact(before, phase="reveal")
    assert all(s == 0 for s in (await room.data.scores()).values())


async def test_host_only_actions(room: Room) -> None:
    before = await room.data.snapshot()
    for msg in ({"type": "host", "action": "next"}, {"type": "host", "action": "end"},
                {"type": "add_time", "seconds": 30},
                {"type": "kick", "player": room.bob.player_id}):
        await room.ann.send(msg)
        await room.ann.expect_error("not_host")
    await room.host.host("start")  # already started
    await room.host.expect_error("bad_phase")
    await room.host.send({"type": "kick", "player": "p000000000000"})
    await room.host.expect_error("unknown_player")
    await room.intact(before)


@pytest.mark.parametrize(
    ("msg", "reason"),
    [
        ({"deck": "no-such-deck"}, "unknown_deck"),
        ({"upload": {"filename": "notes.txt", "text": "just some words\nand more"}},
         "unknown_format"),
        ({"upload": {"filename": "empty.csv", "text": "   \n"}}, "empty"),
        ({"upload": {"filename": "cards.csv", "text": "term,definition\n"}}, "no_cards"),
        ({"upload": {"filename": "deck.toml", "text": "title = 3\n"}}, "invalid"),
        ({"upload": {"filename": "two.txt", "format": "quizlet", "text": "a\tb\nc\td"},
          "settings": {"round_mix": ["order"]}}, "no_rounds"),
    ],
)
async def test_bad_deck_says_why_in_a_reason_code(live_server: ServerProcess,
                                                  msg: dict[str, Any], reason: str) -> None:
    host = await GameClient(live_server.ws_url, "host").connect()
    try:
        await host.send({"type": "create_room", **msg})
        err = await host.expect_error("bad_deck")
        assert err["reason"] == reason, err
        assert err["message"] and "--format" not in err["message"]  # no command-line words
    finally:
        await host.close()
