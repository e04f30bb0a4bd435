"""Peak working memory of one training step on workload c, each engine in a fresh interpreter.

``python -m benchmarks.memory`` runs it alone; ``benchmarks.run`` includes it unless
``--no-memory``. The parent starts ``sys.executable -m benchmarks.memory --child ENGINE …`` per
engine and dtype (a new interpreter, not a fork: a forked child would inherit the parent's
peak RSS). The child:

1. imports NumPy and the engine's package, creates the weights and the batch, records its RSS,
   then builds the model and optimizer and runs two warm-up steps (BLAS buffers, lazily created
   state; ``minigrad-compiled`` traces here and allocates its replay buffers);
2. drops the gradients the engine keeps between steps (``zero_grad(set_to_none=True)``), so
   that every engine starts from weights + optimizer state, as the NumPy step does, then
   records its RSS (the baseline);
3. resets the kernel's peak-RSS counter (``/proc/self/clear_refs`` ← 5) and runs one step;
   the peak working memory is then ``VmHWM − baseline`` (peak RSS during the step minus RSS
   before it). Where the counter cannot be reset, the baseline is taken before the warm-up
   and the peak is ``ru_maxrss``; the report names the method used;
4. also measures the same step under ``tracemalloc`` (NumPy reports its buffers to it): the
   peak of the bytes allocated during the step, independent of the C allocator.

What an engine keeps *between* steps is not in the peak working memory: the weights, the optimizer
state and, for ``minigrad-compiled``, the buffers its replay allocates once and reuses. The "held"
column shows it: the RSS after the warm-up minus the RSS just before the engine was built, while
the arrays it is built from were alive (each engine copies the weights, then those arrays are
dropped). An engine that keeps only weights and plain-SGD state holds about nothing more;
``minigrad-compiled`` holds its buffers.

glibc's malloc would keep freed arrays in its heap after the warm-up (its mmap threshold grows
dynamically), so RSS would no longer follow the live arrays; the child therefore runs with
``MALLOC_MMAP_THRESHOLD_=65536``, which fixes the threshold: every array above 64 KiB gets its
own pages and returns them when freed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from benchmarks.common import DTYPES, LR, REPO_ROOT, WORKLOADS  # noqa: E402
from minigrad._table import markdown_table  # noqa: E402

MIB = 1024 * 1024
ENGINES = ("numpy", "minigrad", "minigrad-compiled", "torch")
UNTRACED = ("torch",)
"""Engines whose buffers tracemalloc cannot see (PyTorch allocates in C++ without reporting)."""


def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


def child(engine: str, dtype: str, workload: str) -> dict:
    """Measure in this (fresh) process; returns bytes: baseline RSS, peak working RSS, traced peak."""
    from benchmarks import engines as eng
    from benchmarks.numpy_step import init_params, make_batch

    wl = WORKLOADS[workload]
    np_dtype = DTYPES[dtype]
    can_reset = _reset_peak() and _status_kib("VmHWM") is not None
    params = init_params(wl.sizes, np_dtype, 0)
    x, y = make_batch(wl.sizes[0], wl.sizes[-1], wl.batch, np_dtype, 1)
    package = {"minigrad": "minigrad", "minigrad-compiled": "minigrad", "torch": "torch"}.get(engine)
    if package is not None:
        try:  # imported before the "held" measurement starts; build() reports it when missing
            __import__(package)
        except ImportError:
            pass
    gc.collect()
    before_build_kib = _status_kib("VmRSS") or 0
    stepper = eng.build(engine, params, x, y, LR)
    del params  # the engine holds its own copy
    gc.collect()
    if not can_reset:
        before_warmup = _status_kib("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(2):
        stepper.step()
    stepper.release()
    gc.collect()
    held_kib = max((_status_kib("VmRSS") or 0) - before_build_kib, 0)
    if can_reset:
        baseline_kib = _status_kib("VmRSS") or 0
        _reset_peak()
        stepper.step()
        peak_kib = _status_kib("VmHWM") or 0
        method = "VmHWM after clear_refs"
    else:
        baseline_kib = before_warmup
        stepper.step()
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        method = "ru_maxrss (peak counter could not be reset)"

    stepper.release()
    gc.collect()
    tracemalloc.start()
    stepper.step()
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "engine": engine,
        "dtype": dtype,
        "baseline": baseline_kib * 1024,
        "held": held_kib * 1024 if before_build_kib else None,
        "working": max(peak_kib - baseline_kib, 0) * 1024,
        "traced": traced_peak,
        "method": method,
    }


def measure(engine: str, dtype: str, workload: str = "c") -> dict:
    """Run :func:`child` in a new interpreter; returns its result, or ``{"error": …}``."""
    env = dict(os.environ)
    env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "benchmarks.memory", "--child", engine, "--dtype", dtype, "--workload", workload]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        last = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return {"engine": engine, "dtype": dtype, "error": last}
    return json.loads(lines[-1])


def run(dtypes: Sequence[str] = ("float32", "float64"), engines: Sequence[str] = ENGINES, workload: str = "c") -> str:
    """Measure each engine (NumPy always, as the yardstick) and format a markdown section."""
    names = [e for e in ENGINES if e == "numpy" or e in engines]
    results = [measure(name, dtype, workload) for dtype in dtypes for name in names]
    rows, notes, methods = [], [], set()
    for dtype in dtypes:
        base = next((r for r in results if r["dtype"] == dtype and r["engine"] == "numpy" and "error" not in r), None)
        for r in (r for r in results if r["dtype"] == dtype):
            if "error" in r:
                reason = "not installed" if "not installed" in r["error"] else r["error"]
                notes.append(f"- {r['engine']} ({dtype}): skipped ({reason})")
                continue
            methods.add(r["method"])
            ratio = f"{r['working'] / base['working']:.2f}×" if base and base["working"] else "–"
            if r["engine"] in UNTRACED:
                traced_mib, traced = "n/a", "–"
            else:
                traced_mib = f"{r['traced'] / MIB:.1f}"
                traced = f"{r['traced'] / base['traced']:.2f}×" if base and base["traced"] else "–"
            rows.append(
                [
                    r["engine"],
                    dtype,
                    f"{r['working'] / MIB:.1f}",
                    ratio,
                    traced_mib,
                    traced,
                    f"{r['baseline'] / MIB:.0f}",
                    "–" if r.get("held") is None else f"{r['held'] / MIB:.1f}",
                ]
            )
    table = markdown_table(
        [
            "engine",
            "dtype",
            "peak working MiB (RSS)",
            "× NumPy",
            "traced peak MiB",
            "× NumPy",
            "baseline RSS MiB",
            "held between steps MiB",
        ],
        rows,
        "llrrrrrr",
        spaced_rule=True,
    )
    wl = WORKLOADS[workload]
    return "\n".join(
        [
            f"**Peak memory**, workload {wl.title}: one step after warm-up, each engine in a fresh "
            "interpreter; peak working memory = peak RSS during the step − RSS before it (weights, data, "
            "optimizer state and imports excluded); traced = peak bytes allocated during the step "
            "(tracemalloc); held = what the engine keeps between steps beyond its copy of the weights "
            "(RSS after warm-up − RSS before it was built; minigrad-compiled's replay buffers are here, "
            f"not in the working memory). Method: {', '.join(sorted(methods)) or '–'}.",
            "",
            table,
            *([""] + notes if notes else []),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory", description=__doc__.split("\n")[0])
    parser.add_argument("--child", metavar="ENGINE", help=argparse.SUPPRESS)
    parser.add_argument("--dtype", default=None, choices=list(DTYPES))
    parser.add_argument("--workload", default="c", choices=list(WORKLOADS))
    args = parser.parse_args(argv)
    if args.child:
        from benchmarks.engines import EngineUnavailable

        try:
            result = child(args.child, args.dtype or "float32", args.workload)
        except EngineUnavailable as exc:
            print(f"{args.child}: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(result))
        return 0
    dtypes = [args.dtype] if args.dtype else list(DTYPES)
    print(run(dtypes, workload=args.workload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
