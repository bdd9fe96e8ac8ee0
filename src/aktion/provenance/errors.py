"""Provenance errors: each message says what is wrong and what to do about it."""

from __future__ import annotations


class ProvenanceError(RuntimeError):
    """Base of every provenance failure."""


class IdentityError(ProvenanceError):
    """A signing identity is missing, malformed, or would produce untrusted signatures."""


class SigningError(ProvenanceError):
    """An asset could not be signed; nothing was written at the destination."""


class LedgerError(ProvenanceError):
    """The ledger cannot be appended to safely (for example a torn last entry)."""
