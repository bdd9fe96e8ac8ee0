"""The canvas: takes, clip operations and the scene's score, as passes over the graph.

Importing this package registers its graph pass, so every plan made after it
honours the production's ``canvas.yaml``."""

from __future__ import annotations

from aktion.engine import graph as _graph

PASS = "aktion.canvas.plan:apply"
if PASS not in _graph.EXTENSIONS:
    _graph.EXTENSIONS.append(PASS)
