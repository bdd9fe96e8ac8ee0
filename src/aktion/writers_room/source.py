"""Where a script comes from: a production folder, or a bare ``.fountain`` file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aktion.production.errors import ProductionError, SourceIssue
from aktion.production.load import SETTINGS_FILE, load_settings
from aktion.production.script import Script
from aktion.production.settings import Settings


@dataclass
class ScriptSource:
    root: Path  # the folder drafts are written into
    script_path: Path
    settings: Settings | None  # None when the folder is not (yet) a production

    @property
    def fps(self) -> int:
        return self.settings.fps if self.settings else 24

    def file(self, name: str) -> Path:
        """A production file by its settings key (``boards``, ``choreo``, ``cast_dir``)."""
        defaults = {"boards": "boards.yaml", "choreo": "choreo.yaml", "cast_dir": "cast"}
        value = getattr(self.settings, name) if self.settings else defaults[name]
        return self.root / value

    def script(self) -> Script:
        try:
            return Script.load(self.script_path)
        except FileNotFoundError:
            raise ProductionError([SourceIssue(self.script_path, None, "script not found",
                                               "a Fountain file")]) from None
        except UnicodeDecodeError as e:
            raise ProductionError([SourceIssue(self.script_path, None,
                                               f"not UTF-8 text ({e.reason})")]) from None


def resolve(path: Path | str) -> ScriptSource:
    """A production folder (its ``aktion.toml`` names the script) or a Fountain file."""
    path = Path(path).resolve()
    if path.is_dir():
        if (path / SETTINGS_FILE).is_file():
            settings = load_settings(path)
            return ScriptSource(path, path / settings.script, settings)
        found = sorted(path.glob("*.fountain"))
        if len(found) == 1:
            return ScriptSource(path, found[0], None)
        raise ProductionError([SourceIssue(
            path, None, "not a production folder: no aktion.toml",
            "a production folder or a .fountain file")])
    settings = load_settings(path.parent) if (path.parent / SETTINGS_FILE).is_file() else None
    return ScriptSource(path.parent, path, settings)
