"""docs/design.md does not drift from the code: its op example is the real op (comments aside), and every
file and test it names exists."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from minigrad.ops import activation

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")


def _code(text: str) -> list[str]:
    """Lines without comments and blank lines, right-stripped."""
    lines = (re.sub(r"\s+#.*$", "", line).rstrip() for line in text.splitlines())
    return [line for line in lines if line.strip()]


def test_the_op_example_is_the_real_op() -> None:
    (block,) = [b for b in re.findall(r"```python\n(.*?)```", PAGE, flags=re.S) if "class Tanh(Function)" in b]
    assert _code(block) == _code(inspect.getsource(activation.Tanh))


def test_every_named_file_exists() -> None:
    named = set(re.findall(r"`((?:tests|autograd|ops|nn|optim|data|viz)/[\w/]*\.py|[\w]+\.py|[\w]+/)`", PAGE))
    assert len(named) > 20, "the page names its files in backquotes"
    for name in sorted(named):
        candidates = [ROOT / name, ROOT / "minigrad" / name]
        assert any(p.exists() for p in candidates), f"docs/design.md names {name}, which does not exist"
