"""A room's results as a CSV file that spreadsheets open safely.

Cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading
``'`` so that Excel, LibreOffice and Google Sheets show them as text instead of running
them as formulas (OWASP "CSV injection"); the file starts with a UTF-8 byte order mark so
Excel reads accents and emoji right.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from game_rules.machine import RoomState

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


def results_csv(state: RoomState) -> bytes:
    """rank, nickname, score, streak per player, best first; UTF-8 with a BOM."""
    rows: list[list[str | int]] = [["rank", "nickname", "score", "streak"]]
    rows += ([rank, p.nickname, p.score, p.streak] for rank, _pid, p in state.ranking())
    return csv_bytes(rows)
