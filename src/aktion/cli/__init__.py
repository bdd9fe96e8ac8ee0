"""The command line: a thin shell over the library.

Each area of Aktion adds its commands in a module of this package; every module
here is imported at start-up, so adding a command is adding a file. A module imports
at its top only what defining its commands takes (typer, rich markup, light types);
the library behind a command is imported when the command runs, so ``aktion --help``
and every command start without loading what they do not use.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import sys

from .app import app, console, err_console

__all__ = ["app", "console", "err_console", "main"]


def _register() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name not in {"app"} and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


class _NoticeHandler(logging.Handler):
    """Warnings from the library (a repaired cache, a quarantined blob) as one line each."""

    def emit(self, record: logging.LogRecord) -> None:
        err_console.print(f"[yellow]![/] {record.getMessage()}", markup=True, highlight=False)


def main() -> None:
    logger = logging.getLogger("aktion")
    logger.addHandler(_NoticeHandler(logging.WARNING))
    logger.propagate = False
    _register()
    try:
        app()
    except Exception as e:
        from aktion.engine.store import StoreError  # not imported for commands that store nothing

        if not isinstance(e, StoreError):
            raise
        # a full disk, a read-only folder: one line, not a traceback
        err_console.print(f"[red]✗[/] {e}", markup=True, highlight=False)
        sys.exit(1)
