"""Redis clients from a URL: one Redis, or one managed by Redis Sentinel.

URL forms (`cardcade serve --redis`, `REDIS_URL`):

- ``redis://[[user]:password@]host:port/DB``, ``rediss://...`` (TLS), ``unix:///path?db=N``:
  one Redis (redis-py's own `from_url`).
- ``redis+sentinel://[[user]:password@]host:port[,host:port...]/SERVICE[?db=N]``: the
  master of the Sentinel service SERVICE, found by asking the sentinels listed (port
  26379 when left out). The user and password are the master's; the query may add
  ``sentinel_password`` (and ``sentinel_username``) for the sentinels themselves. After a
  failover the clients find the new master on their own.
- ``redis+cluster://[[user]:password@]host:port[,host:port...]``: a Redis Cluster, found
  from the nodes listed (port 6379 when left out): redis-py's `RedisCluster`, which follows
  the slots as they move and as replicas take over. A plain ``redis://`` URL that names a
  Cluster node is refused (`check_server`): it would fail later, on the first key of
  another node.

Every process builds the same two clients (`connect`): a bounded pool for short
commands, and a client of its own for the owner loop's blocking XREAD. Where Cluster
needs other commands than one Redis (a script or a read over keys of many slots), the
modules say so and ask `is_cluster`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import (
    BlockingConnectionPool,
    Connection,
    ConnectionPool,
    SSLConnection,
)
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import (
    MasterNotFoundError,
    Sentinel,
    SentinelConnectionPool,
    SentinelManagedConnection,
)
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException, ResponseError

log = logging.getLogger("cardcade.redis")

REDIS_CONNECTIONS = 128  # per process, for short commands
REDIS_POOL_WAIT_S = 10  # how long a caller waits for a free pooled connection
REDIS_RETRIES = 3  # a command that meets a broken connection is tried again this often
# A connect that takes longer fails (a partition); not shorter: a process whose event loop
# lags a couple of seconds under a burst must not take its own lag for Redis being away.
REDIS_CONNECT_TIMEOUT_S = 5.0
REDIS_TIMEOUT_S = 5.0  # a reply (the blocking read waits at most owner.BLOCK_S for one)
SENTINEL_PORT = 26379
CLUSTER_PORT = 6379
CLUSTER_CONNECTIONS = 1024  # per node and client (redis-py's cluster pool fails, not waits)
SENTINEL_WATCH_S = 1.0  # how often a process asks the sentinels which node is master
SENTINEL_SCHEMES = ("redis+sentinel",)
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")


class RedisSetupError(RuntimeError):
    """A URL, or the Redis it names, that Cardcade cannot start on; the message says why
    in one line."""


def redis_options() -> dict[str, Any]:
    """How the Redis connections fail and recover. After Redis restarts (or Sentinel fails
    it over), every pooled connection is dead; without retries each one failed the first
    command that used it (`sync` answered `unavailable` for most clients of a process after
    Redis was back). A command that meets a broken connection (or Redis still loading its
    data, or a demoted master: both are ConnectionErrors too) is sent again on a new one
    after 0.1, 0.2 and 0.4 s, so a caller hears `unavailable` about a second after Redis
    went away, not never. Timeouts are not retried: a command that timed out may have run,
    and waiting again would only keep the client without a word for longer."""
    return {
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), REDIS_RETRIES,
                       supported_errors=(RedisConnectionError,)),
        "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_S,
        "socket_timeout": REDIS_TIMEOUT_S,
    }


@dataclass(frozen=True)
class SentinelUrl:
    """A parsed ``redis+sentinel://`` URL."""

    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_username: str | None = None
    sentinel_password: str | None = None


def _host_port(text: str, url: str, what: str, default: int) -> tuple[str, int]:
    if text.startswith("["):  # [IPv6]:port
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":")
    else:
        host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    if not host:
        raise RedisSetupError(f"no {what} host in {text!r} of {redact(url)}")
    if not port:
        return host, default
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise RedisSetupError(f"bad {what} port in {text!r} of {redact(url)}")
    return host, int(port)


def _hosts(url: str, schemes: tuple[str, ...], what: str, default_port: int, form: str
           ) -> tuple[SplitResult, str | None, str | None, tuple[tuple[str, int], ...]]:
    """The parts of a URL naming several hosts (sentinels, cluster nodes): the split URL,
    the user, the password, and the (host, port) pairs; RedisSetupError says what is
    wrong (`form`: the URL's form, for the message)."""
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise RedisSetupError(f"not a {schemes[0]}:// URL: {redact(url)}")
    userinfo, _, hosts = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    found = tuple(_host_port(h, url, what, default_port) for h in hosts.split(",") if h)
    if not found:
        raise RedisSetupError(f"no {what} in {redact(url)}: {form}")
    return parts, unquote(user) or None, unquote(password) or None, found


@dataclass(frozen=True)
class ClusterUrl:
    """A parsed ``redis+cluster://`` URL."""

    nodes: tuple[tuple[str, int], ...]
    username: str | None = None
    password: str | None = None
    tls: bool = False


def parse_cluster(url: str) -> ClusterUrl:
    """The parts of a ``redis+cluster://`` URL; RedisSetupError says what is wrong."""
    parts, user, password, nodes = _hosts(url, CLUSTER_SCHEMES, "cluster node", CLUSTER_PORT,
                                          "redis+cluster://HOST:PORT[,HOST:PORT...]")
    if parts.path.strip("/") or parts.query:
        raise RedisSetupError(f"a Cluster URL has no database, path or options (Cluster "
                               f"has database 0 only): {redact(url)}")
    return ClusterUrl(nodes, user, password, parts.scheme == "rediss+cluster")


def parse_sentinel(url: str) -> SentinelUrl:
    """The parts of a ``redis+sentinel://`` URL; RedisSetupError says what is wrong."""
    parts, user, password, sentinels = _hosts(
        url, SENTINEL_SCHEMES, "sentinel", SENTINEL_PORT,
        "redis+sentinel://HOST:PORT[,HOST:PORT...]/SERVICE")
    path = [p for p in parts.path.split("/") if p]
    if len(path) != 1:
        raise RedisSetupError(f"name the Sentinel service (master name) once in the path: "
                               f"{redact(url)}")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"db", "sentinel_username", "sentinel_password"}
    if unknown:
        raise RedisSetupError(f"unknown option(s) {', '.join(sorted(unknown))} in "
                               f"{redact(url)}")
    db = query.get("db", "0")
    if not db.isdigit():
        raise RedisSetupError(f"db must be a number in {redact(url)}")
    return SentinelUrl(sentinels, unquote(path[0]), int(db), user, password,
                       query.get("sentinel_username"),
                       query.get("sentinel_password"))


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    userinfo, at, hosts = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        userinfo = userinfo.partition(":")[0] + ":***"
    query = "&".join("sentinel_password=***" if q.startswith("sentinel_password=") else q
                     for q in parts.query.split("&")) if parts.query else ""
    netloc = f"{userinfo}{at}{hosts}"
    return parts._replace(netloc=netloc, query=query).geturl()


def check_url(url: str) -> None:
    """Refuse, before anything starts, a URL Cardcade cannot run on (RedisSetupError)."""
    scheme = urlsplit(url).scheme
    if scheme in CLUSTER_SCHEMES:
        parse_cluster(url)
    elif scheme in SENTINEL_SCHEMES:
        parse_sentinel(url)
    elif scheme not in ("redis", "rediss", "unix"):
        raise RedisSetupError(f"unknown Redis URL scheme {scheme!r}: use redis://, rediss://, "
                               "unix://, redis+sentinel:// or redis+cluster://")


def is_cluster(client: object) -> bool:
    """Whether `client` (or a pipeline of it) talks to a Redis Cluster: a script or a read
    over keys of many hash slots must then be split by slot."""
    return isinstance(client, RedisCluster) or bool(getattr(client, "cluster_client", None))


class FailoverConnection(SentinelManagedConnection):
    """A connection to a Sentinel-managed master that reconnects to the master the
    sentinels name (never to the address it had), and takes NOREPLICAS for what it means
    during a failover: this master has lost its replica (it was just promoted) and must
    not be written to. Like redis-py's handling of READONLY (a demoted master), the
    connection is dropped and a ConnectionError raised, so the command is sent again to
    the master the sentinels name (`redis_options`: retries), or the caller hears
    `unavailable`. Only with `min-replicas-to-write` set on the master (docs/deploy.md)."""

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        # redis-py (8.1) reconnects a dropped connection here to the address it had, not
        # through `connect`, which asks the sentinels: after a failover, commands went on
        # reaching the old master for a second or more.
        if not self.is_connected:
            await self.connect()
        await super().send_packed_command(command, check_health)

    async def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().read_response(*args, **kwargs)
        except ResponseError as exc:
            if "NOREPLICAS" not in str(exc) or not self.connection_pool.is_master:
                raise
            await self.disconnect()
            raise RedisConnectionError("the master has no replica to write to "
                                       "(a failover under way?)") from exc


class FollowingSentinelPool(SentinelConnectionPool):
    """A Sentinel-managed pool that, whenever it learns of a new master, drops every
    connection to another node, in use ones too (redis-py drops only the idle ones): the
    owner loop's blocked read and the hub's pub/sub connection would otherwise stay on a
    demoted master, which after a planned failover runs on as a master for ~10 s, taking
    writes that are then lost and publishing nothing of what the new master publishes."""

    async def get_master_address(self) -> Any:
        address = await self.sentinel_manager.discover_master(self.service_name)
        await self.follow(address)
        return address

    async def follow(self, address: Any) -> None:
        """Make `address` (host, port) this pool's master."""
        before, self.master_address = self.master_address, address
        stale = [c for c in (*self._available_connections, *self._in_use_connections)
                 if c.is_connected and (c.host, c.port) != tuple(address)]  # type: ignore[attr-defined]
        for connection in stale:
            await connection.disconnect()
        if before is not None and tuple(before) != tuple(address) and self.announce:
            log.warning("Redis Sentinel service %s: the master is now %s:%s (was %s:%s): "
                        "every connection moves to it", self.service_name, *address, *before)

    announce = False  # whether a change of master is logged (by one pool per process)


class BlockingSentinelPool(FollowingSentinelPool, BlockingConnectionPool):
    """A Sentinel-managed pool whose callers wait for a free connection (as with
    `BlockingConnectionPool`) instead of failing under a burst."""

    announce = True


class AnyNode:
    """A connection to whichever node of a Redis Cluster answers, for pub/sub: a message
    published on any node reaches every node, so one subscription anywhere hears every
    room. It tries the nodes the cluster client knows (the URL's before it knows any),
    starting after the one it last had, so a node that died is left for the next."""

    host: str
    port: int

    def __init__(self, *, nodes: Callable[[], list[tuple[str, int]]], **kwargs: Any):
        self.nodes = nodes
        super().__init__(**kwargs)

    async def _connect(self) -> None:
        known = list(self.nodes())
        here = (self.host, self.port)
        start = known.index(here) + 1 if here in known else 0
        failure: Exception | None = None
        for host, port in known[start:] + known[:start]:
            self.host, self.port = host, port
            try:
                await super()._connect()  # type: ignore[misc]
                return
            except (OSError, TimeoutError) as exc:
                failure = exc
        raise failure or RedisConnectionError("no Redis Cluster node known")


class AnyNodeConnection(AnyNode, Connection):
    pass


class AnyNodeSSLConnection(AnyNode, SSLConnection):
    pass


def _any_node_client(cluster: RedisCluster, found: ClusterUrl, common: dict[str, Any]
                     ) -> aioredis.Redis:
    """A client of one connection to any node of `cluster` (`AnyNode`), for the hub."""
    def nodes() -> list[tuple[str, int]]:
        return [(n.host, int(n.port)) for n in cluster.get_nodes()] or list(found.nodes)

    connection = AnyNodeSSLConnection if found.tls else AnyNodeConnection
    host, port = found.nodes[0]
    pool = ConnectionPool(connection_class=connection, host=host, port=port,
                          username=found.username, password=found.password, **common)
    pool.connection_kwargs["nodes"] = nodes
    return aioredis.Redis.from_pool(pool)


@dataclass
class RedisClients:
    """The clients of one process: `client` (a bounded pool for short commands),
    `blocking` (the owner loop's blocking XREAD, apart so the blocked read never holds a
    connection the short commands need) and `pubsub` (the hub's, `client` itself but on
    Cluster). With Sentinel, `watch` keeps them on the current master."""

    client: aioredis.Redis
    blocking: aioredis.Redis
    sentinel: Sentinel | None = None
    service: str = ""
    pubsub: aioredis.Redis | None = None
    _watcher: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        if self.pubsub is None:
            self.pubsub = self.client

    def pools(self) -> list[FollowingSentinelPool]:
        return [cast(FollowingSentinelPool, c.connection_pool)
                for c in (self.client, self.blocking)]

    def watch(self) -> None:
        """With Sentinel, ask the sentinels for the master every SENTINEL_WATCH_S and move
        every connection to a new one as soon as they name it (`FollowingSentinelPool`):
        redis-py alone looks the master up only when it opens a connection."""
        if self.sentinel is not None and self._watcher is None:
            self._watcher = asyncio.create_task(self._watch(), name="sentinel-watch")

    async def _watch(self) -> None:
        assert self.sentinel is not None
        while True:
            await asyncio.sleep(SENTINEL_WATCH_S)
            try:
                address = await self.sentinel.discover_master(self.service)
                for pool in self.pools():
                    await pool.follow(address)
            except Exception as exc:  # no sentinel answers, no master: the commands will say
                log.debug("Redis Sentinel: no master from the sentinels (%s)", exc)

    async def aclose(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await self.client.aclose()
        if self.blocking is not self.client:
            await self.blocking.aclose()
        if self.pubsub is not self.client and self.pubsub is not None:
            await self.pubsub.aclose()
        if self.sentinel is not None:
            await self.sentinel.aclose()


def connect(url: str, name: str | None = None) -> RedisClients:
    """The clients for `url` (no I/O yet: the first command connects). `name` names every
    connection (CLIENT LIST); by default after this host and process."""
    check_url(url)
    name = name or f"cardcade-{socket.gethostname()}-{os.getpid()}"
    common: dict[str, Any] = {"client_name": name, **redis_options()}
    scheme = urlsplit(url).scheme
    if scheme in CLUSTER_SCHEMES:
        found = parse_cluster(url)

        # One client for both: its pools are per node and unbounded enough, so the
        # blocked read holds no connection the short commands need. (A client of its own
        # for the read kept, now and then, its map of the slots from before a failover,
        # and read from the dead master for good.)
        client = RedisCluster(startup_nodes=[ClusterNode(h, p) for h, p in found.nodes],
                              username=found.username, password=found.password,
                              ssl=found.tls, max_connections=CLUSTER_CONNECTIONS, **common)
        return RedisClients(cast(aioredis.Redis, client), cast(aioredis.Redis, client),
                            pubsub=_any_node_client(client, found, common))
    if scheme in SENTINEL_SCHEMES:
        target = parse_sentinel(url)
        sentinel_kwargs: dict[str, Any] = {
            "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_S,
            "socket_timeout": REDIS_TIMEOUT_S,
            "username": target.sentinel_username, "password": target.sentinel_password,
        }
        sentinel = Sentinel(list(target.sentinels), sentinel_kwargs=sentinel_kwargs,
                            db=target.db, username=target.username, password=target.password)
        client = sentinel.master_for(
            target.service, connection_pool_class=BlockingSentinelPool,
            connection_class=FailoverConnection, max_connections=REDIS_CONNECTIONS,
            timeout=REDIS_POOL_WAIT_S, health_check_interval=30, **common)
        blocking = sentinel.master_for(
            target.service, connection_pool_class=FollowingSentinelPool,
            connection_class=FailoverConnection, max_connections=2, **common)
        return RedisClients(client, blocking, sentinel, target.service)
    pool = BlockingConnectionPool.from_url(
        url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_POOL_WAIT_S,
        health_check_interval=30, **common)
    return RedisClients(aioredis.Redis.from_pool(pool),
                        aioredis.Redis.from_url(url, max_connections=2, **common))


async def check_server(clients: RedisClients, url: str) -> None:
    """Connect, and refuse (RedisSetupError) a Sentinel set-up with no master for the
    service, a Cluster that does not answer, or a Cluster node named by a plain URL: it
    would refuse only later, mid-game, the first key of a slot another node serves."""
    client = clients.client
    try:
        await client.ping()
    except RedisClusterException as exc:  # not a RedisError: said here, in one line
        raise RedisSetupError(f"Redis Cluster {redact(url)}: {exc}") from None
    except MasterNotFoundError:
        target = parse_sentinel(url)
        where = ", ".join(f"{h}:{p}" for h, p in target.sentinels)
        raise RedisSetupError(f"no master for the Sentinel service {target.service!r}: the "
                              f"sentinels at {where} did not answer, or do not know it, or "
                              "see it down") from None
    if is_cluster(client):
        return
    info = await client.info("cluster")
    if str(info.get("cluster_enabled", "0")) == "1":
        parts = urlsplit(url)
        raise RedisSetupError(f"{redact(url)} is a Redis Cluster node: name the cluster with "
                               f"redis+cluster://{parts.hostname}:{parts.port or CLUSTER_PORT} "
                               "(see docs/deploy.md)")
    if clients.sentinel is not None:
        host, port = clients.pools()[0].master_address or ("?", "?")
        log.info("Redis Sentinel service %s: master at %s:%s", clients.service, host, port)
