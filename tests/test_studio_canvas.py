"""The Canvas, Writers Room draft and provenance routes, over the real previz backend:
takes and edits land in canvas.yaml as the CLI writes them, export goes through the
editorial module, and a trail is the verifier's own verdict."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from aktion.production.load import load_production
from aktion.production.takes import load_canvas
from aktion.provenance.identity import create_identity, install_identity
from test_studio_support import make_client, wait_job


@pytest.fixture
def client(tiny: Path) -> TestClient:
    return make_client(tiny)


@pytest.fixture
def signed(tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny production with a signing identity (its key in a private AKTION_HOME)."""
    monkeypatch.setenv("AKTION_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AKTION_IDENTITY", raising=False)
    install_identity(tiny, create_identity("studio"))
    return tiny


def render(client: TestClient) -> dict:
    job = wait_job(client, client.post("/api/jobs", json={}).json()["id"], timeout=120)
    assert job["state"] == "done", job
    return job


def test_openapi_documents_the_new_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/canvas", "/api/canvas/shots/{shot_id}", "/api/canvas/shots/{shot_id}/takes",
              "/api/export", "/api/provenance/cut/{scene_id}", "/api/provenance/shots/{shot_id}",
              "/api/script/draft"):
        assert p in paths, p


def test_new_take_and_pick_are_what_the_cli_sees(client: TestClient, tiny: Path) -> None:
    from aktion.cli import _register, app

    _register()
    got = client.get("/api/canvas").json()
    shot = got["scenes"][0]["shots"][0]
    assert shot["id"] == "1" and shot["pick"] == 1 and len(shot["takes"]) == 1
    r = client.post("/api/canvas/shots/1/takes", json={"seed": 5},
                    headers={"If-Match": got["etag"]})
    assert r.status_code == 201, r.text
    assert r.json()["pick"] == 2 and r.json()["takes"][1]["seed"] == 5
    r = client.put("/api/canvas/shots/1", json={"pick": 1}, headers={"If-Match": r.json()["etag"]})
    assert r.status_code == 200, r.text
    canvas = load_canvas(tiny)
    assert canvas.shot("1").pick == 1 and canvas.shot("1").takes[0].seed == 5
    # The CLI picks take 2; the studio reads the CLI's file.
    res = CliRunner().invoke(app, ["take", "pick", "1", "2", "--path", str(tiny)])
    assert res.exit_code == 0, res.output
    assert client.get("/api/canvas").json()["scenes"][0]["shots"][0]["pick"] == 2


def test_canvas_writes_need_a_fresh_version(client: TestClient, tiny: Path) -> None:
    tag = client.get("/api/canvas").json()["etag"]
    assert client.put("/api/canvas/shots/1", json={"extend": 6}).status_code == 428
    ok = client.put("/api/canvas/shots/1", json={"extend": 6}, headers={"If-Match": tag})
    assert ok.status_code == 200
    stale = client.put("/api/canvas/shots/1", json={"extend": 2}, headers={"If-Match": tag})
    assert stale.status_code == 409
    assert load_canvas(tiny).shot("1").extend == 6


def test_extend_trim_transition_and_bad_values(client: TestClient, tiny: Path) -> None:
    tag = client.get("/api/canvas").json()["etag"]
    r = client.put("/api/canvas/shots/2", headers={"If-Match": tag}, json={
        "extend": 4, "trim": {"in": 2, "out": 10},
        "transition": {"type": "dissolve", "duration": 3}})
    assert r.status_code == 200, r.text
    edit = load_canvas(tiny).shot("2")
    assert (edit.extend, edit.trim.in_, edit.trim.out) == (4, 2, 10)
    assert edit.transition.type == "dissolve" and edit.transition.duration == 3
    tag = r.json()["etag"]
    for bad in ({"pick": 3}, {"trim": {"in": 5, "out": 2}}, {"transition": {"type": "wipe"}}):
        assert client.put("/api/canvas/shots/2", json=bad,
                          headers={"If-Match": tag}).status_code == 422, bad
    r = client.put("/api/canvas/shots/2", json={"trim": None}, headers={"If-Match": tag})
    assert r.status_code == 200 and load_canvas(tiny).shot("2").trim is None
    assert client.put("/api/canvas/shots/9", json={"extend": 1},
                      headers={"If-Match": "*"}).status_code == 404


def test_export_before_render_says_what_to_do(client: TestClient) -> None:
    r = client.post("/api/export", json={"format": "otio"})
    assert r.status_code == 409 and "render" in r.json()["detail"]
    assert client.post("/api/export", json={"format": "aaf"}).status_code == 422


def test_render_export_and_trails(client: TestClient, signed: Path) -> None:
    tag = client.get("/api/canvas").json()["etag"]
    client.post("/api/canvas/shots/2/takes", json={}, headers={"If-Match": tag})
    render(client)
    for fmt, ext in (("otio", ".otio"), ("fcp7", ".xml"), ("fcpx", ".fcpxml"), ("edl", ".edl")):
        r = client.post("/api/export", json={"format": fmt})
        assert r.status_code == 200, r.text
        assert r.json()["files"] == [f"out/editorial/roof{ext}"]
    timeline = otio.adapters.read_from_file(str(signed / "out/editorial/roof.otio"))
    assert [c.name for c in timeline.find_clips()][:2] and len(timeline.find_clips()) == 2

    cut = client.get("/api/provenance/cut/roof").json()
    assert cut["status"] == "trusted" and cut["ok"], cut["problems"]
    assert cut["file"] == "out/roof.mp4" and str(signed) not in str(cut)
    kids = cut["trail"]["children"]
    assert [k["title"] for k in kids] == ["shot:1", "shot:2"]

    def lines(node: dict) -> list:
        found = [node["step"]["script"]] if "script" in node["step"] else []
        return found + [x for c in node["children"] for x in lines(c)]

    assert {"first_line": 4, "last_line": 12} .items() <= lines(kids[0])[0].items()
    shot = client.get("/api/provenance/shots/2").json()
    assert shot["step"] == "render:2@t2" and shot["status"] == "trusted"


def test_unsigned_production_reports_unsigned(client: TestClient, tiny: Path) -> None:
    render(client)
    v = client.get("/api/provenance/cut/roof").json()
    assert v["status"] == "unsigned" and not v["ok"] and v["trail"] is None
    assert client.get("/api/provenance/shots/1").json()["status"] == "unsigned"
    assert client.get("/api/provenance/cut/nope").status_code == 404


def test_draft_adds_only_what_is_missing(client: TestClient, tiny: Path) -> None:
    script = client.get("/api/script").json()
    text = script["text"] + "\nINT. STAIRWELL - NIGHT\n\nVex runs down the stairs.\n"
    assert client.put("/api/script", json={"text": text},
                      headers={"If-Match": script["etag"]}).status_code == 200
    before = load_production(tiny)
    r = client.post("/api/script/draft", json={})
    assert r.status_code == 200, r.text
    added = r.json()
    assert added["scenes"] and added["shots"] and "boards.yaml" in added["written"]
    after = load_production(tiny)
    assert after.shot("1")[1].blocking == before.shot("1")[1].blocking
    assert [b.t for b in after.beats("2")] == [b.t for b in before.beats("2")]
    again = client.post("/api/script/draft", json={}).json()
    assert again["written"] == [] and again["shots"] == []
    assert client.post("/api/script/draft", json={"scenes": [9]}).status_code == 422
