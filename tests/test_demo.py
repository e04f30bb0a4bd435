"""The end-to-end demo (python -m minigrad demo), run with a tiny epoch count."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from minigrad.__main__ import main
from minigrad.demo import Recipe, build_model, gradient_check, load_split, run_demo


def _has_viz() -> bool:
    try:
        import minigrad.viz  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def test_demo_runs_end_to_end_and_writes_files(tmp_path, capsys):
    out = tmp_path / "demo-out"
    report = run_demo(epochs=2, out_dir=out, progress=False)
    text = capsys.readouterr().out
    assert "test accuracy (seed 0):" in text
    assert "gradient check of the loss: passed" in text, text
    assert report["gradcheck"].startswith("passed")
    assert len(report["accuracies"]) == 1 and 0.5 < report["mean"] <= 1.0  # 2 epochs already learn a lot
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "loss curves not written" in text and "minigrad[train]" in text
    else:
        assert (out / "loss_curves.png").read_bytes()[:4] == b"\x89PNG"
    if _has_viz():
        svg = (out / "graph.svg").read_text()
        assert "<svg" in svg
    else:
        assert "computation graph not" in text  # says so and carries on


def test_command_line_splits(tmp_path, capsys):
    code = main(["demo", "--epochs", "1", "--splits", "2", "--seed", "3", "--out", str(tmp_path), "--no-progress"])
    assert code == 0
    text = capsys.readouterr().out
    assert "test accuracy (seed 3):" in text and "test accuracy (seed 4):" in text
    assert "mean test accuracy over 2 splits:" in text


def test_command_line_without_command_prints_help(capsys):
    assert main([]) == 2
    assert "demo" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["demo", "--splits", "0"])


def test_split_is_standardised_with_training_statistics_only():
    data = load_split(0, Recipe(clip=None))
    assert len(data["y_test"]) == 360 and len(data["y_train"]) + len(data["y_val"]) == 1797 - 360
    assert np.allclose(data["X_train"].mean(axis=0), 0, atol=1e-5)
    assert not np.allclose(data["X_val"].mean(axis=0), 0, atol=1e-3)
    assert np.abs(data["X_test"]).max() > 10  # rarely inked pixels: far out after standardising
    for k in range(10):  # stratified
        assert abs(np.mean(data["y_test"] == k) - np.mean(data["y_train"] == k)) < 0.01
    clipped = load_split(0)  # the recipe bounds them
    assert max(np.abs(clipped[k]).max() for k in ("X_train", "X_val", "X_test")) <= Recipe().clip
    assert np.array_equal(clipped["y_test"], data["y_test"])


def test_gradient_check_of_an_untrained_model_passes_and_leaves_the_model_alone():
    recipe = Recipe()
    data = load_split(1)
    model = build_model(recipe)
    model.train()
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    verdict = gradient_check(model, recipe, data["X_train"], data["y_train"])
    assert verdict.startswith("passed"), verdict
    assert model.training
    assert all(np.array_equal(v.numpy(), before[k]) for k, v in model.state_dict().items())
