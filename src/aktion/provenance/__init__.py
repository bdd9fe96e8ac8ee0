"""Provenance: who made each asset, from what, and proof that nothing changed since.

Every output is signed with a C2PA manifest (its parents kept as ingredients, so
a cut carries its whole tree down to the script lines), watermarked with the
manifest's identifier, and logged in an append-only, hash-chained, signed ledger.
Private keys never enter a production folder; a production holds only the public
certificate chain and the anchor it suggests. What is trusted is the user's
choice, kept in their trust store.
"""

from .errors import IdentityError, LedgerError, ProvenanceError, SigningError

__all__ = ["IdentityError", "LedgerError", "ProvenanceError", "SigningError"]
