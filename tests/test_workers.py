"""`cardcade serve --workers 2`: two processes share one port and one Redis, a game is
played across them, a crashed worker is replaced, and SIGTERM stops everything."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from websockets.asyncio.client import connect

from benchmarks.stack import children
from server.embedded_redis import free_port


def wait_ready(url: str, timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} not ready")


async def play_one_round(ws_url: str) -> int:
    """Host and three players, each on its own connection; returns the player count seen."""
    async def hello():
        ws = await connect(ws_url)
        await ws.send(json.dumps({"type": "hello", "versions": [1]}))
        await ws.recv()
        return ws

    async def wait(ws, pred):
        async with asyncio.timeout(15):
            while True:
                msg = json.loads(await ws.recv())
                if pred(msg):
                    return msg

    host = await hello()
    await host.send(json.dumps({"type": "create_room", "settings": {"rounds": 1,
                                "round_mix": ["quiz"]}}))
    code = (await wait(host, lambda m: m["type"] == "created"))["room"]
    players = [await hello() for _ in range(3)]
    for i, ws in enumerate(players):
        await ws.send(json.dumps({"type": "join", "room": code, "nickname": f"w{i}"}))
        await wait(ws, lambda m: m["type"] == "joined")
    await host.send(json.dumps({"type": "host", "action": "start"}))
    for ws in players:
        opened = await wait(ws, lambda m: m["type"] == "room" and m["phase"] == "open")
        choice = opened["round"]["public"]["options"][0]["id"]
        await ws.send(json.dumps({"type": "answer", "round": 0, "answer": {"choice": choice}}))
        await wait(ws, lambda m: m["type"] == "ack")
    reveal = await wait(host, lambda m: m["type"] == "room" and m["phase"] == "reveal")
    for ws in [host, *players]:
        await ws.close()
    return reveal["answered"]


def test_workers_share_port_and_redis(redis_url: str, tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--redis", redis_url, "--workers", "2", "--data-dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}/readyz")
        workers = children(proc.pid)
        assert len(workers) == 2
        assert asyncio.run(play_one_round(f"ws://127.0.0.1:{port}/ws")) == 3

        os.kill(workers[0], signal.SIGKILL)  # a worker crashes: the supervisor replaces it
        end = time.monotonic() + 15
        while time.monotonic() < end and (len(children(proc.pid)) != 2
                                          or workers[0] in children(proc.pid)):
            time.sleep(0.2)
        assert len(children(proc.pid)) == 2 and workers[0] not in children(proc.pid)
        wait_ready(f"http://127.0.0.1:{port}/readyz")

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        assert children(proc.pid) == []
    finally:
        if proc.poll() is None:
            proc.kill()
