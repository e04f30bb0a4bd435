"""Shared pieces of the suite: workloads, machine description, thread counts, table formatting."""

from __future__ import annotations

import contextlib
import io
import os
import platform
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Workload:
    """An MLP training step: layer sizes (input, hidden…, classes) and batch size."""

    key: str
    label: str
    sizes: tuple[int, ...]
    batch: int

    @property
    def title(self) -> str:
        hidden = self.sizes[1:-1]
        if len(hidden) > 3 and len(set(hidden)) == 1:
            shape = f"{self.sizes[0]}-({hidden[0]}×{len(hidden)})-{self.sizes[-1]}"
        else:
            shape = "-".join(map(str, self.sizes))
        return f"{self.key} {self.label} {shape}, batch {self.batch}"


WORKLOADS: dict[str, Workload] = {
    "a": Workload("a", "tiny", (64, 64, 10), 32),
    "b": Workload("b", "mid", (784, 256, 256, 10), 128),
    "c": Workload("c", "large", (784, 1024, 1024, 10), 512),
    "d": Workload("d", "deep", (32, *([32] * 20), 10), 64),
}

DTYPES: dict[str, type[np.floating]] = {"float32": np.float32, "float64": np.float64}

LR = 0.1
"""Learning rate of every SGD step (large enough that one update visibly moves the weights)."""


def blas_threads() -> int:
    """The number of threads NumPy's BLAS uses; PyTorch gets the same (``torch.set_num_threads``).

    Asked of the loaded BLAS through ``threadpoolctl`` when it is installed; otherwise the
    environment variables OpenBLAS/MKL read (``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``,
    ``OMP_NUM_THREADS``); otherwise OpenBLAS's default, one thread per usable core.
    """
    try:
        from threadpoolctl import threadpool_info

        counts = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
        if counts:
            return int(counts[0])
    except Exception:  # threadpoolctl absent or unable to inspect: fall back to the environment
        pass
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return usable_cores()


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity), else ``os.cpu_count()``."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (Linux), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def numpy_blas() -> str:
    """Name and version of the BLAS NumPy was built against, from ``np.show_config``."""
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except Exception:  # older NumPy: parse the printed configuration
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            np.show_config()
        for line in buffer.getvalue().splitlines():
            if "blas" in line.lower() and ("name" in line.lower() or "libraries" in line.lower()):
                return line.strip()
        return "unknown"


def git_revision() -> str | None:
    """The checkout's short commit hash (with ``+dirty`` for uncommitted changes), if in git."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5
        )
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def machine_lines() -> list[str]:
    """Markdown bullet lines describing the machine and the libraries measured."""
    lines = [
        f"- CPU: {cpu_model()}; {os.cpu_count()} logical cores, {usable_cores()} usable",
        f"- Python {platform.python_version()}, NumPy {np.__version__} with {numpy_blas()}, "
        f"{blas_threads()} BLAS thread(s)",
    ]
    versions = []
    for module in ("torch", "autograd", "mygrad", "sklearn"):
        version = package_version(module)
        if version is not None:
            versions.append(f"{module} {version}")
    # the engines give PyTorch as many threads as NumPy's BLAS has (engines.torch_threads)
    versions = [v + f" (torch.set_num_threads({blas_threads()}))" if v.startswith("torch ") else v for v in versions]
    lines.append("- Optional engines installed: " + (", ".join(versions) if versions else "none"))
    load = load_line()
    if load:
        lines.append(load)
    revision = git_revision()
    if revision:
        lines.append(f"- minigrad checkout: {revision}")
    return lines


def load_line() -> str | None:
    """The 1-minute load average, flagged when other work competes for the cores."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return None
    line = f"- Load average when the run started: {load:.2f} on {usable_cores()} usable cores"
    if load > 0.5 * usable_cores():
        line += " — **other processes were busy: expect noisy timings (see the min–max columns)**"
    return line


def package_version(module: str) -> str | None:
    """The installed distribution version of an importable top-level module, without importing it."""
    from importlib import metadata, util

    dist = {"sklearn": "scikit-learn"}.get(module, module)
    try:
        if util.find_spec(module) is None:
            return None
    except (ImportError, ValueError):
        return None
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"
