"""The common base of every saved object: strict fields and a schema version.

Every object carries ``schema: "<Kind>.<n>"``. Loading an older version runs the
registered upgrades in order, so files written by earlier releases keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]
_UPGRADES: dict[tuple[str, int], Upgrade] = {}


def upgrade(kind: str, from_version: int) -> Callable[[Upgrade], Upgrade]:
    """Register a function that turns a ``kind.from_version`` dict into the next version."""

    def register(fn: Upgrade) -> Upgrade:
        _UPGRADES[(kind, from_version)] = fn
        return fn

    return register


class Versioned(BaseModel):
    """Base for saved objects: unknown fields are errors, and the version is checked."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    KIND: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1

    schema_: str = Field(default="", alias="schema")

    @model_validator(mode="before")
    @classmethod
    def _upgrade(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        tag = data.get("schema") or f"{cls.KIND}.{cls.VERSION}"
        kind, _, num = str(tag).partition(".")
        if kind != cls.KIND or not num.isdigit():
            raise ValueError(f'schema "{tag}" is not a {cls.KIND} schema ("{cls.KIND}.N")')
        version = int(num)
        if version > cls.VERSION:
            raise ValueError(
                f'schema "{tag}" is newer than this Aktion reads ({cls.KIND}.{cls.VERSION})'
            )
        while version < cls.VERSION:
            data = _UPGRADES[(cls.KIND, version)](data)
            version += 1
        data["schema"] = f"{cls.KIND}.{cls.VERSION}"
        return data

    def dump(self) -> dict[str, Any]:
        """Plain data for YAML/JSON, with the schema tag and no unset defaults noise."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
