"""YAML in and out with line numbers kept, so errors point at the line to fix."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from .errors import ProductionError, SourceIssue


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 100
    return y


def read_yaml(path: Path) -> Any:
    """Parse a YAML file keeping positions; syntax errors become a ``ProductionError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProductionError([SourceIssue(path, None, "file not found")]) from None
    except UnicodeDecodeError as e:
        raise ProductionError([SourceIssue(path, None, f"not UTF-8 text ({e.reason})")]) from None
    try:
        return _yaml().load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = e.problem or e.context or "invalid YAML"
        raise ProductionError(
            [SourceIssue(path, line, f"YAML syntax: {problem}", column=col)]
        ) from None


def plain(node: Any) -> Any:
    """ruamel's commented containers and scalars as plain Python data."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, (int, float)) else k: plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def line_of(doc: Any, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the deepest node of ``loc`` that exists in ``doc``."""
    node, line = doc, None
    if isinstance(doc, (CommentedMap, CommentedSeq)) and doc.lc.line is not None:
        line = doc.lc.line + 1
    for part in loc:
        if isinstance(node, CommentedMap):
            key = part if part in node else next((k for k in node if str(k) == str(part)), None)
            if key is None:
                break
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def dump_yaml(data: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def write_text_atomic(path: Path, text: str) -> None:
    """Write a source file so a crash never leaves it half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
