"""Keep secrets out of provenance: manifests and ledgers are meant to be published.

Two nets. Values under secret-looking keys (``api_key``, ``token``...) are
replaced before anything is written; and every byte written is checked for the
value of any secret-looking environment variable, so a key that slipped into a
prompt or a URL still never leaves the machine.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from .errors import SigningError

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(
    r"(api[_-]?key|secret|token|passw(or)?d|credential|auth(?!or)|session|cookie|"
    r"(^|[_-])key($|[_-]))",
    re.IGNORECASE,
)
_MIN_SECRET_LEN = 8


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def env_secrets(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of environment variables whose names look like they hold secrets."""
    env = os.environ if environ is None else environ
    return sorted(
        {v for k, v in env.items() if is_secret_name(k) and len(v) >= _MIN_SECRET_LEN},
        key=len, reverse=True,
    )


def scrub(value: Any, secrets: list[str] | None = None, *, by_name: bool = True) -> Any:
    """A copy of ``value`` with secret-named text fields and known secret values redacted.

    Only text is redacted by name: ``max_tokens: 256`` is a setting, not a secret.
    ``by_name=False`` redacts known secret values only (for Aktion's own fields,
    such as ``step_key``, whose names merely look secret).
    """
    secrets = env_secrets() if secrets is None else secrets
    if isinstance(value, Mapping):
        return {
            str(k): REDACTED if by_name and is_secret_name(str(k)) and isinstance(v, str) and v
            else scrub(v, secrets, by_name=by_name)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v, secrets, by_name=by_name) for v in value]
    if isinstance(value, str):
        for s in secrets:
            value = value.replace(s, REDACTED)
        return value
    return value


def assert_clean(data: bytes, what: str, secrets: list[str] | None = None) -> None:
    """Refuse bytes that contain a secret from the environment."""
    for s in env_secrets() if secrets is None else secrets:
        if s.encode() in data:
            raise SigningError(
                f"{what} would contain the value of a secret environment variable; "
                "nothing was written"
            )
