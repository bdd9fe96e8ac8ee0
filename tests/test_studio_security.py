"""The studio's front door: token, Host, cross-site, path confinement, upload caps."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from aktion.studio.app import create_app
from aktion.studio.media_files import MAX_UPLOAD_BYTES
from test_studio_support import TOKEN, make_client


@pytest.fixture
def client(tiny: Path) -> TestClient:
    return make_client(tiny)


def png(w: int = 8, h: int = 8) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), "red").save(buf, "PNG")
    return buf.getvalue()


def test_no_token_is_401(tiny: Path) -> None:
    bare = TestClient(create_app(tiny, TOKEN, hosts={"testserver"}))
    for path in ("/api/production", "/storyboard", "/api/cast", "/openapi.json",
                 "/static/studio.js"):
        assert bare.get(path).status_code == 401, path
    assert bare.get("/api/production", headers={"Authorization": "Bearer wrong"}
                    ).status_code == 401
    assert bare.put("/api/script", json={"text": "x"}).status_code == 401


def test_token_in_url_becomes_a_strict_httponly_cookie(tiny: Path) -> None:
    bare = TestClient(create_app(tiny, TOKEN, hosts={"testserver"}), follow_redirects=False)
    r = bare.get(f"/storyboard?token={TOKEN}")
    assert r.status_code == 303 and r.headers["location"] == "/storyboard"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert bare.get("/api/production").status_code == 200  # the cookie now carries it


def test_foreign_host_is_403_even_with_token(tiny: Path) -> None:
    c = TestClient(create_app(tiny, TOKEN), headers={"Authorization": f"Bearer {TOKEN}"})
    assert c.get("/api/production").status_code == 403  # "testserver" is not allowed here
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
        assert c.get("/api/production", headers={"Host": host}).status_code == 403
    for host in ("127.0.0.1:5000", "localhost", "[::1]:5000"):
        assert c.get("/api/production", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "http://testserver:1234"},
])
def test_cross_site_writes_are_403(client: TestClient, headers: dict[str, str]) -> None:
    tag = client.get("/api/script").json()["etag"]
    r = client.put("/api/script", json={"text": "hacked"}, headers={"If-Match": tag, **headers})
    assert r.status_code == 403
    assert client.post("/api/jobs", json={}, headers=headers).status_code == 403
    assert "hacked" not in client.get("/api/script").json()["text"]


def test_same_origin_write_passes(client: TestClient) -> None:
    tag = client.get("/api/script").json()["etag"]
    r = client.put("/api/script", json={"text": "INT. ROOM - DAY\n"},
                   headers={"If-Match": tag, "Origin": "http://testserver",
                            "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/storyboard", "/api/production", "/static/studio.css"):
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


ATTACKS = ["..", "../..", "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "..%5C..", "%2Fetc%2Fpasswd",
           ".aktion", "a%00b", "vex%2F..%2F..%2Faktion.toml", ".hidden"]

ROUTES = [
    ("GET", "/api/cast/{x}"),
    ("PUT", "/api/cast/{x}"),
    ("POST", "/api/cast/{x}/lock"),
    ("GET", "/api/cast/{x}/refs/0"),
    ("POST", "/api/cast/{x}/refs"),
    ("GET", "/api/choreo/{x}"),
    ("PUT", "/api/choreo/{x}"),
    ("PUT", "/api/boards/shots/{x}"),
    ("GET", "/api/media/shots/{x}"),
    ("GET", "/api/media/shots/{x}/render/video"),
    ("GET", "/api/media/shots/1/render/{x}"),
    ("GET", "/api/media/cut/{x}"),
    ("PUT", "/api/canvas/shots/{x}"),
    ("POST", "/api/canvas/shots/{x}/takes"),
    ("GET", "/api/provenance/cut/{x}"),
    ("GET", "/api/provenance/shots/{x}"),
    ("GET", "/api/preview/{x}"),
    ("GET", "/api/export/files/{x}"),
    ("GET", "/api/media/shots/{x}/takes/1"),
    ("DELETE", "/api/boards/shots/{x}"),
    ("POST", "/api/boards/scenes/{x}/shots"),
    ("PUT", "/api/boards/scenes/{x}/order"),
    ("PUT", "/api/boards/scenes/{x}/boxes/0"),
]


@pytest.mark.parametrize("method,route", ROUTES)
def test_path_traversal_is_refused_on_every_file_route(
        client: TestClient, tiny: Path, method: str, route: str) -> None:
    (tiny.parent / "secret.txt").write_text("SECRET")
    before = {p: p.read_bytes() for p in tiny.rglob("*") if p.is_file()}
    for attack in ATTACKS:
        kw: dict = {"headers": {"If-Match": "*"}}
        if method != "GET":
            kw["json"] = {"beats": []} if "choreo" in route else {}
        if route.endswith("/refs"):
            kw = {"headers": {"If-Match": "*"},
                  "files": {"file": ("x.png", png(), "image/png")}}
        url = route.format(x=attack)
        r = client.request(method, url, follow_redirects=False, **kw)
        assert "SECRET" not in r.text and "[production]" not in r.text
        if r.request.url.raw_path.decode() != url:
            continue  # the client resolved the dots itself, as browsers do: another route
        assert r.status_code in (400, 403, 404, 405, 422), (attack, r.status_code, r.text)
        assert "SECRET" not in r.text and "[production]" not in r.text
    after = {p: p.read_bytes() for p in tiny.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize("name", ["../evil.png", "..", "a/b.png", ".x.png", "x\\..\\y.png",
                                  "/etc/passwd"])
def test_upload_file_names_cannot_leave_the_cast_folder(
        client: TestClient, tiny: Path, name: str) -> None:
    etag = client.get("/api/cast/vex").json()["etag"]
    r = client.post("/api/cast/vex/refs", headers={"If-Match": etag},
                    files={"file": (name, png(), "image/png")})
    assert r.status_code in (400, 422), (name, r.status_code)
    assert not list(tiny.parent.glob("*.png")) and not (tiny / "cast" / "vex").exists()


def test_symlink_out_of_the_production_is_refused(client: TestClient, tiny: Path) -> None:
    outside = tiny.parent / "outside.png"
    outside.write_bytes(png())
    (tiny / "cast" / "vex").mkdir()
    os.symlink(outside, tiny / "cast" / "vex" / "link.png")
    vex = (tiny / "cast" / "vex.yaml").read_text()
    (tiny / "cast" / "vex.yaml").write_text(vex + "refs: [vex/link.png]\n")
    assert client.get("/api/cast/vex/refs/0").status_code == 403
    info = client.get("/api/cast/vex").json()
    assert not info["refs"][0]["ok"]
    # A symlinked folder is refused for uploads too.
    os.symlink(tiny.parent, tiny / "cast" / "kade")
    etag = client.get("/api/cast/kade").json()["etag"]
    r = client.post("/api/cast/kade/refs", headers={"If-Match": etag},
                    files={"file": ("x.png", png(), "image/png")})
    assert r.status_code == 403 and not (tiny.parent / "x.png").exists()


def test_oversize_upload_is_413(client: TestClient, tiny: Path) -> None:
    etag = client.get("/api/cast/vex").json()["etag"]
    big = png() + b"\0" * (MAX_UPLOAD_BYTES + 1)
    r = client.post("/api/cast/vex/refs", headers={"If-Match": etag},
                    files={"file": ("big.png", big, "image/png")})
    assert r.status_code == 413
    assert not list((tiny / "cast").rglob("*.png"))


def test_too_many_pixels_is_413_and_wrong_content_is_415(client: TestClient, tiny: Path) -> None:
    etag = client.get("/api/cast/vex").json()["etag"]
    r = client.post("/api/cast/vex/refs", headers={"If-Match": etag},
                    files={"file": ("huge.png", png(6000, 5000), "image/png")})
    assert r.status_code == 413
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for name, data in [("x.png", svg), ("x.png", b"<html><script>1</script></html>"),
                       ("x.gif", b"GIF89a" + b"\0" * 40)]:
        r = client.post("/api/cast/vex/refs", headers={"If-Match": etag},
                        files={"file": (name, data, "image/png")})
        assert r.status_code == 415, name
    assert not list((tiny / "cast").rglob("*.png"))


def test_upload_sniffs_format_and_serves_it_with_nosniff(client: TestClient, tiny: Path) -> None:
    etag = client.get("/api/cast/vex").json()["etag"]
    jpeg = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(jpeg, "JPEG")
    r = client.post("/api/cast/vex/refs", headers={"If-Match": etag},
                    files={"file": ("front.png", jpeg.getvalue(), "image/png")})
    assert r.status_code == 201, r.text
    assert r.json()["character"]["refs"] == ["vex/front.jpg"]  # named by its content
    got = client.get("/api/cast/vex/refs/0")
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
])
def test_cross_site_canvas_export_and_draft_are_403(
        client: TestClient, tiny: Path, headers: dict[str, str]) -> None:
    before = {p: p.read_bytes() for p in tiny.rglob("*") if p.is_file()}
    tag = client.get("/api/canvas").json()["etag"]
    for method, url, body in [
        ("POST", "/api/canvas/shots/1/takes", {}),
        ("PUT", "/api/canvas/shots/1", {"pick": 1}),
        ("POST", "/api/export", {"format": "otio"}),
        ("POST", "/api/script/draft", {}),
    ]:
        r = client.request(method, url, json=body, headers={"If-Match": tag, **headers})
        assert r.status_code == 403, (url, r.status_code)
    assert {p: p.read_bytes() for p in tiny.rglob("*") if p.is_file()} == before
