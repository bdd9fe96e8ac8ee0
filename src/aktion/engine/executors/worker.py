"""The stateless worker side of a step: fetch inputs, run the backend, store outputs.

Runs anywhere the backend and the blob location are reachable: a thread of the
local pool or a Ray worker process. It never touches the action cache.
"""

from __future__ import annotations

import importlib
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from aktion.backends.base import Backend, BackendError, Progress, StepRequest
from aktion.generation.config import BackendContext

from ..blobstore import Blobs, Output, no_room, open_blobs
from .base import Done, Event, Job

Emit = Callable[[Event], None]

_local = threading.local()


def backend_class(target: str) -> type:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def _backend(target: str, context: BackendContext | None = None) -> Backend:
    """One instance per target and configuration per thread: a backend may keep a model
    loaded between steps."""
    from ..router import configured

    cache = _local.__dict__.setdefault("backends", {})
    slot = (target, repr(context))
    if slot not in cache:
        cache[slot] = configured(backend_class(target), context)
    return cache[slot]


def _blobs(location: str) -> Blobs:
    cache = _local.__dict__.setdefault("blobs", {})
    if location not in cache:
        cache[location] = open_blobs(location)
    return cache[location]


def cause_of(e: BaseException) -> str:
    """What the summary shows: a backend's own message, or the error and where it came from."""
    if isinstance(e, BackendError):
        return str(e)
    if no_room(e):  # a full disk is no bug: one line, and what to do
        where = getattr(e, "filename", None)
        return ("no space left on the device" + (f" writing {where}" if where else "") +
                ": free some disk space and run again (finished steps are kept)")
    return f"{type(e).__name__}: {e}\n{''.join(traceback.format_exception(e, limit=-3))}"


def perform(backend: Backend, step_id: str, request: StepRequest, workdir: Path,
            progress: Progress, put_file: Callable[[Path], Output],
            watermark: bool = False) -> tuple[dict, dict]:
    """Run a backend on one step and put what it wrote in the blob store.

    Returns the outputs by name and the step's record; shared by every executor and by
    ``aktion.engine.run.execute``. With ``watermark``, picture clips are watermarked as
    they are written."""
    # imported when a step runs: watermarking loads the encoder, so a cached rerun needs none
    from aktion.provenance.frame_marks import marking, record_marks

    with marking(step_id, request.kind if watermark else "", request.hashed()) as marks:
        result = backend.run(request, workdir, progress)
    missing = [n for n, p in result.outputs.items() if not Path(p).is_file()]
    if missing:
        raise BackendError(f"{backend.id} reported outputs it did not write: {missing}")
    outputs = {name: put_file(Path(p)) for name, p in result.outputs.items()}
    record = {"backend": backend.id, "backend_version": str(backend.version),
              "step": step_id, "locks": request.locks, **result.record}
    record_marks(record, marks, result.outputs)
    return outputs, record


def run_job(job: Job, emit: Emit) -> Done:
    """Run one job; a failure of the step comes back as ``Done.error``, never raised."""
    t0 = time.perf_counter()
    scratch = job.scratch if job.scratch and Path(job.scratch).is_dir() else None
    work = Path(tempfile.mkdtemp(dir=scratch, prefix="step-"))
    try:
        blobs = _blobs(job.blobs)
        backend = _backend(job.target, job.context)
        inputs = {name: blobs.fetch(out, work / "in") for name, out in job.inputs.items()}
        emit(Event(job.step_id, "started"))
        request = job.request.model_copy(update={"inputs": inputs})
        out_dir = work / "out"
        out_dir.mkdir()
        outputs, record = perform(
            backend, job.step_id, request, out_dir,
            lambda d, t: emit(Event(job.step_id, "progress", d, t)), blobs.put_file,
            job.watermark)
        return Done(job.step_id, outputs, record, seconds=time.perf_counter() - t0)
    except Exception as e:  # noqa: BLE001 - one failed step must not stop the others
        return Done(job.step_id, error=cause_of(e), seconds=time.perf_counter() - t0)
    finally:
        shutil.rmtree(work, ignore_errors=True)

