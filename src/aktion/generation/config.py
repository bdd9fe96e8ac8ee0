"""``backends.toml``: which generative backends a production may use, and their models.

Kept beside ``aktion.toml`` (whose tables are the production format's) because it
names machine-local things: model folders, server URLs. Relative paths resolve
against the production folder. A backend with no table here is not offered to
the router for generative steps: a model it cannot find is no model at all.

    [diffusers.keyframe]
    model = "models/sd"            # a pipeline folder: SD 1.x/2.x, SDXL or Flux
    controlnet = "models/cn-depth" # a depth ControlNet folder
    ip_adapter = "models/ip"       # an IP-Adapter .safetensors (or its folder) ...
    ip_adapter_weight_name = "models/ip-adapter_sd15.safetensors"  # ... and the file in it
    [diffusers.motion]
    model = "models/wan-vace"      # a WanVACEPipeline folder
    max_frames = 17

The settings each diffusers table reads are listed in ``DIFFUSERS_SETTINGS``; a
value of the wrong type is a ``ConfigError`` naming the table and the key.

    [comfyui]
    url = "http://127.0.0.1:8188"
    workflows = "workflows"        # keyframe.json, motion.json ... (API format)

    [route]
    final = ["diffusers", "comfyui"]   # preference order per policy (optional)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BACKENDS_FILE = "backends.toml"


class ConfigError(ValueError):
    """backends.toml is unreadable or names something that is not there."""


@dataclass(frozen=True)
class BackendContext:
    """What a backend needs beyond the request: its config table and the production folder."""

    root: Path
    cast_dir: Path
    config: dict[str, Any] = field(default_factory=dict)

    def path(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.root / p)


_PATH, _INT, _NUM, _BOOL = "a path", "a whole number", "a number", "true or false"
_COMMON = {"model": _PATH, "variant": "a variant name such as \"fp16\"",
           "dtype": "\"float16\", \"bfloat16\" or \"float32\"",
           "offload": "true, false or \"auto\"", "memory_gib": _NUM, "steps": _INT,
           "size": _INT, "guidance": _NUM, "control_scale": _NUM}
DIFFUSERS_SETTINGS: dict[str, dict[str, str]] = {
    "keyframe": {**_COMMON, "controlnet": _PATH, "ip_adapter": _PATH,
                 "ip_adapter_weight_name": _PATH, "ip_adapter_image_encoder": _PATH,
                 "ip_scale": _NUM},
    "motion": {**_COMMON, "flow_shift": _NUM, "max_frames": _INT, "restyle": _BOOL},
}
DTYPES = ("float16", "bfloat16", "float32")


def _valid(key: str, value: Any) -> bool:
    kind = {**DIFFUSERS_SETTINGS["keyframe"], **DIFFUSERS_SETTINGS["motion"]}[key]
    if kind == _INT:
        return isinstance(value, int) and not isinstance(value, bool) and value > 0
    if kind == _NUM:
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    if kind == _BOOL:
        return isinstance(value, bool)
    if key == "offload":
        return isinstance(value, bool) or value == "auto"
    if key == "dtype":
        return value in DTYPES
    return isinstance(value, str) and bool(value.strip())


def check_diffusers_table(kind: str, table: dict[str, Any]) -> dict[str, Any]:
    """The ``[diffusers.<kind>]`` table, its known settings checked for type."""
    if not isinstance(table, dict):
        raise ConfigError(f"{BACKENDS_FILE}: diffusers.{kind} is not a table")
    for key, value in table.items():
        known = DIFFUSERS_SETTINGS[kind]
        if key in known and not _valid(key, value):
            raise ConfigError(f"{BACKENDS_FILE}: diffusers.{kind}.{key} = {value!r}: "
                              f"expected {known[key]}")
    return table


def load_backends_config(root: Path) -> dict[str, Any]:
    path = Path(root) / BACKENDS_FILE
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from None
