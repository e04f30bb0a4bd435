"""The API reference pages (api/*.md): one mkdocstrings entry per public name of each module.

The site generates them at build time (docs/hooks.py), so they are not in the repository and a new public name
needs only its docstring. To look at them:

    python docs/make_api.py           # write them to docs/api/ (ignored by git)

A module's public names are its ``__all__`` where it has one, else its public attributes that minigrad defines
(for the ``minigrad`` package: whatever it re-exports; for a plain module: what the module itself defines).
Submodules are listed as links, not entries. ``tests/test_docs.py`` fails when a public name has no docstring or
no entry here.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
import types
from pathlib import Path

API = Path(__file__).resolve().parent / "api"

#: (module, page, one line about it)
MODULES: list[tuple[str, str, str]] = [
    ("minigrad", "minigrad.md", "the Tensor, its functions, creation, randomness, dtypes and devices, grad mode"),
    ("minigrad.nn", "nn.md", "layers, containers, losses, regularisation"),
    ("minigrad.nn.functional", "nn.functional.md", "the layers and losses as functions (`F`)"),
    ("minigrad.nn.init", "nn.init.md", "weight initialisation"),
    ("minigrad.nn.utils", "nn.utils.md", "gradient clipping, max-norm, parameter vectors"),
    ("minigrad.optim", "optim.md", "optimizers"),
    ("minigrad.optim.lr_scheduler", "optim.lr_scheduler.md", "learning-rate schedules"),
    ("minigrad.autograd", "autograd.md", "`grad`, gradient checking, custom Functions, anomaly detection"),
    ("minigrad.autograd.functional", "autograd.functional.md", "`jacobian`, `hessian`, `vjp`, `jvp`, `hvp`"),
    ("minigrad.data", "data.md", "data sets, loaders, the bundled digits, preprocessing"),
    ("minigrad.train", "train.md", "the training loop, early stopping, history"),
    ("minigrad.tune", "tune.md", "grid and random search"),
    ("minigrad.diagnostics", "diagnostics.md", "per-layer activation and gradient statistics"),
    ("minigrad.viz", "viz.md", "drawing computation graphs"),
    ("minigrad.serialization", "serialization.md", "`save` and `load`"),
    ("minigrad.onnx", "onnx.md", "exporting a model to ONNX, to run it with ONNX Runtime"),
]

#: sections of the top-level page, by the module that defines a name (first match wins)
SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("The Tensor", ("minigrad.tensor",)),
    ("Creating tensors", ("minigrad.creation",)),
    ("Randomness", ("minigrad._random", "minigrad.ops.random")),
    ("dtypes, devices and grad mode", ("minigrad._dtype", "minigrad._device", "minigrad._grad_mode",
                                       "minigrad._print", "minigrad.cuda")),
    ("Functions (the Tensor's methods as functions)", ("minigrad.functions", "minigrad.ops")),
    ("More of PyTorch's namespace", ("minigrad._extras",)),
    ("Errors", ("minigrad.errors", "minigrad")),
]

#: the top-level data (dtypes, constants) that cannot carry docstrings: documented in a table instead
DATA = {
    "float32, float": "32-bit float (`numpy.float32`), the default dtype",
    "float64, double": "64-bit float (`numpy.float64`)",
    "float16, half": "16-bit float (`numpy.float16`)",
    "int64, long": "64-bit integer, the dtype of integer data and indices",
    "int32, int": "32-bit integer",
    "int16, short": "16-bit integer",
    "int8, uint8, bool": "8-bit integers and booleans",
    "complex64, cfloat, complex128, cdouble": "complex dtypes (complex tensors cannot require grad)",
    "finfo, iinfo": "NumPy's `finfo` / `iinfo`: the limits of a float / integer dtype",
    "pi, e, inf, nan": "the constants, as `torch.pi` ...",
    "UNSUPPORTED": "PyTorch's top-level names minigrad leaves out on purpose, with the reason; using one raises "
                   "`UnsupportedError` with it (listed in [Left out on purpose](unsupported.md))",
}


def public_names(modname: str) -> list[str]:
    """The public names of a module, submodules excluded (see the module docstring)."""
    mod = importlib.import_module(modname)
    if hasattr(mod, "__all__"):
        names = list(mod.__all__)
    else:
        is_package = hasattr(mod, "__path__")
        names = [n for n, v in vars(mod).items()
                 if not n.startswith("_") and (getattr(v, "__module__", None) or "").startswith("minigrad")
                 and (is_package or v.__module__ == modname)]
    return [n for n in names if not isinstance(getattr(mod, n), types.ModuleType)]


def alias_of(mod: types.ModuleType, name: str) -> str | None:
    """The canonical name when ``name`` is another name for a public object of the same module (``clip``)."""
    obj = getattr(mod, name)
    canonical = getattr(obj, "__name__", name)
    if canonical != name and getattr(mod, canonical, None) is obj:
        return canonical
    return None


def identifier(modname: str, name: str) -> str:
    """The path mkdocstrings documents ``modname.name`` under (its defining module's where a submodule shadows it:
    ``minigrad.tensor`` is the module, the function is ``minigrad.creation.tensor``)."""
    mod = importlib.import_module(modname)
    if hasattr(mod, "__path__") and name in {m.name for m in pkgutil.iter_modules(mod.__path__)}:
        return f"{getattr(mod, name).__module__}.{name}"
    return f"{modname}.{name}"


def _section(obj: object) -> str:
    where = getattr(obj, "__module__", "") or ""
    for title, prefixes in SECTIONS:
        if any(where == p or where.startswith(p + ".") for p in prefixes):
            return title
    return SECTIONS[-1][0]


def render(modname: str, blurb: str) -> str:
    mod = importlib.import_module(modname)
    names = public_names(modname)
    aliases = {n: alias_of(mod, n) for n in names}
    lines = [f"# {modname}", "", f"{blurb[0].upper()}{blurb[1:]}.", "",
             "<!-- generated by docs/make_api.py from the docstrings: do not edit by hand -->", ""]
    entries = [n for n in names if not aliases[n]]
    if modname == "minigrad":
        by_section: dict[str, list[str]] = {}
        for n in entries:
            by_section.setdefault(_section(getattr(mod, n)), []).append(n)
        for title, _ in SECTIONS:
            if title in by_section:
                lines += [f"## {title}", ""] + [f"::: {identifier(modname, n)}\n" for n in by_section[title]]
        lines += ["## dtypes and constants", "", "| name | what |", "|---|---|"]
        lines += [f"| `{n}` | {what} |" for n, what in DATA.items()] + [""]
    else:
        lines += [f"::: {identifier(modname, n)}\n" for n in entries]
    if any(aliases.values()):
        lines += ["## Aliases", "", "| name | is |", "|---|---|"]
        lines += [f"| `{n}` | [`{a}`][{identifier(modname, a)}] |" for n, a in aliases.items() if a] + [""]
    return "\n".join(lines).rstrip() + "\n"


def index() -> str:
    lines = ["# API reference", "",
             "Generated from the docstrings. Every public name of each module has an entry; "
             "`tests/test_docs.py` keeps it that way.", "", "| module | what |", "|---|---|"]
    lines += [f"| [`{m}`]({page}) | {blurb} |" for m, page, blurb in MODULES]
    return "\n".join(lines) + "\n"


def unsupported() -> str:
    """The names of PyTorch minigrad leaves out on purpose, with the reason each gives when used."""
    import minigrad
    import minigrad.linalg
    import minigrad.nn
    import minigrad.nn.functional
    from minigrad.tensor import UNSUPPORTED as TENSOR_UNSUPPORTED

    lines = ["# Left out on purpose", "",
             "The parts of PyTorch's API minigrad does not implement, on purpose. Using one raises an error that "
             "says why (an `AttributeError` subclass for module attributes, so `hasattr` stays `False`; "
             "`NotImplementedError` for Tensor methods). Generated from the tables in the code.", "",
             "<!-- generated by docs/make_api.py: do not edit by hand -->", ""]
    tables = [("`torch.*` (`minigrad.UNSUPPORTED`)", "torch", minigrad.UNSUPPORTED),
              ("`torch.Tensor.*` (`minigrad.tensor.UNSUPPORTED`)", "Tensor", TENSOR_UNSUPPORTED),
              ("`torch.nn.*` (`minigrad.nn.UNSUPPORTED`)", "nn", minigrad.nn.UNSUPPORTED),
              ("`torch.nn.functional.*` (`minigrad.nn.functional.UNSUPPORTED`)", "F",
               minigrad.nn.functional.UNSUPPORTED)]
    for title, prefix, table in tables:
        lines += [f"## {title}", "", "| name | why, and what to use |", "|---|---|"]
        lines += [f"| `{prefix}.{n}` | {why} |" for n, why in table.items()] + [""]
    names = ", ".join(f"`{n}`" for n in sorted(minigrad.linalg._UNSUPPORTED))
    lines += ["## `torch.linalg.*`", "", f"{names}: {minigrad.linalg._NO_DECOMPOSITIONS}.", ""]
    return "\n".join(lines)


def pages() -> dict[Path, str]:
    out = {API / "index.md": index(), API / "unsupported.md": unsupported()}
    out.update({API / page: render(m, blurb) for m, page, blurb in MODULES})
    return out


def main(argv: list[str]) -> int:
    for path, text in pages().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
