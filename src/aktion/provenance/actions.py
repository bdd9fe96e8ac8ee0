"""What a step did, in C2PA's vocabulary: actions, ingredients, digital source types.

The IPTC digital source type says honestly how the pixels came to be:
``algorithmicMedia`` for previz (rendered by a program, no trained model),
``trainedAlgorithmicMedia`` for generated media, ``compositeWithTrainedAlgorithmicMedia``
for a cut containing generated shots (``compositeSynthetic`` for a cut of previz).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
ALGORITHMIC = "algorithmicMedia"
TRAINED = "trainedAlgorithmicMedia"
COMPOSITE_TRAINED = "compositeWithTrainedAlgorithmicMedia"
COMPOSITE_SYNTHETIC = "compositeSynthetic"

# Backends that draw with code, not with a trained model.
ALGORITHMIC_BACKENDS = frozenset({"previz", "editor"})
# c2pa.opened a parent clip (the input named "video", else the first), then c2pa.edited
DERIVED_KINDS = frozenset({"extend", "restyle", "trim", "speed"})
COMPOSITE_KINDS = frozenset({"cut"})  # c2pa.created from components, then c2pa.edited

Relationship = Literal["parentOf", "componentOf", "inputTo"]


def source_type_url(term: str) -> str:
    return term if term.startswith("http") else IPTC + term


@dataclass(frozen=True)
class Ingredient:
    """A file this asset was made from; its own manifest (if any) is kept inside ours."""

    path: Path
    relationship: Relationship = "inputTo"
    title: str | None = None


@dataclass(frozen=True)
class Action:
    """One C2PA action; ``ingredients`` are indexes into the asset's ingredient list."""

    action: str
    digital_source_type: str | None = None
    description: str | None = None
    ingredients: tuple[int, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_json(self, labels: Sequence[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action}
        if self.digital_source_type:
            out["digitalSourceType"] = source_type_url(self.digital_source_type)
        if self.description:
            out["description"] = self.description
        params = dict(self.parameters)
        if self.ingredients:
            params["ingredientIds"] = [labels[i] for i in self.ingredients]
        if params:
            out["parameters"] = params
        return out


def source_type_for(step_kind: str, backend: str,
                    ingredient_types: Sequence[str | None] = ()) -> str | None:
    """The IPTC term for an asset, from who made it and what it is made of.

    A cut is a composite; a trim or speed change by the editor keeps its parent's
    type (None if the parent declares none); anything a trained model drew is
    ``trainedAlgorithmicMedia``; what code drew is ``algorithmicMedia``.
    """
    known = [t for t in ingredient_types if t]
    if step_kind in COMPOSITE_KINDS:
        generated = any(t.endswith((TRAINED, COMPOSITE_TRAINED)) for t in known)
        return COMPOSITE_TRAINED if generated else COMPOSITE_SYNTHETIC
    if step_kind in DERIVED_KINDS and backend in ALGORITHMIC_BACKENDS:
        return ingredient_types[0] if ingredient_types else None
    return ALGORITHMIC if backend in ALGORITHMIC_BACKENDS else TRAINED


def ingredients_for(step_kind: str, parents: Sequence[Path],
                    titles: Sequence[str] | None = None) -> list[Ingredient]:
    """Default relationships: a cut's shots are components; an extend, restyle, trim or
    speed change opens its parent clip; every other input conditions the step."""
    names = list(titles) if titles else []
    parent = names.index("video") if "video" in names else 0
    out = []
    for i, p in enumerate(parents):
        if step_kind in COMPOSITE_KINDS:
            rel: Relationship = "componentOf"
        elif step_kind in DERIVED_KINDS and i == parent:
            rel = "parentOf"
        else:
            rel = "inputTo"
        out.append(Ingredient(Path(p), rel, titles[i] if titles else None))
    return out


def actions_for(step_kind: str, source_type: str | None,
                ingredients: Sequence[Ingredient]) -> list[Action]:
    """The action list C2PA expects: created (or opened), then edited where it applies."""
    idx = tuple(range(len(ingredients)))
    if step_kind in DERIVED_KINDS:
        parents = tuple(i for i in idx if ingredients[i].relationship == "parentOf")
        others = tuple(i for i in idx if i not in parents)
        if parents:
            return [Action("c2pa.opened", ingredients=parents[:1]),
                    Action("c2pa.edited", source_type, description=step_kind,
                           ingredients=others)]
    if step_kind in COMPOSITE_KINDS:
        return [Action("c2pa.created", source_type, description=f"{step_kind} created"),
                Action("c2pa.edited", description=f"{step_kind}: {len(idx)} shots joined",
                       ingredients=idx)]
    return [Action("c2pa.created", source_type, description=step_kind, ingredients=idx)]
