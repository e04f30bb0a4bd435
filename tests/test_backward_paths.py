"""Both backward paths agree, op by op, over the op table of tests/test_ops_gradcheck.py.

A backward rule runs two ways: on plain NumPy arrays when no graph is recorded
(``create_graph=False``, the engine's fast path) and on Tensors when it is
(``create_graph=True``, so that it can be differentiated again). gradcheck and
gradgradcheck exercise one path each, so a rule whose paths differ can pass both;
here the first derivatives from the two paths must be the same.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from test_ops_gradcheck import OPS

import minigrad as mg
from minigrad.autograd import grad


def _first_derivatives(fn, arrays, cotangent, create_graph: bool) -> list:
    inputs = [mg.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(*inputs)
    v = mg.tensor(cotangent(out.shape))
    gs = grad(out, inputs, grad_outputs=v, create_graph=create_graph, allow_unused=True)
    return [None if g is None else g.numpy() for g in gs]


@pytest.mark.parametrize("name,fn,arrays,_ops", OPS, ids=[o[0] for o in OPS])
def test_array_path_equals_tensor_path(name, fn, arrays, _ops):
    def cotangent(shape):  # the same fixed random weights for both builds
        return np.random.default_rng(zlib.crc32(name.encode())).standard_normal(shape)

    by_arrays = _first_derivatives(fn, arrays, cotangent, create_graph=False)
    by_tensors = _first_derivatives(fn, arrays, cotangent, create_graph=True)
    for i, (a, t) in enumerate(zip(by_arrays, by_tensors)):
        assert (a is None) == (t is None), f"input {i}: a gradient on one path only"
        if a is None:
            continue
        for path, g in (("create_graph=False", a), ("create_graph=True", t)):
            assert type(g) is np.ndarray, f"input {i}, {path}: the gradient holds a {type(g).__name__}"
        assert a.shape == t.shape == np.shape(arrays[i]), f"input {i}: shapes {a.shape} vs {t.shape}"
        assert a.dtype == t.dtype, f"input {i}: dtypes {a.dtype} vs {t.dtype}"
        np.testing.assert_allclose(
            a,
            t,
            rtol=1e-10,
            atol=1e-12,
            err_msg=f"input {i}: create_graph=False (arrays) vs create_graph=True (Tensors)",
        )
