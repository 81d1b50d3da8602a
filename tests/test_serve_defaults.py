"""`cardcade serve` as a new user types it: no flags, from any folder, embedded Redis.

The README's first command once failed on every fresh machine while the suite passed,
because the tests always gave an absolute `--data-dir`. These tests give no options: only
the environment says where home is (a temporary one) and which port to use.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from server.embedded_redis import MAX_SOCKET_PATH, EmbeddedRedis, _private_dir, free_port

REPO = Path(__file__).resolve().parent.parent
CARDCADE = Path(sys.executable).parent / "cardcade"


def clean_env(home: Path, port: int) -> dict[str, str]:
    """The environment of a new user: no Redis URL or data dir, home in `home`."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "CARDCADE_DATA", "XDG_DATA_HOME", "CARDCADE_HOST")}
    return {**env, "HOME": str(home), "CARDCADE_PORT": str(port), "PYTHONUNBUFFERED": "1"}


def serve_until_ready(command: list[str], cwd: Path, env: dict[str, str],
                      timeout: float = 30.0) -> None:
    """Start `command`, wait for /readyz, stop it with SIGTERM; fail with its output."""
    port = env["CARDCADE_PORT"]
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        end = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read().decode() if proc.stdout else ""
                pytest.fail(f"cardcade serve exited {proc.returncode}:\n{out[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.monotonic() > end:
                    pytest.fail(f"not ready in {timeout}s")
                time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    assert proc.returncode == 0


def test_serve_with_no_flags_from_another_folder(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "somewhere else"
    home.mkdir()
    work.mkdir()
    serve_until_ready([str(CARDCADE), "serve"], work, clean_env(home, free_port()))
    data = home / ".local" / "share" / "cardcade" / "redis"
    assert (data / "redis.log").is_file()  # the per-user data folder, not the working one
    assert not any(work.iterdir())


def test_serve_from_a_fresh_clone(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout")
    clone = tmp_path / "cardcade"
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", f"file://{REPO}", str(clone)],
                   check=True, capture_output=True)
    home = tmp_path / "home"
    home.mkdir()
    # `python -m` from the clone runs the clone's own code, as in the clone's folder.
    serve_until_ready([sys.executable, "-m", "server.cli", "serve"], clone,
                      clean_env(home, free_port()))


def test_serve_with_a_data_dir_too_long_for_a_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("a-teacher-with-a-long-folder-name-" * 3) / "cardcade games"
    assert len(os.fsencode(deep / "redis" / "redis.sock")) > MAX_SOCKET_PATH + 8
    home = tmp_path / "home"
    home.mkdir()
    serve_until_ready([str(CARDCADE), "serve", "--data-dir", str(deep)], tmp_path,
                      clean_env(home, free_port()))
    assert (deep / "redis" / "redis.log").is_file()


def test_socket_path_is_short_and_private(tmp_path: Path) -> None:
    short = EmbeddedRedis(tmp_path / "r")
    assert short.socket_path == (tmp_path / "r" / "redis.sock").resolve()
    long = EmbeddedRedis(tmp_path / ("x" * 120))
    assert len(os.fsencode(long.socket_path)) <= MAX_SOCKET_PATH
    assert long.socket_path != EmbeddedRedis(tmp_path / ("y" * 120)).socket_path
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(RuntimeError, match="this user alone"):
        _private_dir(shared)
    mine = tmp_path / "mine"
    _private_dir(mine)
    assert stat.S_IMODE(mine.stat().st_mode) == 0o700


def test_relative_data_dir_is_made_absolute(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    serve_until_ready([str(CARDCADE), "serve", "--data-dir", "games"], tmp_path,
                      clean_env(home, free_port()))
    assert (tmp_path / "games" / "redis" / "redis.log").is_file()
