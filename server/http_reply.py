"""One HTTP response, as websockets' `process_request` returns it."""

from __future__ import annotations

import http

from websockets.datastructures import Headers
from websockets.http11 import Response


def respond(status: int, body: bytes | str, content_type: str = "text/plain; charset=utf-8",
            **extra: str) -> Response:
    data = body.encode() if isinstance(body, str) else body
    headers = Headers()
    headers["Content-Type"] = content_type
    headers["Content-Length"] = str(len(data))
    for name, value in extra.items():
        headers[name.replace("_", "-")] = value
    return Response(status, http.HTTPStatus(status).phrase, headers, data)
