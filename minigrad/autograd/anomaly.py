"""``detect_anomaly``: stop at the first NaN or Inf a backward rule produces."""

from __future__ import annotations

from minigrad._grad_mode import _state


class detect_anomaly:
    """Inside this context, a backward producing NaN or Inf raises ``RuntimeError`` naming the
    op and where its forward was called (PyTorch checks NaN only; minigrad checks Inf too)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check = check_nan

    def __enter__(self) -> detect_anomaly:
        self._prev = _state.anomaly
        _state.anomaly = self.check
        return self

    def __exit__(self, *exc: object) -> None:
        _state.anomaly = self._prev


def is_anomaly_enabled() -> bool:
    """Whether ``detect_anomaly`` is active in this thread."""
    return _state.anomaly
