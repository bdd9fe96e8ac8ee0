"""How far a strike reaches: where its striking limb is on the contact frame.

Read from the move itself (its keyframes at ``contact``, posed on a build), so a
move file added to the library brings its own range; blocking uses it to put a
target where the blow can land without the striker lunging across the set.
"""

from __future__ import annotations

import numpy as np

from aktion.production.cast import Build

from .moves import Move
from .performance import STANDOFF
from .skeleton import INDEX, Skeleton


def reach(move: Move, build: Build | None = None) -> float:
    """Floor metres from the striker's mark to the striking limb on contact.

    Measured on the floor (a hook lands beside the line the body faces; the solver
    turns the striker into it), so it is the distance a target's zone should be.
    """
    if move.contact is None or move.effector is None:
        return 0.0
    skel = Skeleton.from_build(build or Build())
    angles, root4 = move.sample(np.array([move.contact]))
    pos = skel.pose(angles, root4[:, :3], root4[:, 3])
    return float(np.hypot(*pos[0, INDEX[move.effector], [0, 2]]))


def spacing(move: Move, zone: str, build: Build | None = None) -> float:
    """Floor distance between striker and target at which ``move`` lands on ``zone``."""
    return reach(move, build) + STANDOFF.get(zone, STANDOFF["body"])
