"""Reverse-mode automatic differentiation: the engine, grad mode and gradient tools."""

from minigrad._grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.autograd import functional
from minigrad.autograd.anomaly import detect_anomaly, is_anomaly_enabled
from minigrad.autograd.custom import Function, FunctionCtx
from minigrad.autograd.function import once_differentiable
from minigrad.autograd.grad import GradcheckError, grad, gradcheck, gradgradcheck

__all__ = [
    "Function",
    "FunctionCtx",
    "GradcheckError",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "once_differentiable",
    "set_grad_enabled",
]
