"""A step's ComfyUI workflow: read, checked against its mapping, and filled.

A workflow is the *API format* ComfyUI exports with "Export (API)": node id ->
``{class_type, inputs}``. The ``[comfyui.<kind>]`` table of ``backends.toml`` maps
Aktion's values onto node inputs (``inputs = {prompt = "6.text"}``); a value may go
to several inputs (``seed = ["3.seed", "14.noise_seed"]``). Everything here runs at
plan time, so a missing file, bad JSON, the editor's UI format or a mapping that
names a node or input the workflow does not have is one line naming the file and
the setting, before anything renders.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aktion.generation.config import BackendContext, ConfigError

from .base import BackendError

KINDS = ("keyframe", "motion", "extend", "restyle")
SETTINGS = ("url", "workflows", "timeout", "poll")  # the [comfyui] table's own keys
# Values Aktion computes for every step, by mapping name.
COMMON = ("prompt", "negative", "seed", "width", "height", "fps")
# A clip step's length: ``frames`` returned; ``new_frames`` made after the frame it starts
# from (the keyframe, or the clip's last frame); ``pass_frames`` = new_frames + 1.
CLIP_VALUES = ("frames", "new_frames", "pass_frames")
SOURCE_VALUES = ("source_frames", "last_frame")  # from the input clip
# Files each step receives from the steps before it (see the shot graph).
STEP_FILES = {"keyframe": ("depth", "frame"), "motion": ("image", "guide"),
              "extend": ("video", "guide"), "restyle": ("video",)}
# What each file, once mapped, lets the step honour (the router's conditioning names).
HONOURS = {"depth": ("depth", "layout"), "frame": ("layout",), "image": ("first_frame",),
           "guide": ("pose",), "video": ("video",)}
REF_PREFIXES = ("ref:", "ref_weight:")
# Nodes whose files are a workflow's result, when ``output`` does not name one.
SAVE_NODES = ("SaveImage", "SaveVideo", "SaveAnimatedWEBP", "SaveAnimatedPNG", "SaveWEBM",
              "VHS_VideoCombine")


@dataclass(frozen=True)
class Target:
    node: str
    input: str

    def __str__(self) -> str:
        return f"{self.node}.{self.input}"


@dataclass(frozen=True)
class StepWorkflow:
    """One step kind's workflow file, its checked mapping and its result node."""

    kind: str
    path: Path
    setting: str  # where it was configured, for messages
    nodes: dict[str, Any]
    mapping: dict[str, tuple[Target, ...]]
    output: str
    digest: str
    max_frames: int | None = None

    def conditioning(self) -> frozenset[str]:
        """What the mapping actually feeds the workflow: nothing more is advertised."""
        honoured: set[str] = set()
        for name in self.mapping:
            honoured.update(HONOURS.get(name, ()))
            if name == "refs" or name.startswith("ref:"):
                honoured.add("refs")
        if self.kind == "extend" and "video" in self.mapping:
            honoured.discard("video")
            honoured.add("last_frames")
        return frozenset(honoured)

    def fill(self, values: dict[str, Any]) -> dict[str, Any]:
        """A copy of the workflow with each mapped input set.

        A list value spreads over the targets of its name, one item each (reference
        images); any other value goes to every target."""
        prompt = copy.deepcopy(self.nodes)
        for name, targets in self.mapping.items():
            if name not in values:
                raise BackendError(f"comfyui: the {self.kind} step has no `{name}` to give "
                                   f"{self.path.name} (mapped in [comfyui.{self.kind}] inputs)")
            value = values[name]
            for i, t in enumerate(targets):
                prompt[t.node]["inputs"][t.input] = value[i] if isinstance(value, list) \
                    else value
        return prompt


def allowed_names(kind: str) -> tuple[str, ...]:
    names = COMMON + STEP_FILES[kind]
    if kind != "keyframe":
        names += CLIP_VALUES
    if kind in ("extend", "restyle"):
        names += SOURCE_VALUES
    return names + ("refs", "ref_weight")


def workflow_setting(kind: str, config: dict[str, Any]) -> tuple[str | None, str]:
    """The workflow file of a step and the setting that names it (or None)."""
    table = config.get(kind)
    if isinstance(table, dict) and table.get("workflow"):
        return str(table["workflow"]), f"[comfyui.{kind}] workflow"
    if config.get("workflows"):
        return f"{config['workflows']}/{kind}.json", f"[comfyui] workflows (default {kind}.json)"
    return None, ""


def load_steps(config: dict[str, Any], context: BackendContext) -> dict[str, StepWorkflow]:
    """Every configured step's workflow, checked. A folder's missing ``<kind>.json`` is
    simply not offered; a file a table names, or a table without a file, is an error."""
    for key, value in config.items():
        if isinstance(value, dict) and key not in KINDS:
            raise ConfigError(f"backends.toml [comfyui.{key}]: not a step (expected one of "
                              f"{', '.join(KINDS)})")
        if not isinstance(value, dict) and key not in SETTINGS:
            raise ConfigError(f"backends.toml [comfyui] {key}: unknown setting (expected "
                              f"{', '.join(SETTINGS)}, or a [comfyui.<step>] table)")
    steps = {}
    for kind in KINDS:
        rel, setting = workflow_setting(kind, config)
        table = config.get(kind)
        if rel is None:
            if isinstance(table, dict):
                raise ConfigError(f"backends.toml [comfyui.{kind}]: no `workflow` and no "
                                  "[comfyui] workflows folder to find one in")
            continue
        path = context.path(rel)
        if not path.is_file() and not isinstance(table, dict):
            continue  # the folder has no workflow for this step
        steps[kind] = load_step(kind, path, setting, table if isinstance(table, dict) else {})
    return steps


def load_step(kind: str, path: Path, setting: str, table: dict[str, Any]) -> StepWorkflow:
    where = f"{path} ({setting})"
    if not path.is_file():
        raise ConfigError(f"{where}: no such workflow file")
    raw = path.read_bytes()
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        at = f":{e.lineno}:{e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        raise ConfigError(f"{path}{at}: not valid JSON ({setting}): "
                          f"{getattr(e, 'msg', e)}") from None
    nodes = api_nodes(doc, where)
    mapping = parse_mapping(kind, table.get("inputs", {}), nodes, path)
    output = output_node(table.get("output"), nodes, path, kind)
    max_frames = table.get("max_frames")
    if max_frames is not None and (not isinstance(max_frames, int) or max_frames < 1):
        raise ConfigError(f"backends.toml [comfyui.{kind}] max_frames: expected a positive "
                          f"whole number of frames, got {max_frames!r}")
    extra = {k: v for k, v in table.items()
             if k not in ("workflow", "inputs", "output", "max_frames")}
    if extra:
        raise ConfigError(f"backends.toml [comfyui.{kind}]: unknown setting(s) "
                          f"{', '.join(sorted(extra))} (expected workflow, inputs, output, "
                          "max_frames)")
    return StepWorkflow(kind, path, setting, nodes, mapping, output,
                        hashlib.sha256(raw).hexdigest(), max_frames)


def api_nodes(doc: Any, where: str) -> dict[str, Any]:
    """The node table of an API-format workflow; the editor's format is named as such."""
    if isinstance(doc, dict) and isinstance(doc.get("nodes"), list) and "links" in doc:
        raise ConfigError(f"{where}: this is the editor's (UI) workflow format; export it "
                          "with Export (API) in ComfyUI's menu and point the setting at that "
                          "file")
    if not isinstance(doc, dict) or not doc:
        raise ConfigError(f"{where}: expected an API-format workflow (node id -> "
                          "{class_type, inputs}), got " + type(doc).__name__)
    for node_id, node in doc.items():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str) or \
                not isinstance(node.get("inputs"), dict):
            raise ConfigError(f"{where}: node {node_id} is not {{class_type, inputs}}; is "
                              "this an API-format export?")
    return doc


def parse_mapping(kind: str, raw: Any, nodes: dict[str, Any],
                  path: Path) -> dict[str, tuple[Target, ...]]:
    setting = f"backends.toml [comfyui.{kind}] inputs"
    if not isinstance(raw, dict):
        raise ConfigError(f"{setting}: expected a table of name = \"node.input\"")
    allowed = allowed_names(kind)
    mapping: dict[str, tuple[Target, ...]] = {}
    for name, spec in raw.items():
        if name not in allowed and not (name.startswith(REF_PREFIXES) and name.partition(":")[2]):
            raise ConfigError(f"{setting}: `{name}` is not a value of the {kind} step "
                              f"(it has: {', '.join(allowed)}, ref:<character id>, "
                              "ref_weight:<character id>)")
        specs = spec if isinstance(spec, list) else [spec]
        if not specs:
            raise ConfigError(f"{setting}: `{name}` maps to no input")
        targets = []
        for s in specs:
            node, dot, field_ = str(s).partition(".")
            if not isinstance(s, str) or not dot or not field_:
                raise ConfigError(f"{setting}: `{name} = {s!r}`: expected \"node.input\", "
                                  "e.g. \"6.text\"")
            if node not in nodes:
                raise ConfigError(f"{setting}: `{name} = \"{s}\"`: {path} has no node {node}")
            if field_ not in nodes[node]["inputs"]:
                have = ", ".join(nodes[node]["inputs"]) or "none"
                raise ConfigError(f"{setting}: `{name} = \"{s}\"`: node {node} "
                                  f"({nodes[node]['class_type']}) in {path} has no input "
                                  f"`{field_}` (it has: {have})")
            targets.append(Target(node, field_))
        mapping[name] = tuple(targets)
    return mapping


def output_node(named: Any, nodes: dict[str, Any], path: Path, kind: str) -> str:
    if named is not None:
        if str(named) not in nodes:
            raise ConfigError(f"backends.toml [comfyui.{kind}] output: {path} has no node "
                              f"{named}")
        return str(named)
    found = [i for i, n in nodes.items() if n["class_type"] in SAVE_NODES]
    if len(found) == 1:
        return found[0]
    listed = ", ".join(f"{i} ({nodes[i]['class_type']})" for i in found) or "none"
    raise ConfigError(f"backends.toml [comfyui.{kind}]: set `output` to the node whose files "
                      f"are the result ({path} has save nodes: {listed})")
