"""Canvas commands: takes and clip operations, saved in ``canvas.yaml``.

``aktion take new SHOT`` adds a take (rendered by the next ``aktion render``; old
takes stay in the store); ``aktion take pick SHOT N`` chooses the one the cut uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aktion.production.errors import ProductionError

from ._errors import fail_on_production_error
from .app import app, console, err_console
from .production import open_production

if TYPE_CHECKING:
    from aktion.production.takes import Canvas, ShotEdit

take_app = typer.Typer(help="Takes of a shot: add one, pick one.", no_args_is_help=True)
app.add_typer(take_app, name="take")
canvas_app = typer.Typer(help="Clip operations on the cut, saved in canvas.yaml.",
                         no_args_is_help=True)
app.add_typer(canvas_app, name="canvas")

PathOpt = Annotated[Path, typer.Option("--path", "-p", help="the production folder")]


def _open(path: Path, shot: str | None = None) -> tuple[Path, Canvas, ShotEdit]:
    from aktion.production.takes import ShotEdit, load_canvas

    production = open_production(path)
    if shot is not None:
        try:
            production.shot(shot)
        except KeyError:
            err_console.print(f"[red]✗[/] no shot {shot} in the boards")
            raise typer.Exit(2) from None
    try:
        canvas = load_canvas(production.root, production.settings.fps)
    except ProductionError as e:
        fail_on_production_error(e)
        raise
    edit = canvas.shots.setdefault(shot, ShotEdit()) if shot else ShotEdit()
    return production.root, canvas, edit


def _save(root: Path, canvas: Canvas, message: str) -> None:
    from aktion.production.takes import save_canvas

    save_canvas(root, canvas)
    console.print(f"[green]✓[/] {message} (canvas.yaml); [bold]aktion render {root}[/] to see it")


@take_app.command("new")
def take_new(
    shot: str,
    path: PathOpt = Path("."),
    seed: Annotated[int | None, typer.Option(help="seed of the take")] = None,
    backend: Annotated[str | None, typer.Option(help="backend for this take")] = None,
    pick: Annotated[bool, typer.Option(help="make it the picked take")] = True,
) -> None:
    """Add a take of SHOT from its own seed; earlier takes are kept.

    A previz take re-performs the shot (beat timing, operator wobble, framing); a
    generated shot is generated again on the same conditioning (--backend: another
    generative backend for it). `aktion plan` says what each take re-runs."""
    from aktion.production.takes import Take

    root, canvas, edit = _open(path, shot)
    edit.takes.append(Take(seed=seed, backend=backend))
    n = len(edit.takes) + 1
    if pick:
        edit.pick = n
    _save(root, canvas, f"shot {shot}: take {n} added{' and picked' if pick else ''}")


@take_app.command("pick")
def take_pick(shot: str, n: int, path: PathOpt = Path(".")) -> None:
    """Pick take N of SHOT for the cut."""
    root, canvas, edit = _open(path, shot)
    if not 1 <= n <= len(edit.takes) + 1:
        err_console.print(f"[red]✗[/] shot {shot} has {len(edit.takes) + 1} take(s)")
        raise typer.Exit(2)
    edit.pick = n
    _save(root, canvas, f"shot {shot}: take {n} picked")


@canvas_app.command("extend")
def extend(shot: str, seconds: float, path: PathOpt = Path(".")) -> None:
    """Continue SHOT by SECONDS from its last frames."""
    root, canvas, edit = _open(path, shot)
    fps = open_production(path).settings.fps
    edit.extend = round(seconds * fps)
    _save(root, canvas, f"shot {shot}: extended by {edit.extend} frames")


@canvas_app.command("trim")
def trim(shot: str, path: PathOpt = Path("."),
         first: Annotated[int, typer.Option("--in", help="first frame kept")] = 0,
         stop: Annotated[int | None, typer.Option("--out", help="frame after the last")] = None,
         ) -> None:
    """Trim SHOT to frames [in, out)."""
    from aktion.production.takes import Trim

    root, canvas, edit = _open(path, shot)
    edit.trim = Trim.model_validate({"in": first, "out": stop})
    _save(root, canvas, f"shot {shot}: trimmed to [{first}, {stop if stop else 'end'})")


@canvas_app.command("transition")
def transition(shot: str, kind: str, frames: int = 0, path: PathOpt = Path(".")) -> None:
    """The transition into SHOT: cut, dissolve, dip or whip, over FRAMES."""
    from aktion.production.takes import TransitionOverride

    root, canvas, edit = _open(path, shot)
    edit.transition = TransitionOverride.model_validate({"type": kind, "duration": frames})
    _save(root, canvas, f"shot {shot}: {kind} in over {frames} frames")


@canvas_app.command("speed")
def speed(shot: str, start: float, end: float, path: PathOpt = Path(".")) -> None:
    """A speed ramp on SHOT from START to END times real time."""
    from aktion.production.takes import SpeedRamp

    root, canvas, edit = _open(path, shot)
    edit.speed = SpeedRamp(start=start, end=end)
    _save(root, canvas, f"shot {shot}: speed {start:g} -> {end:g}")


@canvas_app.command("audio")
def audio(scene: str, file: str, path: PathOpt = Path(".")) -> None:
    """A temp score for SCENE: FILE, relative to the production, mixed into its cut."""
    from aktion.production.takes import SceneEdit

    root, canvas, _ = _open(path)
    if not (root / file).is_file():
        err_console.print(f"[red]✗[/] {root / file} not found")
        raise typer.Exit(2)
    canvas.scenes.setdefault(scene, SceneEdit()).audio = file
    _save(root, canvas, f"scene {scene}: score {file}")
