"""The README's promises about setting up: two commands, and CI runs the second."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVE = "pip install -e . && panel serve app.py"
TEST = "bash scripts/test.sh"


def test_the_quick_start_has_one_command_to_serve_and_one_to_test():
    readme = (ROOT / "README.md").read_text()
    assert readme.count("## Quick start") == 1
    assert readme.count(f"```bash\n{SERVE}\n```") == 1
    assert readme.count(f"```bash\n{TEST}\n```") == 1


def test_ci_runs_exactly_the_readme_test_command():
    commands = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith(("#", "set ", "cd "))]
    assert commands == [TEST]


def test_every_readme_section_appears_once():
    headings = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("## ")]
    assert headings and len(headings) == len(set(headings))
