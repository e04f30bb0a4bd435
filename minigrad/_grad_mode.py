"""Grad mode: whether ops record the graph (per thread, as in PyTorch).

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers
and as decorators.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState(threading.local):
    enabled: bool = True
    anomaly: bool = False
    #: the innermost nn.Module whose forward is running (set by Module.__call__); recorded
    #: nodes remember it so graph drawings can group ops by module
    module: object = None


_state = _GradState()


def is_grad_enabled() -> bool:
    """True when ops record the graph for backward."""
    return _state.enabled


class _GradModeContext:
    """Base of the grad-mode switches: a context manager that is also a decorator."""

    _mode: bool

    def __enter__(self) -> None:
        self._prev = _state.enabled
        _state.enabled = self._mode

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._prev

    def __call__(self, fn: F) -> F:
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = _state.enabled
            _state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _state.enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Ops inside record no graph: ``with mg.no_grad(): ...`` or ``@mg.no_grad()``."""

    _mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a ``no_grad`` block."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``: at once when called, restored on leaving a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        self._mode = bool(mode)
        self._prev = _state.enabled
        _state.enabled = self._mode

    def __enter__(self) -> None:
        pass

    def __call__(self, fn: F) -> F:
        # used as a decorator: undo the switch made in __init__
        _state.enabled = self._prev
        return super().__call__(fn)
