"""What the benchmark scripts share: a `cardcade serve` process to measure, and its memory."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from server.embedded_redis import free_port


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(redis_url: str, log_path: Path, *extra: str,
                 timeout: float = 15.0) -> tuple[subprocess.Popen[bytes], int]:
    """`cardcade serve` on a free loopback port against `redis_url`, once /readyz answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--redis", redis_url, *extra],
        stdout=log_path.open("w"), stderr=subprocess.STDOUT,
    )
    end = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > end:
                server.kill()
                raise RuntimeError(f"the server did not start; see {log_path}") from None
            time.sleep(0.1)
