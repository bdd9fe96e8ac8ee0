"""ComfyUI workflows are checked when a production is planned, and the shipped templates
are wired to real node inputs (checked against the recorded ``/object_info`` of
ComfyUI 0.3.64 and, for the IP-Adapter Plus custom nodes, their published inputs)."""

from __future__ import annotations

import json
import re
import sys
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "comfyui"))
from comfy_production import graph_of, write
from comfy_replay import HERE

from aktion.backends.comfyui import ComfyUIBackend
from aktion.backends.comfyui_workflow import load_step
from aktion.cli import _register, app
from aktion.engine.router import UnmetNeed
from aktion.generation.config import BackendContext, ConfigError

URL = "http://127.0.0.1:9"
IMAGE = {"depth": "1.image", "seed": "3.seed"}


def plan_error(root: Path) -> str:
    with pytest.raises(ConfigError) as e:
        graph_of(root)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_a_missing_workflow_file_names_file_and_setting(tmp_path: Path) -> None:
    root = write(tmp_path / "p", URL)
    (root / "workflows" / "motion.json").unlink()
    msg = plan_error(root)
    assert str(root / "workflows" / "motion.json") in msg
    assert "[comfyui] workflows (default motion.json)" in msg and "no such workflow file" in msg


def test_invalid_json_says_where(tmp_path: Path) -> None:
    root = write(tmp_path / "p", URL)
    (root / "workflows" / "keyframe.json").write_text('{\n  "1": {"class_type": "LoadImage",,}\n}')
    msg = plan_error(root)
    assert f"{root / 'workflows' / 'keyframe.json'}:2:" in msg and "not valid JSON" in msg


def test_the_editors_format_says_how_to_export(tmp_path: Path) -> None:
    root = write(tmp_path / "p", URL)
    (root / "workflows" / "keyframe.json").write_bytes((HERE / "ui_format_image.json")
                                                       .read_bytes())
    msg = plan_error(root)
    assert "editor's (UI) workflow format" in msg and "Export (API)" in msg
    assert "keyframe.json" in msg


@pytest.mark.parametrize(("mapping", "expected"), [
    ({"depth": "7.image"}, "`depth = \"7.image\"`: .*keyframe.json has no node 7"),
    ({"depth": "1.picture"}, r"node 1 \(LoadImage\) in .* no input `picture` \(it has: image\)"),
    ({"depth": "1"}, "expected \"node.input\""),
    ({"guide": "1.image"}, "`guide` is not a value of the keyframe step"),
])
def test_a_mapping_must_name_real_nodes_and_inputs(tmp_path: Path, mapping: dict,
                                                    expected: str) -> None:
    root = write(tmp_path / "p", URL, overrides={
        "keyframe": ("image_success", mapping, None)})
    msg = plan_error(root)
    assert msg.startswith("backends.toml [comfyui.keyframe] inputs")
    assert re.search(expected, msg), msg


def test_output_must_be_named_when_there_are_several(tmp_path: Path) -> None:
    root = write(tmp_path / "p", URL, overrides={
        "keyframe": ("execution_error", IMAGE, None)})
    assert "set `output` to the node whose files are the result" in plan_error(root)
    root = write(tmp_path / "p", URL, overrides={"keyframe": ("execution_error", IMAGE, "99")})
    assert "[comfyui.keyframe] output: " in plan_error(root)


def test_unknown_settings_are_errors(tmp_path: Path) -> None:
    root = write(tmp_path / "p", URL, settings="workflow = \"x.json\"")
    assert "[comfyui] workflow: unknown setting" in plan_error(root)


def test_plan_on_the_command_line_prints_one_line(tmp_path: Path) -> None:
    root = write(tmp_path / "p", URL)
    (root / "workflows" / "keyframe.json").write_bytes((HERE / "ui_format_image.json")
                                                       .read_bytes())
    _register()
    result = CliRunner().invoke(app, ["plan", str(root), "--policy", "final"])
    assert result.exit_code == 2
    assert "cannot plan:" in result.output and "Export (API)" in result.output
    assert "([comfyui] workflows (default keyframe.json))" in result.output
    assert "Traceback" not in result.output


def test_the_workflows_folder_gives_each_step_its_default(tmp_path: Path) -> None:
    root = write(tmp_path / "p", URL)
    context = BackendContext(root, root / "cast", {"url": URL, "workflows": "workflows"})
    (root / "workflows" / "extend.json").unlink()
    offered = ComfyUIBackend.offers(context.config, context)
    assert sorted(offered) == ["keyframe", "motion"]  # no extend.json: not offered
    assert offered["keyframe"].conditioning == frozenset()  # nothing mapped, nothing honoured


@pytest.mark.parametrize(("kind", "mapping", "honours"), [
    ("keyframe", {"prompt": "5.value"}, set()),
    ("keyframe", {"depth": "1.image"}, {"depth", "layout"}),
    ("keyframe", {"depth": "1.image", "refs": "1.image"}, {"depth", "layout", "refs"}),
    ("keyframe", {"depth": "1.image", "ref:vex": "1.image"}, {"depth", "layout", "refs"}),
    ("motion", {"image": "1.image"}, {"first_frame"}),
    ("motion", {"image": "1.image", "guide": "2.file"}, {"first_frame", "pose"}),
    ("extend", {"video": "1.file", "guide": "3.file"}, {"last_frames", "pose"}),
])
def test_a_step_honours_only_what_its_mapping_feeds(tmp_path: Path, kind: str, mapping: dict,
                                                    honours: set) -> None:
    scenario = {"keyframe": "image_success", "motion": "video_success",
                "extend": "extend_long"}[kind]
    root = write(tmp_path / "p", URL, overrides={kind: (scenario, mapping, None)})
    config = tomllib.loads((root / "backends.toml").read_text())["comfyui"]
    offered = ComfyUIBackend.offers(config, BackendContext(root, root / "cast", config))
    assert offered[kind].conditioning == frozenset(honours)


def test_refs_are_not_promised_by_a_workflow_that_drops_them(tmp_path: Path) -> None:
    root = write(tmp_path / "p", URL, refs=True)  # vex has references; keyframe maps none
    with pytest.raises(UnmetNeed, match="`keyframe` needs refs conditioning"):
        graph_of(root)


def test_a_guide_less_motion_workflow_is_not_given_a_fight(tmp_path: Path) -> None:
    root = write(tmp_path / "p", URL, overrides={
        "motion": ("video_success", {"image": "1.image", "frames": "6.length"}, None)})
    with pytest.raises(UnmetNeed, match="`motion` needs pose conditioning"):
        graph_of(root)


def test_the_workflow_and_mapping_enter_the_step_key(tmp_path: Path) -> None:
    root = write(tmp_path / "p", URL)
    before = graph_of(root).steps["keyframe:2"].key
    wf = root / "workflows" / "keyframe.json"
    doc = json.loads(wf.read_text())
    doc["3"]["inputs"]["strength"] = 0.5
    wf.write_text(json.dumps(doc))
    assert graph_of(root).steps["keyframe:2"].key != before


# --- the shipped templates ------------------------------------------------------------------
TEMPLATES = resources.files("aktion") / "templates" / "comfyui"
CORE = json.loads((HERE / "object_info.json").read_text())["nodes"]
CUSTOM = json.loads((HERE / "custom_nodes.json").read_text())["nodes"]
NAMES = sorted(p.name.removesuffix(".json") for p in TEMPLATES.iterdir()
               if p.name.endswith(".json"))


def template(name: str) -> tuple[dict, dict, Path]:
    with resources.as_file(TEMPLATES / f"{name}.json") as path:
        table = tomllib.loads((TEMPLATES / f"{name}.toml").read_text())["comfyui"]
        (kind, settings), = table.items()
        return json.loads(path.read_text()), {"kind": kind, **settings}, path


def test_there_is_a_template_for_each_model_family() -> None:
    assert NAMES == ["ltxv_motion", "sdxl_depth_ipadapter_keyframe", "wan_vace_extend",
                     "wan_vace_motion"]


@pytest.mark.parametrize("name", NAMES)
def test_a_template_passes_plan_time_checks(name: str) -> None:
    _, settings, path = template(name)
    kind = settings.pop("kind")
    wf = load_step(kind, path, f"{name}.toml", settings)
    expected = {"sdxl_depth_ipadapter_keyframe": {"depth", "layout", "refs"},
                "wan_vace_motion": {"first_frame", "pose"},
                "wan_vace_extend": {"last_frames", "pose"},
                "ltxv_motion": {"first_frame"}}[name]
    assert wf.conditioning() == frozenset(expected)


def _spec(cls: str) -> dict:
    return CORE.get(cls) or CUSTOM[cls]


@pytest.mark.parametrize("name", NAMES)
def test_a_template_is_wired_to_real_inputs(name: str) -> None:
    nodes, settings, _ = template(name)
    for node_id, node in nodes.items():
        spec = _spec(node["class_type"])
        declared = {**spec["input"].get("required", {}), **spec["input"].get("optional", {})}
        assert set(spec["input"].get("required", {})) <= set(node["inputs"]), node_id
        for field, value in node["inputs"].items():
            assert field in declared, f"{name}: node {node_id} has no input {field}"
            if isinstance(value, list):  # a link: the upstream output's type must fit
                src = _spec(nodes[value[0]]["class_type"])
                out_type = src["output"][value[1]]
                in_type = declared[field][0]
                assert in_type in (out_type, "*"), \
                    f"{name}: {node_id}.{field} wants {in_type}, gets {out_type}"
    for targets in settings["inputs"].values():
        for target in targets if isinstance(targets, list) else [targets]:
            node, _, field = target.partition(".")
            assert field in {**_spec(nodes[node]["class_type"])["input"]["required"],
                             **_spec(nodes[node]["class_type"])["input"].get("optional", {})}


@pytest.mark.parametrize("name", NAMES)
def test_the_real_server_refused_a_template_only_for_its_absent_models(name: str) -> None:
    import hashlib

    recorded = json.loads((HERE / "template_validation.json").read_text())["templates"]
    seen = recorded[f"{name}.json"]
    with resources.as_file(TEMPLATES / f"{name}.json") as path:
        assert seen["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), \
            "the template changed: run tests/fixtures/comfyui/record.py against a server"
    reply = seen["response"]
    if name.startswith("sdxl_depth_ipadapter"):  # its custom nodes are not on the server
        assert "IPAdapterUnifiedLoader does not exist" in reply["error"]["message"]
        return
    kinds = {r["type"] for e in reply["node_errors"].values() for r in e["errors"]}
    assert kinds <= {"value_not_in_list", "custom_validation_failed"}, kinds
    for err in reply["node_errors"].values():
        for r in err["errors"]:
            if r["type"] == "custom_validation_failed":  # only the files Aktion uploads
                assert "Invalid image file" in r["details"] or "Invalid video file" in \
                    r["details"]
            else:
                assert r["details"].split(":")[0] in ("ckpt_name", "clip_name", "vae_name",
                                                      "unet_name")
