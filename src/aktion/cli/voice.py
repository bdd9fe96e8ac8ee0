"""``aktion cast voice``: set, show and audition a character's locked voice."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aktion.production.errors import ProductionError

from ._errors import fail_on_production_error
from .app import console, err_console
from .cast import NameArg, cast_app


@cast_app.command("voice")
def voice_cmd(
    name: Annotated[str | None, typer.Argument(help="the character's id or script name")] = None,
    path: Annotated[Path, typer.Argument(help="the production folder")] = Path("."),
    backend: Annotated[str | None, typer.Option(help="espeak, or a voice backend "
                                                "configured in backends.toml")] = None,
    voice_id: Annotated[str | None, typer.Option("--id", help="the backend's voice, "
                                                 "e.g. en-us+m3 for eSpeak NG")] = None,
    pitch: Annotated[float | None, typer.Option(help="semitones, -12..12")] = None,
    rate: Annotated[float | None, typer.Option(help="pace, 0.5..2 (1: the voice's own)")] = None,
    seed: Annotated[int | None, typer.Option(help="for voices that sample")] = None,
    say: Annotated[str | None, typer.Option(help="audition: say this line into "
                                            "out/voices/<id>.wav")] = None,
    listing: Annotated[bool, typer.Option("--list", help="list eSpeak NG voices")] = False,
) -> None:
    """Set a character's voice (part of their lock): only the lines they say render again."""
    if listing:
        from aktion.sound.espeak_ng import languages, variants

        console.print("languages: " + " ".join(languages()))
        console.print("variants (language+variant, e.g. en-us+m3): " + " ".join(variants()))
        return
    if name is None:
        err_console.print("[red]✗[/] name a character (or --list the voices)")
        raise typer.Exit(2)
    from aktion.backends.base import BackendError
    from aktion.engine.router import UnmetNeed
    from aktion.production.load import load_production
    from aktion.sound.audition import audition
    from aktion.sound.voice_file import set_voice
    from aktion.sound.voices import voice_of
    from aktion.writers_room.locking import cast_file

    changes = {k: v for k, v in {"backend": backend, "id": voice_id, "pitch": pitch,
                                 "rate": rate, "seed": seed}.items() if v is not None}
    try:
        if changes:
            result = set_voice(path, name, changes)
            note = f", relocked at {result.relocked[:12]}" if result.relocked else ""
            console.print(f"[green]✓[/] {result.id} speaks as {_describe(result.voice)}{note}")
        production = load_production(path)
        cid = cast_file(Path(path).resolve(), name).stem
        voice, chosen = voice_of(production.cast[cid], production.cast[cid].name)
        if not changes:
            console.print(f"{cid}: {_describe(voice)}" + ("" if chosen else " (default)"))
        if say is not None:
            dest = production.root / "out" / "voices" / f"{cid}.wav"
            audition(production, cid, say or None, dest)
            console.print(f"[green]✓[/] {dest}")
    except ProductionError as e:
        fail_on_production_error(e)
    except (BackendError, UnmetNeed) as e:  # the voice cannot be said: one line
        err_console.print(f"[red]✗[/] {e}", markup=True, highlight=False)
        raise typer.Exit(1) from None


def _describe(voice) -> str:
    parts = [voice.backend or "auto", voice.id or "default"]
    if voice.pitch:
        parts.append(f"pitch {voice.pitch:+g}")
    if voice.rate != 1:
        parts.append(f"rate {voice.rate:g}")
    if voice.seed:
        parts.append(f"seed {voice.seed}")
    return " ".join(parts)


__all__ = ["NameArg", "voice_cmd"]
