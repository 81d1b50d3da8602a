"""The hello timeout over a real server: a socket that never says hello is closed with
1008 "no hello" after HELLO_TIMEOUT_S (docs/protocol.md, section 1), with no message
first; one that said hello may then stay quiet for longer without being closed."""

from __future__ import annotations

import asyncio
import re
import time

from server.connection import HELLO_TIMEOUT_S
from tests.browser_helpers import ROOT
from tests.client import GameClient
from tests.servers import ServerProcess

SLACK_S = 10.0  # beyond the timeout, the longest the close may take on a loaded machine


def test_the_document_says_the_timeout() -> None:
    doc = (ROOT / "docs" / "protocol.md").read_text()
    row = re.search(r"^\| 1008 \| `no hello` \| No first message within (\d+) s\.", doc, re.M)
    assert row, "close code 1008 is not documented"
    assert int(row.group(1)) == HELLO_TIMEOUT_S


async def test_a_socket_that_never_says_hello_is_closed(live_server: ServerProcess) -> None:
    silent = await GameClient(live_server.ws_url, "silent").open(ping_interval=None)
    opened = time.monotonic()
    try:
        code = await silent.wait_closed(timeout=HELLO_TIMEOUT_S + SLACK_S)
        print(f"\nclosed {time.monotonic() - opened:.2f} s after the socket opened "
              f"(the timeout is {HELLO_TIMEOUT_S} s)")
        assert silent.ws is not None
        assert (code, silent.ws.close_reason) == (1008, "no hello")
        assert silent.frames == []  # no error message first
    finally:
        await silent.close()


async def test_a_socket_that_said_hello_may_stay_quiet(live_server: ServerProcess) -> None:
    """The timeout is for the first message only: after `welcome`, a quiet client (a phone
    waiting in the lobby) keeps its socket, and the server still answers it."""
    quiet = await GameClient(live_server.ws_url, "quiet").connect()
    try:
        await asyncio.sleep(HELLO_TIMEOUT_S + 2)
        assert quiet.close_code is None
        await quiet.send({"type": "ping"})
        await quiet.recv_until("pong")
    finally:
        await quiet.close()
