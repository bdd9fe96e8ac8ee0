"""Edit a YAML source the way its author would: only the nodes that changed.

The director's files are theirs: comments, blank lines, key order, flow style, quoting
and time notation (``2.5s``, ``"00:00:01:12"``) must survive a save. ruamel.yaml's
round-trip mode keeps most of that when a loaded document is changed in place; this
module adds what it lacks:

- the indentation is read from the file, not imposed;
- a new value is merged into the node it replaces (a list element by element, a
  mapping key by key), so unchanged parts keep their comments and style, and a time
  is written in the notation it had (``2.5s`` stays seconds);
- the changed lines are spliced into the original text, so anything ruamel would
  normalise elsewhere in the file (spacing, odd indents) is never touched.
"""

from __future__ import annotations

import difflib
import io
import itertools
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from .timing import to_frames

WIDTH = 4096  # never fold a line the author wrote on one line
DELETE = object()
"""A change's value that removes the key (or item) instead of setting it."""

Path_ = tuple[Any, ...]
Changes = Mapping[Path_, Any] | Callable[[Any], Any]
"""What to change: ``{("scenes", 0, "shots", 1, "lens"): 85}`` (``DELETE`` removes), or a
function given the round-trip document that changes it in place (or returns new data,
which is merged into it)."""

_SECONDS = re.compile(r"^(\s*)(\d+(?:\.\d+)?)(\s*s\s*)$")
_FRAMES = re.compile(r"^(\s*)(\d+)(\s*f\s*)$")
_TIMECODE = re.compile(r"^\s*\d+:\d{2}:\d{2}([:;])\d{2}\s*$")
_KEY = re.compile(r"^( *)(?:[^#\s-][^:#]*|\"[^\"]*\"|'[^']*'):(\s*#.*)?\s*$")
_ITEM = re.compile(r"^( *)-( +)\S")


# -- reading the author's layout ---------------------------------------------------------

def guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as ruamel's ``YAML.indent`` takes them,
    read from the first block mapping and block sequence nested under a key."""
    mapping = sequence = offset = None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for here, below in itertools.pairwise(lines):
        m = _KEY.match(here)
        if not m:
            continue
        parent = len(m.group(1))
        child = len(below) - len(below.lstrip(" "))
        if child <= parent:
            continue
        item = _ITEM.match(below)
        if item and sequence is None:
            offset = child - parent
            sequence = offset + len(item.group(2)) + 1
        elif not item and mapping is None:
            mapping = child - parent
        if mapping is not None and sequence is not None:
            break
    mapping = mapping or 2
    if sequence is None:
        sequence, offset = mapping, 0
    return mapping, max(sequence, (offset or 0) + 2), offset or 0


def yaml_like(text: str | None) -> YAML:
    """A round-trip YAML that writes as ``text`` was written (its indentation)."""
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = WIDTH
    if text:
        mapping, sequence, offset = guess_indent(text)
        y.indent(mapping=mapping, sequence=sequence, offset=offset)
    return y


def load(text: str) -> Any:
    return yaml_like(text).load(text)


def dump(doc: Any, like: str | None = None) -> str:
    buf = io.StringIO()
    yaml_like(like).dump(doc, buf)
    return buf.getvalue()


# -- values as they mean, not as they are written ------------------------------------------

def _is_time(value: Any) -> bool:
    return isinstance(value, str) and bool(
        _SECONDS.match(value) or _FRAMES.match(value) or _TIMECODE.match(value))


def canon(value: Any, fps: int) -> Any:
    """A hashable form in which ``2.5s`` equals 60 (at 24 fps) and ``0.0`` equals ``0``."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return ("n", float(value))
    if isinstance(value, str):
        if _is_time(value):
            try:
                return ("n", float(to_frames(str(value), fps)))
            except ValueError:
                pass
        return str(value)
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((str(k), canon(v, fps)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(canon(v, fps) for v in value))
    return repr(value)


def same(old: Any, new: Any, fps: int) -> bool:
    return canon(old, fps) == canon(new, fps)


def format_time(frames: int, like: str, fps: int) -> str:
    """``frames`` in the notation of ``like`` (seconds, ``Nf`` or timecode)."""
    if m := _SECONDS.match(like):
        for places in range(7):
            text = f"{frames / fps:.{places}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            if round(Fraction(text) * fps) == frames:
                return f"{m.group(1)}{text}{m.group(3)}"
    if m := _FRAMES.match(like):
        return f"{m.group(1)}{frames}{m.group(3)}"
    if m := _TIMECODE.match(like):
        s, f = divmod(frames, fps)
        mi, s = divmod(s, 60)
        h, mi = divmod(mi, 60)
        sep = m.group(1)
        return f"{h:02d}:{mi:02d}:{s:02d}{sep}{f:02d}"
    return str(frames)


# -- merging new values into the author's nodes ------------------------------------------

def _flat(value: Any) -> bool:
    """Scalars, or lists of scalars: what a flow mapping like ``{t: 4, to: [1, 2]}`` holds."""
    if isinstance(value, Mapping):
        return all(_flat(v) and not isinstance(v, Mapping) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(not isinstance(v, (Mapping, list, tuple)) for v in value)
    return True


def fresh(value: Any, like: Any = None) -> Any:
    """A new node for ``value``, styled as ``like`` (a sibling) when there is one: short
    mappings and lists of scalars are written on one line, as production files write them."""
    if isinstance(value, Mapping):
        node = CommentedMap()
        for k, v in value.items():
            if v is not None:
                node[k] = fresh(v)
        flow = (like.fa.flow_style() if isinstance(like, CommentedMap) else None)
        if flow if flow is not None else _flat(value):
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()
        return node
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(fresh(v) for v in value)
        flow = (like.fa.flow_style() if isinstance(like, CommentedSeq) else None)
        if flow if flow is not None else _flat(value):
            seq.fa.set_flow_style()
        else:
            seq.fa.set_block_style()
        return seq
    return value


def _sibling(container: Any, value: Any) -> Any:
    """A node beside where ``value`` goes, of its kind: the style a new node should copy."""
    kind = CommentedMap if isinstance(value, Mapping) else CommentedSeq
    items = container.values() if isinstance(container, Mapping) else container
    return next((x for x in items if isinstance(x, kind)), None)


def _scalar(old: Any, new: Any, fps: int) -> Any:
    if isinstance(new, bool) or new is None or isinstance(new, (Mapping, list, tuple)):
        return fresh(new, old)
    if isinstance(old, str) and _is_time(old) and isinstance(new, int):
        text = format_time(new, str(old), fps)
        return type(old)(text) if isinstance(old, ScalarString) else text
    if isinstance(old, ScalarString) and isinstance(new, str):
        return type(old)(new)
    return new


def reconcile(old: Any, new: Any, fps: int) -> Any:
    """``new`` as a node that keeps everything of ``old`` that it does not change.

    Mappings and lists are changed in place (``old`` is returned); a key missing
    from ``new`` is removed, a ``None`` value too."""
    if same(old, new, fps):
        return old
    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        for key in [k for k in old if k not in new or new[k] is None or new[k] is DELETE]:
            del old[key]
        for key, value in new.items():
            if value is None or value is DELETE:
                continue
            old[key] = (reconcile(old[key], value, fps) if key in old
                        else fresh(value, _sibling(old, value)))
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, (list, tuple)):
        _reconcile_seq(old, list(new), fps)
        return old
    return _scalar(old, new, fps)


def _reconcile_seq(old: CommentedSeq, new: list[Any], fps: int) -> None:
    """Change ``old`` into ``new`` item by item: equal items are kept, edited items are
    merged, a moved item keeps its node (and its comments and style)."""
    a = [canon(x, fps) for x in old]
    b = [canon(x, fps) for x in new]
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    # removed nodes with their end-of-line comments, reused where the same item reappears
    pool: dict[Any, list[tuple[Any, Any]]] = {}
    for tag, i1, i2, j1, j2 in ops:
        if tag in ("delete", "replace"):
            paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
            for i in range(i1 + paired, i2):
                pool.setdefault(a[i], []).append((old[i], old.ca.items.get(i)))
    for tag, i1, i2, j1, j2 in reversed(ops):
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for i in range(i2 - 1, i1 + paired - 1, -1):
            del old[i]
        for k in range(paired):
            old[i1 + k] = reconcile(old[i1 + k], new[j1 + k], fps)
        for k, j in enumerate(range(j1 + paired, j2)):
            reuse = pool.get(b[j])
            node, comment = reuse.pop() if reuse else (fresh(new[j], _sibling(old, new[j])), None)
            old.insert(i1 + paired + k, node)
            if comment is not None:
                old.ca.items[i1 + paired + k] = comment


def put(container: Any, key: Any, value: Any, fps: int) -> None:
    """Set ``container[key]`` by merging ``value`` into what is there (``DELETE`` removes)."""
    if value is DELETE:
        if isinstance(container, Mapping):
            container.pop(key, None)
        elif isinstance(key, int) and 0 <= key < len(container):
            del container[key]
        return
    if isinstance(container, Mapping):
        container[key] = (reconcile(container[key], value, fps) if key in container
                          else fresh(value, _sibling(container, value)))
    elif isinstance(key, int) and key == len(container):
        container.append(fresh(value, _sibling(container, value)))
    else:
        container[key] = reconcile(container[key], value, fps)


def apply(doc: Any, changes: Changes, fps: int) -> Any:
    """``doc`` with ``changes`` made (see ``Changes``); returns the document."""
    if callable(changes):
        result = changes(doc)
        if result is not None and result is not doc:
            if doc is None:
                doc = fresh(result)
                if isinstance(doc, (CommentedMap, CommentedSeq)):
                    doc.fa.set_block_style()  # a new file is a block document
            else:
                doc = reconcile(doc, result, fps)
        return doc
    for path, value in changes.items():
        if not path:
            doc = reconcile(doc, value, fps)
            continue
        node = doc
        for part, nxt in itertools.pairwise(path):
            if isinstance(node, Mapping) and part not in node:
                node[part] = CommentedSeq() if isinstance(nxt, int) else CommentedMap()
            node = node[part]
        put(node, path[-1], value, fps)
    return doc


# -- writing only the lines that changed ---------------------------------------------------

def splice(original: str, base: str, new: str) -> str:
    """``original`` with the line changes that turn ``base`` into ``new``.

    ``base`` is ruamel's dump of the unchanged document; where it already equals the
    original, this is ``new``. Where ruamel normalised something (spacing, an odd
    indent), only the lines that really changed are carried over."""
    if base == original:
        return new
    o = original.splitlines(keepends=True)
    b = base.splitlines(keepends=True)
    n = new.splitlines(keepends=True)
    to_o: dict[int, int] = {}
    for tag, i1, i2, j1, _ in difflib.SequenceMatcher(None, b, o, autojunk=False).get_opcodes():
        if tag == "equal":
            to_o.update({i1 + k: j1 + k for k in range(i2 - i1)})
    out: list[str] = []
    pos = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, b, n, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 in to_o:
            start = to_o[i1]
        else:
            start = next((to_o[k] + 1 for k in range(i1 - 1, -1, -1) if k in to_o), 0)
        if i2 > i1 and (i2 - 1) in to_o:
            end = to_o[i2 - 1] + 1
        else:
            end = next((to_o[k] for k in range(i2, len(b)) if k in to_o), len(o))
        start, end = max(start, pos), max(end, start, pos)
        out.extend(o[pos:start])
        out.extend(n[j1:j2])
        pos = end
    out.extend(o[pos:])
    return "".join(out)


def render(doc: Any, original: str | None) -> str:
    """The text of ``doc`` written like ``original``, differing only where ``doc`` does."""
    if not original:
        return dump(doc)
    crlf = "\r\n" in original
    text = original.replace("\r\n", "\n") if crlf else original
    out = splice(text, dump(load(text), text), dump(doc, text).replace("\r\n", "\n"))
    return out.replace("\n", "\r\n") if crlf else out


def edit_text(text: str | None, changes: Changes, fps: int) -> str:
    """``text`` (a YAML document, or None for a new file) with ``changes`` made."""
    doc = load(text.replace("\r\n", "\n")) if text else None
    if doc is None and not callable(changes):
        doc = CommentedMap()
    doc = apply(doc, changes, fps)
    return render(doc, text)
