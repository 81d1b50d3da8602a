"""A competition's results: its rooms' reports merged into one (docs/protocol.md, section 14).

Every room plays the competition's plan, so the rooms' reports line up round by round: the
merged report lists every player of every room (their room beside their nickname), ranked
across the competition by score and by accuracy alone (equal values share a rank), and
every card with the players of all rooms who were asked it. The inputs are the rooms'
reports as `/export/<ROOM>.json` writes them (`server.export.results_json`).
"""

from __future__ import annotations

import json
from typing import Any

from game_rules.report import NO_ANSWER, shared_ranks
from server.export import CARD_COLUMNS, PLAYER_COLUMNS, csv_bytes

Json = dict[str, Any]


def merged(reports: dict[str, Json]) -> Json:
    """`{"rounds", "players", "cards"}` of all `reports` (room code -> room report)."""
    rounds: dict[int, Json] = {}
    players: list[Json] = []
    cards: dict[str, Json] = {}
    for room, report in sorted(reports.items()):
        for r in report["rounds"]:
            seen = rounds.setdefault(r["round"], {**r, "played": False, "skipped": False})
            seen["played"] = seen["played"] or r["played"]  # played in at least one room
        players += ({**p, "room": room} for p in report["players"])
        for c in report["cards"]:
            card = cards.setdefault(c["id"], {**c, "rounds": [], "players": 0, "right": 0})
            card["rounds"] = sorted(set(card["rounds"]) | set(c["rounds"]))
            card["players"] += c["players"]
            card["right"] += c["right"]
    players.sort(key=lambda p: -p["score"])  # stable: room, then the room's order
    for p, rank in zip(players, shared_ranks(players, lambda p: p["score"]), strict=True):
        p["rank"] = rank
    by_accuracy = sorted(players, key=lambda p: -p["accuracy"])
    for p, rank in zip(by_accuracy, shared_ranks(by_accuracy, lambda p: p["accuracy"]),
                       strict=True):
        p["accuracy_rank"] = rank
    for card in cards.values():
        card["share"] = round(card["right"] / card["players"], 4) if card["players"] else 0.0
    hardest = sorted(cards.values(), key=lambda c: (c["share"], c["id"]))
    return {"rounds": [rounds[n] for n in sorted(rounds)], "players": players, "cards": hardest}


def results_csv(report: Json) -> bytes:
    """One row per player, best first: rank, nickname, room, then the room CSV's columns
    (`server.export.results_csv`), "rN answer", "rN result", "rN points" per round played
    in any room ("not played" where the player's room did not play it)."""
    numbers = [r["round"] for r in report["rounds"] if r["played"]]
    head: list[str | int | float] = [*PLAYER_COLUMNS[:2], "room", *PLAYER_COLUMNS[2:]]
    for n in numbers:
        head += [f"r{n} answer", f"r{n} result", f"r{n} points"]
    rows: list[list[str | int | float]] = [head]
    for p in report["players"]:
        row: list[str | int | float] = [
            p["rank"], p["nickname"], p["room"], p["score"], p["streak"], p["correct"],
            p["items_right"], p["items_asked"], p["accuracy"], p["accuracy_rank"]]
        lines = {line["round"]: line for line in p["rounds"]}
        for n in numbers:
            line = lines.get(n)
            if line is None:
                row += ["", "not played", 0]
            elif line["answered"]:
                row += [line["answer"], f"{line['right']} of {line['of']}", line["points"]]
            else:
                row += [NO_ANSWER, "no answer", 0]
        rows.append(row)
    return csv_bytes(rows)


def cards_csv(report: Json) -> bytes:
    """One row per card asked in any room, hardest first (`server.export.cards_csv`'s
    columns)."""
    rows: list[list[str | int | float]] = [list(CARD_COLUMNS)]
    for c in report["cards"]:
        rows.append([c["share"], c["right"], c["players"], c["id"], c["prompt"], c["answer"],
                     c.get("category", ""), " ".join(str(n) for n in c["rounds"])])
    return csv_bytes(rows)


def results_json(competition: str, board: Json, report: Json, room_reports: dict[str, Json],
                 missing: list[str]) -> bytes:
    """The board (`leaderboard.json`'s fields), the merged report (`"report"`), each room's
    report and the rooms that have none (expired before their podium)."""
    data = {"competition": competition, **board, "report": report,
            "room_reports": room_reports, "rooms_without_report": missing}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
