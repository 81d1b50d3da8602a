"""Inbox entries: state machine events as JSON, pushed by connections, read by the runner."""

from __future__ import annotations

import json
from dataclasses import asdict

from game_rules import machine as m

_KINDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (m.PlayerJoin, m.PlayerConnection, m.SubmitAnswer, m.HostAction, m.HostAddTime,
                m.HostKick)
}


def encode(event: m.Event, token_hash: str | None = None) -> str:
    """`token_hash` rides with a join: the runner stores it if the join is accepted."""
    data = {"k": type(event).__name__, **asdict(event)}
    if token_hash:
        data["th"] = token_hash
    return json.dumps(data, ensure_ascii=False)


def decode(raw: str | bytes) -> tuple[m.Event, str | None]:
    """Raises ValueError, KeyError or TypeError on an entry that is not an event."""
    data = json.loads(raw)
    token_hash = data.pop("th", None)
    return _KINDS[data.pop("k")](**data), token_hash
