"""Editorial export: the .otio reads back frame for frame; FCP 7, FCP X and EDL read back."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from aktion.editorial.export import export_scene
from aktion.editorial.timeline import ExportError
from aktion.engine.graph import plan
from aktion.engine.store import Store
from aktion.media.video import probe
from aktion.production.load import load_production
from aktion.production.takes import Canvas, save_canvas
from test_canvas import box_backend, frames_of, render  # noqa: F401

EDIT = {"shots": {
    "1": {"extend": 6},
    "2": {"takes": [{"seed": 5}], "pick": 2,
          "transition": {"type": "dissolve", "duration": 4}},
}}


@pytest.fixture
def cut(tiny: Path, box_backend: None) -> Path:  # noqa: F811
    save_canvas(tiny, Canvas.model_validate(EDIT))
    _, summary = render(tiny)
    assert summary.ok
    return tiny


def export(root: Path, fmt: str) -> Path:
    store = Store.for_production(root)
    try:
        return export_scene(plan(load_production(root)), store, "roof", fmt)
    finally:
        store.close()


def test_otio_matches_the_cut_frame_for_frame(cut: Path) -> None:
    path = export(cut, "otio")
    assert path == cut / "out" / "editorial" / "roof.otio"
    timeline = otio.adapters.read_from_file(str(path))
    track = timeline.tracks[0]
    clips = list(track.find_clips())
    assert [c.metadata["aktion"]["shot"] for c in clips] == ["1", "2"]
    assert [c.metadata["aktion"]["take"] for c in clips] == [1, 2]
    [dissolve] = [t for t in track if isinstance(t, otio.schema.Transition)]
    assert (dissolve.in_offset.value, dissolve.out_offset.value) == (2, 2)
    # shot 1 is 12 + 6 extended frames; the dissolve overlaps 2 + 2 frames of handles
    ranges = [(c.source_range.start_time.value, c.source_range.duration.value) for c in clips]
    assert ranges == [(0, 16), (2, 10)]
    total = frames_of(cut / "out" / "roof.mp4")
    assert track.duration().value == total == 18 + 12 - 4
    for c in clips:  # media relative to the export, and exactly the clips the cut used
        url = c.media_reference.target_url
        assert not url.startswith("/")
        media = path.parent / url
        assert probe(media).frames == c.media_reference.available_range.duration.value
    meta = clips[1].metadata["aktion"]
    assert list(meta["script"]["lines"]) == [14, 14]
    assert "You're late." in clips[0].metadata["aktion"]["script"]["text"]
    assert meta["provenance"]["step"] == "render:2@t2" and len(meta["provenance"]["key"]) == 64
    assert list(clips[0].metadata["aktion"]["steps"]) == ["render:1", "extend:1"]


@pytest.mark.parametrize("fmt,adapter", [("fcp7", "fcp_xml"), ("fcpx", "fcpx_xml"),
                                         ("edl", "cmx_3600")])
def test_other_formats_read_back(cut: Path, fmt: str, adapter: str) -> None:
    path = export(cut, fmt)
    text = path.read_text()
    kwargs = {"rate": 24} if adapter == "cmx_3600" else {}
    timeline = otio.adapters.read_from_string(text, adapter_name=adapter, **kwargs)
    clips = list(timeline.find_clips())
    assert len(clips) == 2
    total = sum(c.source_range.duration.value for c in clips)
    assert total == 18 + 12 - 4
    if fmt == "edl":
        assert "D    004" in text or " D " in text  # the dissolve survives as a D event


def test_export_needs_a_render(tiny: Path, box_backend: None) -> None:  # noqa: F811
    with pytest.raises(ExportError, match="render"):
        export(tiny, "otio")
