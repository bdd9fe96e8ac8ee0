"""Storyboard commands: the board PDF, the contact sheet and the animatic of each scene."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app, console, err_console
from .production import PathArg, PolicyOpt, open_graph, open_production

script_app = typer.Typer(help="The screenplay: export it for the rest of the crew.",
                         no_args_is_help=True)
app.add_typer(script_app, name="script")

OutOpt = Annotated[Path | None, typer.Option(
    "--out", help="file to write (a single scene; default out/<scene>-...)")]


def _dest(out: Path | None, root: Path, scene: str, suffix: str, scenes: int) -> Path:
    if out is not None and scenes > 1:
        return out.with_name(f"{out.stem}-{scene}{out.suffix}")
    return out or root / "out" / f"{scene}-{suffix}"


def _not_rendered(e: Exception, path: Path) -> typer.Exit:
    err_console.print(f"[red]✗[/] {e}: run aktion render {path}")
    return typer.Exit(1)


@app.command()
def board(
    path: PathArg,
    out: OutOpt = None,
    policy: PolicyOpt = None,
    columns: Annotated[int, typer.Option(min=1, max=6, help="panels across a page")] = 3,
    rows: Annotated[int, typer.Option(min=1, max=6, help="panels down a page")] = 2,
) -> None:
    """The storyboard PDF of each scene: one panel per shot, layouts rendered as needed."""
    from aktion.engine.run import RenderLocked
    from aktion.engine.store import Store
    from aktion.provenance.errors import IdentityError
    from aktion.storyboard.board import write_scene_board
    from aktion.storyboard.outputs import render_layouts
    from aktion.storyboard.pdf import Grid

    production, graph = open_graph(path, policy)
    store = Store.for_production(production.root)
    try:
        try:
            summary = render_layouts(graph, store)
        except (RenderLocked, IdentityError) as e:
            err_console.print(f"[red]✗[/] {e}")
            raise typer.Exit(1) from None
        for o in summary.outcomes:
            if o.error:
                err_console.print(f"[red]✗[/] {o.step}: {o.error.strip()}", markup=False)
        if not summary.ok:
            raise typer.Exit(1)
        scenes = production.boards.scenes
        for scene in scenes:
            dest = _dest(out, production.root, scene.id, "storyboard.pdf", len(scenes))
            write_scene_board(graph, store, scene, dest, Grid(columns, rows))
            console.print(f"[green]→[/] {dest}")
    finally:
        store.close()


@app.command()
def sheet(
    path: PathArg,
    out: Annotated[Path | None, typer.Option(help="PNG to write")] = None,
    columns: Annotated[int, typer.Option(min=1, max=12)] = 4,
    width: Annotated[int, typer.Option(help="tile width in pixels", min=64)] = 320,
    policy: PolicyOpt = None,
) -> None:
    """A contact sheet of each rendered scene: one frame of each shot's picked clip.

    Without ``--out`` it is the signed sheet the render publishes in ``out/`` (rendered
    if needed); with ``--out`` a custom layout (``--columns``, ``--width``) goes there."""
    from aktion.engine.run import RenderLocked, run
    from aktion.engine.store import Store
    from aktion.provenance.errors import IdentityError
    from aktion.storyboard.contact_sheet import scene_sheet, write_png
    from aktion.storyboard.outputs import NotRendered

    production, graph = open_graph(path, policy)
    store = Store.for_production(production.root)
    try:
        if out is None:
            try:
                summary = run(graph, store)
            except (RenderLocked, IdentityError) as e:
                err_console.print(f"[red]✗[/] {e}")
                raise typer.Exit(1) from None
            if not summary.ok:
                raise _not_rendered(NotRendered("some shots failed to render"), path)
            for dest in summary.outputs:
                if dest.name.endswith("-contact-sheet.png"):
                    console.print(f"[green]→[/] {dest}")
            return
        scenes = production.boards.scenes
        for scene in scenes:
            try:
                image = scene_sheet(graph, store, scene, columns=columns, tile_width=width)
            except NotRendered as e:
                raise _not_rendered(e, path) from None
            dest = _dest(out, production.root, scene.id, "contact-sheet.png", len(scenes))
            write_png(dest, image)
            console.print(f"[green]→[/] {dest}")
    finally:
        store.close()


@app.command()
def animatic(path: PathArg, out: OutOpt = None, policy: PolicyOpt = None) -> None:
    """The cut of each rendered scene with captions burned in: shot, framing, the line."""
    from aktion.engine.store import Store
    from aktion.storyboard.animatic import write_animatic
    from aktion.storyboard.outputs import NotRendered

    production, graph = open_graph(path, policy)
    store = Store.for_production(production.root)
    try:
        scenes = production.boards.scenes
        for scene in scenes:
            dest = _dest(out, production.root, scene.id, "animatic.mp4", len(scenes))
            try:
                write_animatic(graph, store, scene, dest)
            except NotRendered as e:
                raise _not_rendered(e, path) from None
            console.print(f"[green]→[/] {dest}")
    finally:
        store.close()


@script_app.command("export")
def script_export(
    path: Annotated[Path, typer.Argument(help="the production folder, or a .fountain file")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="pdf or fdx (Final Draft)")] = "pdf",
    out: Annotated[Path | None, typer.Option("--out", help="file to write")] = None,
) -> None:
    """Export the screenplay as PDF or FDX into the production's out/ folder."""
    from aktion.production.script import Script
    from aktion.storyboard.script_export import FORMATS, export_script

    if fmt not in FORMATS:
        err_console.print(f"[red]✗[/] unknown format `{fmt}` (expected {' or '.join(FORMATS)})")
        raise typer.Exit(2)
    if path.is_file():
        script, root, name = Script.load(path), path.parent, path.stem
    else:
        production = open_production(path)
        script, root = production.script, production.root
        name = production.settings.name
    dest = out or root / "out" / f"{name}.{fmt}"
    export_script(script, fmt, dest)  # type: ignore[arg-type]
    console.print(f"[green]→[/] {dest}")
