"""The README: it opens with the two set-up commands (CI runs the test one as it stands), and its
Python examples run, in order, as a reader would paste them.

The blocks share one namespace (the second example uses the first one's ``x``). The op example is
applied through the engine and gradient-checked; the checkpoint example runs on a small model in a
temporary directory; the PyTorch example runs when torch is installed and its outputs are compared.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd.function import Function

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    return [line.strip() for line in block.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_readme_starts_with_the_demo_and_test_commands():
    demo, tests = _commands()[:2]
    assert "python -m minigrad demo" in demo
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command():
    assert _commands()[1] in (README.parent / ".ci" / "run").read_text()


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def _block(needle: str) -> str:
    found = [b for b in _python_blocks() if needle in b]
    assert len(found) == 1, f"the README has {len(found)} Python blocks containing {needle!r}"
    return found[0]


def test_every_python_block_is_covered_here() -> None:
    needles = ("mg.tensor([[1.0, 2.0]]", "class Sigmoid(Function)", "class P3(", "mg.save(", "import torch")
    blocks = _python_blocks()
    assert len(blocks) == len(needles), "a README Python block was added or removed: cover it in this file"
    for b in blocks:
        assert sum(n in b for n in needles) == 1, f"README block not covered by a test:\n{b}"


def test_the_first_example_and_the_custom_function() -> None:
    ns: dict = {}
    exec(_block("mg.tensor([[1.0, 2.0]]"), ns)
    x, w, loss = ns["x"], ns["w"], ns["loss"]
    assert x.grad.shape == (1, 2) and w.grad.shape == (2, 3)
    assert loss.grad_fn.name == "SumBackward"
    exec(_block("class P3("), ns)
    np.testing.assert_allclose(ns["y"].numpy(), 0.5 * (5 * x.numpy() ** 3 - 3 * x.numpy()), rtol=1e-6)
    x64 = mg.randn(3, dtype=mg.float64, requires_grad=True)
    assert mg.autograd.gradcheck(ns["P3"].apply, (x64,))
    assert mg.autograd.gradgradcheck(ns["P3"].apply, (x64,))


def test_the_op_example_is_a_working_op() -> None:
    ns: dict = {"np": np, "Function": Function}
    exec(_block("class Sigmoid(Function)"), ns)
    op = ns["Sigmoid"]
    x = mg.tensor([-800.0, -2.0, 0.0, 3.0, 800.0], dtype=mg.float64, requires_grad=True)
    y = op.apply(x)
    np.testing.assert_array_equal(y.numpy(), mg.sigmoid(x).detach().numpy())
    assert mg.autograd.gradcheck(op.apply, (x,))
    assert mg.autograd.gradgradcheck(op.apply, (x,))


def _model() -> tuple:
    mg.manual_seed(0)
    nn = mg.nn
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.25), nn.Linear(8, 3))
    opt = mg.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(3):
        opt.zero_grad()
        model(mg.randn(16, 4)).square().mean().backward()
        opt.step()
    return model, opt


def test_the_checkpoint_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    model, opt = _model()
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    ns = {"mg": mg, "model": model, "opt": opt, "epoch": 3}
    exec(_block("mg.save("), ns)
    assert ns["ckpt"]["epoch"] == 3
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


def test_the_pytorch_example() -> None:
    torch = pytest.importorskip("torch")
    model, _ = _model()
    model.eval()
    ns = {"model": model}
    exec(_block("import torch"), ns)
    torch_model = ns["torch_model"].eval()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model(mg.tensor(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-6)
