"""The built-in CPU previz renderer.

Mannequins in the cast's proportions and palette perform a shot's choreography
through the board's camera on a simple set: fast, deterministic, no GPU. The
pieces are small and separate: a skeleton (``skeleton``), a data-driven move
library (``moves``), a performance solver (``performance``), the board's camera
(``camera``), and drawing (``set``, ``mannequin``, ``draw``).
"""

