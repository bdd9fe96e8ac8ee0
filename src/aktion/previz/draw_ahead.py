"""Frames drawn ahead of the encoder: in worker processes, into shared memory, in order.

Drawing a frame is mostly Python (projecting and shading parts, an OpenCV call per
polygon). Drawn on a thread of the encoder's process it would hold the GIL that the
encoding thread needs between its calls into x264, and every step running beside it
would slow both. So worker processes draw chunks of frames straight into a ring of
shared-memory slots; the encoding thread reads each frame where it was drawn (no copy,
no pickling of pixels) and gives its slot back when it asks for the next frame.

A frame's pixels depend only on its index (the renderer's caches are keyed by what
they hold), so the bytes are the same whoever draws a frame and in whatever order:
small jobs are drawn on the calling thread, big ones in the pool, with equal results.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import mmap
import multiprocessing
import os
import pickle
import re
import sys
import tempfile
import threading
import uuid
from collections import OrderedDict, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np

from .draw import Renderer

log = logging.getLogger(__name__)
WORKERS_ENV = "AKTION_DRAW_WORKERS"
MIN_PIXELS = 24 * 640 * 360
"""Below this many pixels in all (a second at 640x360) the pool costs more than it saves."""
RING_BYTES = 32 << 20
"""About how much shared memory one shot's ring of frame slots takes."""


class DrawError(RuntimeError):
    """A drawing worker died or failed; the message says why."""


def draw_workers() -> int:
    """How many drawing processes to use: ``AKTION_DRAW_WORKERS``, else one per two cores
    (x264 keeps two busy per shot being encoded), at least one and at most four."""
    value = os.environ.get(WORKERS_ENV, "").strip()
    if value:
        try:
            n = int(value)
        except ValueError:
            raise DrawError(f"{WORKERS_ENV}={value!r}: expected a whole number of "
                            "processes (0 draws on the encoding thread)") from None
        if n < 0:
            raise DrawError(f"{WORKERS_ENV}={value!r}: expected 0 or more")
        return n
    return max(1, min(4, (os.cpu_count() or 2) // 2))


def drawn_frames(renderer: Renderer, frames: int, workers: int | None = None,
                 min_pixels: int = MIN_PIXELS) -> Iterator[np.ndarray]:  # fmt: skip
    """Frames ``0 .. frames - 1`` of ``renderer`` in order, as RGB uint8 arrays.

    Each frame stays valid only until the next one is asked for (its memory is reused).
    ``workers`` (default ``draw_workers()``) processes draw ahead; with 0, or for a job
    under ``min_pixels``, frames are drawn on this thread."""
    n = draw_workers() if workers is None else workers
    if n <= 0 or frames * renderer.width * renderer.height < min_pixels or not _can_spawn():
        for i in range(frames):
            yield renderer.frame(i)
        return
    yield from _pooled(renderer, frames, n)


def _pooled(renderer: Renderer, frames: int, workers: int) -> Iterator[np.ndarray]:
    shape = (renderer.height, renderer.width, 3)
    frame_bytes = int(np.prod(shape))
    depth = workers + 2  # chunks in flight: every worker busy, one ready, one being read
    chunk = max(1, min(8, RING_BYTES // (frame_bytes * depth)))
    blob = pickle.dumps(renderer, protocol=pickle.HIGHEST_PROTOCOL)
    ring = depth * chunk * frame_bytes
    path, memory = _shared_file(ring + len(blob))
    pending: deque[Future[None]] = deque()
    slots = None
    try:
        memory[ring : ring + len(blob)] = blob
        slots = np.ndarray((depth * chunk, *shape), np.uint8, memory)
        pool = _pool(workers)
        token = uuid.uuid4().hex
        spans = [(a, min(a + chunk, frames)) for a in range(0, frames, chunk)]

        def submit(j: int) -> None:
            a, b = spans[j]
            task = (token, path, ring, len(blob), (j % depth) * chunk, a, b)
            pending.append(pool.submit(_draw_chunk, *task))

        for j in range(min(depth, len(spans))):
            submit(j)
        for j, (a, b) in enumerate(spans):
            _wait(pending.popleft())
            base = (j % depth) * chunk
            for k in range(b - a):
                yield slots[base + k]
            if j + depth < len(spans):  # the consumer is done with chunk j's slots
                submit(j + depth)
    finally:
        for f in pending:
            f.cancel()
        for f in pending:  # a worker still drawing into the ring: let it finish first
            with contextlib.suppress(Exception):
                f.result()
        del slots
        Path(path).unlink(missing_ok=True)
        with contextlib.suppress(BufferError):  # a frame still held by the caller
            memory.close()


def _shared_file(size: int) -> tuple[str, mmap.mmap]:
    """A file mapped into memory, in RAM (``/dev/shm``) where there is one, that drawing
    processes map by its path. A plain file rather than ``multiprocessing.shared_memory``:
    no resource tracker to keep in step (before Python 3.13 a failed creation, such as a
    full disk, makes it print a traceback)."""
    folder = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    fd, path = tempfile.mkstemp(prefix="aktion-frames-", dir=folder)
    try:
        os.ftruncate(fd, size)
        return path, mmap.mmap(fd, size)
    except BaseException:
        os.unlink(path)
        raise
    finally:
        os.close(fd)


def _wait(future: Future[None]) -> None:
    try:
        future.result()
    except BrokenProcessPool as e:
        _reset_pool()
        raise DrawError(f"a drawing process died ({e})") from None
    except Exception as e:  # raised in the worker, pickled back: one line, with its kind
        raise DrawError(f"drawing failed: {type(e).__name__}: {e}") from e


# --- the pool, shared by every render in this process --------------------------------


def _can_spawn() -> bool:
    """Whether a spawned process may start here: it runs the main script again (as
    ``__mp_main__``), which is only harmless behind ``if __name__ == "__main__":``.

    The ``aktion`` command, ``python -m``, pytest, notebooks and guarded scripts pass; an
    unguarded script draws on its own thread instead (the same frames, more slowly)."""
    global _SPAWN_OK
    if _SPAWN_OK is None:
        main = sys.modules.get("__main__")
        name = getattr(getattr(main, "__spec__", None), "name", None) or ""
        path = getattr(main, "__file__", None)
        if multiprocessing.parent_process() is not None:
            _SPAWN_OK = False  # a worker of some pool: do not nest pools
        elif name == "__main__" or name.endswith(".__main__") or path is None:
            _SPAWN_OK = True  # a package's __main__, -c or interactive: nothing is re-run
        else:
            try:
                source = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                source = ""
            _SPAWN_OK = re.search(r"""__name__\s*==\s*['"]__main__['"]""", source) is not None
            if not _SPAWN_OK:
                log.info("drawing on the encoding thread: %s has no `if __name__ == "
                         "\"__main__\":` guard, which drawing processes need", path)
    return _SPAWN_OK


_SPAWN_OK: bool | None = None

_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()


def _pool(workers: int) -> ProcessPoolExecutor:
    """The process's drawing pool, started on first use and kept for later shots.

    Spawned, not forked: the encoder's process runs threads (x264's, the executor's)
    whose locks a fork would copy mid-use."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is None or _POOL_SIZE != workers:
            if _POOL is not None:
                _POOL.shutdown(wait=False, cancel_futures=True)
            _POOL = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            _POOL_SIZE = workers
        return _POOL


def start(workers: int | None = None) -> int:
    """Start the drawing processes now rather than at the first big shot (a benchmark
    does, to time drawing and not Python starting); returns how many there are."""
    n = draw_workers() if workers is None else workers
    if n <= 0 or not _can_spawn():
        return 0
    pool = _pool(n)
    for f in [pool.submit(_ready) for _ in range(n)]:
        _wait(f)
    return n


def _ready() -> None:
    """A task that only proves a worker is up (its imports done)."""


def _reset_pool() -> None:
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.shutdown(wait=False, cancel_futures=True)
        _POOL = None


def shutdown() -> None:
    """Stop the drawing processes (they are started again when next needed)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.shutdown(wait=True, cancel_futures=True)
        _POOL = None


atexit.register(shutdown)


# --- in a worker process ---------------------------------------------------------------

_RENDERERS: OrderedDict[str, Renderer] = OrderedDict()
_SEGMENTS: OrderedDict[str, mmap.mmap] = OrderedDict()
KEEP = 4  # renderers and rings a worker keeps, for renders that take turns


def _segment(path: str) -> mmap.mmap:
    memory = _SEGMENTS.get(path)
    if memory is None:
        with open(path, "r+b") as f:
            memory = mmap.mmap(f.fileno(), 0)
        _SEGMENTS[path] = memory
        while len(_SEGMENTS) > KEEP:
            with contextlib.suppress(BufferError):
                _SEGMENTS.popitem(last=False)[1].close()
    _SEGMENTS.move_to_end(path)
    return memory


def _draw_chunk(token: str, path: str, blob_at: int, blob_len: int, slot: int,
                start: int, stop: int) -> None:  # fmt: skip
    """Draw frames ``start .. stop - 1`` into the ring's slots from ``slot`` on."""
    memory = _segment(path)
    renderer = _RENDERERS.get(token)
    if renderer is None:
        renderer = pickle.loads(memory[blob_at : blob_at + blob_len])
        _RENDERERS[token] = renderer
        while len(_RENDERERS) > KEEP:
            _RENDERERS.popitem(last=False)
    _RENDERERS.move_to_end(token)
    shape = (renderer.height, renderer.width, 3)
    slots = np.ndarray((stop - start, *shape), np.uint8, memory, slot * int(np.prod(shape)))
    for k, i in enumerate(range(start, stop)):
        renderer.frame(i, slots[k])
    del slots
