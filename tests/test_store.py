"""The content-addressed store: atomic blobs, an action cache that never fakes work."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aktion.engine.store import Output, Store, file_digest


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / ".aktion")


def scratch(store: Store, name: str, data: bytes) -> Path:
    path = store.workdir() / name
    path.write_bytes(data)
    return path


def test_blob_is_stored_by_content_in_shards(store: Store) -> None:
    out = store.put_file(scratch(store, "a.mp4", b"frames"))
    path = store.blob_path(out)
    assert path.parent.name == out.digest[:2] and path.name == f"{out.digest}.mp4"
    assert path.read_bytes() == b"frames" and file_digest(path) == out.digest


def test_same_content_is_stored_once(store: Store) -> None:
    a = store.put_file(scratch(store, "a.png", b"same"))
    b = store.put_file(scratch(store, "b.png", b"same"))
    assert a == b and len(list(store.blobs.rglob("*.png"))) == 1


def test_record_refuses_outputs_that_are_not_durable(store: Store) -> None:
    ghost = Output("0" * 64, ".mp4", 3)
    with pytest.raises(AssertionError):
        store.record("k", "render:1", {"video": ghost}, {}, {})
    assert store.lookup("k") is None


def test_lookup_roundtrip_and_survives_reopen(store: Store, tmp_path: Path) -> None:
    out = store.put_file(scratch(store, "v.mp4", b"video"))
    store.record("key1", "render:1", {"video": out}, {"seed": 3}, {"board": "x"})
    store.close()
    again = Store(tmp_path / ".aktion")
    action = again.lookup("key1")
    assert action is not None and action.outputs["video"] == out and action.record == {"seed": 3}
    assert again.last_run("render:1") == ("key1", {"board": "x"})


def test_a_lost_blob_makes_the_step_run_again(store: Store) -> None:
    out = store.put_file(scratch(store, "v.mp4", b"video"))
    store.record("key1", "render:1", {"video": out}, {}, {})
    store.blob_path(out).unlink()
    assert store.lookup("key1") is None
    assert any("missing" in p for p in store.verify())


def test_a_truncated_blob_is_not_a_hit(store: Store) -> None:
    out = store.put_file(scratch(store, "v.mp4", b"video bytes"))
    store.record("key1", "render:1", {"video": out}, {}, {})
    os.truncate(store.blob_path(out), 3)
    assert store.lookup("key1") is None


def test_verify_finds_a_corrupted_blob(store: Store) -> None:
    out = store.put_file(scratch(store, "v.mp4", b"video bytes"))
    store.blob_path(out).write_bytes(b"video byteZ")
    assert any("does not match" in p for p in store.verify())


def test_scratch_is_cleaned_and_never_an_output(store: Store) -> None:
    scratch(store, "half.mp4", b"half written")
    store.clean_tmp()
    assert list(store.tmp.iterdir()) == [] and list(store.blobs.iterdir()) == []
