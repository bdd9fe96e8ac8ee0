"""``aktion moves`` and ``aktion export-bvh``: the move library and motion capture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .app import app, console, err_console
from .production import PathArg, open_production

moves_app = typer.Typer(help="The move library: list moves, import BVH motion capture.",
                        invoke_without_command=True)  # fmt: skip
app.add_typer(moves_app, name="moves")


@moves_app.callback()
def moves_list(
    ctx: typer.Context,
    path: Annotated[Path | None, typer.Option("--path", help="a production (adds its moves/)")]
    = None,
) -> None:
    """List the moves (built in, plus a production's own ``moves/``)."""
    if ctx.invoked_subcommand is not None:
        return
    from aktion.previz.moves import MoveLibrary

    library = MoveLibrary.for_production(path) if path is not None else MoveLibrary.load()
    for name in library.names():
        m = library[name]
        contact = f"contact {m.contact:g} ({m.effector})" if m.contact is not None else ""
        console.print(f"{name:<20} {m.kind:<11} {m.duration:>4g}f  {contact}", markup=False)
    console.print(f"{len(library.names())} moves")


@moves_app.command("import")
def moves_import(
    file: Annotated[Path, typer.Argument(help="a .bvh file")],
    name: Annotated[str | None, typer.Option(
        "--name", help="the move's name (made a valid one: \"My Walk\" -> my_walk)")] = None,
    path: Annotated[Path, typer.Option(
        "--path", "-p", help="the production whose moves/ receives it")] = Path("."),
    into: Annotated[Path | None, typer.Option(
        "--into", help="another folder for the move file (default: the production's moves/)")]
    = None,
    names: Annotated[Path | None, typer.Option(
        "--map", help="a joint naming table of your own (see bvh_names.yaml), tried first")]
    = None,
) -> None:
    """Import a BVH clip as a move retargeted to the Aktion skeleton."""
    from aktion.previz import bvh_names
    from aktion.previz.bvh import BvhError, import_bvh

    if into is None and not (path / "aktion.toml").is_file():
        err_console.print(f"[red]✗[/] {path.resolve()} is not a production folder (no "
                          "aktion.toml): give --path PRODUCTION, or --into FOLDER")
        raise typer.Exit(2)
    try:
        table = bvh_names.load(names) if names is not None else None
        out = import_bvh(file, name=name, into=into or path / "moves", table=table)
    except (BvhError, bvh_names.NamesError) as e:
        err_console.print(f"[red]✗[/] {escape(str(e))}")
        raise typer.Exit(2) from None
    except OSError as e:
        err_console.print(f"[red]✗[/] {escape(f'{file}: {e.strerror or e}')}")
        raise typer.Exit(2) from None
    console.print(f"[green]✓[/] move `{out.stem}` in {out}")


@app.command("export-bvh")
def export_bvh(
    path: PathArg,
    shot: Annotated[str, typer.Argument(help="the shot id")],
    out: Annotated[Path | None, typer.Option("--out", help="folder for the .bvh files")] = None,
) -> None:
    """Export a shot's performance as BVH, one file per character (opens in Blender)."""
    import numpy as np

    from aktion.previz.bvh import export
    from aktion.previz.moves import MoveLibrary
    from aktion.previz.skeleton import Skeleton
    from aktion.previz.stage import Stage

    production = open_production(path)
    found = [(sc, s) for sc, s in production.shots() if s.id == shot]
    if not found:
        err_console.print(f"[red]✗[/] no shot `{shot}`")
        raise typer.Exit(2)
    scene, board = found[0]
    library = MoveLibrary.for_production(path)
    cast = {c: production.cast[c] for c in board.characters}
    s = production.settings
    stage = Stage(board, scene.set, cast, production.beats(shot), library, fps=s.fps,
                  width=s.width, height=s.height)  # fmt: skip
    perf, _ = stage.perform()
    dest = out or path / "out" / "bvh"
    dest.mkdir(parents=True, exist_ok=True)
    for k, who in enumerate(perf.characters):
        text = export(np.asarray(perf.poses[:, k], np.float64),
                      Skeleton.from_build(cast[who].build), s.fps)  # fmt: skip
        file = dest / f"{shot}-{who}.bvh"
        file.write_text(text, encoding="utf-8")
        console.print(f"[green]✓[/] {file}")
    (dest / f"{shot}-contacts.json").write_text(
        json.dumps(perf.to_json()["contacts"], indent=1), encoding="utf-8")
