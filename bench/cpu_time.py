"""CPU seconds used so far by this process and the worker processes it started.

Benchmarks print CPU per frame beside wall-clock figures: on a machine other work
shares, wall clock says what this run got, CPU what the work costs (two idle cores
run at most two CPU seconds a second).
"""

from __future__ import annotations

import multiprocessing
import os
import resource


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = own.ru_utime + own.ru_stime
    tick = os.sysconf("SC_CLK_TCK")
    for child in multiprocessing.active_children():  # e.g. the drawing processes
        try:
            with open(f"/proc/{child.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # not Linux, or it just ended
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total
