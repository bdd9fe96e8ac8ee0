"""Editorial export: ``aktion export PATH --format otio|fcp7|fcpx|edl``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app, console, err_console
from .production import open_graph

FORMATS = ("otio", "fcp7", "fcpx", "edl")
"""The formats ``aktion.editorial.export`` writes (named here so help needs no OTIO)."""


@app.command("export")
def export_cmd(
    path: Annotated[Path, typer.Argument(help="the production folder")],
    fmt: Annotated[str, typer.Option("--format", "-f",
                   help=f"one of: {', '.join(FORMATS)}")] = "otio",
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="folder to write to (default: out/editorial in the production)",
    )] = None,
) -> None:
    """Export each scene's cut as an editorial timeline under out/editorial/."""
    from aktion.editorial.export import export
    from aktion.editorial.timeline import ExportError
    from aktion.engine.store import Store

    if fmt not in FORMATS:
        err_console.print(f"[red]✗[/] unknown format {fmt}; one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    production, graph = open_graph(path)
    store = Store.for_production(production.root)
    try:
        written = export(graph, store, fmt, out.resolve() if out else None)
    except ExportError as e:
        err_console.print(f"[red]✗[/] {e}")
        raise typer.Exit(1) from None
    finally:
        store.close()
    for dest in written:
        console.print(f"[green]→[/] {dest}")
