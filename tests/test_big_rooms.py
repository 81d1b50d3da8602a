"""A room bigger than a class, on a real server: a join storm gets coalesced room views that
still end with the right counts and contiguous `seq`, the host view is capped, and a player
who comes back gets their own view (score and rank) without the room being read whole."""

from __future__ import annotations

import asyncio

from tests.client import GameClient, RoomData, answer_for, close_all, connect_many, redis_client
from tests.servers import ServerProcess

PLAYERS = 150
SETTINGS = {"rounds": 2, "round_mix": ["quiz"], "time_limit_s": 60, "max_players": 300}


async def test_join_storm_and_a_capped_host_view(live_server: ServerProcess,
                                                 redis_url: str) -> None:
    host = await GameClient(live_server.ws_url, "host").connect()
    await host.create_room(SETTINGS, seed=3)
    assert host.code is not None
    players = await connect_many(live_server.ws_url, PLAYERS)
    try:
        await asyncio.gather(*(pl.join(host.code, f"Storm {i}") for i, pl in enumerate(players)))
        # The last joins' counts arrive although nothing else happens after them.
        await host.room_where(lambda r: r["players"] == PLAYERS)
        seqs = [v["seq"] for v in host.views("room")]
        assert seqs == list(range(seqs[0], seqs[-1] + 1)), "room views skipped a seq"
        for i, pl in enumerate(players):
            me = await pl.me_where(lambda m: True)
            assert me["nickname"] == f"Storm {i}" and me["rank"] == 1 and me["score"] == 0
        hv = await host.recv_until("host", lambda h: h["more"] == PLAYERS - 100)
        assert len(hv["players"]) == 100 and hv["offline"]["count"] == 0

        await host.host("start")
        await host.phase("open", 0)
        plan = await RoomData(redis_client(redis_url), host.code).plan()
        right = answer_for(plan[0], "right")
        await asyncio.gather(*(pl.answer_acked(0, right) for pl in players[:PLAYERS // 2]))
        await players[-1].close()
        hv = await host.recv_until(
            "host", lambda h: h["waiting"]["count"] == PLAYERS // 2 - 1
            and h["offline"]["count"] == 1)
        assert hv["offline"]["names"] == [f"Storm {PLAYERS - 1}"]
        still = {f"Storm {i}" for i in range(PLAYERS // 2, PLAYERS - 1)}
        names = hv["waiting"]["names"]
        assert len(names) == len(set(names)) == 20 and set(names) <= still
        await host.host("next")
        await host.phase("reveal", 0)
        # Player 0 answered first and right: rank 1; the last one (offline) did not.
        back = await players[-1].reconnect()
        assert back["type"] == "room" and back["phase"] == "reveal"
        me = await players[-1].me_where(lambda m: m["last"] is not None or m["score"] == 0)
        ranks = await RoomData(redis_client(redis_url), host.code).leaderboard()
        assert me["score"] == 0 and me["rank"] == 1 + sum(1 for s in ranks.values() if s > 0)
        first = await players[0].me_where(lambda m: m["last"] is not None)
        assert first["score"] > 0 and first["rank"] == 1 + sum(
            1 for s in ranks.values() if s > first["score"])
    finally:
        await close_all([host, *players])
