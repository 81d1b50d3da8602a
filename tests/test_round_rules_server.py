"""The host learns what the plan left out of its deck, and why, before the game starts:
`created.plan` over a real websocket to a real server (issue 9)."""

from __future__ import annotations

from typing import Any

from tests.client import GameClient
from tests.servers import ServerProcess

# A plain term/definition export: no categories, no tags, no dates.
PLAIN = "\n".join(f"{term}\t{definition}" for term, definition in [
    ("Nucleus", "Holds the cell's DNA and controls gene expression"),
    ("Ribosome", "Builds proteins from amino acids"),
    ("Mitochondrion", "Makes most of the cell's ATP by respiration"),
    ("Golgi apparatus", "Packages and ships proteins"),
    ("Lysosome", "Digests worn-out parts with enzymes"),
    ("Cell membrane", "Lets some substances in and keeps others out"),
])


async def create(server: ServerProcess, **msg: Any) -> dict[str, Any]:
    host = await GameClient(server.ws_url, "host").connect()
    try:
        await host.send({"type": "create_room", **msg})
        return await host.recv_until("created")
    finally:
        await host.close()


async def test_plain_deck_tells_the_host_what_was_left_out(live_server: ServerProcess) -> None:
    created = await create(
        live_server,
        upload={"filename": "cells.txt", "format": "quizlet", "text": PLAIN},
        settings={"rounds": 6, "round_mix": ["quiz", "match", "sort", "order"]})
    plan = created["plan"]
    assert plan["rounds"] == 6
    assert plan["kinds"] == ["quiz", "match"]
    assert [x["kind"] for x in plan["left_out"]] == ["sort", "order"]
    texts = [x["text"] for x in plan["left_out"]]
    assert texts[0].startswith("Sort rounds left out: needs cards in 2 categories")
    assert texts[1] == "Order rounds left out: needs 4 dated events, this deck has 0."
    assert plan["left_out"][1]["reason"] == "needs 4 dated events, this deck has 0"


async def test_bundled_deck_leaves_nothing_out(live_server: ServerProcess) -> None:
    created = await create(live_server, settings={"round_mix": ["order", "quiz"]})
    assert created["plan"] == {"rounds": 8, "kinds": ["order", "quiz"], "left_out": []}
