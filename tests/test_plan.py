"""Plans: seeded, cycling the round mix, skipping kinds a deck cannot build, avoiding reuse;
and the `cardcade plan` command."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from game_rules.model import Card, Deck, Settings
from game_rules.plan import make_plan, plan_to_json
from server import plan_cmd
from tests.rules_fixtures import history_deck, one_category_deck, tiny_deck

DECK = history_deck()
ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "decks" / "soviet-union-1928-41.toml"


def test_same_seed_same_plan() -> None:
    assert make_plan(DECK, Settings(), 7) == make_plan(DECK, Settings(), 7)
    assert make_plan(DECK, Settings(), 7) != make_plan(DECK, Settings(), 8)


@pytest.mark.parametrize(
    ("deck", "mix", "kinds"),
    [
        (history_deck(), None, ["quiz", "match", "sort", "order"] * 2),
        (tiny_deck(), None, ["match", "sort"] * 4),
        (one_category_deck(), None, ["quiz", "match"] * 4),  # match: term -> claim
        (history_deck(), ("order", "quiz"), ["order", "quiz"] * 4),
        (tiny_deck(), ("order", "quiz", "sort"), ["sort"] * 8),
    ],
)
def test_kinds_cycle_and_skip(deck: Deck, mix: tuple | None, kinds: list[str]) -> None:
    settings = Settings() if mix is None else Settings(round_mix=mix)
    assert [r.kind for r in make_plan(deck, settings, 1)] == kinds


def test_round_count() -> None:
    assert len(make_plan(DECK, Settings(rounds=3), 1)) == 3
    assert len(make_plan(DECK, Settings(rounds=20), 1)) == 20
    assert make_plan(DECK, Settings(rounds=0), 1) == []


def test_no_card_reused_while_others_remain() -> None:
    settings = Settings(rounds=len(DECK.cards), round_mix=("quiz",))
    prompts = [r.public["prompt"] for r in make_plan(DECK, settings, 3)]
    assert len(set(prompts)) == len(DECK.cards)
    for seed in range(10):
        match, sort = make_plan(DECK, Settings(rounds=2, round_mix=("match", "sort")), seed)
        assert not {x["text"] for x in match.public["right"]} & {
            x["text"] for x in sort.public["items"]}


def test_deck_that_builds_nothing() -> None:
    cards = (Card(id="a", prompt="Q?", answer="A."),)
    with pytest.raises(ValueError, match="cannot build any round"):
        make_plan(Deck(title="Too small", cards=cards), Settings(), 1)
    with pytest.raises(ValueError, match="cannot build any round") as err:
        make_plan(one_category_deck(), Settings(round_mix=("sort", "order")), 1)
    assert "Order rounds left out: needs 4 dated events, this deck has 0." in str(err.value)
    with pytest.raises(ValueError, match="empty"):
        make_plan(DECK, Settings(round_mix=()), 1)


def test_plan_to_json() -> None:
    plan = make_plan(DECK, Settings(), 5)
    data = plan_to_json(plan)
    assert json.loads(json.dumps(data)) == data
    for item, rnd in zip(data, plan, strict=True):
        assert item == {"kind": rnd.kind, "public": rnd.public, "key": rnd.key,
                        "time_limit_ms": rnd.time_limit_ms, "points": rnd.points}


_SCRIPT = """
import json
from game_rules.model import Settings
from game_rules.plan import make_plan, plan_to_json
from tests.rules_fixtures import history_deck
print(json.dumps(plan_to_json(make_plan(history_deck(), Settings(rounds=12), 11))))
"""


def test_plan_independent_of_hash_seed() -> None:
    outs = set()
    for hash_seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        run = subprocess.run([sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True)
        outs.add(run.stdout)
    assert len(outs) == 1


# The `cardcade plan` command.

DECK_TOML = """
title = "Test deck"

[[categories]]
name = "Kotkin"

[[categories]]
name = "Lewin"
aliases = ["Moshe Lewin"]

[[cards]]
id = "k1"
category = "Kotkin"
prompt = "Kotkin one?"
answer = "Kotkin says one in 1938."
claim = "Kotkin claims one."

[[cards]]
id = "k2"
category = "Kotkin"
prompt = "Kotkin two?"
answer = "Kotkin says two in 1931."

[[cards]]
id = "l1"
category = "Lewin"
prompt = "Lewin one?"
answer = "Moshe Lewin says one in 1929."

[[cards]]
id = "l2"
category = "Lewin"
prompt = "Lewin two?"
answer = "Lewin says two in 1936."

[[events]]
id = "e1"
label = "First"
date_text = "1929"
start = "1929"
precision = "year"
card = "l1"

[[events]]
id = "e2"
label = "Second"
date_text = "1931"
start = "1931"
precision = "year"
card = "k2"

[[events]]
id = "e3"
label = "Third"
date_text = "1936"
start = "1936"
precision = "year"
card = "l2"

[[events]]
id = "e4"
label = "Fourth"
date_text = "1938"
start = "1938"
precision = "year"
card = "k1"
"""


def run_plan(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    if importlib.util.find_spec("decks.cli") is not None:
        from server.cli import main

        code = main(["plan", *argv])
    else:  # decks.cli (the other subcommands) not written yet: use our parser alone
        parser = argparse.ArgumentParser(prog="cardcade")
        plan_cmd.register(parser.add_subparsers(dest="command", required=True))
        args = parser.parse_args(["plan", *argv])
        code = args.func(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "test-deck.toml"
    path.write_text(DECK_TOML, encoding="utf-8")
    return path


def test_cli_human(deck_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_plan([str(deck_file), "--seed", "4"], capsys)
    assert code == 0
    assert out.startswith("Test deck — 8 rounds, seed 4")
    assert "Round 1: quiz" in out and "Round 2: match" in out and "Round 4: order" in out
    assert "Kotkin -> " in out and "1. First" in out and "* " in out
    assert run_plan([str(deck_file), "--seed", "4"], capsys)[1] == out
    assert run_plan([str(deck_file), "--seed", "5"], capsys)[1] != out


def test_cli_json(deck_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_plan([str(deck_file), "--seed", "9", "--json", "--rounds", "3",
                             "--mix", "order,sort"], capsys)
    assert code == 0
    data = json.loads(out)
    assert [r["kind"] for r in data] == ["order", "sort", "order"]
    assert data[0]["key"]["order"] and data[0]["time_limit_ms"] == 30_000
    assert run_plan([str(deck_file), "--seed", "9", "--json", "--rounds", "3", "--mix",
                     "order,sort"], capsys)[1] == out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--mix", "quiz,bingo"], "unknown round kind"),
        (["--rounds", "0"], "at least 1"),
        (["--mix", "order", "--rounds", "1"], None),
    ],
)
def test_cli_errors(deck_file: Path, capsys: pytest.CaptureFixture[str], extra: list[str],
                    message: str | None) -> None:
    code, _, err = run_plan([str(deck_file), "--seed", "1", *extra], capsys)
    if message is None:
        assert code == 0
    else:
        assert code == 2 and message in err


def test_cli_missing_deck(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_plan([str(tmp_path / "nope.toml"), "--seed", "1"], capsys)
    assert code == 2 and "no such file" in err
    code, _, err = run_plan(["no-such-bundled-deck", "--seed", "1"], capsys)
    assert code == 2 and "no bundled deck" in err


def test_cli_says_what_it_left_out(deck_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = deck_file.read_text(encoding="utf-8")
    deck_file.write_text(text[: text.index("[[events]]\nid = \"e3\"")], encoding="utf-8")
    code, out, _ = run_plan([str(deck_file), "--seed", "4"], capsys)
    assert code == 0
    assert "Order rounds left out: needs 4 dated events, this deck has 2." in out.splitlines()
    assert "Round 1: quiz" in out and "order" not in out.split("left out")[1]
    code, out, err = run_plan([str(deck_file), "--seed", "4", "--json"], capsys)
    assert code == 0 and json.loads(out)
    assert err.strip() == "Order rounds left out: needs 4 dated events, this deck has 2."


@pytest.mark.skipif(not BUNDLED.exists(), reason="bundled deck not there yet")
def test_cli_bundled_deck(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_plan(["soviet-union-1928-41", "--seed", "1", "--json"], capsys)
    assert code == 0
    assert [r["kind"] for r in json.loads(out)] == ["quiz", "match", "sort", "order"] * 2
