"""Opening a production's source files defensively: regular files, inside, of sane size.

A production folder is text a director edits, but it can hold anything: a FIFO that
blocks a read forever, a device that never ends (``/dev/zero``), a directory named
``vex.yaml``, a symlink loop or a symlink out of the folder (``script =
"/etc/passwd"``), a 25 MB file that takes the YAML parser minutes. Every source is
checked with ``stat`` before it is opened, so none of these hangs, reads outside the
production or exhausts memory; each is one error naming the file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import ProductionError, SourceIssue

MAX_SOURCE_BYTES = 8 << 20  # a 1000-shot boards.yaml is ~300 KB; a 120-page script ~200 KB
MAX_SCRIPT_BYTES = 16 << 20

_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO (named pipe)",
          stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFSOCK: "a socket"}


def _fail(path: Path, problem: str, expected: str = "a regular file") -> ProductionError:
    return ProductionError([SourceIssue(path, None, problem, expected)])


def check_source(path: Path, root: Path | None = None, limit: int = MAX_SOURCE_BYTES) -> int:
    """Raise ``ProductionError`` unless ``path`` is a regular file (inside ``root`` once
    symlinks are followed) of at most ``limit`` bytes; returns its size."""
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise _fail(path, "a symlink to nothing") from None
        raise _fail(path, "file not found") from None
    except RuntimeError:  # pathlib's "Symlink loop" on older Pythons
        raise _fail(path, "a symlink loop") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise _fail(path, "a symlink loop") from None
        raise _fail(path, f"cannot be read: {e.strerror}") from None
    kind = _KINDS.get(stat.S_IFMT(st.st_mode))
    if kind is not None:
        raise _fail(path, f"is {kind}, not a file")
    if root is not None:
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise _fail(path, "a symlink loop") from None
        if not real.is_relative_to(Path(root).resolve()):
            raise _fail(path, f"leads outside the production (to {real})",
                        "a file inside the production folder")
    if st.st_size > limit:
        raise _fail(path, f"is {st.st_size / (1 << 20):.1f} MB, over the "
                          f"{limit / (1 << 20):.0f} MB a source file may be",
                    "a smaller file (split it, or check it is the right file)")
    return st.st_size


def read_source_text(path: Path, root: Path | None = None,
                     limit: int = MAX_SOURCE_BYTES) -> str:
    """The UTF-8 text of a checked source file (see ``check_source``)."""
    check_source(path, root, limit)
    try:
        # Non-blocking: were it swapped for a FIFO after the stat, the read cannot hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise _fail(path, f"cannot be read: {e.strerror}") from None
    if len(data) > limit:  # it grew between the stat and the read
        raise _fail(path, f"is over the {limit / (1 << 20):.0f} MB a source file may be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _fail(path, f"not UTF-8 text ({e.reason} at byte {e.start})",
                    "UTF-8 text") from None
