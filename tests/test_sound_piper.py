"""A local neural voice through the router: a Piper-style ONNX voice the test builds.

The model is tiny and made here (each phoneme id plays its own 256-sample tone), so the
test can say exactly what the real ONNX Runtime must return for the real eSpeak NG
phonemes of a line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from aktion.backends.espeak import trimmed
from aktion.backends.piper import phoneme_ids
from aktion.engine.graph import plan
from aktion.engine.run import run
from aktion.engine.store import Store
from aktion.production.load import load_production
from aktion.sound import RATE
from aktion.sound.espeak_ng import ipa
from aktion.sound.wav import read_wav, resample
from test_sound import KADE, make

SAMPLES = 256
SYMBOLS = "_^$ abdefhiklmnoprstuvwzæðŋɐɑɔəɛɜɪʃʊʌʒˈˌːθ"


def tiny_voice(folder: Path) -> dict[str, list[int]]:
    """voices/kade.onnx and its config: Gather each id's tone, flatten to [1, 1, T]."""
    id_map = {ch: [i] for i, ch in enumerate(SYMBOLS)}
    t = np.arange(SAMPLES) / 22050
    table = np.stack([0.3 * np.sin(2 * np.pi * (200 + 40 * i) * t) for i in range(len(SYMBOLS))])
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input"], ["tones"], axis=0),
         helper.make_node("Reshape", ["tones", "shape"], ["output"])],
        "tiny_piper",
        [helper.make_tensor_value_info("input", TensorProto.INT64, [1, None]),
         helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
         helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, None])],
        [numpy_helper.from_array(table.astype(np.float32), "table"),
         numpy_helper.from_array(np.array([1, 1, -1], np.int64), "shape")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(model, folder / "kade.onnx")
    (folder / "kade.onnx.json").write_text(json.dumps({
        "audio": {"sample_rate": 22050}, "espeak": {"voice": "en-us"},
        "phoneme_id_map": id_map}))
    return id_map


def test_a_piper_voice_says_the_line_through_the_router(tmp_path: Path) -> None:
    root = make(tmp_path / "p")
    id_map = tiny_voice(root / "voices")
    (root / "backends.toml").write_text("[piper]\n")
    (root / "cast" / "kade.yaml").write_text(KADE + "voice: {backend: piper, id: voices/kade.onnx}\n")
    graph = plan(load_production(root))
    step = graph.steps["dialogue:talk/12"]
    assert step.backend == "piper" and "the voice names piper" in step.reason
    assert set(step.request.params["voice_files"]) == {"voices/kade.onnx",
                                                       "voices/kade.onnx.json"}
    assert graph.steps["dialogue:talk/8"].backend == "espeak"  # Vex keeps the embedded voice
    store = Store.for_production(root)
    assert run(graph, store, shots=["talk"]).ok
    got = read_wav(store.blob_path(store.lookup(step.key).outputs["voice"]))[0]
    ids = phoneme_ids(ipa("You're done.", "en-us"), id_map)
    tones = np.concatenate([np.sin(2 * np.pi * (200 + 40 * i) * np.arange(SAMPLES) / 22050)
                            * 0.3 for i in ids])
    expected = trimmed(resample(tones, 22050, RATE))  # lines start on their first sound
    assert abs(got.size - expected.size) <= 1
    n = min(got.size, expected.size)
    assert np.allclose(got[:n], expected[:n], atol=1e-4)

    (root / "voices" / "kade.onnx.json").write_text(json.dumps({
        "audio": {"sample_rate": 16000}, "espeak": {"voice": "en-us"},
        "phoneme_id_map": id_map}))
    again = plan(load_production(root))
    assert again.steps["dialogue:talk/12"].key != step.key
    assert again.steps["dialogue:talk/8"].key == graph.steps["dialogue:talk/8"].key


def test_policy_picks_piper_only_for_voices_it_has_files_for(tmp_path: Path) -> None:
    from aktion.engine.router import Router
    from aktion.sound.plan import voice_route

    root = make(tmp_path / "p")
    tiny_voice(root / "voices")
    (root / "backends.toml").write_text("[piper]\n")
    draft = Router.for_production(load_production(root), "draft")
    backend, why = voice_route(None, draft, "voices/kade.onnx")
    assert backend == "piper" and "policy draft: piper (medium, free)" in why
    assert voice_route(None, draft, "en-us+m3")[0] == "espeak"
    assert voice_route(None, Router.for_production(load_production(root)),
                       "voices/kade.onnx")[0] == "espeak"  # previz: the embedded voice
