"""The studio's API edits the same files the CLI reads, never loses a write, and renders."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from aktion.engine.store import Store
from aktion.production.load import load_production
from test_studio_support import make_client, use_fake_previz, wait_job


@pytest.fixture
def client(tiny: Path) -> TestClient:
    return make_client(tiny)


def test_openapi_documents_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/production", "/api/script", "/api/cast/{cid}", "/api/cast/{cid}/lock",
              "/api/boards/shots/{shot_id}", "/api/choreo/{shot_id}", "/api/jobs",
              "/api/jobs/{job_id}/events", "/api/jobs/{job_id}/cancel",
              "/api/media/cut/{scene_id}"):
        assert p in paths, p


def test_beat_edit_is_what_the_cli_loads(client: TestClient, tiny: Path) -> None:
    got = client.get("/api/choreo/2").json()
    beats = [{k: v for k, v in b.items() if k != "schema"} for b in got["beats"]]
    beats[0]["t"] = 5
    beats.append({"t": "0.25s", "who": "kade", "move": "block"})
    r = client.put("/api/choreo/2", json={"beats": beats}, headers={"If-Match": got["etag"]})
    assert r.status_code == 200, r.text
    production = load_production(tiny)
    assert [(b.t, b.who, b.move) for b in production.beats("2")] == [
        (5, "vex", "jab"), (6, "kade", "block")]
    assert "{t: 5, who: vex" in (tiny / "choreo.yaml").read_text()  # house style kept


def test_stale_write_is_409_and_blind_write_428(client: TestClient, tiny: Path) -> None:
    first = client.get("/api/choreo/2").json()
    ok = client.put("/api/choreo/2", json={"beats": []}, headers={"If-Match": first["etag"]})
    assert ok.status_code == 200
    stale = client.put("/api/choreo/2", json={"beats": [{"t": 3, "camera": "shake"}]},
                       headers={"If-Match": first["etag"]})
    assert stale.status_code == 409
    assert load_production(tiny).beats("2") == []  # the first write was not lost
    assert client.put("/api/choreo/2", json={"beats": []}).status_code == 428


def test_invalid_edit_is_refused_with_file_and_line(client: TestClient, tiny: Path) -> None:
    before = (tiny / "boards.yaml").read_text()
    etag = client.get("/api/boards").json()["etag"]
    r = client.put("/api/boards/shots/1", json={"size": "HUGE"}, headers={"If-Match": etag})
    assert r.status_code == 422
    assert any(i["file"] == "boards.yaml" and i["line"] for i in r.json()["detail"]["issues"])
    assert (tiny / "boards.yaml").read_text() == before


def test_shot_and_script_edits_reach_the_cli(client: TestClient, tiny: Path) -> None:
    etag = client.get("/api/boards").json()["etag"]
    r = client.put("/api/boards/shots/1", json={"size": "CU", "lens": 85, "duration": 18,
                                                "move": {"type": "pan", "amount": 20}},
                   headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    _, shot = load_production(tiny).shot("1")
    assert (shot.size, shot.lens, shot.duration, shot.move.type) == ("CU", 85, 18, "pan")
    s = client.get("/api/script").json()
    text = s["text"].replace("Rain.", "Thunder.")
    r = client.put("/api/script", json={"text": text}, headers={"If-Match": s["etag"]})
    assert r.status_code == 200 and "Thunder." in load_production(tiny).script.text(6, 6)
    bd = client.post("/api/script/breakdown", json={"text": text + "\nINT. HALL - DAY\n\nX.\n"})
    assert [sc["heading"] for sc in bd.json()["scenes"]] == ["EXT. ROOF - NIGHT",
                                                             "INT. HALL - DAY"]


def test_cast_lock_change_relock(client: TestClient, tiny: Path) -> None:
    vex = client.get("/api/cast/vex").json()
    assert vex["state"] == "unlocked" and vex["shots"] == ["1", "2"]
    locked = client.post("/api/cast/vex/lock", headers={"If-Match": vex["etag"]}).json()
    assert locked["state"] == "locked"
    assert load_production(tiny).cast["vex"].locked == locked["lock"]
    changed = client.put("/api/cast/vex", json={"description": "A tired courier."},
                         headers={"If-Match": locked["etag"]}).json()
    assert changed["state"] == "changed"
    relocked = client.post("/api/cast/vex/lock", headers={"If-Match": changed["etag"]}).json()
    assert relocked["state"] == "locked"
    assert load_production(tiny).cast["vex"].description == "A tired courier."


def test_render_job_streams_progress_and_serves_media(client: TestClient, tiny: Path) -> None:
    """The real previz backend: the tiny production renders in about two seconds."""
    job = client.post("/api/jobs", json={}).json()
    with client.stream("GET", f"/api/jobs/{job['id']}/events") as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith('data: {"')]
    assert events[-1] == {**events[-1], "type": "state", "state": "done"}
    assert {e["step"] for e in events if e["type"] == "finished"} >= {"render:1", "cut:roof"}
    assert any(e["type"] == "progress" for e in events)
    media = client.get("/api/media/shots/1").json()["steps"]
    assert "frame" in media["layout"]["outputs"]
    frame = client.get("/api/media/shots/1/layout/frame")
    assert frame.headers["content-type"] == "image/png"
    video = client.get("/api/media/shots/1/render/video")
    assert video.headers["content-type"] == "video/mp4"
    cut = client.get("/api/media/cut/roof")
    assert cut.status_code == 200 and cut.headers["x-content-type-options"] == "nosniff"
    assert cut.content == (tiny / "out" / "roof.mp4").read_bytes()


def test_cancel_leaves_the_store_consistent(
        client: TestClient, tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = use_fake_previz(monkeypatch)
    monkeypatch.setattr(fake, "frame_delay", 0.05)
    job = client.post("/api/jobs", json={}).json()
    deadline = time.time() + 10
    while client.get(f"/api/jobs/{job['id']}").json()["events"] < 4 and time.time() < deadline:
        time.sleep(0.02)
    client.post(f"/api/jobs/{job['id']}/cancel")
    assert wait_job(client, job["id"])["state"] == "cancelled"
    store = Store.for_production(tiny)
    try:
        assert store.verify() == []
        assert list(store.tmp.iterdir()) == []
    finally:
        store.close()
    monkeypatch.setattr(fake, "frame_delay", 0.0)
    again = client.post("/api/jobs", json={}).json()
    assert wait_job(client, again["id"])["state"] == "done"
    assert (tiny / "out" / "roof.mp4").is_file()


def test_studio_command_refuses_a_non_production(tmp_path: Path) -> None:
    from aktion.cli import _register, app

    _register()
    result = CliRunner().invoke(app, ["studio", str(tmp_path), "--no-browser"])
    assert result.exit_code == 2 and "aktion.toml" in result.output
