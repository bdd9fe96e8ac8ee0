"""The store under damage, as a user meets it: a corrupt blob, a damaged cache database, a
read-only production, a full disk. Each gets one clear line and loses nothing."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from aktion.engine.store import Store


def aktion(*args: object, preexec=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "aktion", *map(str, args)],
                          check=False, capture_output=True, text=True, env=env,
                          preexec_fn=preexec,
                          timeout=300)


def rendered(root: Path) -> Path:
    result = aktion("render", root)
    assert result.returncode == 0, result.stderr
    return root / "out" / "roof.mp4"


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def clip_blobs(root: Path) -> list[Path]:
    return sorted((root / ".aktion" / "blobs").glob("*/*.mp4"))


def test_a_corrupt_blob_is_never_reused_and_doctor_heals_it(tiny: Path) -> None:
    cut = rendered(tiny)
    good = cut.read_bytes()
    for blob in clip_blobs(tiny):
        flip_a_byte(blob)  # same size, other bytes
    again = aktion("render", tiny)
    assert again.returncode == 0, again.stderr
    assert "does not match its digest: quarantined" in again.stderr
    assert "Traceback" not in again.stderr
    assert cut.read_bytes() == good  # every corrupt clip made again, the same
    assert list((tiny / ".aktion" / "quarantine").iterdir())

    flip_a_byte(clip_blobs(tiny)[0])
    dry = aktion("doctor", tiny, "--dry-run")
    assert dry.returncode == 1 and "would quarantine" in dry.stderr
    healed = aktion("doctor", tiny)
    assert healed.returncode == 0, healed.stderr
    assert "the store is healthy" in healed.stdout
    store = Store.for_production(tiny)
    try:
        assert store.verify() == []
    finally:
        store.close()
    assert aktion("doctor", tiny, "--dry-run").returncode == 0


def test_a_damaged_cache_database_is_moved_aside_and_rebuilt(tiny: Path) -> None:
    cut = rendered(tiny)
    good = cut.read_bytes()
    db = tiny / ".aktion" / "cache.sqlite"
    for part in tiny.glob(".aktion/cache.sqlite-*"):
        part.unlink()
    db.write_bytes(b"this is not a database" * 100)
    result = aktion("render", tiny)
    assert result.returncode == 0, result.stderr
    assert "was damaged" in result.stderr and "Traceback" not in result.stderr
    assert cut.read_bytes() == good
    assert list(tiny.glob(".aktion/cache.sqlite.damaged-*"))
    assert "0 run" in aktion("render", tiny).stdout


def _freeze(root: Path) -> None:
    """Make a production read-only for this process, root included: mode bits for an
    ordinary user; the immutable attribute for root, who ignores mode bits."""
    paths = [root, *root.rglob("*")]
    if os.geteuid() != 0:
        for p in paths:
            p.chmod(p.stat().st_mode & ~0o222)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    done = subprocess.run(["chattr", "+i", *map(str, paths)], check=False,
                          capture_output=True, text=True)
    if done.returncode != 0:
        _thaw(root)
        pytest.skip(f"this filesystem has no immutable attribute: {done.stderr.strip()}")


def _thaw(root: Path) -> None:
    paths = [root, *root.rglob("*")]
    if os.geteuid() != 0:
        for p in paths:
            p.chmod(p.stat().st_mode | 0o200)
    else:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=False, capture_output=True)


def test_a_read_only_production_plans_explains_checks_and_exports(tiny: Path,
                                                                  tmp_path: Path) -> None:
    rendered(tiny)
    out = tmp_path / "exported"
    before = {p: p.stat().st_mtime_ns for p in tiny.rglob("*")}
    _freeze(tiny)
    preexec = None
    try:
        assert aktion("check", tiny, preexec=preexec).returncode == 0
        assert aktion("plan", tiny, preexec=preexec).returncode == 0
        explained = aktion("explain", tiny, preexec=preexec)
        assert explained.returncode == 0, explained.stderr
        assert "cached" in explained.stdout and "will run" not in explained.stdout
        export = aktion("export", tiny, "--out", out, preexec=preexec)
        assert export.returncode == 0, export.stderr
        assert (out / "roof.otio").is_file()
        render = aktion("render", tiny, preexec=preexec)
        assert render.returncode == 1 and "read-only" in render.stderr
        assert "Traceback" not in render.stderr + export.stderr + explained.stderr
    finally:
        _thaw(tiny)
    assert {p: p.stat().st_mtime_ns for p in tiny.rglob("*")} == before


def _files_up_to(limit: int):
    """Writes past ``limit`` bytes fail (EFBIG), as on a full disk: the room runs out at a
    different moment of the render for each limit (opening the cache, a step, the cut)."""

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the signal kills the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="needs RLIMIT_FSIZE")
@pytest.mark.parametrize("limit", [16 << 10, 64 << 10, 256 << 10])
def test_a_full_disk_is_one_clear_line_and_leaves_no_partial_file(tiny: Path,
                                                                  limit: int) -> None:
    (tiny / "aktion.toml").write_text((tiny / "aktion.toml").read_text().replace(
        "width = 160", "width = 1280").replace("height = 96", "height = 720"))
    full = aktion("render", tiny, preexec=_files_up_to(limit))
    assert full.returncode == 1
    text = full.stdout + full.stderr
    assert "Traceback" not in text, text
    assert "File too large" in text or "cannot write" in text or "no space left" in text
    out = tiny / "out"
    assert not out.exists() or not any(p.name.startswith(".") for p in out.iterdir())
    assert not any((tiny / ".aktion" / "tmp").iterdir())
    again = aktion("render", tiny)
    assert again.returncode == 0, again.stderr
    store = Store.for_production(tiny)
    try:
        assert store.verify() == []
    finally:
        store.close()
    shutil.rmtree(tiny / "out")
