"""Aktion: an end-to-end AI film studio for action scenes. Directed, not prompted."""

__version__ = "0.1.0"
