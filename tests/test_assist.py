"""The optional AI assist, against a stand-in chat server.

The stand-in is a small real HTTP server on 127.0.0.1, run in a thread by this test
module. It follows the OpenAI chat-completions API (POST /v1/chat/completions, answer in
``choices[0].message.content``) but answers with canned replies the tests queue up: no
model runs. It records every request so the tests can check what Aktion sent.
"""

from __future__ import annotations

import importlib
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aktion.production.load import load_production
from aktion.production.yamlio import plain, read_yaml
from aktion.writers_room.llm import AssistError, ChatClient, LLMConfig, parse_json
from aktion.writers_room.moves import BASE_MOVES, library_moves

KEY = "sk-aktion-test-5f3a9c1e7b"


class StandIn:
    """A stand-in OpenAI-compatible server: replies are queued (status, content)."""

    def __init__(self) -> None:
        self.replies: list[tuple[int, Any]] = []
        self.requests: list[dict[str, Any]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                stand_in.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": body})
                status, content = stand_in.replies.pop(0) if stand_in.replies else (500, "none")
                if status == 200 and self.path == "/v1/chat/completions":
                    text = content if isinstance(content, str) else json.dumps(content)
                    payload = json.dumps({"id": "x", "object": "chat.completion",
                                          "model": body.get("model"), "choices": [{
                                              "index": 0, "finish_reason": "stop",
                                              "message": {"role": "assistant",
                                                          "content": text}}]})
                else:  # an error page that (rudely) quotes the request's headers back
                    status = status if status != 200 else 404
                    payload = json.dumps({"error": str(content),
                                          "auth": self.headers.get("Authorization")})
                data = payload.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server() -> Iterator[StandIn]:
    s = StandIn()
    yield s
    s.close()


@pytest.fixture(scope="module")
def cli():
    from aktion.cli import _register, app

    try:
        _register()
    except ImportError:  # another area's command module mid-change: ours still registers
        importlib.import_module("aktion.cli.assist")
    return app


def env(server: StandIn, key: str | None = KEY) -> dict[str, str | None]:
    return {"AKTION_LLM_BASE_URL": server.url, "AKTION_LLM_MODEL": "stand-in",
            "AKTION_LLM_API_KEY": key, "AKTION_LLM_TIMEOUT": "5"}


def moves() -> set[str]:
    return library_moves() or set(BASE_MOVES)


def tree_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


# --- punch-ups ------------------------------------------------------------------------------

PUNCHUP = {"lines": [
    {"line": 14, "text": "Vex snaps a jab at Kade's head. Kade reels back into the vent."},
    {"line": 9, "text": "You're dead."},                      # dialogue, not action
    {"line": 6, "text": "Rain. Someone squares up across the gravel."},  # drops VEX, KADE
]}


def test_punchup_shows_a_diff_and_writes_only_with_apply(cli, tiny: Path, server) -> None:
    script = tiny / "script.fountain"
    before = script.read_text()
    server.replies.append((200, PUNCHUP))
    shown = CliRunner().invoke(cli, ["assist", "punchup", str(tiny), "--scene", "1"],
                               env=env(server))
    assert shown.exit_code == 0, shown.output
    assert "-Vex jabs at Kade's head. Kade staggers." in shown.stdout
    assert "+Vex snaps a jab at Kade's head. Kade reels back into the vent." in shown.stdout
    assert "line 9: not an action line of scene 1" in shown.stderr
    assert "line 6: drops" in shown.stderr and "VEX" in shown.stderr
    assert "--apply" in shown.stdout
    assert script.read_text() == before  # shown, not written

    request = server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "stand-in"
    assert request["body"]["response_format"] == {"type": "json_object"}
    prompt = request["body"]["messages"][-1]["content"]
    assert "jab" in prompt and "Vex jabs at Kade's head" in prompt

    server.replies.append((200, PUNCHUP))
    applied = CliRunner().invoke(cli, ["assist", "punchup", str(tiny), "--apply"],
                                 env=env(server))
    assert applied.exit_code == 0, applied.output
    after = script.read_text().splitlines()
    old = before.splitlines()
    assert after[13] == "Vex snaps a jab at Kade's head. Kade reels back into the vent."
    assert [a for i, a in enumerate(after) if i != 13] == [o for i, o in enumerate(old)
                                                            if i != 13]
    load_production(tiny, moves=moves())


def test_punchup_never_turns_action_into_other_fountain(tiny: Path, server) -> None:
    from aktion.writers_room.assist import propose_punchup

    server.replies.append((200, {"lines": [{"line": 14, "text": "EXT. VEX AND KADE - DAY"}]}))
    proposal = propose_punchup(tiny, 1, ChatClient(LLMConfig(server.url, "m")))
    assert proposal.empty
    assert [str(d) for d in proposal.dropped] == [
        "line 14: Fountain would no longer read it as an action line"]


def test_punchup_of_a_scene_leaves_other_scenes_alone(tmp_path: Path, server) -> None:
    from aktion.writers_room.assist import propose_punchup

    script = tmp_path / "two.fountain"
    script.write_text("INT. BAR - NIGHT\n\nMara walks in.\n\nEXT. ALLEY - NIGHT\n\n"
                      "Mara hits Rook.\n")
    server.replies.append((200, {"lines": [{"line": 3, "text": "Mara shoulders in."},
                                           {"line": 7, "text": "Mara hooks Rook."}]}))
    proposal = propose_punchup(script, 1, ChatClient(LLMConfig(server.url, "m")))
    assert proposal.kept == ["3"]
    assert [str(d) for d in proposal.dropped] == ["line 7: not an action line of scene 1 (lines 1-3)"]
    proposal.apply()
    assert script.read_text().splitlines()[6] == "Mara hits Rook."
    assert script.read_text().splitlines()[2] == "Mara shoulders in."


# --- shot lists -----------------------------------------------------------------------------

GOOD_A = {"id": "A1", "lines": [4, 12], "size": "FS", "angle": "low", "lens": 24,
          "move": {"type": "dolly", "amount": 1.0}, "duration": "1s",
          "blocking": [{"who": "vex", "at": [-0.7, 0], "facing": 0},
                       {"who": "kade", "at": [0.7, 0], "facing": 180}]}
GOOD_B = {"id": "A2", "lines": [14, 14], "size": "CU", "duration": 18,
          "blocking": [{"who": "vex", "at": [-0.4, 0], "facing": 0},
                       {"who": "kade", "at": [0.4, 0], "facing": 180}]}
UNKNOWN = {"id": "X1", "lines": [6, 6], "size": "MS", "duration": 12,
           "blocking": [{"who": "zed", "at": [0, 0]}]}
BAD_SIZE = {"id": "X2", "lines": [6, 6], "size": "XL", "duration": 12}
OUTSIDE = {"id": "X3", "lines": [40, 44], "size": "WS", "duration": 12}


def test_invalid_shots_are_rejected_with_the_reason(cli, tiny: Path, server) -> None:
    boards = (tiny / "boards.yaml").read_text()
    server.replies.append((200, {"shots": [UNKNOWN, BAD_SIZE, OUTSIDE]}))
    result = CliRunner().invoke(cli, ["assist", "shots", str(tiny), "-s", "1", "--apply"],
                                env=env(server))
    assert result.exit_code == 1
    err = result.stderr
    assert "shot X1: unknown character 'zed'" in err
    assert "shot X2: `size` (got 'XL')" in err
    assert "shot X3: lines 40-44 are outside scene 1" in err
    assert "no proposed shot passed the checks" in err
    assert (tiny / "boards.yaml").read_text() == boards


def test_a_valid_shot_list_is_shown_then_applied_and_loads(cli, tiny: Path, server) -> None:
    (tiny / "boards.yaml").write_text("# the director's note stays\n"
                                      + (tiny / "boards.yaml").read_text())
    boards, choreo = (tiny / "boards.yaml").read_text(), (tiny / "choreo.yaml").read_text()
    answer = "```json\n" + json.dumps({"shots": [GOOD_A, BAD_SIZE, GOOD_B]}) + "\n```"
    server.replies.append((200, answer))
    shown = CliRunner().invoke(cli, ["assist", "shots", str(tiny)], env=env(server))
    assert shown.exit_code == 0, shown.output
    assert "shot X2" in shown.stderr
    assert "+++ b/boards.yaml" in shown.stdout and "- id: A1" in shown.stdout
    assert "+++ b/choreo.yaml" in shown.stdout
    assert (tiny / "boards.yaml").read_text() == boards
    assert (tiny / "choreo.yaml").read_text() == choreo

    server.replies.append((200, answer))
    applied = CliRunner().invoke(cli, ["assist", "shots", str(tiny), "--apply"],
                                 env=env(server))
    assert applied.exit_code == 0, applied.output
    text = (tiny / "boards.yaml").read_text()
    assert text.startswith("# the director's note stays")
    prod = load_production(tiny, moves=moves())
    scene = prod.boards.scenes[0]
    assert scene.id == "roof" and scene.set.boxes[0].name == "vent"  # the rest is kept
    assert [(s.id, s.size, s.duration) for s in scene.shots] == [("A1", "FS", 24),
                                                                  ("A2", "CU", 18)]
    beats = plain(read_yaml(tiny / "choreo.yaml"))["shots"]
    assert beats["A1"]["beats"][0]["move"] == "guard"   # line 6 moved with its line
    assert beats["A2"]["beats"][0]["move"] == "jab"     # line 14
    assert set(beats) == {"A1", "A2"}


def test_a_proposal_that_breaks_the_production_is_rolled_back(tiny: Path, server) -> None:
    from aktion.production.errors import ProductionError
    from aktion.writers_room.assist import propose_shots

    server.replies.append((200, {"shots": [GOOD_A]}))
    proposal = propose_shots(tiny, 1, ChatClient(LLMConfig(server.url, "m")))
    boards = (tiny / "boards.yaml").read_text()
    (tiny / "script.fountain").write_text("Just one line.\n")  # the script shrank meanwhile
    with pytest.raises(ProductionError):
        proposal.apply()
    assert (tiny / "boards.yaml").read_text() == boards


# --- the key, and servers that fail ---------------------------------------------------------


def test_api_key_is_sent_as_bearer_and_never_shown_or_written(cli, tiny: Path,
                                                              server) -> None:
    server.replies += [(200, PUNCHUP), (200, {"shots": [GOOD_A, UNKNOWN, GOOD_B]}),
                       (401, "bad key"), (200, "not json at all, sorry")]
    runner = CliRunner()
    results = [runner.invoke(cli, ["assist", "punchup", str(tiny), "--apply"], env=env(server)),
               runner.invoke(cli, ["assist", "shots", str(tiny), "--apply"], env=env(server)),
               runner.invoke(cli, ["assist", "shots", str(tiny)], env=env(server)),
               runner.invoke(cli, ["assist", "punchup", str(tiny)], env=env(server))]
    assert [r.exit_code for r in results] == [0, 0, 1, 1]
    assert all(r["headers"]["Authorization"] == f"Bearer {KEY}" for r in server.requests)
    assert "HTTP 401" in results[2].stderr and "***" in results[2].stderr
    assert "did not answer JSON" in results[3].stderr
    for r in results:
        assert KEY.encode() not in r.stdout_bytes + r.stderr_bytes + r.output_bytes
    assert KEY.encode() not in tree_bytes(tiny)
    assert "A1" in (tiny / "boards.yaml").read_text()  # it did write


def test_no_key_no_authorization_header(tiny: Path, server) -> None:
    server.replies.append((200, "{}"))
    ChatClient(LLMConfig(server.url, "m")).complete([{"role": "user", "content": "hi"}])
    assert "Authorization" not in server.requests[0]["headers"]


def test_a_server_that_is_down_is_a_clear_error(cli, tiny: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = CliRunner().invoke(cli, ["assist", "punchup", str(tiny)], env={
        "AKTION_LLM_BASE_URL": f"http://127.0.0.1:{port}/v1", "AKTION_LLM_MODEL": "m",
        "AKTION_LLM_API_KEY": KEY})
    assert result.exit_code == 1
    assert f"cannot reach the model server at http://127.0.0.1:{port}/v1" in result.stderr
    assert KEY not in result.output


def test_unconfigured_assist_says_what_to_set(cli, tiny: Path) -> None:
    result = CliRunner().invoke(cli, ["assist", "shots", str(tiny)],
                                env={"AKTION_LLM_BASE_URL": None, "AKTION_LLM_MODEL": None})
    assert result.exit_code == 1
    assert "AKTION_LLM_BASE_URL and AKTION_LLM_MODEL" in result.stderr


def test_http_errors_and_odd_answers(server) -> None:
    client = ChatClient(LLMConfig(server.url, "m", api_key=KEY))
    server.replies.append((500, "overloaded"))
    with pytest.raises(AssistError, match="HTTP 500") as err:
        client.complete([{"role": "user", "content": "hi"}])
    assert KEY not in str(err.value)
    server.replies.append((200, "   "))
    with pytest.raises(AssistError, match="answered nothing"):
        client.complete([{"role": "user", "content": "hi"}])
    assert parse_json('Sure!\n{"lines": []}') == {"lines": []}
    assert parse_json('```json\n{"a": 1}\n```') == {"a": 1}


def test_the_rest_of_aktion_does_not_load_the_client() -> None:
    import subprocess
    import sys

    code = ("import sys; from aktion.cli import _register; _register(); "
            "print('aktion.writers_room.llm' in sys.modules, 'httpx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == "False"


def test_shots_for_one_scene_leave_the_other_scenes_as_written(cli, tmp_path: Path,
                                                               server) -> None:
    from conftest import BOARDS, SCRIPT, write_production

    stairs = ("  # the stairwell: the director's own blocking\n"
              "  - id: stairs\n    heading: INT. STAIRWELL - NIGHT\n    shots:\n"
              "      - id: S1\n        lines: [18, 20]\n        size: FS\n        duration: 24\n"
              "        blocking:\n          - {who: kade, at: [0, 0], facing: 90}\n")
    root = write_production(tmp_path / "two", script=SCRIPT + "\nINT. STAIRWELL - NIGHT\n\n"
                            "Kade runs.\n", boards=BOARDS + stairs)
    server.replies.append((200, {"shots": [GOOD_A, GOOD_B]}))
    result = CliRunner().invoke(cli, ["assist", "shots", str(root), "-s", "1", "--apply"],
                                env=env(server))
    assert result.exit_code == 0, result.output
    changed = [ln for ln in result.stdout.splitlines() if ln[:1] in "+-"]
    assert not [ln for ln in changed if "S1" in ln or "stair" in ln.lower()]
    assert (root / "boards.yaml").read_text().endswith(stairs)
    prod = load_production(root, moves=moves())
    assert [[s.id for s in sc.shots] for sc in prod.boards.scenes] == [["A1", "A2"], ["S1"]]
