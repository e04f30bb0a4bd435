"""The stored notebooks are up to date with their sources and were executed cleanly.

Fast and without Jupyter: it reads the ``.ipynb`` files as JSON and never runs them.
Executing them is ``python notebooks/build.py --check`` (CI); rebuilding them after
editing ``notebooks/src/NN_*.py`` is ``python notebooks/build.py [--only NN]``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _load_build():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()
SOURCES = build.sources()
REBUILD = "rebuild it with: python notebooks/build.py --only {}"


def test_every_source_has_a_notebook_and_back():
    assert len(SOURCES) >= 7, f"expected the course notebooks in {build.SRC}, found {[p.name for p in SOURCES]}"
    stored = {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    sources = {p.stem for p in SOURCES}
    assert sources <= stored, f"sources without a stored notebook: {sorted(sources - stored)}"
    assert stored <= sources, f"stored notebooks without a source in notebooks/src: {sorted(stored - sources)}"


def test_parse_source_cells():
    text = (
        "# header ignored\n"
        "# %% [markdown]\n# # Title\n#\n# Some *prose*.\n\n"
        "# %%\nimport numpy as np\n\n\nx = 1  # a comment stays\n\n"
        "# %% [markdown]\n# more\n"
    )
    assert build.parse_source(text) == [
        ("markdown", "# Title\n\nSome *prose*."),
        ("code", "import numpy as np\n\n\nx = 1  # a comment stays"),
        ("markdown", "more"),
    ]


@pytest.fixture(params=SOURCES, ids=lambda p: p.stem)
def pair(request):
    source = request.param
    path = build.notebook_path(source)
    if not path.exists():
        pytest.fail(f"{path.name} is missing; " + REBUILD.format(source.stem[:2]))
    return source, json.loads(path.read_text(encoding="utf-8"))


def test_notebook_matches_its_source(pair):
    source, nb = pair
    expected = build.parse_source(source.read_text(encoding="utf-8"))
    stored = build.notebook_cells(nb)
    assert [kind for kind, _ in stored] == [kind for kind, _ in expected], (
        f"{source.name}: the cell structure differs from the stored notebook; " + REBUILD.format(source.stem[:2])
    )
    for i, (want, got) in enumerate(zip(expected, stored)):
        assert got == want, f"{source.name}: cell {i} ({want[0]}) is out of date; " + REBUILD.format(source.stem[:2])
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_notebook_was_executed_top_to_bottom_without_errors(pair):
    source, nb = pair
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{source.name}: code cells were not all executed once, in order, in one kernel ({counts}); "
        + REBUILD.format(source.stem[:2])
    )
    for i, cell in enumerate(code):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{source.name}: code cell {i} stored an error: {out.get('ename')}"
            if out["output_type"] == "stream":
                text = "".join(out["text"])[:200]
                assert out["name"] != "stderr", f"{source.name}: code cell {i} wrote to stderr: {text}"


def test_notebook_has_outputs_and_plots(pair):
    source, nb = pair
    outputs = [out for c in nb["cells"] if c["cell_type"] == "code" for out in c.get("outputs", [])]
    pngs = [out for out in outputs if "image/png" in out.get("data", {})]
    texts = [out for out in outputs if out["output_type"] == "stream" or "text/plain" in out.get("data", {})]
    assert pngs, f"{source.name}: no PNG plot stored"
    assert texts, f"{source.name}: no printed numbers stored"
