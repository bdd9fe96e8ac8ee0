"""Edit a YAML source in place (comments and layout kept) and check it before saving."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from aktion.production.errors import ProductionError
from aktion.production.load import validate_doc
from aktion.production.yamlio import dump_yaml

from .context import issues_json


def parse(text: str, path: Path) -> Any:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    try:
        return y.load(io.StringIO(text))
    except YAMLError as e:
        raise HTTPException(422, {"issues": [{"file": path.name, "line": None,
                                              "message": f"YAML syntax: {e}"}]}) from None


def flow(data: dict[str, Any]) -> CommentedMap:
    """A mapping written on one line, as the production files write beats and marks."""
    m = CommentedMap(data)
    m.fa.set_flow_style()
    return m


def seq(items: list[Any]) -> CommentedSeq:
    return CommentedSeq(items)


def edit(path: Path, root: Path, model: type[BaseModel], fps: int,
         change: Callable[[Any], None]) -> Callable[[str | None], str]:
    """A text transform for ``write_versioned``: parse, change, validate, dump."""

    def apply(current: str | None) -> str:
        if current is None:
            raise HTTPException(404, f"{path.name} does not exist")
        doc = parse(current, path)
        change(doc)
        text = dump_yaml(doc)
        try:
            validate_doc(model, path, parse(text, path), fps)
        except ProductionError as e:
            raise HTTPException(422, {"issues": issues_json(root, e.issues)}) from None
        return text

    return apply
