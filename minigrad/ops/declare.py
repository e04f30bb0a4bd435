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

A form written by hand in its namespace (``Tensor.relu`` on the hot path, ``nn.GELU`` with its argument check) is
kept: the declaration then records that it exists, and tests/test_declare.py fails when a declared form is
missing from its namespace. The others are made here, at import time, by the namespaces themselves:
``nn.functional`` calls ``functionals``, ``nn.activation`` calls ``modules``, ``minigrad.functions`` calls
``functions`` and ``tensor.py`` calls ``install_methods``.
"""

from __future__ import annotations

import inspect
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


def _runner(d: Declaration) -> Callable[..., Any]:
    """``run(input, *values)``: the op applied to ``input`` with the declared parameters set to ``values``."""
    from minigrad.tensor import Tensor, _as_float

    names = list(d.params)
    floats = {n for n, v in d.params.items() if isinstance(v, float)}
    op: Any = d.op  # op.apply is looked up per call: the ONNX tracer patches Function.apply while it traces

    def run(input: Any, *values: Any) -> Any:
        x = input if isinstance(input, Tensor) else Tensor(input)
        kwargs = {n: float(v) if n in floats and isinstance(v, (int, float)) else v for n, v in zip(names, values)}
        return op.apply(_as_float(x) if d.floating else x, **kwargs, **d.fixed)

    def run_plain(input: Any, *values: Any) -> Any:
        """``run`` for an op without parameters (relu, sigmoid, tanh: nn.ReLU's hot path): no keywords to build."""
        return op.apply(input if isinstance(input, Tensor) else Tensor(input))

    return run if names or d.fixed or d.floating else run_plain


def _make_function(
    d: Declaration, name: str, module: str, *, first: str = "input", inplace: bool = False
) -> Callable[..., Any]:
    """A Python function ``name(first, <params>, [inplace=False])`` with a real signature, calling the op."""
    params = [*d.params, *(["inplace"] if inplace else [])]
    defaults = {**d.params, **({"inplace": False} if inplace else {})}
    signature = ", ".join([first, *(f"{p}=_defaults[{p!r}]" for p in params)])
    source = f"def {name}({signature}):\n    return _run({', '.join([first, *d.params])})\n"
    namespace: dict[str, Any] = {"_defaults": defaults, "_run": _runner(d)}
    exec(source, namespace)  # noqa: S102 - a generated signature, as dataclasses and namedtuple do
    fn = namespace[name]
    fn.__module__, fn.__qualname__, fn.__doc__ = module, name, d.doc
    fn.__annotations__ = {first: "Tensor", **{p: _annotation(v) for p, v in defaults.items()}, "return": "Tensor"}
    return fn


def functionals(module: str, present: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """``F.<name>`` for every declaration naming one that ``present`` (the namespace) lacks."""
    return {
        d.functional: _make_function(d, d.functional, module, inplace=d.inplace)
        for d in DECLARATIONS
        if d.functional and d.functional not in present
    }


def functions(module: str, present: dict[str, Any]) -> dict[str, Callable[..., Any]]:
    """``mg.<name>`` for every declaration naming one that ``present`` lacks (no ``inplace``, as torch.<name>)."""
    return {
        d.function: _make_function(d, d.function, module)
        for d in DECLARATIONS
        if d.function and d.function not in present
    }


def install_methods(tensor: type) -> None:
    """``Tensor.<name>`` for every declaration naming a method the class lacks."""
    for d in DECLARATIONS:
        if d.method and not hasattr(tensor, d.method):
            method = _make_function(d, d.method, tensor.__module__, first="self")
            method.__qualname__ = f"{tensor.__name__}.{d.method}"
            setattr(tensor, d.method, method)


def _extra_repr(self: Any) -> str:
    parts = [f"{p}={getattr(self, p)!r}" for p in type(self)._declared_params]
    return ", ".join(parts + (["inplace=True"] if getattr(self, "inplace", False) else []))


def modules(module: str, present: dict[str, Any], base: type, functional: dict[str, Any]) -> dict[str, type]:
    """``nn.<Name>`` for every declaration naming one that ``present`` lacks: a subclass of ``base`` whose
    constructor takes the declared parameters (and ``inplace``), whose ``forward`` calls ``F.<name>`` (looked up in
    ``functional``) with them, and whose repr shows them as PyTorch's (``ELU(alpha=1.0)``)."""
    made: dict[str, type] = {}
    for d in DECLARATIONS:
        if not d.module or not d.functional or d.module in present:
            continue
        args = [*d.params, *(["inplace"] if d.inplace else [])]
        defaults = {**d.params, **({"inplace": False} if d.inplace else {})}
        source = (
            f"def __init__(self, {', '.join(f'{a}=_defaults[{a!r}]' for a in args)}):\n"
            "    _base.__init__(self)\n" + "".join(f"    self.{a} = {a}\n" for a in args) + "\n"
            "def forward(self, input):\n"
            f"    return _functional(input{''.join(f', self.{p}' for p in d.params)})\n"
        )
        namespace: dict[str, Any] = {"_defaults": defaults, "_base": base, "_functional": functional[d.functional]}
        exec(source, namespace)  # noqa: S102 - a generated signature, as dataclasses and namedtuple do
        init, forward = namespace["__init__"], namespace["forward"]
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
