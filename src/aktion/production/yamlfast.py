"""YAML at the speed of libyaml, for documents the round trip has nothing to keep in.

ruamel's round trip (comments, order, flow style, quoting) is written in Python: a
feature-length draft's boards take seconds to write and longer to read. A document
with no comments but a header, no anchors and no styled scalars needs none of it:
``dump`` builds the nodes ruamel would (same flow styles, YAML 1.2 meaning, so the
same quoting) and libyaml emits them through PyYAML's C emitter, byte for byte what
ruamel writes; ``load`` reads such a document from libyaml's events into the same
``CommentedMap``/``CommentedSeq`` (line numbers, flow styles) ruamel would build.
Both answer None for anything outside that subset, and the caller takes the round
trip: nothing a director wrote is ever lost to the fast path.
"""

from __future__ import annotations

import functools
import io
import math
import re
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.anchor import Anchor
from ruamel.yaml.comments import Comment, CommentedMap, CommentedSeq, merge_attrib
from ruamel.yaml.resolver import implicit_resolvers
from ruamel.yaml.tag import Tag

try:  # libyaml through PyYAML; without it every document takes the round trip
    from yaml.cyaml import CEmitter, CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CEmitter = CParser = None

WIDTH = 100  # as ``yamlio``'s round-trip writer
MAX_DEPTH = 64  # deeper documents take the round trip (which says what is wrong)

_STR, _INT, _FLOAT, _BOOL, _NULL = (f"tag:yaml.org,2002:{t}" for t in (
    "str", "int", "float", "bool", "null"))
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_RESOLVERS: dict[str, list[tuple[str, Any]]] = {}
for _versions, _tag, _regexp, _first in implicit_resolvers:
    if (1, 2) in _versions:
        for _ch in _first:
            _RESOLVERS.setdefault(_ch, []).append((_tag, _regexp))
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_POINT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+")
_TRUE = {"true", "True", "TRUE"}
_ANALYST = YAML(typ="rt").emitter  # ruamel's own scalar analysis, as it writes
_COMMENTS, _ANCHOR, _TAG, _MERGE = Comment.attrib, Anchor.attrib, Tag.attrib, merge_attrib


def resolve(value: str) -> str:
    """The tag a plain scalar has in YAML 1.2, as ruamel resolves it."""
    for tag, regexp in _RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            return tag
    return _STR


class _Unsupported(Exception):
    """Something only the round trip keeps: a comment, an anchor, a styled scalar."""


# --- writing ---------------------------------------------------------------------------


def dump(data: Any) -> str | None:
    """``data`` as ruamel's round trip writes it, or None when it holds anything the
    round trip alone can write (comments but a start comment, anchors, tags, shared
    containers, scalars with a style of their own)."""
    if CEmitter is None:
        return None
    try:
        header = _start_comment(data)
        node = _node(data, set(), 0)
    except (_Unsupported, RecursionError):
        return None
    if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        return None
    buf = io.StringIO()
    emitter = _Emitter(buf)
    emitter.open()
    emitter.serialize(node)
    emitter.close()
    text = buf.getvalue()
    if any(len(line) > WIDTH and not _unfolded(line) for line in text.splitlines()):
        return None  # a line to fold: each writer folds long lines its own way
    return header + text


def _unfolded(line: str) -> bool:
    """A long line both writers leave whole: it ends in a quoted scalar (where a plain
    word past the width would be moved to a line of its own) with no space past the width
    to fold at."""
    return line[-1] in "'\"" and line.rfind(" ") < WIDTH - 1


class _Emitter(CEmitter if CEmitter is not None else object):  # type: ignore[misc]
    def __init__(self, stream: io.StringIO) -> None:
        CEmitter.__init__(self, stream, width=WIDTH, allow_unicode=True)

    def resolve(self, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return resolve(value) if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, parent: Any, index: Any) -> None:
        """No path resolvers: a tag depends on the scalar alone, as in YAML 1.2."""

    def ascend_resolver(self) -> None:
        """See ``descend_resolver``."""


def _start_comment(data: Any) -> str:
    """The comment lines above the document (``yaml_set_start_comment``), the only
    comment the fast path writes."""
    ca = getattr(data, _COMMENTS, None)
    if ca is None:
        return ""
    if ca.items or ca.end or (ca.comment and ca.comment[0]):
        raise _Unsupported
    tokens = ca.comment[1] if ca.comment else None
    if not tokens:
        return ""
    out = []
    for tok in tokens:
        if tok.start_mark.column or not tok.value.startswith("#"):
            raise _Unsupported
        out.append(tok.value if tok.value.endswith("\n") else tok.value + "\n")
    return "".join(out)


def _plain_container(obj: Any, seen: set[int], top: bool) -> None:
    if id(obj) in seen:
        raise _Unsupported  # the same object twice: the round trip writes an alias
    seen.add(id(obj))
    ca = getattr(obj, _COMMENTS, None)
    if ca is not None and (ca.items or ca.end or (ca.comment and any(
            c for k, c in enumerate(ca.comment) if k != 1 or not top))):
        raise _Unsupported  # comments: only the round trip writes them where they were
    anchor, tag = getattr(obj, _ANCHOR, None), getattr(obj, _TAG, None)
    if (anchor is not None and anchor.value is not None) or getattr(obj, _MERGE, None) or (
            tag is not None and getattr(tag, "value", tag) is not None):
        raise _Unsupported


def _node(obj: Any, seen: set[int], depth: int, flow: bool = False, key: bool = False
          ) -> yaml.Node:
    """The node ruamel's representer makes of ``obj`` (``flow``: inside a flow collection;
    ``key``: a mapping key), with the scalar style its emitter would choose where
    libyaml's would differ."""
    kind = type(obj)
    if kind is str:
        return yaml.ScalarNode(_STR, obj, style=_quotes(obj, flow, key))
    if kind is bool:
        return yaml.ScalarNode(_BOOL, "true" if obj else "false")
    if kind is int:
        return yaml.ScalarNode(_INT, str(obj))
    if kind is float:
        return yaml.ScalarNode(_FLOAT, _float(obj))
    if obj is None:
        return yaml.ScalarNode(_NULL, "")
    if depth > MAX_DEPTH:
        raise _Unsupported
    if kind is CommentedMap or kind is dict:
        if kind is CommentedMap:
            _plain_container(obj, seen, depth == 0)
        inner = flow or _flow(obj)
        pairs = [(_node(k, seen, depth + 1, inner, True), _node(v, seen, depth + 1, inner))
                 for k, v in obj.items()]
        if any(not isinstance(k, yaml.ScalarNode) for k, _ in pairs):
            raise _Unsupported
        return yaml.MappingNode(_MAP, pairs, flow_style=_flow(obj))
    if kind is CommentedSeq or kind is list:
        if kind is CommentedSeq:
            _plain_container(obj, seen, depth == 0)
        inner = flow or _flow(obj)
        if not inner and any(v is None for v in obj):
            raise _Unsupported  # ruamel writes "- " for it, libyaml "-"
        items = [_node(v, seen, depth + 1, inner) for v in obj]
        return yaml.SequenceNode(_SEQ, items, flow_style=_flow(obj))
    raise _Unsupported


@functools.lru_cache(maxsize=1 << 16)
def _quotes(value: str, flow: bool, key: bool) -> str | None:
    """The style ruamel's emitter gives a string, where libyaml's would differ: double
    quotes for one holding an apostrophe or a line break, and plain where libyaml reads
    ':' and '?' in a flow collection more strictly (the round trip writes those).
    Characters outside the Basic Multilingual Plane's printable ones (and line breaks,
    tabs) are escaped differently by the two: the round trip writes those too."""
    if not value.isprintable() and not value.replace("\n", "").replace("\t", "").isprintable():
        raise _Unsupported
    if value and max(value) >= "\U00010000":
        raise _Unsupported
    strict = flow and (":" in value or "?" in value)
    if not strict and "'" not in value and "\n" not in value:
        return None  # libyaml chooses as ruamel does
    a = _ANALYST.analyze_scalar(value)
    if resolve(value) == _STR and not (key and (a.empty or a.multiline)) and (
            a.allow_flow_plain if flow else a.allow_block_plain):
        if strict:
            raise _Unsupported
        return None
    if a.allow_double_quoted and ("'" in value or "\n" in value):
        return '"'
    return "'" if a.allow_single_quoted and not (key and a.multiline) else '"'


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    return repr(value).lower()


def _flow(obj: Any) -> bool:
    """ruamel's choice: the style the container was given, else block unless empty."""
    fa = getattr(obj, "_yaml_format", None)
    style = fa.flow_style() if fa is not None else None
    if style is not None:
        return bool(style)
    return not obj


# --- reading ---------------------------------------------------------------------------


def load(text: str) -> Any:
    """The document ruamel's round trip would read from ``text``, or None when the text
    holds anything the fast path does not build (anchors, tags, several documents,
    numbers written in a form of their own, a mistake: the round trip says what)."""
    if CParser is None:
        return None
    try:
        doc = _build(text)
    except (_Unsupported, yaml.YAMLError, ValueError, RecursionError):
        return None
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    if header:  # the comment lines above the document, as ``dump`` writes them back
        doc.yaml_set_start_comment("\n".join(header))
    return doc


_SKIP = (yaml.StreamStartEvent, yaml.DocumentEndEvent)
_OPEN = {yaml.SequenceStartEvent: CommentedSeq, yaml.MappingStartEvent: CommentedMap}
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _build(text: str) -> Any:
    parser = CParser(text)
    try:
        root: Any = None
        stack: list[_Open] = []
        documents = 0
        while True:
            ev = parser.get_event()
            kind = type(ev)
            if kind is yaml.ScalarEvent:
                if ev.anchor:
                    raise _Unsupported
                value = _scalar(ev)
                at = (ev.start_mark.line, ev.start_mark.column)
            elif kind in _OPEN:
                if ev.anchor or (ev.tag is not None and not ev.implicit) or (
                        len(stack) >= MAX_DEPTH):
                    raise _Unsupported
                stack.append(_Open(_OPEN[kind](), ev.flow_style, ev.start_mark))
                continue
            elif kind in _CLOSE:
                done = stack.pop()
                value = done.node
                if len(value):  # ruamel styles no empty collection
                    value.fa._flow_style = done.flow
                at = done.at
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1 or ev.explicit or ev.version or ev.tags:
                    raise _Unsupported
                continue
            elif kind in _SKIP:
                continue
            elif ev is None or kind is yaml.StreamEndEvent:
                break
            else:
                raise _Unsupported  # an alias
            if stack:
                stack[-1].add(value, at)
            else:
                root = value
        if not isinstance(root, (CommentedMap, CommentedSeq)):
            raise _Unsupported
        return root
    finally:
        parser.dispose()


class _Open:
    """A collection being read: its node, its style, where it starts, its line numbers
    (kept as ruamel keeps them), and a key waiting for its value."""

    __slots__ = ("at", "flow", "key", "key_at", "lines", "node", "seq")
    _NONE = object()

    def __init__(self, node: Any, flow: bool | None, mark: Any) -> None:
        self.node, self.flow, self.seq = node, flow, isinstance(node, CommentedSeq)
        self.at = (mark.line, mark.column)
        node._yaml_set_line_col(mark.line, mark.column)
        node.lc.data = self.lines = {}
        self.key: Any = _Open._NONE
        self.key_at = (0, 0)

    def add(self, value: Any, at: tuple[int, int]) -> None:
        node = self.node
        if self.seq:
            self.lines[len(node)] = [at[0], at[1]]
            node.append(value)
        elif self.key is _Open._NONE:
            if isinstance(value, (CommentedMap, CommentedSeq)) or value in node:
                raise _Unsupported  # a collection as a key, or a key said twice
            self.key, self.key_at = value, at
        else:
            self.lines[self.key] = [*self.key_at, *at]
            node[self.key] = value
            self.key = _Open._NONE


def _scalar(ev: yaml.ScalarEvent) -> Any:
    plain, quoted = ev.implicit
    if not ev.style and plain:  # libyaml says '' for plain
        tag = resolve(ev.value)
    elif ev.style and quoted:
        return ev.value  # quoted or a block scalar: a string whatever it says
    else:
        raise _Unsupported  # an explicit tag
    value = ev.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value in _TRUE
    if tag == _INT and _DECIMAL.fullmatch(value):
        return int(value)
    if tag == _FLOAT and _POINT.fullmatch(value) and "_" not in value:
        return float(value)
    raise _Unsupported  # hex, octal, timestamps, infinities: the round trip's own types
