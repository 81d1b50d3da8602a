"""The Redis store on a real Redis: commits refuse lost leases, stale versions and expired
rooms; the game cache stays bounded."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from game_rules.machine import Game, RoomState
from game_rules.model import Round, Settings
from server import keys, store
from server.store import LeaseLost, RoomGone, Store

GAME = Game(Settings(), (Round("quiz", {"kind": "quiz"}, {"correct": "a"}, 1000, 1000),))


async def test_commit_checks_lease_version_and_room(redis_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    client = aioredis.Redis.from_url(redis_url)
    st = Store(client)
    code, _token = await st.create_room(GAME, "Deck")
    k = keys.room_keys(code)
    await client.set(k.lease, "me")
    assert await st.commit(code, "me", 0, RoomState(locked=True), "1-0", 0) == 1
    with pytest.raises(LeaseLost):
        await st.commit(code, "someone else", 1, RoomState(), "2-0", 0)
    with pytest.raises(LeaseLost):
        await st.commit(code, "me", 0, RoomState(), "2-0", 0)  # stale version
    loaded = await st.load(code)
    assert loaded is not None and loaded.state.locked and loaded.version == 1
    await client.delete(k.state)  # the room expired
    with pytest.raises(RoomGone):
        await st.commit(code, "me", 1, RoomState(), "2-0", 0)
    assert not await client.exists(k.state)  # and the commit did not bring it back

    monkeypatch.setattr(store, "GAME_CACHE_SIZE", 2)
    for _ in range(3):
        await st.create_room(GAME, "Deck")
    assert len(st._games) == 2
    await client.aclose()


async def test_expired_rooms_are_found_in_one_look(redis_url: str) -> None:
    """`Store.expired` names the rooms whose state is gone, across script chunks, in order."""
    client = aioredis.Redis.from_url(redis_url)
    st = Store(client)
    live = [(await st.create_room(GAME, "Deck"))[0] for _ in range(3)]
    await client.delete(keys.room_keys(live[1]).state)
    never = [f"ZZ{i:04d}" for i in range(1500)]  # codes no room has (the alphabet has no 0)
    codes = [live[0], *never[:999], live[1], live[2], *never[999:]]
    assert await st.expired(codes) == [c for c in codes if c not in (live[0], live[2])]
    assert await st.expired([]) == []
    await client.aclose()


def test_inbox_entries_round_trip() -> None:
    from game_rules import machine as m
    from server import inbox

    events = [m.PlayerJoin("p1", "Ann"), m.PlayerConnection("p1", False),
              m.SubmitAnswer("p1", 2, {"order": ["a", "b"]}), m.HostAction("pause"),
              m.HostAddTime(15_000), m.HostKick("p1")]
    for event in events:
        assert inbox.decode(inbox.encode(event)) == (event, None)
    assert inbox.decode(inbox.encode(events[0], "abc")) == (events[0], "abc")
    with pytest.raises(KeyError):
        inbox.decode('{"k": "Nonsense"}')


async def test_commits_of_changes_rebuild_the_state_exactly(redis_url: str) -> None:
    """A commit writes only what a batch changed (`server.changes.Change`): after every
    batch of a random game, the room loaded back from Redis equals the owner's state, and
    the leaderboard and answers structures agree with it."""
    import json
    import random

    from decks.io import bundled_deck_path, load_deck
    from game_rules import machine as m
    from game_rules.plan import make_plan
    from server.changes import Change
    from tests.rules_fixtures import random_event

    client = aioredis.Redis.from_url(redis_url)
    st = Store(client)
    settings = Settings(rounds=4, round_mix=("quiz",), max_players=50)
    plan = make_plan(load_deck(bundled_deck_path("soviet-union-1928-41")).to_rules(), settings, 3)
    game = Game(settings, tuple(plan))
    for seed in range(12):
        rng = random.Random(seed)
        code, _token = await st.create_room(game, "Deck")
        k = keys.room_keys(code)
        await client.set(k.lease, "me")
        state, version, now, answered = RoomState(), 0, 1_000_000, {}
        for _batch in range(40):
            change = Change()
            for _ in range(rng.randint(1, 5)):
                now += rng.randint(0, 3000)
                event = random_event(rng, state, plan)
                state, out = m.apply(game, state, event, now)
                change.note(event, state, out, None)
                for e in out:
                    if isinstance(e, m.AnswerAccepted):
                        answered[f"{e.round_index}:{e.player_id}"] = state.results[e.player_id]
            version = await st.commit(code, "me", version, state, f"{_batch + 1}-0", 0, change)
            loaded = await st.load(code)
            assert loaded is not None and loaded.version == version
            assert loaded.state.model_dump() == state.model_dump(), f"seed {seed}, batch {_batch}"
            board = {pid.decode(): int(score)
                     for pid, score in await client.zrange(k.leaderboard, 0, -1, withscores=True)}
            assert board == {pid: p.score for pid, p in state.players.items()}
        stored = {f.decode(): m.Result.model_validate(json.loads(v))
                  for f, v in (await client.hgetall(k.answers)).items()}
        assert stored == answered
    await client.aclose()


async def test_a_commit_publishes_its_envelopes_and_keeps_the_views(redis_url: str) -> None:
    """The envelopes of a batch go out in its commit's own script, in order, with the room
    and host frames kept for snapshots; a refused commit publishes and keeps nothing."""
    client = aioredis.Redis.from_url(redis_url)
    st = Store(client)
    code, _token = await st.create_room(GAME, "Deck")
    k = keys.room_keys(code)
    await client.set(k.lease, "me")
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(k.channel)
    assert await st.commit(code, "me", 0, RoomState(), "1-0", 1, publish=["one", "two"],
                           views=("ROOM", "HOST")) == 1
    with pytest.raises(LeaseLost):
        await st.commit(code, "me", 0, RoomState(), "2-0", 2, publish=["stale"],
                        views=("OLD", "OLD"))
    assert await st.commit(code, "me", 1, None, "3-0", 1, publish=["three"]) == 1
    heard = []
    async with asyncio.timeout(5):
        while len(heard) < 3:
            msg = await pubsub.get_message(timeout=1)
            if msg is not None:
                heard.append(msg["data"])
    assert heard == [b"one", b"two", b"three"]
    assert await client.hgetall(k.views) == {b"room": b"ROOM", b"host": b"HOST"}
    parts = await st.snapshot_parts(code, "host")
    assert parts is not None and (parts.room, parts.host) == ("ROOM", "HOST")
    await pubsub.aclose()
    await client.aclose()
