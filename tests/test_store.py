"""The Redis store on a real Redis: commits refuse lost leases, stale versions and expired
rooms; the game cache stays bounded."""

from __future__ import annotations

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
    assert await st.commit(code, "me", 0, RoomState(locked=True), "1-0", {}) == 1
    with pytest.raises(LeaseLost):
        await st.commit(code, "someone else", 1, RoomState(), "2-0", {})
    with pytest.raises(LeaseLost):
        await st.commit(code, "me", 0, RoomState(), "2-0", {})  # stale version
    loaded = await st.load(code)
    assert loaded is not None and loaded.state.locked and loaded.version == 1
    await client.delete(k.state)  # the room expired
    with pytest.raises(RoomGone):
        await st.commit(code, "me", 1, RoomState(), "2-0", {})
    assert not await client.exists(k.state)  # and the commit did not bring it back

    monkeypatch.setattr(store, "GAME_CACHE_SIZE", 2)
    for _ in range(3):
        await st.create_room(GAME, "Deck")
    assert len(st._games) == 2
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
