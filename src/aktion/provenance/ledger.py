"""An append-only, hash-chained, signed log of every signed step: ``.aktion/ledger.jsonl``.

Each entry names the step's key, the digests of what went in and came out, the
soft-binding marks carried in its pictures, the time and the signer's certificate
fingerprint, plus the hash of the entry before it; its own hash covers all of
that, and the signer's key signs the hash. Editing, deleting, moving or inserting
an entry breaks the chain at that spot, and ``verify`` says where; a consistent
rewrite of the chain needs the key (see ``audit``). An append is one write of one
line, fsynced; the newline is its commit mark, so a line cut short by a crash is
reported as torn and never taken as an entry.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .errors import LedgerError

LEDGER_FILE = "ledger.jsonl"
STORE_DIR = ".aktion"
GENESIS = "0" * 64
VERSION = 2  # 1: unsigned entries without marks (still read, reported unsigned)
_TAIL_CHUNK = 1 << 16


class LedgerSigner(Protocol):
    """What appending needs of an identity: its fingerprint, chain and a way to sign."""

    @property
    def fingerprint(self) -> str: ...
    chain_pem: str
    alg: str

    def sign(self, data: bytes) -> bytes: ...


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


@dataclass(frozen=True)
class Entry:
    index: int
    prev: str
    step_key: str
    step_kind: str
    inputs: dict[str, str]
    outputs: dict[str, str]
    time: str
    signer: str
    v: int = VERSION
    hash: str = ""
    marks: dict[str, str] = field(default_factory=dict)  # output name -> soft-binding id
    alg: str = ""  # the signature's algorithm (es256, ...)
    sig: str = ""  # base64 signature of ``hash`` by the signer's key

    def body(self) -> dict[str, Any]:
        """What the hash covers: everything but the hash and the signature over it."""
        d = asdict(self)
        for name in ("hash", "sig", "alg"):
            d.pop(name)
        if self.v == 1:
            d.pop("marks")
        return d

    def signed_bytes(self) -> bytes:
        return f"aktion-ledger-entry:{self.hash}".encode()

    def signature(self) -> bytes:
        try:
            return base64.b64decode(self.sig, validate=True)
        except ValueError:
            return b""

    def computed_hash(self) -> str:
        return hashlib.sha256(canonical(self.body())).hexdigest()

    def line(self) -> bytes:
        d = asdict(self)
        if self.v == 1:
            for name in ("marks", "alg", "sig"):
                d.pop(name)
        return canonical(d) + b"\n"

    @classmethod
    def parse(cls, raw: bytes) -> Entry:
        d = json.loads(raw)
        if not isinstance(d, dict):
            raise TypeError("not an object")
        names = set(cls.__dataclass_fields__)
        if d.get("v") == 1:
            names -= {"marks", "alg", "sig"}
        if set(d) != names:
            raise ValueError(f"fields {sorted(set(d) ^ names)} unexpected or missing")
        entry = cls(**d)
        texts = (entry.prev, entry.step_key, entry.step_kind, entry.time, entry.signer, entry.hash,
                 entry.alg, entry.sig)
        maps = (entry.inputs, entry.outputs, entry.marks)
        if (type(entry.index) is not int or type(entry.v) is not int
                or not all(isinstance(t, str) for t in texts)
                or not all(isinstance(m, dict) and all(isinstance(x, str) for kv in m.items()
                                                       for x in kv) for m in maps)):
            raise TypeError("a field has the wrong type")
        return entry


@dataclass
class LedgerReport:
    """What ``verify`` found: ok only if every line is a well-formed, chained entry."""

    path: Path
    entries: int = 0
    head: Entry | None = None
    problems: list[str] = field(default_factory=list)
    torn: bool = False
    parsed: list[Entry] = field(default_factory=list, repr=False)  # the readable entries
    checkpoint: dict[str, Any] | None = None  # the signed checkpoint, when audited

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "ok": self.ok, "entries": self.entries,
                "head": asdict(self.head) if self.head else None, "torn": self.torn,
                "checkpoint": self.checkpoint, "problems": self.problems}


class Ledger:
    def __init__(self, path: Path):
        self.path = Path(path)

    @classmethod
    def for_production(cls, production_root: Path) -> Ledger:
        return cls(Path(production_root) / STORE_DIR / LEDGER_FILE)

    # --- writing ---------------------------------------------------------------------
    @property
    def signers_dir(self) -> Path:
        return self.path.parent / "signers"

    def signer_chain(self, fp: str) -> str | None:
        """The certificate chain (PEM) the ledger keeps for a signer fingerprint."""
        path = self.signers_dir / f"{fp}.pem"
        return path.read_text() if fp.isalnum() and path.is_file() else None

    def append(self, step_key: str, *, step_kind: str, inputs: Mapping[str, str],
               outputs: Mapping[str, str], signer: LedgerSigner,
               marks: Mapping[str, str] | None = None, time: str | None = None) -> Entry:
        """Add one signed entry after the current head, then sign a checkpoint of the new
        head; durable when this returns.

        Refuses to write after a torn or corrupt last line: that needs a person
        (``repair``), not a silent guess.
        """
        from .checkpoint import write_checkpoint

        self.path.parent.mkdir(parents=True, exist_ok=True)
        chain_file = self.signers_dir / f"{signer.fingerprint}.pem"
        if not chain_file.is_file():
            from .atomic import write_atomic

            self.signers_dir.mkdir(exist_ok=True)
            write_atomic(chain_file, signer.chain_pem.encode())
        new = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        if new:
            _fsync_dir(self.path.parent)  # the file's name must survive a crash too
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            last = self._last_entry(fd)
            entry = Entry(
                index=last.index + 1 if last else 0, prev=last.hash if last else GENESIS,
                step_key=step_key, step_kind=step_kind, inputs=dict(sorted(inputs.items())),
                outputs=dict(sorted(outputs.items())), signer=signer.fingerprint,
                time=time or dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                marks=dict(sorted((marks or {}).items())), alg=signer.alg,
            )
            entry = Entry(**{**asdict(entry), "hash": entry.computed_hash()})
            sig = base64.b64encode(signer.sign(entry.signed_bytes())).decode()
            entry = Entry(**{**asdict(entry), "sig": sig})
            line = entry.line()
            if os.write(fd, line) != len(line):
                raise LedgerError(f"{self.path}: short write; the last line is torn")
            os.fsync(fd)
            write_checkpoint(self, entry, signer)  # under the lock: checkpoints stay in order
        finally:
            os.close(fd)  # closing releases the lock
        return entry

    def _last_entry(self, fd: int) -> Entry | None:
        size = os.fstat(fd).st_size
        if size == 0:
            return None
        start = max(0, size - _TAIL_CHUNK)
        tail = os.pread(fd, size - start, start)
        while b"\n" not in tail[:-1] and start > 0:
            start = max(0, start - _TAIL_CHUNK)
            tail = os.pread(fd, size - start, start)
        if not tail.endswith(b"\n"):
            raise LedgerError(
                f"{self.path}: the last entry is torn (an append was interrupted); "
                "check with `aktion ledger verify`, drop it with `aktion ledger repair`"
            )
        raw = tail[:-1].rsplit(b"\n", 1)[-1]
        try:
            entry = Entry.parse(raw)
        except (ValueError, TypeError) as e:
            raise LedgerError(f"{self.path}: the last entry is unreadable ({e})") from None
        if entry.computed_hash() != entry.hash:
            raise LedgerError(f"{self.path}: the last entry does not match its hash (edited)")
        return entry

    def repair(self) -> bytes | None:
        """Drop a torn last line (no end-of-line); returns the bytes dropped, or None."""
        if not self.path.is_file():
            return None
        data = self.path.read_bytes()
        if not data or data.endswith(b"\n"):
            return None
        keep = data.rfind(b"\n") + 1
        with self.path.open("r+b") as f:
            f.truncate(keep)
            os.fsync(f.fileno())
        return data[keep:]

    # --- reading ---------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """Every well-formed entry (use ``verify`` to know whether they form a chain)."""
        out = []
        for raw in self._lines()[0]:
            try:
                out.append(Entry.parse(raw))
            except (ValueError, TypeError):
                continue
        return out

    def tail(self) -> Entry | None:
        """The last entry, read cheaply (no full check); raises LedgerError if torn."""
        if not self.path.is_file():
            return None
        fd = os.open(self.path, os.O_RDONLY)
        try:
            return self._last_entry(fd)
        finally:
            os.close(fd)

    def head(self) -> Entry | None:
        """The last entry, if the whole ledger verifies; raises LedgerError otherwise."""
        report = self.verify()
        if not report.ok:
            raise LedgerError(f"{self.path}: {report.problems[0]}")
        return report.head

    def find_output(self, digest: str) -> list[Entry]:
        return [e for e in self.entries() if digest in e.outputs.values()]

    def _lines(self) -> tuple[list[bytes], bool]:
        """The lines, and whether the last one lacks its end-of-line (torn)."""
        if not self.path.is_file():
            return [], False
        data = self.path.read_bytes()
        torn = bool(data) and not data.endswith(b"\n")
        lines = data.split(b"\n")
        if not torn:
            lines = lines[:-1]
        return lines, torn

    def verify(self) -> LedgerReport:
        report = LedgerReport(self.path)
        lines, torn = self._lines()
        prev: Entry | None = None
        for n, raw in enumerate(lines, start=1):
            last = n == len(lines)
            if last and torn:
                report.torn = True
                report.problems.append(
                    f"line {n}: torn last entry, no end-of-line (an append was interrupted); "
                    "`aktion ledger repair` drops it"
                )
                break
            try:
                entry = Entry.parse(raw)
            except (ValueError, TypeError) as e:
                report.problems.append(f"line {n}: not a ledger entry ({e}): corrupted or edited")
                continue
            report.problems.extend(_check(entry, prev, n))
            report.entries += 1
            report.parsed.append(entry)
            prev = entry
        report.head = prev
        return report

    def pins(self, index: int, hash_: str) -> str | None:
        """None if entry ``index`` has hash ``hash_``, else what is wrong."""
        return pinned(self.entries(), index, hash_)


def pinned(entries: list[Entry], index: int, hash_: str) -> str | None:
    """None if entry ``index`` has hash ``hash_`` (as an asset pinned it), else why not."""
    for e in entries:
        if e.index == index:
            return None if e.hash == hash_ else (
                f"ledger entry {index} differs from the one this asset pinned when signed "
                "(the ledger was rewritten)")
    return f"ledger entry {index}, pinned by this asset when signed, is missing (truncated)"


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check(entry: Entry, prev: Entry | None, n: int) -> list[str]:
    problems = []
    if entry.computed_hash() != entry.hash:
        problems.append(f"entry {entry.index} (line {n}): its contents do not match its hash: "
                        "the entry was edited")
    expected = prev.index + 1 if prev else 0
    if entry.index != expected:
        problems.append(f"entry {entry.index} (line {n}): expected index {expected}: an entry "
                        "was deleted, inserted or moved")
    want_prev = prev.hash if prev else GENESIS
    if entry.prev != want_prev:
        before = f"entry {prev.index}" if prev else "the start of the ledger"
        problems.append(f"entry {entry.index} (line {n}): does not chain to {before}: an entry "
                        "before it was deleted, inserted, reordered or edited")
    return problems
