"""The entry pack refuses unproven cuts, and lists every file it holds by digest."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from aktion.engine.graph import plan
from aktion.engine.store import Store
from aktion.pack.entry import PackRefused, pack, provenance_verifier
from aktion.production.load import load_production
from test_canvas import box_backend, render  # noqa: F401


def pack_it(root: Path, verify=None) -> Path:
    store = Store.for_production(root)
    try:
        return pack(plan(load_production(root)), store, verify)
    finally:
        store.close()


@pytest.fixture
def rendered(tiny: Path, box_backend: None) -> Path:  # noqa: F811
    assert render(tiny)[1].ok
    return tiny


def test_unsigned_cut_is_refused(rendered: Path) -> None:
    verify = provenance_verifier()
    assert verify is not None
    with pytest.raises(PackRefused, match="roof.mp4 cannot be packed"):
        pack_it(rendered, verify)
    assert not (rendered / "out" / "tiny-entry.zip").exists()


def test_tampered_cut_is_refused(rendered: Path) -> None:
    def verify(path: Path, production: Path) -> dict:
        # stands in for a verifier that finds the hard binding broken
        return {"ok": False, "status": "invalid", "problems": ["the file was altered"]}

    with pytest.raises(PackRefused, match="altered"):
        pack_it(rendered, verify)


def test_entry_archive_and_manifest(rendered: Path) -> None:
    seen = []

    def verify(path: Path, production: Path) -> dict:
        seen.append(path.name)
        return {"ok": True, "status": "trusted", "problems": []}

    dest = pack_it(rendered, verify)
    assert seen == ["roof.mp4"]
    with zipfile.ZipFile(dest) as z:
        names = set(z.namelist())
        assert {"cut/roof.mp4", "script/script.fountain", "depth.html", "provenance.json",
                "manifest.json"} <= names
        manifest = json.loads(z.read("manifest.json"))
        for name, entry in manifest["files"].items():
            assert hashlib.sha256(z.read(name)).hexdigest() == entry["sha256"]
