"""Shared fixtures: a tiny production written from scratch for each test."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = """\
Title: Tiny Fight
Author: Aktion Tests

EXT. ROOF - NIGHT

Rain. VEX faces KADE across the gravel.

VEX
You're late.

KADE
You're done.

Vex jabs at Kade's head. Kade staggers.

CUT TO:
"""

TOML = """\
[production]
name = "tiny"
title = "Tiny Fight"
fps = 24
width = 160
height = 96
seed = 7

[render]
policy = "previz"
"""

VEX = """\
schema: Character.1
id: vex
name: VEX
description: A wiry courier.
build: {height: 1.70, shoulders: 0.40, hips: 0.30}
palette: {primary: "#d62828", secondary: "#1d3557", skin: "#e0a878", accent: "#fcbf49"}
seed: 11
"""

KADE = """\
schema: Character.1
id: kade
name: KADE
description: A heavy enforcer.
build: {height: 1.90, shoulders: 0.50, hips: 0.36, bulk: 1.3}
palette: {primary: "#8d99ae", secondary: "#2b2d42", skin: "#c68b59", accent: "#edf2f4"}
seed: 22
"""

BOARDS = """\
schema: Boards.1
scenes:
  - id: roof
    heading: EXT. ROOF - NIGHT
    set:
      boxes:
        - {name: vent, at: [2.0, -2.0], size: [1.0, 1.0, 1.0]}
    shots:
      - id: "1"
        lines: [4, 12]
        size: WS
        lens: 28
        duration: 12
        blocking:
          - {who: vex, at: [-0.6, 0], facing: 0}
          - {who: kade, at: [0.6, 0], facing: 180}
      - id: "2"
        lines: [14, 14]
        size: MS
        move: dolly
        duration: 12
        blocking:
          - {who: vex, at: [-0.5, 0], facing: 0}
          - {who: kade, at: [0.5, 0], facing: 180}
"""

CHOREO = """\
schema: Choreo.1
shots:
  "1":
    beats:
      - {t: 0, who: vex, move: guard, line: 6}
  "2":
    beats:
      - {t: 1, who: vex, move: jab, target: kade, hit: head, line: 14}
"""


def write_production(root: Path, **overrides: str) -> Path:
    """A two-shot production; pass e.g. ``choreo=...`` to replace one file's text."""
    files = {
        "aktion.toml": TOML, "script.fountain": SCRIPT, "cast/vex.yaml": VEX,
        "cast/kade.yaml": KADE, "boards.yaml": BOARDS, "choreo.yaml": CHOREO,
    }
    names = {"toml": "aktion.toml", "script": "script.fountain", "vex": "cast/vex.yaml",
             "kade": "cast/kade.yaml", "boards": "boards.yaml", "choreo": "choreo.yaml"}
    for key, text in overrides.items():
        files[names[key]] = text
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_production(tmp_path / "tiny")


@pytest.fixture(autouse=True, scope="session")
def compiled_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Parsed sources are cached for this run of the suite, not in the user's cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AKTION_CACHE", str(tmp_path_factory.mktemp("compiled-cache")))
        yield


@pytest.fixture(autouse=True)
def wide_console() -> None:
    """Rich tables wrap to the terminal; tests read them whole, whatever the terminal."""
    from aktion.cli.app import console, err_console

    console.width = err_console.width = 200
