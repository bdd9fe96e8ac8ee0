"""``aktion anchors``: keep shots' and beats' script lines on the text they show.

``rebase`` follows an edit made to the script outside Aktion (the Studio rebases as it
saves); ``accept`` clears a shot's flag once the director has checked that its
rewritten lines still fit it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from aktion.production.errors import ProductionError

from ._errors import fail_on_production_error
from .app import app, console

anchors_app = typer.Typer(help="Script line anchors: follow script edits, accept rewrites.",
                          no_args_is_help=True)
app.add_typer(anchors_app, name="anchors")

PathOpt = Annotated[Path, typer.Option("--path", "-p", help="the production folder")]


def print_anchor_notes(root: Path) -> None:
    """What ``aktion check`` says about anchors: open flags, and an unrebased script."""
    from aktion.production import anchors

    waiting = anchors.pending(root)
    if waiting is not None and (waiting.moved or waiting.flags):
        console.print(f"[yellow]![/] the script changed since its anchors were rebased: "
                      f"{len(waiting.moved)} anchor(s) would move, {len(waiting.flags)} "
                      f"lost their text; run [bold]aktion anchors rebase -p {root}[/]")
        for move in waiting.moved:
            console.print(f"    {escape(move)}")
    for flag in anchors.flags(root):
        console.print(f"[yellow]![/] {escape(flag.describe())}; check it, then "
                      f"[bold]aktion anchors accept {flag.shot} -p {root}[/]")


@anchors_app.command("rebase")
def rebase(path: PathOpt = Path(".")) -> None:
    """Move anchors to where their lines went since the script was last recorded."""
    from aktion.production import anchors

    root = path.resolve()
    try:
        if "script" not in anchors.load_state(root):
            anchors.ensure_recorded(root)
            console.print("nothing recorded yet: the current script is now the reference")
            return
        result = anchors.record(root, None, anchors.script_text(root))
    except ProductionError as e:
        fail_on_production_error(e)
        return
    for move in result.moved:
        console.print(f"[green]✓[/] {escape(move)}")
    for flag in result.flags:
        console.print(f"[yellow]![/] {escape(flag.describe())}")
    if not result.moved and not result.flags:
        console.print("anchors already follow the script")


@anchors_app.command("accept")
def accept(shot: str, path: PathOpt = Path(".")) -> None:
    """Clear SHOT's flags: its lines were rewritten and it still fits them."""
    from aktion.production import anchors

    n = anchors.accept(path.resolve(), shot)
    if not n:
        console.print(f"shot {shot} has no flagged anchor")
        raise typer.Exit(1)
    console.print(f"[green]✓[/] shot {shot}: {n} flag(s) cleared")
