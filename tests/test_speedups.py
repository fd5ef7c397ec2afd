"""widgets/speedups.py changes how fast Bokeh and Panel build a page, never what they build."""

import json
import subprocess
import sys
from pathlib import Path

from widgets import speedups

SCRIPT = Path(__file__).resolve().parent / "page_documents.py"


def documents(*flags) -> tuple[bool, list[dict]]:
    lines = subprocess.run([sys.executable, str(SCRIPT), *flags], capture_output=True, text=True, check=True,
                           timeout=600).stdout.splitlines()
    return json.loads(lines[0])["speedups"], [json.loads(line) for line in lines[1:]]


def test_every_page_in_both_themes_is_the_same_document_with_and_without_the_speedups():
    assert speedups.applicable(), f"speedups.CHECKED names other versions than the installed ones: {speedups.CHECKED}"
    installed, fast = documents()
    plain_installed, plain = documents("--plain")
    assert installed and not plain_installed
    assert len(fast) == len(plain) == 2 * 11
    for mine, theirs in zip(fast, plain, strict=True):
        assert (mine["page"], mine["theme"], mine["models"]) == (theirs["page"], theirs["theme"], theirs["models"])
        assert mine["document"] == theirs["document"], f"page {mine['page']} in the {mine['theme']} theme differs"
