"""Long screenplays for scale tests, generated from varied scene templates.

Headings repeat (a film goes back to the same warehouse again and again), the cast is
large and mostly introduced in action, and every template carries the structure a
real script has: camera directions, title cards, transitions, dual dialogue.
"""

from __future__ import annotations

LEADS = ["KADE", "VEX", "MARA", "ROOK", "JUNO", "RIKER", "SABLE", "DREW", "NIKO", "ORLA",
         "BASK", "TEO", "IMRE", "CASS"]
LOOKS = ["wiry", "broad", "lanky", "stocky", "tall", "slight", "heavyset", "athletic"]
HEADINGS = ["INT. WAREHOUSE - NIGHT", "EXT. ROOFTOP - NIGHT", "INT. TOLL BOOTH - CONTINUOUS",
            "EXT. CONTAINER DOCKS - DAWN", "INT. STAIRWELL - NIGHT"]


def _fight(a: str, b: str, heading: str) -> list[str]:
    return [heading, "", f"{a.title()} circles. {b.title()} waits.", "",
            f"{b.title()} throws a heavy hook. {a.title()} ducks under it.", "",
            f"{a.title()} drives a knee into {b.title()}'s ribs. {b.title()} staggers.", "",
            f"{b.title()} falls.", "", "CUT TO:", ""]


def _talk(a: str, b: str, heading: str) -> list[str]:
    return [heading, "", f"{a.title()} leans on the rail.", "", a, "Where is it?", "",
            b, "(flat)", "Gone.", "", a, "Then so are you.", "", f"{b} ^", "Try me.", ""]


def _chase(a: str, b: str, heading: str) -> list[str]:
    return [heading, "", f"{a.title()} sprints along the edge.", "", f".POV - {b}", "",
            f"{a.title()}, small and fast, vaults a crate.", "", "INSERT - THE KEYCARD", "",
            "It blinks green in the dark.", "", "BACK TO SCENE", "",
            f"{b.title()} runs after {a.title()}.", "", "> LATER <", "", "FADE OUT.", ""]


def _henchmen(a: str, heading: str) -> list[str]:
    return [heading, "", f"Two THUGS step out of the dark. {a.title()} squares up.", "",
            "The first thug swings a hook at " + a.title() + ".", "",
            f"{a.title()} blocks it and kicks the first thug in the stomach.", "",
            "SMASH CUT TO:", ""]


def long_script(scenes: int = 191) -> str:
    """A script of ``scenes`` scenes: four templates in turn, five headings repeating."""
    out = ["Title: Long Night", "Author: Aktion Tests", "", "FADE IN:", ""]
    introduced: set[str] = set()

    def intro(name: str, n: int) -> list[str]:
        if name in introduced:
            return []
        introduced.add(name)
        return [f"{name} ({20 + 10 * (n % 4)}s), {LOOKS[n % len(LOOKS)]}, steps in.", ""]

    for n in range(scenes):
        a, b = LEADS[n % len(LEADS)], LEADS[(n * 5 + 3) % len(LEADS)]
        if a == b:
            b = LEADS[(n + 1) % len(LEADS)]
        heading = HEADINGS[n % len(HEADINGS)]
        number = f" #{n + 1}#" if n % 3 == 0 else ""
        kind = n % 4
        body = {0: _fight, 1: _talk, 2: _chase}.get(kind)
        lines = body(a, b, heading + number) if body else _henchmen(a, heading + number)
        out += lines[:2] + intro(a, n) + (intro(b, n + 1) if kind != 3 else []) + lines[2:]
    return "\n".join(out) + "\n"
