"""PyTorch's custom-function protocol (``mg.autograd.Function`` with ``ctx``), as a user writes it."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function, grad, gradcheck, gradgradcheck, once_differentiable


class P3(Function):
    """The Legendre polynomial P3(x) = (5x³ − 3x) / 2, with its derivative written by hand."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return 0.5 * (5 * x**3 - 3 * x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 1.5 * (5 * x**2 - 1)


class ScaleShift(Function):
    """y = a·x + b with a Python number a (no gradient) and tensors x, b (b broadcast)."""

    @staticmethod
    def forward(ctx, x, a, b):
        ctx.a = a
        ctx.mark_non_differentiable()
        return x * a + b

    @staticmethod
    def backward(ctx, g):
        return g * ctx.a, None, g  # the gradient of b has x's shape: the engine sums it to b's


def leaf(*values):
    return mg.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_a_custom_function_runs_forward_and_backward():
    x = leaf(0.5, -1.0, 2.0)
    y = P3.apply(x)
    assert y.grad_fn.name == "P3Backward" and y.requires_grad
    np.testing.assert_allclose(y.numpy(), 0.5 * (5 * x.numpy() ** 3 - 3 * x.numpy()))
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * (5 * x.numpy() ** 2 - 1))


def test_custom_functions_pass_gradcheck_and_gradgradcheck():
    x = leaf(0.3, -0.7, 1.1)
    assert gradcheck(P3.apply, (x,))
    assert gradgradcheck(P3.apply, (x,))
    b = leaf(0.25)
    assert gradcheck(lambda x, b: ScaleShift.apply(x, 3.0, b), (x, b))


def test_constants_get_none_and_broadcast_gradients_are_summed():
    x, b = leaf(1.0, 2.0, 3.0), leaf(0.5)
    ScaleShift.apply(x, 3.0, b).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0, 3.0])
    np.testing.assert_array_equal(b.grad.numpy(), [3.0])


def test_needs_input_grad_and_no_graph_without_grad():
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, x, y):
            seen.append(ctx.needs_input_grad)
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g, g

    x, y = leaf(1.0), mg.tensor([2.0])
    assert Probe.apply(x, y).requires_grad
    with mg.no_grad():
        assert not Probe.apply(x, y).requires_grad
    assert seen == [(True, False), (False, False)]


@pytest.mark.parametrize(
    "bad,match",
    [
        (lambda g: (g, g), "incorrect number of gradients"),
        (lambda g: [g], "returned a list"),
        (lambda g: mg.ones(5), r"invalid gradient at index 0 - got shape \(5,\)"),
        (lambda g: "g", "invalid gradient at index 0"),
    ],
)
def test_what_backward_returns_is_checked_and_names_the_function(bad, match):
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return bad(g)

    x = leaf(1.0, 2.0)
    with pytest.raises(RuntimeError, match=match) as info:
        Bad.apply(x).sum().backward()
    assert "BadBackward" in str(info.value)


def test_a_gradient_for_a_non_tensor_input_is_refused():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="not a Tensor"):
        Bad.apply(leaf(1.0), 2.0).sum().backward()


def test_saved_tensors_are_version_checked_and_freed():
    x = leaf(1.0, 2.0)
    h = x * 1.0
    y = P3.apply(h)
    h.mul_(2)  # h was saved by P3
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()
    y = P3.apply(x * 1.0)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.sum().backward()


def test_second_order_through_a_differentiable_backward():
    x = leaf(0.5, 2.0)
    (g,) = grad(P3.apply(x).sum(), x, create_graph=True)
    (gg,) = grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 15 * x.numpy())


def test_once_differentiable_backward_may_use_numpy_but_refuses_second_order():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return mg.from_numpy(3 * x.numpy() ** 2 * g.numpy())

    x = leaf(1.0, 2.0)
    Cube.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 12.0])
    (g,) = grad(Cube.apply(x).sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()


def test_multiple_outputs_non_differentiable_outputs_and_materialized_grads():
    class SortValues(Function):
        @staticmethod
        def forward(ctx, x):
            order = mg.tensor(np.argsort(x.numpy()))
            ctx.mark_non_differentiable(order)
            ctx.save_for_backward(order)
            return x[order], order

        @staticmethod
        def backward(ctx, g_values, g_order):
            assert g_order is None or not g_order.requires_grad
            (order,) = ctx.saved_tensors
            out = mg.zeros(g_values.shape, dtype=g_values.dtype)
            out[order] = g_values
            return out

    x = leaf(3.0, 1.0, 2.0)
    values, order = SortValues.apply(x)
    assert not order.requires_grad and values.requires_grad
    (values * mg.tensor([1.0, 10.0, 100.0], dtype=mg.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [100.0, 1.0, 10.0])


def test_an_input_returned_unchanged_does_not_lose_its_own_history():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return 2 * g

    x = leaf(1.0)
    h = x * 3
    y = Identity.apply(h)
    assert y is not h and h.grad_fn.name == "MulBackward"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0])


def test_mark_dirty_for_a_forward_that_writes_its_input():
    class AddOneInPlace(Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1.0)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = leaf(1.0, 2.0)
    h = x * 2
    y = AddOneInPlace.apply(h)
    assert y is h and h.tolist() == [3.0, 5.0]
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [12.0, 20.0])


def test_calling_the_class_is_a_clear_error():
    with pytest.raises(RuntimeError, match=r"P3\.apply"):
        P3()(leaf(1.0))


def test_matches_torch_custom_function():
    torch = pytest.importorskip("torch")

    class TP3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 0.5 * (5 * x**3 - 3 * x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 1.5 * (5 * x**2 - 1)

    data = np.linspace(-1, 1, 7)
    xm, xt = mg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    (P3.apply(xm) ** 2).sum().backward()
    (TP3.apply(xt) ** 2).sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
