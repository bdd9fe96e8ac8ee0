"""The studio's smaller faults, each fixed: one bad cast entry is refused alone, the
script stays inside, bodies are capped as they stream, cookies are per studio, LAN hosts
are named, unknown shots are 404, pixel bombs 413, job errors carry no absolute paths,
refusals echo nothing, and /docs and the favicon are served from the studio itself."""

from __future__ import annotations

import os
import re
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aktion.studio.app import create_app
from test_studio_support import TOKEN, make_client, wait_job


@pytest.fixture
def client(tiny: Path) -> TestClient:
    return make_client(tiny)


def test_a_symlinked_cast_file_is_refused_alone(client: TestClient, tiny: Path) -> None:
    outside = tiny.parent / "evil.yaml"
    outside.write_text("schema: Character.1\nid: evil\nname: EVIL\n")
    os.symlink(outside, tiny / "cast" / "evil.yaml")
    r = client.get("/api/cast")
    assert r.status_code == 200
    by_id = {c["id"]: c for c in r.json()}
    assert by_id["evil"]["state"] == "refused" and "EVIL" not in r.text
    assert by_id["vex"]["state"] == "unlocked" and by_id["kade"]["state"] == "unlocked"


def test_a_script_symlinked_outside_is_neither_read_nor_replaced(
        client: TestClient, tiny: Path) -> None:
    outside = tiny.parent / "other.fountain"
    outside.write_text("INT. SECRET PLACE - DAY\n")
    (tiny / "script.fountain").unlink()
    os.symlink(outside, tiny / "script.fountain")
    assert client.get("/api/script").status_code == 403
    r = client.put("/api/script", json={"text": "X"}, headers={"If-Match": "*"})
    assert r.status_code == 403
    assert outside.read_text() == "INT. SECRET PLACE - DAY\n"
    assert (tiny / "script.fountain").is_symlink()


def test_validation_errors_do_not_echo_the_request(client: TestClient) -> None:
    r = client.put("/api/script", json={"txt": "SECRET-PAYLOAD-123"}, headers={"If-Match": "*"})
    assert r.status_code == 422 and "SECRET-PAYLOAD-123" not in r.text
    assert r.json()["detail"][0]["loc"] == ["body", "text"]


def test_cookie_is_named_per_port(tiny: Path) -> None:
    names = []
    for port in (5001, 5002):
        c = TestClient(create_app(tiny, TOKEN, hosts={"testserver"}),
                       base_url=f"http://testserver:{port}", follow_redirects=False)
        r = c.get(f"/storyboard?token={TOKEN}")
        assert r.status_code == 303
        names.append(next(iter(r.cookies)))
        assert c.get("/api/production").status_code == 200
    assert names == ["aktion_token_5001", "aktion_token_5002"]


def test_lan_hosts_are_an_explicit_list(tiny: Path) -> None:
    c = TestClient(create_app(tiny, TOKEN, hosts={"192.168.1.20", "studio.lan"}),
                   headers={"Authorization": f"Bearer {TOKEN}"})
    for host, status in [("192.168.1.20:8765", 200), ("studio.lan", 200),
                         ("192.168.1.21:8765", 403), ("localhost:8765", 200)]:
        assert c.get("/api/production", headers={"Host": host}).status_code == status, host


def test_unknown_shots_are_404_not_an_empty_job(client: TestClient) -> None:
    r = client.post("/api/jobs", json={"shots": ["sh999"]})
    assert r.status_code == 404 and "sh999" in r.json()["detail"]
    assert client.get("/api/jobs").json() == []


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels (as a pixel bomb does)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))


def test_a_pixel_bomb_is_413(client: TestClient, tiny: Path) -> None:
    etag = client.get("/api/cast/vex").json()["etag"]
    r = client.post("/api/cast/vex/refs", headers={"If-Match": etag},
                    files={"file": ("bomb.png", _png_header_only(30000, 30000), "image/png")})
    assert r.status_code == 413, r.text
    assert not list((tiny / "cast").rglob("*.png"))


def test_job_errors_name_files_relative_to_the_production(client: TestClient,
                                                          tiny: Path) -> None:
    boards = tiny / "boards.yaml"
    boards.write_text(boards.read_text().replace("size: WS", "size: HUGE", 1))
    job = wait_job(client, client.post("/api/jobs", json={}).json()["id"])
    assert job["state"] == "failed" and "boards.yaml" in job["error"]
    assert str(tiny) not in job["error"]


def test_docs_and_favicon_are_served_from_the_studio(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text
    urls = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert urls and all(u.startswith(("/", "http://testserver/")) for u in urls)  # no CDN
    assert "<script>" not in docs.text  # no inline script: the CSP forbids it
    js = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG")


@pytest.fixture
def server(tiny: Path) -> Iterator[int]:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    srv = uvicorn.Server(uvicorn.Config(create_app(tiny, TOKEN), log_level="warning"))
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.02)
    yield sock.getsockname()[1]
    srv.should_exit = True
    thread.join(10)


def test_a_chunked_upload_is_stopped_at_the_cap_not_read_whole(server: int, tiny: Path) -> None:
    total = 48 << 20
    conn = socket.create_connection(("127.0.0.1", server))
    conn.sendall(b"POST /api/cast/vex/refs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Authorization: Bearer " + TOKEN.encode() + b"\r\nIf-Match: *\r\n"
                 b"Content-Type: multipart/form-data; boundary=B\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    head = (b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n"
            b"Content-Type: image/png\r\n\r\n")
    piece = b"MARKER-" + b"x" * ((1 << 20) - 7)
    sent, reply = 0, b""
    conn.setblocking(False)
    try:
        for i in range(total // len(piece)):
            data = head + piece if i == 0 else piece
            frame = f"{len(data):x}\r\n".encode() + data + b"\r\n"
            while frame:
                try:
                    reply += conn.recv(65536)
                except BlockingIOError:
                    pass
                if reply:
                    break
                try:
                    n = conn.send(frame)
                    frame, sent = frame[n:], sent + n
                except BlockingIOError:
                    time.sleep(0.001)
            if reply:
                break
        conn.setblocking(True)
        conn.settimeout(10)
        while b"\r\n\r\n" not in reply:
            reply += conn.recv(65536)
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        conn.close()
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"MARKER" not in reply  # the body is not echoed
    assert sent < 36 << 20  # refused at the 21 MiB cap (plus socket buffers), not at 48
    assert not list((tiny / "cast").rglob("*.png"))


def test_cli_allow_host_lets_named_lan_addresses_in(tiny: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from aktion.cli import _register, app

    _register()
    served = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: served.append(
        (self.config.app, sockets)))
    r = CliRunner().invoke(app, ["studio", str(tiny), "--host", "0.0.0.0", "--no-browser",
                                 "--allow-host", "192.168.1.20"])
    assert r.exit_code == 0, r.output
    web, sockets = served[0]
    for s in sockets:
        s.close()
    token = re.search(r"token=([\w-]+)", r.output).group(1)
    c = TestClient(web, headers={"Authorization": f"Bearer {token}"})
    assert c.get("/api/production", headers={"Host": "192.168.1.20:8765"}).status_code == 200
    assert c.get("/api/production", headers={"Host": "192.168.1.99:8765"}).status_code == 403
    r = CliRunner().invoke(app, ["studio", str(tiny), "--host", "0.0.0.0", "--no-browser"])
    assert "--allow-host" in r.output  # without it, the director is told how to name hosts
    for _, socks in served[1:]:
        for s in socks:
            s.close()
