"""Commands answer at once: what each loads, not how long it takes (no timing asserts).

Help loads no library behind a command; a rerun with nothing changed loads neither the
renderer, the encoder nor C2PA; planning keys stay what they were with fields digested
once; a big plan prints every step.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from aktion.backends.base import StepRequest
from aktion.cli import _register, app
from aktion.engine.graph import INPUTS, STEP_VERSIONS, backend_version, plan
from aktion.engine.keys import content_key, digest
from aktion.production.load import load_production
from conftest import write_production

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "rooftop"
HEAVY = ("numpy", "pydantic", "av", "cv2", "c2pa", "cryptography", "ruamel", "PIL",
         "opentimelineio", "reportlab", "screenplain", "lemminflect")  # fmt: skip
PROBE = """\
import sys
sys.argv = ["aktion", *{args!r}]
from aktion.cli import main
try:
    main()
except SystemExit:
    pass
import json
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})), file=sys.stderr)
"""


def loaded(*args: str) -> set[str]:
    """The top-level modules a fresh ``aktion ARGS`` process had loaded when it ended."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args))],
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_loads_no_library_behind_a_command() -> None:
    assert not loaded("--help") & set(HEAVY)


def test_a_rerun_with_nothing_changed_loads_no_renderer_encoder_or_c2pa(tmp_path: Path) -> None:
    root = write_production(tmp_path / "tiny")
    assert "av" in loaded("render", str(root))  # the first render draws and encodes
    again = loaded("render", str(root))
    assert not again & {"av", "cv2", "c2pa", "cryptography", "ruamel", "PIL"}
    assert (root / "out" / "roof.mp4").is_file()


def reference_key(step, steps, signs: bool = False) -> str:
    """A step's key as ``graph`` defines it, every field digested on its own."""
    data = step.request.hashed()
    parts = {"code": digest([step.kind, STEP_VERSIONS[step.kind]]),
             "backend": digest([step.backend, backend_version(step.backend)])}  # fmt: skip
    if signs:
        parts["signing"] = digest(["signing", 1])
    for name, value in data.items():
        if name not in ("kind", "locks", "cast"):
            parts["board" if name == "shot" else name] = digest(value)
    for cid, char in data["cast"].items():
        parts[f"cast:{cid}"] = digest([char, data["locks"].get(cid)])
    for name, (dep, output) in sorted(step.deps.items()):
        parts[f"input:{name}"] = digest([steps[dep].key, output])
    return content_key(parts)


def test_keys_are_what_digesting_every_field_on_its_own_gives() -> None:
    graph = plan(load_production(EXAMPLE))
    assert len(graph.steps) > 40 and {"render", "cut", "sheet"} <= {s.kind for s in graph}
    for step in graph:
        assert step.key == reference_key(step, graph.steps, graph.signs), step.id
    assert isinstance(next(iter(graph)).request, StepRequest) and INPUTS


def test_a_big_plan_lists_every_step_and_why(tmp_path: Path) -> None:
    from aktion.cli.production import TABLE_ROWS

    shots = "\n".join(f"      - {{id: s{i}, lines: [7, 8], size: MS, duration: 12, blocking: "
                      "[{who: vex, at: [-0.6, 0]}, {who: kade, at: [0.6, 0]}]}"
                      for i in range(TABLE_ROWS // 3 + 5))  # fmt: skip
    boards = ("schema: Boards.1\nscenes:\n  - id: roof\n    heading: EXT. ROOF - NIGHT\n"
              f"    shots:\n{shots}\n")
    root = write_production(tmp_path / "big", boards=boards, choreo="schema: Choreo.1\n")
    graph = plan(load_production(root))
    assert len(graph.steps) > TABLE_ROWS
    _register()
    shown = CliRunner().invoke(app, ["plan", str(root)])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0].split()[:3] == ["step", "backend", "needs"]
    for step in graph:
        row = next(ln for ln in lines if ln.split()[0] == step.id)
        assert step.key[:12] in row and step.reason in row


def test_light_names_stand_for_what_they_name() -> None:
    """Names the CLI and engine keep without importing their home (which is heavy)."""
    from aktion import previz
    from aktion.cli.editorial import FORMATS
    from aktion.editorial.export import FORMATS as WRITTEN
    from aktion.provenance.home import production_cert
    from aktion.provenance.identity import PRODUCTION_CERT, production_identity_dir

    assert tuple(WRITTEN) == FORMATS
    root = Path("/some/production")
    assert production_cert(root) == production_identity_dir(root) / PRODUCTION_CERT
    assert sorted(previz.__all__) == sorted(previz._HOME)
    assert all(getattr(previz, name) is not None for name in previz.__all__)
