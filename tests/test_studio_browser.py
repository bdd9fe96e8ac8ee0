"""The studio in a real headless Chromium over the real previz backend and a signed
production. Each edit is made by mouse and keyboard, and the file on disk is checked
to have changed by exactly the intended lines. Screenshots of every room land in
``test-artifacts/studio/``."""

from __future__ import annotations

import difflib
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
        pg = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
        pg.set_default_timeout(20_000)
        pg.on("dialog", lambda d: d.accept() if d.type == "confirm" else None)  # a delete
        pg.goto(f"{base}/?token={TOKEN}")  # trades the token for the cookie
        yield pg
        browser.close()


def wait(page, js: str, timeout: float = 40_000) -> None:
    """Wait for a condition; on timeout, say what the page's status line showed."""
    from playwright.sync_api import TimeoutError

    try:
        page.wait_for_function(f"() => {js}", timeout=timeout)
    except TimeoutError:
        status = page.text_content("#status")
        raise AssertionError(f"timed out waiting for {js}; status: {status!r}") from None


def status_is(page, text: str) -> None:
    wait(page, f"document.querySelector('#status').textContent.startsWith({text!r})")


def clear_status(page) -> None:
    page.evaluate("document.querySelector('#status').textContent = ''")


def snap(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


class Watch:
    """A file's text before an edit; ``diff()``: (lines removed, lines added) after it."""

    def __init__(self, path: Path):
        self.path, self.before = path, path.read_text()

    def diff(self) -> tuple[list[str], list[str]]:
        d = list(difflib.ndiff(self.before.splitlines(), self.path.read_text().splitlines()))
        return [x[2:] for x in d if x.startswith("- ")], [x[2:] for x in d if x.startswith("+ ")]


def drag(page, selector: str, dx: float, dy: float = 0) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=4)
    page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()


def drag_panel(page, source: str, target: str) -> None:
    """An HTML5 drag of one panel's title onto another's, once the board has settled."""
    wait(page, "[...document.querySelectorAll('.panel')].every(p => p.dataset.previewKey)")
    a = page.locator(source).bounding_box()
    b = page.locator(target).bounding_box()
    page.mouse.move(a["x"] + 8, a["y"] + a["height"] / 2)
    page.mouse.down()
    for k in range(1, 6):
        page.mouse.move(a["x"] + 8 + (b["x"] - a["x"]) * k / 5,
                        a["y"] + a["height"] / 2 + (b["y"] - a["y"]) * k / 5)
    page.mouse.move(b["x"] + 6, b["y"] + b["height"] / 2)
    page.mouse.up()


# -- storyboard ---------------------------------------------------------------------------

def test_token_url_opens_the_storyboard_with_previz_frames(page, studio) -> None:
    assert page.url == f"{studio[0]}/storyboard"
    page.wait_for_selector("#panel-1")
    assert page.locator(".panel").count() == 2
    # Nothing is rendered yet: each panel shows a live preview frame (the picture, not depth).
    for n in (1, 2):
        wait(page, f"document.querySelector('#panel-{n} img.frame')?.getAttribute('src')"
                   "?.startsWith('/api/preview/')")
        page.wait_for_selector(f"#panel-{n} .floor .camera")
    assert page.locator("#panel-1 .floor .cone").count() == 1
    assert page.locator("#panel-1 .floor .action-line").count() == 1
    assert page.locator("#panel-1 .floor .box").count() == 1  # the vent


def test_storyboard_saves_framing_without_rendering(page, studio) -> None:
    _, root = studio
    w = Watch(root / "boards.yaml")
    lens = page.locator("#panel-1 input[name=lens]")
    lens.fill("35")
    lens.press("Tab")  # commits the field: a live preview, nothing saved yet
    page.wait_for_selector("#panel-1 .badge.dirty:not([hidden])")
    assert w.diff() == ([], [])
    clear_status(page)
    page.click("#panel-1 button.save")
    status_is(page, "shot 1: framing saved")
    assert w.diff() == (["        lens: 28"], ["        lens: 35"])
    assert not (root / ".aktion" / "cache.sqlite").exists()  # nothing rendered


def test_storyboard_floor_plan_drag_previews_then_saves_one_mark(page, studio) -> None:
    _, root = studio
    w = Watch(root / "boards.yaml")
    before = page.get_attribute("#panel-1 img.frame", "src")
    drag(page, "#panel-1 .floor .mark[data-who=vex] circle", 30, 15)
    wait(page, f"document.querySelector('#panel-1 img.frame').getAttribute('src') !== {before!r}"
               " && !document.querySelector('#panel-1 .badge.live').hidden")
    clear_status(page)
    page.click("#panel-1 button.save")
    status_is(page, "shot 1: framing saved")
    removed, added = w.diff()
    assert removed == ["          - {who: vex, at: [-0.6, 0], facing: 0}"], removed
    assert len(added) == 1 and added[0].startswith("          - {who: vex, at: [")
    vex = next(m for m in load_production(root).shot("1")[1].blocking if m.who == "vex")
    assert vex.at[0] > -0.6 and vex.at[1] > 0  # right and down the plan, as dragged
    snap(page, "storyboard")


def test_storyboard_duplicates_deletes_and_reorders_shots(page, studio) -> None:
    _, root = studio
    w = Watch(root / "boards.yaml")
    page.click("#panel-2 button.duplicate")
    page.wait_for_selector("#panel-3")
    removed, added = w.diff()
    assert removed == [] and added[0] == '      - id: "3"' and len(added) == 8, added
    page.click("#panel-3 button.delete")  # confirm() is accepted
    wait(page, "!document.querySelector('#panel-3')")
    assert w.diff() == ([], [])  # back to the very same text
    clear_status(page)
    drag_panel(page, "#panel-2 h3", "#panel-1 h3")
    status_is(page, "scene roof: shots reordered")
    assert [s.id for _, s in load_production(root).shots()] == ["2", "1"]
    clear_status(page)
    drag_panel(page, "#panel-1 h3", "#panel-2 h3")
    status_is(page, "scene roof: shots reordered")
    assert (root / "boards.yaml").read_text() == w.before


# -- choreography ---------------------------------------------------------------------------

def test_choreography_drag_undo_redo_inspector_and_save(page, studio) -> None:
    base, root = studio
    w = Watch(root / "choreo.yaml")
    page.goto(f"{base}/choreo?shot=2")
    page.wait_for_selector(".lane[data-lane=vex] .beat")
    # the board frame (a live preview: nothing is rendered) is in place: no layout shift
    wait(page, "!document.querySelector('#layout').hidden"
               " && document.querySelector('#layout').naturalWidth > 0")
    assert page.locator(".lane").count() == 3  # vex, kade, camera
    assert page.locator(".lane[data-lane=vex] .beat .contact").count() == 1
    track = page.locator(".lane[data-lane=vex] .track-area").bounding_box()
    drag(page, ".lane[data-lane=vex] .beat .label", track["width"] * 4 / 12)
    wait(page, "!document.querySelector('#save-beats').disabled")
    assert page.input_value("#inspector input[name=t]") == "5"
    # the picture is a live previz of the unsaved beats at the playhead (the beat's frame)
    wait(page, "document.querySelector('#layout').dataset.frame === '5'")
    page.keyboard.press("Control+z")
    wait(page, "document.querySelector('#save-beats').disabled")
    page.keyboard.press("Control+Shift+z")
    wait(page, "!document.querySelector('#save-beats').disabled")
    intensity = page.locator("#inspector input[name=intensity]")
    intensity.fill("1.5")
    intensity.press("Tab")
    page.locator("#timeline").focus()
    at = int(page.text_content("#timecode").split()[1])  # the drag took the playhead along
    assert at == 5
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowLeft")
    assert page.text_content("#timecode").startswith("frame 0")
    clear_status(page)
    page.click("#save-beats")
    status_is(page, "beats saved")
    assert w.diff() == (["      - {t: 1, who: vex, move: jab, target: kade, hit: head, line: 14}"],
                        [("      - {t: 5, who: vex, move: jab, target: kade, hit: head, line: 14, "
                         "intensity: 1.5}")])
    snap(page, "choreography")


def test_choreography_resize_and_delete_by_keyboard(page, studio) -> None:
    _, root = studio
    w = Watch(root / "choreo.yaml")
    page.click(".lane[data-lane=vex] .beat .label")
    track = page.locator(".lane[data-lane=vex] .track-area").bounding_box()
    drag(page, ".lane[data-lane=vex] .beat .resize", -track["width"] * 1.6 / 12)
    wait(page, "document.querySelector('#inspector input[name=duration]').value !== ''")
    frames = int(page.input_value("#inspector input[name=duration]"))
    page.locator("#timeline").focus()
    page.keyboard.press("Delete")
    assert page.locator(".lane[data-lane=vex] .beat").count() == 0
    page.keyboard.press("Control+z")
    assert page.locator(".lane[data-lane=vex] .beat").count() == 1
    clear_status(page)
    page.click("#save-beats")
    status_is(page, "beats saved")
    removed, added = w.diff()
    assert len(removed) == 1 and added == [removed[0][:-1] + f", duration: {frames}}}"]


# -- canvas ---------------------------------------------------------------------------------

def test_canvas_renders_with_step_progress_and_plays_in_sync(page, studio) -> None:
    base, root = studio
    page.goto(f"{base}/canvas")
    page.wait_for_selector("#clip-1")
    wait(page, "Number(document.querySelector('#scenes').dataset.loads) >= 1")
    before = int(page.get_attribute("#scenes", "data-loads"))
    page.click("#render")
    status_is(page, "render done")
    # the canvas as it is after the render (an earlier test's cut may still be on screen)
    wait(page, f"Number(document.querySelector('#scenes').dataset.loads) > {before}")
    text = page.text_content("#progress-text")
    done, total = (int(x) for x in text.split()[0].split("/"))
    assert done == total and total >= 6, text  # layout, motion, render per shot, and the cut
    page.wait_for_selector("#scene-roof video.cut")
    wait(page, "document.querySelector('video.cut').readyState >= 2")
    assert page.locator("#scene-roof .banner").count() == 0  # fresh cut: no stale banner
    widths = page.eval_on_selector_all("#scene-roof .clip", "cs => cs.map(c => c.offsetWidth)")
    assert abs(widths[0] - widths[1]) <= 2  # two 12-frame shots, equally long
    page.evaluate("document.querySelector('video.cut').currentTime = 0.5")
    wait(page, "parseFloat(document.querySelector('.nle-playhead').style.left) > 40")
    assert (root / "out" / "roof.mp4").is_file()


def test_canvas_trim_by_dragging_a_clip_edge_marks_the_cut_stale(page, studio) -> None:
    _, root = studio
    w = Watch(root / "canvas.yaml") if (root / "canvas.yaml").exists() else None
    width = page.locator("#clip-1").bounding_box()["width"]
    clear_status(page)
    drag(page, "#clip-1 .edge.out", -width / 3)
    status_is(page, "shot 1 saved")
    edit = load_canvas(root).shot("1")
    assert edit.trim is not None and 6 <= edit.trim.out <= 10 and edit.extend == 0
    text = (root / "canvas.yaml").read_text()
    if w is None:
        assert text.splitlines()[-2:] == ["  '1':", f"    trim: {{in: 0, out: {edit.trim.out}}}"]
    page.wait_for_selector("#scene-roof .banner.stale-cut")
    assert page.locator("#clip-1").bounding_box()["width"] < width * 0.9


def test_canvas_takes_side_by_side_pick_export_download_and_trail(page, studio) -> None:
    _, root = studio
    page.click("#clip-2 .name")
    page.click(".clip-inspector .new-take")
    wait(page, "document.querySelectorAll('.clip-inspector .take').length === 2")
    assert load_canvas(root).shot("2").pick == 2
    page.click("#render")
    status_is(page, "render done")
    page.click("#clip-2 .name")
    wait(page, "[...document.querySelectorAll('.clip-inspector .take video')]"
               ".every(v => v.readyState >= 1)")
    w = Watch(root / "canvas.yaml")
    page.click(".clip-inspector .take[data-take='1'] button.pick")
    status_is(page, "shot 2 saved: take 1")
    assert w.diff() == (["    pick: 2"], ["    pick: 1"])
    page.wait_for_selector("#scene-roof .banner.stale-cut")  # the cut shows take 2 still
    page.click("#render")
    status_is(page, "render done")
    page.select_option("#export-format", "otio")
    page.click("#export")
    wait(page, "!!document.querySelector('#exported a.download')")
    with page.expect_download() as got:
        page.click("#exported a.download")
    download = got.value
    assert download.suggested_filename == "roof.otio"
    saved = ARTIFACTS / "roof.otio"
    download.save_as(saved)
    assert saved.read_bytes() == (root / "out" / "editorial" / "roof.otio").read_bytes()
    page.click("#scene-roof .cut-trail")
    wait(page, "document.querySelector('#trail-status').textContent.length > 0")
    panel = page.locator("#trail").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 1280  # inside the window
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    snap(page, "canvas")


# -- writers room ---------------------------------------------------------------------------

def test_writers_room_types_a_line_and_saves_exactly_it(page, studio) -> None:
    base, root = studio
    w = Watch(root / "script.fountain")
    page.goto(f"{base}/writers")
    page.wait_for_selector("#script .ln.heading")
    assert page.get_attribute("#script .ln.heading", "data-line") == "4"
    assert page.locator("#script .ln.character").count() == 2
    page.click("#script .ln[data-line='6']")
    page.keyboard.press("End")
    page.keyboard.type(" Thunder.")
    wait(page, "!document.querySelector('#save-script').disabled")
    page.keyboard.press("Control+s")
    status_is(page, "script saved")
    assert w.diff() == (["Rain. VEX faces KADE across the gravel."],
                        ["Rain. VEX faces KADE across the gravel. Thunder."])
    page.click("#breakdown li.jump[data-line='14']")
    wait(page, "(n => (n.nodeType === 1 ? n : n.parentElement).closest('.ln').dataset.line)"
               "(window.getSelection().anchorNode) === '14'")
    snap(page, "writers-room")


def test_writers_room_guards_unsaved_edits(page, studio) -> None:
    base, _ = studio
    page.click("#script .ln[data-line='16']")
    page.keyboard.press("End")
    page.keyboard.type("!")
    wait(page, "!document.querySelector('#save-script').disabled")
    from playwright.sync_api import Error

    seen = []
    page.once("dialog", lambda d: (seen.append(d.type), d.dismiss()))
    try:
        page.goto(f"{base}/cast", timeout=3000)
    except Error:
        pass  # the navigation was cancelled at the prompt
    assert seen == ["beforeunload"]
    assert page.url.endswith("/writers")  # stayed: the edit is still there
    page.evaluate("Studio.setDirty(false)")


def test_cast_room_locks_a_character(page, studio) -> None:
    base, root = studio
    page.goto(f"{base}/cast")
    page.wait_for_selector("#cast-vex .badge.unlocked")
    w = Watch(root / "cast" / "vex.yaml")
    page.click("#cast-vex button.lock")
    page.wait_for_selector("#cast-vex .badge.locked")
    lock = load_production(root).cast["vex"].locked
    assert lock and w.diff() == ([], [f"locked: {lock}"])
    snap(page, "cast")


def test_api_docs_render_inside_the_csp(page, studio) -> None:
    base, _ = studio
    page.goto(f"{base}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Aktion Studio" in page.text_content(".swagger-ui .info .title")
    assert page.locator(".opblock-tag").count() >= 5
