"""Canvas commands: takes and clip operations, saved in ``canvas.yaml``.

``aktion take new SHOT`` adds a take (rendered by the next ``aktion render``; old
takes stay in the store); ``aktion take pick SHOT N`` chooses the one the cut uses.
Every command checks the canvas it would save exactly as ``aktion check`` does, and
saves nothing that check would refuse: a wrong value is one line, never a traceback.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from aktion.production.errors import ProductionError

from ._errors import fail_on_production_error
from .app import app, console, err_console
from .production import move_names

if TYPE_CHECKING:  # the commands import the production's modules when they run
    from aktion.production.errors import SourceIssue
    from aktion.production.production import Production
    from aktion.production.takes import Canvas

take_app = typer.Typer(help="Takes of a shot: add one, pick one.", no_args_is_help=True)
app.add_typer(take_app, name="take")
canvas_app = typer.Typer(help="Clip operations on the cut, saved in canvas.yaml.",
                         no_args_is_help=True)
app.add_typer(canvas_app, name="canvas")

PathOpt = Annotated[Path, typer.Option("--path", "-p", help="the production folder")]


class Edit:
    """The canvas as plain data, changed by one command, then checked and saved."""

    def __init__(self, path: Path, shot: str | None = None):
        from aktion.production.load import load_production
        from aktion.production.takes import read_canvas

        try:  # the canvas is checked below, after the change: it may be what is repaired
            self.production: Production = load_production(
                path, moves=move_names(path.resolve()), canvas=False)
            self.canvas, self.doc = read_canvas(self.production.root,
                                                self.production.settings.fps)
        except ProductionError as e:
            fail_on_production_error(e)
            raise
        if shot is not None:
            try:
                self.production.shot(shot)
            except KeyError:
                err_console.print(f"[red]✗[/] no shot {shot} in the boards")
                raise typer.Exit(2) from None
        self.root = self.production.root
        # what the file sets, as it set it: the saved canvas keeps a value written
        # explicitly even where it equals the default
        self.data: dict[str, Any] = self.canvas.model_dump(mode="json", by_alias=True,
                                                           exclude_unset=True)
        self.shot = self.data.setdefault("shots", {}).setdefault(shot, {}) if shot else {}

    def _issues(self, canvas: Canvas) -> list[SourceIssue]:
        from aktion.production.canvas_checks import canvas_issues

        p = self.production
        boards_path = p.root / p.settings.boards
        return canvas_issues(canvas, self.doc, p.root, p.boards, p.docs.get(boards_path),
                             boards_path)

    def save(self, message: str, hint: str = "") -> None:
        """Check the changed canvas as ``aktion check`` would; save it, or say why not.

        Problems the canvas already had are not this command's: only new ones refuse it."""
        from pydantic import ValidationError

        from aktion.production.pydantic_issues import pydantic_issues
        from aktion.production.takes import CANVAS_FILE, Canvas, save_canvas

        path = self.root / CANVAS_FILE
        try:
            canvas = Canvas.model_validate(self.data,
                                           context={"fps": self.production.settings.fps})
        except ValidationError as e:
            self._refuse(pydantic_issues(path, self.doc, e), hint)
        before = {str(i) for i in self._issues(self.canvas)}
        new = [i for i in self._issues(canvas) if str(i) not in before]
        if new:
            self._refuse(new, hint)
        save_canvas(self.root, canvas)
        console.print(f"[green]✓[/] {message} (canvas.yaml); "
                      f"[bold]aktion render {self.root}[/] to see it")

    def _refuse(self, issues: list[SourceIssue], hint: str) -> None:
        err_console.print("[bold red]canvas.yaml not changed:[/]")
        for issue in issues:
            err_console.print("  ✗ " + str(issue), markup=False)
        if hint:
            err_console.print(f"  {hint}", markup=False)
        raise typer.Exit(2)


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
    edit = Edit(path, shot)
    take = {k: v for k, v in (("seed", seed), ("backend", backend)) if v is not None}
    takes = edit.shot.setdefault("takes", [])
    takes.append(take)
    n = len(takes) + 1
    if pick:
        edit.shot["pick"] = n
    edit.save(f"shot {shot}: take {n} added{' and picked' if pick else ''}")


@take_app.command("pick")
def take_pick(shot: str, n: int, path: PathOpt = Path(".")) -> None:
    """Pick take N of SHOT for the cut."""
    edit = Edit(path, shot)
    edit.shot["pick"] = n
    edit.save(f"shot {shot}: take {n} picked")


@canvas_app.command("extend")
def extend(shot: str, seconds: float, path: PathOpt = Path(".")) -> None:
    """Continue SHOT by SECONDS from its last frames."""
    edit = Edit(path, shot)
    fps = edit.production.settings.fps
    frames = round(seconds * fps) if math.isfinite(seconds) else seconds
    edit.shot["extend"] = frames
    edit.save(f"shot {shot}: extended by {frames} frames")


@canvas_app.command("trim")
def trim(shot: str, path: PathOpt = Path("."),
         first: Annotated[int, typer.Option("--in", help="first frame kept")] = 0,
         stop: Annotated[int | None, typer.Option("--out", help="frame after the last")] = None,
         ) -> None:
    """Trim SHOT to frames [in, out)."""
    edit = Edit(path, shot)
    edit.shot["trim"] = {"in": first, "out": stop}
    edit.save(f"shot {shot}: trimmed to [{first}, {stop if stop is not None else 'end'})")


@canvas_app.command("transition")
def transition(shot: str, kind: str,
               frames: Annotated[int | None, typer.Option(
                   help="its length in frames (any transition but a cut needs one)")] = None,
               path: PathOpt = Path(".")) -> None:
    """The transition into SHOT: cut, dissolve, dip or whip, over FRAMES."""
    edit = Edit(path, shot)
    edit.shot["transition"] = {"type": kind, "duration": frames or 0}
    needs = frames is None and kind in ("dissolve", "dip", "whip")
    hint = f"give the {kind} its length: --frames N" if needs else ""
    edit.save(f"shot {shot}: {kind} in over {frames or 0} frames", hint)


@canvas_app.command("speed")
def speed(shot: str, start: float, end: float, path: PathOpt = Path(".")) -> None:
    """A speed ramp on SHOT from START to END times real time."""
    edit = Edit(path, shot)
    edit.shot["speed"] = {"start": start, "end": end}
    edit.save(f"shot {shot}: speed {start:g} -> {end:g}")


@canvas_app.command("audio")
def audio(scene: str, file: str, path: PathOpt = Path(".")) -> None:
    """A temp score for SCENE: FILE, relative to the production, mixed into its cut."""
    edit = Edit(path)
    edit.data.setdefault("scenes", {}).setdefault(scene, {})["audio"] = file
    edit.save(f"scene {scene}: score {file}")
