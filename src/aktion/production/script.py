"""The screenplay as the rest of Aktion sees it: numbered lines and typed elements."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .fountain import Element, parse_fountain


@dataclass
class Script:
    path: Path
    lines: list[str]
    title: dict[str, str] = field(default_factory=dict)
    elements: list[Element] = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str, path: Path = Path("script.fountain")) -> Script:
        title, elements = parse_fountain(text)
        return cls(path=path, lines=text.splitlines(), title=title, elements=elements)

    @classmethod
    def load(cls, path: Path) -> Script:
        return cls.from_text(path.read_text(encoding="utf-8"), path)

    def text(self, first: int, last: int) -> str:
        """Lines ``first``..``last`` (1-based, inclusive) as written."""
        return "\n".join(self.lines[first - 1 : last])

    def within(self, first: int, last: int) -> list[Element]:
        return [e for e in self.elements if first <= e.line <= last]

    def dialogue(self, first: int, last: int) -> list[Element]:
        """Dialogue elements in the range, each knowing its speaker."""
        return [e for e in self.within(first, last) if e.kind == "dialogue"]

    @property
    def characters(self) -> list[str]:
        seen: dict[str, None] = {}
        for e in self.elements:
            if e.kind == "character" and e.character:
                seen.setdefault(e.character)
        return list(seen)
