"""``aktion cast``: lock a cast member's look, or accept a change to it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aktion.production.errors import ProductionError

from ._errors import fail_on_production_error
from .app import app, console

cast_app = typer.Typer(help="Cast members: lock the look every shot must honour.",
                       no_args_is_help=True)
app.add_typer(cast_app, name="cast")

NameArg = Annotated[str, typer.Argument(help="the character's id or script name")]
PathArg = Annotated[Path, typer.Argument(help="the production folder")]


def _lock(name: str, path: Path, relock: bool) -> None:
    from aktion.writers_room.locking import lock_character

    try:
        result = lock_character(path, name, relock=relock)
    except ProductionError as e:
        fail_on_production_error(e)
        return
    if result.changed:
        console.print(f"[green]✓[/] {result.id} {'re' if relock else ''}locked at "
                      f"{result.lock[:12]} ({result.path})")
    else:
        console.print(f"{result.id} is already locked at {result.lock[:12]}")


@cast_app.command("lock")
def lock(name: NameArg, path: PathArg = Path(".")) -> None:
    """Record a character's lock: later changes to them become explicit."""
    _lock(name, path, relock=False)


@cast_app.command("relock")
def relock(name: NameArg, path: PathArg = Path(".")) -> None:
    """Accept a change to a locked character; the shots that show them render again."""
    _lock(name, path, relock=True)
