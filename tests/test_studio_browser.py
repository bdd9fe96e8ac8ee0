"""The studio in a real headless Chromium over the real previz backend and a signed
production: every room opens, a beat edit re-renders its panel, a storyboard panel
re-renders in place, the cut plays, a take is picked, the timeline is exported, a
provenance trail opens, a mark moves on the floor plan, and the script drafts boards.
Screenshots of each room land in ``test-artifacts/studio/``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aktion.production.load import load_production
from aktion.production.takes import load_canvas
from aktion.provenance.identity import create_identity, install_identity
from conftest import write_production
from test_studio_support import TOKEN

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
        mp.setenv("AKTION_HOME", str(root.parent / "home"))  # the signing key, kept private
        mp.delenv("AKTION_IDENTITY", raising=False)
        install_identity(root, create_identity("studio"))
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


def test_canvas_picks_a_take_and_the_cli_sees_it(page, studio) -> None:
    base, root = studio
    page.goto(f"{base}/canvas")
    page.wait_for_selector("#clip-2 .new-take")
    page.click("#clip-2 .new-take")
    wait(page, "document.querySelectorAll('#clip-2 select[name=pick] option').length === 2")
    assert page.input_value("#clip-2 select[name=pick]") == "2"
    canvas = load_canvas(root)
    assert canvas.shot("2").pick == 2 and len(canvas.shot("2").takes) == 1
    page.select_option("#clip-2 select[name=pick]", "1")
    wait(page, "document.querySelector('#status').textContent.startsWith('shot 2 saved: take 1')")
    assert load_canvas(root).shot("2").pick == 1
    page.fill("#clip-1 input[name=extend]", "3")
    page.click("#clip-1 button.apply")
    wait(page, "document.querySelector('#status').textContent.startsWith('shot 1 saved')")
    assert load_canvas(root).shot("1").extend == 3
    page.click("#render")
    wait(page, "document.querySelector('#status').textContent === 'render done'")


def test_canvas_exports_a_timeline_otio_reads(page, studio) -> None:
    import opentimelineio as otio

    base, root = studio
    page.goto(f"{base}/canvas")
    page.select_option("#export-format", "otio")
    page.click("#export")
    wait(page, "!document.querySelector('#exported').hidden")
    assert "out/editorial/roof.otio" in page.text_content("#exported")
    timeline = otio.adapters.read_from_file(str(root / "out" / "editorial" / "roof.otio"))
    assert len(timeline.find_clips()) == 2
    page.select_option("#export-format", "edl")
    page.click("#export")
    wait(page, "document.querySelector('#exported').textContent.includes('roof.edl')")
    assert (root / "out" / "editorial" / "roof.edl").is_file()


def test_canvas_opens_a_provenance_trail(page, studio) -> None:
    base, _ = studio
    page.goto(f"{base}/canvas")
    page.click("#scene-roof .cut-trail")
    wait(page, "document.querySelector('#trail-status').textContent === 'trusted'")
    tree = page.text_content("#trail-tree")
    assert "cut:roof" in tree and "render:1" in tree and "script L4-12 (unchanged)" in tree
    assert page.locator("#trail-tree li li").count() >= 2
    shot(page, "canvas-trail")
    page.click("#clip-2 .trail-btn")
    wait(page, "document.querySelector('#trail-file').textContent.includes('sha256')"
               " && document.querySelector('#trail-tree').textContent.startsWith('render:2')")
    assert page.text_content("#trail-status") == "trusted"


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


def test_floor_plan_moves_a_mark_and_sets_facing(page, studio) -> None:
    base, root = studio
    page.goto(f"{base}/storyboard")
    mark = page.locator("#panel-1 .floor .mark[data-who=vex] circle")
    box = mark.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 10, steps=4)
    page.mouse.move(x + 40, y + 20, steps=4)
    page.mouse.up()
    wait(page, "document.querySelector('#status').textContent === 'shot 1: blocking saved'")
    _, s = load_production(root).shot("1")
    vex = next(m for m in s.blocking if m.who == "vex")
    assert vex.at[0] > -0.3 and vex.at[1] > 0.1, vex.at  # moved right and down the plan
    page.evaluate("document.querySelector('#status').textContent = ''")
    page.fill("#panel-1 input[name=facing-vex]", "90")
    page.dispatch_event("#panel-1 input[name=facing-vex]", "change")
    wait(page, "document.querySelector('#status').textContent === 'shot 1: blocking saved'")
    _, s = load_production(root).shot("1")
    assert next(m for m in s.blocking if m.who == "vex").facing == 90
    assert next(m for m in s.blocking if m.who == "kade").at == (0.6, 0)  # untouched
    shot(page, "storyboard-floor-plan")


def test_writers_room_drafts_from_the_script(page, studio) -> None:
    base, root = studio
    _, before = load_production(root).shot("1")
    page.goto(f"{base}/writers")
    page.wait_for_selector("#breakdown .scene")
    page.evaluate("""() => { const t = document.querySelector('#script');
        t.value += '\\nINT. STAIRWELL - NIGHT\\n\\nVex runs down the stairs.\\n'; }""")
    page.click("#save-script")
    wait(page, "document.querySelector('#status').textContent === 'script saved'")
    page.click("#draft")
    page.wait_for_selector("#drafted li")
    added = page.text_content("#drafted")
    assert "Drafted" in added and "shot" in added
    production = load_production(root)
    assert len(production.boards.scenes) == 2
    assert production.shot("1")[1].blocking == before.blocking  # the director's marks kept
    shot(page, "writers-room-draft")
