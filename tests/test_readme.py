"""The README opens with the two set-up commands, and CI runs the test one as it stands."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_readme_starts_with_the_demo_and_test_commands():
    demo, tests = _commands()[:2]
    assert "python -m minigrad demo" in demo
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command():
    assert _commands()[1] in (ROOT / ".ci" / "run").read_text()
