"""The command line: a thin shell over the library.

Each area of Aktion adds its commands in a module of this package; every module
here is imported at start-up, so adding a command is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil

from .app import app, console, err_console

__all__ = ["app", "console", "err_console", "main"]


def _register() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name not in {"app"} and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def main() -> None:
    _register()
    app()
