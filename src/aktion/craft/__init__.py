"""Craft checks: the film grammar a cut is judged by (180° rule, screen direction,
eyelines, jump cuts, rhythm, continuity), from the boards and choreography."""

from .check import check_production
from .findings import Finding

__all__ = ["Finding", "check_production"]
