"""The benchmark runner: ``python -m benchmarks.run [--quick] [--workloads a,b] [--dtypes float32] …``.

Times one MLP training step per engine on workloads a–d in float32 and float64, interleaving
the engines round-robin after a warm-up, and prints a markdown report: the machine, a table of
median and min–max ms per step with each engine's ratio to the hand-written NumPy step, a
summary against minigrad's targets, the microbenchmarks and peak memory.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` and the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def _threads_from_argv(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return None


# BLAS libraries read their thread count once, when loaded: set it before NumPy is imported
if __name__ == "__main__" and "numpy" not in sys.modules:
    _threads = _threads_from_argv(sys.argv[1:])
    if _threads and _threads.isdigit():
        os.environ.update(dict.fromkeys(THREAD_VARS, _threads))

import numpy as np  # noqa: E402

from benchmarks import engines as eng  # noqa: E402
from benchmarks.common import (  # noqa: E402
    DTYPES,
    LR,
    REPO_ROOT,
    WORKLOADS,
    Workload,
    blas_threads,
    machine_lines,
)
from benchmarks.numpy_step import init_params, make_batch  # noqa: E402
from minigrad._table import format_fixed, markdown_table  # noqa: E402

TARGETS = {"a": 2.0, "b": 1.10, "c": 1.05, "d": 2.0}
"""minigrad's target ratio to the NumPy step per workload, both dtypes (issue 7)."""

README = REPO_ROOT / "benchmarks" / "README.md"
RESULTS_START = "<!-- results:start -->"
RESULTS_END = "<!-- results:end -->"

QUICK_WORKLOADS = "a,d"
QUICK_DTYPES = "float32"


@dataclass
class Settings:
    """How long to measure: warm-up steps per engine, then rounds (fixed, or from a time budget)."""

    warmup: int = 5
    rounds: int | None = None
    budget_s: float = 4.0
    min_rounds: int = 15
    max_rounds: int = 2000


@dataclass
class WorkloadResult:
    """Per-step times (seconds) of each engine on one workload and dtype."""

    workload: Workload
    dtype: str
    times: dict[str, list[float]] = field(default_factory=dict)
    checks: dict[str, eng.CheckResult] = field(default_factory=dict)


def time_workload(
    workload: Workload, dtype: str, steppers_names: list[str], settings: Settings, seed: int = 0
) -> tuple[WorkloadResult, dict[str, str]]:
    """Time ``steppers_names`` on one workload; returns the result and the engines that were skipped.

    All engines are built from the same weights and batch. The first warm-up step of each
    starts from those identical weights, so after it every engine's loss and weights are
    compared with the NumPy step's (the equality check, on the very objects timed). Then the
    engines take turns, one step each per round, the starting engine rotating every round so
    that none always runs right after the same other one.
    """
    np_dtype = DTYPES[dtype]
    params = init_params(workload.sizes, np_dtype, seed)
    x, y = make_batch(workload.sizes[0], workload.sizes[-1], workload.batch, np_dtype, seed + 1)
    steppers: list[eng.Stepper] = []
    skipped: dict[str, str] = {}
    for name in steppers_names:
        try:
            steppers.append(eng.build(name, params, x, y, LR))
        except eng.EngineUnavailable as exc:
            skipped[name] = str(exc)
    result = WorkloadResult(workload, dtype, {s.name: [] for s in steppers})
    if not steppers:
        return result, skipped

    # first step from identical weights: check every engine against the NumPy step
    first = {s.name: s.step() for s in steppers}
    reference = next((s for s in steppers if s.name == "numpy"), None)
    if reference is not None:
        ref_weights = reference.weights()
        for s in steppers:
            if s.name == "numpy":
                continue
            try:
                result.checks[s.name] = eng.compare(
                    s.name, first["numpy"], ref_weights, first[s.name], s.weights(), np.dtype(np_dtype)
                )
            except AssertionError as exc:  # wrong dtype or shape of the weights
                _progress(str(exc))
                result.checks[s.name] = eng.CheckResult(s.name, math.inf, math.inf, 0.0, f"? ({exc})")
    del first

    gc.collect()
    round_time = 0.0
    for _ in range(max(settings.warmup - 1, 1)):
        start = time.perf_counter()
        for s in steppers:
            s.step()
        round_time = time.perf_counter() - start
    rounds = settings.rounds
    if rounds is None:
        wanted = math.ceil(settings.budget_s / max(round_time, 1e-9))
        rounds = min(max(wanted, settings.min_rounds), settings.max_rounds)

    clock = time.perf_counter
    for r in range(rounds):
        shift = r % len(steppers)
        for s in steppers[shift:] + steppers[:shift]:
            start = clock()
            s.step()
            result.times[s.name].append(clock() - start)
    return result, skipped


def ms(values: list[float]) -> tuple[float, float, float]:
    """Median, min and max in milliseconds."""
    array = np.asarray(values) * 1e3
    return float(np.median(array)), float(array.min()), float(array.max())


def step_table(results: list[WorkloadResult]) -> str:
    """One row per workload, dtype and engine: median, min–max, ratio to NumPy's median."""
    rows = []
    for res in results:
        base = ms(res.times["numpy"])[0] if res.times.get("numpy") else None
        for name, values in res.times.items():
            median, low, high = ms(values)
            ratio = f"{median / base:.2f}×" if base else "–"
            check = res.checks.get(name)
            if check is not None and not check.ok:
                ratio += " (MISMATCH)"
            rows.append(
                [
                    res.workload.title,
                    res.dtype,
                    name,
                    format_fixed(median),
                    f"{format_fixed(low)}–{format_fixed(high)}",
                    ratio,
                    str(len(values)),
                ]
            )
    header = ["workload", "dtype", "engine", "median ms", "min–max ms", "× NumPy", "steps"]
    return markdown_table(header, rows, "lllrrrr", spaced_rule=True)


def summary_table(results: list[WorkloadResult], names: list[str]) -> str:
    """Ratios to NumPy's median, one row per workload and dtype, with minigrad's target (and, when both
    ran, the compiled step's median as a fraction of eager minigrad's)."""
    ran = {name for res in results for name, values in res.times.items() if values}
    others = [n for n in names if n != "numpy" and n in ran]
    both = {"minigrad", "minigrad-compiled"} <= ran
    rows = []
    for res in results:
        base = ms(res.times["numpy"])[0] if res.times.get("numpy") else None
        row = [f"{res.workload.key} {res.workload.label}", res.dtype]
        for name in others:
            values = res.times.get(name)
            row.append(f"{ms(values)[0] / base:.2f}×" if values and base else "–")
        if both:
            eager, compiled = res.times.get("minigrad"), res.times.get("minigrad-compiled")
            row.append(f"{ms(compiled)[0] / ms(eager)[0]:.2f}" if eager and compiled else "–")
        target = TARGETS.get(res.workload.key)
        row.append(f"≤ {target:.2f}×" if target else "–")
        values = res.times.get("minigrad")
        if values and base and target:
            row.append("yes" if ms(values)[0] / base <= target else "**no**")
        else:
            row.append("–")
        rows.append(row)
    header = ["workload", "dtype", *others, *(["compiled ÷ eager"] if both else []), "minigrad target", "met"]
    return markdown_table(header, rows, "ll" + "r" * (len(header) - 2), spaced_rule=True)


def check_lines(results: list[WorkloadResult]) -> list[str]:
    """One line per engine: the largest errors of its first step against the NumPy step."""
    lines = []
    by_engine: dict[str, list[tuple[WorkloadResult, eng.CheckResult]]] = {}
    for res in results:
        for name, check in res.checks.items():
            by_engine.setdefault(name, []).append((res, check))
    for name, items in by_engine.items():
        bad = [f"{r.workload.key}/{r.dtype}" for r, c in items if not c.ok]
        worst = {
            dt: max((max(c.loss_rel_err, c.weight_rel_err) for r, c in items if r.dtype == dt), default=None)
            for dt in DTYPES
        }
        errs = ", ".join(f"{dt} ≤ {v:.1e}" for dt, v in worst.items() if v is not None)
        upcast = sorted({f"{r.dtype}→{c.loss_dtype}" for r, c in items if c.loss_dtype != r.dtype})
        status = "MISMATCH on " + ", ".join(bad) if bad else "matches"
        note = f"; loss returned as {', '.join(upcast)}" if upcast else ""
        lines.append(f"- {name}: {status} the NumPy step after one step (rel. err. {errs}){note}")
    return lines


def update_readme(report: str, path: Path = README) -> None:
    """Replace the text between the results markers of ``path`` with ``report``."""
    text = path.read_text(encoding="utf-8")
    if RESULTS_START not in text or RESULTS_END not in text:
        raise SystemExit(f"{path} has no {RESULTS_START} … {RESULTS_END} section to update")
    pattern = re.compile(re.escape(RESULTS_START) + ".*?" + re.escape(RESULTS_END), re.DOTALL)
    replacement = f"{RESULTS_START}\n{report.strip()}\n{RESULTS_END}"
    path.write_text(pattern.sub(lambda _: replacement, text, count=1), encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"a short run for CI: workloads {QUICK_WORKLOADS}, {QUICK_DTYPES}, few rounds, small microbenchmarks",
    )
    parser.add_argument("--workloads", help="comma-separated subset of a,b,c,d (default all)")
    parser.add_argument("--dtypes", help="comma-separated subset of float32,float64 (default both)")
    parser.add_argument("--engines", help=f"comma-separated subset of {','.join(eng.ENGINES)} (default all)")
    parser.add_argument("--rounds", type=int, help="timed rounds per workload (default: as many as fit in --seconds)")
    parser.add_argument("--warmup", type=int, help="warm-up steps per engine (default 5, quick 2)")
    parser.add_argument(
        "--seconds",
        type=float,
        help="time budget per workload and dtype when --rounds is not given (default 4, quick 0.3)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="BLAS threads for NumPy, and the same for PyTorch (default: the BLAS default, one per core)",
    )
    parser.add_argument("--no-micro", action="store_true", help="skip the microbenchmarks")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory measurement")
    parser.add_argument("--out", type=Path, help="also write the markdown report to this file")
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help="rewrite the 'Latest results' section of benchmarks/README.md with the report",
    )
    args = parser.parse_args(argv)
    args.workloads = _choices(
        args.workloads or (QUICK_WORKLOADS if args.quick else ",".join(WORKLOADS)), list(WORKLOADS), "workload", parser
    )
    args.dtypes = _choices(
        args.dtypes or (QUICK_DTYPES if args.quick else ",".join(DTYPES)), list(DTYPES), "dtype", parser
    )
    args.engines = _choices(args.engines or ",".join(eng.ENGINES), list(eng.ENGINES), "engine", parser)
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    if args.rounds is not None and args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def _choices(text: str, allowed: list[str], what: str, parser: argparse.ArgumentParser) -> list[str]:
    chosen = [item.strip() for item in text.split(",") if item.strip()]
    unknown = [item for item in chosen if item not in allowed]
    if unknown or not chosen:
        given = ", ".join(unknown) or "(none given)"
        parser.error(f"unknown {what}(s) {given}; choose from {','.join(allowed)}")
    return [item for item in allowed if item in chosen]  # canonical order


def _limit_threads(n: int) -> None:
    """Make NumPy's BLAS use ``n`` threads (PyTorch follows ``blas_threads()``, so it gets ``n`` too)."""
    os.environ.update(dict.fromkeys(THREAD_VARS, str(n)))
    if blas_threads() == n:
        return  # set from the command line before NumPy was loaded
    try:  # NumPy is already loaded (main() called in-process): ask the BLAS at run time
        from threadpoolctl import threadpool_limits

        threadpool_limits(n, user_api="blas")
    except ImportError:
        _progress(
            f"warning: NumPy's BLAS is already loaded and threadpoolctl is not installed; "
            f"it keeps {blas_threads()} thread(s)"
        )


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the suite, print the report; returns 1 when an engine disagrees with the NumPy step
    or minigrad (eager or compiled) was asked for and could not be built, else 0."""
    args = parse_args(argv)
    settings = Settings()
    if args.quick:
        settings = Settings(warmup=2, budget_s=0.3, min_rounds=5, max_rounds=100)
    if args.warmup is not None:
        settings.warmup = max(args.warmup, 1)
    if args.seconds is not None:
        settings.budget_s = args.seconds
    settings.rounds = args.rounds

    if args.threads is not None:
        _limit_threads(args.threads)

    command = "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv)
    sections: list[str] = []

    def emit(text: str) -> None:
        sections.append(text)
        print(text + "\n", flush=True)

    emit(
        "\n".join(
            [
                f"Produced by `{command.strip()}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC.",
                "",
                "**Machine**",
                "",
                *machine_lines(),
            ]
        )
    )

    results: list[WorkloadResult] = []
    skipped: dict[str, str] = {}
    for key in args.workloads:
        for dtype in args.dtypes:
            _progress(f"timing workload {WORKLOADS[key].title}, {dtype} …")
            gc.collect()
            res, missing = time_workload(WORKLOADS[key], dtype, args.engines, settings)
            skipped.update(missing)
            results.append(res)

    engine_lines = [f"- {name}: skipped ({reason})" for name, reason in skipped.items()]
    emit(
        "\n".join(
            [
                f"**Training step** (SGD lr {LR}, ms per step; engines interleaved round-robin after "
                f"{settings.warmup} warm-up steps; × NumPy = median ÷ the NumPy step's median)",
                "",
                step_table(results),
                "",
                *check_lines(results),
                *engine_lines,
            ]
        )
    )
    if any(r.times.get("numpy") for r in results):
        emit("**Ratio to the NumPy step** (medians)\n\n" + summary_table(results, args.engines))

    if not args.no_micro:
        from benchmarks import micro

        _progress("microbenchmarks …")
        emit(micro.run(quick=args.quick, engines=args.engines))
    if not args.no_memory:
        from benchmarks import memory

        _progress("peak memory (fresh interpreters) …")
        emit(memory.run(dtypes=args.dtypes, engines=args.engines))

    report = "\n\n".join(sections) + "\n"
    if args.out:
        args.out.write_text(report, encoding="utf-8")
        _progress(f"wrote {args.out}")
    if args.update_readme:
        update_readme(report)
        _progress(f"updated {README}")

    failed = any(not c.ok for r in results for c in r.checks.values())
    for name in ("minigrad", "minigrad-compiled"):  # minigrad's own rows are never optional
        if name in args.engines and name in skipped:
            _progress(f"{name} could not be built: {skipped[name]}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
