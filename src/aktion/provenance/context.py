"""The c2pa settings Aktion signs and reads with.

Thumbnails are off (they would multiply a small clip's size); trust comes only
from the anchors given (the user's trust store), never from a bundled public
list, so "trusted" means "signed under a root you chose to trust". Remote
manifests are never fetched: verifying a file makes no network request.
"""

from __future__ import annotations

from typing import Any

import c2pa

from .certs import ACCEPTED_EKUS


def settings(anchors_pem: str | None) -> dict[str, Any]:
    trust: dict[str, Any] = {"trust_config": "".join(f"{oid}\n" for oid in ACCEPTED_EKUS)}
    if anchors_pem:
        trust["user_anchors"] = anchors_pem
    return {
        "builder": {"thumbnail": {"enabled": False}},
        "trust": trust,
        "verify": {"verify_trust": True, "remote_manifest_fetch": False},
    }


def make_context(anchors_pem: str | None) -> c2pa.Context:
    return c2pa.Context.from_dict(settings(anchors_pem))
