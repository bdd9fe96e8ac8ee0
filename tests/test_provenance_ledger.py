"""The ledger: every kind of tampering is found and named; torn appends are never taken."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from aktion.provenance.certs import certs_pem, make_local_ca
from aktion.provenance.errors import LedgerError
from aktion.provenance.identity import Identity
from aktion.provenance.ledger import GENESIS, Entry, Ledger

_CA = make_local_ca("ledger-test")
SIGNER = Identity.from_callback("ledger-test", certs_pem(_CA.chain), certs_pem([_CA.anchor]),
                                lambda data: _CA.key.sign(data, ec.ECDSA(hashes.SHA256())))


def filled(tmp_path: Path, n: int = 4) -> Ledger:
    ledger = Ledger(tmp_path / ".aktion" / "ledger.jsonl")
    for i in range(n):
        ledger.append(f"key{i}", step_kind="render", inputs={"poses": f"{i:064x}"},
                      outputs={"video": f"{i + 100:064x}"}, signer=SIGNER)
    return ledger


def lines(ledger: Ledger) -> list[bytes]:
    return ledger.path.read_bytes().splitlines(keepends=True)


def rewrite(ledger: Ledger, new: list[bytes]) -> None:
    ledger.path.write_bytes(b"".join(new))


def rehash(raw: bytes, **changes: object) -> bytes:
    """An entry edited by someone who also recomputed its own hash."""
    d = json.loads(raw)
    d.update(changes)
    e = Entry(**d)
    return Entry(**{**e.__dict__, "hash": e.computed_hash()}).line()


def test_append_chains_and_verifies(tmp_path: Path) -> None:
    ledger = filled(tmp_path)
    entries = ledger.entries()
    assert [e.index for e in entries] == [0, 1, 2, 3]
    assert entries[0].prev == GENESIS
    assert all(b.prev == a.hash for a, b in pairwise(entries))
    report = ledger.verify()
    assert report.ok and report.entries == 4 and ledger.head() == entries[-1]
    assert ledger.find_output(f"{102:064x}")[0].step_key == "key2"


def test_edited_entry_is_found(tmp_path: Path) -> None:
    ledger = filled(tmp_path)
    ls = lines(ledger)
    ls[1] = ls[1].replace(b"key1", b"evil")
    rewrite(ledger, ls)
    problems = ledger.verify().problems
    assert problems and "entry 1 (line 2)" in problems[0] and "edited" in problems[0]
    with pytest.raises(LedgerError):
        ledger.head()


def test_edit_with_recomputed_hash_breaks_the_next_link(tmp_path: Path) -> None:
    ledger = filled(tmp_path)
    ls = lines(ledger)
    ls[1] = rehash(ls[1], step_key="evil")
    rewrite(ledger, ls)
    problems = ledger.verify().problems
    assert len(problems) == 1 and "entry 2 (line 3): does not chain to entry 1" in problems[0]


def test_deleted_entry_is_found(tmp_path: Path) -> None:
    ledger = filled(tmp_path)
    ls = lines(ledger)
    del ls[2]
    rewrite(ledger, ls)
    problems = " | ".join(ledger.verify().problems)
    assert "entry 3 (line 3): expected index 2" in problems and "does not chain" in problems


def test_reordered_entries_are_found(tmp_path: Path) -> None:
    ledger = filled(tmp_path)
    ls = lines(ledger)
    ls[1], ls[2] = ls[2], ls[1]
    rewrite(ledger, ls)
    assert any("expected index 1" in p for p in ledger.verify().problems)


def test_inserted_entry_is_found(tmp_path: Path) -> None:
    ledger = filled(tmp_path)
    ls = lines(ledger)
    ls.insert(2, rehash(ls[1], index=2, step_key="forged"))
    rewrite(ledger, ls)
    problems = ledger.verify().problems
    assert any("entry 2 (line 4): expected index 3" in p for p in problems)


def test_garbage_line_is_found(tmp_path: Path) -> None:
    ledger = filled(tmp_path)
    ls = lines(ledger)
    ls[0] = b"{not json\n"
    rewrite(ledger, ls)
    assert "line 1: not a ledger entry" in ledger.verify().problems[0]


def test_torn_last_line_is_reported_refused_and_repaired(tmp_path: Path) -> None:
    ledger = filled(tmp_path, 2)
    with ledger.path.open("ab") as f:
        f.write(b'{"index":2,"prev":"ab')  # a crash mid-append
    report = ledger.verify()
    assert report.torn and "torn" in report.problems[0] and report.entries == 2
    with pytest.raises(LedgerError, match="torn"):
        ledger.append("k", step_kind="render", inputs={}, outputs={}, signer=SIGNER)
    assert ledger.repair() == b'{"index":2,"prev":"ab'
    assert ledger.verify().ok
    assert ledger.append("k", step_kind="render", inputs={}, outputs={}, signer=SIGNER).index == 2


def test_a_complete_line_without_newline_is_torn_too(tmp_path: Path) -> None:
    """The newline is the commit mark: a whole entry cut before it is not accepted."""
    ledger = filled(tmp_path, 2)
    ledger.path.write_bytes(ledger.path.read_bytes()[:-1])
    assert ledger.verify().torn


def test_process_killed_mid_append_leaves_a_detectable_state(tmp_path: Path) -> None:
    """A child runs the real ``append`` and dies after writing half the line."""
    ledger = filled(tmp_path, 1)
    code = (
        "import os, sys\n"
        "from aktion.provenance import ledger as L\n"
        "real = os.write\n"
        "def dying(fd, data):\n"
        "    if not data.startswith(b'{\"alg\"'):\n"
        "        return real(fd, data)  # the signer's certificate, not the entry\n"
        "    real(fd, data[: len(data) // 2]); os._exit(9)\n"
        "from test_provenance_ledger import SIGNER\n"
        "L.os.write = dying\n"
        "L.Ledger(sys.argv[1]).append('k', step_kind='render', inputs={}, outputs={},"
        " signer=SIGNER)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-c", code, str(ledger.path)], check=False, env=env)
    assert proc.returncode == 9
    report = ledger.verify()
    assert not report.ok and report.torn and report.entries == 1


def test_entries_are_canonical_and_hold_no_paths(tmp_path: Path) -> None:
    ledger = filled(tmp_path, 1)
    d = json.loads(lines(ledger)[0])
    assert set(d) == {"index", "prev", "step_key", "step_kind", "inputs", "outputs", "time",
                      "signer", "v", "hash", "marks", "alg", "sig"}
    assert str(tmp_path).encode() not in ledger.path.read_bytes()
