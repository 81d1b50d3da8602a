"""`cardcade serve --lease-ttl`: the life of a process's heartbeat, and so of its leases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import redis.asyncio as aioredis

from server import keys
from tests.servers import ServerProcess


async def test_the_heartbeat_lives_as_long_as_asked(redis_url: str, server_logs: Path,
                                                    redis: aioredis.Redis) -> None:
    server = ServerProcess(redis_url, server_logs, "--lease-ttl", "2").start()
    try:
        assert server.process is not None  # its id is HOST:PID:RANDOM
        mine = f"{keys.WAKE_HEAD}*:{server.process.pid}:*{keys.ALIVE_TAIL}"
        alive = [k async for k in redis.scan_iter(match=mine)]
        assert len(alive) == 1
        assert 0 < await redis.pttl(alive[0]) <= 2000  # 6,000 by default
    finally:
        server.stop()


def test_a_lease_ttl_out_of_range_is_refused(redis_url: str, tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "server.cli", "serve", "--redis", redis_url,
                          "--port", "0", "--lease-ttl", "1"], capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert out.returncode == 1
    assert "--lease-ttl must be 1.5 to 60 seconds, not 1" in out.stderr
