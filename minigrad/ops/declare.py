"""One declaration per op: an op's public forms are named once, on its class, and derived where not written by hand.

    @declare(functional="elu", module="ELU", params={"alpha": 1.0}, inplace=True, floating=True)
    class ELU(Function):
        ...

names ``F.elu(input, alpha=1.0, inplace=False)`` and ``nn.ELU(alpha=1.0, inplace=False)``; ``method="elu"``
and ``function="elu"`` name ``Tensor.elu`` and ``mg.elu`` too. ``params`` are PyTorch's parameters after ``input``,
in order, with their defaults: each form takes them (the module as constructor arguments, shown by its repr) and
passes them to the op as its keyword arguments (a float default makes the value a float); ``fixed`` adds keyword
arguments the forms don't expose (``relu6`` is ``Hardtanh`` with ``min_val=0, max_val=6``). ``inplace=True`` accepts
PyTorch's ``inplace=`` flag (computed out of place: the same values, and autograd stays safe). ``floating=True``
lets integer input enter in the default float dtype.

A form written by hand in its namespace (``Tensor.relu`` on the hot path, ``nn.GELU`` with its argument check, every
form of an op with several inputs such as ``where``) is kept: the declaration then records that it exists, and
tests/test_declare.py fails when a declared form is missing from its namespace. The others are made here, at
import time, once the namespace that would hold a hand-written form is complete: ``nn.functional`` calls
``functionals`` at its end, ``minigrad.nn`` calls ``modules`` (held by ``nn.activation``), ``minigrad`` calls
``functions`` (held by ``minigrad.functions``) and ``tensor.py`` calls ``install_methods``.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Declaration:
    """The public forms of one op (``None``: no such form) and PyTorch's parameters for them."""

    op: type
    method: str | None = None
    function: str | None = None
    functional: str | None = None
    module: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)
    inplace: bool = False
    floating: bool = False

    @property
    def doc(self) -> str:
        """The op's docstring (its formula): the derived forms' docstring."""
        return inspect.getdoc(self.op) or ""

    @property
    def derivable(self) -> bool:
        """Whether missing forms can be derived: a one-input op, whose form is ``op.apply(input, **params)``
        (an op of several inputs, ``where`` or ``add``, has all its forms written by hand)."""
        params = list(inspect.signature(self.op.forward).parameters.values())[1:]  # type: ignore[attr-defined]
        return len(params) == 1 and params[0].kind is params[0].POSITIONAL_OR_KEYWORD


#: every declaration, in the order the op modules define them
DECLARATIONS: list[Declaration] = []


def declare(
    *,
    method: str | None = None,
    function: str | None = None,
    functional: str | None = None,
    module: str | None = None,
    params: dict[str, Any] | None = None,
    fixed: dict[str, Any] | None = None,
    inplace: bool = False,
    floating: bool = False,
) -> Callable[[type], type]:
    """Record the public forms of the op class it decorates (see the module docstring); the class is unchanged."""

    if module and not functional:
        raise TypeError(f"declare: module {module!r} needs its functional form (its forward calls it)")

    def register(op: type) -> type:
        DECLARATIONS.append(
            Declaration(
                op, method, function, functional, module, dict(params or {}), dict(fixed or {}), inplace, floating
            )
        )
        return op

    return register


def _annotation(default: Any) -> str:
    return type(default).__name__ if isinstance(default, (bool, int, float, str)) else "Any"


def _call(d: Declaration, x: str, values: dict[str, str]) -> str:
    """Source of the op applied to the tensor expression ``x`` with the parameters' value expressions."""
    enter = f"_as_float({x})" if d.floating else x
    args = [enter, *(f"{p}=float({v})" if isinstance(d.params[p], float) else f"{p}={v}" for p, v in values.items())]
    args += [f"{p}=_fixed[{p!r}]" for p in d.fixed]
    return f"_op.apply({', '.join(args)})"  # apply looked up per call: the ONNX tracer patches it while tracing


def _exec(source: str, d: Declaration, defaults: dict[str, Any], **names: Any) -> dict[str, Any]:
    """The functions ``source`` defines, with the op, its defaults and ``names`` in their namespace."""
    from minigrad.tensor import Tensor, _as_float

    namespace = {"_defaults": defaults, "_op": d.op, "_fixed": d.fixed, "_as_float": _as_float, "Tensor": Tensor}
    made: dict[str, Any] = {}
    exec(source, {**namespace, **names}, made)  # noqa: S102 - generated signatures, as dataclasses do
    return made


def _make_function(
    d: Declaration, name: str, module: str, *, first: str = "input", inplace: bool = False
) -> Callable[..., Any]:
    """A Python function ``name(first, <params>, [inplace=False])`` with a real signature, calling the op."""
    defaults = {**d.params, **({"inplace": False} if inplace else {})}
    signature = ", ".join([first, *(f"{p}=_defaults[{p!r}]" for p in defaults)])
    x = f"{first} if isinstance({first}, Tensor) else Tensor({first})"
    source = f"def {name}({signature}):\n    return {_call(d, f'({x})', {p: p for p in d.params})}\n"
    fn = _exec(source, d, defaults)[name]
    fn.__module__, fn.__qualname__, fn.__doc__ = module, name, d.doc
    fn.__annotations__ = {first: "Tensor", **{p: _annotation(v) for p, v in defaults.items()}, "return": "Tensor"}
    return fn


def functionals(module: str, present: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """``F.<name>`` for every declaration naming one that ``present`` (the namespace) lacks."""
    return {
        d.functional: _make_function(d, d.functional, module, inplace=d.inplace)
        for d in DECLARATIONS
        if d.derivable and d.functional and d.functional not in present
    }


def functions(module: str, present: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """``mg.<name>`` for every declaration naming one that ``present`` lacks (no ``inplace``, as torch.<name>)."""
    return {
        d.function: _make_function(d, d.function, module)
        for d in DECLARATIONS
        if d.derivable and d.function and d.function not in present
    }


def install(holder: types.ModuleType, namespace: dict[str, Any], forms: dict[str, Any]) -> None:
    """Derived ``forms`` into the module that holds them (their ``__module__``: pickling and the docs find them
    there) and into the public ``namespace`` that exports them, both listing them in ``__all__``."""
    for name, form in forms.items():
        setattr(holder, name, form)
    vars(holder)["__all__"] = [*getattr(holder, "__all__", []), *forms]
    namespace.update(forms)
    if "__all__" in namespace and namespace is not vars(holder):
        namespace["__all__"] += list(forms)


def install_methods(tensor: type) -> None:
    """``Tensor.<name>`` for every declaration naming a method the class lacks."""
    for d in DECLARATIONS:
        if d.derivable and d.method and not hasattr(tensor, d.method):
            method = _make_function(d, d.method, tensor.__module__, first="self")
            method.__qualname__ = f"{tensor.__name__}.{d.method}"
            setattr(tensor, d.method, method)


def _extra_repr(self: Any) -> str:
    parts = [f"{p}={getattr(self, p)!r}" for p in type(self)._declared_params]
    return ", ".join(parts + (["inplace=True"] if getattr(self, "inplace", False) else []))


def modules(module: str, present: dict[str, Any], base: type) -> dict[str, type]:
    """``nn.<Name>`` for every declaration naming one that ``present`` lacks: a subclass of ``base`` whose
    constructor takes the declared parameters (and ``inplace``), whose ``forward`` applies the op with them as
    ``F.<name>`` does, and whose repr shows them as PyTorch's (``ELU(alpha=1.0)``)."""
    made: dict[str, type] = {}
    for d in DECLARATIONS:
        if not d.derivable or not d.module or not d.functional or d.module in present:
            continue
        args = [*d.params, *(["inplace"] if d.inplace else [])]
        defaults = {**d.params, **({"inplace": False} if d.inplace else {})}
        source = (
            f"def __init__(self, {', '.join(f'{a}=_defaults[{a!r}]' for a in args)}):\n"
            "    _base.__init__(self)\n" + "".join(f"    self.{a} = {a}\n" for a in args) + "\n"
            "def forward(self, input):\n"
            f"    return {_call(d, 'input', {p: f'self.{p}' for p in d.params})}\n"
        )
        code = _exec(source, d, defaults, _base=base)
        init, forward = code["__init__"], code["forward"]
        init.__annotations__ = {**{a: _annotation(v) for a, v in defaults.items()}, "return": "None"}
        forward.__annotations__ = {"input": "Tensor", "return": "Tensor"}
        forward.__doc__ = f"``F.{d.functional}`` of the input with this module's parameters."
        cls = type(
            d.module,
            (base,),
            {
                "__doc__": d.doc,
                "__module__": module,
                "__qualname__": d.module,
                "_declared_params": tuple(d.params),
                "__init__": init,
                "forward": forward,
                "extra_repr": _extra_repr,
            },
        )
        for f in (init, forward):
            f.__module__, f.__qualname__ = module, f"{d.module}.{f.__name__}"
        made[d.module] = cls
    return made


# ---------------------------------------------------------------------- the same callable in another namespace
def _forward_to(target: Callable[..., Any], name: str, first: str) -> Callable[..., Any]:
    """A function ``name`` with ``target``'s signature (its first parameter renamed ``first``) that calls it."""
    sig = inspect.signature(target)
    params, call, star = [], [], False
    for i, p in enumerate(sig.parameters.values()):
        pname = first if i == 0 else p.name
        default = f"=_defaults[{p.name!r}]" if p.default is not p.empty else ""
        if p.kind is p.VAR_POSITIONAL:
            params.append(f"*{pname}")
            call.append(f"*{pname}")
            star = True
        elif p.kind is p.VAR_KEYWORD:
            params.append(f"**{pname}")
            call.append(f"**{pname}")
        elif p.kind is p.KEYWORD_ONLY:
            params += [] if star else ["*"]
            star = True
            params.append(pname + default)
            call.append(f"{pname}={pname}")
        else:
            params.append(pname + default)
            call.append(pname)
    namespace: dict[str, Any] = {
        "_defaults": {p.name: p.default for p in sig.parameters.values()},
        "_target": target,
    }
    exec(f"def {name}({', '.join(params)}):\n    return _target({', '.join(call)})\n", namespace)  # noqa: S102
    fn = namespace[name]
    fn.__doc__ = inspect.getdoc(target)
    annotations = dict(getattr(target, "__annotations__", {}))
    if (original := next(iter(sig.parameters), None)) in annotations:
        annotation = annotations.pop(original)
        if first != "self":
            annotations[first] = annotation
    fn.__annotations__ = annotations
    return fn


def function_forms(tensor: type, names: tuple[str, ...], module: str) -> dict[str, Callable[..., Any]]:
    """``torch.<name>(input, ...)`` for each Tensor method named: the method as a function of its tensor."""
    made = {}
    for name in names:
        fn = _forward_to(getattr(tensor, name), name, "input")
        fn.__module__, fn.__qualname__ = module, name
        made[name] = fn
    return made


def install_method_forms(tensor: type, functions: dict[str, Callable[..., Any]]) -> None:
    """``Tensor.<name>(self, ...)`` for each function given that the class lacks: the function of this tensor."""
    for name, function in functions.items():
        if not hasattr(tensor, name):
            method = _forward_to(function, name, "self")
            method.__module__, method.__qualname__ = tensor.__module__, f"{tensor.__name__}.{name}"
            setattr(tensor, name, method)
