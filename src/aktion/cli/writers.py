"""The Writers Room commands: ``aktion breakdown`` and ``aktion draft``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aktion.production.errors import ProductionError

from ._errors import fail_on_production_error
from .app import app, console, err_console
from .production import untouched_template_examples

if TYPE_CHECKING:
    from rich.console import Console

    from aktion.writers_room.breakdown import Breakdown
    from aktion.writers_room.cast_files import CastFiles
    from aktion.writers_room.source import ScriptSource

SourceArg = Annotated[Path, typer.Argument(help="a production folder or a .fountain file")]


def _open(path: Path) -> tuple[ScriptSource, Breakdown, CastFiles]:
    from aktion.writers_room.breakdown import breakdown_script
    from aktion.writers_room.cast_files import read_cast_files
    from aktion.writers_room.source import resolve

    try:
        source = resolve(path)
        cast = read_cast_files(source)
        return source, breakdown_script(source.script(), known=cast.names), cast
    except ProductionError as e:
        fail_on_production_error(e)
        raise  # unreachable


def _show(bd: Breakdown) -> None:
    from rich.table import Table

    title = bd.title.get("Title") or Path(bd.script).name
    console.print(f"[bold]{title}[/]  {bd.lines} lines, {len(bd.scenes)} scenes, "
                  f"{len(bd.characters)} characters")
    scenes = Table(title="Scenes", show_lines=False)
    for col in ("#", "id", "heading", "int/ext", "location", "time", "lines", "beats",
                "speeches", "characters"):
        scenes.add_column(col, overflow="fold")
    for s in bd.scenes:
        scenes.add_row(str(s.index), s.id, s.heading or "(no heading)", s.int_ext or "",
                       s.location, s.time or "", f"{s.lines[0]}-{s.lines[1]}",
                       str(len(s.beats)), str(len(s.dialogue)), ", ".join(s.characters))
    console.print(scenes)
    cast = Table(title="Characters")
    for col in ("id", "name", "also", "first line", "scenes", "speeches", "introduced as"):
        cast.add_column(col, overflow="fold")
    for c in bd.characters:
        intro = c.description if len(c.description) <= 70 else c.description[:67] + "..."
        cast.add_row(c.id, c.name, ", ".join(c.aliases), str(c.first_line),
                     ", ".join(map(str, c.scenes)), str(c.dialogue_count), intro)
    console.print(cast)


@app.command()
def breakdown(
    path: SourceArg,
    as_json: Annotated[bool, typer.Option("--json", help="the full breakdown as JSON")] = False,
) -> None:
    """Break a script down: scenes, characters, action beats, dialogue, with line numbers."""
    _, bd, _ = _open(path)
    if as_json:
        typer.echo(bd.model_dump_json(indent=2))
    else:
        _show(bd)


def _ensure_settings(source: ScriptSource, bd: Breakdown) -> ScriptSource:
    """A bare script becomes a production: an aktion.toml naming it."""
    from aktion.production.load import SETTINGS_FILE
    from aktion.production.yamlio import write_text_atomic
    from aktion.writers_room.source import resolve

    if source.settings is not None:
        return source
    name = re.sub(r"[^a-z0-9_-]+", "-", source.root.name.lower()).strip("-_") or "production"
    title = (bd.title.get("Title") or source.script_path.stem).replace('"', "'").split("\n")[0]
    toml = (f'[production]\nname = "{name}"\ntitle = "{title}"\n'
            f'script = "{source.script_path.name}"\n')
    write_text_atomic(source.root / SETTINGS_FILE, toml)
    console.print(f"[green]+[/] {source.root / SETTINGS_FILE}")
    return resolve(source.root)


def _show_cast(bd: Breakdown, cast: list[dict], added: set[str]) -> None:
    """The cast the draft proposes: who was introduced where, and the names taken as one."""
    for doc in cast:
        if doc["id"] not in added:
            continue
        ch = bd.character(doc["id"])
        where = f"line {ch.description_line}" if ch and ch.description_line else "cue"
        silent = "" if ch is None or ch.speaks else ", no lines"
        also = f"; also {', '.join(doc['aliases'])}" if doc.get("aliases") else ""
        console.print(f"  cast {doc['id']}: {doc['name']} ({where}{silent}){also}")


def _report_unknown(unknown: list[tuple[int, str]], where: Console) -> None:
    """Action verbs the synonym table does not know drafted nothing: say which, and where."""
    if not unknown:
        return
    lines: dict[str, list[int]] = {}
    for line, verb in unknown:
        lines.setdefault(verb, []).append(line)
    said = ", ".join(f"{verb} (line {', '.join(map(str, at[:3]))}{'...' if len(at) > 3 else ''})"
                     for verb, at in lines.items())
    where.print(f"[yellow]![/] {len(lines)} action verbs drafted nothing: {said}; "
                "teach them to the synonym table (writers_room/verbs.yaml)")


@app.command()
def draft(
    path: SourceArg,
    scene: Annotated[list[int] | None, typer.Option(
        "--scene", "-s", help="draft only scene N (1-based; repeat for more)")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="write the draft to this YAML file ('-' for stdout) "
        "instead of merging it into the production")] = None,
) -> None:
    """Draft boards, choreography and cast from the script, adding only what is missing."""
    from aktion.production.load import load_production
    from aktion.production.yamlio import write_text_atomic
    from aktion.writers_room.draft import draft as make_draft
    from aktion.writers_room.merge import draft_document, write_draft
    from aktion.writers_room.moves import library_moves

    source, bd, known = _open(path)
    wanted = sorted(set(scene)) if scene else None
    if wanted and not all(1 <= n <= len(bd.scenes) for n in wanted):
        err_console.print(f"[red]✗[/] no scene {wanted}: the script has scenes "
                          f"1-{len(bd.scenes)}")
        raise typer.Exit(2)
    moves = library_moves(source.root)
    result = make_draft(bd, fps=source.fps, moves=moves, scenes=wanted,
                        cast_colours=known.primaries)
    n_shots = sum(len(s.shots) for s in result.scenes)
    _report_unknown(result.unknown, err_console if str(out) == "-" else console)
    if out is not None:
        text = draft_document(result)
        if str(out) == "-":
            typer.echo(text, nl=False)
        else:
            write_text_atomic(out, text)
            console.print(f"[green]✓[/] {len(result.scenes)} scenes, {n_shots} shots -> {out}")
        return
    source = _ensure_settings(source, bd)
    for placeholder in untouched_template_examples(source.root):
        placeholder.unlink()
        console.print(f"[yellow]-[/] {placeholder} (the template's example, never edited)")
    try:
        report = write_draft(source, result)
    except ProductionError as e:
        fail_on_production_error(e)
        return
    for p in report.written:
        console.print(f"[green]+[/] {p}")
    _show_cast(bd, result.cast, set(report.cast))
    console.print(f"added {len(report.scenes)} scenes, {len(report.shots)} shots, "
                  f"{report.beats} beats, {len(report.cast)} cast"
                  + ("" if report.written else " (nothing was missing)"))
    try:
        load_production(source.root, moves=moves)
    except ProductionError as e:
        err_console.print("[yellow]The production does not check yet:[/]")
        fail_on_production_error(e)
    console.print("[green]✓[/] the production checks: `aktion render` can take it from here")
