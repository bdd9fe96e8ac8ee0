"""Where people stand and which way they face, shot by shot, as a director blocks a scene.

Speakers turn to whoever they talk to; a striker closes to the distance their move
reaches (read from the move library, so a kick is thrown from further out than an
elbow); a sentence about a group ("They circle her", "The thugs rush her") puts
everyone present in the shot.
"""

from __future__ import annotations

import functools
import math
import re

Mark = tuple[float, float, float]  # x, z, facing degrees

GROUP = re.compile(
    r"(?<![\w'])(they|them|both|everyone|everybody|all of them|the (?:two|three|four|five) "
    r"\w+|the (?:thugs|men|guards|goons|heavies|gang|crew|attackers|cops|soldiers|bikers|"
    r"pair|others|brothers|twins|women|fighters))(?![\w'])", re.IGNORECASE)
"""Words that speak of several people at once."""

SPACING = 1.0  # metres between two people squaring up when the library cannot say
REACH_SLACK = 0.5  # metres beyond a move's reach that the solver's step-in still covers
RUN_BEYOND = 3.0  # metres: further than this, a striker runs in rather than walks
CARRIES = 1.0  # metres a move may carry someone before a tight shot cannot hold them


def is_group(text: str) -> bool:
    """Whether a sentence is about several people at once."""
    return GROUP.search(text) is not None


def group_subject(text: str) -> bool:
    """Whether a sentence opens on a group doing something: "They circle her"."""
    m = GROUP.search(text)
    return m is not None and not text[: m.start()].strip()


def facing_to(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Degrees on the floor plan from ``a`` looking at ``b`` (0 faces +x, 90 faces +z)."""
    if math.hypot(b[0] - a[0], b[1] - a[1]) < 1e-9:
        return 0.0
    deg = round(math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])), 1) + 0.0
    return deg - 360.0 if deg > 180.0 else deg


def turned(mark: Mark, toward: tuple[float, float]) -> Mark:
    """``mark`` turned to look at ``toward``."""
    return (mark[0], mark[1], facing_to((mark[0], mark[1]), toward))


def distance(a: Mark | tuple[float, float], b: Mark | tuple[float, float]) -> float:
    return math.hypot(b[0] - a[0], b[1] - a[1])


def within(striker: Mark, target: Mark, metres: float) -> tuple[float, float]:
    """The spot ``metres`` from the target on the striker's side: where to strike from."""
    d = distance(striker, target)
    if d < 1e-9:
        return (round(target[0] - metres, 2) + 0.0, round(target[1], 2) + 0.0)
    ux, uz = (striker[0] - target[0]) / d, (striker[1] - target[1]) / d
    return (round(target[0] + ux * metres, 2) + 0.0, round(target[1] + uz * metres, 2) + 0.0)


@functools.lru_cache(maxsize=1)
def _library():  # the package's move library, or None while it cannot load
    from aktion.production.errors import ProductionError

    try:
        from aktion.previz.moves import MoveLibrary

        return MoveLibrary.load()
    except (ImportError, OSError, ValueError, ProductionError):
        return None


@functools.lru_cache(maxsize=256)
def spacing_for(move: str, zone: str | None) -> float:
    """Floor metres between striker and target at which ``move`` lands on ``zone``."""
    library = _library()
    if library is None or move not in library:
        return SPACING
    from aktion.previz.reach import spacing

    if library[move].contact is None:
        return SPACING
    return round(spacing(library[move], zone or "body"), 2)


@functools.lru_cache(maxsize=64)
def travel_speed(move: str) -> float:
    """Metres per second a locomotion move covers (walk 1.3 when the library cannot say)."""
    library = _library()
    if library is not None and move in library and library[move].travel:
        return float(library[move].travel)
    return 1.3


@functools.lru_cache(maxsize=64)
def displacement(move: str) -> float:
    """Floor metres a move carries the body (a roll, a vault), from its root motion."""
    library = _library()
    if library is None or move not in library:
        return 0.0
    root = library[move].root
    return float(math.hypot(root[-1, 0], root[-1, 2]))
