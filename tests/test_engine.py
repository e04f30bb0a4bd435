"""The backward engine: order, accumulation, freeing, versions, hooks, grad mode, higher order."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import detect_anomaly, grad, gradcheck, gradgradcheck
from minigrad.autograd.function import Function
from minigrad.autograd.functional import hessian, hvp, jacobian, jvp, vjp


def leaf(*values):
    return mg.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_chain_of_100000_ops_backprops_iteratively_and_linearly():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.item() == 1.0


def test_diamond_reuses_a_node_and_sums_both_paths():
    x = leaf(0.3, -1.2)
    a = x * 3
    out = (a.sin() + a.exp() * a).sum()
    out.backward()
    a_ = 3 * x.numpy()
    expected = 3 * (np.cos(a_) + np.exp(a_) * a_ + np.exp(a_))
    np.testing.assert_allclose(x.grad.numpy(), expected)


def test_gradients_accumulate_across_backward_calls_and_do_not_alias():
    x, y = leaf(1.0, 2.0), leaf(3.0, 4.0)
    (x + y).sum().backward()  # the same incoming gradient reaches both leaves
    x.grad.numpy()[0] = 100.0  # changing one leaf's grad must not change the other's
    assert y.grad.numpy()[0] == 1.0
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [102.0, 3.0])


def test_saved_arrays_are_freed_after_backward_even_if_the_loss_is_kept():
    x = leaf(*range(5))
    h = x.exp()
    ref = weakref.ref(h)
    loss = (h * h).sum()
    del h
    gc.collect()
    assert ref() is not None  # the Mul node saved h for backward
    loss.backward()
    gc.collect()
    assert ref() is None  # released although `loss` is still alive
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf(2.0)
    y = (x**3).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 2 * 3 * 4.0


def test_modifying_a_saved_tensor_in_place_makes_backward_raise_naming_the_op():
    x = leaf(1.0, 2.0)
    h = x.exp()
    y = (h.sin()).sum()  # Sin saves h
    with mg.no_grad():
        h += 1
    with pytest.raises(RuntimeError, match=r"SinBackward.*version 1.*expected version 0"):
        y.backward()


def test_modifying_a_saved_output_in_place_makes_backward_raise():
    x = leaf(1.0, 2.0)
    h = x.exp()  # Exp saves its output
    with mg.no_grad():
        h *= 2
    with pytest.raises(RuntimeError, match="output of ExpBackward"):
        h.sum().backward()


@pytest.mark.parametrize(
    "make_view",
    [
        lambda h: h.reshape(2, 2),
        lambda h: h.T,
        lambda h: h[0],
        lambda h: h[:, 1:],
        lambda h: h.unsqueeze(0),
        lambda h: h.detach(),
        lambda h: h.reshape(4)[1:].reshape(1, 3),  # views of views: one counter, the base's
    ],
    ids=["reshape", "T", "int index", "slice", "unsqueeze", "detach", "view of a view"],
)
def test_writing_through_a_view_of_a_saved_tensor_makes_backward_raise(make_view):
    # as in PyTorch, views share their base's version counter: the write changes what Sin saved
    x = mg.tensor(np.arange(4.0).reshape(2, 2), requires_grad=True)
    h = x * 1
    y = h.sin().sum()  # Sin saves h
    v = make_view(h)
    with mg.no_grad():
        v += 1
    assert h._current_version() == v._current_version() == 1
    with pytest.raises(RuntimeError, match=r"SinBackward.*version 1.*expected version 0"):
        y.backward()


def test_writing_into_the_base_of_a_saved_view_makes_backward_raise():
    x = leaf(1.0, 2.0, 3.0, 4.0)
    h = x * 1
    y = h.reshape(2, 2).sin().sum()  # Sin saves the view
    with mg.no_grad():
        h[0] = 5.0  # writes into the view's memory
    with pytest.raises(RuntimeError, match=r"SinBackward \(shape \(2, 2\)\) \(a view: .*version 1.*expected version 0"):
        y.backward()


def test_copies_do_not_share_the_counter_and_an_untouched_view_backprops():
    x = leaf(1.0, 2.0, 3.0, 4.0)
    h = x * 1
    y = (h.sin() * 2).sum()
    picked = h[np.array([0, 2])]  # advanced indexing copies
    flipped = h.reshape(2, 2).T.reshape(4)  # a non-contiguous reshape copies
    with mg.no_grad():
        picked += 1
        flipped += 1
    y.backward()  # h's memory is untouched: nothing to refuse
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos([1.0, 2.0, 3.0, 4.0]))


def test_a_recorded_in_place_op_on_a_view_writes_the_base():
    # as PyTorch: `v += x` through a view of h changes h and h's history (CopySlices); a graph
    # that saved h before the write refuses backward
    x = leaf(1.0, 2.0)
    h = x * 3
    y = h.sin().sum()
    v = h[:]
    v += x
    np.testing.assert_allclose(h.numpy(), [4.0, 8.0])
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward(retain_graph=True)
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0])


def test_in_place_on_a_non_leaf_records_the_op():
    x = leaf(1.0, 2.0)
    y = x * 2
    y += x  # allowed: y is not a leaf; its history now includes the add
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_setitem_with_grad_records_an_index_put():
    x = leaf(1.0, 2.0, 3.0)
    v = leaf(10.0)
    y = x * 1
    y[1] = v * 2
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, 6.0])
    np.testing.assert_array_equal(v.grad.numpy(), [2 * 20.0 * 2])


def test_hooks_observe_and_replace_gradients_and_fire_in_autograd_grad():
    x = leaf(1.0, 2.0)
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    y = x * 3
    handle = y.register_hook(lambda g: g * 0.5)
    (gx,) = grad(y.sum(), x, retain_graph=True)
    np.testing.assert_array_equal(gx.numpy(), [1.5, 1.5])
    np.testing.assert_array_equal(seen[0], [1.5, 1.5])
    assert x.grad is None  # grad() never touches .grad
    handle.remove()
    (y * 1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_hook_returning_a_wrong_shape_is_reported():
    x = leaf(1.0, 2.0)
    y = x * 2
    y.register_hook(lambda g: mg.ones(3, dtype=np.float64))
    with pytest.raises(RuntimeError, match=r"hook on MulBackward returned shape \(3,\)"):
        y.sum().backward()


def test_retain_grad_keeps_intermediate_gradients():
    x = leaf(1.0, -1.0)
    h = x.tanh()
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * np.tanh([1.0, -1.0]))


def test_no_grad_builds_no_nodes_and_is_per_thread():
    x = leaf(1.0)
    results = {}

    def worker():
        results["thread_enabled"] = mg.is_grad_enabled()
        results["thread_y"] = x * 2

    with mg.no_grad():
        y = x * 2
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert y.grad_fn is None and not y.requires_grad
    assert results["thread_enabled"] and results["thread_y"].requires_grad


def test_detach_shares_memory_and_cuts_the_graph():
    x = leaf(1.0, 2.0)
    d = (x * 2).detach()
    assert d.is_leaf and not d.requires_grad
    e = x.detach()
    e.numpy()[0] = 9.0
    assert x.numpy()[0] == 9.0


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
def test_detect_anomaly_names_the_op_that_produced_nan():
    x = leaf(0.0, 1.0)
    y = x.sqrt()  # d/dx sqrt at 0 is inf
    with detect_anomaly():
        z = (y * 1.0).sum()
        with pytest.raises(RuntimeError, match=r"SqrtBackward.*inf"):
            z.backward()
    # outside the context no check is made
    (x.sqrt()).sum().backward()
    assert np.isinf(x.grad.numpy()[0])


def test_grad_allow_unused_and_errors():
    a, b = leaf(1.0), leaf(2.0)
    y = (a * 3).sum()
    with pytest.raises(RuntimeError, match="input 1.*not to have been used"):
        grad(y, [a, b], retain_graph=True)
    ga, gb = grad(y, [a, b], allow_unused=True)
    assert ga.item() == 3.0 and gb is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        grad(y, mg.tensor([1.0]))


def test_grad_with_respect_to_an_intermediate_tensor():
    x = leaf(1.0, 2.0)
    h = x * x
    y = (h * 3).sum()
    (gh,) = grad(y, h)
    np.testing.assert_array_equal(gh.numpy(), [3.0, 3.0])


def test_higher_order_derivatives_of_a_composite():
    x = leaf(0.7)
    y = (x.sin() * x.exp()).sum()
    (g1,) = grad(y, x, create_graph=True)
    (g2,) = grad(g1.sum(), x, create_graph=True)
    (g3,) = grad(g2.sum(), x)
    v = 0.7
    # d³/dx³ [sin x · eˣ] = 2eˣ(cos x − sin x)
    np.testing.assert_allclose(g3.item(), 2 * np.exp(v) * (np.cos(v) - np.sin(v)))


def test_backward_create_graph_gives_differentiable_grads():
    x = leaf(1.5, 2.0)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (h,) = grad(x.grad.sum(), x)
    np.testing.assert_allclose(h.numpy(), 6 * x.numpy())


def test_gradcheck_message_names_input_element_and_values():
    x = leaf(1.0, 2.0)
    with pytest.raises(Exception) as info:
        gradcheck(lambda a: a.detach() * a, (x,))
    msg = str(info.value)
    assert type(info.value).__name__ == "GradcheckError"
    assert "input 0" in msg and "element (0,)" in msg and "numerical 2" in msg and "analytic 1" in msg


def test_gradcheck_fast_mode_detects_a_wrong_gradient_and_passes_a_right_one():
    x = mg.tensor(np.random.default_rng(0).uniform(0.5, 1.5, (4, 3)), requires_grad=True)
    assert gradcheck(lambda a: (a @ a.T).tanh(), (x,), fast_mode=True)
    assert not gradcheck(lambda a: a.detach() * a, (x,), fast_mode=True, raise_exception=False)


def test_gradgradcheck_detects_a_wrong_second_derivative():
    x = leaf(0.5, 1.5)

    def wrong(a):
        d = a.detach()
        return d * d + 2 * d * (a - d)  # right value and first derivative, zero second derivative

    assert gradcheck(wrong, (x,))
    assert not gradgradcheck(wrong, (x,), raise_exception=False)


def test_gradcheck_warns_in_float32():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="float64"):
        gradcheck(lambda a: a * 2, (x,), eps=1e-2, atol=1e-2, raise_exception=False)


# ---------------------------------------------------------------- functional
def two_layer(x):
    W1 = mg.tensor(np.array([[0.5, -0.3], [0.2, 0.8], [-0.4, 0.1]]))
    W2 = mg.tensor(np.array([[0.7, -0.2, 0.4]]))
    return (W2 @ (W1 @ x).tanh()).sum()


def test_jacobian_is_the_product_of_the_layers_jacobians():
    W = np.array([[0.5, -0.3], [0.2, 0.8], [-0.4, 0.1]])
    x = mg.tensor(np.array([0.3, -0.6]))
    J = jacobian(lambda v: (mg.tensor(W) @ v).tanh(), x)
    z = W @ x.numpy()
    np.testing.assert_allclose(J.numpy(), np.diag(1 - np.tanh(z) ** 2) @ W)


def test_hessian_vjp_jvp_hvp_agree_with_each_other():
    x = mg.tensor(np.array([0.3, -0.6]))
    H = hessian(two_layer, x).numpy()
    assert H.shape == (2, 2)
    np.testing.assert_allclose(H, H.T, atol=1e-12)
    v = mg.tensor(np.array([1.0, 2.0]))
    _, hv = hvp(two_layer, x, v)
    np.testing.assert_allclose(hv.numpy(), H @ v.numpy())
    J = jacobian(lambda a: (a * a).sin(), x).numpy()
    _, jv = jvp(lambda a: (a * a).sin(), x, v)
    np.testing.assert_allclose(jv.numpy(), J @ v.numpy())
    _, uj = vjp(lambda a: (a * a).sin(), x, v)
    np.testing.assert_allclose(uj.numpy(), v.numpy() @ J)


def test_jacobian_with_tuple_inputs():
    a, b = mg.tensor(np.array([1.0, 2.0])), mg.tensor(np.array([3.0]))
    ja, jb = jacobian(lambda p, q: p * q, (a, b))
    np.testing.assert_allclose(ja.numpy(), np.diag([3.0, 3.0]))
    np.testing.assert_allclose(jb.numpy(), [[1.0], [2.0]])


# ------------------------------------------------------------------ 0-d gradients and checked rules
def test_zero_d_gradients_from_several_consumers_accumulate():
    # a 0-d gradient arrives as a NumPy scalar from NumPy arithmetic; it must never be a buffer
    x = leaf(1.0, 2.0)
    m = x.sum()
    y = (m * 2).sum() + (m * 3).sum() + m
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 6.0])
    (g,) = grad((m * m) * 2 + m, x, create_graph=True)
    assert type(g.numpy()) is np.ndarray
    (gg,) = grad(g.sum(), x)
    assert type(gg.numpy()) is np.ndarray and gg.tolist() == [8.0, 8.0]


def test_tensors_never_hold_numpy_scalars():
    t = mg.Tensor._make(np.float64(2.0))
    assert type(t.numpy()) is np.ndarray and t.shape == ()
    s = mg.tensor([1.0, 2.0], requires_grad=True).sum()
    assert type((s * s).numpy()) is np.ndarray


class _Twice(Function):
    """y = 2x, with a backward that returns what the test tells it to."""

    # parameters (apply's keyword arguments)
    answer: Any  # g -> what backward returns

    def forward(self, x):
        return 2 * x

    def backward(self, g):
        return self.answer(g)


@pytest.mark.parametrize(
    "answer,match",
    [
        (lambda g: [2 * g], "returned a list"),
        (lambda g: (2 * g, 2 * g), "incorrect number of gradients"),
        (lambda g: (), "incorrect number of gradients"),
        (
            lambda g: np.ones(5),
            r"invalid gradient at index 0 - got shape \(5,\) but expected shape compatible with \(2,\)",
        ),
        (lambda g: "two", "invalid gradient at index 0 - got a str"),
    ],
)
@pytest.mark.parametrize("create_graph", [False, True])
def test_what_a_rule_returns_is_checked(answer, match, create_graph):
    x = leaf(1.0, 2.0)
    y = _Twice.apply(x, answer=answer)
    with pytest.raises(RuntimeError, match=match):
        grad(y.sum(), x, create_graph=create_graph)


def test_a_rule_may_return_the_broadcast_shape_and_the_engine_sums_it():
    x = leaf(1.0, 2.0)
    y = _Twice.apply(x, answer=lambda g: np.ones((3, 2)))
    (g,) = grad(y.sum(), x)
    np.testing.assert_array_equal(g.numpy(), [3.0, 3.0])


def test_jacobian_with_create_graph_stays_differentiable_in_its_input():
    from minigrad.autograd.functional import jacobian

    x = mg.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    J = jacobian(lambda a: (a * a * a).sum(), x, create_graph=True)
    J.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])


@pytest.mark.parametrize(
    "fn",
    [
        lambda f, x: jacobian(f, x, strict=True),
        lambda f, x: vjp(f, x, mg.ones(2, dtype=np.float64), strict=True),
        lambda f, x: jvp(f, x, mg.ones(2, dtype=np.float64), strict=True),
    ],
)
def test_strict_functional_derivatives_refuse_an_independent_input(fn):
    x = mg.tensor([1.0, 2.0], dtype=np.float64)
    with pytest.raises(RuntimeError, match="independent of input 0"):
        fn(lambda a: mg.ones(2, dtype=np.float64) * 3, x)
    np.testing.assert_array_equal(jacobian(lambda a: mg.ones(2, dtype=np.float64) * 3, x).numpy(), np.zeros((2, 2)))


# ---------------------------------------------------------------------- the rule contract
class _Probe(Function):
    """y = a · b · c (c a constant); the rule records what the engine passed it."""

    # parameters (apply's keyword arguments)
    seen: list  # the rule appends (type of g, types of the saved values)

    save_inputs = True
    save_output = True

    def forward(self, a, b, c):
        return a * b * c

    def backward(self, g, a, b, c, y):
        self.seen.append((type(g), type(a), type(b), type(c), type(y)))
        return g * b * c, g * a * c, None


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_rule_gets_its_saved_inputs_then_output_as_arrays_or_with_create_graph_as_tensors(create_graph):
    a = mg.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    b = mg.tensor([3.0, 4.0], dtype=np.float64, requires_grad=True)
    seen: list = []
    y = _Probe.apply(a, b, 2.0, seen=seen)
    y.sum().backward(create_graph=create_graph)
    kind = mg.Tensor if create_graph else np.ndarray
    assert seen == [(kind, kind, kind, float, kind)]
    np.testing.assert_allclose(a.grad.numpy(), [6.0, 8.0])
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 4.0])
    if create_graph:  # the saved output is this node's result: the rule's graph reaches it
        assert a.grad.requires_grad


def test_a_saved_value_dropped_by_save_for_reaches_the_rule_as_none():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    node = (x * 3.0).grad_fn  # Mul keeps b for ∂a, and a only when b needs a gradient
    assert node.saved(False)[0] is None and node.saved(False)[1] == 3.0
    assert node.inputs == (None, 3.0)


def test_apply_refuses_a_parameter_the_op_does_not_declare():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(
        TypeError, match=r"_Probe.apply\(\) got undeclared parameter\(s\) sen \(the op declares: seen\)"
    ):
        _Probe.apply(x, x, 1.0, sen=[])


def test_an_op_whose_rule_does_not_take_what_it_saves_is_refused_when_defined():
    with pytest.raises(TypeError, match=r"Bad.backward\(self, g\) takes no saved values, but the op saves its output"):

        class Bad(Function):
            save_output = True

            def forward(self, x):
                return x

            def backward(self, g):
                return g


def test_a_parameter_may_not_shadow_a_node_field():
    with pytest.raises(TypeError, match="parameter 'shape' would overwrite the node's own field"):

        class Bad(Function):
            shape: tuple  # would be overwritten by the output's shape


def test_saved_values_are_version_checked_when_the_engine_fetches_them():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = y.tanh()
    y.add_(1.0)  # tanh saved its output, not y: fine
    w = y * y
    y.add_(1.0)
    z.sum().backward()
    with pytest.raises(
        RuntimeError, match=r"input 0 of MulBackward \(shape \(2,\)\) is at version 2, expected version 1"
    ):
        w.sum().backward()
