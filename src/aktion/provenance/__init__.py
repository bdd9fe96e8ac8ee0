"""Provenance: who made each asset, from what, and proof that nothing changed since.

Every output is signed with a C2PA manifest (its parents kept as ingredients, so
a cut carries its whole tree down to the script lines) and logged in an
append-only, hash-chained ledger. Private keys never enter a production folder;
a production holds only the public certificate chain and its trust anchor.
"""

from .errors import IdentityError, LedgerError, ProvenanceError, SigningError

__all__ = ["IdentityError", "LedgerError", "ProvenanceError", "SigningError"]
