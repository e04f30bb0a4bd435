"""Instructions per training step under valgrind's callgrind: a timing-free yardstick.

Wall-clock ratios swing with whatever else a shared machine is doing; instruction
counts do not (the same code, inputs and interpreter give the same count). This
runs N and N+K steps of one engine in fresh interpreters under callgrind and
reports (count(N+K) − count(N)) / K, so imports and set-up cancel out.

The children run with PYTHONHASHSEED=0 (and one BLAS thread): with random string
hashing, dict and set layouts change from run to run and workload a's count swung
±2–3%; with the seed fixed, repeat runs agree within about 1%. Set PYTHONHASHSEED
yourself to sample other layouts.

    python -m benchmarks.instructions --workloads a,d        # minigrad and numpy, float32

Instructions are not time (BLAS kernels retire more instructions per cycle than the
interpreter), so use this to compare versions of minigrad, and the runner for ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

from benchmarks.common import WORKLOADS
from minigrad._table import markdown_row, markdown_table

_CHILD = """
import sys
import numpy as np
from benchmarks.common import WORKLOADS
from benchmarks.engines import build_minigrad, build_numpy
from benchmarks.numpy_step import init_params, make_batch
engine, key, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
wl = WORKLOADS[key]
params = init_params(wl.sizes, np.float32, 0)
x, y = make_batch(wl.sizes[0], wl.sizes[-1], wl.batch, np.float32, 1)
stepper = (build_minigrad if engine == "minigrad" else build_numpy)(params, x, y)
for _ in range(steps):
    stepper.step()
"""


def count(engine: str, workload: str, steps: int, child: str = _CHILD) -> int:
    """Instructions callgrind counts for ``child`` (a script taking engine, workload, steps) run once."""
    out = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            child,
            engine,
            workload,
            str(steps),
        ],
        capture_output=True,
        text=True,
        check=True,
        # one BLAS thread: idle OpenBLAS workers spin, adding instructions that vary run to run;
        # a fixed hash seed: string hashing decides dict/set layouts, which moved a's count by ±2–3%
        env={
            "PYTHONHASHSEED": "0",
            **os.environ,
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        },
    )
    match = re.search(r"Collected : (\d+)", out.stderr)
    if match is None:
        raise RuntimeError(f"callgrind printed no count:\n{out.stderr[-2000:]}")
    return int(match.group(1))


def per_step(engine: str, workload: str, base: int = 10, extra: int = 50) -> float:
    return (count(engine, workload, base + extra) - count(engine, workload, base)) / extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="a,d")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (apt-get install valgrind)")
        return 1
    print(markdown_table(["workload", "numpy instr/step", "minigrad instr/step", "ratio"]))
    for key in args.workloads.split(","):
        n, m = per_step("numpy", key), per_step("minigrad", key)
        print(markdown_row([WORKLOADS[key].title, f"{n:,.0f}", f"{m:,.0f}", f"{m / n:.2f}×"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
