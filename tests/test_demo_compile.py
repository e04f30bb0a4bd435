"""The demo trained through mg.compile (``--compile``, ``fit(..., compile=True)``) reaches eager's accuracy."""

from __future__ import annotations

import importlib
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from minigrad.__main__ import main
from minigrad.demo import Recipe, load_split, train_split

# a fallback to eager mode would make "the same accuracy" vacuous: it fails these tests
pytestmark = pytest.mark.filterwarnings("error::minigrad.compile.CompileWarning")

REPO_ROOT = Path(__file__).resolve().parents[1]
mg_compile = importlib.import_module("minigrad.compile")  # the module (the package's `compile` is the function)


@pytest.fixture
def compiled_steps(monkeypatch):
    """Every CompiledFunction that fit makes, to check it traced a few times and replayed the rest."""
    made = []
    original = mg_compile.compile

    def recording(fn=None, **kwargs):
        compiled = original(fn, **kwargs)
        made.append(compiled)
        return compiled

    monkeypatch.setattr(mg_compile, "compile", recording)
    return made


def test_compiled_demo_training_reaches_the_same_accuracy_as_eager(compiled_steps):
    """The demo's recipe (BatchNorm, Dropout, Adam, L2 penalty, input jitter, early stopping), a few epochs."""
    recipe = replace(Recipe(), epochs=6)
    eager = train_split(0, recipe, progress=False)
    assert compiled_steps == []
    compiled = train_split(0, recipe, progress=False, compile=True)
    (step,) = compiled_steps
    assert step.eager_reason is None
    n_train = len(load_split(0, recipe)["y_train"])
    assert n_train % recipe.batch_size  # full batches and a smaller last one: two shapes, each traced twice
    assert step.traces == 4 < len(compiled.history) * -(-n_train // recipe.batch_size)  # the other steps replayed
    assert compiled.test_accuracy == eager.test_accuracy > 0.9
    assert compiled.best_epoch == eager.best_epoch
    np.testing.assert_allclose(compiled.history.train_loss, eager.history.train_loss, rtol=1e-5)
    np.testing.assert_allclose(compiled.history.val_loss, eager.history.val_loss, rtol=1e-5)


def test_command_line_compile_flag(tmp_path, capsys, compiled_steps):
    code = main(["demo", "--epochs", "2", "--compile", "--out", str(tmp_path), "--no-progress"])
    assert code == 0
    text = capsys.readouterr().out
    assert "each training step compiled with mg.compile" in text
    assert "test accuracy (seed 0):" in text
    assert len(compiled_steps) == 1 and compiled_steps[0].eager_reason is None


def test_python_dash_m_minigrad_demo_takes_the_same_options():
    proc = subprocess.run(
        [sys.executable, "-m", "minigrad.demo", "--help"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "--compile" in proc.stdout and "--splits" in proc.stdout
