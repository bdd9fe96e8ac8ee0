"""Script export: FDX is valid XML with the scene and dialogue, and the PDF renders."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aktion.cli import _register, app
from aktion.production.script import Script
from aktion.storyboard.script_export import export_script

_register()
runner = CliRunner()


def paragraphs(fdx: Path) -> list[tuple[str, str]]:
    root = ET.parse(fdx).getroot()
    return [(p.get("Type", ""), "".join(p.itertext()).strip())
            for p in root.iter("Paragraph")]


def test_fdx_has_heading_and_dialogue(tiny: Path) -> None:
    result = runner.invoke(app, ["script", "export", str(tiny), "--format", "fdx"])
    assert result.exit_code == 0, result.output
    paras = paragraphs(tiny / "out" / "tiny.fdx")
    assert ("Scene Heading", "EXT. ROOF - NIGHT") in paras
    assert ("Character", "VEX") in paras and ("Dialogue", "You're late.") in paras
    assert ("Action", "Vex jabs at Kade's head. Kade staggers.") in paras
    assert ("Transition", "CUT TO:") in paras


def test_messy_script_reads_as_written(tmp_path: Path) -> None:
    """A heading straight into action, and a dual-dialogue caret with no partner."""
    script = Script.from_text("INT. HALL - DAY\nMara sprints for the door.\n\nMARA ^\nNow!\n")
    paras = paragraphs(export_script(script, "fdx", tmp_path / "messy.fdx"))
    assert paras == [("Scene Heading", "INT. HALL - DAY"),
                     ("Action", "Mara sprints for the door."),
                     ("Character", "MARA"), ("Dialogue", "Now!")]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_export_renders(tiny: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["script", "export", str(tiny / "script.fountain")])
    assert result.exit_code == 0, result.output
    pdf = tiny / "out" / "script.pdf"  # a bare .fountain file: out/ beside it, named after it
    assert pdf.is_file()
    subprocess.run(["pdftoppm", "-r", "20", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))


def test_unknown_format_is_refused(tiny: Path) -> None:
    result = runner.invoke(app, ["script", "export", str(tiny), "--format", "docx"])
    assert result.exit_code == 2 and "unknown format" in result.output
