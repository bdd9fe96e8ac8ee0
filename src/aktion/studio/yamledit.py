"""Edit a YAML source over its ETag: changed in place by the shared round-trip writer
(comments, layout and time notation kept), and checked before it is saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel
from ruamel.yaml.error import YAMLError

from aktion.production import roundtrip
from aktion.production.errors import ProductionError
from aktion.production.load import validate_doc

from .context import issues_json


def parse(text: str, path: Path) -> Any:
    try:
        return roundtrip.load(text)
    except YAMLError as e:
        raise HTTPException(422, {"issues": [{"file": path.name, "line": None,
                                              "message": f"YAML syntax: {e}"}]}) from None


def edit(path: Path, root: Path, model: type[BaseModel] | None, fps: int,
         change: roundtrip.Changes, create: bool = False) -> Any:
    """A text transform for ``write_versioned``: change the document, validate, write."""

    def apply(current: str | None) -> str:
        if current is None and not create:
            raise HTTPException(404, f"{path.name} does not exist")
        if current:
            parse(current, path)  # a syntax error is the director's to fix: say where
        text = roundtrip.edit_text(current, change, fps)
        if model is not None:
            try:
                validate_doc(model, path, parse(text, path), fps)
            except ProductionError as e:
                raise HTTPException(422, {"issues": issues_json(root, e.issues)}) from None
        return text

    return apply
