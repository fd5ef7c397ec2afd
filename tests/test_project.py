"""The README's promises about setting up: two commands, and CI runs the second."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVE = "bash scripts/serve.sh"
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


def test_both_commands_install_the_pinned_versions_into_the_projects_own_environment():
    shared = (ROOT / "scripts" / "venv.sh").read_text()
    assert "python3 -m venv .venv" in shared and "-c constraints.txt" in shared
    for script in ("serve.sh", "test.sh"):
        assert "source scripts/venv.sh" in (ROOT / "scripts" / script).read_text()
    pinned = {line.split("==")[0] for line in (ROOT / "constraints.txt").read_text().splitlines()
              if line and not line.startswith("#")}
    assert {"panel", "bokeh", "numpy", "param"} <= pinned


def test_the_pinned_versions_are_the_ones_running():
    from importlib.metadata import version

    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, pinned = line.split("==")
            assert version(name).split("+")[0] == pinned, name
