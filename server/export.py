"""A room's results as a CSV file that spreadsheets open safely.

Cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
``'`` so that Excel, LibreOffice and Google Sheets show them as text instead of running
them as formulas (OWASP "CSV injection"); the file starts with a UTF-8 byte order mark so
Excel reads accents and emoji right.
"""

from __future__ import annotations

import csv
import io

from game_rules.machine import RoomState

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | int) -> str | int:
    """`value`, with a text cell that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def results_csv(state: RoomState) -> bytes:
    """rank, nickname, score, streak per player, best first; UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["rank", "nickname", "score", "streak"])
    for rank, _pid, player in state.ranking():
        writer.writerow([safe_cell(v) for v in (rank, player.nickname, player.score,
                                                player.streak)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
