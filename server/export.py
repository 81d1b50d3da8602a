"""A room's results and each player's review deck, as files: CSV, JSON, Quizlet text, TOML.

What they hold is `game_rules.report.Report` (pure); this module only writes it out. CSV
cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
``'`` so that Excel, LibreOffice and Google Sheets show them as text instead of running
them as formulas (OWASP "CSV injection"); the file starts with a UTF-8 byte order mark so
Excel reads accents and emoji right.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence

from decks.io import deck_to_toml
from decks.model import Card, Category, DeckFile
from game_rules.report import NO_ANSWER, Report

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | int) -> str | int:
    """`value`, with a text cell that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Sequence[str | int | float]]) -> bytes:
    """`rows` as a CSV file, every cell made safe: UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(v) if not isinstance(v, float) else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")




PLAYER_COLUMNS = ["rank", "nickname", "score", "streak", "correct", "items right",
                  "items asked", "accuracy", "accuracy rank"]
CARD_COLUMNS = ["share", "right", "players", "card", "prompt", "answer", "category", "rounds"]
TITLE_MAX = 200  # characters of a deck's title (decks.model.DeckFile)


def results_csv(report: Report) -> bytes:
    """One row per player, best first: the `PLAYER_COLUMNS`, then "rN answer", "rN result"
    ("3 of 4", or "no answer") and "rN points" for each played round N."""
    played = [r.number for r in report.rounds if r.played]
    head: list[str | int | float] = list(PLAYER_COLUMNS)
    for n in played:
        head += [f"r{n} answer", f"r{n} result", f"r{n} points"]
    rows: list[list[str | int | float]] = [head]
    for p in report.players:
        row: list[str | int | float] = [p.rank, p.nickname, p.score, p.streak, p.correct,
                                        p.items_right, p.items_asked, p.accuracy,
                                        p.accuracy_rank]
        for line in p.rounds:
            if line.answered:
                row += [line.answer, f"{line.right} of {line.of}", line.points]
            else:
                row += [NO_ANSWER, "no answer", 0]
        rows.append(row)
    return csv_bytes(rows)


def cards_csv(report: Report) -> bytes:
    """One row per card asked, hardest first: the `CARD_COLUMNS` (rounds: "1 3")."""
    rows: list[list[str | int | float]] = [list(CARD_COLUMNS)]
    for c in report.cards:
        rows.append([c.share, c.right, c.players, c.card["id"], c.card["prompt"],
                     c.card["answer"], c.card.get("category", ""),
                     " ".join(str(n) for n in c.rounds)])
    return csv_bytes(rows)


def results_json(report: Report, room: str, deck_title: str, phase: str) -> bytes:
    """`{"room", "deck", "phase", "rounds", "players", "cards"}` (docs/protocol.md, 13)."""
    data = {"room": room, "deck": deck_title, "phase": phase, **report.to_json()}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def _one_line(text: str) -> str:
    """`text` with every run of white space (tabs, line breaks) made one space."""
    return " ".join(text.split())


def review_text(cards: Sequence[Mapping[str, str]]) -> bytes:
    """Cards (a player's missed ones, `game_rules.report.missed_cards`) as Quizlet import
    text: "prompt TAB answer" per line (white space inside a text made single spaces); empty
    without cards."""
    return "".join(f"{_one_line(c['prompt'])}\t{_one_line(c['answer'])}\n"
                   for c in cards).encode()


def review_toml(cards: Sequence[Mapping[str, str]], room: str, deck_title: str) -> bytes:
    """Cards as a Cardcade deck file (TOML, `cardcade deck check` accepts it), titled
    "Review: <deck>"; without cards, only a comment saying so (a deck needs a card)."""
    if not cards:
        return (f"# Cardcade review of room {room}: you got every card right, so there is "
                "nothing to review.\n").encode()
    title = f"Review: {deck_title}"[:TITLE_MAX].strip() or "Review"
    categories = list(dict.fromkeys(c["category"] for c in cards if c.get("category")))
    deck = DeckFile(
        title=title, source=f"Cardcade room {room}",
        categories=[Category(name=name) for name in categories],
        cards=[Card(id=c["id"], prompt=c["prompt"], answer=c["answer"],
                    category=c.get("category"), claim=c.get("claim")) for c in cards])
    head = (f"# The {len(cards)} card{'s' * (len(cards) != 1)} you missed in Cardcade room "
            f"{room}.\n")
    return (head + deck_to_toml(deck)).encode()


def review_json(cards: Sequence[Mapping[str, str]]) -> bytes:
    """`{"missed": N, "cards": [{"id", "prompt", "answer"}]}`: what the phone offers."""
    return json.dumps({"missed": len(cards), "cards": [
        {"id": c["id"], "prompt": c["prompt"], "answer": c["answer"]} for c in cards]},
        ensure_ascii=False).encode()


def download_name(room: str, suffix: str) -> str:
    """A safe attachment name: "cardcade-" + the room code's ASCII letters and digits +
    `suffix` (fixed text of ours); never a nickname or anything a player typed."""
    return "cardcade-" + (re.sub(r"[^A-Z0-9]", "", room.upper()) or "room") + suffix
