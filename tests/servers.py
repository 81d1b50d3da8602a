"""Real parts for the tests: a redis-server and `cardcade serve` processes on free ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from server.embedded_redis import free_port


class ServerProcess:
    """One `cardcade serve` process talking to the test Redis."""

    def __init__(self, redis_url: str, log_dir: Path, *extra: str, port: int | None = None,
                 address_limits: bool = False):
        """`address_limits`: the limits per client address (on by default in `cardcade
        serve`) stay on; off, the suite's hundreds of rooms and joins from this one
        machine do not run into them (tests/test_address_limits.py tests them)."""
        self.address_limits = address_limits
        self.redis_url = redis_url
        self.port = port or free_port()
        self.extra = extra
        self.log_path = log_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout: float = 20.0) -> ServerProcess:
        args = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1",
                "--port", str(self.port), "--redis", self.redis_url,
                "--public-url", self.http_url, *self.extra]
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child process owns it
        env = {**os.environ, "PYTHONUNBUFFERED": "1",
               "CARDCADE_ADDRESS_LIMITS": "on" if self.address_limits else "off"}
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.http_url}/readyz", timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server not ready in {timeout}s: {self.log_path.read_text()[-3000:]}")

    def stop(self, *, kill: bool = False) -> None:
        """Stop it: SIGTERM (clean shutdown) or SIGKILL (a crash)."""
        if self.process and self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            self.process.wait(15)
        self.process = None

    def restart(self, *, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()
