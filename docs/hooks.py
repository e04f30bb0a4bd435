"""MkDocs hooks: serve the notebooks from notebooks/*.ipynb without copying them into docs/, and generate the API
reference pages (docs/make_api.py) at build time, so a new public name needs nothing but its docstring.

They are added as if they lived at docs/notebooks/, before mkdocs-jupyter (which renders them with their
stored outputs) sees the file list. A notebook missing from the nav's "Notebooks" section is appended to it, so
a new notebook shows up without editing mkdocs.yml.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent


def notebooks() -> list[str]:
    return [f"notebooks/{nb.name}" for nb in sorted((ROOT / "notebooks").glob("*.ipynb"))]


def on_config(config):
    for entry in config["nav"] or []:
        if isinstance(entry, dict) and isinstance(entry.get("Notebooks"), list):
            listed = entry["Notebooks"]
            entry["Notebooks"] = listed + [nb for nb in notebooks() if nb not in str(listed)]
    return config


def make_api():
    spec = importlib.util.spec_from_file_location("make_api", ROOT / "docs" / "make_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@event_priority(100)  # before mkdocs-jupyter's on_files turns .ipynb files into pages
def on_files(files: Files, config) -> Files:
    for nb in notebooks():
        files.append(File(nb, src_dir=str(ROOT), dest_dir=config["site_dir"],
                          use_directory_urls=config["use_directory_urls"]))
    for path, text in make_api().pages().items():
        uri = path.relative_to(ROOT / "docs").as_posix()
        if (stale := files.get_file_from_path(uri)) is not None:  # a copy written by make_api.py to look at
            files.remove(stale)
        files.append(File.generated(config, uri, content=text))
    return files
