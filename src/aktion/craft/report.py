"""The depth report as one self-contained HTML page, with a storyboard frame per shot."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

from PIL import Image

from aktion.media.video import probe, read_frame

from .depth import PARTS, Depth
from .findings import Finding


def thumbnail(clip: Path | None, width: int = 240) -> str:
    """A data: URI of the clip's middle frame (empty when there is no clip)."""
    if clip is None:
        return ""
    frame = read_frame(clip, probe(clip).frames // 2)
    image = Image.fromarray(frame)
    image.thumbnail((width, width))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def render_html(title: str, depth: Depth, findings: list[Finding],
                clips: dict[str, Path | None]) -> str:
    e = html.escape
    rows = []
    for s in depth.shots:
        img = thumbnail(clips.get(s.shot))
        cell = f'<img src="{img}" alt="{e(s.shot)}">' if img else "<em>not rendered</em>"
        parts = "".join(f"<td>{s.parts[p]:.2f}</td>" for p in PARTS)
        notes = "<br>".join(e(n) for n in s.notes)
        bare = " (bare prompt)" if s.bare else ""
        rows.append(f"<tr><td>{cell}</td><th>{e(s.shot)}{bare}</th>{parts}"
                    f"<td><b>{s.score:.0f}</b></td><td>{notes}</td></tr>")
    heads = "".join(f"<th>{p}</th>" for p in PARTS)
    items = "".join(f"<li><b>{e(f.rule)}</b> {e(' -> '.join(f.shots))}: {e(f.why)}</li>"
                    for f in findings) or "<li>none</li>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}: depth</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:4px 8px;border-bottom:1px solid
#ddd;vertical-align:top}}img{{width:240px}}</style></head><body>
<h1>{e(title)}: depth {depth.score:.0f}/100</h1>
<table><tr><th>board</th><th>shot</th>{heads}<th>score</th><th>craft notes</th></tr>
{''.join(rows)}</table>
<h2>Craft findings</h2><ul>{items}</ul>
</body></html>
"""
