"""The studio in a real headless Chromium: every room opens, a beat edit re-renders its
panel, a storyboard panel re-renders in place, and the cut plays. Screenshots of each
room land in ``test-artifacts/studio/``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aktion.production.load import load_production
from conftest import write_production
from test_studio_support import TOKEN, use_fake_previz

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "studio"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    import uvicorn

    from aktion.studio.app import create_app

    root = write_production(tmp_path_factory.mktemp("browser") / "tiny")
    with pytest.MonkeyPatch.context() as mp:
        use_fake_previz(mp)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(root, TOKEN), log_level="warning"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}", root
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def page(studio: tuple[str, Path]):
    from playwright.sync_api import sync_playwright

    base, _ = studio
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1200, "height": 800})
        pg.set_default_timeout(15_000)
        pg.goto(f"{base}/?token={TOKEN}")  # trades the token for the cookie
        yield pg
        browser.close()


def wait(page, js: str, timeout: float = 30_000) -> None:
    """Wait for a condition; on timeout, say what the page's status line showed."""
    from playwright.sync_api import TimeoutError

    try:
        page.wait_for_function(f"() => {js}", timeout=timeout)
    except TimeoutError:
        status = page.text_content("#status")
        raise AssertionError(f"timed out waiting for {js}; status: {status!r}") from None


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_token_url_opens_the_storyboard_without_the_token(page, studio) -> None:
    assert page.url == f"{studio[0]}/storyboard"
    page.wait_for_selector("#panel-1")
    assert page.locator(".panel").count() == 2


def test_canvas_renders_and_plays_the_cut(page, studio) -> None:
    base, root = studio
    page.goto(f"{base}/canvas")
    page.click("#render")
    wait(page, "document.querySelector('#status').textContent === 'render done'")
    page.wait_for_selector("#scene-roof video.cut")
    wait(page, "document.querySelector('video.cut').readyState >= 2")
    page.evaluate("document.querySelector('video.cut').play()")
    wait(page, "document.querySelector('video.cut').currentTime > 0.2")
    assert page.locator("#scene-roof .clip img").count() == 2
    assert (root / "out" / "roof.mp4").is_file()
    shot(page, "canvas")


def test_edit_a_beat_and_its_panel_rerenders(page, studio) -> None:
    base, root = studio
    page.goto(f"{base}/choreo?shot=2")
    page.wait_for_selector("#beats tbody tr")
    wait(page, "!document.querySelector('#layout').hidden")
    before = page.get_attribute("#layout", "src")
    page.fill("#beats tbody tr:first-child input.t", "6")
    page.dispatch_event("#beats tbody tr:first-child input.t", "change")
    left = page.eval_on_selector(".timeline .beat", "e => e.style.left")
    assert left == "50%"  # frame 6 of 12
    page.click("#rerender")
    wait(page, f"document.querySelector('#layout').getAttribute('src') !== {before!r}")
    assert [b.t for b in load_production(root).beats("2")] == [6]
    wait(page, "document.querySelector('#video').readyState >= 2")
    page.click("#timeline", position={"x": 10, "y": 40})
    shot(page, "choreography")
    page.goto(f"{base}/storyboard")
    wait(page, "document.querySelector('#panel-2 img.frame')?.hidden === false")
    assert page.get_attribute("#panel-2 img.frame", "src") != before


def test_storyboard_panel_rerenders_in_place(page, studio) -> None:
    base, root = studio
    page.goto(f"{base}/storyboard")
    wait(page, "document.querySelector('#panel-1 img.frame')?.hidden === false")
    before = page.get_attribute("#panel-1 img.frame", "src")
    page.select_option("#panel-1 select[name=size]", "CU")
    page.fill("#panel-1 input[name=lens]", "85")
    page.click("#panel-1 button.rerender")
    wait(page, f"document.querySelector('#panel-1 img.frame').getAttribute('src') !== {before!r}")
    _, s = load_production(root).shot("1")
    assert (s.size, s.lens) == ("CU", 85)
    shot(page, "storyboard")


def test_writers_room_breaks_down_as_you_type(page, studio) -> None:
    base, _ = studio
    page.goto(f"{base}/writers")
    page.wait_for_selector("#breakdown .scene")
    page.locator("#script").press("End")
    page.evaluate("""() => { const t = document.querySelector('#script');
        t.value += '\\nINT. STAIRWELL - NIGHT\\n\\nVex runs down.\\n';
        t.dispatchEvent(new Event('input')); }""")
    wait(page, "document.querySelectorAll('#breakdown .scene').length === 2")
    shot(page, "writers-room")


def test_cast_room_locks_a_character(page, studio) -> None:
    base, root = studio
    page.goto(f"{base}/cast")
    page.wait_for_selector("#cast-vex .badge.unlocked")
    page.click("#cast-vex button.lock")
    page.wait_for_selector("#cast-vex .badge.locked")
    assert load_production(root).cast["vex"].locked
    shot(page, "cast")
