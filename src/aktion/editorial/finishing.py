"""What each suite needs beyond OTIO's adapters to open an export as-is.

- FCP 7 XML (Premiere, Resolve): absolute ``file://`` path URLs (a relative one shows as
  offline) and the sequence's format (frame size and rate) in ``samplecharacteristics``.
- FCP X XML: absolute ``file://`` sources, the format's frame size, and dissolves, which
  the adapter drops: each becomes a ``<transition>`` using Final Cut's Cross Dissolve
  over the clips' handles.
- CMX 3600 EDL: one reel per source clip (the adapter names every reel after the
  production), and a reel map beside the EDL saying which file each reel is.

Each is a pass over the timeline or over the adapter's text, kept apart from building
the timeline, so a timeline with more tracks passes through unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import opentimelineio as otio

CROSS_DISSOLVE = "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265"  # Final Cut's Cross Dissolve
REEL_CHARS = 8  # CMX 3600 reel names


def video_clips(timeline: otio.schema.Timeline) -> list[otio.schema.Clip]:
    """The clips of the first video track, in order."""
    tracks = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    return [c for c in tracks[0] if isinstance(c, otio.schema.Clip)] if tracks else []


def _media_path(clip: otio.schema.Clip, export_dir: Path) -> Path:
    url = clip.media_reference.target_url
    if url.startswith("file://"):
        return Path(otio.url_utils.filepath_from_url(url))
    return (export_dir / url).resolve()


def absolute_urls(timeline: otio.schema.Timeline, export_dir: Path, *,
                  localhost: bool = False) -> None:
    """Point every clip's media at an absolute ``file://`` URL (``file://localhost/...``,
    as Final Cut Pro 7 wrote them, when ``localhost``)."""
    for clip in timeline.find_clips():
        ref = clip.media_reference
        if not isinstance(ref, otio.schema.ExternalReference):
            continue
        path = _media_path(clip, export_dir)
        ref.target_url = ("file://localhost" + quote(path.as_posix()) if localhost
                          else path.as_uri())


def fcp7_format(timeline: otio.schema.Timeline, width: int, height: int, fps: int) -> None:
    """The sequence's and every file's frame size and rate, as FCP 7 XML carries them."""
    rate = {"timebase": fps, "ntsc": "FALSE"}
    video = {"width": width, "height": height, "pixelaspectratio": "square",
             "fielddominance": "none", "rate": rate}
    timeline.metadata["fcp_xml"] = {
        "media": {"video": {"format": {"samplecharacteristics": dict(video)}}}}
    for clip in video_clips(timeline):  # sound stems keep their own description
        clip.media_reference.metadata["fcp_xml"] = {
            "media": {"video": {"samplecharacteristics": dict(video)}}}


def fcpx_finish(text: str, timeline: otio.schema.Timeline, width: int, height: int) -> str:
    """The adapter's FCP X XML with the format's frame size and the dissolves put back."""
    root = ElementTree.fromstring(text)
    resources = root.find("resources")
    assert resources is not None
    for fmt in resources.findall("format"):
        fmt.set("width", str(width))
        fmt.set("height", str(height))
        fmt.set("colorSpace", "1-1-1 (Rec. 709)")
        if not fmt.get("name"):
            fmt.attrib.pop("name", None)
    spine = root.find(".//sequence/spine")
    track = next((t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video), None)
    if spine is not None and track is not None:
        _dissolves(resources, spine, track)
    for element in root.iter():  # the adapter's indentation, redone once below
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    ElementTree.indent(root, "    ")
    body = ElementTree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n' + body + "\n"


def _seconds(frames: float, rate: float) -> str:
    from fractions import Fraction

    value = Fraction(round(frames)) / Fraction(rate).limit_denominator(1001)
    if value == 0:
        return "0s"
    return f"{value.numerator}s" if value.denominator == 1 else \
        f"{value.numerator}/{value.denominator}s"


def _dissolves(resources: ElementTree.Element, spine: ElementTree.Element,
               track: otio.schema.Track) -> None:
    """A ``<transition>`` before the spine clip each OTIO dissolve leads into."""
    clips = [e for e in spine if e.tag in ("clip", "asset-clip", "ref-clip")
             and e.get("lane") is None]
    items = [i for i in track if not isinstance(i, otio.schema.Gap)]
    effect_id = None
    k = -1  # index of the last clip seen in ``clips``
    for n, item in enumerate(items):
        if isinstance(item, otio.schema.Clip):
            k += 1
            continue
        if not isinstance(item, otio.schema.Transition) or k + 1 >= len(clips):
            continue
        if effect_id is None:
            effect_id = f"r{len(resources) + 1}"
            while resources.find(f"*[@id='{effect_id}']") is not None:
                effect_id = f"r{int(effect_id[1:]) + 1}"
            ElementTree.SubElement(resources, "effect", id=effect_id, name="Cross Dissolve",
                                   uid=CROSS_DISSOLVE)
        rate = item.in_offset.rate
        cut_at = track.range_of_child_at_index(track.index(items[n + 1])).start_time
        start = cut_at.value - item.in_offset.value
        duration = item.in_offset.value + item.out_offset.value
        transition = ElementTree.Element("transition", name="Cross Dissolve",
                                         offset=_seconds(start, rate),
                                         duration=_seconds(duration, rate))
        ElementTree.SubElement(transition, "filter-video", ref=effect_id, name="Cross Dissolve")
        spine.insert(list(spine).index(clips[k + 1]), transition)


def assign_reels(timeline: otio.schema.Timeline) -> dict[str, otio.schema.Clip]:
    """Give every source clip its own CMX reel name; returns reel -> first clip using it.

    Names come from the shot and take (``SH080T2``) when all of them fit in eight
    characters and differ; otherwise they are numbered (``R001``...)."""
    clips = video_clips(timeline)
    sources: dict[str, list[otio.schema.Clip]] = {}
    for clip in clips:
        sources.setdefault(clip.media_reference.target_url, []).append(clip)

    def named(clip: otio.schema.Clip) -> str:
        meta = clip.metadata.get("aktion", {})
        return re.sub(r"[^A-Z0-9]", "", f"{meta.get('shot', '')}T{meta.get('take', 1)}".upper())

    names = [named(group[0]) for group in sources.values()]
    if len(set(names)) != len(names) or any(not 1 < len(n) <= REEL_CHARS for n in names):
        names = [f"R{i:03d}" for i in range(1, len(sources) + 1)]
    reels = {}
    for name, group in zip(names, sources.values(), strict=True):
        for clip in group:
            clip.metadata.setdefault("cmx_3600", {})["reel"] = name
        reels[name] = group[0]
    return reels


def reel_map(reels: dict[str, otio.schema.Clip], export_dir: Path) -> str:
    """CSV: reel, file, shot, take, frames: what an online editor relinks each reel to."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["reel", "file", "shot", "take", "frames"])
    for reel, clip in reels.items():
        meta = clip.metadata.get("aktion", {})
        ref = clip.media_reference
        writer.writerow([reel, str(_media_path(clip, export_dir)), meta.get("shot", ""),
                         meta.get("take", ""), int(ref.available_range.duration.value)])
    return out.getvalue()
