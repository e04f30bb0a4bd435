"""Tensor construction, dtype rules, conversions and the error messages bad input gets."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


# ---------------------------------------------------------------- construction and dtypes
def test_python_floats_take_the_default_dtype_and_numpy_keeps_its_own():
    assert mg.tensor([1.0, 2.0]).dtype == np.float32
    assert mg.tensor(np.zeros(2)).dtype == np.float64
    assert mg.tensor(np.zeros(2, np.float32)).dtype == np.float32
    assert mg.tensor([1, 2]).dtype == np.int64
    assert mg.tensor([True]).dtype == np.bool_
    mg.set_default_dtype(np.float64)
    try:
        assert mg.tensor(1.5).dtype == np.float64
        assert mg.ones(2).dtype == np.float64
    finally:
        mg.set_default_dtype(np.float32)


def test_tensor_copies_its_data_but_from_numpy_shares_it():
    a = np.ones(3)
    t = mg.tensor(a)
    a[0] = 5
    assert t.numpy()[0] == 1
    s = mg.from_numpy(a)
    a[1] = 7
    assert s.numpy()[1] == 7


def test_python_scalars_do_not_upcast_float32():
    x = mg.tensor(np.ones(3, np.float32), requires_grad=True)
    for y in (x * 2.5, 2.5 * x, x / 3, x**2.0, x - np.float64(1.0), np.float64(2.0) * x):
        assert y.dtype == np.float32
    (x * 2.5).sum().backward()
    assert x.grad.dtype == np.float32


def test_float64_array_operand_promotes_and_gradient_keeps_input_dtype():
    x = mg.tensor(np.ones(3, np.float32), requires_grad=True)
    y = x * np.full(3, 2.0)
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 2])


@pytest.mark.parametrize("data", [[1, 2], np.arange(3), [True, False], 4])
def test_requires_grad_on_integer_or_bool_data_is_a_clear_type_error(data):
    with pytest.raises(TypeError, match="floating-point"):
        mg.tensor(data, requires_grad=True)


def test_non_numeric_data_is_rejected_clearly():
    with pytest.raises(TypeError, match="not numeric|cannot make a tensor"):
        mg.tensor(["a", "b"])


def test_conversions():
    t = mg.tensor([[2.5]])
    assert float(t) == 2.5 and t.item() == 2.5 and int(mg.tensor(3)) == 3
    with pytest.raises(RuntimeError, match="2 elements"):
        mg.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(mg.tensor([1.0, 2.0]))
    assert len(mg.zeros(4, 2)) == 4
    assert [r.tolist() for r in mg.tensor([[1, 2], [3, 4]])] == [[1, 2], [3, 4]]


def test_repr_shows_dtype_grad_fn_and_name():
    assert repr(mg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(mg.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert "dtype=torch.float64" in repr(mg.tensor(np.ones(1)))
    assert "grad_fn=<MulBackward>" in repr(mg.tensor([1.0], requires_grad=True) * 2)
    assert "name='w'" in repr(mg.tensor([1.0], name="w"))


def test_grad_assignment_is_checked():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    x.grad = mg.tensor([3.0, 4.0])
    with pytest.raises(RuntimeError, match=r"shape \(3,\)"):
        x.grad = mg.tensor([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="Tensor or None"):
        x.grad = np.ones(2)


def test_tensors_are_hashable_by_identity():
    a, b = mg.tensor([1.0]), mg.tensor([1.0])
    assert len({a, b, a}) == 2


# ---------------------------------------------------------------- error messages
def test_misaligned_matmul_names_the_op_and_both_shapes():
    a, b = mg.ones(2, 3), mg.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"matmul.*\(2, 3\).*\(4, 5\).*3 columns.*4 rows"):
        a @ b
    with pytest.raises(ValueError):  # the same error is also a ValueError
        a @ b
    with pytest.raises(RuntimeError, match="at least 1 dim"):
        mg.tensor(2.0) @ mg.ones(2)


def test_batch_dims_that_do_not_broadcast_in_matmul():
    with pytest.raises(RuntimeError, match=r"matmul.*batch dims.*\(2, 3, 4\).*\(5, 4, 2\)"):
        mg.ones(2, 3, 4) @ mg.ones(5, 4, 2)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "truediv", "pow"])
def test_non_broadcastable_shapes_name_the_op_and_shapes(op):
    import operator

    a, b = mg.ones(2, 3, requires_grad=True), mg.ones(4)
    with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(4,\) cannot be broadcast"):
        getattr(operator, op)(a, b)


def test_failed_op_changes_nothing():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        x + mg.ones(3)
    assert x.grad is None and x.is_leaf


def test_backward_of_non_scalar_without_gradient():
    y = mg.ones(2, 2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        y.backward()


def test_backward_of_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.ones(2).sum().backward()


def test_backward_gradient_of_wrong_shape():
    y = mg.ones(2, 2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\) but the output has shape \(2, 2\)"):
        y.backward(mg.ones(3))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.sum(3),
        lambda t: t.mean(-4),
        lambda t: t.softmax(5),
        lambda t: t.amax((0, 7)),
        lambda t: t.max(7),
        lambda t: t.transpose(0, 3),
        lambda t: t.unsqueeze(5),
        lambda t: t.flatten(4),
    ],
)
def test_dim_out_of_range_is_an_index_error_with_the_valid_range(call):
    with pytest.raises(IndexError, match=r"range of \[-\d, \d\]"):
        call(mg.ones(2, 3, 4))


def test_indexing_out_of_bounds_names_the_axis_and_shape():
    x = mg.ones(3, 4, requires_grad=True)
    with pytest.raises(IndexError, match=r"out of bounds.*shape \(3, 4\)"):
        x[5]
    with pytest.raises(IndexError, match=r"out of bounds"):
        x[:, np.array([0, 9])]


def test_reshape_to_an_impossible_shape():
    with pytest.raises(RuntimeError, match=r"reshape.*\(5, 5\).*\(2, 3\).*6 elements"):
        mg.ones(2, 3).reshape(5, 5)


def test_cat_and_stack_shape_errors():
    with pytest.raises(RuntimeError, match=r"cat.*\(2, 3\).*\(2, 4\).*except dim 0"):
        mg.cat([mg.ones(2, 3), mg.ones(2, 4)], 0)
    with pytest.raises(RuntimeError, match="same shape"):
        mg.stack([mg.ones(2), mg.ones(3)])


def test_clamp_and_dropout_argument_errors():
    with pytest.raises(ValueError, match="min"):
        mg.ones(2).clamp()
    with pytest.raises(ValueError, match=r"clamp: min \(2\) must not exceed max \(1\)"):
        mg.ones(2).clamp(2, 1)
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        mg.dropout(mg.ones(2), p=1.0)


def test_in_place_on_a_leaf_that_requires_grad_says_what_to_do():
    w = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w += 1
    np.testing.assert_array_equal(w.numpy(), 1)


def test_factories_validate_sizes():
    with pytest.raises(ValueError, match="non-negative"):
        mg.zeros(-1)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        mg.randn(2, generator=3)


def test_a_used_leaf_pickles_and_copies():
    import copy
    import pickle

    from minigrad import nn

    w = nn.Parameter(mg.tensor(np.array([1.0, 2.0])))
    (w * 2).sum().backward()
    back = pickle.loads(pickle.dumps(w))
    assert type(back) is nn.Parameter and back.requires_grad and back.is_leaf
    np.testing.assert_array_equal(back.numpy(), w.numpy())
    np.testing.assert_array_equal(back.grad.numpy(), [2.0, 2.0])
    (back * 3).sum().backward()  # a usable leaf afterwards
    np.testing.assert_array_equal(back.grad.numpy(), [5.0, 5.0])
    assert copy.deepcopy(w).numpy() is not w.numpy()


# ---------------------------------------------------------------- reductions at PyTorch's edge cases
def test_std_gradient_is_zero_where_the_std_is_zero():
    # std = √var: at var = 0 the chain through √ gave g/(2·0)·0 = nan; PyTorch masks those places to 0
    data = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 3.0]])
    for kw, row1 in (
        ({"dim": 1}, [-0.5, 0.0, 0.5]),
        ({"dim": 1, "keepdim": True}, [-0.5, 0.0, 0.5]),
        ({"dim": (1,), "correction": 0}, np.array([-1.0, 0.0, 1.0]) / (3 * np.sqrt(2 / 3))),
    ):
        x = mg.tensor(data, requires_grad=True)
        x.std(**kw).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), [[0.0, 0.0, 0.0], row1], atol=1e-12, err_msg=str(kw))
    flat = mg.full((2, 3), 4.0, dtype=np.float64, requires_grad=True)
    flat.std().backward()
    np.testing.assert_array_equal(flat.grad.numpy(), 0.0)
    # the second derivative stays finite too (0 there, as PyTorch's)
    x = mg.tensor(data, requires_grad=True)
    (g,) = mg.autograd.grad(x.std(1).sum(), x, create_graph=True)
    (gg,) = mg.autograd.grad((g * g).sum(), x)
    np.testing.assert_allclose(gg.numpy(), 0.0, atol=1e-12)


def test_std_values_and_gradients_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    data = rng.standard_normal((3, 4))
    data[1] = 0.25  # a constant row: std 0
    cases = [
        {},
        {"dim": 1},
        {"dim": 0, "keepdim": True},
        {"dim": (0, 1), "correction": 0},
        {"dim": 1, "correction": 4},
        {"dim": 1, "unbiased": False},
    ]
    for kw in cases:
        x = mg.tensor(data, requires_grad=True)
        tx = torch.tensor(data, requires_grad=True)
        with np.errstate(all="ignore"):
            y = x.std(**kw)
            (y * y.detach().sin()).sum().backward()
        ty = tx.std(**kw)
        (ty * ty.detach().sin()).sum().backward()
        np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-12, err_msg=str(kw))
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-15, err_msg=str(kw))
    # create_graph: the gradient of the gradient, a constant row included
    x = mg.tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    (g,) = mg.autograd.grad(x.std(1).sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad(tx.std(1).sum(), tx, create_graph=True)
    (gg,) = mg.autograd.grad((g * g).sum(), x)
    (tgg,) = torch.autograd.grad((tg * tg).sum(), tx)
    np.testing.assert_allclose(gg.numpy(), tgg.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op", ["sum", "mean", "amax", "amin", "var", "std", "logsumexp", "max", "min"])
def test_dim_empty_tuple_reduces_over_every_dim(op):
    # PyTorch reads dim=() as "all dims"; NumPy's axis=() reduces nothing
    data = np.array([[0.5, 2.0, -1.0], [3.0, 0.25, 1.5]])
    x = mg.tensor(data, requires_grad=True)
    out = getattr(x, op)(dim=())
    full = getattr(mg.tensor(data), op)()
    assert out.shape == ()
    assert out.item() == pytest.approx(full.item())
    out.backward()
    x_all = mg.tensor(data, requires_grad=True)
    getattr(x_all, op)().backward()
    np.testing.assert_allclose(x.grad.numpy(), x_all.grad.numpy())
    if op not in ("max", "min"):  # those take no keepdim with dim=() in PyTorch either
        assert getattr(mg.tensor(data), op)(dim=(), keepdim=True).shape == (1, 1)
        assert getattr(mg, op)(mg.tensor(data), dim=()).item() == pytest.approx(full.item())


def test_dim_empty_tuple_matches_torch():
    torch = pytest.importorskip("torch")
    data = np.array([[0.5, 2.0, -1.0], [3.0, 0.25, 1.5]])
    for op in ("sum", "mean", "amax", "amin", "var", "std"):  # (torch's logsumexp(dim=()) raises)
        for keepdim in (False, True):
            ours = getattr(mg.tensor(data), op)(dim=(), keepdim=keepdim)
            theirs = getattr(torch.tensor(data), op)(dim=(), keepdim=keepdim)
            assert ours.shape == tuple(theirs.shape), (op, keepdim)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, err_msg=op)


def test_float16_mean_var_std_sum_and_divide_in_float32():
    # float16 ends at 65504: the count 100000 became inf (mean 0), and the sums overflowed
    m = mg.tensor(np.full(100_000, 0.1, np.float16)).mean()
    assert m.dtype == np.float16 and m.item() == pytest.approx(0.1, rel=1e-3)
    rows = mg.tensor(np.full((2, 100_000), 0.1, np.float16)).mean(1)
    np.testing.assert_allclose(rows.numpy().astype(np.float64), 0.1, rtol=1e-3)
    x = mg.tensor(np.full(70_000, 0.1, np.float16), requires_grad=True)
    x.mean().backward()
    assert x.grad.dtype == np.float16
    np.testing.assert_allclose(x.grad.numpy().astype(np.float64), 1 / 70_000, rtol=1e-2)
    alternating = np.tile(np.array([0.0, 1.0], np.float16), 50_000)
    for op, want in (("var", 0.25), ("std", 0.5)):
        h = mg.tensor(alternating, requires_grad=True)
        out = getattr(h, op)()
        assert out.dtype == np.float16 and out.item() == pytest.approx(want, rel=1e-3), op
        out.backward()
        # d var/dx = 2(x − x̄)/(n − 1) = ±1e-5; d std/dx = that / (2·std) = ±1e-5
        np.testing.assert_allclose(np.abs(h.grad.numpy().astype(np.float64)), 1e-5, rtol=2e-2, err_msg=op)


@pytest.mark.parametrize(
    "fn,shape,want",
    [
        (lambda x: x.softmax(0), (0, 3), np.zeros((0, 3))),
        (lambda x: x.softmax(1), (0, 3), np.zeros((0, 3))),
        (lambda x: x.log_softmax(1), (2, 0), np.zeros((2, 0))),
        (lambda x: x.log_softmax(0), (2, 0), np.zeros((2, 0))),
        (lambda x: x.logsumexp(0), (0, 3), np.full(3, -np.inf)),
        (lambda x: x.logsumexp((0, 1)), (0, 3), np.array(-np.inf)),
        (lambda x: x.logsumexp(1, keepdim=True), (0, 3), np.zeros((0, 1))),
    ],
    ids=[
        "softmax(0) (0,3)",
        "softmax(1) (0,3)",
        "log_softmax(1) (2,0)",
        "log_softmax(0) (2,0)",
        "logsumexp(0) (0,3)",
        "logsumexp(all) (0,3)",
        "logsumexp(1) (0,3)",
    ],
)
def test_softmax_family_over_an_empty_dim_follows_torch(fn, shape, want):
    x = mg.zeros(*shape, requires_grad=True)
    out = fn(x)
    np.testing.assert_array_equal(out.numpy(), want)
    out.sum().backward()
    assert x.grad.shape == shape
    try:
        import torch
    except ImportError:
        return
    theirs = fn(torch.zeros(*shape))
    assert out.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(out.numpy(), theirs.numpy())


def test_argmax_argmin_of_empty_tensors_follow_torch():
    z = mg.zeros(0, 3)
    for fn in ("argmax", "argmin"):
        out = getattr(z, fn)(1)
        assert out.shape == (0,) and out.dtype == np.int64
        assert getattr(z, fn)(1, keepdim=True).shape == (0, 1)
        assert getattr(mg.zeros(3, 0), fn)(0).shape == (0,)
        assert getattr(mg.zeros(0, 3, 0), fn)(1).shape == (0, 0)  # reducing a non-empty dim of an empty tensor
        with pytest.raises(IndexError, match=rf"{fn}\(\): Expected reduction dim 0 to have non-zero size"):
            getattr(z, fn)(0)
        with pytest.raises(IndexError, match=rf"{fn}\(\): Expected reduction dim 1 to have non-zero size"):
            getattr(mg.zeros(3, 0), fn)(1)
        with pytest.raises(IndexError, match="Expected reduction dim to be specified"):
            getattr(z, fn)()
    np.testing.assert_array_equal(mg.tensor([[1.0, 5.0, 2.0]]).argmax(1).numpy(), [1])  # non-empty unchanged


def test_softmax_of_rows_holding_infinities_follows_torch():
    inf = np.inf
    rows = {  # row: (softmax, log_softmax, logsumexp) as PyTorch gives them
        (inf, 0.0): ([np.nan, np.nan], [np.nan, np.nan], inf),
        (-inf, -inf): ([np.nan, np.nan], [np.nan, np.nan], -inf),
        (inf, -inf): ([np.nan, np.nan], [np.nan, np.nan], inf),
        (-inf, 0.0): ([0.0, 1.0], [-inf, 0.0], 0.0),
    }
    for row, (sm, lsm, lse) in rows.items():
        x = mg.tensor(np.array(row))
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(x.softmax(0).numpy(), sm, err_msg=str(row))
            np.testing.assert_array_equal(x.log_softmax(0).numpy(), lsm, err_msg=str(row))
            assert x.logsumexp(0).item() == lse or (np.isnan(lse) and np.isnan(x.logsumexp(0).item())), row
