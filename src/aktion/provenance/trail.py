"""The trail: an asset's manifest tree, read back as plain data for people and machines.

The active manifest's ingredients point at manifests kept in the same store, so
walking them gives the cut -> shots -> keyframes -> ... tree, each node with
what its ``org.aktion.step`` assertion says (step, backend, model, script lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .assertion import LABEL, read_step


@dataclass
class TrailNode:
    title: str
    label: str | None  # the manifest's label; None for an ingredient without a manifest
    relationship: str = "self"
    source_type: str | None = None
    actions: list[str] = field(default_factory=list)
    step: dict[str, Any] = field(default_factory=dict)  # the org.aktion.step data
    signer: str | None = None
    failures: list[str] = field(default_factory=list)  # ingredient validation failures
    script_status: str | None = None  # unchanged, changed or missing (set by verify)
    in_ledger: bool | None = None  # whether its step key is in the ledger (set by verify)
    notes: list[str] = field(default_factory=list)
    children: list[TrailNode] = field(default_factory=list)

    def walk(self) -> list[TrailNode]:
        out = [self]
        for c in self.children:
            out.extend(c.walk())
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title, "manifest": self.label, "relationship": self.relationship,
            "digital_source_type": self.source_type, "actions": self.actions,
            "step": self.step, "signer": self.signer, "failures": self.failures,
            "script_status": self.script_status, "in_ledger": self.in_ledger,
            "notes": self.notes, "children": [c.to_json() for c in self.children],
        }


def _assertion(manifest: dict[str, Any], label: str) -> Any:
    for a in manifest.get("assertions", []):
        if a.get("label") == label or a.get("label", "").startswith(label + "."):
            return a.get("data")
    return None


def _describe(node: TrailNode, manifest: dict[str, Any]) -> None:
    acts = _assertion(manifest, "c2pa.actions") or {}
    for a in acts.get("actions", []):
        node.actions.append(a.get("action", "?"))
        if node.source_type is None and a.get("digitalSourceType"):
            node.source_type = a["digitalSourceType"].rsplit("/", 1)[-1]
    node.step = read_step(_assertion(manifest, LABEL))
    sig = manifest.get("signature_info") or {}
    node.signer = sig.get("common_name") or sig.get("issuer")


def _failures(ingredient: dict[str, Any]) -> list[str]:
    results = (ingredient.get("validation_results") or {}).get("activeManifest") or {}
    return [f"{f.get('code')}: {f.get('explanation', '')}" for f in results.get("failure", [])]


def build_trail(store: dict[str, Any], max_depth: int = 32) -> TrailNode:
    """The tree under the active manifest of a Reader's JSON."""
    manifests = store.get("manifests", {})

    def node(label: str | None, title: str, relationship: str, depth: int) -> TrailNode:
        n = TrailNode(title, label, relationship)
        manifest = manifests.get(label) if label else None
        if manifest is None:
            return n
        _describe(n, manifest)
        if depth >= max_depth:
            n.notes.append("trail cut short: too deep")
            return n
        for ing in manifest.get("ingredients", []):
            child = node(ing.get("active_manifest"), ing.get("title", "?"),
                         ing.get("relationship", "?"), depth + 1)
            child.failures = _failures(ing)
            n.children.append(child)
        return n

    active = store.get("active_manifest")
    title = (manifests.get(active) or {}).get("title", "?") if active else "?"
    return node(active, title, "self", 0)
