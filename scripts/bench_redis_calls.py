"""Benchmark: this process's CPU per Redis call with redis-py, alone and in pipelines.

Starts a private redis-server and times (CPU of this process, not wall time) a GET, a
PUBLISH, a script call (EVALSHA of a small script writing a hash and publishing), a
MULTI/EXEC of HSET + PEXPIRE + PUBLISH, and the same script call as one of N commands of a
pipeline, as `server.batched.Batched` sends them. What a server process pays per call is
the client's work: building the command, a pooled connection, the retry and timeout
wrappers, parsing the reply.

    python scripts/bench_redis_calls.py --calls 3000
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from server.batched import Batched, Script
from server.embedded_redis import EmbeddedRedis
from server.redis_url import connect

LUA = "redis.call('HSET', KEYS[1], 'a', ARGV[1]); redis.call('PUBLISH', KEYS[2], ARGV[2]); return 1"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def main(url: str, calls: int) -> None:
    clients = connect(url)
    r = clients.client
    script = r.register_script(LUA)
    args = ["x" * 300, "y" * 600]
    await script(keys=["h", "ch"], args=args)

    async def multi() -> None:
        async with r.pipeline(transaction=True) as pipe:
            pipe.hset("h", mapping={"room": "x" * 1000, "host": "y" * 1000})
            pipe.pexpire("h", 10_000)
            pipe.publish("ch", "z" * 600)
            await pipe.execute()

    alone: list[tuple[str, Callable[[], Awaitable[object]]]] = [
        ("GET", lambda: r.get("k")),
        ("PUBLISH", lambda: r.publish("ch", "z" * 600)),
        ("script (EVALSHA)", lambda: script(keys=["h", "ch"], args=args)),
        ("MULTI HSET PEXPIRE PUBLISH EXEC", multi),
    ]
    print(f"CPU of this process per call, {calls:,} calls each, one after another")
    for name, call in alone:
        t = cpu()
        for _ in range(calls):
            await call()
        print(f"  {name:<34} {(cpu() - t) / calls * 1e6:7.1f} us")
    batched = Batched(r)
    for n in (1, 10, 100, 300):
        t = cpu()
        rounds = max(1, calls // n)
        for _ in range(rounds):
            await asyncio.gather(*(batched.call(Script(script, ["h", "ch"], args))
                                    for _ in range(n)))
        print(f"  script, {n:>3} at once (Batched)       "
              f"{(cpu() - t) / (rounds * n) * 1e6:7.1f} us")
    await clients.aclose()


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    redis = EmbeddedRedis(Path(tempfile.mkdtemp()), persist=False).start()
    try:
        uvloop.run(main(redis.url, args.calls))
    finally:
        redis.stop()


if __name__ == "__main__":
    run()
