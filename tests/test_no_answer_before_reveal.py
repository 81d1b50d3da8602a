"""No frame a host or player receives says which answer is right before the round's reveal:
a full game of every round kind, every frame checked (issue 10's threat model: a player
reading the socket must not learn more than the screen shows)."""

from __future__ import annotations

from typing import Any

from tests.client import RoomData, answer_for, close_all, redis_client, room_with_players
from tests.servers import ServerProcess

# Fields that carry a round's answer key (the reveal's `key`, its `correct` marks) or a
# player's grade; none may appear in any frame before that round's reveal.
SECRET_FIELDS = {"key", "correct", "fraction", "perfect"}


def secret_fields(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = SECRET_FIELDS & set(value)
        for item in value.values():
            found |= secret_fields(item)
        return found
    if isinstance(value, list):
        return set().union(*(secret_fields(v) for v in value)) if value else set()
    return set()


async def test_no_frame_tells_the_answer_before_the_reveal(live_server: ServerProcess) -> None:
    settings = {"rounds": 4, "round_mix": ["quiz", "match", "sort", "order"]}
    host, players = await room_with_players(live_server.ws_url, settings, 2, seed=11)
    redis = redis_client(live_server.redis_url)
    try:
        assert host.code is not None
        plan = await RoomData(redis, host.code).plan()
        await host.host("start")
        for index, rnd in enumerate(plan):
            for c in (host, *players):
                await c.phase("open", index)
            before = {c.name: len(c.frames) for c in (host, *players)}
            await players[0].answer_acked(index, answer_for(rnd, "right"))
            await players[1].answer_acked(index, answer_for(rnd, "wrong"))
            reveal = await players[0].phase("reveal", index)
            assert secret_fields(reveal["reveal"]) >= {"key"}  # the check sees a key
            for c in (host, *players):
                await c.phase("reveal", index)
                upto = next(i for i, f in enumerate(c.frames) if f.msg.get("type") == "room"
                            and f.msg.get("phase") == "reveal"
                            and f.msg.get("round_index") == index)
                for frame in c.frames[:upto]:
                    if frame.msg.get("type") == "room" and frame.msg.get("reveal") \
                            and frame.msg.get("round_index", index) < index:
                        continue  # an earlier round's reveal, resent in its own phase
                    msg = dict(frame.msg)
                    last = msg.get("last")
                    if msg.get("type") == "me" and last and last["round"] < index:
                        del msg["last"]  # an earlier round's result, after its reveal
                    leaked = secret_fields(msg)
                    if frame.msg.get("type") == "room" and frame.msg.get("phase") in (
                            "reveal", "leaderboard", "podium"):
                        continue  # an earlier round's results, shown after its reveal
                    assert not leaked, (c.name, index, frame.raw[:300])
                assert upto >= before[c.name]
            await host.host("next")
            if index < len(plan) - 1:
                await host.phase("leaderboard")
                await host.host("next")
    finally:
        await close_all([host, *players])
        await redis.aclose()
