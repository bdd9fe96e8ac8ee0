"""Craft checks: ``aktion craft PATH`` (the 180° rule, eyelines, jump cuts, rhythm)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from aktion.craft import Finding, check_production
from aktion.production.production import Production

from .app import app, console
from .production import open_production


def print_findings(production: Production, found: list[Finding]) -> None:
    if not found:
        console.print(f"[green]✓[/] {production.settings.name}: no craft findings")
        return
    table = Table("", "rule", "shots", "why")
    for f in found:
        mark = "[red]✗[/]" if f.severity == "error" else "[yellow]![/]"
        table.add_row(mark, f.rule, " -> ".join(f.shots), f.why)
    console.print(table)


@app.command()
def craft(path: Annotated[Path, typer.Argument(help="the production folder")]) -> None:
    """Check the film grammar across cuts; exits 1 when a rule is broken."""
    production = open_production(path)
    found = check_production(production)
    print_findings(production, found)
    if any(f.severity == "error" for f in found):
        raise typer.Exit(1)
