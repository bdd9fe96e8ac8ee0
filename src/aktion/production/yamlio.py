"""YAML in and out with line numbers kept, so errors point at the line to fix, and
saved the way the director wrote it (see ``roundtrip``): a one-field edit is a one-line diff.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # ruamel is imported when a file is parsed: a cached one needs none of it
    from ruamel.yaml import YAML

    from .roundtrip import Changes

from .compiled import compiled
from .errors import ProductionError, SourceIssue
from .source_files import read_source_text

SOURCE = "_aktion_source_text"
"""Attribute under which ``read_yaml`` keeps a document's text, so ``dump_yaml`` can
write it back in the same layout."""


def _yaml() -> YAML:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 100
    return y


MAX_DEPTH = 64  # nesting levels a source document may have (a boards file uses ~8)
MAX_NODES = 1_000_000  # values once aliases are expanded (a 1000-shot file has ~60000)
MAX_NUMBER = 1e6  # metres, degrees, millimetres: anything bigger is a typo


def read_yaml(path: Path, root: Path | None = None, *, keep_layout: bool = True) -> Any:
    """Parse a YAML source keeping positions; every problem becomes a ``ProductionError``.

    The file must be a regular file of bounded size (inside ``root`` when given); its
    nesting, its size once aliases are expanded (no "billion laughs") and its numbers
    (finite, of sane magnitude) are bounded too, each with the line that breaks them.

    ``keep_layout``: the document may be written back, so it keeps what the round trip
    keeps (comments, quoting, number forms); a caller that only reads passes False and
    gets the same values and lines at libyaml's speed whatever the layout."""
    return _parse(path, read_source_text(path, root), keep_layout)


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

        doc = _parse(path, text, keep_layout=False)
        root_line = doc.lc.line + 1 if isinstance(doc, (CommentedMap, CommentedSeq)) and \
            doc.lc.line is not None else None
        return {"data": plain(doc), "lines": [root_line, _line_tree(doc)]}

    value = compiled("yaml", [text.encode("utf-8")], build)
    return None if value["data"] is None else LinedDoc(value["data"], value["lines"])


def safe_table(text: str) -> Any:
    """A packaged YAML table (plain data, no positions wanted), parsed once per content
    and then served from the compiled cache."""
    return compiled("table", [text.encode("utf-8")], lambda: parse_yaml(text))


def _line_tree(node: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        return {str(k): [node.lc.key(k)[0] + 1, _line_tree(v)] for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [[node.lc.item(i)[0] + 1, _line_tree(v)] for i, v in enumerate(node)]
    return None


def _parse(path: Path, text: str, keep_layout: bool = True) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import MarkedYAMLError

    from . import yamlfast

    doc = _canonical(text) if keep_layout else yamlfast.load(text)
    if doc is not None:
        _bounded(path, doc)
        return doc
    deep = _too_deep(text)
    if deep is not None:  # ruamel's parser recurses: refuse before it does, and say where
        raise ProductionError([SourceIssue(path, deep, "nested too deeply",
                                           f"at most {MAX_DEPTH} levels")])
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
    if isinstance(doc, (CommentedMap, CommentedSeq)):
        setattr(doc, SOURCE, text)
    return doc


def _too_deep(text: str) -> int | None:
    """The 1-based line where the text nests past ``MAX_DEPTH`` collections, from
    libyaml's C scanner (tokens only, no recursion); None if it does not, or if the text
    does not scan (then the parser reports the syntax error with its line)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    opening = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken,
               yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken)
    closing = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)
    depth = 0
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(token, opening):
                depth += 1
                if depth > MAX_DEPTH:
                    return token.start_mark.line + 1
            elif isinstance(token, closing):
                depth -= 1
    except yaml.YAMLError as e:  # libyaml stops at its own nesting limit (1000) at once
        mark = getattr(e, "problem_mark", None)
        if "nesting depth" in str(e) and mark is not None:
            return mark.line + 1
        return None
    return None


_COMMENT = re.compile(r"(?:^|\s)#")


def _canonical(text: str) -> Any:
    """The document read at libyaml's speed when the round trip has nothing more to keep:
    a text with no comments but a header, exactly as ``dump_yaml`` writes what it holds
    (so writing it back changes nothing but what was changed). None otherwise."""
    body = text
    while body.startswith("#"):
        body = body.partition("\n")[2]
    if "\n\n" in body or _COMMENT.search(body):
        return None  # blank lines or (maybe) comments: the round trip keeps them
    from . import yamlfast

    doc = yamlfast.load(text)
    if doc is None or yamlfast.dump(doc) != text:
        return None
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


check_bounds = _bounded  # the same bounds, for data read by a reader without positions


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


def parse_yaml(text: str) -> Any:
    """Plain data from YAML text that needs no line numbers (the package's own tables):
    built from libyaml's events when it can be, else by ruamel's safe loader; YAML 1.2
    either way, so the same data."""
    from ruamel.yaml import YAML

    from . import yamlfast

    doc = yamlfast.load(text)
    return plain(doc) if doc is not None else YAML(typ="safe").load(text)


def dump_yaml(data: Any) -> str:
    """YAML text of ``data``. A document ``read_yaml`` returned is written in its own
    layout, changed only where it was changed; new data goes through libyaml when nothing
    in it needs the round trip (no comments but a header), else through ruamel's round
    trip: the same text either way."""
    from . import roundtrip, yamlfast

    original = getattr(data, SOURCE, None)
    if original is not None:
        return roundtrip.render(data, original)
    fast = yamlfast.dump(data)
    if fast is not None:
        return fast
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def production_fps(path: Path) -> int:
    """The fps of the production a source file belongs to (times are saved in frames and
    compared by meaning: ``2.5s`` is 60 frames only at 24 fps); 24 when none is found."""
    from .load import SETTINGS_FILE, load_settings

    for folder in Path(path).resolve().parents:
        if (folder / SETTINGS_FILE).is_file():
            try:
                return load_settings(folder).fps
            except ProductionError:
                break
    return 24


def edit_yaml(path: Path, changes: Changes, *, fps: int | None = None,
              root: Path | None = None, check: Callable[[Any], None] | None = None) -> str:
    """Change a YAML source in place, keeping everything else of it byte for byte.

    ``changes``: ``{("scenes", 0, "shots", 1, "lens"): 85}`` (``roundtrip.DELETE``
    removes a key), or a function that changes the loaded document in place (or returns
    new data, merged into it). Comments, blank lines, key order, flow style, quoting,
    time notation (``2.5s`` stays seconds) and the file's mode are kept. ``check``
    receives the changed document as plain data before anything is written (raise
    ``ProductionError`` to refuse). A missing file is created. Returns the new text.

    This is the one writer the studio and the CLI share."""
    from ruamel.yaml.error import MarkedYAMLError

    from . import roundtrip

    path = Path(path)
    fps = production_fps(path) if fps is None else fps
    original = read_source_text(path, root) if path.exists() or path.is_symlink() else None
    try:
        text = roundtrip.edit_text(original, changes, fps)
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise ProductionError([SourceIssue(path, mark.line + 1 if mark else None,
                                           f"YAML syntax: {e.problem or e.context}")]) from None
    if check is not None:
        check(plain(roundtrip.load(text)))
    if text != original:
        write_text_atomic(path, text)
    return text


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022


def write_text_atomic(path: Path, text: str) -> None:
    """Write a source file so a crash never leaves it half-written.

    The file keeps its mode (a new one gets the usual ``0666 & ~umask``), and a file
    reached through a symlink is written where the link points: the link stays."""
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            os.fchmod(f.fileno(), mode)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
