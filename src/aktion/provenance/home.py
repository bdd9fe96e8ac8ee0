"""Where private signing material lives: outside every production folder.

``AKTION_HOME`` overrides the default ``$XDG_CONFIG_HOME/aktion`` (or
``~/.config/aktion``) so tests and CI never touch a real home directory.
"""

from __future__ import annotations

import os
from pathlib import Path


def aktion_home() -> Path:
    env = os.environ.get("AKTION_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "aktion"


def identities_dir() -> Path:
    return aktion_home() / "identities"


def identity_dir(name: str) -> Path:
    return identities_dir() / name


def production_cert(production_root: Path) -> Path:
    """The public chain a production records when it signs (``identity.install_identity``
    writes it); here, so finding out needs neither C2PA nor cryptography loaded."""
    return Path(production_root) / "identity" / "cert.pem"


def is_inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or below it (symlinks resolved)."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
    except ValueError:
        return False
    return True
