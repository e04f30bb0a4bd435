"""One PyTorch comparison for the tensor-surface tests: values, dtypes, requires_grad and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def flat(out):
    """A function's outputs (nested tuples of them too) as a flat list."""
    if isinstance(out, (tuple, list)):
        return [leaf for o in out for leaf in flat(o)]
    return [out]


def make(lib, arrays):
    """The arrays as ``lib`` tensors; floating ones require grad."""
    tensors = []
    for a in arrays:
        t = lib.tensor(a)
        if a.dtype.kind == "f":
            t.requires_grad_(True)
        tensors.append(t)
    return tensors


def dtype_name(t) -> str:
    return str(t.dtype).replace("torch.", "")


def compare_with_torch(fn, arrays, rng: np.random.Generator) -> None:
    """``fn(lib, *tensors)`` under minigrad and torch: the same outputs (shape, dtype, values,
    requires_grad), and the same gradients of Σ⟨w_k, out_k⟩ with random weights w_k from ``rng``."""
    torch = pytest.importorskip("torch")
    m_in, t_in = make(mg, arrays), make(torch, arrays)
    m_out, t_out = flat(fn(mg, *m_in)), flat(fn(torch, *t_in))
    assert len(m_out) == len(t_out)
    for i, (a, b) in enumerate(zip(m_out, t_out)):
        if not isinstance(b, torch.Tensor):
            assert type(a) is type(b) and a == b, f"output {i}: {a!r} vs torch's {b!r}"
            continue
        assert isinstance(a, mg.Tensor), f"output {i}: {type(a).__name__}, torch gives a tensor"
        assert a.shape == tuple(b.shape), f"output {i}: shape {a.shape} vs torch's {tuple(b.shape)}"
        assert dtype_name(a) == dtype_name(b), f"output {i}: dtype {a.dtype} vs torch's {b.dtype}"
        # where torch's result requires grad but has no derivative (histogram, bincount with weights,
        # floor division, heaviside), minigrad's does not require grad
        torch_differentiable = b.requires_grad and type(b.grad_fn).__name__ != "NotImplemented"
        assert a.requires_grad == torch_differentiable, f"output {i}: requires_grad {a.requires_grad} vs torch's"
        np.testing.assert_allclose(
            a.numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=f"output {i}"
        )

    pairs = [(a, b) for a, b in zip(m_out, t_out) if isinstance(b, torch.Tensor) and a.requires_grad]
    if not pairs:
        return
    # (weights are 0 at huge and non-finite values, such as nan_to_num's float max, so the loss stays finite)
    weights = [rng.standard_normal(b.shape) * (np.abs(b.detach().numpy()) < 1e30) for _, b in pairs]
    m_loss = sum((a * mg.tensor(w.astype(a.dtype))).sum() for (a, _), w in zip(pairs, weights))
    t_loss = sum((b * torch.tensor(w, dtype=b.dtype)).sum() for (_, b), w in zip(pairs, weights))
    m_loss.backward()
    t_loss.backward()
    for i, (a, b) in enumerate(zip(m_in, t_in)):
        if b.grad is None:
            assert a.grad is None or not np.any(a.grad.numpy()), f"input {i}: a gradient where torch has none"
            continue
        assert a.grad is not None, f"input {i}: no gradient, torch has one"
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=f"grad of input {i}")
