"""What a shot needs from a generative backend, read from its board, beats and cast.

A need is a conditioning the result must honour; the router refuses a backend
that cannot honour one rather than silently dropping it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Need:
    name: str  # a conditioning name (pose, refs, depth, layout, first_frame, last_frames)
    why: str


def keyframe_needs(request: dict[str, Any]) -> list[Need]:
    """A keyframe follows the board's layout and honours each locked character's look."""
    needs = [Need("depth", "the keyframe follows the board's previz layout")]
    with_refs = [c for c, ch in request.get("cast", {}).items() if ch.get("refs")]
    if len(with_refs) == 1:
        needs.append(Need("refs", f"locked character {with_refs[0]} has reference images"))
    elif with_refs:
        needs.append(Need("refs", f"locked characters {', '.join(with_refs)} have reference "
                                  "images"))
    return needs


def motion_needs(request: dict[str, Any]) -> list[Need]:
    """A clip starts from its keyframe; a choreographed shot must follow the choreography."""
    needs = [Need("first_frame", "the clip starts from the shot's keyframe")]
    beats = request.get("beats", [])
    if beats and request.get("cast"):
        needs.append(Need("pose", f"choreographed: {len(beats)} beat(s) to perform"))
    return needs


def extend_needs(request: dict[str, Any]) -> list[Need]:
    return [Need("last_frames", "a long shot continues from its clip's last frames")]


NEEDS = {"keyframe": keyframe_needs, "motion": motion_needs, "extend": extend_needs,
         "restyle": lambda r: [Need("video", "a look applied to the shot's clip")]}


def needs_for(kind: str, request: dict[str, Any]) -> list[Need]:
    return NEEDS[kind](request) if kind in NEEDS else []
