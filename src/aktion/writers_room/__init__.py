"""The Writers Room: from a Fountain script to a breakdown, then to draft boards,
choreography and cast a director can edit.

The breakdown is plain data about the script (scenes, characters, beats, dialogue);
drafting turns it into film grammar. Neither touches a file the director wrote:
I/O lives in ``source`` (reading) and ``merge`` (careful writing).
"""

from .breakdown import Breakdown, breakdown, breakdown_script
from .draft import Draft, draft
from .source import ScriptSource, resolve

__all__ = [
    "Breakdown", "Draft", "ScriptSource", "breakdown", "breakdown_script", "draft", "resolve",
]
