"""Sound: a scene renders with its lines, hits and score, in sync with the picture.

One small production is rendered once (module fixture); the sync tests then find each
impact and each line in the rendered audio by signal analysis and compare them with
the picture's contact frames and the board's line placement.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import av
import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from aktion.engine.graph import plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.previz.dialogue_slots import spread_dialogue
from aktion.production.load import load_production
from aktion.sound import RATE
from aktion.sound.loudness import loudness, true_peak
from aktion.sound.wav import read_wav
from conftest import KADE, write_production

SCRIPT = """\
Title: Sound Check

EXT. ROOF - NIGHT

VEX faces KADE across the gravel.

VEX
You're late.

KADE
(shouting)
You're done.

Vex jabs at Kade's head. Kade hooks her body.
"""

BOARDS = """\
schema: Boards.1
scenes:
  - id: roof
    shots:
      - id: talk
        lines: [5, 12]
        size: MS
        duration: 60
        blocking:
          - {who: vex, at: [-0.6, 0], facing: 0}
          - {who: kade, at: [0.6, 0], facing: 180}
      - id: fight
        lines: [14, 14]
        size: WS
        duration: 36
        transition: {type: dissolve, duration: 4}
        blocking:
          - {who: vex, at: [-0.5, 0], facing: 0}
          - {who: kade, at: [0.5, 0], facing: 180}
"""

CHOREO = """\
schema: Choreo.1
shots:
  fight:
    beats:
      - {t: 1, who: vex, move: jab, target: kade, hit: head, line: 14}
      - {t: 14, who: kade, move: hook, target: vex, hit: body, intensity: 1.5, line: 14}
"""

TOML = """\
[production]
name = "sound"
fps = 24
width = 160
height = 96
seed = 3

[render]
policy = "previz"

[sound]
loudness = "web"
"""


def make(root: Path) -> Path:
    return write_production(root, toml=TOML, script=SCRIPT, boards=BOARDS, choreo=CHOREO)


def render(root: Path):
    """Plan and render; the store stays open for the tests to read outputs from."""
    store = Store.for_production(root)
    graph = plan(load_production(root))
    return graph, run(graph, store), store


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    root = make(tmp_path_factory.mktemp("sound") / "prod")
    graph, summary, store = render(root)
    assert summary.ok, [o.error for o in summary.outcomes if o.error]
    return root, graph, store


def output(store: Store, graph, step: str, name: str) -> Path:
    action = store.lookup(graph.steps[step].key)
    assert action is not None, step
    return store.blob_path(action.outputs[name])


def onsets(pcm: np.ndarray, hop: int = 48) -> np.ndarray:
    """Onset strength per 1 ms hop: the rise of low-band energy (a hit's thump; the
    whoosh before it has none) over the 20 ms before."""
    sos = butter(4, 300, btype="lowpass", fs=RATE, output="sos")
    x = sosfilt(sos, pcm.mean(axis=0).astype(np.float64))
    n = x.size // hop
    energy = np.log10((x[: n * hop].reshape(n, hop) ** 2).mean(axis=1) + 1e-10)
    before = np.array([energy[max(0, i - 20):i].max(initial=-10.0) for i in range(n)])
    return energy - before


def test_cut_carries_the_mix_as_aac_and_picture_is_copied(rendered) -> None:
    root, graph, store = rendered
    cut = root / "out" / "roof.mp4"
    with av.open(str(cut)) as c:
        video, audio = c.streams.video[0], c.streams.audio[0]
        assert audio.codec_context.name == "aac" and audio.rate == RATE
        frames = sum(1 for p in c.demux(video) if p.size)
    assert frames == 60 + 36 - 4
    mix = read_wav(output(store, graph, "mix:roof", "mix"))
    assert mix.shape == (2, frames * RATE // 24)
    for stem in ("dialogue", "effects", "music"):
        assert read_wav(output(store, graph, "mix:roof", stem)).shape == mix.shape


def test_mix_meets_its_loudness_target_under_the_peak_ceiling(rendered) -> None:
    _, graph, store = rendered
    mix = read_wav(output(store, graph, "mix:roof", "mix"))
    assert abs(loudness(mix) - -14.0) < 0.5
    assert true_peak(mix) <= -1.0 + 0.1


def test_each_impact_lands_on_its_contact_frame(rendered) -> None:
    _, graph, store = rendered
    perf = json.loads(output(store, graph, "motion_control:fight", "performance").read_text())
    contacts = [c["frame"] for c in perf["contacts"]]
    assert len(contacts) == 2
    strength = onsets(read_wav(output(store, graph, "mix:roof", "mix")))
    start = 60 - 4  # the fight shot starts where the dissolve pulls it
    per_frame = RATE / 24 / 48  # 1 ms hops per frame
    for frame in contacts:
        expected = round((start + frame) * per_frame)
        lo = expected - round(3 * per_frame)
        window = strength[lo: expected + round(3 * per_frame)]
        found = lo + int(np.argmax(window))
        assert window.max() > 1.0, f"no onset near contact frame {frame}"
        assert abs(found - expected) <= per_frame, (frame, (found - expected) / per_frame)


def test_each_line_starts_where_its_board_says(rendered) -> None:
    root, graph, store = rendered
    production = load_production(root)
    _, shot = production.shot("talk")
    spoken = production.script.dialogue(*shot.lines)
    board = spread_dialogue([{"who": e.character, "text": e.text} for e in spoken],
                            shot.duration)
    assert len(board) == 2
    speech = np.abs(read_wav(output(store, graph, "mix:roof", "dialogue"))).max(axis=0)
    per_frame = RATE // 24
    for slot in board:
        lo = max(0, (slot.start - 3) * per_frame)
        heard = lo + int(np.nonzero(speech[lo:] > 10 ** (-40 / 20))[0][0])
        assert abs(heard - slot.start * per_frame) <= per_frame, (slot.text, heard / per_frame)


def test_dialogue_steps_carry_their_script_slice_and_delivery(rendered) -> None:
    _, graph, store = rendered
    steps = {s.id: s for s in graph if s.kind == "dialogue"}
    assert set(steps) == {"dialogue:talk/8", "dialogue:talk/12"}
    kade = steps["dialogue:talk/12"].request
    assert kade.script["lines"] == [10, 12]
    assert "(shouting)" in kade.script["text"] and kade.params["delivery"] == "shouting"
    assert steps["dialogue:talk/12"].backend == "espeak"
    record = store.lookup(steps["dialogue:talk/8"].key).record
    assert record["seconds"] > 0.3 and record["voice"].startswith("en-us+")


def test_voice_change_rekeys_only_that_characters_lines_and_the_mix(tmp_path: Path) -> None:
    root = make(tmp_path / "p")
    before = {s.id: s.key for s in plan(load_production(root))}
    kade = (root / "cast" / "kade.yaml")
    kade.write_text(KADE + "voice: {id: en-us+m7, pitch: -3}\n")
    after = {s.id: s.key for s in plan(load_production(root))}
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"dialogue:talk/12", "mix:roof", "cut:roof"}


def test_beat_change_rekeys_that_shots_effects_not_dialogue(tmp_path: Path) -> None:
    root = make(tmp_path / "p")
    before = {s.id: s.key for s in plan(load_production(root))}
    (root / "choreo.yaml").write_text(CHOREO.replace("{t: 14, who", "{t: 16, who"))
    after = {s.id: s.key for s in plan(load_production(root))}
    changed = {k for k in before if before[k] != after[k]}
    assert "sfx:fight" in changed and "mix:roof" in changed
    assert not any(k.startswith(("dialogue:", "sfx:talk")) for k in changed)


def test_renders_are_byte_identical(rendered, tmp_path: Path) -> None:
    root, graph, store = rendered
    other = tmp_path / "again"
    shutil.copytree(root, other, ignore=shutil.ignore_patterns(".aktion", "out"))
    graph2, summary, store2 = render(other)
    assert summary.ok
    for step, name in (("mix:roof", "mix"), ("dialogue:talk/12", "voice"),
                       ("sfx:fight", "sounds")):
        assert output(store, graph, step, name).read_bytes() == \
            output(store2, graph2, step, name).read_bytes(), step
    assert (root / "out" / "roof.mp4").read_bytes() == (other / "out" / "roof.mp4").read_bytes()


def test_editorial_exports_carry_the_stems_as_audio_tracks(rendered, tmp_path: Path) -> None:
    import opentimelineio as otio

    from aktion.editorial.export import export_scene

    _root, graph, store = rendered
    path = export_scene(graph, store, "roof", "otio", tmp_path / "ed")
    timeline = otio.adapters.read_from_file(str(path))
    audio = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio]
    assert [t.name for t in audio] == ["A1 dialogue", "A2 effects", "A3 music"]
    for track in audio:
        [clip] = list(track)
        media = (path.parent / clip.media_reference.target_url).resolve()
        assert media.is_file() and clip.duration().to_frames() == 92
    for fmt in ("fcp7", "fcpx"):
        text = export_scene(graph, store, "roof", fmt, tmp_path / "ed").read_text()
        assert all(f"roof_{stem}.wav" in text for stem in ("dialogue", "effects", "music"))
    assert ".wav" not in export_scene(graph, store, "roof", "edl", tmp_path / "ed").read_text()


def test_animatic_and_pack_carry_the_sound(rendered, tmp_path: Path) -> None:
    import zipfile

    from aktion.pack.entry import pack
    from aktion.storyboard.animatic import write_animatic

    _root, graph, store = rendered
    scene = graph.production.boards.scenes[0]
    animatic = write_animatic(graph, store, scene, tmp_path / "animatic.mp4")
    with av.open(str(animatic)) as c:
        assert c.streams.audio[0].codec_context.name == "aac"
    dest = pack(graph, store, lambda p, r: {"ok": True, "status": "trusted", "problems": []},
                tmp_path / "entry.zip")
    with zipfile.ZipFile(dest) as z:
        mix = z.read("sound/roof-mix.wav")
    assert mix == output(store, graph, "mix:roof", "mix").read_bytes()


def test_a_production_sample_replaces_a_sound(tmp_path: Path) -> None:
    from aktion.sound.samples import load_sample
    from aktion.sound.wav import write_wav

    root = make(tmp_path / "p")
    before = plan(load_production(root)).steps["sfx:fight"].key
    knock = np.sin(np.arange(4800) * 0.3) * np.exp(-np.arange(4800) / 900) * 0.5
    write_wav(root / "sounds" / "impact_head.wav", knock)
    graph = plan(load_production(root))
    assert graph.steps["sfx:fight"].key != before
    assert graph.steps["sfx:talk"].request.params["samples"]["impact_head"]["file"] == \
        "sounds/impact_head.wav"
    store = Store.for_production(root)
    assert run(graph, store, shots=["fight"]).ok
    cues = json.loads(output(store, graph, "sfx:fight", "cues").read_text())["cues"]
    sheet = read_wav(output(store, graph, "sfx:fight", "sounds"))[0]
    [head] = [c for c in cues if c["name"] == "impact_head"]
    assert head["sample"] is True
    got = sheet[head["offset"]:head["offset"] + head["length"]]
    assert np.allclose(got, load_sample(root / "sounds" / "impact_head.wav"), atol=1e-4)
    [body] = [c for c in cues if c["name"] == "impact_body"]
    assert body["sample"] is False


def test_cast_voice_sets_the_voice_in_place_and_keeps_the_lock(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from aktion.cli import _register, app

    _register()
    root = make(tmp_path / "p")
    cli = CliRunner()
    assert cli.invoke(app, ["cast", "lock", "kade", str(root)]).exit_code == 0
    path = root / "cast" / "kade.yaml"
    before_text = path.read_text()
    picture = {s.id: s.key for s in plan(load_production(root)) if s.kind == "render"}
    result = cli.invoke(app, ["cast", "voice", "kade", str(root), "--id", "en-us+m7",
                              "--pitch", "-3"])
    assert result.exit_code == 0, result.output
    old, new = before_text.splitlines(), path.read_text().splitlines()
    assert [x for x in new if x not in old] == [
        "voice: {id: en-us+m7, pitch: -3.0}",
        f"locked: {load_production(root).locks['kade']}"]
    assert {s.id: s.key for s in plan(load_production(root)) if s.kind == "render"} == picture
    bad = cli.invoke(app, ["cast", "voice", "kade", str(root), "--id", "en-us+nobody"])
    assert bad.exit_code == 2 and "no eSpeak NG variant `nobody`" in bad.output
    assert "en-us+m7" in path.read_text()


def test_craft_reports_a_line_that_does_not_fit_its_shot(tmp_path: Path) -> None:
    from aktion.craft import check_production

    root = make(tmp_path / "p")
    assert not [f for f in check_production(load_production(root))
                if f.rule == "dialogue_fit"]
    (root / "boards.yaml").write_text(BOARDS.replace("duration: 60", "duration: 30"))
    late, done = [f for f in check_production(load_production(root))
                  if f.rule == "dialogue_fit"]
    assert "You're late." in late.why and "they overlap" in late.why
    assert done.shots == ("talk",) and "You're done." in done.why
    assert "runs past the cut" in done.why and done.where == "boards.yaml:8"


def test_bad_sound_settings_name_the_file(tmp_path: Path) -> None:
    from aktion.production.errors import ProductionError

    root = make(tmp_path / "p")
    (root / "aktion.toml").write_text(TOML.replace('"web"', '"loud"'))
    with pytest.raises(ProductionError) as e:
        load_production(root)
    assert "aktion.toml" in str(e.value) and "loudness" in str(e.value)


def test_synthesised_sounds_are_deterministic_and_start_on_their_first_sample() -> None:
    from aktion.sound.synth import SOUNDS, render

    for name in SOUNDS:
        a, b = render(name, 5), render(name, 5)
        assert a.dtype == np.float32 and np.array_equal(a, b), name
        assert not np.array_equal(a, render(name, 6)), name
    hit = render("impact_head", 1)
    assert np.abs(hit[:48]).max() > 0.3 * np.abs(hit).max()  # the attack is in the first 1 ms
    assert render("impact_body", 1, weight=1.8).size == hit.size


def test_studio_auditions_a_voice_before_and_after_it_is_set(tmp_path: Path) -> None:
    import io
    import wave

    from test_studio_support import make_client

    root = make(tmp_path / "p")
    client = make_client(root)
    got = client.get("/api/cast/vex/voice").json()
    assert got["set"] is False and got["voice"]["id"].startswith("en-us+")
    r = client.post("/api/cast/vex/voice/audition", json={"text": "Make me."})
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(r.content)) as w:
        default = w.getnframes()
        assert w.getframerate() == RATE and default > 0.2 * RATE
    slow = client.post("/api/cast/vex/voice/audition",
                       json={"text": "Make me.", "voice": {"id": "en-us+m3", "rate": 0.6}})
    with wave.open(io.BytesIO(slow.content)) as w:
        assert w.getnframes() > 1.3 * default
    bad = client.post("/api/cast/vex/voice/audition", json={"voice": {"id": "en-us+nobody"}})
    assert bad.status_code == 422 and "nobody" in str(bad.json())
    assert client.post("/api/cast/ghost/voice/audition", json={}).status_code == 404


def test_plan_says_which_voice_backend_says_each_line_and_why(tmp_path: Path) -> None:
    from aktion.engine.router import Router, UnmetNeed
    from aktion.sound.plan import voice_route

    root = make(tmp_path / "p")
    line = "dialogue:talk/12"
    assert "policy previz: the embedded eSpeak NG voice" in plan(
        load_production(root)).steps[line].reason
    assert "KADE has no voice set: en-us+" in plan(load_production(root)).steps[line].reason
    draft = Router.for_production(load_production(root), "draft")
    backend, why = voice_route(None, draft)
    assert backend == "espeak" and "no voice backend in backends.toml does dialogue" in why
    kade = root / "cast" / "kade.yaml"
    kade.write_text(KADE + "voice: {backend: elevenlabs, id: kade}\n")
    with pytest.raises(UnmetNeed, match="cast/kade.yaml: a voice names backend `elevenlabs`"):
        plan(load_production(root))


def test_guns_whip_pans_blocks_and_falls_make_their_sounds() -> None:
    from aktion.previz.moves import MoveLibrary
    from aktion.previz.stage import Stage
    from aktion.production.board import SetDesign, Shot
    from aktion.production.cast import Character
    from aktion.production.choreo import Beat
    from aktion.sound.choreography import choreography_cues

    ctx = {"fps": 24}
    shot = Shot.model_validate({"id": "s", "lines": [1, 1], "duration": 72, "blocking": [
        {"who": "a", "at": [-0.6, 0], "facing": 0}, {"who": "b", "at": [0.6, 0], "facing": 180}]},
        context=ctx)
    beats = [Beat.model_validate(b, context=ctx) for b in (
        {"t": 0, "who": "a", "move": "jab", "target": "b"},
        {"t": 0, "who": "b", "move": "block"},
        {"t": 20, "who": "a", "move": "aim"},
        {"t": 30, "who": "a", "move": "fire"},
        {"t": 40, "camera": "whip_pan", "duration": 6},
        {"t": 44, "who": "b", "move": "fall"})]
    cast = {c: Character.model_validate({"id": c, "name": c.upper()}) for c in "ab"}
    stage = Stage(shot, SetDesign(), cast, beats, MoveLibrary.load(), fps=24)
    perf, _ = stage.perform()
    cues = choreography_cues(stage, [], perf.poses, perf.characters)
    names = {c.name: c for c in cues}
    assert names["block"].who == "b" and names["block"].frame == names["whoosh"].frame
    assert names["gunshot"].who == "a" and 30 <= names["gunshot"].frame <= 32
    assert names["swish"].frame == 40
    assert names["body_fall"].who == "b" and 50 < names["body_fall"].frame < 72


def test_a_silent_scene_mixes_to_silence_of_its_length() -> None:
    from aktion.sound.mix import mix_scene

    shots = [{"id": "a", "duration": 24}, {"id": "b", "duration": 12,
                                           "transition": {"type": "dissolve", "duration": 6}}]
    result = mix_scene(shots, 24, [], [], None, target_lufs=-23, true_peak_db=-1, duck_db=-10)
    assert result.mix.shape == (2, 30 * RATE // 24) and not result.mix.any()
    assert result.levels is not None and result.levels.loudness == float("-inf")


def test_canvas_edits_move_a_shots_sounds_with_its_frames() -> None:
    from aktion.canvas.ops import ramp_indices
    from aktion.sound.timeline import scene_times

    shots = [{"id": "a", "duration": 20},
             {"id": "b", "duration": 30, "source": 40, "transition": {"type": "dissolve",
                                                                     "duration": 4},
              "ops": [{"op": "extend", "frames": 6}, {"op": "trim", "in": 10, "out": None},
                      {"op": "speed", "start": 1.0, "end": 1.5}]}]
    a, b = scene_times(shots)
    assert (a.start, b.start) == (0, 16)
    assert a.place(5) == 5 and a.place(20) is None
    assert b.place(9) is None  # trimmed off the head
    shown = ramp_indices(36, 1.0, 1.5)  # the trimmed clip (40 + 6 - 10 frames), ramped
    for frame in (10, 17, 30):
        first = next(i for i, s in enumerate(shown) if s >= frame - 10)
        assert b.place(frame) == (16 + first if first < 30 else None)
