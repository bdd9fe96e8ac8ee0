"""Depth and craft of a production together, and the HTML report under ``out/``."""

from __future__ import annotations

from pathlib import Path

from aktion.engine.graph import ShotGraph
from aktion.engine.store import Store
from aktion.media.atomic import atomic_path

from .check import check_production
from .depth import Depth, score
from .findings import Finding
from .rendered import cut_clips, honoured, output_adherence
from .report import render_html


def assess(graph: ShotGraph, store: Store) -> tuple[Depth, list[Finding]]:
    findings = check_production(graph.production)
    return score(graph.production, findings, honoured(graph, store),
                 output_adherence(graph, store)), findings


def write_report(graph: ShotGraph, store: Store, dest: Path | None = None) -> tuple[Depth, Path]:
    """Write ``out/depth.html`` (atomically) and return the depth with its path."""
    production = graph.production
    depth, findings = assess(graph, store)
    clips = {shot: path for shot, (_, path) in cut_clips(graph, store).items()}
    title = production.settings.title or production.settings.name
    dest = dest or production.root / "out" / "depth.html"
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dest) as tmp:
        tmp.write_text(render_html(title, depth, findings, clips), encoding="utf-8")
    return depth, dest
