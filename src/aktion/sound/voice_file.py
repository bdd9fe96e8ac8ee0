"""Setting a character's voice in their cast file, in place (a one-field change is a
one-line diff), and keeping a locked character locked: ``aktion cast voice`` is an
explicit change, so it records the new lock as ``relock`` would."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap

from aktion.production.errors import ProductionError, SourceIssue
from aktion.production.load import load_production
from aktion.production.voice import Voice
from aktion.production.yamlio import dump_yaml, plain, read_yaml, write_text_atomic
from aktion.writers_room.locking import cast_file

from .espeak_ng import EspeakError, check_voice
from .voices import voice_of


@dataclass
class VoiceResult:
    id: str
    path: Path
    voice: Voice
    relocked: str | None  # the new lock when the character was locked


def check(voice: Voice) -> str | None:
    """What is wrong with a voice the embedded backend would say, or None."""
    if voice.backend not in (None, "espeak") or not voice.id:
        return None
    try:
        return check_voice(voice.id)
    except EspeakError as e:
        return str(e)


def set_voice(root: Path | str, name: str, changes: dict[str, Any]) -> VoiceResult:
    """Merge ``changes`` (backend, id, pitch, rate, seed) into the character's voice."""
    root = Path(root).resolve()
    path = cast_file(root, name)
    original = path.read_text(encoding="utf-8")
    production = load_production(root)
    cid = path.stem
    current, _ = voice_of(production.cast[cid], production.cast[cid].name)
    try:
        voice = Voice.model_validate({**current.model_dump(), **changes})
    except ValidationError as e:
        first = e.errors()[0]
        field = ".".join(str(x) for x in first["loc"]) or "voice"
        raise ProductionError([SourceIssue(path, None, f"voice {field}: {first['msg']}",
                                           "see `aktion cast voice --help`")]) from None
    problem = check(voice)
    if problem:
        raise ProductionError([SourceIssue(path, None, f"voice id `{voice.id}`: {problem}",
                                           "an eSpeak NG voice such as en-us+m3 "
                                           "(`aktion cast voice --list`)")])
    doc = read_yaml(path)
    if not isinstance(doc, CommentedMap):
        raise ProductionError([SourceIssue(path, 1, "not a character", "a YAML mapping")])
    data = voice.model_dump(mode="json", exclude_defaults=True)  # only what was chosen
    if isinstance(doc.get("voice"), CommentedMap):  # keep the mapping (and its comments)
        for key in list(doc["voice"]):
            if key not in data:
                del doc["voice"][key]
        doc["voice"].update(data)
    else:
        doc["voice"] = CommentedMap(data)
        doc["voice"].fa.set_flow_style()
    was_locked = bool(doc.get("locked"))
    if was_locked:
        del doc["locked"]
    write_text_atomic(path, dump_yaml(doc))
    try:
        production = load_production(root)
    except ProductionError:
        write_text_atomic(path, original)
        raise
    relocked = None
    if was_locked:
        doc = read_yaml(path)
        doc["locked"] = relocked = production.locks[cid]
        write_text_atomic(path, dump_yaml(doc))
    return VoiceResult(cid, path, Voice.model_validate(plain(read_yaml(path))["voice"]),
                       relocked)
