"""Executors: where a render's steps run (this machine, or a Ray cluster).

The driver (``engine.run``) decides *what* runs and in which order, and alone
writes the action cache; an executor only runs the jobs it is handed on stateless
workers and reports what they produced. See ``base`` for the interface.
"""

from __future__ import annotations

from .base import Done, Event, Executor, Job, Resources
from .local import LocalExecutor

__all__ = ["Done", "Event", "Executor", "Job", "LocalExecutor", "Resources", "make_executor"]


def make_executor(kind: str = "local", *, workers: int | None = None,
                  address: str | None = None) -> Executor:
    """``local``: a pool on this machine; ``ray``: a Ray cluster (``aktion[ray]``)."""
    if kind == "local":
        return LocalExecutor(workers)
    if kind == "ray":
        from .ray_cluster import RayExecutor

        return RayExecutor(address=address, workers=workers)
    raise ValueError(f"unknown executor `{kind}`: use local or ray")
