"""The benchmark suite stays correct and runnable. No timing is asserted here (machines are noisy)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # `benchmarks` is a top-level folder of the checkout, not installed
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import engines, run  # noqa: E402
from benchmarks.numpy_step import (  # noqa: E402
    copy_params,
    forward_loss,
    init_params,
    make_batch,
    sgd_step,
)

CONFIGS = [
    ((4, 3), 5),  # no hidden layer
    ((5, 7, 3), 4),
    ((64, 64, 10), 32),  # workload a
    ((8, 16, 16, 16, 4), 9),  # several hidden layers, odd batch
    ((32, *([32] * 20), 10), 64),  # workload d: deep
]
DTYPES = [np.float32, np.float64]


# ----------------------------------------------------------------------------- the NumPy step itself


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_step_keeps_dtype(dtype):
    params = init_params((6, 5, 3), dtype)
    x, y = make_batch(6, 3, 4, dtype)
    loss = sgd_step(params, x, y, 0.1)
    assert np.asarray(loss).dtype == dtype
    for weight, bias in params:
        assert weight.dtype == dtype and bias.dtype == dtype


def test_numpy_step_layout_is_pytorchs():
    params = init_params((6, 5, 3))
    assert [w.shape for w, _ in params] == [(5, 6), (3, 5)]
    assert [b.shape for _, b in params] == [(5,), (3,)]


def test_numpy_step_gradient_matches_finite_differences():
    """The yardstick's hand-written backward is the gradient of its loss (central differences)."""
    dtype = np.float64
    params = init_params((5, 6, 4, 3), dtype, seed=3)
    x, y = make_batch(5, 3, 7, dtype, seed=4)
    lr = 1.0
    updated = copy_params(params)
    loss = sgd_step(updated, x, y, lr)
    assert loss == pytest.approx(forward_loss(params, x, y), rel=1e-12)
    eps = 1e-6
    for layer, (weight, bias) in enumerate(params):
        for which, array in ((0, weight), (1, bias)):
            analytic = (array - updated[layer][which]) / lr
            numeric = np.zeros_like(array)
            for index in np.ndindex(array.shape):
                original = array[index]
                array[index] = original + eps
                plus = forward_loss(params, x, y)
                array[index] = original - eps
                minus = forward_loss(params, x, y)
                array[index] = original
                numeric[index] = (plus - minus) / (2 * eps)
            np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_numpy_step_is_stable_for_huge_logits():
    params = init_params((3, 2), np.float32)
    params[0][0][...] = 1e4  # logits ~ 1e4: exp would overflow without the max subtracted
    x, y = make_batch(3, 2, 4, np.float32)
    with np.errstate(all="raise"):
        loss = sgd_step(params, x, y, 0.1)
    assert np.isfinite(loss)


# ----------------------------------------------------------------------------- engines vs NumPy


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize(
    ("sizes", "batch"), CONFIGS, ids=lambda c: "-".join(map(str, c)) if isinstance(c, tuple) else str(c)
)
def test_minigrad_step_equals_numpy_step(sizes, batch, dtype):
    """One minigrad step (nn.Sequential, F.cross_entropy, optim.SGD) = the hand-written NumPy step."""
    result = engines.check_matches_numpy("minigrad", sizes, batch, dtype)
    assert result.ok
    assert result.loss_dtype == np.dtype(dtype).name  # no silent upcast of the loss


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize(("sizes", "batch"), [CONFIGS[1], CONFIGS[4]], ids=["5-7-3", "deep"])
def test_compiled_engine_times_replays_that_equal_the_numpy_step(sizes, batch, dtype):
    """The minigrad-compiled row is built traced and reset: the step the runner checks and times is a replay."""
    params = init_params(sizes, dtype, 0)
    x, y = make_batch(sizes[0], sizes[-1], batch, dtype, 1)
    compiled = engines.build("minigrad-compiled", params, x, y)
    assert [np.array_equal(w, p) and np.array_equal(b, q) for (w, b), (p, q) in zip(compiled.weights(), params)] == [
        True
    ] * len(params)  # back at the starting weights after the two tracing calls
    reference = engines.build_numpy(params, x, y)
    for _ in range(3):
        check = engines.compare("minigrad-compiled", reference.step(), [], compiled.step(), [], np.dtype(dtype))
        assert check.ok and check.loss_dtype == np.dtype(dtype).name
    check = engines.compare("c", 0.0, reference.weights(), 0.0, compiled.weights(), np.dtype(dtype))
    assert check.weight_rel_err <= check.rtol
    assert compiled.step.traces == 2 and compiled.step.eager_reason is None  # replayed, never traced again


def test_compiled_engine_that_falls_back_is_refused_and_fails_the_run(monkeypatch, capsys):
    """A step compile cannot trace would time eager mode under the compiled name: it is refused instead."""
    original = engines._minigrad

    def reads_the_loss(*args):
        stepper, linears = original(*args)
        inner = stepper.step

        def step():
            loss = inner()
            float(loss)  # Python reading a value inside the step: compile falls back to eager
            return loss

        return engines.Stepper("minigrad", step, stepper.weights, stepper.release), linears

    monkeypatch.setattr(engines, "_minigrad", reads_the_loss)
    params = init_params((4, 5, 3))
    x, y = make_batch(4, 3, 6)
    with pytest.raises(engines.EngineUnavailable, match="fell back to eager"):
        engines.build("minigrad-compiled", params, x, y)
    code = run.main(["--rounds", "2", "--engines", "numpy,minigrad-compiled", "--workloads", "a"] + NO_EXTRAS)
    assert code == 1
    assert "- minigrad-compiled: skipped (mg.compile fell back to eager mode" in capsys.readouterr().out


NO_EXTRAS = ["--dtypes", "float32", "--no-micro", "--no-memory"]


@pytest.mark.parametrize("name", engines.OPTIONAL)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_optional_engines_equal_numpy_step(name, dtype):
    """PyTorch, autograd and MyGrad confirm the yardstick independently (when installed)."""
    pytest.importorskip(name)
    engines.check_matches_numpy(name, (8, 16, 16, 4), 9, dtype)


def test_check_catches_a_wrong_step(monkeypatch):
    """The equality check is not vacuous: a step with a slightly wrong gradient fails it."""

    def wrong(params, x, y, lr=0.1):
        stepper = engines.build_numpy(params, x, y, lr)
        own = stepper.weights()

        def step():
            loss = engines.sgd_step(own, x, y, lr)
            own[0][0][0, 0] += 1e-3  # one wrong weight
            return loss

        return engines.Stepper("wrong", step, lambda: copy_params(own))

    monkeypatch.setitem(engines.BUILDERS, "wrong", wrong)
    with pytest.raises(AssertionError, match="differs from the NumPy step"):
        engines.check_matches_numpy("wrong", (4, 5, 3), 6, np.float32)


def test_absent_optional_engine_raises_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "mygrad", None)  # makes `import mygrad` fail as if absent
    params = init_params((4, 3))
    x, y = make_batch(4, 3, 2)
    with pytest.raises(engines.EngineUnavailable, match="not installed"):
        engines.build("mygrad", params, x, y)


# ----------------------------------------------------------------------------- the runner


def test_runner_reports_absent_engine_as_skipped(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "mygrad", None)
    code = run.main(
        ["--quick", "--rounds", "2", "--engines", "numpy,mygrad", "--workloads", "a", "--no-micro", "--no-memory"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "- mygrad: skipped (not installed)" in out
    assert "| a tiny 64-64-10, batch 32 | float32 | numpy |" in out
    assert "| mygrad |" not in out


def test_quick_runner_end_to_end(tmp_path):
    """`python -m benchmarks.run --quick` (what CI runs) prints the table with every expected row."""
    out_file = tmp_path / "results.md"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--quick", "--rounds", "2", "--out", str(out_file)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    expected_engines = ["numpy", "minigrad", "minigrad-compiled"] + [
        name for name in engines.OPTIONAL if _installed(name)
    ]
    for key in run.QUICK_WORKLOADS.split(","):
        title = run.WORKLOADS[key].title
        for name in expected_engines:
            assert f"| {title} | float32 | {name} |" in out, f"missing row {key}/{name}"
        assert f"| {title} | float64 |" not in out  # quick mode is float32 only
    assert "minigrad: matches the NumPy step" in out
    assert "minigrad-compiled: matches the NumPy step" in out
    assert "| minigrad-compiled | float32 |" in out  # its peak-memory row
    assert "held between steps MiB" in out  # the compiled step's buffers live between steps: shown apart
    for heading in (
        "**Machine**",
        "**Training step**",
        "**Per-op overhead**",
        "**Long chains**",
        "**Digits demo epoch**",
        "**Peak memory**",
    ):
        assert heading in out
    assert out_file.read_text(encoding="utf-8").strip() in out


def test_runner_script_form_and_bad_arguments():
    proc = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--workloads", "z"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "unknown workload" in proc.stderr


def test_update_readme_rewrites_only_the_results_section(tmp_path):
    readme = tmp_path / "README.md"
    before = "# Title\n\nintro\n\n## Latest results\n\n"
    readme.write_text(f"{before}{run.RESULTS_START}\nold\n{run.RESULTS_END}\n\n## After\n\nkept\n", encoding="utf-8")
    run.update_readme("| new | table |\n", readme)
    text = readme.read_text(encoding="utf-8")
    assert "old" not in text and "| new | table |" in text
    assert text.startswith("# Title\n\nintro\n") and text.endswith("## After\n\nkept\n")


def test_project_readme_has_results_markers():
    text = run.README.read_text(encoding="utf-8")
    assert run.RESULTS_START in text and run.RESULTS_END in text


def _installed(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
