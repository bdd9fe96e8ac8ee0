"""The cast: looks, references, lock state, and the shots each character is in."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, UploadFile
from pydantic import ValidationError

from aktion.production import roundtrip
from aktion.production.cast import Character, compute_lock
from aktion.production.digest import digest_file
from aktion.production.yamlio import plain

from ..context import Studio, StudioDep, settings_of
from ..media_files import (
    IMAGE_TYPES,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_PIXELS,
    image_response,
    sniff_image,
)
from ..paths import confine, safe_name
from ..sources import if_match, read_versioned, write_versioned
from ..yamledit import edit, parse
from .boards import read_boards

router = APIRouter(tags=["cast"])

EDITABLE = {"name", "description", "look", "wardrobe", "build", "palette", "seed", "refs",
            "voice"}


def _paths(s: Studio, cid: str) -> tuple[Path, Path]:
    safe_name(cid, "character id")
    cast_dir = confine(s.root, settings_of(s.root).cast_dir)
    return cast_dir, confine(cast_dir, f"{cid}.yaml")


def describe(s: Studio, cid: str) -> dict[str, Any]:
    """One character as the Cast room shows it, computed from its own file only."""
    cast_dir, path = _paths(s, cid)
    text, tag = read_versioned(path)
    if text is None:
        raise HTTPException(404, f"no character {cid}")
    settings = settings_of(s.root)
    out: dict[str, Any] = {"id": cid, "etag": tag, "text": text, "problems": []}
    try:
        ch = Character.model_validate(plain(parse(text, path)), context={"fps": settings.fps})
    except ValidationError as e:
        out.update(state="invalid", problems=[str(x["msg"]) for x in e.errors()])
        return out
    digests, refs = {}, []
    for i, ref in enumerate(ch.refs):
        try:
            p = confine(cast_dir, ref, must_exist=True)
            digests[ref] = digest_file(p)
            refs.append({"index": i, "name": ref, "ok": True})
        except HTTPException as e:
            refs.append({"index": i, "name": ref, "ok": False, "problem": e.detail})
            out["problems"].append(f"reference {ref}: {e.detail}")
    lock = compute_lock(ch, digests)
    state = "unlocked" if not ch.locked else ("locked" if ch.locked == lock else "changed")
    boards, _ = read_boards(s.root, settings)
    shots = [sh.id for sc in (boards.scenes if boards else []) for sh in sc.shots
             if cid in sh.characters]
    out.update(character=ch.dump(), refs=refs, lock=lock, state=state, shots=shots)
    return out


@router.get("/cast")
def list_cast(s: StudioDep) -> list[dict[str, Any]]:
    """Every character with lock state (locked, unlocked, changed) and shots."""
    cast_dir, _ = _paths(s, "x")
    files = sorted(cast_dir.glob("*.yaml")) if cast_dir.is_dir() else []
    out = []
    for p in files:
        try:
            out.append({k: v for k, v in describe(s, p.stem).items() if k != "text"})
        except HTTPException as e:  # one bad entry (a symlink out) is refused on its own
            out.append({"id": p.stem, "state": "refused", "problems": [str(e.detail)],
                        "refs": [], "shots": []})
    return out


@router.get("/cast/{cid}")
def get_character(cid: str, response: Response, s: StudioDep) -> dict[str, Any]:
    out = describe(s, cid)
    response.headers["ETag"] = out["etag"]
    return out


@router.put("/cast/{cid}")
def put_character(cid: str, fields: dict[str, Any], request: Request, response: Response,
                  s: StudioDep) -> dict[str, Any]:
    """Change a character's fields. A locked character then reads `changed` until relocked."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise HTTPException(422, f"fields not editable here: {sorted(unknown)}")
    _, path = _paths(s, cid)

    fps = settings_of(s.root).fps

    def change(doc: Any) -> None:
        for k, v in fields.items():
            roundtrip.put(doc, k, roundtrip.DELETE if v is None else v, fps)

    tag = write_versioned(path, if_match(request),
                          edit(path, s.root, Character, settings_of(s.root).fps, change))
    response.headers["ETag"] = tag
    return describe(s, cid)


@router.post("/cast/{cid}/lock")
def lock_character(cid: str, request: Request, response: Response,
                   s: StudioDep) -> dict[str, Any]:
    """Lock (or relock) at the current description and references, as `aktion cast relock`."""
    _, path = _paths(s, cid)
    current = describe(s, cid)
    if current.get("state") == "invalid":
        raise HTTPException(422, {"problems": current["problems"]})
    if any(not r["ok"] for r in current["refs"]):
        raise HTTPException(422, {"problems": current["problems"]})
    lock = current["lock"]

    def change(doc: Any) -> None:
        roundtrip.put(doc, "locked", lock, 24)

    tag = write_versioned(path, if_match(request),
                          edit(path, s.root, Character, settings_of(s.root).fps, change))
    response.headers["ETag"] = tag
    return describe(s, cid)


@router.get("/cast/{cid}/refs/{index}")
def get_ref(cid: str, index: int, s: StudioDep) -> Response:
    """A reference image, served only if its content is an allowed image format."""
    cast_dir, _ = _paths(s, cid)
    info = describe(s, cid)
    refs = info.get("character", {}).get("refs", [])
    if not 0 <= index < len(refs):
        raise HTTPException(404, "no such reference")
    return image_response(confine(cast_dir, refs[index], must_exist=True))


@router.post("/cast/{cid}/refs", status_code=201)
async def upload_ref(cid: str, file: UploadFile, request: Request, response: Response,
                     s: StudioDep) -> dict[str, Any]:
    """Add a reference image (PNG, JPEG or WebP by content; size and pixels capped)."""
    cast_dir, path = _paths(s, cid)
    if not path.is_file():
        raise HTTPException(404, f"no character {cid}")
    stem = Path(safe_name(file.filename or "", "file name")).stem
    safe_name(stem, "file name")
    folder = confine(cast_dir, cid)
    folder.mkdir(exist_ok=True)
    confine(cast_dir, cid)  # again, now that it exists: a symlinked folder is refused
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := await file.read(1 << 20):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise HTTPException(413, f"upload over {MAX_UPLOAD_BYTES} bytes")
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        fmt = sniff_image(tmp, MAX_UPLOAD_PIXELS)
        name = f"{stem}{IMAGE_TYPES[fmt][1]}"
        dest = confine(folder, name)
        rel = f"{cid}/{name}"

        def change(doc: Any) -> None:
            os.replace(tmp, dest)  # only once the character file is known to be current
            refs = [str(r) for r in doc.get("refs") or []]
            if rel not in refs:
                roundtrip.put(doc, "refs", [*refs, rel], 24)

        tag = write_versioned(path, if_match(request),
                              edit(path, s.root, Character, settings_of(s.root).fps, change))
    finally:
        tmp.unlink(missing_ok=True)
    response.headers["ETag"] = tag
    return describe(s, cid)
