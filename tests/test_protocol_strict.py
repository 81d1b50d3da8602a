"""The server takes exactly what docs/protocol.md says (issue 10), over a real socket.

Strict types (no `"5"`, `5.0` or `true` for an int, no `"7"` for a seed), JSON text frames
only, and an answer with nothing in it (an empty `pairs` or `placement`) or an `order`
that is not a full permutation refused as `invalid_answer` without using up the player's
one answer. Each refusal leaves the room as it was.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from tests.client import GameClient, answer_for, open_round
from tests.client import OpenRound as Room
from tests.servers import ServerProcess

QUIZ = {"round_mix": ["quiz"], "rounds": 2, "speed_scoring": False, "time_limit_s": 60}
INTEGER = "must be an integer"


@pytest.fixture
async def room(live_server: ServerProcess, redis: aioredis.Redis) -> AsyncIterator[Room]:
    room = await open_round(live_server.ws_url, redis, QUIZ)
    yield room
    await room.close()


# --------------------------------------------------------------------- strict values


@pytest.mark.parametrize(("sender", "msg", "field"), [
    ("ann", {"type": "answer", "round": "0", "answer": {"choice": "x"}}, "answer.round"),
    ("ann", {"type": "answer", "round": 0.0, "answer": {"choice": "x"}}, "answer.round"),
    ("ann", {"type": "answer", "round": False, "answer": {"choice": "x"}}, "answer.round"),
    ("host", {"type": "add_time", "seconds": True}, "add_time.seconds"),
    ("host", {"type": "add_time", "seconds": "5"}, "add_time.seconds"),
    ("host", {"type": "add_time", "seconds": 5.0}, "add_time.seconds"),
    ("host", {"type": "add_time", "seconds": 5.5}, "add_time.seconds"),
    ("host", {"type": "host", "action": ["start"]}, "host.action"),
    ("host", {"type": "kick", "player": 12}, "kick.player"),
    ("stranger", {"type": "create_room", "seed": "7"}, "create_room.seed"),
    ("stranger", {"type": "create_room", "seed": 7.0}, "create_room.seed"),
    ("stranger", {"type": "create_room", "settings": {"rounds": "3"}},
     "create_room.settings.rounds"),
    ("stranger", {"type": "create_room", "settings": {"rounds": 3.0}},
     "create_room.settings.rounds"),
    ("stranger", {"type": "create_room", "settings": {"late_join": 0}},
     "create_room.settings.late_join"),
    ("stranger", {"type": "create_room", "settings": {"points": True}},
     "create_room.settings.points"),
    ("stranger", {"type": "join", "room": 123456, "nickname": "Cy"}, "join.room"),
    ("stranger", {"type": "resume", "room": "ABCDEF", "token": 5}, "resume.token"),
])
async def test_loose_values_are_refused(room: Room, sender: str, msg: dict[str, Any],
                                        field: str) -> None:
    before = await room.data.snapshot()
    client: GameClient = getattr(room, sender)
    await client.send(msg)
    err = await client.expect_error("malformed")
    assert f"Invalid field {field}:" in err["message"], err
    await room.intact(before)
    if sender == "stranger":  # nothing was created or joined: still in no room
        await room.stranger.send({"type": "sync"})
        await room.stranger.expect_error("not_in_room")


async def test_a_refused_round_does_not_use_up_the_answer(room: Room) -> None:
    for loose in ("0", 0.0, True, False):
        await room.ann.send({"type": "answer", "round": loose,
                             "answer": answer_for(room.plan[0], "right")})
        assert INTEGER in (await room.ann.expect_error("malformed"))["message"]
    await room.ann.answer_acked(0, answer_for(room.plan[0], "right"))


async def test_versions_as_strings_are_refused_in_hello(live_server: ServerProcess) -> None:
    for versions in (["1"], [1.0], [True]):
        client = await GameClient(live_server.ws_url, "early").open()
        try:
            await client.send({"type": "hello", "versions": versions})
            await client.expect_error("malformed")
            assert await client.wait_closed() == 1002
        finally:
            await client.close()


async def test_a_long_unknown_field_is_not_echoed(room: Room) -> None:
    name = "x" * 5000
    await room.stranger.send({"type": "ping", name: 1})
    err = await room.stranger.expect_error("malformed")
    assert "Unknown field ping.xxx" in err["message"] and len(err["message"]) < 200, err


async def test_a_long_unknown_id_is_not_echoed(room: Room) -> None:
    await room.ann.answer(0, {"choice": "y" * 5000})
    err = await room.ann.expect_error("invalid_answer")
    assert "unknown option id" in err["message"] and len(err["message"]) < 200, err


# --------------------------------------------------------------------- frames


async def test_binary_frames_are_refused(room: Room) -> None:
    before = await room.data.snapshot()
    answer = json.dumps({"type": "answer", "round": 0,
                         "answer": answer_for(room.plan[0], "right")}).encode()
    await room.ann.send(answer)  # a valid message, but in a binary frame
    err = await room.ann.expect_error("malformed")
    assert "text frame" in err["message"], err
    await room.stranger.send(b'{"type": "ping"}')
    await room.stranger.expect_error("malformed")
    await room.intact(before)
    # The connection stays open, and the answer was not used up.
    await room.stranger.send({"type": "ping"})
    await room.stranger.recv_until("pong")
    await room.ann.answer_acked(0, answer_for(room.plan[0], "right"))


async def test_a_binary_hello_is_refused(live_server: ServerProcess) -> None:
    client = await GameClient(live_server.ws_url, "early").open()
    try:
        await client.send(b'{"type": "hello", "versions": [1]}')
        assert "text frame" in (await client.expect_error("malformed"))["message"]
        assert await client.wait_closed() == 1002
    finally:
        await client.close()


# --------------------------------------------------------------------- answers


@pytest.mark.parametrize(("kind", "bad", "words"), [
    ("match", lambda key: {"pairs": {}}, "empty"),
    ("sort", lambda key: {"placement": {}}, "empty"),
    ("order", lambda key: {"order": key["order"][:-1]}, "every item"),
    ("order", lambda key: {"order": []}, "every item"),
])
async def test_an_empty_answer_is_refused_and_the_player_answers_again(
        live_server: ServerProcess, redis: aioredis.Redis, kind: str, bad: Any,
        words: str) -> None:
    settings = {"round_mix": [kind], "rounds": 1, "speed_scoring": False, "time_limit_s": 60,
                "points": 1000}
    room = await open_round(live_server.ws_url, redis, settings)
    host, ann, bob, data = room.host, room.ann, room.bob, room.data
    try:
        rnd = (await data.plan())[0]
        assert rnd["kind"] == kind
        before = await data.snapshot()
        await ann.answer(0, bad(rnd["key"]))
        err = await ann.expect_error("invalid_answer")
        assert words in err["message"], err
        await asyncio.sleep(0.1)
        assert await data.snapshot() == before  # not recorded: no answer, no points
        await ann.answer_acked(0, answer_for(rnd, "right"))
        await bob.answer_acked(0, answer_for(rnd, "wrong"))
        await host.phase("reveal", 0)
        me = await ann.me_where(lambda m: m["last"] is not None)
        assert me["last"]["correct"] and me["last"]["points"] == 1000, me
        assert await data.scores() == {ann.player_id: 1000, bob.player_id: 0}
    finally:
        await room.close()
