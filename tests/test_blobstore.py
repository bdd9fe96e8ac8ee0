"""Blob locations: a folder or an fsspec URL; a corrupt blob is never handed out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("fsspec")

from aktion.engine.blobstore import CorruptBlob, FsspecBlobs, LocalBlobs, open_blobs
from aktion.engine.executors import LocalExecutor
from aktion.engine.executors.synthetic import synthetic_graph
from aktion.engine.run import run
from aktion.engine.store import Store


def test_locations_open_the_right_kind(tmp_path: Path) -> None:
    assert isinstance(open_blobs(tmp_path / "b"), LocalBlobs)
    assert isinstance(open_blobs(f"file://{tmp_path}/c"), LocalBlobs)
    assert isinstance(open_blobs("memory://aktion-test/x"), FsspecBlobs)


@pytest.mark.parametrize("kind", ["local", "fsspec"])
def test_put_fetch_and_corruption(tmp_path: Path, kind: str) -> None:
    blobs = (LocalBlobs(tmp_path / "blobs") if kind == "local"
             else FsspecBlobs(f"memory://aktion-{tmp_path.name}/blobs"))
    src = tmp_path / "clip.mp4"
    src.write_bytes(b"frames")
    out = blobs.put_file(src)
    assert not src.exists() and blobs.has(out)
    assert list(blobs.names()) == [f"{out.digest[:2]}/{out.digest}.mp4"]
    assert blobs.fetch(out, tmp_path / "in").read_bytes() == b"frames"
    name = next(blobs.names())
    if isinstance(blobs, LocalBlobs):
        (blobs.root / name).write_bytes(b"framez")
    else:
        blobs.fs.pipe_file(f"{blobs.base}/{name}", b"framez")
    assert blobs.has(out)  # same size: only the hash can tell
    with pytest.raises(CorruptBlob, match="does not match"):
        blobs.fetch(out, tmp_path / "in2")


def test_a_render_with_blobs_on_an_fsspec_url(tmp_path: Path) -> None:
    url = f"memory://aktion-{tmp_path.name}/shared"
    graph = synthetic_graph(tmp_path, shots=4, scenes=1, sleep=0.0)
    store = Store(tmp_path / ".aktion", blobs=url)
    summary = run(graph, store, executor=LocalExecutor(2))
    assert summary.ok and summary.count("ran") == 9
    assert list(store.blobs.iterdir()) == []  # nothing in the local folder
    assert store.verify() == []
    assert (tmp_path / "out" / "s0.mp4").read_bytes().startswith(b"layout 0\n")
    assert run(graph, store).count("cached") == 9


def test_a_worker_refuses_a_corrupt_input(tmp_path: Path) -> None:
    graph = synthetic_graph(tmp_path, shots=1, scenes=1, sleep=0.0)
    store = Store(tmp_path / ".aktion")
    assert run(graph, store).ok
    layout = store.lookup(graph.steps["layout:0"].key)
    assert layout is not None
    path = store.blob_path(layout.outputs["frames"])
    before = path.stat()
    path.write_bytes(path.read_bytes()[::-1])  # same size, other bytes
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the stat hides it
    store.db.execute("DELETE FROM actions WHERE step_id != 'layout:0'")
    store.db.commit()
    summary = run(graph, store)
    status = {o.step: (o.status, o.error) for o in summary.outcomes}
    assert status["render:0"][0] == "failed" and "does not match" in (status["render:0"][1] or "")
    assert any("does not match" in p for p in store.verify())


def test_a_corrupt_blob_is_quarantined_and_its_step_runs_again(tmp_path: Path) -> None:
    graph = synthetic_graph(tmp_path, shots=1, scenes=1, sleep=0.0)
    store = Store(tmp_path / ".aktion")
    assert run(graph, store).ok
    layout = store.lookup(graph.steps["layout:0"].key)
    assert layout is not None
    path = store.blob_path(layout.outputs["frames"])
    good = path.read_bytes()
    path.write_bytes(good[::-1])  # same size, other bytes: a plain size check is fooled
    store.close()
    store = Store(tmp_path / ".aktion")
    summary = run(graph, store)
    status = {o.step: o.status for o in summary.outcomes}
    assert summary.ok and status["layout:0"] == "ran"
    assert path.read_bytes() == good  # healed: the step wrote the right bytes again
    assert [p.name.split(".")[0] for p in store.quarantine.iterdir()] == [path.stem]
    assert store.verify() == []
    assert run(graph, store).count("ran") == 0


def test_aktion_toml_says_where_blobs_live(tiny: Path) -> None:
    toml = tiny / "aktion.toml"
    assert isinstance(Store.for_production(tiny).blobstore, LocalBlobs)
    assert Store.for_production(tiny).blobstore.url == str(tiny / ".aktion" / "blobs")
    toml.write_text(toml.read_text().replace('policy = "previz"',
                                             'policy = "previz"\nstore = "../shared"'))
    assert Store.for_production(tiny).blobstore.url == str((tiny.parent / "shared").resolve())
    toml.write_text(toml.read_text().replace('"../shared"', '"memory://aktion-toml/blobs"'))
    assert isinstance(Store.for_production(tiny).blobstore, FsspecBlobs)
