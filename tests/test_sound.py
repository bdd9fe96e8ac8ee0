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
from aktion.previz.burnin import spread_dialogue
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
