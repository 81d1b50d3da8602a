"""`cardcade deck import/check/list/schema`, deck loading/saving and the JSON Schema."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from decks.io import (
    DeckError,
    bundled_deck_path,
    list_bundled,
    load_deck,
    parse_deck,
    save_deck,
    schema_json,
)
from decks.model import Card, DeckFile
from server.cli import main

SAMPLES = Path(__file__).parent / "samples"
SEED = SAMPLES / "knowt-soviet-union-1928-41.txt"
REPO = Path(__file__).resolve().parents[1]

GOOD = '''title = "Tiny"

[[cards]]
id = "a1"
prompt = "First?"
answer = "One."
category = "Kotkin"

[[cards]]
id = "b2"
prompt = "Second?"
answer = """Two,
in 1930."""

[[events]]
id = "e1"
label = "Something"
date_text = "1930"
start = "1930"
precision = "year"
card = "b2"
'''


def test_committed_schema_is_up_to_date() -> None:
    committed = (REPO / "docs" / "deck.schema.json").read_text(encoding="utf-8")
    assert committed == schema_json(), "run: cardcade deck schema > docs/deck.schema.json"
    assert json.loads(committed)["title"] == "DeckFile"


def test_import_seed_with_events_then_check_json(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "soviet.toml"
    assert main(["deck", "import", str(SEED), "--events", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "warning: card 79 is empty; skipped" in captured.err
    assert "160 terms" in captured.err
    assert "99 cards, 5 categories" in captured.out
    deck = load_deck(out)
    assert len(deck.cards) == 99 and len(deck.events) > 50

    assert main(["deck", "check", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cards"] == 99
    assert report["categories"] == {
        "Fitzpatrick": 30, "Khlevniuk": 15, "Lewin": 18, "Kotkin": 30, "Cameron": 6}
    assert report["events"] == len(deck.events)
    assert not any("have no claim" in w for w in report["warnings"])  # import makes claims
    assert any("is the only one in" in w for w in report["warnings"])


def test_reimport_gives_identical_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    assert main(["deck", "import", str(SEED), "--events", "-o", str(first)]) == 0
    assert main(["deck", "import", str(SEED), "--events", "-o", str(second)]) == 0
    assert first.read_text() == second.read_text()


def test_import_quizlet_custom_separators(tmp_path: Path) -> None:
    out = tmp_path / "bio.toml"
    code = main(["deck", "import", str(SAMPLES / "quizlet-biology-custom-sep.txt"),
                 "--format", "quizlet", "--term-sep", " - ", "--card-sep", ";",
                 "--title", "Biology", "-o", str(out)])
    assert code == 0
    deck = load_deck(out)
    assert deck.title == "Biology" and len(deck.cards) == 6


def test_import_escaped_tab_separator(tmp_path: Path) -> None:
    src = tmp_path / "q.txt"
    src.write_text("a|b\tc|d\n")
    out = tmp_path / "q.toml"
    assert main(["deck", "import", str(src), "--format", "quizlet", "--term-sep", "|",
                 "--card-sep", r"\t", "-o", str(out)]) == 0
    assert [(c.prompt, c.answer) for c in load_deck(out).cards] == [("a", "b"), ("c", "d")]


def test_check_human_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(GOOD)
    assert main(["deck", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 cards, 1 categories, 1 events" in out
    assert "category 'Kotkin' has only 1 card" in out
    assert "only 1 events" in out


def test_check_malformed_names_file_card_and_field(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace('answer = "One."', 'answer = ""'))
    assert main(["deck", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err
    assert "card 1 (id 'a1', line 3), field 'answer'" in err


def test_check_unknown_field_and_toml_syntax(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace('answer = "One."', 'anwser = "One."'))
    assert main(["deck", "check", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert "card 1 (id 'a1', line 3), field 'anwser': unknown field" in err
    assert "field 'answer': missing" in err
    path.write_text(GOOD.replace('prompt = "Second?"', 'prompt = "Second?'))
    assert main(["deck", "check", str(path)]) == 2
    assert "TOML syntax error: line 11" in capsys.readouterr().err


def test_load_deck_errors(tmp_path: Path) -> None:
    with pytest.raises(DeckError, match="no such file"):
        load_deck(tmp_path / "missing.toml")
    bad_event = GOOD.replace('date_text = "1930"', 'date_text = "1931"')
    with pytest.raises(DeckError, match="event 'e1': date '1931' is not in card b2"):
        parse_deck(bad_event, "x.toml")
    dupes = GOOD.replace('id = "b2"', 'id = "a1"').replace('card = "b2"', 'card = "a1"')
    with pytest.raises(DeckError, match="duplicate card ids: a1"):
        parse_deck(dupes, "x.toml")
    bad_start = GOOD.replace('start = "1930"', 'start = "30"')
    with pytest.raises(DeckError, match=r"event 1 \(id 'e1', line 15\), field 'start'"):
        parse_deck(bad_start, "x.toml")
    with pytest.raises(DeckError) as info:
        parse_deck(GOOD.replace('title = "Tiny"', "title = 3"), "x.toml")
    assert "field 'title'" in str(info.value)
    assert info.value.problems[0].startswith("x.toml: field 'title'")


def test_save_round_trip_and_atomic(tmp_path: Path) -> None:
    deck = parse_deck(GOOD)
    path = tmp_path / "deck.toml"
    save_deck(deck, path, schema="../docs/deck.schema.json")
    text = path.read_text()
    assert text.startswith("#:schema ../docs/deck.schema.json\n")
    assert 'answer = """\nTwo,\nin 1930."""' in text  # multi-line strings stay readable
    assert load_deck(path) == deck
    broken = deck.model_copy(deep=True)
    broken.cards.append(Card(id="a1", prompt="dup", answer="dup"))  # duplicate id
    with pytest.raises(DeckError, match="refusing to write"):
        save_deck(broken, path)
    assert path.read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.toml"]


def test_save_failure_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deck = parse_deck(GOOD)
    path = tmp_path / "deck.toml"
    path.write_text("good content")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        save_deck(deck, path)
    assert path.read_text() == "good content"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.toml"]


def test_failed_import_keeps_existing_output(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.toml"
    out.write_text(GOOD)
    code = main(["deck", "import", str(SAMPLES / "csv-no-header.csv"), "-o", str(out)])
    assert code == 2
    assert "csv-no-header.csv" in capsys.readouterr().err
    assert out.read_text() == GOOD
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert main(["deck", "import", str(empty), "-o", str(out)]) == 2
    assert out.read_text() == GOOD


def test_wrong_format_name_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["deck", "import", str(SEED), "--format", "xml", "-o", "x.toml"])
    assert info.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_import_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deck", "import", str(SAMPLES / "anki-french-comma.txt"), "-o", "-"]) == 0
    assert parse_deck(capsys.readouterr().out).cards[0].prompt == "Bonjour"


def test_bundled_decks(capsys: pytest.CaptureFixture[str]) -> None:
    names = list_bundled()
    assert main(["deck", "list"]) == 0
    assert capsys.readouterr().out.split() == names
    for name in names:
        assert bundled_deck_path(name) == bundled_deck_path(f"{name}.toml")
        assert isinstance(load_deck(bundled_deck_path(name)), DeckFile)
    with pytest.raises(DeckError, match="no bundled deck 'nope'"):
        bundled_deck_path("nope")
    with pytest.raises(DeckError):
        bundled_deck_path("../pyproject")


def test_cardcade_subprocess(tmp_path: Path) -> None:
    exe = shutil.which("cardcade") or str(Path(sys.executable).parent / "cardcade")
    out = tmp_path / "cells.toml"
    done = subprocess.run([exe, "deck", "import", str(SAMPLES / "knowt-cell-biology.txt"),
                           "-o", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "card 5 is empty" in done.stderr
    done = subprocess.run([exe, "deck", "check", str(out), "--json"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cards"] == 9
    out.write_text(out.read_text().replace("[[cards]]\nid =", "[[cards]]\nidd =", 1))
    done = subprocess.run([exe, "deck", "check", str(out)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2
    assert "card 1" in done.stderr and "field 'id'" in done.stderr


def test_written_deck_keeps_category_noun_and_tags(tmp_path: Path) -> None:
    out = tmp_path / "ww1.toml"
    src = SAMPLES / "knowt-origins-first-world-war.txt"
    assert main(["deck", "import", str(src), "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert 'category_noun = "historian"' in text and "tags = []" not in text
    assert load_deck(out).category_noun == "historian"
    tagged = tmp_path / "fr.toml"
    assert main(["deck", "import", str(SAMPLES / "anki-french-revolution-html.txt"),
                 "-o", str(tagged)]) == 0
    assert "category_noun" not in tagged.read_text(encoding="utf-8")  # the default
    assert load_deck(tagged).cards[0].tags == ["1789", "assemblies"]
