"""Storyboard commands: the contact sheet of a rendered scene."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aktion.storyboard.contact_sheet import contact_sheet, shot_frames, write_png

from .app import app, console, err_console
from .production import open_production


@app.command()
def sheet(
    path: Annotated[Path, typer.Argument(help="the production folder")],
    out: Annotated[Path | None, typer.Option(help="PNG to write")] = None,
    columns: Annotated[int, typer.Option(min=1, max=12)] = 4,
    width: Annotated[int, typer.Option(help="tile width in pixels", min=64)] = 320,
) -> None:
    """A contact sheet of each rendered scene: one frame per shot, with its id and size."""
    production = open_production(path)
    for scene in production.boards.scenes:
        video = production.root / "out" / f"{scene.id}.mp4"
        if not video.is_file():
            err_console.print(f"[red]✗[/] {video} not rendered yet: run aktion render {path}")
            raise typer.Exit(1)
        frames = shot_frames(video, [s.duration for s in scene.shots])
        labels = [f"{s.id}  {s.size} {s.lens:g}mm {s.move.type}" for s in scene.shots]
        title = f"{production.settings.title or production.settings.name} / {scene.id}"
        image = contact_sheet(frames, labels, columns=columns, tile_width=width, title=title)
        dest = out or production.root / "out" / f"{scene.id}-contact-sheet.png"
        write_png(dest, image)
        console.print(f"[green]→[/] {dest}")
