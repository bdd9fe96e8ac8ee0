"""The action reader: how well it reads the labelled corpus, and how fast.

Accuracy per field (who, target, move family, outcome; into and weapon where the corpus
names them) on ``tests/fixtures/action_corpus.yaml`` and on the held-out lines of
``action_corpus_heldout.yaml``. Speed: sentences per second reading the corpus lines
over and over as one scene, against a peer measured in the same run on the same text,
plain regex tokenisation (``re.findall`` of the words); then one single paragraph of
``--megabytes`` of those lines through the breakdown and the reader, end to end.

    python bench/bench_reading.py [--sentences 20000] [--megabytes 1]
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from ruamel.yaml import YAML

from aktion.production.script import Script
from aktion.writers_room.actions import SceneReader
from aktion.writers_room.breakdown import Beat, breakdown_script
from aktion.writers_room.draft import _read_scenes
from aktion.writers_room.names import NameMatcher
from aktion.writers_room.scoring import FIELDS, run_corpus
from aktion.writers_room.verbs import default_table

FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures"
WORDS = re.compile(r"[A-Za-z0-9][\w'’\-]*")


def lines(cast: set[str]) -> list[str]:
    items = YAML(typ="safe").load((FIXTURES / "action_corpus.yaml").read_text())
    return [i["text"] for i in items if set(i["cast"]) <= cast]


def accuracy() -> None:
    table = default_table()
    print(f"{'corpus':<10} {'lines':>5} " + " ".join(f"{f:>8}" for f in (*FIELDS, "into",
                                                                          "weapon")))
    for name in ("action_corpus.yaml", "action_corpus_heldout.yaml"):
        path = FIXTURES / name
        score = run_corpus(path, table)
        n = len(YAML(typ="safe").load(path.read_text()))
        cells = " ".join(f"{score.accuracy(f):8.1%}" for f in (*FIELDS, "into", "weapon"))
        label = "held-out" if "heldout" in name else "main"
        print(f"{label:<10} {n:>5} {cells}")


def speed(n: int) -> None:
    texts = lines({"vex", "kade"})
    work = [texts[k % len(texts)] for k in range(n)]
    table = default_table()
    reader = SceneReader(table, NameMatcher({"vex": ["Vex"], "kade": ["Kade"]}),
                         {"vex": "f", "kade": "m"}, ["vex", "kade"])
    reader.read(Beat(line=1, end_line=1, text=texts[0]))  # word forms load on first use
    t0 = time.perf_counter()
    moves = 0
    for k, text in enumerate(work, start=2):
        moves += len(reader.read(Beat(line=k, end_line=k, text=text)).actions)
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    words = sum(len(WORDS.findall(text)) for text in work)
    peer_s = time.perf_counter() - t0
    print(f"\n{n} sentences ({words} words, {moves} moves)")
    print(f"  reader            {n / read_s:10.0f} sentences/s")
    print(f"  regex tokenising  {n / peer_s:10.0f} sentences/s")
    print(f"  the reader takes {read_s / peer_s:.0f}x the time of tokenising alone")


def paragraph(megabytes: float) -> None:
    texts = lines({"vex", "kade"})
    body, size, k = [], 0, 0
    while size < megabytes * 1e6:
        body.append(texts[k % len(texts)])
        size += len(body[-1]) + 1
        k += 1
    text = ("EXT. ROOF - NIGHT\n\nVEX (20s) waits. She checks her watch.\n\n"
            "KADE (40s) arrives. He smiles.\n\n" + " ".join(body) + "\n")
    t0 = time.perf_counter()
    bd = breakdown_script(Script.from_text(text))
    t1 = time.perf_counter()
    reads, _ = _read_scenes(bd, default_table())
    t2 = time.perf_counter()
    n = sum(len(r) for r in reads.values())
    print(f"\none paragraph of {len(text) / 1e6:.1f} MB, {n} sentences: breakdown {t1 - t0:.1f} s,"
          f" reading {t2 - t1:.1f} s ({n / (t2 - t1):.0f} sentences/s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=20000)
    ap.add_argument("--megabytes", type=float, default=1.0)
    a = ap.parse_args()
    accuracy()
    speed(a.sentences)
    if a.megabytes > 0:
        paragraph(a.megabytes)


if __name__ == "__main__":
    main()
