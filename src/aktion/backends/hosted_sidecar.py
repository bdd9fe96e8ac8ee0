"""The durable memory of paid requests: a crash never pays twice for the same step.

Before a hosted backend polls a request it has paid for, the vendor's request id
is written here, under its idempotency key (write, fsync, rename). A rerun
finds it and resumes polling instead of submitting again; once the result is
downloaded it is kept beside the record, so later runs need no network at all.
The folder lives in the production's store (``.aktion/hosted/<vendor>``), not in
its ``tmp/``, which every render empties. Records hold ids and vendor URLs only,
never a key.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from aktion.media.atomic import atomic_path


class Sidecar:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str, suffix: str = ".json") -> Path:
        return self.folder / f"{key}{suffix}"

    def read(self, key: str) -> dict[str, Any] | None:
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None  # never half-written (atomic), so unreadable means foreign: ignore

    def write(self, key: str, record: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(self._path(key)) as tmp:
            tmp.write_text(json.dumps({**record, "at": time.time()}, sort_keys=True))

    def forget(self, key: str, why: str) -> None:
        """Drop a request the vendor failed (it was not delivered), keeping why in a log."""
        path = self._path(key)
        if path.is_file():
            with (self.folder / "failed.log").open("a", encoding="utf-8") as log:
                log.write(json.dumps({"key": key, "record": self.read(key), "why": why}) + "\n")
            path.unlink()

    def media(self, key: str, suffix: str) -> Path:
        """Where the downloaded result of ``key`` is kept."""
        return self._path(key, suffix)
