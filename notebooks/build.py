"""Build the course notebooks from their sources and execute them.

Each notebook is written as a plain Python file in ``notebooks/src/`` with cell
markers: ``# %%`` starts a code cell, ``# %% [markdown]`` a markdown cell whose
lines are comments (``# `` is stripped). This script turns every source into a
``.ipynb``, executes it top to bottom in a fresh ``python3`` kernel (working
directory ``notebooks/``) and stores it with its outputs next to this file::

    python notebooks/build.py              # build and store all notebooks
    python notebooks/build.py --only 03    # just 03_*.py (several --only allowed)
    python notebooks/build.py --check      # execute all, store nothing: CI (fails on any error)

Needs ``nbformat``, ``nbclient`` and ``ipykernel`` (``pip install -e '.[notebooks]'``).
The kernel imports minigrad from this checkout (its root is put first on
``PYTHONPATH``) and runs NumPy's BLAS single-threaded, which is much faster for
the small matrices here, and not slowed down by other processes on a small machine.

The parsing half (``parse_source``, ``notebook_cells``) uses only the standard
library, so ``tests/test_notebooks.py`` can compare sources and stored notebooks
without Jupyter installed.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
ROOT = HERE.parent
CELL_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
KERNEL = "python3"
DEFAULT_TIMEOUT = 600  # seconds per cell


# ---------------------------------------------------------------------- sources (stdlib only)
def sources(only: list[str] | None = None) -> list[Path]:
    """The notebook sources ``src/NN_name.py``, in order; ``only``: name prefixes such as ``"03"``."""
    paths = sorted(p for p in SRC.glob("[0-9][0-9]_*.py"))
    if only:
        paths = [p for p in paths if any(p.stem.startswith(o) for o in only)]
    return paths


def notebook_path(source: Path) -> Path:
    return HERE / f"{source.stem}.ipynb"


def parse_source(text: str) -> list[tuple[str, str]]:
    """``[(cell_type, source), ...]`` from a ``# %%`` file; text before the first marker is ignored."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        m = CELL_MARKER.match(line)
        if m:
            rest = m.group("rest").strip()
            kind = "markdown" if rest.startswith("[markdown]") else "code"
            cells.append((kind, []))
        elif cells:
            kind, lines = cells[-1]
            if kind == "markdown":
                if line.startswith("# "):
                    line = line[2:]
                elif line.startswith("#"):
                    line = line[1:]
            lines.append(line)
    out = []
    for kind, lines in cells:
        body = "\n".join(lines).strip("\n")
        if body.strip():
            out.append((kind, body))
    return out


def notebook_cells(nb: dict) -> list[tuple[str, str]]:
    """``[(cell_type, source), ...]`` of a stored notebook (a dict as read by ``json.load``)."""
    out = []
    for cell in nb["cells"]:
        src = cell["source"]
        out.append((cell["cell_type"], "".join(src) if isinstance(src, list) else src))
    return out


# ---------------------------------------------------------------------- building and running
def make_notebook(source: Path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = []
    for i, (kind, body) in enumerate(parse_source(source.read_text(encoding="utf-8"))):
        cell = new_markdown_cell(body) if kind == "markdown" else new_code_cell(body)
        cell["id"] = f"{source.stem[:2]}-{i:03d}"  # stable ids: rebuilding changes no more than it must
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": KERNEL}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


def _kernel_env() -> None:
    """The kernel inherits this process's environment: minigrad from this checkout, one BLAS thread."""
    path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # quiets a debugger warning in the kernel


def execute(source: Path, timeout: int = DEFAULT_TIMEOUT):
    """Build and execute one notebook; returns ``(notebook, seconds)``. Raises on a failing cell."""
    from nbclient import NotebookClient

    nb = make_notebook(source)
    client = NotebookClient(
        nb, timeout=timeout, kernel_name=KERNEL, resources={"metadata": {"path": str(HERE)}},
        record_timing=False, allow_errors=False,
        extra_arguments=["--log-level=ERROR"],  # the kernel's start-up warnings are noise in a build log
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    return nb, seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="execute every notebook but write nothing (CI)")
    ap.add_argument("--only", action="append", metavar="NN", help="only the sources whose name starts with NN")
    ap.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds allowed per cell")
    args = ap.parse_args(argv)

    paths = sources(args.only)
    if not paths:
        print(f"no notebook sources matched {args.only} in {SRC}", file=sys.stderr)
        return 2
    _kernel_env()
    import nbformat
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    failed: list[str] = []
    total = 0.0
    for source in paths:
        print(f"{source.stem:<24}", end=" ", flush=True)
        try:
            nb, seconds = execute(source, args.timeout)
        except (CellExecutionError, DeadKernelError, TimeoutError) as exc:
            print("FAILED")
            print(str(exc), file=sys.stderr)
            failed.append(source.stem)
            continue
        total += seconds
        if args.check:
            print(f"ok       {seconds:6.1f} s")
        else:
            target = notebook_path(source)
            nbformat.write(nb, str(target))
            print(f"written  {seconds:6.1f} s  -> {target.relative_to(ROOT)}")
    print(f"{'total':<24} {'':8} {total:6.1f} s")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
