"""Run a PyTorch program on minigrad, with only its imports swapped.

    python tests/programs/run_on_minigrad.py tests/programs/07_bigram_counts.py

Before the program starts, an import hook makes ``torch`` and every ``torch.<sub>`` module resolve to
``minigrad`` and ``minigrad.<sub>`` (``torch.nn.functional`` is ``minigrad.nn.functional``,
``torch.optim`` is ``minigrad.optim``, ...), which is exactly what a learner does by editing the import
lines. A submodule minigrad does not have fails as ``No module named 'minigrad.<sub>'``. The program then
runs as ``__main__`` with its own ``__file__`` and ``sys.argv``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import runpy
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


class TorchIsMinigrad(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.*`` and loads them as the minigrad module of the same dotted path."""

    def __init__(self) -> None:
        self._own_specs: dict[int, importlib.machinery.ModuleSpec] = {}

    def find_spec(self, fullname: str, path=None, target=None) -> importlib.machinery.ModuleSpec | None:
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module("minigrad" + spec.name[len("torch") :])
        self._own_specs[id(module)] = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the import system stamped the torch.* spec on the module: give it back minigrad's own
        module.__spec__ = self._own_specs.pop(id(module), module.__spec__)


def install() -> None:
    """Make ``import torch...`` import minigrad from now on in this interpreter."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for name in [m for m in sys.modules if m == "torch" or m.startswith("torch.")]:
        del sys.modules[name]
    sys.meta_path.insert(0, TorchIsMinigrad())


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit("usage: run_on_minigrad.py PROGRAM.py [ARGS...]")
    program = str(Path(argv[1]).resolve())
    sys.argv = [program, *argv[2:]]
    sys.path[0] = str(Path(program).parent)  # as `python program.py` would have it
    install()
    runpy.run_path(program, run_name="__main__")


if __name__ == "__main__":
    main(sys.argv)
