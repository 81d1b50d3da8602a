"""Exports and review decks (issue 11, reports) over a real server: a whole game played over
WebSocket connections, then every file checked line by line against what the players sent;
and the phone's podium in Chromium offering the cards a player missed.

Four players (one with a formula-like nickname) answer right, partly right or wrong in every
round kind; one round is left unanswered by one player, one is skipped by the host after an
answer, and one player is kicked after answering three rounds. Expected values come from the
answers the test sent, the plan's keys and the points each player's own view reported, never
from the server's report code.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import redis.asyncio as aioredis

from decks.io import bundled_deck_path, load_deck, parse_deck
from game_rules.model import Round, Settings
from game_rules.plan import make_plan
from tests.browser_helpers import CHROMIUM, PHONE, TIMEOUT_MS, chromium_available
from tests.client import GameClient, RoomData, answer_for, close_all, room_with_players
from tests.servers import ServerProcess
from tests.test_browser_play import DECK, Host, join, phone_shot, screen
from tests.test_http import get
from tests.test_report_rules import right_of

SETTINGS = {"rounds": 6, "round_mix": ["quiz", "match", "sort", "order"],
            "time_limit_s": 120, "items_per_round": 4}
NAMES = ["Ann", "Bob", "=Cy", "Dee"]
# Who sends what in each round (None: no answer). Round 5 (index 4) is skipped after Ann's
# answer; Dee is kicked after round 3 closes.
SENT: dict[int, dict[str, str | None]] = {
    0: {"Ann": "right", "Bob": "wrong", "=Cy": "right", "Dee": "right"},
    1: {"Ann": "right", "Bob": "partial", "=Cy": None, "Dee": "wrong"},
    2: {"Ann": "partial", "Bob": "right", "=Cy": "wrong", "Dee": "right"},
    3: {"Ann": "right", "Bob": "partial", "=Cy": "wrong"},
    4: {"Ann": "right"},
    5: {"Ann": "wrong", "Bob": "right", "=Cy": "partial"},
}
PLAYED = [0, 1, 2, 3, 5]
STAYING = ["Ann", "Bob", "=Cy"]


def text_of(rnd: dict[str, Any], answer: dict[str, Any]) -> str:
    """How the export writes an answer (docs/protocol.md, section 13)."""
    pub = rnd["public"]
    if rnd["kind"] == "quiz":
        return next(o["text"] for o in pub["options"] if o["id"] == answer["choice"])
    if rnd["kind"] == "match":
        right = {x["id"]: x["text"] for x in pub["right"]}
        return "; ".join(f"{x['text']} → {right[answer['pairs'][x['id']]]}" for x in pub["left"])
    if rnd["kind"] == "sort":
        buckets = {b["id"]: b["text"] for b in pub["buckets"]}
        return "; ".join(f"{x['text']} → {buckets[answer['placement'][x['id']]]}"
                         for x in pub["items"])
    labels = {x["id"]: x["text"] for x in pub["items"]}
    return "; ".join(f"{n}. {labels[i]}" for n, i in enumerate(answer["order"], 1))


def shown_items(rnd: dict[str, Any]) -> list[str]:
    if rnd["kind"] == "quiz":
        return [rnd["key"]["correct"]]
    return [x["id"] for x in rnd["public"]["left" if rnd["kind"] == "match" else "items"]]


async def test_exports_and_review_decks_line_by_line(live_server: ServerProcess,
                                                     redis: aioredis.Redis) -> None:
    host, players = await room_with_players(live_server.ws_url, SETTINGS, 0)
    stranger = await GameClient(live_server.ws_url, "stranger").connect()
    by_name: dict[str, GameClient] = {}
    try:
        for name in NAMES:
            client = await GameClient(live_server.ws_url, name).connect()
            players.append(client)
            await client.join(host.code or "", name)
            by_name[name] = client
        await host.room_where(lambda r: r["players"] == 4)
        await stranger.create_room({})  # another room's host token
        code = host.code or ""
        plan = await RoomData(redis, code).plan()
        assert [r["kind"] for r in plan] == ["quiz", "match", "sort", "order", "quiz", "match"]
        assert all(r["cards"] for r in plan)

        points: dict[str, dict[int, int]] = {n: {} for n in NAMES}
        rights: dict[str, dict[int, int]] = {n: {} for n in NAMES}
        streak: dict[str, int] = {}
        await host.host("start")
        for index in range(6):
            here = [n for n in NAMES if n != "Dee" or index < 3]
            for name in here:
                await by_name[name].phase("open", index)
            for name, how in SENT[index].items():
                if how is not None:
                    await by_name[name].answer_acked(index, answer_for(plan[index], how))
            if index == 4:
                await host.host("skip")
                continue
            if index == 1:  # =Cy does not answer: the host closes the round
                await host.host("next")
            await host.phase("reveal", index)
            for name in here:
                me = await by_name[name].me_where(
                    lambda m, i=index: (m["last"] or {}).get("round") == i)
                points[name][index], rights[name][index] = me["last"]["points"], me["last"]["right"]
                streak[name] = me["streak"]
            if index == 2:
                await host.send({"type": "kick", "player": by_name["Dee"].player_id})
                await host.room_where(lambda r: r["players"] == 3)
            await host.host("next")
            await host.phase("leaderboard")
            await host.host("next")
        await host.phase("podium")

        # What the test expects, from what it sent.
        sizes = {i: len(shown_items(plan[i])) for i in PLAYED}
        right = {n: {i: right_of(plan[i]["kind"], plan[i]["key"], SENT[i].get(n))
                     for i in PLAYED} for n in NAMES}
        for n in STAYING:  # the server counted the same items right
            assert {i: len(right[n][i]) for i in PLAYED} == rights[n]
        score = {n: sum(points[n].values()) for n in STAYING}
        missed: dict[str, list[str]] = {}
        cards: dict[str, dict[str, str]] = {}
        for n in STAYING:
            missed[n] = []
            for i in PLAYED:
                for item in shown_items(plan[i]):
                    record = plan[i]["cards"][item]
                    cards[record["id"]] = record
                    wrong = item not in right[n][i]
                    if wrong and record["id"] not in missed[n]:
                        missed[n].append(record["id"])
        order = sorted(STAYING, key=lambda n: (-score[n], NAMES.index(n)))
        accuracy = {n: sum(map(len, right[n].values())) / sum(sizes.values()) for n in STAYING}

        # The results CSV: every row, every cell.
        base = f"/export/{code}"
        for suffix in (".csv", ".json", "-cards.csv"):
            for token in ("", "?token=", f"?token={quote(by_name['Ann'].token or '')}",
                          f"?token={quote(stranger.token or '')}"):
                assert (await get(live_server, base + suffix + token)).status == 403
        reply = await get(live_server, f"{base}.csv?token={quote(host.token or '')}")
        assert reply.status == 200 and reply.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert reply.headers["Content-Disposition"] == f'attachment; filename="cardcade-{code}.csv"'
        assert reply.body.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(reply.body.decode("utf-8-sig"))))
        head = ["rank", "nickname", "score", "streak", "correct", "items right", "items asked",
                "accuracy", "accuracy rank"]
        for i in PLAYED:
            head += [f"r{i + 1} answer", f"r{i + 1} result", f"r{i + 1} points"]
        assert rows[0] == head
        assert len(rows) == 1 + len(STAYING)
        for row, n in zip(rows[1:], order, strict=True):
            want = [str(1 + sum(score[m] > score[n] for m in STAYING)),
                    "'=Cy" if n == "=Cy" else n, str(score[n]),
                    str(streak[n]),
                    str(sum(len(right[n][i]) == sizes[i] for i in PLAYED)),
                    str(sum(len(right[n][i]) for i in PLAYED)), str(sum(sizes.values())),
                    str(round(accuracy[n], 4)),
                    str(1 + sum(accuracy[m] > accuracy[n] for m in STAYING))]
            for i in PLAYED:
                how = SENT[i].get(n)
                if how is None:
                    want += ["(no answer)", "no answer", "0"]
                else:
                    want += [text_of(plan[i], answer_for(plan[i], how)),
                             f"{len(right[n][i])} of {sizes[i]}", str(points[n][i])]
            assert row == want, n

        # The JSON: the same, with the rounds and the per-card table.
        reply = await get(live_server, f"{base}.json?token={quote(host.token or '')}")
        assert reply.status == 200 and reply.headers["Content-Type"] == "application/json"
        data = json.loads(reply.body)
        assert (data["room"], data["phase"]) == (code, "podium")
        assert data["rounds"] == [
            {"round": i + 1, "kind": plan[i]["kind"], "prompt": plan[i]["public"]["prompt"],
             "items": len(shown_items(plan[i])), "played": i in PLAYED, "skipped": i == 4}
            for i in range(6)]
        assert [p["nickname"] for p in data["players"]] == order
        for p in data["players"]:
            n = p["nickname"]
            assert p["player_id"] == by_name[n].player_id
            assert (p["score"], p["streak"]) == (score[n], streak[n])
            assert p["accuracy"] == round(accuracy[n], 4)
            assert p["items_asked"] == sum(sizes.values())
            assert p["missed"] == missed[n]
            assert p["rounds"] == [
                {"round": i + 1, "answered": SENT[i].get(n) is not None,
                 "answer": (text_of(plan[i], answer_for(plan[i], SENT[i][n]))
                            if SENT[i].get(n) else None),
                 "right": len(right[n][i]), "of": sizes[i],
                 "points": points[n][i], "perfect": len(right[n][i]) == sizes[i]}
                for i in PLAYED]
        share = {cid: sum(cid not in missed[n] for n in STAYING) for cid in cards}
        assert sorted(c["id"] for c in data["cards"]) == sorted(cards)
        for c in data["cards"]:
            assert c["players"] == 3 and c["right"] == share[c["id"]]
            assert c["share"] == round(share[c["id"]] / 3, 4)
            assert {k: c[k] for k in cards[c["id"]]} == cards[c["id"]]
            assert c["rounds"] == [i + 1 for i in PLAYED if any(
                rec["id"] == c["id"] for rec in plan[i]["cards"].values())]
        assert [c["share"] for c in data["cards"]] == sorted(c["share"] for c in data["cards"])
        only_skipped = {r["id"] for r in plan[4]["cards"].values()} - set(cards)
        assert not only_skipped & {c["id"] for c in data["cards"]}

        # The per-card CSV: the JSON's table, row for row.
        reply = await get(live_server, f"{base}-cards.csv?token={quote(host.token or '')}")
        card_rows = list(csv.reader(io.StringIO(reply.body.decode("utf-8-sig"))))
        assert card_rows[0] == ["share", "right", "players", "card", "prompt", "answer",
                                "category", "rounds"]
        assert [r[3] for r in card_rows[1:]] == [c["id"] for c in data["cards"]]
        for r, c in zip(card_rows[1:], data["cards"], strict=True):
            assert r[:3] == [str(c["share"]), str(c["right"]), "3"]
            assert r[7] == " ".join(str(n) for n in c["rounds"])

        # Each player's review deck, line by line.
        for n in STAYING:
            token = quote(by_name[n].token or "")
            txt = await get(live_server, f"/review/{code}.txt?token={token}")
            assert txt.status == 200
            assert txt.headers["Content-Disposition"] == (
                f'attachment; filename="cardcade-{code}-review.txt"')
            assert txt.text.splitlines() == [
                " ".join(cards[c]["prompt"].split()) + "\t" + " ".join(cards[c]["answer"].split())
                for c in missed[n]]
            toml = await get(live_server, f"/review/{code}.toml?token={token}")
            assert toml.status == 200
            assert toml.headers["Content-Disposition"] == (
                f'attachment; filename="cardcade-{code}-review.toml"')
            count = await get(live_server, f"/review/{code}.json?token={token}")
            assert json.loads(count.body)["missed"] == len(missed[n])
            if not missed[n]:
                assert "every card right" in toml.text
                continue
            deck = parse_deck(toml.text, "review.toml")
            assert [c.id for c in deck.cards] == missed[n]
            assert [(c.prompt, c.answer) for c in deck.cards] == [
                (cards[c]["prompt"].strip(), cards[c]["answer"].strip()) for c in missed[n]]
            print(f"{n}: {len(missed[n])} cards missed of {len(cards)}")
        assert any(missed[n] for n in STAYING)
        for token in ("", host.token or "", by_name["Dee"].token or "", stranger.token or ""):
            refused = await get(live_server, f"/review/{code}.txt?token={quote(token)}")
            assert refused.status == 403, token
    finally:
        await close_all([host, stranger, *players])


def quiz_plan(rounds: int, seed: int) -> list[Round]:
    """The rounds the server plans for a quiz game of the browser tests (`Host.create`)."""
    deck = load_deck(bundled_deck_path(DECK)).to_rules()
    return make_plan(deck, Settings(rounds=rounds, round_mix=("quiz",), items_per_round=4,
                                    time_limit_ms=120_000), seed)


@pytest.mark.skipif(not chromium_available(), reason=f"{CHROMIUM} is not installed")
def test_phone_offers_the_missed_cards_at_the_podium(browser: Any, live_server: Any,
                                                     tmp_path: Path) -> None:
    """Three quiz rounds on two phones: Ola answers right, wrong, and not at all, and is
    offered "Study the 2 cards you missed" with both files to download (the text one is
    read line by line, the deck loads); Pia answers every round right and is told so."""
    base = live_server.http_url
    host = Host(live_server.ws_url)
    contexts = []
    errors: list[str] = []
    try:
        code = host.create(["quiz"], rounds=3, seed=11)
        plan = quiz_plan(3, 11)
        pages = {}
        for name in ("Ola", "Pia"):
            context = browser.new_context(**PHONE, accept_downloads=True)
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("pageerror", lambda exc, n=name: errors.append(f"{n}: {exc}"))
            join(page, base, code, name)
            pages[name] = page
        host.start(players=2)
        wrong = {0: None, 1: "wrong", 2: "none"}
        for index, rnd in enumerate(plan):
            host.wait(lambda r, i=index: r["phase"] == "open" and r["round"]["index"] == i)
            key = rnd.key
            other = next(o for o in key["options"] if o != key["correct"])
            for name, page in pages.items():
                screen(page, "open")
                how = "right" if name == "Pia" else wrong[index] or "right"
                if how != "none":
                    choice = key["correct"] if how == "right" else other
                    page.tap(f'button[data-option="{choice}"]')
                    page.wait_for_selector("main[data-screen=sent], main[data-screen=reveal]")
            if index == 2:
                host.do("next")  # Ola does not answer: the host closes the round
            host.wait(lambda r: r["phase"] == "reveal")
            host.do("next")
            host.wait(lambda r: r["phase"] == "leaderboard")
            host.do("next")
        ola, pia = pages["Ola"], pages["Pia"]
        for page in (ola, pia):
            screen(page, "podium")
        missed = [plan[i].cards[plan[i].key["correct"]] for i in (1, 2)]
        ola.wait_for_selector("#review-title")
        assert ola.inner_text("#review-title") == "Study the 2 cards you missed"
        pia.wait_for_selector("#review-none")
        assert pia.inner_text("#review-none") == "You got every card right"
        assert pia.locator("#review-txt").count() == 0
        phone_shot(ola, "play-podium-review")
        phone_shot(pia, "play-podium-review-none")

        with ola.expect_download() as got:
            ola.click("#review-txt")
        download = got.value
        assert download.suggested_filename == f"cardcade-{code}-review.txt"
        text = Path(download.path()).read_text(encoding="utf-8")
        assert text.splitlines() == [" ".join(c["prompt"].split()) + "\t"
                                     + " ".join(c["answer"].split()) for c in missed]
        with ola.expect_download() as got:
            ola.click("#review-toml")
        deck = parse_deck(Path(got.value.path()).read_text(encoding="utf-8"), "review.toml")
        assert [(c.id, c.prompt) for c in deck.cards] == [(c["id"], c["prompt"].strip())
                                                         for c in missed]
        assert not errors, errors
    finally:
        for context in contexts:
            context.close()
        host.close()
