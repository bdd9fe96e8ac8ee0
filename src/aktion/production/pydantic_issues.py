"""A pydantic validation error as located source issues: field, what came, what was expected.

Shared by every loader (and the commands that edit a source), so a bad value reads the
same whether ``aktion check`` found it in a file or a command was about to save it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import SourceIssue
from .yamlio import line_of


def pydantic_issues(
    path: Path, doc: Any, err: ValidationError, prefix: tuple[Any, ...] = ()
) -> list[SourceIssue]:
    issues = []
    for e in err.errors():
        loc = prefix + tuple(p for p in e["loc"] if not isinstance(p, str) or "[" not in p)
        field = ".".join(str(p) for p in loc) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            text = f"unknown field `{field}`"
            expected = "one of the documented fields (see `aktion schema`)"
        elif e["type"] == "missing":
            text, expected = f"missing field `{field}`", "it to be set"
        else:
            got = e.get("input")
            text = f"`{field}`: got {got!r}" if not isinstance(got, (dict, list)) else f"`{field}`"
            expected = msg[0].lower() + msg[1:] if msg else None
        issues.append(SourceIssue(path, line_of(doc, loc), text, expected))
    return issues
