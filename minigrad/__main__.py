"""Command line: ``python -m minigrad demo [--epochs N] [--seed S] [--out DIR] [--no-progress] [--splits K]``.

``--compile`` trains through ``mg.compile``. Also installed as the ``minigrad`` console script.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minigrad", description="minigrad command line")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="train an MLP on the bundled digits and write its curves and graph",
        description="Train a He-initialised MLP with BatchNorm, Dropout, Adam, L2 and early stopping on the "
        "bundled UCI digits; print the test accuracy, gradient-check the loss in float64, and write the "
        "loss curves (PNG) and the computation graph (SVG) to an output folder.",
    )
    demo.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="maximum epochs (default: the recipe's 300; early stopping usually ends sooner)",
    )
    demo.add_argument("--seed", type=int, default=0, help="seed of the (first) split, the init and the shuffling")
    demo.add_argument("--out", default=None, help="output folder (default: ./minigrad-demo-output)")
    demo.add_argument("--no-progress", action="store_true", help="no progress bar")
    demo.add_argument(
        "--splits",
        type=int,
        default=1,
        help="train on K stratified 80/20 splits (seeds S..S+K-1) and report the mean test accuracy",
    )
    demo.add_argument(
        "--compare-sklearn",
        action="store_true",
        help="also train scikit-learn's MLPClassifier on the same splits (if installed)",
    )
    demo.add_argument(
        "--compile",
        action="store_true",
        help="run each training step through mg.compile (traced once, then replayed: same accuracy, less time)",
    )
    demo.add_argument(
        "--blas-threads",
        type=int,
        default=1,
        help="BLAS threads (default 1: the matrices are tiny; 0 leaves the setting alone)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m minigrad`` and of the ``minigrad`` script; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "demo":
        from minigrad.demo import DEFAULT_OUT, blas_threads, run_demo

        if args.splits < 1:
            parser.error("--splits must be >= 1")
        if args.epochs is not None and args.epochs < 1:
            parser.error("--epochs must be >= 1")
        with blas_threads(args.blas_threads or None):
            run_demo(
                epochs=args.epochs,
                seed=args.seed,
                out_dir=args.out or DEFAULT_OUT,
                progress=not args.no_progress,
                splits=args.splits,
                compare_sklearn=args.compare_sklearn,
                compile=args.compile,
            )
        return 0
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse rejects it first
    return 2


if __name__ == "__main__":
    sys.exit(main())
