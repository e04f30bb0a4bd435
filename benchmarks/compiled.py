"""``mg.compile`` against eager minigrad and the hand-written NumPy step, on the runner's workloads.

    python -m benchmarks.compiled                         # workloads a,d; float32 and float64; wall clock
    python -m benchmarks.compiled --workloads a,b,c,d --rounds 9
    python -m benchmarks.compiled --instructions          # also callgrind instructions per step (float32)

Wall clock: the three engines run round-robin (``--rounds`` rounds of ``--steps`` steps each, after a
warm-up that includes the compiled step's two tracing calls), and the report gives each engine's
median time per step as a multiple of the NumPy step's. All three start from the same weights and
batch; the compiled and the eager minigrad step are checked to give bit-for-bit the same weights
before timing. Instructions (``--instructions``, needs valgrind) are counted as in
``benchmarks.instructions``: (count(N+K) − count(N)) / K in fresh interpreters, so set-up cancels out.
"""

from __future__ import annotations

import argparse
import shutil
import time

import numpy as np

from benchmarks.common import WORKLOADS
from benchmarks.engines import build_minigrad, build_numpy
from benchmarks.instructions import count
from benchmarks.numpy_step import init_params, make_batch
from minigrad._table import markdown_row, markdown_table

_CHILD = """
import sys
import numpy as np
import minigrad as mg
from benchmarks.common import WORKLOADS
from benchmarks.engines import build_minigrad, build_numpy
from benchmarks.numpy_step import init_params, make_batch
engine, key, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
wl = WORKLOADS[key]
params = init_params(wl.sizes, np.float32, 0)
x, y = make_batch(wl.sizes[0], wl.sizes[-1], wl.batch, np.float32, 1)
stepper = (build_numpy if engine == "numpy" else build_minigrad)(params, x, y)
step = mg.compile(stepper.step) if engine == "compiled" else stepper.step
for _ in range(3):  # the compiled step's two tracing calls happen here, in both counts
    step()
for _ in range(steps):
    step()
"""


def build(key: str, dtype: type) -> dict:
    """The three steps of workload ``key``, from the same weights and batch."""
    import minigrad as mg

    wl = WORKLOADS[key]
    params = init_params(wl.sizes, dtype, 0)
    x, y = make_batch(wl.sizes[0], wl.sizes[-1], wl.batch, dtype, 1)
    eager, compiled = build_minigrad(params, x, y), build_minigrad(params, x, y)
    step = mg.compile(compiled.step)
    for _ in range(5):
        eager.step(), step()
    for (we, be), (wc, bc) in zip(eager.weights(), compiled.weights()):
        if not (np.array_equal(we, wc) and np.array_equal(be, bc)):
            raise RuntimeError(f"workload {key} {dtype.__name__}: compiled weights differ from eager's")
    if step.eager_reason is not None:
        raise RuntimeError(f"workload {key}: compile fell back to eager: {step.eager_reason}")
    return {"numpy": build_numpy(params, x, y).step, "eager": eager.step, "compiled": step}


def time_round_robin(steps: dict, rounds: int, per_round: int) -> dict[str, float]:
    """Median seconds per step of each engine, timed in turns so load changes hit all alike."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.perf_counter()
            for _ in range(per_round):
                step()
            times[name].append((time.perf_counter() - start) / per_round)
    return {name: float(np.median(t)) for name, t in times.items()}


def instructions(engine: str, key: str, steps: int) -> int:
    return count(engine, key, steps, child=_CHILD)


def per_step(engine: str, key: str, base: int = 10, extra: int = 40) -> float:
    return (instructions(engine, key, base + extra) - instructions(engine, key, base)) / extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="a,d")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=100, help="steps per engine per round")
    parser.add_argument("--instructions", action="store_true", help="also count instructions (valgrind)")
    args = parser.parse_args(argv)
    header = ["workload", "dtype", "numpy", "eager minigrad", "compiled minigrad", "compiled / eager"]
    print(markdown_table(header, align="llrrrr"))  # the rows follow as they are measured
    for key in args.workloads.split(","):
        for dtype_name in args.dtypes.split(","):
            med = time_round_robin(build(key, getattr(np, dtype_name)), args.rounds, args.steps)
            n = med["numpy"]
            row = [WORKLOADS[key].title, dtype_name, f"{n * 1e6:.0f} µs (1.00×)", f"{med['eager'] / n:.2f}×"]
            print(markdown_row([*row, f"{med['compiled'] / n:.2f}×", f"{med['compiled'] / med['eager']:.2f}"]))
    if args.instructions:
        if shutil.which("valgrind") is None:
            print("valgrind is not installed (apt-get install valgrind)")
            return 1
        print()
        print(markdown_table(["workload (float32)", "numpy instr/step", "eager", "compiled", "compiled / eager"]))
        for key in args.workloads.split(","):
            counts = {e: per_step(e, key) for e in ("numpy", "eager", "compiled")}
            n = counts["numpy"]
            eager, compiled = counts["eager"], counts["compiled"]
            row = [WORKLOADS[key].title, f"{n:,.0f}", f"{eager:,.0f} ({eager / n:.2f}×)"]
            print(markdown_row([*row, f"{compiled:,.0f} ({compiled / n:.2f}×)", f"{compiled / eager:.2f}"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
