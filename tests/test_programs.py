"""PyTorch programs run unchanged on minigrad: the programs in ``tests/programs/`` are ordinary PyTorch
scripts (``import torch``, ``import torch.nn as nn``, ...). Each one is run in a subprocess through
``tests/programs/run_on_minigrad.py``, an import hook that makes ``torch.*`` resolve to ``minigrad.*`` --
only the imports are swapped -- and what it prints is compared line by line with what the same program
prints under PyTorch: live when torch is importable, else the output recorded under PyTorch in
``tests/programs/expected/<program>.txt``. Text must match exactly; numbers must agree within a float
tolerance (relative ``RTOL`` plus one unit in the last printed digit; printed integers exactly).

Re-record the expected outputs after editing a program (needs torch):
``python tests/test_programs.py --record [NAME ...]``.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS_DIR = ROOT / "tests" / "programs"
EXPECTED_DIR = PROGRAMS_DIR / "expected"
RUNNER = PROGRAMS_DIR / "run_on_minigrad.py"
PROGRAMS = sorted(PROGRAMS_DIR.glob("[0-9][0-9]_*.py"))
TIMEOUT = 300  # seconds for one run; each program takes about a second on minigrad

RTOL = 1e-4  # relative tolerance between minigrad's and PyTorch's printed numbers
ATOL = 1e-6  # absolute tolerance, on top of one unit in the last printed digit
TOLERANCES: dict[str, tuple[float, float]] = {}  # per program (rtol, atol), where float32 drift needs more


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


@functools.cache
def run_program(name: str, engine: str) -> Run:
    """Run ``tests/programs/<name>.py`` under ``engine`` ('minigrad' or 'torch'); results cached per session."""
    program = PROGRAMS_DIR / f"{name}.py"
    if engine == "minigrad":
        cmd = [sys.executable, str(RUNNER), str(program)]
    elif engine == "torch":
        cmd = [sys.executable, str(program)]
    else:
        raise ValueError(f"run_program: engine must be 'minigrad' or 'torch', got {engine!r}")
    try:
        proc = subprocess.run(cmd, cwd=PROGRAMS_DIR, env=_env(), capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        return Run(-1, e.stdout or "", f"timed out after {TIMEOUT} s")
    return Run(proc.returncode, proc.stdout, proc.stderr)


# --- comparing printed output ------------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?(?:(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|(?<![A-Za-z])(?:inf|nan)(?![A-Za-z]))")


def split_line(line: str) -> tuple[list[str], list[str]]:
    """The text between numbers and the numbers of one printed line: ``len(text) == len(numbers) + 1``."""
    return _NUMBER.split(line), _NUMBER.findall(line)


def _last_digit(token: str) -> float:
    """One unit in the last printed digit of a number token; 0 for integers, which must match exactly."""
    mantissa, _, exponent = token.lower().partition("e")
    if "." not in mantissa and not exponent:
        return 0.0
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def numbers_agree(got: str, want: str, rtol: float = RTOL, atol: float = ATOL) -> bool:
    a, b = float(got), float(want)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    if _last_digit(got) == 0.0 and _last_digit(want) == 0.0:
        return a == b
    slack = max(_last_digit(got), _last_digit(want))
    return abs(a - b) <= atol + slack + rtol * max(abs(a), abs(b))


def compare_outputs(got: str, want: str, rtol: float = RTOL, atol: float = ATOL) -> list[str]:
    """Every difference between two printed outputs, as readable messages (empty when they agree)."""
    got_lines, want_lines = got.rstrip("\n").split("\n"), want.rstrip("\n").split("\n")
    problems = []
    for i, (g, w) in enumerate(zip(got_lines, want_lines), start=1):
        g_text, g_nums = split_line(g.rstrip())
        w_text, w_nums = split_line(w.rstrip())
        if g_text != w_text:
            problems.append(f"line {i}: text differs\n  minigrad: {g}\n  pytorch:  {w}")
        elif not all(numbers_agree(x, y, rtol, atol) for x, y in zip(g_nums, w_nums)):
            bad = [f"{x} vs {y}" for x, y in zip(g_nums, w_nums) if not numbers_agree(x, y, rtol, atol)]
            problems.append(f"line {i}: numbers differ ({', '.join(bad)})\n  minigrad: {g}\n  pytorch:  {w}")
    if len(got_lines) != len(want_lines):
        problems.append(f"minigrad printed {len(got_lines)} lines, pytorch {len(want_lines)}")
    return problems


def _describe_failure(run: Run, engine: str) -> str:
    tail = "\n".join(run.stderr.strip().splitlines()[-12:])
    return f"the program failed under {engine} (exit code {run.returncode}):\n{tail}"


# --- the tests --------------------------------------------------------------------------------------------


def test_there_are_programs_with_recorded_outputs():
    assert len(PROGRAMS) >= 12, f"expected a dozen programs in {PROGRAMS_DIR}, found {len(PROGRAMS)}"
    recorded = {p.stem for p in EXPECTED_DIR.glob("*.txt")}
    names = {p.stem for p in PROGRAMS}
    assert names <= recorded, f"programs without recorded output: {sorted(names - recorded)}"
    assert recorded <= names, f"recorded outputs without a program: {sorted(recorded - names)}"


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_program_is_plain_pytorch(program):
    source = program.read_text(encoding="utf-8")
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert "import torch" in imports, f"{program.name} does not start from `import torch`: {imports}"
    assert "minigrad" not in source, f"{program.name} mentions minigrad; it must be a PyTorch program"


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_program_runs_on_minigrad_and_prints_what_pytorch_prints(program):
    name = program.stem
    got = run_program(name, "minigrad")
    if got.returncode != 0:
        pytest.fail(_describe_failure(got, "minigrad (torch imports swapped for minigrad)"))
    if torch_available():
        want = run_program(name, "torch")
        assert want.returncode == 0, _describe_failure(want, "pytorch")
        reference = want.stdout
    else:
        reference = (EXPECTED_DIR / f"{name}.txt").read_text(encoding="utf-8")
    problems = compare_outputs(got.stdout, reference, *TOLERANCES.get(name, (RTOL, ATOL)))
    assert not problems, f"{name}: {len(problems)} difference(s) with PyTorch:\n" + "\n".join(problems[:10])


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
def test_recorded_output_is_what_pytorch_prints_now(program):
    """The expected files are what the current programs print under PyTorch (re-record after editing)."""
    pytest.importorskip("torch")
    want = run_program(program.stem, "torch")
    assert want.returncode == 0, _describe_failure(want, "pytorch")
    recorded = (EXPECTED_DIR / f"{program.stem}.txt").read_text(encoding="utf-8")
    problems = compare_outputs(want.stdout, recorded)
    assert not problems, (
        f"{program.stem}: the recorded output is stale; re-record it with "
        f"`python tests/test_programs.py --record {program.stem}`:\n" + "\n".join(problems[:5])
    )


# --- the comparison itself ----------------------------------------------------------------------------------


def test_split_line_separates_text_and_numbers():
    assert split_line("step 20: loss 2.4681, W1 (30, 64) 1e-05 -0.5") == (
        ["step ", ": loss ", ", W", " (", ", ", ") ", " ", ""],
        ["20", "2.4681", "1", "30", "64", "1e-05", "-0.5"],
    )
    assert split_line("nancy and info: nan inf") == (["nancy and info: ", " ", ""], ["nan", "inf"])


def test_compare_outputs_accepts_float_noise_and_rejects_real_differences():
    assert compare_outputs("loss 2.4681\n", "loss 2.4682\n") == []  # one unit in the last digit
    assert compare_outputs("x 4.656612873077393e-10", "x 0.0") == []  # absolute tolerance
    assert compare_outputs("w -0.0000 +0.0000", "w 0.0000 -0.0000") == []
    assert compare_outputs("nan", "nan") == []
    assert compare_outputs("loss 2.4681", "loss 2.4700") != []
    assert compare_outputs("count 1762", "count 1763") != []  # integers exactly
    assert compare_outputs("tensor([0.5, 1. ])", "tensor([0.5000, 1.0000])") != []  # text exactly
    assert compare_outputs("ok: True", "ok: False") != []
    assert compare_outputs("a\nb", "a") != []
    assert compare_outputs("inf", "1e308") != []


def test_the_runner_makes_torch_resolve_to_minigrad(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text(
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom torch import optim\n"
        "import torch.autograd\nimport sys\n"
        "print(torch.__name__, nn.__name__, F.__name__, optim.__name__, torch.autograd.__name__)\n"
        "print(sys.modules['torch.nn.functional'] is F, F.__spec__.name, sys.argv[1:], __name__)\n"
    )
    proc = subprocess.run(
        [sys.executable, str(RUNNER), str(script), "arg"], env=_env(), capture_output=True, text=True, timeout=TIMEOUT
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "minigrad minigrad.nn minigrad.nn.functional minigrad.optim minigrad.autograd",
        "True minigrad.nn.functional ['arg'] __main__",
    ]


def _record(names: list[str]) -> None:
    if not torch_available():
        raise SystemExit("recording needs PyTorch")
    EXPECTED_DIR.mkdir(exist_ok=True)
    for program in PROGRAMS:
        if names and program.stem not in names:
            continue
        result = run_program(program.stem, "torch")
        if result.returncode != 0:
            raise SystemExit(_describe_failure(result, f"pytorch ({program.name})"))
        (EXPECTED_DIR / f"{program.stem}.txt").write_text(result.stdout, encoding="utf-8")
        print(f"recorded {program.stem}: {len(result.stdout.splitlines())} lines")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--record"]:
        _record(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
