"""Embed a C2PA manifest in an asset: who signed it, what made it, from which parents.

Each parent is added as an ingredient together with its own manifest, so a
scene's cut carries the manifests of its shots, theirs of their keyframes, and
so on: the whole tree travels inside one file. A parent whose manifest is
invalid, or signed by someone neither the user nor the signer trusts, is refused:
signing over it would lend it our name. A picture that carries a watermark gets
the manifest label the mark stands for and a ``c2pa.soft-binding`` assertion
declaring it. The signed file appears at its destination only when complete
(temp file, fsync, rename).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import c2pa

from aktion import __version__
from aktion.production.digest import digest_file as sha256_file

from .actions import Action, Ingredient, actions_for
from .assertion import LABEL
from .context import make_context
from .errors import SigningError
from .identity import Identity
from .redact import assert_clean, env_secrets, scrub
from .watermark import ALG, manifest_label

SOFT_BINDING = "c2pa.soft-binding"

FORMATS = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
    ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".wav": "audio/wav",
}


@dataclass(frozen=True)
class Signed:
    path: Path
    sha256: str
    manifest_bytes: int
    seconds: float


def media_type(path: Path) -> str | None:
    """The MIME type c2pa can embed a manifest in, or None (ledger-only files)."""
    return FORMATS.get(Path(path).suffix.lower())




def has_manifest(path: Path, fmt: str) -> bool:
    """Whether the file already carries a C2PA manifest (valid or not)."""
    try:
        with Path(path).open("rb") as f:
            c2pa.Reader(fmt, f).close()
    except c2pa.C2paError:  # none, or unreadable: signing will say what is wrong
        return False
    return True


def number_arrays(value: Any, where: str = "") -> list[str]:
    """Paths of arrays of numbers, which the SDK's JSON report would garble."""
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in number_arrays(v, f"{where}.{k}")]
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, int | float) for v in value):
            return [where or "."]
        return [p for i, v in enumerate(value) for p in number_arrays(v, f"{where}[{i}]")]
    return []


def soft_binding(mark: str | None, spans: Sequence[tuple[float, float, str]] = (),
                 ) -> dict[str, Any] | None:
    """The ``c2pa.soft-binding`` assertion: the mark in every frame (scope: the whole
    asset), or one block per time span (milliseconds) for a composite whose parts carry
    their own."""
    blocks = [{"scope": {}, "value": base64.b64encode(bytes.fromhex(mark)).decode()}
              ] if mark else []
    blocks += [{"scope": {"timespan": {"start": round(a * 1000), "end": round(b * 1000)}},
                "value": base64.b64encode(bytes.fromhex(m)).decode()} for a, b, m in spans]
    if not blocks:
        return None
    return {"label": SOFT_BINDING, "data": {"alg": ALG, "blocks": blocks}}


def check_ingredient(path: Path, fmt: str, anchors_pem: str | None) -> None:
    """Refuse a parent whose manifest is invalid or whose signer nobody here trusts.

    A parent without a manifest is allowed: it is a plain input, and recorded as one."""
    try:
        with Path(path).open("rb") as f:
            reader = c2pa.Reader(fmt, f, context=make_context(anchors_pem))
            try:
                store = json.loads(reader.json())
            finally:
                reader.close()
    except c2pa.C2paError.ManifestNotFound:
        return
    except c2pa.C2paError as e:
        raise SigningError(f"ingredient {path.name}: its manifest cannot be read ({e}); "
                           "refusing to sign over it") from None
    state = store.get("validation_state")
    if state == "Trusted":
        return
    fails = (store.get("validation_results") or {}).get("activeManifest", {}).get("failure", [])
    codes = ", ".join(sorted({str(f.get("code")) for f in fails})) or "no trusted signer"
    what = "signed by someone not trusted" if state == "Valid" else "invalid"
    raise SigningError(f"ingredient {path.name}: {what} ({codes}); refusing to sign over it")


def _manifest(title: str, actions: list[dict[str, Any]],
              aktion_assertion: Mapping[str, Any] | None) -> dict[str, Any]:
    assertions: list[dict[str, Any]] = [{"label": "c2pa.actions.v2", "data": {"actions": actions}}]
    if aktion_assertion is not None:
        bad = number_arrays(aktion_assertion)
        if bad:
            raise SigningError(
                f"the {LABEL} assertion has arrays of numbers at {', '.join(bad)}: C2PA "
                "readers report them as bytes; put them in a JSON text field")
        assertions.append({"label": LABEL, "data": scrub(dict(aktion_assertion), by_name=False)})
    return {
        "claim_generator_info": [{"name": "aktion", "version": __version__}],
        "title": title,
        "assertions": assertions,
    }


def sign_asset(
    src: Path,
    dst: Path,
    *,
    asset_kind: str,
    digital_source_type: str | None,
    identity: Identity,
    actions: Sequence[Action] | None = None,
    ingredients: Sequence[Ingredient] = (),
    aktion_assertion: Mapping[str, Any] | None = None,
    title: str | None = None,
    replace_manifest: bool = False,
    mark: str | None = None,
    mark_spans: Sequence[tuple[float, float, str]] = (),
    trust_pem: str | None = None,
) -> Signed:
    """Sign ``src`` into ``dst`` (which may be ``src``) with a C2PA manifest.

    ``asset_kind`` is the step kind that made the asset (layout, render, cut, ...);
    with ``actions`` left out it picks C2PA's action list (``actions_for``).
    ``digital_source_type`` is an IPTC term (``trainedAlgorithmicMedia``) or URL; None
    only for an edit that keeps its parent's (a trim of a clip that declares none).
    ``mark`` is the watermark already in ``src``'s pixels (``mark_spans``: the marks of
    a composite's parts, by time); ``trust_pem``: the user's anchors, trusted for
    ingredients beside the signer's own.
    """
    from aktion.media.atomic import atomic_path

    src, dst = Path(src), Path(dst)
    fmt = media_type(dst)
    if fmt is None or media_type(src) != fmt:
        raise SigningError(f"{dst.name}: cannot embed a C2PA manifest in this format")
    if not replace_manifest and has_manifest(src, fmt):
        raise SigningError(
            f"{src.name} is already signed: signing it again would drop its history; add it "
            "as a parentOf ingredient of a new asset (or pass replace_manifest=True)")
    labels = [f"ingredient-{i}" for i in range(len(ingredients))]
    plan = list(actions) if actions is not None else actions_for(
        asset_kind, digital_source_type, ingredients)
    manifest = _manifest(title or dst.name, [a.to_json(labels) for a in plan], aktion_assertion)
    binding = soft_binding(mark, mark_spans)
    if binding is not None:
        manifest["assertions"].append(binding)
    if mark:
        manifest["label"] = manifest_label(mark)
    secrets = env_secrets()
    t0 = time.perf_counter()
    anchors = (trust_pem or "") + identity.anchor_pem
    context = make_context(anchors)
    try:
        builder = c2pa.Builder(manifest, context)
        for label, ing in zip(labels, ingredients, strict=True):
            ing_fmt = media_type(ing.path)
            if ing_fmt is None:
                raise SigningError(f"ingredient {ing.path.name}: not a format C2PA can read")
            check_ingredient(ing.path, ing_fmt, anchors)
            meta = {"title": ing.title or ing.path.name, "relationship": ing.relationship,
                    "label": label}
            with ing.path.open("rb") as fh:
                builder.add_ingredient(meta, ing_fmt, fh)
        # dst may be src: the rename happens only after the source is fully read.
        with atomic_path(dst) as tmp, src.open("rb") as source, tmp.open("w+b") as out:
            manifest_bytes = builder.sign(identity.signer(), fmt, source, out)
            assert_clean(manifest_bytes, f"the manifest of {dst.name}", secrets)
    except c2pa.C2paError as e:
        raise SigningError(f"{dst.name}: signing failed: {e}") from None
    return Signed(dst, sha256_file(dst), len(manifest_bytes), time.perf_counter() - t0)
