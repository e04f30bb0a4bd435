"""The documentation keeps up with the code: every public name has a docstring and an entry in the API reference.

A module's public names are its ``__all__`` where it has one, else the public attributes minigrad defines in it
(``docs/make_api.py``'s ``public_names``). The site generates the reference pages at build time (``docs/hooks.py``);
mkdocstrings reads them with griffe, whose extension ``docs/griffe_declared.py`` adds the forms minigrad derives from op
declarations at import time.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
make_api = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_api)
MODULES = [m for m, _, _ in make_api.MODULES]


@pytest.mark.parametrize("modname", MODULES)
def test_every_public_name_has_a_docstring(modname):
    mod = importlib.import_module(modname)
    names = make_api.public_names(modname)
    assert names, f"{modname} has no public names: the definition in docs/make_api.py is wrong"
    missing = [n for n in names if not (inspect.getdoc(getattr(mod, n)) or "").strip()]
    assert not missing, f"{modname}: public names without a docstring: {missing}"


@pytest.mark.parametrize("modname, page", [(m, p) for m, p, _ in make_api.MODULES])
def test_every_public_name_is_in_the_reference(modname, page):
    text = make_api.pages()[ROOT / "docs" / "api" / page]
    entries = set(re.findall(r"^::: (\S+)$", text, flags=re.M))
    table_rows = set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.M))
    missing = [
        n
        for n in make_api.public_names(modname)
        if make_api.identifier(modname, n) not in entries and n not in table_rows
    ]
    assert not missing, f"api/{page} lacks {missing}: see identifier() in docs/make_api.py"


def test_the_reference_pages_are_in_the_site_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for _, page, _ in make_api.MODULES:
        assert f"api/{page}" in nav, f"mkdocs.yml's nav lacks api/{page}"


def test_public_names_follow_all_and_skip_submodules():
    # the definition itself: __all__ where present (minigrad.nn lists submodules there; they are not entries)
    import minigrad.nn as nn

    names = make_api.public_names("minigrad.nn")
    assert "Linear" in names and "functional" not in names and "init" not in names
    assert set(names) == {n for n in nn.__all__ if not inspect.ismodule(getattr(nn, n))}
    # without __all__: what minigrad defines (no typing helpers, no submodules)
    top = make_api.public_names("minigrad")
    assert "Tensor" in top and "no_grad" in top and "Any" not in top and "autograd" not in top
    assert make_api.public_names("minigrad.autograd.functional") == ["vjp", "jvp", "jacobian", "hessian", "hvp"]


def test_a_name_shadowed_by_a_submodule_points_at_its_object():
    # mg.tensor is the factory, minigrad/tensor.py the module: the entry must name the factory
    assert make_api.identifier("minigrad", "tensor") == "minigrad.creation.tensor"
    assert make_api.identifier("minigrad", "Tensor") == "minigrad.Tensor"


def test_readme_links_resolve_inside_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme):
        if re.match(r"[a-z]+://", target):
            continue
        path = (ROOT / target).resolve()
        assert path.is_relative_to(ROOT), f"README links outside the repository: {target}"
        assert path.exists(), f"README links a missing file: {target}"


PAGES_WITH_CODE = [
    "index.md",
    "getting-started.md",
    "pytorch.md",
    *sorted(str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs" / "guide").glob("*.md")),
]


@pytest.mark.parametrize("page", PAGES_WITH_CODE)
def test_the_pages_python_examples_run(page, tmp_path, monkeypatch, capsys):
    # each page's ```python blocks run in order in one namespace, as a reader would paste them
    blocks = re.findall(r"^```python\n(.*?)^```", (ROOT / "docs" / page).read_text(encoding="utf-8"), flags=re.M | re.S)
    assert blocks or page in ("index.md",), f"{page} has no python examples"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"docs_{page}"}
    for block in blocks:
        if re.search(r"^import torch$", block, flags=re.M):
            pytest.importorskip("torch")
        exec(compile(block, f"docs/{page}", "exec"), namespace)  # noqa: S102 - the documentation's own examples


def test_the_site_generates_the_reference_pages(tmp_path):
    # docs/hooks.py adds every page make_api renders to the site's files, replacing a copy written to look at
    pytest.importorskip("mkdocs")
    from mkdocs.structure.files import File, Files

    class Config(dict):  # what the hook and File.generated read of mkdocs' config, by key and by attribute
        __getattr__ = dict.__getitem__

    spec = importlib.util.spec_from_file_location("hooks", ROOT / "docs" / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    plugins = Config(_current_plugin=None)
    config = Config(site_dir=str(tmp_path), use_directory_urls=True, docs_dir=str(ROOT / "docs"), plugins=plugins)
    stale = File("api/nn.md", src_dir=str(tmp_path), dest_dir=str(tmp_path), use_directory_urls=True)
    files = hooks.on_files(Files([stale]), config)
    generated = {f.src_uri: f.content_string for f in files if f.src_uri.startswith("api/")}
    assert set(generated) == {f"api/{page}" for _, page, _ in make_api.MODULES} | {"api/index.md", "api/unsupported.md"}
    assert generated["api/nn.md"] == make_api.pages()[ROOT / "docs" / "api" / "nn.md"]
    assert "::: minigrad.nn.ReLU" in generated["api/nn.md"]  # a module derived from its op's declaration


def test_every_reference_entry_is_found_by_the_site_tooling():
    # mkdocstrings collects each entry with griffe (reading the source, not importing it); an entry it can't find
    # fails `mkdocs build --strict`. The forms derived from op declarations come from docs/griffe_declared.py.
    griffe = pytest.importorskip("griffe")
    loader = griffe.GriffeLoader(
        extensions=griffe.load_extensions(str(ROOT / "docs" / "griffe_declared.py")), search_paths=[str(ROOT)]
    )
    package = loader.load("minigrad")
    loader.resolve_aliases(implicit=False)
    entries = [e for text in make_api.pages().values() for e in re.findall(r"^::: (\S+)$", text, flags=re.M)]
    assert len(entries) > 400
    missing = []
    for entry in entries:
        try:
            found = package.modules_collection[entry]
            if found.is_alias:
                found.target  # noqa: B018 - resolving the alias is the check
        except (KeyError, griffe.AliasResolutionError):
            missing.append(entry)
    assert not missing, f"griffe does not find {missing}"
    relu = package.modules_collection["minigrad.nn.functional.relu"]
    assert [p.name for p in relu.parameters] == ["input", "inplace"] and "max(x, 0)" in relu.docstring.value
    assert "vdot" in package.modules_collection["minigrad.Tensor"].members  # a method installed after the class body


def _tensor_public_attributes() -> dict[str, object]:
    # the raw class attribute (function, property, slot descriptor...) of each public name minigrad defines
    import minigrad

    found = {}
    for name in dir(minigrad.Tensor):
        if name.startswith("_"):
            continue
        owner = next((k for k in minigrad.Tensor.__mro__ if name in vars(k)), object)
        if owner is not object and owner.__module__.startswith("minigrad"):
            found[name] = vars(owner)[name]
    return found


def test_every_public_tensor_method_and_property_has_a_docstring():
    # the reference page shows the Tensor with all its members: a bare signature says nothing
    import minigrad

    attrs = _tensor_public_attributes()
    assert {"exp", "sum", "reshape", "view", "float", "to", "shape", "requires_grad", "to_sparse"} <= set(attrs)
    assert "__init__" not in attrs and "__class__" not in attrs
    members = {
        n
        for n, raw in attrs.items()  # not the plain data (is_cuda = False) that can't carry a docstring
        if callable(raw) or isinstance(raw, (property, classmethod, staticmethod)) or inspect.ismemberdescriptor(raw)
    }
    assert len(members) > 300, sorted(members)
    missing = sorted(n for n in members if not (inspect.getdoc(getattr(minigrad.Tensor, n)) or "").strip())
    assert not missing, f"Tensor members without a docstring: {missing}"
