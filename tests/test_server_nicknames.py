"""Nicknames and uploaded file names over a real server (`cardcade serve`, real Redis).

- look-alikes of a nickname in the room ("Ｂｏｂ", "Вob", NFD "Bób") are refused as taken,
  and the stored nickname is the cleaned one;
- zalgo text, a lone combining mark and a direction override are refused (`bad_nickname`);
- the word filter refuses a rude nickname by default and lets it through in a room whose
  host switched it off (`name_filter`);
- no error message repeats the nickname or the file name;
- an uploaded file's long, marked-up, control-laden name becomes a clean deck title.
"""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.client import GameClient, close_all
from tests.servers import ServerProcess

SETTINGS = {"round_mix": ["quiz"], "rounds": 1}
NFD_BOB = unicodedata.normalize("NFD", "Bób")
ZALGO = "Z\u0337\u0322\u031ba\u0334\u0358l\u0338\u0321g\u0336o\u0335"
RUDE = "Shit Happens"
CARDS = "term,definition\nNucleus,Holds the DNA\nRibosome,Builds proteins\n" \
        "Lysosome,Digests worn-out parts\nMitochondrion,Makes ATP\n"


@pytest.fixture
async def clients(live_server: ServerProcess) -> AsyncIterator[list[GameClient]]:
    made: list[GameClient] = []
    yield made
    await close_all(made)


async def _client(live_server: ServerProcess, made: list[GameClient], name: str) -> GameClient:
    client = await GameClient(live_server.ws_url, name).connect()
    made.append(client)
    return client


async def _refusal(client: GameClient, code: str, nickname: str) -> dict[str, Any]:
    """Try to join with `nickname`; the `error` that refuses it."""
    await client.send({"type": "join", "room": code, "nickname": nickname})
    msg = await client.recv_until(predicate=lambda m: m["type"] in ("error", "joined"),
                                  errors_ok=True)
    assert msg["type"] == "error", f"{nickname!r} joined: {msg}"
    return msg


async def _host_view(host: GameClient, ok: Any) -> dict[str, Any]:
    """The latest host view if `ok(view)`, else the next one that is."""
    if host.host_view is not None and ok(host.host_view):
        return host.host_view
    return await host.recv_until("host", ok)


async def test_look_alikes_are_taken(live_server: ServerProcess,
                                     clients: list[GameClient]) -> None:
    host = await _client(live_server, clients, "host")
    await host.create_room(SETTINGS)
    assert host.code is not None
    await (await _client(live_server, clients, "bob")).join(host.code, "Bob")
    nfd = await _client(live_server, clients, "nfd")
    await nfd.join(host.code, NFD_BOB)
    me = await nfd.me_where(lambda m: True)
    assert me["nickname"] == "Bób"  # stored composed (NFKC)
    stranger = await _client(live_server, clients, "stranger")
    for other in ["Ｂｏｂ", "Вob", "bob", "  BOB ", "Bób"]:
        err = await _refusal(stranger, host.code, other)
        assert err["code"] == "nickname_taken", (other, err)
        assert other.strip() not in err["message"] and "Bob" not in err["message"]
    view = await _host_view(host, lambda v: len(v["players"]) == 2)
    assert sorted(p["nickname"] for p in view["players"]) == ["Bob", "Bób"]


@pytest.mark.parametrize("nickname", [ZALGO, "\u0301", "Bob \u0301\u0301", "\u202eboB",
                                      "Bo\u200bb", "\u3164"])
async def test_bad_characters_are_refused(live_server: ServerProcess,
                                          clients: list[GameClient], nickname: str) -> None:
    host = await _client(live_server, clients, "host")
    await host.create_room(SETTINGS)
    assert host.code is not None
    err = await _refusal(await _client(live_server, clients, "p"), host.code, nickname)
    assert err["code"] == "bad_nickname", err
    assert nickname not in err["message"] and nickname.strip() not in err["message"]


async def test_word_filter_is_on_by_default_and_the_host_can_switch_it_off(
        live_server: ServerProcess, clients: list[GameClient]) -> None:
    strict = await _client(live_server, clients, "strict host")
    await strict.create_room(SETTINGS)
    assert strict.code is not None
    player = await _client(live_server, clients, "player")
    for rude in (RUDE, "sh1t happens", "Ｓｈｉｔ"):
        err = await _refusal(player, strict.code, rude)
        assert err["code"] == "nickname_blocked", (rude, err)
        assert "hit" not in err["message"].casefold()
    lax = await _client(live_server, clients, "lax host")
    await lax.create_room({**SETTINGS, "name_filter": False})
    assert lax.code is not None
    await player.join(lax.code, RUDE)
    room = await lax.room_where(lambda r: r["players"] == 1)
    assert room["players"] == 1


async def _create_with_upload(host: GameClient, filename: str, text: str) -> dict[str, Any]:
    await host.send({"type": "create_room", "settings": SETTINGS,
                     "upload": {"filename": filename, "text": text}})
    return await host.recv_until(predicate=lambda m: m["type"] in ("room", "error"),
                                 errors_ok=True)


async def test_uploaded_file_name_makes_a_clean_title(live_server: ServerProcess,
                                                      clients: list[GameClient]) -> None:
    filename = "<img src=x onerror=alert(1)>cell\x07\u202e_biology " + "x" * 150 + ".csv"
    host = await _client(live_server, clients, "host")
    room = await _create_with_upload(host, filename, CARDS)
    assert room["type"] == "room", room
    title = room["deck"]
    assert title.startswith("Cell biology xxx") and len(title) <= 80
    assert not any(ch in title for ch in "<>\x07\u202e")
    player = await _client(live_server, clients, "player")
    await player.join(room["room"], "Ann")
    assert (await player.room_where(lambda r: True))["deck"] == title


async def test_deck_errors_do_not_repeat_the_file_name(live_server: ServerProcess,
                                                       clients: list[GameClient]) -> None:
    host = await _client(live_server, clients, "host")
    for filename, text in [("<b onclick=x()>cards</b>\x07.csv", "term,definition\n"),
                           ("<script>x</script>\u202enotes.txt", "just words\nand more")]:
        err = await _create_with_upload(host, filename, text)
        assert err["type"] == "error" and err["code"] == "bad_deck", err
        assert filename not in err["message"]
        assert not any(part in err["message"] for part in ("<", ">", "\x07", "\u202e")), err
    await host.send({"type": "create_room", "deck": "<i>no-such-deck</i>\x07"})
    err = await host.expect_error("bad_deck")
    assert "<i>" not in err["message"] and "\x07" not in err["message"], err
