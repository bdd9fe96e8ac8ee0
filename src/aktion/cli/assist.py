"""``aktion assist``: optional AI proposals for the Writers Room, shown as diffs.

Nothing here is imported until an assist command runs, so Aktion starts and works
without a model server, without httpx and without any AI configured.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from aktion.production.errors import ProductionError

from ._errors import fail_on_production_error
from .app import app, console, err_console

if TYPE_CHECKING:
    from aktion.writers_room.assist import Proposal

assist_app = typer.Typer(
    help="Optional AI assist: a chat model (AKTION_LLM_BASE_URL, AKTION_LLM_MODEL, "
    "AKTION_LLM_API_KEY) proposes, Aktion checks, you accept with --apply.",
    no_args_is_help=True,
)
app.add_typer(assist_app, name="assist")

PathArg = Annotated[Path, typer.Argument(help="a production folder or a .fountain file")]
SceneOpt = Annotated[int | None, typer.Option(
    "--scene", "-s", help="scene N of the script (1-based); needed when it has several")]
ApplyOpt = Annotated[bool, typer.Option("--apply", help="write the proposal (default: only show it)")]


def _fail(message: str) -> None:
    err_console.print("[red]✗[/] " + escape(message))
    raise typer.Exit(1)


def _run(kind: str, path: Path, scene: int | None, apply: bool) -> None:
    from aktion.writers_room import assist
    from aktion.writers_room.llm import AssistError, ChatClient, LLMConfig

    propose = assist.propose_punchup if kind == "punchup" else assist.propose_shots
    try:
        client = ChatClient(LLMConfig.from_env())
        proposal: Proposal = propose(path, scene, client)
    except AssistError as e:
        _fail(str(e))
        return
    except ProductionError as e:
        fail_on_production_error(e)
        return
    what = "line" if kind == "punchup" else "shot"
    for d in proposal.dropped:
        err_console.print(f"[yellow]dropped[/] {escape(str(d))}")
    for note in proposal.notes:
        console.print(note, markup=False)
    if kind == "shots" and not proposal.kept:
        _fail("no proposed shot passed the checks; the boards are unchanged")
    if proposal.empty:
        console.print(f"no change proposed for scene {proposal.scene.index}")
        return
    typer.echo(proposal.diff(), nl=False)
    if not apply:
        console.print(f"{len(proposal.kept)} {what}{'s' if len(proposal.kept) != 1 else ''} "
                      "proposed; run again with --apply to write them")
        return
    try:
        proposal.apply()
    except ProductionError as e:
        err_console.print("[yellow]The change would break the production; nothing was "
                          "written.[/]")
        fail_on_production_error(e)
        return
    for change in proposal.changes:
        if change.old != change.new:
            console.print(f"[green]✓[/] {change.path}")


@assist_app.command()
def punchup(path: PathArg, scene: SceneOpt = None, apply: ApplyOpt = False) -> None:
    """Propose punchier action lines for a scene (kinetic verbs from the move library)."""
    _run("punchup", path, scene, apply)


@assist_app.command()
def shots(path: PathArg, scene: SceneOpt = None, apply: ApplyOpt = False) -> None:
    """Propose an alternative shot list for a scene, checked against the Shot schema."""
    _run("shots", path, scene, apply)
