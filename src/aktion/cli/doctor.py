"""``aktion doctor PATH``: check every blob, cache row and ledger entry; heal what fails."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .app import app, console, err_console
from .production import PathArg, render_cmd


@app.command("doctor")
def doctor_cmd(
    path: PathArg,
    render: Annotated[bool, typer.Option(
        "--render/--no-render", help="render again what was quarantined or forgotten")] = True,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="only report: quarantine, forget and render nothing")] = False,
) -> None:
    """Re-hash every blob, check every cache row and the ledger; quarantine and re-render."""
    from aktion.engine.doctor import checkup
    from aktion.engine.store import Store

    root = Path(path)
    if not (root / "aktion.toml").is_file():
        err_console.print(f"[red]✗[/] {root} is not a production (no aktion.toml)")
        raise typer.Exit(2)
    store = Store.for_production(root)
    try:
        found = checkup(store, root, repair=not dry_run)
    finally:
        store.close()
    console.print(f"blobs: {found.blobs} hashed, {len(found.corrupt)} corrupt; "
                  f"cache: {found.rows} steps, {len(found.forgotten)} with outputs gone")
    for name in found.corrupt:
        verb = "would quarantine" if dry_run else "quarantined"
        err_console.print(f"[red]✗[/] blob {name} does not match its digest: {verb}")
    for step_id in found.forgotten:
        verb = "would forget" if dry_run else "forgotten: it will render again"
        err_console.print(f"[yellow]![/] {step_id}: {verb}")
    ledger_ok = True
    if found.ledger is not None:
        ledger_ok = found.ledger.ok
        if ledger_ok:
            console.print(f"ledger: intact, {found.ledger.entries} entries")
        for problem in found.ledger.problems:
            err_console.print(f"[red]✗[/] ledger: {escape(problem)}")
    if found.forgotten and render and not dry_run:
        console.print("rendering what was forgotten…")
        render_cmd(root)
        found.forgotten.clear()
        found.corrupt.clear()
    if found.healthy:
        console.print("[green]✓[/] the store is healthy")
    raise typer.Exit(0 if (ledger_ok and (dry_run is False or found.healthy)) else 1)
