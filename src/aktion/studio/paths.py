"""Keep every file the studio touches inside the production folder.

Names from requests are checked as names (no separators, no dot-dot, no hidden
files) and then resolved, symlinks included, and checked again against the
production root: a link pointing outside is refused like ``../``.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import HTTPException

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def safe_name(name: str, what: str = "name") -> str:
    """A single path component a request may use: refused (400) unless plainly safe."""
    if not NAME.match(name) or ".." in name:
        raise HTTPException(400, f"{what} `{name[:80]}` is not a plain file name")
    return name


def confine(root: Path, *parts: str, must_exist: bool = False) -> Path:
    """``root/parts`` resolved; 403 if it (or a symlink on the way) leaves ``root``."""
    base = root.resolve()
    path = base.joinpath(*parts)
    resolved = path.resolve()
    if not resolved.is_relative_to(base):
        raise HTTPException(403, "path leaves the production folder")
    if must_exist and not resolved.is_file():
        raise HTTPException(404, "no such file")
    return resolved
