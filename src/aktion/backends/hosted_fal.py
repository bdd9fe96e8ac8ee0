"""The ``fal`` backend: hosted video models through fal's official client (``fal-client``).

Configured in ``backends.toml``; the key comes from the ``FAL_KEY`` environment
variable only and is never written to a file, a log, an error or a step record.

    [fal]
    motion = "wan-vace-pose"   # kling-i2v, vidu-reference or wan-vace-pose
    poll_interval = 2.0        # seconds between status polls

Paid calls are made once per step: the request carries an idempotency key
derived from everything the step's content key covers (its request and the
bytes of its inputs), the vendor's request id is recorded durably before
polling (``hosted_sidecar``), a rerun after a crash resumes that request, and a
finished result is kept so a later run pays nothing and calls nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

from aktion.generation.config import BackendContext
from aktion.production.digest import digest_file as file_digest

from .base import BackendError, Capabilities, Progress, StepRequest, StepResult
from .hosted_fal_models import MODELS, Media, Model
from .hosted_sidecar import Sidecar

KEY_ENV = "FAL_KEY"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_DOWNLOAD = 1 << 30  # bytes of a returned clip


def _default_client(key: str) -> Any:
    import fal_client

    return fal_client.SyncClient(key=key)


def _default_http() -> Any:
    import httpx

    return httpx.Client(timeout=120.0, follow_redirects=True)  # no credentials: CDN only


def redact(text: str) -> str:
    """``text`` with the key (if set) replaced, for every message that leaves this file."""
    key = os.environ.get(KEY_ENV, "")
    return text.replace(key, "***") if len(key) >= 4 else text




def idempotency_key(model: Model, request: StepRequest, media: Media) -> str:
    """The step's identity as this backend sees it: what its content key hashes, plus
    the bytes of its inputs (the content key covers them through the input steps' keys)."""
    data = {"endpoint": model.endpoint, "request": request.hashed(),
            "inputs": {n: file_digest(p) for n, p in sorted(media.inputs.items())},
            "refs": [file_digest(p) for p in media.refs]}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


class FalBackend:
    id: ClassVar[str] = "fal"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"motion"}),
        conditioning=frozenset().union(*(m.conditioning for m in MODELS.values())),
        deterministic=False, device="remote", cost="paid", speed="medium")

    def __init__(self, client: Callable[[str], Any] = _default_client,
                 http: Callable[[], Any] = _default_http) -> None:
        """``client(key)`` makes the fal client; ``http()`` the client that downloads results."""
        self.context: BackendContext | None = None
        self._client, self._http = client, http

    def configure(self, context: BackendContext) -> None:
        self.context = context

    @staticmethod
    def model(config: dict[str, Any]) -> Model:
        name = config.get("motion", "wan-vace-pose")
        if name not in MODELS:
            raise BackendError(f"fal: unknown model `{name}` (known: {', '.join(MODELS)})")
        return MODELS[name]

    @classmethod
    def offers(cls, config: dict[str, Any]) -> dict[str, Capabilities]:
        m = cls.model(config)
        return {"motion": Capabilities(frozenset({"motion"}), m.conditioning,
                                       max_frames=m.max_frames, deterministic=False,
                                       device="remote", cost="paid", speed="medium")}

    @classmethod
    def model_id(cls, kind: str, config: dict[str, Any],
                 context: BackendContext) -> dict[str, Any]:
        m = cls.model(config)
        return {"name": m.name, "endpoint": m.endpoint}

    # running -------------------------------------------------------------
    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        if self.context is None:
            raise BackendError("fal: not configured (no [fal] in backends.toml)")
        model = self.model(self.context.config)
        media = Media(dict(request.inputs), self._refs(request))
        key = idempotency_key(model, request, media)
        sidecar = Sidecar(self.context.root / ".aktion" / "hosted" / "fal")
        try:
            clip, record = self._result(model, request, media, key, sidecar, progress)
        except BackendError:
            raise
        except Exception as e:  # noqa: BLE001 - the vendor's and the network's errors alike
            raise BackendError(redact(f"fal {model.name}: {type(e).__name__}: {e}")) from None
        from aktion.generation.measures import step_measures

        from .hosted_media import normalise

        out, frames = normalise(clip, request, workdir)
        return StepResult({"video": out}, {**record, "frames": frames, "idempotency_key": key,
                                           "measures": step_measures("motion", {"video": out},
                                                                     {})})

    def _refs(self, request: StepRequest) -> list[Path]:
        assert self.context is not None
        cast_dir = self.context.cast_dir.resolve()
        refs = []
        for cid, char in sorted(request.cast.items()):
            for ref in char.get("refs", []):
                path = (cast_dir / ref).resolve()
                if not path.is_relative_to(cast_dir.parent) or not path.is_file():
                    raise BackendError(f"fal: reference {ref} of {cid} is not in the production")
                refs.append(path)
        return refs

    def _result(self, model: Model, request: StepRequest, media: Media, key: str,
                sidecar: Sidecar, progress: Progress) -> tuple[Path, dict[str, Any]]:
        """The clip of this step: kept, resumed, or (only when never paid for) submitted."""
        kept = sidecar.read(key)
        clip = sidecar.media(key, ".mp4")
        if kept and kept.get("state") == "completed" and clip.is_file():
            return clip, self._record(model, kept, "kept")
        secret = os.environ.get(KEY_ENV)
        if not secret:
            raise BackendError(f"fal: set {KEY_ENV} in the environment (it is read from "
                               "nowhere else)")
        client = self._client(secret)
        how = "resumed"
        if kept is None or kept.get("state") not in ("submitted", "completed"):
            payload = model.build(request, media)
            handle = client.submit(model.endpoint, payload,
                                   headers={IDEMPOTENCY_HEADER: key})
            kept = {"state": "submitted", "endpoint": model.endpoint,
                    "request_id": handle.request_id}
            sidecar.write(key, kept)  # durable before the first poll
            how = "submitted"
        if kept.get("state") != "completed":
            result = self._wait(client, model, kept["request_id"], key, sidecar, progress)
            kept = {**kept, "state": "completed", "result": result}
            sidecar.write(key, kept)
        self._download(kept["result"], clip)
        return clip, self._record(model, kept, how)

    def _wait(self, client: Any, model: Model, request_id: str, key: str, sidecar: Sidecar,
              progress: Progress) -> dict[str, Any]:
        import fal_client

        interval = float(self.context.config.get("poll_interval", 2.0)) if self.context else 2.0
        handle = client.get_handle(model.endpoint, request_id)
        while True:
            status = handle.status()
            if isinstance(status, fal_client.Completed):
                break
            progress(0, 1)
            time.sleep(interval)
        try:
            if status.error:
                raise fal_client.FalClientError(status.error)
            result = handle.get()
        except fal_client.FalClientError as e:  # the vendor failed it: nothing delivered
            sidecar.forget(key, redact(str(e)))
            raise BackendError(redact(f"fal {model.name}: request {request_id} failed "
                                      f"(the next render submits it again): {e}")) from None
        progress(1, 1)
        return result

    def _download(self, result: dict[str, Any], dest: Path) -> None:
        from aktion.media.atomic import atomic_path

        url = (result.get("video") or {}).get("url", "")
        if urlparse(url).scheme != "https":
            raise BackendError(f"fal: the result has no https video url ({url[:80]!r})")
        with self._http() as http, http.stream("GET", url) as response:
            if response.status_code != 200:
                raise BackendError(f"fal: downloading the clip: HTTP {response.status_code}")
            with atomic_path(dest) as tmp, open(tmp, "wb") as f:
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DOWNLOAD:
                        raise BackendError(f"fal: the clip is over {MAX_DOWNLOAD} bytes")
                    f.write(chunk)

    @staticmethod
    def _record(model: Model, kept: dict[str, Any], how: str) -> dict[str, Any]:
        return {"model": {"name": model.name, "endpoint": model.endpoint},
                "request_id": kept["request_id"], "paid_call": how,
                "seed": kept.get("result", {}).get("seed")}
