"""Which weight files a model folder load will read, checked before anything is loaded.

A full download from the hub keeps safetensors and pickle files side by side
(``diffusion_pytorch_model.safetensors`` beside ``diffusion_pytorch_model.bin``,
``model.safetensors`` beside ``pytorch_model.bin``, ``v1-5-pruned.ckpt`` at the
top). The safetensors are used and the pickles ignored: a pickle can run code
when loaded, so it is never opened. A component whose weights exist *only* as a
pickle is refused, naming the file. The tensors' sizes are read from the
safetensors headers (a few kilobytes; no tensor data), which is what the memory
estimate is built on.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from .base import BackendError

PICKLE_SUFFIXES = frozenset({".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"})
_SHARD = re.compile(r"-\d{5}-of-\d{5}$")
_ITEMSIZE = {"F64": 8, "I64": 8, "U64": 8, "F32": 4, "I32": 4, "U32": 4, "F16": 2, "BF16": 2,
             "I16": 2, "U16": 2, "F8_E4M3": 1, "F8_E5M2": 1, "I8": 1, "U8": 1, "BOOL": 1}
# Config files that mark a folder as holding a model (weights) rather than a tokenizer,
# scheduler or image processor (which have none).
MODEL_CONFIGS = ("config.json",)


@dataclass(frozen=True)
class Weights:
    """The safetensors files one component loads, and the parameters they hold."""

    files: tuple[Path, ...]
    params: int  # floating-point elements (what a dtype cast resizes)
    other_bytes: int  # integer/bool buffers, kept as they are

    def nbytes(self, itemsize: int) -> int:
        return self.params * itemsize + self.other_bytes


def variant_of(name: str) -> str | None:
    """``diffusion_pytorch_model.fp16.safetensors`` -> ``fp16``; no variant -> None."""
    stem = name.removesuffix(".safetensors")
    parts = stem.split(".")
    return _SHARD.sub("", parts[1]) if len(parts) > 1 else None


def weight_files(folder: Path, variant: str | None, what: str) -> tuple[Path, ...]:
    """The safetensors a component folder loads (the ``variant``'s when it has them).

    Raises naming the file when the weights are there only as pickle."""
    safe = sorted(p for p in folder.glob("*.safetensors") if p.is_file())
    chosen = [p for p in safe if variant and variant_of(p.name) == variant]
    if not chosen:
        chosen = [p for p in safe if variant_of(p.name) is None]
    if chosen:
        return tuple(chosen)
    pickles = sorted(p for p in folder.iterdir() if p.suffix.lower() in PICKLE_SUFFIXES)
    if pickles:
        raise BackendError(
            f"{what}: {pickles[0]} is pickle weights with no .safetensors beside it: refusing "
            "it (a pickle can run code when loaded); convert it to .safetensors")
    if safe:  # only other variants (e.g. only .fp16 files and no variant asked for)
        have = sorted({v for p in safe if (v := variant_of(p.name))})
        raise BackendError(f"{what}: {folder} holds only the {', '.join(have)} variant of its "
                           f"weights; set variant = \"{have[0]}\"")
    raise BackendError(f"{what}: {folder} has no .safetensors weights")


def header_sizes(path: Path) -> tuple[int, int]:
    """(floating-point elements, bytes of other tensors) from a safetensors header."""
    try:
        with path.open("rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            if n > 100_000_000:
                raise ValueError("header too large")
            header = json.loads(f.read(n))
    except (OSError, ValueError, struct.error) as e:
        raise BackendError(f"{path}: not a readable safetensors file ({e})") from None
    params = other = 0
    for name, info in header.items():
        if name == "__metadata__":
            continue
        count = 1
        for d in info.get("shape", []):
            count *= int(d)
        if info.get("dtype", "").startswith(("F", "BF")):
            params += count
        else:
            other += count * _ITEMSIZE.get(info.get("dtype", ""), 1)
    return params, other


def component_weights(folder: Path, variant: str | None, what: str) -> Weights:
    files = weight_files(folder, variant, what)
    params = other = 0
    for f in files:
        p, o = header_sizes(f)
        params, other = params + p, other + o
    return Weights(files, params, other)


def pipeline_components(folder: Path) -> dict[str, tuple[str, str]]:
    """``model_index.json``'s components: name -> (library, class); absent ones left out."""
    index = folder / "model_index.json"
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BackendError(f"{index}: not a readable pipeline index ({e})") from None
    out = {}
    for name, value in data.items():
        if name.startswith("_") or not isinstance(value, list) or len(value) != 2:
            continue
        if value[0] is None or value[1] is None:
            continue
        out[name] = (str(value[0]), str(value[1]))
    return out


def class_name(folder: Path) -> str | None:
    """The pipeline class a folder was saved from (``model_index.json``'s ``_class_name``)."""
    index = folder / "model_index.json"
    if not index.is_file():
        return None
    try:
        return json.loads(index.read_text(encoding="utf-8")).get("_class_name")
    except ValueError:
        raise BackendError(f"{index}: not valid JSON") from None


def model_weights(folder: Path, what: str, variant: str | None = None,
                  skip: tuple[str, ...] = ()) -> dict[str, Weights]:
    """Per component, the weights a load of ``folder`` reads; checked before loading.

    ``folder`` is a pipeline (``model_index.json`` + one subfolder per component) or a
    single model (``config.json`` + weights). Components in ``skip`` are passed to the
    pipeline by the caller (or left out) and are not read from the folder."""
    if not folder.is_dir():
        raise BackendError(f"{what}: model folder {folder} not found (no download at run time)")
    if not (folder / "model_index.json").is_file():
        if not (folder / "config.json").is_file():
            raise BackendError(f"{what}: {folder} has neither model_index.json (a pipeline) "
                               "nor config.json (a model)")
        return {"": component_weights(folder, variant, what)}
    out = {}
    for name in pipeline_components(folder):
        sub = folder / name
        if name in skip:
            continue
        if not sub.is_dir():
            raise BackendError(f"{what}: {folder}/model_index.json names `{name}` but there is "
                               f"no {name}/ folder")
        if any((sub / c).is_file() for c in MODEL_CONFIGS):
            out[name] = component_weights(sub, variant, f"{what} ({name})")
    return out


def check_folder(folder: Path, what: str, variant: str | None = None,
                 skip: tuple[str, ...] = ()) -> Path:
    """A model folder whose every component has safetensors weights (pickles beside ignored)."""
    model_weights(folder, what, variant, skip)
    return folder


def single_file(folder_or_file: Path, weight_name: str | None, setting: str) -> Path:
    """One weight file named directly, or by ``<setting>_weight_name`` inside a folder.

    A folder with a single .safetensors file at its top needs no name."""
    path = folder_or_file
    if weight_name:
        path = folder_or_file / weight_name
    elif folder_or_file.is_dir():
        found = sorted(folder_or_file.glob("*.safetensors"))
        if len(found) != 1:
            names = ", ".join(p.name for p in found) or "none"
            raise BackendError(
                f"{setting}: {folder_or_file} holds {len(found)} .safetensors files at its top "
                f"({names}); set {setting}_weight_name to the one to use")
        path = found[0]
    if not path.is_file():
        raise BackendError(f"{setting}: weight file {path} not found (no download at run time)")
    if path.suffix.lower() in PICKLE_SUFFIXES:
        raise BackendError(f"{setting}: {path.name} is a pickle: refusing it; use the "
                           ".safetensors file (or convert it)")
    if path.suffix != ".safetensors":
        raise BackendError(f"{setting}: {path.name} is not a .safetensors file")
    return path
