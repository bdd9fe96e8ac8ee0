"""How the CLI shows a production's problems: one line per issue, file:line first."""

from __future__ import annotations

import typer

from aktion.production.errors import ProductionError

from .app import err_console


def fail_on_production_error(err: ProductionError) -> None:
    n = len(err.issues)
    err_console.print(f"[bold red]{n} problem{'s' if n != 1 else ''} in the production:[/]")
    for issue in err.issues:
        err_console.print("  ✗ " + str(issue), markup=False)
    raise typer.Exit(2)
