"""``aktion report``: the consistency of the generated shots, as recorded when they ran."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from .app import app, console
from .production import PathArg, PolicyOpt, open_graph


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@app.command()
def report(path: PathArg, policy: PolicyOpt = None,
           as_json: Annotated[bool, typer.Option("--json", help="print JSON rows")] = False,
           ) -> None:
    """Per generated shot: board and pose adherence, flicker and the seam to the next shot."""
    from rich.table import Table

    from aktion.engine.store import Store
    from aktion.generation.report import shot_rows

    _, graph = open_graph(path, policy)
    store = Store.for_production(Path(path))
    try:
        rows = shot_rows(graph, store)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        console.print("no generated shots in this plan (policy previz renders previz only)")
        return
    table = Table(title="Consistency of generated shots")
    for col in ("scene", "shot", "backend", "board adherence ↑", "pose adherence ↑",
                "flicker ↓", "seam → next ↓"):
        table.add_column(col)
    notes: list[str] = []
    for r in rows:
        if not r["rendered"]:
            table.add_row(r["scene"], r["shot"], r["backend"], "not rendered", "", "", "")
            continue
        if r.get("pose_note") and r["pose_note"] not in notes:
            notes.append(r["pose_note"])
        table.add_row(r["scene"], r["shot"], r["backend"], _fmt(r["board_adherence"]),
                      _fmt(r["pose_adherence"]), _fmt(r["flicker"]), _fmt(r["seam_to_next"]))
    console.print(table)
    for note in notes:
        console.print(f"pose adherence: {note}", markup=False)
