"""Errors that point at the exact file and line a director must fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceIssue:
    """One problem in one source file: where it is, what is wrong, what was expected."""

    file: Path
    line: int | None  # 1-based; None when the problem is the whole file
    message: str
    expected: str | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class ProductionError(Exception):
    """A production that cannot be rendered; carries every issue found, not just the first."""

    def __init__(self, issues: list[SourceIssue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))
