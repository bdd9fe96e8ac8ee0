"""YAML in and out with line numbers kept, so errors point at the line to fix."""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # ruamel is imported when a file is parsed: a cached one needs none of it
    from ruamel.yaml import YAML

from .compiled import compiled
from .errors import ProductionError, SourceIssue
from .source_files import read_source_text


def _yaml() -> YAML:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 100
    return y


MAX_DEPTH = 64  # nesting levels a source document may have (a boards file uses ~8)
MAX_NODES = 1_000_000  # values once aliases are expanded (a 1000-shot file has ~60000)
MAX_NUMBER = 1e6  # metres, degrees, millimetres: anything bigger is a typo


def read_yaml(path: Path, root: Path | None = None) -> Any:
    """Parse a YAML source keeping positions; every problem becomes a ``ProductionError``.

    The file must be a regular file of bounded size (inside ``root`` when given); its
    nesting, its size once aliases are expanded (no "billion laughs") and its numbers
    (finite, of sane magnitude) are bounded too, each with the line that breaks them."""
    return _parse(path, read_source_text(path, root))


@dataclass(frozen=True)
class LinedDoc:
    """A parsed YAML source as plain data, plus the line of each node (``line_of`` reads
    it as it reads ruamel's nodes): the form the compiled cache keeps.

    ``lines`` is ``[root line, tree]``: a mapping's tree maps each key (as a string) to
    ``[its line, the value's tree]``, a sequence's lists ``[line, tree]`` per item, a
    scalar's is None."""

    data: Any
    lines: Any = field(repr=False)


def read_source_yaml(path: Path, root: Path | None = None) -> LinedDoc | None:
    """``read_yaml`` for a source that is only read (not edited in place): its plain data
    and lines, parsed once per content and then served from the compiled cache.

    The same checks and errors as ``read_yaml``; None for an empty document."""
    text = read_source_text(path, root)

    def build() -> dict[str, Any]:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        doc = _parse(path, text)
        root_line = doc.lc.line + 1 if isinstance(doc, (CommentedMap, CommentedSeq)) and \
            doc.lc.line is not None else None
        return {"data": plain(doc), "lines": [root_line, _line_tree(doc)]}

    value = compiled("yaml", [text.encode("utf-8")], build)
    return None if value["data"] is None else LinedDoc(value["data"], value["lines"])


def safe_table(text: str) -> Any:
    """A packaged YAML table (plain data, no positions wanted), parsed once per content
    and then served from the compiled cache."""

    def build() -> Any:
        from ruamel.yaml import YAML

        return YAML(typ="safe").load(text)

    return compiled("table", [text.encode("utf-8")], build)


def _line_tree(node: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        return {str(k): [node.lc.key(k)[0] + 1, _line_tree(v)] for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [[node.lc.item(i)[0] + 1, _line_tree(v)] for i, v in enumerate(node)]
    return None


def _parse(path: Path, text: str) -> Any:
    from ruamel.yaml.error import MarkedYAMLError

    try:
        doc = _yaml().load(text)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = e.problem or e.context or "invalid YAML"
        raise ProductionError(
            [SourceIssue(path, line, f"YAML syntax: {problem}", column=col)]
        ) from None
    except RecursionError:
        raise ProductionError([SourceIssue(path, None, "nested too deeply to read",
                                           f"at most {MAX_DEPTH} levels")]) from None
    _bounded(path, doc)
    return doc


def _bounded(path: Path, doc: Any) -> None:
    """Walk the document as ``plain`` will, counting values; stop at the first excess."""
    count = 0
    stack: list[tuple[Any, tuple[Any, ...]]] = [(doc, ())]
    while stack:
        node, loc = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ProductionError([SourceIssue(
                path, line_of(doc, loc), f"expands to more than {MAX_NODES:,} values "
                "(aliases repeating aliases?)", "a document of sane size")])
        if len(loc) > MAX_DEPTH:
            raise ProductionError([SourceIssue(path, line_of(doc, loc), "nested too deeply",
                                               f"at most {MAX_DEPTH} levels")])
        if isinstance(node, dict):
            stack.extend((v, (*loc, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*loc, i)) for i, v in enumerate(node))
        elif isinstance(node, float) and not (abs(node) <= MAX_NUMBER):
            where = ".".join(str(p) for p in loc) or "(top level)"
            raise ProductionError([SourceIssue(
                path, line_of(doc, loc), f"`{where}`: got {float(node)!r}",
                f"a finite number within ±{MAX_NUMBER:g}")])


def plain(node: Any) -> Any:
    """ruamel's commented containers and scalars as plain Python data."""
    if isinstance(node, LinedDoc):
        return node.data
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
    if isinstance(doc, LinedDoc):
        line, tree = doc.lines
        for part in loc:
            if isinstance(tree, dict) and str(part) in tree:
                line, tree = tree[str(part)]
            elif isinstance(tree, list) and isinstance(part, int) and 0 <= part < len(tree):
                line, tree = tree[part]
            else:
                break
        return line
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

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
