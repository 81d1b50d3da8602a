"""The benchmark suite runs end to end in its smallest configuration (no timing asserted):
its own Redis, server, client processes and baseline, a whole game of 20 players."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_smallest_suite_writes_a_complete_report(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--only", "room-500",
         "--players", "20", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=150,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    reports = list(tmp_path.glob("*-quick.json"))
    assert len(reports) == 1, list(tmp_path.iterdir())
    assert reports[0].with_suffix(".md").exists()
    data = json.loads(reports[0].read_text())
    for key in ("machine", "versions", "settings", "scenarios", "headline"):
        assert key in data
    assert data["machine"]["cpus"] >= 1
    assert {"python", "websockets", "redis", "redis-server"} <= set(data["versions"])

    [scenario] = data["scenarios"]
    assert scenario["name"] == "room-500"
    assert scenario["status"] == "ok", scenario["reason"]
    assert scenario["joined"] == 20
    assert scenario["game_completed"] is True
    assert scenario["rounds_played"] == data["settings"]["rounds"]
    for figure in ("fanout_ms", "ack_ms"):
        assert scenario[figure]["samples"] > 0
        assert {"p50", "p95", "p99"} <= set(scenario[figure])
    assert scenario["fanout_ms"]["missing"] == 0
    for figure in ("joins_per_s", "cpu_s_per_1000_player_rounds", "memory_kib_per_player",
                   "redis_commands_per_answer"):
        assert scenario[figure] is not None, figure
    assert scenario["reveal_all_ms"]["rounds"] == data["settings"]["rounds"]

    answers = scenario["answers"]
    assert answers["sent"] == 20 * data["settings"]["rounds"]
    assert answers["acked"] == answers["sent"] == answers["counted"]
    assert answers["lost"] == 0
    assert answers["duplicated"] == 0

    baseline = scenario["baseline"]
    assert baseline["status"] == "ok", baseline["reason"]
    assert baseline["connected"] == 20
    assert baseline["fanout_ms"]["samples"] == 20 * data["settings"]["rounds"]
    assert scenario["fanout_p99_ratio"] is not None
    assert [h["scenario"] for h in data["headline"]] == ["room-500"]
    assert any(t["met"] is None for t in scenario["targets"])  # scaled down: not judged

    markdown = reports[0].with_suffix(".md").read_text()
    assert "## Headline" in markdown and "room-500" in markdown
    assert markdown.strip() in proc.stdout
