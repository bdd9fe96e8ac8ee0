"""Commands over a production: init, check, plan, explain, render.

Every command module is imported for ``aktion --help``, so each imports what its
commands need when they run, not at the top: help answers before numpy, pydantic or
the engine are loaded.
"""

from __future__ import annotations

import shutil
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from aktion.production.errors import ProductionError

from ._errors import fail_on_production_error
from .app import app, console, err_console

if TYPE_CHECKING:
    from rich.progress import Progress

    from aktion.engine.graph import ShotGraph
    from aktion.engine.run import Reporter
    from aktion.production.production import Production

PathArg = Annotated[Path, typer.Argument(help="the production folder")]
PolicyOpt = Annotated[str | None, typer.Option(
    "--policy", help="previz, draft or final; overrides aktion.toml's [render] policy")]


def move_names(root: Path) -> list[str]:
    """The move library's names (package moves plus the production's own ``moves/``)."""
    from aktion.previz.moves import MoveLibrary

    return list(MoveLibrary.for_production(root).names())


def open_production(path: Path) -> Production:
    from aktion.production.load import load_production

    try:
        return load_production(path, moves=move_names(path.resolve()))
    except ProductionError as e:
        fail_on_production_error(e)
        raise  # unreachable: fail_on_production_error exits


def open_graph(path: Path, policy: str | None = None) -> tuple[Production, ShotGraph]:
    from aktion.engine.graph import plan
    from aktion.engine.router import UnmetNeed
    from aktion.generation.config import ConfigError

    if policy not in (None, "previz", "draft", "final"):
        err_console.print(f"[red]✗[/] unknown policy `{policy}` (expected previz, draft or final)")
        raise typer.Exit(2)
    production = open_production(path)
    try:
        return production, plan(production, policy)
    except (UnmetNeed, ConfigError) as e:
        err_console.print(f"[red]✗ cannot plan:[/] {escape(str(e))}")  # [tables] stay
        raise typer.Exit(2) from None
    except ProductionError as e:  # canvas.yaml naming what the plan does not have
        fail_on_production_error(e)
        raise


TEMPLATE_EXAMPLES = ("boards.yaml", "choreo.yaml", "cast")


def untouched_template_examples(root: Path) -> list[Path]:
    """The template's example boards, choreography and cast, if still byte-for-byte as
    ``init`` wrote them while the script is no longer the template's: placeholders, not
    the director's work, so drafting from a new script may replace them."""
    template = resources.files("aktion") / "templates" / "production"
    script = root / "script.fountain"
    if not script.is_file():  # not made by init: nothing of the template's to replace
        return []
    with resources.as_file(template) as src:
        if script.read_bytes() == (src / "script.fountain").read_bytes():
            return []
        found = []
        for name in TEMPLATE_EXAMPLES:
            for original in sorted((src / name).rglob("*")) if (src / name).is_dir() else [
                    src / name]:
                copy = root / original.relative_to(src)
                if original.is_file() and copy.is_file() and \
                        copy.read_bytes() == original.read_bytes():
                    found.append(copy)
        return found


@app.command()
def init(name: Annotated[str, typer.Argument(help="folder name of the new production")]) -> None:
    """Start a new production from the template."""
    dest = Path(name)
    if dest.exists():
        err_console.print(f"[red]✗[/] {dest} already exists; choose another name")
        raise typer.Exit(1)
    template = resources.files("aktion") / "templates" / "production"
    prod_id = dest.name.lower().replace(" ", "-")
    with resources.as_file(template) as src:
        shutil.copytree(src, dest)
    toml = dest / "aktion.toml"
    toml.write_text(toml.read_text().replace("{{name}}", prod_id))
    console.print(f"[green]✓[/] new production in {dest}/: edit script.fountain, then "
                  f"[bold]aktion render {dest}[/]")


@app.command()
def check(
    path: PathArg,
    craft: Annotated[bool, typer.Option("--craft", help="also check film grammar across cuts")]
    = False,
    motion: Annotated[bool, typer.Option(
        "--motion", help="also solve every shot and check the motion is physically plausible")]
    = False,
) -> None:
    """Validate a production without rendering anything."""
    from aktion.production import anchors
    from aktion.production.load import load_production

    from .anchors import print_anchor_notes

    try:
        production = load_production(path, moves=move_names(path.resolve()))
    except ProductionError as e:
        print_anchor_notes(path.resolve())  # a script edit may be why lines are out of range
        fail_on_production_error(e)
        raise
    anchors.ensure_recorded(production.root)
    n_shots = sum(1 for _ in production.shots())
    n_beats = sum(len(c.beats) for c in production.choreo.shots.values())
    console.print(f"[green]✓[/] {production.settings.name}: {len(production.boards.scenes)} "
                  f"scene(s), {n_shots} shots, {n_beats} beats, {len(production.cast)} cast — ok")
    print_anchor_notes(production.root)
    if motion:
        from aktion.previz.plausibility import check_production as plausibility

        findings = plausibility(production)
        by_check: dict[str, int] = {}
        for f in findings:
            by_check[f.check] = by_check.get(f.check, 0) + 1
            console.print(f"  ! {f.check}: {f}", markup=False)
        summary = ", ".join(f"{n} {c}" for c, n in sorted(by_check.items())) or "none"
        console.print(f"motion findings: {summary}")
    if craft:
        from aktion.craft import check_production

        from .craft import print_findings

        found = check_production(production)
        print_findings(production, found)
        if any(f.severity == "error" for f in found):
            raise typer.Exit(1)


TABLE_ROWS = 300
"""Up to this many rows a table is drawn by Rich (wrapped to the terminal); past it, as
aligned plain columns: Rich measures every cell, seconds for a thousand-shot plan."""
CELL = 40
"""Widest cell of a plain column but the last (a long list of inputs is cut short)."""


def print_rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A table of plain text: Rich's when it is small, aligned columns when it is big."""
    if len(rows) <= TABLE_ROWS:
        from rich.table import Table

        table = Table(*header)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    rows = [(*(c if len(c) <= CELL else c[: CELL - 1] + "…" for c in r[:-1]), r[-1])
            for r in rows]  # fmt: skip
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header[:-1])]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join([c.ljust(w) for c, w in zip(cells, widths, strict=False)]
                         + [cells[-1]]).rstrip()

    console.print(line(header), style="bold", markup=False, highlight=False, soft_wrap=True)
    # Straight to the file: Rich would scan the text character by character.
    console.file.write("".join(line(r) + "\n" for r in rows))
    console.file.flush()


@app.command("plan")
def plan_cmd(path: PathArg, policy: PolicyOpt = None) -> None:
    """Show the shot graph: every step, its backend and why it was chosen."""
    _, graph = open_graph(path, policy)
    rows = []
    for step in graph:
        needs = ", ".join(sorted({d for d, _ in step.deps.values()})) or "sources"
        if step.kind == "cut":
            needs = f"{len(step.deps)} shots"
        rows.append((step.id, step.backend, needs, step.key[:12], step.reason))
    print_rows(("step", "backend", "needs", "key", "why this backend"), rows)


@app.command("explain")
def explain_cmd(path: PathArg, policy: PolicyOpt = None) -> None:
    """Per step: cached, or why it must run."""
    from rich.table import Table

    from aktion.engine.explain import explain
    from aktion.engine.store import Store

    production, graph = open_graph(path, policy)
    store = Store.for_production(production.root)
    table = Table("step", "state", "why")
    for ex in explain(graph, store):
        state = "[green]cached[/]" if ex.cached else "[yellow]will run[/]"
        table.add_row(ex.step, state, "; ".join(ex.reasons))
    console.print(table)


def rich_reporter(progress: Progress) -> Reporter:
    """A bar per running step, a line per finished one."""
    from aktion.engine.graph import Step
    from aktion.engine.run import Outcome, Reporter

    class RichReporter(Reporter):
        def __init__(self, progress: Progress):
            self.bars = progress
            self.tasks: dict[str, int] = {}

        def started(self, step: Step) -> None:
            self.tasks[step.id] = self.bars.add_task(step.id, total=None)

        def progress(self, step: Step, done: int, total: int) -> None:
            self.bars.update(self.tasks[step.id], completed=done, total=total)

        def finished(self, step: Step, outcome: Outcome) -> None:
            task = self.tasks.pop(step.id, None)
            if task is not None:
                self.bars.remove_task(task)
            mark = {"ran": "[green]✓[/]", "cached": "[dim]·[/]", "failed": "[red]✗[/]",
                    "skipped": "[red]-[/]"}[outcome.status]
            if outcome.status != "cached":
                extra = f" {outcome.seconds:.1f}s" if outcome.status == "ran" else ""
                self.bars.console.print(f"{mark} {step.id}{extra}")
            if outcome.error:
                self.bars.console.print(f"   {outcome.error.strip()}", markup=False)

    return RichReporter(progress)


@app.command("render")
def render_cmd(
    path: PathArg,
    policy: PolicyOpt = None,
    shots: Annotated[list[str] | None, typer.Option("--shots", "-s",
                     help="render only these shots (repeat); the cut needs all")] = None,
    executor: Annotated[str, typer.Option(
        "--executor", help="where steps run: local (a pool on this machine) or ray")] = "local",
    address: Annotated[str | None, typer.Option(
        "--address", help="the Ray cluster to join (default: start a private one)")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="steps at once (default: local 4 at most, ray its CPUs)")] = None,
) -> None:
    """Render a production: only the steps whose inputs changed run."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from aktion.engine.executors import make_executor
    from aktion.engine.run import RenderLocked, run
    from aktion.engine.store import Store
    from aktion.provenance.errors import IdentityError

    t0 = time.perf_counter()
    production, graph = open_graph(path, policy)
    if shots:
        unknown = [s for s in shots if s not in {st.shot for st in graph}]
        if unknown:
            err_console.print(f"[red]✗[/] no shot {unknown[0]} in the boards")
            raise typer.Exit(2)
    store = Store.for_production(production.root)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    try:
        pool = make_executor(executor, workers=workers, address=address)
    except (ValueError, ImportError) as e:
        err_console.print(f"[red]✗[/] {e}" + (
            "; install the extra: pip install 'aktion[ray]'" if isinstance(e, ImportError)
            else ""))
        raise typer.Exit(2) from None
    try:
        with Progress(*columns, console=console, transient=True) as bars:
            summary = run(graph, store, shots=shots, reporter=rich_reporter(bars),
                          executor=pool)
    except (RenderLocked, IdentityError) as e:
        err_console.print(f"[red]✗[/] {e}")
        raise typer.Exit(1) from None
    finally:
        pool.close()
    total = time.perf_counter() - t0
    console.print(
        f"steps: [bold]{summary.count('ran')}[/] run, {summary.count('cached')} cached, "
        f"{summary.count('failed')} failed, {summary.count('skipped')} skipped "
        f"in {total:.2f}s"
    )
    for out in summary.outputs:
        console.print(f"[green]→[/] {out}")
    if not summary.ok:
        raise typer.Exit(1)
