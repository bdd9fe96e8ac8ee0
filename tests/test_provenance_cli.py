"""The provenance commands, driven as a user or a CI job would."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.provenance.identity import identity_for_production
from test_provenance_support import home, make_production, mp4_boxes  # noqa: F401
from test_provenance_tamper import made

_register()
runner = CliRunner()


def aktion(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_identity_verify_and_ledger_commands(tmp_path: Path, home: Path) -> None:  # noqa: F811
    prod = make_production(tmp_path / "prod")
    r = aktion("identity", "create", "--name", "me", "--production", prod)
    assert r.exit_code == 0, r.output
    assert (prod / "identity" / "cert.pem").is_file() and (home / "identities" / "me").is_dir()
    assert "me" in aktion("identity", "list").output
    clip = made(prod, identity_for_production(prod), "s1")

    r = aktion("verify", clip)  # the production is found from the file's folder
    assert r.exit_code == 0, r.output
    assert "trusted" in r.output and "trail" in r.output and "lines 3-3" in r.output

    r = aktion("verify", clip, "--production", prod, "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    assert report["ok"] and report["status"] == "trusted" and report["ledger"]["ok"]
    assert report["trail"]["step"]["step_key"] == "key-s1"

    assert aktion("ledger", "verify", "--production", prod).exit_code == 0

    data = bytearray(clip.read_bytes())
    _, at, size = next(b for b in mp4_boxes(bytes(data)) if b[0] == "mdat")
    data[at + size // 2] ^= 0xFF
    clip.write_bytes(bytes(data))
    r = aktion("verify", clip, "--json")
    assert r.exit_code == 1 and json.loads(r.output)["status"] == "invalid"


def test_trust_is_the_users_not_the_folders(tmp_path: Path, home: Path) -> None:  # noqa: F811
    """A copy far from its production is trusted through the user's anchor, and only
    while the user trusts it; the production's own anchor file changes nothing."""
    prod = make_production(tmp_path / "prod")
    r = aktion("identity", "create", "--production", prod)
    assert "trusted its root in your trust store as 'identity default'" in r.output
    clip = made(prod, identity_for_production(prod), "s1")
    loose = tmp_path / "loose.mp4"
    loose.write_bytes(clip.read_bytes())
    r = aktion("verify", loose)
    assert r.exit_code == 0 and "trusted through your anchor identity default" in r.output
    assert "binding: match" in r.output
    listed = json.loads(aktion("trust", "list", "--json").output)
    assert [a["label"] for a in listed] == ["identity default"]
    assert aktion("trust", "remove", "identity default").exit_code == 0
    r = aktion("verify", loose)
    assert r.exit_code == 1 and "untrusted" in r.output
    r = aktion("verify", clip)  # inside its production: the suggestion is shown, not used
    assert r.exit_code == 1 and "suggests the anchor" in r.output
    assert aktion("trust", "add", "--production", prod).exit_code == 0
    assert aktion("verify", clip).exit_code == 0


def test_ledger_verify_and_repair(tmp_path: Path, home: Path) -> None:  # noqa: F811
    prod = make_production(tmp_path / "prod")
    aktion("identity", "create", "--production", prod)
    made(prod, identity_for_production(prod), "s1")
    ledger = prod / ".aktion" / "ledger.jsonl"
    ledger.write_bytes(ledger.read_bytes() + b'{"index":1,')
    r = aktion("ledger", "verify", "--production", prod, "--json")
    assert r.exit_code == 1 and json.loads(r.output)["torn"]
    r = aktion("ledger", "repair", "--production", prod)
    assert r.exit_code == 0 and "torn" in r.output
    assert aktion("ledger", "verify", "--production", prod).exit_code == 0


def test_a_production_that_starts_signing_renders_signed(tmp_path: Path, home: Path) -> None:  # noqa: F811
    """Outputs made before the production signed were never signed nor logged: once it
    has an identity, its steps run again, signed, instead of being reused unsigned."""
    from conftest import write_production

    root = write_production(tmp_path / "tiny")
    first = aktion("render", root)
    assert first.exit_code == 0, first.output
    assert json.loads(aktion("verify", root / "out" / "roof.mp4", "--json").output)[
        "status"] == "unsigned"
    assert aktion("identity", "create", "--name", "me", "--production", root).exit_code == 0
    why = aktion("explain", root)
    assert "the production now signs its outputs" in why.output, why.output
    again = aktion("render", root)
    assert again.exit_code == 0, again.output
    assert "0 cached" in again.output, again.output
    report = json.loads(aktion("verify", root / "out" / "roof.mp4", "--json").output)
    assert report["status"] == "trusted" and report["ledger"]["ok"], report
