"""`cardcade serve` explains why it cannot start, and exits 1, instead of a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys

from server.embedded_redis import free_port
from tests.servers import ServerProcess


def serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1",
                           *args], capture_output=True, text=True, timeout=60)


def test_unreachable_redis() -> None:
    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    done = serve("--port", str(free_port()), "--redis", f"redis://127.0.0.1:{closed}/0")
    assert done.returncode == 1
    assert "cannot start" in done.stderr and "Traceback" not in done.stderr


def test_port_in_use(live_server: ServerProcess, redis_url: str) -> None:
    done = serve("--port", str(live_server.port), "--redis", redis_url)
    assert done.returncode == 1
    assert "address already in use" in done.stderr and "Traceback" not in done.stderr
