"""Where blobs live: a local folder, or any fsspec URL every worker can reach.

A render on one machine keeps its blobs in ``.aktion/blobs``; a render across a
cluster puts them on a shared filesystem or object store (``file://``, ``s3://``,
``gs://``) so that stateless workers can read their inputs and write their outputs
without the driver shipping bytes. Either way blobs are named by their sha256 and
sharded (``ab/abcd....mp4``), written whole or not at all, and re-hashed when read:
a worker never builds on a corrupt blob.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from aktion.production.digest import digest_file as file_digest


@dataclass(frozen=True)
class Output:
    digest: str
    ext: str
    size: int


class CorruptBlob(RuntimeError):
    """A blob's bytes do not hash to its name: it must not be used."""


NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def no_room(e: BaseException) -> bool:
    """Is this the disk (or a file-size limit) running out, however it was raised?"""
    if isinstance(e, OSError) and e.errno in NO_ROOM:
        return True
    return isinstance(e, sqlite3.OperationalError) and "full" in str(e)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def blob_name(out: Output) -> str:
    return f"{out.digest[:2]}/{out.digest}{out.ext}"


def describe(path: Path) -> Output:
    """The blob a finished file would become (hashes it once)."""
    return Output(file_digest(path), path.suffix.lower(), path.stat().st_size)


class Blobs(Protocol):
    """What the engine and its workers need of a blob location."""

    url: str

    def put_file(self, path: Path) -> Output:
        """Move a finished local file in by content; durable when this returns."""
        ...

    def has(self, out: Output) -> bool: ...

    def fetch(self, out: Output, into: Path) -> Path:
        """A local file with the blob's bytes, verified against its digest."""
        ...

    def names(self) -> Iterator[str]:
        """Every stored blob as ``ab/abcd....ext``."""
        ...

    def digest_of(self, name: str) -> str: ...


class LocalBlobs:
    """Blobs in a folder on this machine (or a shared mount at the same path everywhere)."""

    def __init__(self, root: Path, create: bool = True):
        self.root = Path(root)
        if create:
            self.root.mkdir(parents=True, exist_ok=True)
        self.url = str(self.root)

    def path(self, out: Output) -> Path:
        return self.root / out.digest[:2] / f"{out.digest}{out.ext}"

    def put_file(self, path: Path) -> Output:
        path = Path(path)
        with path.open("rb") as f:
            os.fsync(f.fileno())
        out = describe(path)
        dest = self.path(out)
        if dest.exists() and dest.stat().st_size == out.size and file_digest(dest) == out.digest:
            path.unlink()  # the same bytes are already stored
            return out  # (a same-size blob with other bytes is corrupt: replaced below)
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(path, dest)
        except OSError:  # another filesystem: copy beside the blob, then rename
            tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex}.tmp")
            shutil.copyfile(path, tmp)
            with tmp.open("rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, dest)
            path.unlink()
        fsync_dir(dest.parent)
        return out

    def has(self, out: Output) -> bool:
        p = self.path(out)
        return p.is_file() and p.stat().st_size == out.size

    def fetch(self, out: Output, into: Path) -> Path:
        """The blob itself (no copy: it is on this filesystem), once its hash checks out."""
        p = self.path(out)
        if not p.is_file():
            raise CorruptBlob(f"blob {out.digest[:12]}{out.ext} is missing from {self.url}")
        if file_digest(p) != out.digest:
            raise CorruptBlob(f"blob {out.digest[:12]}{out.ext} does not match its digest")
        return p

    def names(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if shard.is_dir():
                for blob in sorted(shard.iterdir()):
                    if not blob.name.startswith("."):
                        yield f"{shard.name}/{blob.name}"

    def digest_of(self, name: str) -> str:
        return file_digest(self.root / name)


class FsspecBlobs:
    """Blobs under an fsspec URL: an object store or a shared filesystem."""

    def __init__(self, url: str):
        import fsspec

        self.url = url.rstrip("/")
        self.fs, self.base = fsspec.core.url_to_fs(self.url)
        self.fs.makedirs(self.base, exist_ok=True)

    def _key(self, name: str) -> str:
        return f"{self.base}/{name}"

    def put_file(self, path: Path) -> Output:
        path = Path(path)
        out = describe(path)
        dest = self._key(blob_name(out))
        if not self.has(out):
            # Upload under a private name, then move: a reader never sees half a blob.
            tmp = f"{dest}.{uuid.uuid4().hex}.part"
            self.fs.makedirs(dest.rsplit("/", 1)[0], exist_ok=True)
            self.fs.put_file(str(path), tmp)
            self.fs.mv(tmp, dest)
        path.unlink()
        return out

    def has(self, out: Output) -> bool:
        key = self._key(blob_name(out))
        try:
            return int(self.fs.size(key)) == out.size
        except FileNotFoundError:
            return False

    def fetch(self, out: Output, into: Path) -> Path:
        into.mkdir(parents=True, exist_ok=True)
        dest = into / f"{out.digest}{out.ext}"
        try:
            self.fs.get_file(self._key(blob_name(out)), str(dest))
        except FileNotFoundError:
            raise CorruptBlob(f"blob {out.digest[:12]}{out.ext} is missing from {self.url}") from None
        if file_digest(dest) != out.digest:
            dest.unlink(missing_ok=True)
            raise CorruptBlob(f"blob {out.digest[:12]}{out.ext} does not match its digest")
        return dest

    def names(self) -> Iterator[str]:
        for key in sorted(self.fs.find(self.base)):
            name = key[len(self.base.rstrip("/")) + 1:]
            if name.count("/") == 1 and not name.endswith(".part"):
                yield name

    def digest_of(self, name: str) -> str:
        h = hashlib.sha256()
        with self.fs.open(self._key(name), "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


def open_blobs(location: str | Path) -> Blobs:
    """A plain path or ``file://`` URL is a local folder; any other URL goes through fsspec."""
    text = str(location)
    if "://" not in text:
        return LocalBlobs(Path(text))
    if text.startswith("file://"):
        return LocalBlobs(Path(text[len("file://"):]))
    return FsspecBlobs(text)
