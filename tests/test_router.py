"""The router: pipeline per policy, backend per need, reasons on steps, unmet needs named."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from aktion.engine.graph import plan
from aktion.engine.router import UnmetNeed
from aktion.production.load import load_production
from conftest import VEX, write_production

FULL = """\
[diffusers.keyframe]
model = "models/sd"
controlnet = "models/cn"
ip_adapter = "models/ip"
[diffusers.motion]
model = "models/wan"
max_frames = 81
"""


def production(tmp_path: Path, backends: str | None, refs: bool = True):
    root = write_production(tmp_path / "p", vex=VEX + ("refs: [vex.png]\n" if refs else ""))
    if refs:
        Image.new("RGB", (16, 16), "grey").save(root / "cast/vex.png")
    if backends is not None:
        (root / "backends.toml").write_text(backends)
    return load_production(root)


def test_previz_policy_is_unchanged(tmp_path: Path) -> None:
    graph = plan(production(tmp_path, FULL))
    assert [s.id for s in graph] == ["layout:1", "motion_control:1", "render:1", "layout:2",
                                     "motion_control:2", "render:2", "cut:roof",
                                     "sheet:roof"]
    assert graph.steps["cut:roof"].deps["shot:1"] == ("render:1", "video")
    assert all(s.reason for s in graph)


def test_final_adds_generative_steps_with_reasons(tmp_path: Path) -> None:
    graph = plan(production(tmp_path, FULL), "final")
    ids = [s.id for s in graph if s.shot == "1"]
    assert ids == ["layout:1", "motion_control:1", "render:1", "control_maps:1", "keyframe:1",
                   "motion:1"]
    key = graph.steps["keyframe:1"]
    assert key.backend == "diffusers" and "policy final" in key.reason
    assert "depth" in key.reason and "refs" in key.reason
    assert key.request.params["model"]["name"] == "sd"
    assert graph.steps["motion:1"].deps["guide"] == ("control_maps:1", "pose")
    assert graph.steps["cut:roof"].deps["shot:1"] == ("motion:1", "video")


def test_no_backend_configured_is_an_unmet_need(tmp_path: Path) -> None:
    with pytest.raises(UnmetNeed, match="needs a `keyframe` backend"):
        plan(production(tmp_path, None), "draft")


def test_identity_needed_but_no_adapter_names_the_need(tmp_path: Path) -> None:
    no_ip = FULL.replace('ip_adapter = "models/ip"\n', "")
    with pytest.raises(UnmetNeed, match="refs conditioning .*vex"):
        plan(production(tmp_path, no_ip), "final")
    # without references there is no identity need, so the same backends serve
    assert plan(production(tmp_path / "b", no_ip, refs=False), "final")


def test_long_shot_gets_extend(tmp_path: Path) -> None:
    short = FULL.replace("max_frames = 81", "max_frames = 9")
    graph = plan(production(tmp_path, short), "draft")
    assert "extend:1" in graph.steps and graph.steps["motion:1"].request.params["frames"] == 9
    assert graph.steps["extend:1"].request.params["frames"] == 12


def test_route_preference_order(tmp_path: Path) -> None:
    cfg = FULL + '[route]\nfinal = ["comfyui", "diffusers"]\n'
    graph = plan(production(tmp_path, cfg), "final")
    assert graph.steps["keyframe:1"].backend == "diffusers"  # comfyui not configured
