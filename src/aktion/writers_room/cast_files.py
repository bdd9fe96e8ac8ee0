"""What the production's cast files already settle: names, aliases and wardrobe colours.

The director's cast files have the last word on identity (an alias added to
``cast/mara.yaml`` makes that name Mara in the next breakdown) and new characters
are dressed apart from the colours already chosen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aktion.production.yamlio import read_yaml

from .source import ScriptSource


@dataclass
class CastFiles:
    names: dict[str, list[str]] = field(default_factory=dict)  # id -> [name, *aliases]
    primaries: dict[str, str] = field(default_factory=dict)  # id -> palette primary


def read_cast_files(source: ScriptSource) -> CastFiles:
    """The names and primaries of ``cast/*.yaml``; a file that is not a character is skipped
    here (``aktion check`` reports it with its line)."""
    out = CastFiles()
    folder = source.file("cast_dir")
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        doc = read_yaml(path, keep_layout=False)
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            continue
        cid = doc["id"]
        name = doc.get("name")
        aliases = doc.get("aliases") or []
        forms = [str(n) for n in [name, *aliases] if isinstance(n, str) and n.strip()]
        if forms:
            out.names[cid] = forms
        palette = doc.get("palette")
        if isinstance(palette, dict) and isinstance(palette.get("primary"), str):
            out.primaries[cid] = palette["primary"]
    return out
