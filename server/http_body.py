"""Requests with a body (`POST /api/...`) on the port websockets serves.

websockets reads every request on its port, but refuses one with a body ("unsupported
request body") before `process_request` sees it. `BodyConnection` is the connection class
the server makes for each TCP connection: it reads a request's body itself (at most
`MAX_BODY_BYTES`), keeps it in `body`, and hands websockets the head alone with
`Content-Length: 0`, so the route in `server.http` reads the body from the connection.
A request without a body (every WebSocket handshake) passes through untouched.
"""

from __future__ import annotations

from typing import Any

from server.keepalive import HeardConnection

MAX_BODY_BYTES = 512 * 1024  # an uploaded deck (384 KiB) as JSON, with room to spare
MAX_HEAD_BYTES = 16 * 1024


class BodyConnection(HeardConnection):
    body: bytes | None = None  # the request's body, when it had one
    body_too_large = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: bytearray | None = bytearray()  # None once the head was handed on
        self._ignore_rest = False  # a request with a body: nothing after it is for websockets

    def data_received(self, data: bytes) -> None:
        if self._ignore_rest:
            return  # the rest of a refused body (the answer is one HTTP response, then close)
        if self._pending is None:
            super().data_received(data)
            return
        self._pending += data
        end = self._pending.find(b"\r\n\r\n")
        if end < 0:
            if len(self._pending) > MAX_HEAD_BYTES:  # let websockets refuse it
                self._hand_on(bytes(self._pending))
            return
        head, rest = bytes(self._pending[:end + 2]), bytes(self._pending[end + 4:])
        length = _content_length(head)
        if length is None:  # no body (or one websockets refuses with a clear 400)
            self._hand_on(bytes(self._pending))
            return
        if length > MAX_BODY_BYTES:
            self.body_too_large = True
        elif len(rest) < length:
            return  # wait for the rest of the body
        else:
            self.body = rest[:length]
        self._hand_on(_without_length(head))
        self._ignore_rest = True

    def _hand_on(self, data: bytes) -> None:
        self._pending = None
        super().data_received(data)


def _content_length(head: bytes) -> int | None:
    """The head's one Content-Length above 0, else None."""
    values = [line.split(b":", 1)[1].strip() for line in head.split(b"\r\n")[1:]
              if line.lower().startswith(b"content-length:")]
    if len(values) != 1 or not values[0].isdigit() or int(values[0]) == 0:
        return None
    return int(values[0])


def _without_length(head: bytes) -> bytes:
    """The head with its Content-Length line dropped, ended by the blank line."""
    lines = [line for line in head.split(b"\r\n")
             if line and not line.lower().startswith(b"content-length:")]
    return b"\r\n".join(lines) + b"\r\n\r\n"
