"""The one error media code raises for bad files, so callers can report it plainly."""

from __future__ import annotations


class MediaError(RuntimeError):
    """A media file is missing, empty, truncated, of the wrong kind, or too large.

    The message always names the file, so a summary can show it as is.
    """
