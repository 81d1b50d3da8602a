"""The server's keepalive (docs/protocol.md: a ping every `--ping-interval` seconds, 20 by
default; a connection that sends nothing back for as long is closed): a phone that goes
silent (it answers no ping, like one that left the Wi-Fi without closing) is closed and
shown offline; one that answers pings stays, however long it says nothing else."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from server.embedded_redis import free_port
from tests.client import GameClient, close_all
from tests.servers import ServerProcess
from tests.test_redis_restart import BOUND_S, QUIZ
from tests.test_serve_errors import serve

PING_S = 5.0


class SilentPhone:
    """A player on a raw socket (websockets' sans-I/O client): it joins, then reads nothing
    and so answers no ping."""

    def __init__(self, url: str):
        self.url = url
        self.protocol = ClientProtocol(parse_uri(url))
        self.pings = 0

    async def join(self, code: str, nickname: str) -> None:
        host, port = self.url.split("//")[1].split("/")[0].split(":")
        self.reader, self.writer = await asyncio.open_connection(host, int(port))
        self.protocol.send_request(self.protocol.connect())
        self._flush()
        while self.protocol.state is not State.OPEN:  # the handshake's response
            await self._texts()
        for msg in ({"type": "hello", "versions": [1]},
                    {"type": "join", "room": code, "nickname": nickname}):
            self.protocol.send_text(json.dumps(msg).encode())
        self._flush()
        while "joined" not in await self._texts():
            pass

    async def _texts(self) -> list[str]:
        data = await asyncio.wait_for(self.reader.read(65536), BOUND_S)
        assert data, "the server closed the connection"
        self.protocol.receive_data(data)
        return [json.loads(e.data)["type"] for e in self.protocol.events_received()
                if getattr(e, "opcode", None) is Opcode.TEXT]

    def _flush(self) -> None:
        self.writer.write(b"".join(self.protocol.data_to_send()))

    async def closed_by_server(self) -> tuple[int, str]:
        """Read (now, at last) until the server closes: the close frame's code and reason,
        and the pings it sent meanwhile (never answered: nothing is written back)."""
        code, reason = 0, ""
        while data := await asyncio.wait_for(self.reader.read(65536), BOUND_S):
            self.protocol.receive_data(data)
            for event in self.protocol.events_received():
                opcode = getattr(event, "opcode", None)
                if opcode is Opcode.PING:
                    self.pings += 1
                elif opcode is Opcode.CLOSE:
                    code = int.from_bytes(event.data[:2], "big")
                    reason = event.data[2:].decode()
        self.writer.close()
        return code, reason


async def test_a_silent_phone_is_closed_and_shown_offline_a_live_one_stays(
        redis_url: str, tmp_path: Path) -> None:
    server = ServerProcess(redis_url, tmp_path, "--ping-interval", str(PING_S)).start()
    clients: list[GameClient] = []
    try:
        host = await GameClient(server.ws_url, "host").connect()
        live = await GameClient(server.ws_url, "live").connect()  # answers pings itself
        clients += [host, live]
        await host.create_room(QUIZ)
        assert host.code is not None
        await live.join(host.code, "Awake")
        silent = SilentPhone(server.ws_url)
        await silent.join(host.code, "Asleep")
        joined = time.monotonic()
        await host.recv_until("host", lambda v: len(v["players"]) == 2, timeout=BOUND_S)

        view = await host.recv_until("host", lambda v: v["offline"]["count"] == 1,
                                     timeout=4 * PING_S)
        offline_s = time.monotonic() - joined
        assert view["offline"]["names"] == ["Asleep"]
        # Pinged, never answered, closed with websockets' own keepalive code and reason.
        code, reason = await silent.closed_by_server()
        assert (code, reason) == (1011, "keepalive ping timeout")
        assert silent.pings >= 1
        # Well after that the live phone, which said nothing but answered every ping, is
        # still connected and shown so.
        await asyncio.sleep(2 * PING_S)
        assert live.close_code is None
        await host.send({"type": "sync"})
        view = await host.recv_until("host", timeout=BOUND_S)
        assert view["offline"]["count"] == 1
        assert "connection(s) closed: no answer to a ping" in server.log_path.read_text()
        print(f"\nsilent phone shown offline {offline_s:.1f} s after it joined "
              f"(--ping-interval {PING_S:g}: pinged at ~{PING_S:g} s, closed at ~"
              f"{2 * PING_S:g} s)")
    finally:
        await close_all(clients)
        server.stop()


def test_the_ping_interval_is_bounded(tmp_path: Path) -> None:
    done = serve("--port", str(free_port()), "--ping-interval", "2", "--data-dir", str(tmp_path))
    assert done.returncode == 1
    assert "cannot start: --ping-interval must be 5 to 300 seconds, not 2" in done.stderr
