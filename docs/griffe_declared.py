"""Griffe extension (mkdocs.yml): the forms minigrad derives from op declarations at import time.

``F.relu``, ``nn.ReLU``, ``mg.relu``, ``Tensor.vdot`` ... are made by ``minigrad/ops/declare.py`` when the package is imported, so
griffe's static analysis does not see them: this adds each to the module that holds it, read by inspection (its
signature and docstring), with an alias in the package that re-exports it (``minigrad``, ``minigrad.nn``).
"""

from __future__ import annotations

import importlib
from typing import Any

import griffe

#: the modules that install derived forms into their namespace, and the package that re-exports them
HOLDERS = {"minigrad.functions": "minigrad", "minigrad.nn.functional": None, "minigrad.nn.activation": "minigrad.nn"}


class DeclaredForms(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != "minigrad":
            return
        self.add_tensor_methods(pkg)
        for modname, reexporter in HOLDERS.items():
            runtime = importlib.import_module(modname)
            static = pkg.modules_collection[modname]
            missing = [n for n in getattr(runtime, "__all__", ()) if n not in static.members]
            if not missing:
                continue
            inspected = griffe.inspect(modname)
            for name in missing:
                member = inspected[name]
                static.set_member(name, member)
                if static.exports is not None and name not in static.exports:
                    static.exports.append(name)
                if reexporter is not None and name not in pkg.modules_collection[reexporter].members:
                    owner = pkg.modules_collection[reexporter]
                    owner.set_member(name, griffe.Alias(name, member, parent=owner))

    @staticmethod
    def add_tensor_methods(pkg: griffe.Module) -> None:
        """The Tensor methods installed after the class body (``install_methods``, ``install_method_forms``)."""
        static = pkg.modules_collection["minigrad.tensor.Tensor"]
        runtime = importlib.import_module("minigrad.tensor").Tensor
        missing = [
            n
            for n, v in vars(runtime).items()
            if not n.startswith("_") and n not in static.members and getattr(v, "__qualname__", "") == f"Tensor.{n}"
        ]
        if missing:
            inspected = griffe.inspect("minigrad.tensor")["Tensor"]
            for name in missing:
                static.set_member(name, inspected[name])
