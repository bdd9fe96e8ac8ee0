"""Craft checks: ``aktion craft PATH`` (the 180° rule, eyelines, jump cuts, rhythm, and
what each shot's previz frame shows: faces, framing, strikes)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .app import app, console
from .production import open_production

if TYPE_CHECKING:
    from aktion.craft import Finding
    from aktion.production.production import Production


def print_findings(production: Production, found: list[Finding]) -> None:
    from rich.table import Table

    if not found:
        console.print(f"[green]✓[/] {production.settings.name}: no craft findings")
        return
    table = Table("", "rule", "shots", "where", "why")
    for f in found:
        mark = "[red]✗[/]" if f.severity == "error" else "[yellow]![/]"
        table.add_row(mark, f.rule, " -> ".join(f.shots), f.where, f.why)
    console.print(table)


@app.command()
def craft(path: Annotated[Path, typer.Argument(help="the production folder")]) -> None:
    """Check the film grammar across cuts; exits 1 when a rule is broken."""
    from aktion.craft import check_production

    production = open_production(path)
    found = check_production(production)
    print_findings(production, found)
    if any(f.severity == "error" for f in found):
        raise typer.Exit(1)


@app.command()
def depth(path: Annotated[Path, typer.Argument(help="the production folder")]) -> None:
    """How directed each shot is (0-100), on the terminal and in out/depth.html."""
    from rich.table import Table

    from aktion.craft.assess import write_report
    from aktion.craft.depth import PARTS
    from aktion.engine.store import Store

    from .production import open_graph

    production, graph = open_graph(path)
    store = Store.for_production(production.root)
    try:
        result, dest = write_report(graph, store)
    finally:
        store.close()
    table = Table("shot", *PARTS, "score")
    for s in result.shots:
        table.add_row(s.shot + (" (bare prompt)" if s.bare else ""),
                      *(f"{s.parts[p]:.2f}" for p in PARTS), f"[bold]{s.score:.0f}[/]")
    console.print(table)
    console.print(f"depth [bold]{result.score:.0f}[/]/100  [green]→[/] {dest}")


@app.command("pack")
def pack_cmd(path: Annotated[Path, typer.Argument(help="the production folder")]) -> None:
    """One contest entry archive: signed cut, script, storyboard, depth, provenance."""
    from aktion.engine.store import Store
    from aktion.pack.entry import PackRefused, pack

    from .app import err_console
    from .production import open_graph

    production, graph = open_graph(path)
    store = Store.for_production(production.root)
    try:
        dest = pack(graph, store)
    except PackRefused as e:
        err_console.print(f"[red]✗[/] {e}")
        raise typer.Exit(1) from None
    finally:
        store.close()
    console.print(f"[green]→[/] {dest}")
