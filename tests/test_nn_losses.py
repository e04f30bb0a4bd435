"""Losses against their formulas, gradcheck/gradgradcheck of each, stability and error messages."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(5)


def leaf(array):
    return mg.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def torch_or_skip():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return torch


# ---------------------------------------------------------------------- hand-computed values
def test_mse_and_l1_by_hand():
    x = mg.tensor([[1.0, 2.0], [3.0, 5.0]])
    y = mg.tensor([[0.0, 2.0], [1.0, 1.0]])
    assert F.mse_loss(x, y).item() == pytest.approx((1 + 0 + 4 + 16) / 4)
    assert F.mse_loss(x, y, reduction="sum").item() == pytest.approx(21)
    np.testing.assert_allclose(F.mse_loss(x, y, reduction="none").numpy(), [[1, 0], [4, 16]])
    assert nn.L1Loss()(x, y).item() == pytest.approx((1 + 0 + 2 + 4) / 4)
    np.testing.assert_allclose(F.l1_loss(x, y, reduction="none").numpy(), [[1, 0], [2, 4]])
    # integer targets are fine for regression losses (cast to the input's dtype)
    assert F.mse_loss(x, mg.tensor([[1, 2], [3, 5]])).item() == 0.0


def test_bce_by_hand_and_clamped_log():
    p = mg.tensor([0.9, 0.2, 0.5])
    y = mg.tensor([1.0, 0.0, 1.0])
    expected = -np.array([math.log(0.9), math.log(0.8), math.log(0.5)])
    np.testing.assert_allclose(F.binary_cross_entropy(p, y, reduction="none").numpy(), expected, rtol=1e-6)
    assert nn.BCELoss()(p, y).item() == pytest.approx(expected.mean(), rel=1e-6)
    w = mg.tensor([1.0, 2.0, 0.0])
    assert nn.BCELoss(weight=w, reduction="sum")(p, y).item() == pytest.approx(expected[0] + 2 * expected[1])
    # a certain, wrong prediction costs 100 (log clamped at −100), with a finite gradient
    q = mg.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    loss = F.binary_cross_entropy(q, mg.tensor([1.0, 0.0, 0.0, 1.0]), reduction="none")
    np.testing.assert_array_equal(loss.numpy(), [100.0, 100.0, 0.0, 0.0])
    loss.sum().backward()
    assert np.all(np.isfinite(q.grad.numpy()))


def test_bce_with_logits_by_hand_and_pos_weight():
    x = np.array([-2.0, 0.0, 3.0])
    y = np.array([0.0, 1.0, 1.0])
    s = 1 / (1 + np.exp(-x))
    expected = -(y * np.log(s) + (1 - y) * np.log(1 - s))
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(mg.tensor(x), mg.tensor(y), reduction="none").numpy(), expected, rtol=1e-12
    )
    pw = np.array([3.0, 3.0, 0.5])
    with_pw = -(pw * y * np.log(s) + (1 - y) * np.log(1 - s))
    np.testing.assert_allclose(
        nn.BCEWithLogitsLoss(pos_weight=mg.tensor(pw), reduction="none")(mg.tensor(x), mg.tensor(y)).numpy(),
        with_pw,
        rtol=1e-12,
    )
    # the gradient is σ(x) − y, at the kink x = 0 too
    xl = leaf(x)
    F.binary_cross_entropy_with_logits(xl, mg.tensor(y), reduction="sum").backward()
    np.testing.assert_allclose(xl.grad.numpy(), s - y, rtol=1e-12)


def test_cross_entropy_and_nll_by_hand():
    x = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    t = np.array([2, 0])
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    expected = -logp[[0, 1], t]
    np.testing.assert_allclose(F.cross_entropy(mg.tensor(x), mg.tensor(t), reduction="none").numpy(), expected)
    assert nn.CrossEntropyLoss()(mg.tensor(x), mg.tensor(t)).item() == pytest.approx(expected.mean())
    assert nn.NLLLoss()(mg.tensor(logp), mg.tensor(t)).item() == pytest.approx(expected.mean())
    # probability targets: −Σ p·log softmax
    p = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
    assert F.cross_entropy(mg.tensor(x), mg.tensor(p)).item() == pytest.approx(-(p * logp).sum(1).mean())
    # gradient softmax − onehot (divided by N for the mean)
    xl = leaf(x)
    nn.CrossEntropyLoss()(xl, mg.tensor(t)).backward()
    onehot = np.eye(3)[t]
    np.testing.assert_allclose(xl.grad.numpy(), (np.exp(logp) - onehot) / 2)


def test_nll_weight_and_ignore_index_by_hand():
    logp = np.log(np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]]))
    t = np.array([1, 0, -100])
    w = np.array([2.0, 3.0])
    loss = F.nll_loss(mg.tensor(logp), mg.tensor(t), weight=mg.tensor(w))
    # mean = Σ w[t]·(−log p[t]) / Σ w[t] over the samples not ignored
    assert loss.item() == pytest.approx((3 * -math.log(0.8) + 2 * -math.log(0.6)) / 5)
    none = F.nll_loss(mg.tensor(logp), mg.tensor(t), reduction="none")
    np.testing.assert_allclose(none.numpy(), [-math.log(0.8), -math.log(0.6), 0.0])


def test_label_smoothing_by_hand():
    x = np.array([[2.0, 0.0, -1.0]])
    t = np.array([0])
    eps = 0.3
    logp = x - np.log(np.exp(x).sum())
    expected = (1 - eps) * -logp[0, 0] + eps * -logp[0].mean()
    assert F.cross_entropy(mg.tensor(x), mg.tensor(t), label_smoothing=eps).item() == pytest.approx(expected)


# ---------------------------------------------------------------------- gradcheck and gradgradcheck
X = RNG.standard_normal((4, 3))
T_IDX = mg.tensor(np.array([2, 0, 1, 2]))
T_IGN = mg.tensor(np.array([2, -100, 1, 0]))
P_SOFT = RNG.uniform(size=(4, 3))
P_SOFT /= P_SOFT.sum(1, keepdims=True)
Y_BIN = (RNG.uniform(size=(4, 3)) > 0.5).astype(np.float64)
W3 = mg.tensor(np.array([0.5, 2.0, 1.0]))

LOSS_CASES = [
    ("mse", lambda x, y: F.mse_loss(x, y), [X, RNG.standard_normal((4, 3))]),
    ("mse-none", lambda x, y: F.mse_loss(x, y, reduction="none"), [X, RNG.standard_normal((4, 3))]),
    ("l1", lambda x: F.l1_loss(x, mg.tensor(X + 0.5)), [X]),
    ("bce", lambda p, y: F.binary_cross_entropy(p, y), [RNG.uniform(0.1, 0.9, (4, 3)), RNG.uniform(size=(4, 3))]),
    (
        "bce-weight-sum",
        lambda p: F.binary_cross_entropy(p, mg.tensor(Y_BIN), weight=mg.tensor([1.0, 2.0, 0.5]), reduction="sum"),
        [RNG.uniform(0.1, 0.9, (4, 3))],
    ),
    ("bce-logits", lambda x, y: F.binary_cross_entropy_with_logits(x, y), [X * 3, RNG.uniform(size=(4, 3))]),
    (
        "bce-logits-pos-weight",
        lambda x, pw: F.binary_cross_entropy_with_logits(x, mg.tensor(Y_BIN), pos_weight=pw, reduction="none"),
        [X * 3, RNG.uniform(0.5, 2.0, 3)],
    ),
    ("cross-entropy", lambda x: F.cross_entropy(x, T_IDX), [X]),
    ("cross-entropy-none", lambda x: F.cross_entropy(x, T_IDX, reduction="none"), [X]),
    ("cross-entropy-weight", lambda x: F.cross_entropy(x, T_IDX, weight=W3), [X]),
    ("cross-entropy-ignore", lambda x: F.cross_entropy(x, T_IGN), [X]),
    ("cross-entropy-smoothing", lambda x: F.cross_entropy(x, T_IGN, weight=W3, label_smoothing=0.2), [X]),
    ("cross-entropy-probs", lambda x, p: F.cross_entropy(x, p), [X, P_SOFT]),
    (
        "cross-entropy-probs-smooth-weight",
        lambda x: F.cross_entropy(x, mg.tensor(P_SOFT), weight=W3, label_smoothing=0.1, reduction="sum"),
        [X],
    ),
    (
        "cross-entropy-kdim",
        lambda x: F.cross_entropy(x, mg.tensor(np.array([[0, 2], [1, 1]]))),
        [RNG.standard_normal((2, 3, 2))],
    ),
    ("cross-entropy-unbatched", lambda x: F.cross_entropy(x, mg.tensor(np.array(1))), [RNG.standard_normal(3)]),
    ("nll", lambda x: F.nll_loss(x.log_softmax(1), T_IDX), [X]),
    ("nll-weight-ignore", lambda x: F.nll_loss(x, T_IGN, weight=W3), [X]),
]


@pytest.mark.parametrize("name,fn,arrays", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_loss_gradcheck(name, fn, arrays):
    assert gradcheck(fn, [leaf(a) for a in arrays])


@pytest.mark.parametrize("name,fn,arrays", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_loss_gradgradcheck(name, fn, arrays):
    assert gradgradcheck(fn, [leaf(a) for a in arrays])


# ---------------------------------------------------------------------- stability
def test_extreme_logits_give_finite_values_and_gradients():
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0]])
    for target in (mg.tensor(np.array([1, 0])), mg.tensor(np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]))):
        for kw in ({}, {"label_smoothing": 0.1}, {"weight": W3}):
            xl = leaf(x)
            loss = F.cross_entropy(xl, target, **kw)
            loss.backward()
            assert np.isfinite(loss.item()) and np.all(np.isfinite(xl.grad.numpy())), kw
    xl = leaf(x.ravel())
    loss = F.binary_cross_entropy_with_logits(xl, mg.tensor([1.0, 0.0, 0.5, 1.0, 0.0, 1.0]), pos_weight=mg.tensor(2.0))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(xl.grad.numpy()))
    # wrong with confidence 1000: the loss is 2000 (not inf), the gradient ±1
    big = leaf([1000.0])
    F.binary_cross_entropy_with_logits(big, mg.tensor([0.0]), reduction="sum").backward()
    assert big.grad.item() == pytest.approx(1.0)
    x32 = mg.tensor(np.array([1e4, -1e4], dtype=np.float32), requires_grad=True)
    F.binary_cross_entropy_with_logits(x32, mg.tensor(np.array([0.0, 0.0], dtype=np.float32))).backward()
    assert x32.grad.dtype == np.float32 and np.all(np.isfinite(x32.grad.numpy()))


# ---------------------------------------------------------------------- errors
def test_wrong_target_shapes_name_the_loss_and_both_shapes():
    x = mg.ones(4, 1)
    for fn, name in (
        (F.mse_loss, "mse_loss"),
        (F.l1_loss, "l1_loss"),
        (F.binary_cross_entropy, "binary_cross_entropy"),
        (F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits"),
    ):
        with pytest.raises(ValueError, match=rf"{name}: target of shape \(4,\) does not match input of shape \(4, 1\)"):
            fn(x * 0.5, mg.ones(4) * 0.5)
    with pytest.raises(ValueError, match=r"cross_entropy: target of shape \(3,\) does not fit \w+ of shape \(4, 5\)"):
        F.cross_entropy(mg.ones(4, 5), mg.tensor(np.array([0, 1, 2])))
    with pytest.raises(ValueError, match=r"nll_loss: target of shape \(4, 1\)"):
        F.nll_loss(mg.ones(4, 5), mg.tensor(np.zeros((4, 1), dtype=np.int64)))


def test_wrong_target_dtypes_name_the_loss_and_dtype():
    with pytest.raises(TypeError, match="binary_cross_entropy: .*int64"):
        F.binary_cross_entropy(mg.ones(3) * 0.5, mg.tensor(np.array([1, 0, 1])))
    with pytest.raises(TypeError, match="cross_entropy: class-index targets must be an integer tensor, got dtype f"):
        F.cross_entropy(mg.ones(3, 4), mg.tensor([0.0, 1.0, 2.0]))
    with pytest.raises(TypeError, match="cross_entropy: a target of the input's shape"):
        F.cross_entropy(mg.ones(3, 4), mg.tensor(np.zeros((3, 4), dtype=np.int64)))
    with pytest.raises(TypeError, match="nll_loss: .*float"):
        nn.NLLLoss()(mg.ones(3, 4), mg.tensor([0.0, 1.0, 2.0]))


def test_other_errors():
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(mg.ones(2, 2), mg.tensor(np.array([0, 1])), reduction="mena")
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(mg.tensor([1.5, 0.5]), mg.tensor([1.0, 0.0]))
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.nll_loss(mg.ones(2, 3), mg.tensor(np.array([0, 7])))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(mg.ones(2, 3), mg.tensor(np.array([0, 3])))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(mg.ones(2, 3), mg.tensor(np.array([0, 1])), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"weight should have one entry per class, shape \(3,\)"):
        F.cross_entropy(mg.ones(2, 3), mg.tensor(np.array([0, 1])), weight=mg.ones(2))


def test_all_targets_ignored_gives_nan_like_pytorch():
    loss = F.cross_entropy(mg.ones(2, 3), mg.tensor(np.array([-100, -100])))
    assert math.isnan(loss.item())


def test_weight_buffers_are_in_the_state_dict():
    ce = nn.CrossEntropyLoss(weight=[1.0, 2.0])
    assert list(ce.state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=mg.tensor([2.0])).state_dict()) == ["pos_weight"]
    assert list(nn.MSELoss().state_dict()) == []


def test_float32_stays_float32():
    x = mg.tensor(RNG.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    for loss in (
        F.mse_loss(x, mg.tensor(np.zeros((4, 3)))),  # a float64 target is cast to the input's dtype
        F.cross_entropy(x, T_IGN, label_smoothing=0.1),
        F.binary_cross_entropy_with_logits(x, mg.tensor(Y_BIN)),
    ):
        assert loss.dtype == np.float32
        loss.backward()
        assert x.grad.dtype == np.float32


# ---------------------------------------------------------------------- PyTorch's options
def test_options_match_torch():
    torch = torch_or_skip()
    tf = torch.nn.functional
    x = RNG.standard_normal((5, 4, 3)) * 2  # (N, C, d)
    t = RNG.integers(0, 4, (5, 3))
    t[0, 0] = t[2, 1] = -100
    w = RNG.uniform(0.5, 2.0, 4)
    x2 = RNG.standard_normal((6, 4))
    t2 = RNG.integers(0, 4, 6)
    t2[1] = 3
    probs = RNG.uniform(size=(6, 4))
    probs /= probs.sum(1, keepdims=True)
    cases = [
        (x, t, {"weight": w}),
        (x, t, {"label_smoothing": 0.25}),
        (x, t, {"weight": w, "label_smoothing": 0.1}),
        (x2, t2, {"ignore_index": 3}),
        (x2, t2, {"ignore_index": 3, "weight": w, "label_smoothing": 0.3}),
        (x2, probs, {"weight": w}),
        (x2, probs, {"label_smoothing": 0.2, "weight": w}),
    ]
    for xa, ta, kw in cases:
        for reduction in ("mean", "sum", "none"):
            xm, xt = leaf(xa), torch.tensor(xa, requires_grad=True)
            kw_m = {k: (mg.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
            kw_t = {k: (torch.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
            lm = F.cross_entropy(xm, mg.tensor(ta), reduction=reduction, **kw_m)
            lt = tf.cross_entropy(xt, torch.tensor(ta), reduction=reduction, **kw_t)
            np.testing.assert_allclose(lm.numpy(), lt.detach().numpy(), rtol=1e-10, err_msg=f"{kw} {reduction}")
            lm.sum().backward()
            lt.sum().backward()
            np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-9, atol=1e-12)
            if ta.dtype.kind == "i" and not kw.get("label_smoothing"):
                lp = F.nll_loss(mg.tensor(xa).log_softmax(1), mg.tensor(ta), reduction=reduction, **kw_m)
                np.testing.assert_allclose(lp.numpy(), lt.detach().numpy(), rtol=1e-10)
    # BCE with weight, BCE-with-logits with weight and pos_weight (broadcast over the last dim)
    p = RNG.uniform(0.05, 0.95, (5, 3))
    y = RNG.uniform(size=(5, 3))
    bw = RNG.uniform(size=3)
    pw = RNG.uniform(0.5, 3.0, 3)
    for reduction in ("mean", "sum", "none"):
        pm, pt = leaf(p), torch.tensor(p, requires_grad=True)
        lm = F.binary_cross_entropy(pm, mg.tensor(y), weight=mg.tensor(bw), reduction=reduction)
        lt = tf.binary_cross_entropy(pt, torch.tensor(y), weight=torch.tensor(bw), reduction=reduction)
        np.testing.assert_allclose(lm.numpy(), lt.detach().numpy(), rtol=1e-10)
        lm.sum().backward(), lt.sum().backward()
        np.testing.assert_allclose(pm.grad.numpy(), pt.grad.numpy(), rtol=1e-9)
        xm, xt = leaf(p * 8 - 4), torch.tensor(p * 8 - 4, requires_grad=True)
        lm = F.binary_cross_entropy_with_logits(
            xm, mg.tensor(y), weight=mg.tensor(bw), pos_weight=mg.tensor(pw), reduction=reduction
        )
        lt = tf.binary_cross_entropy_with_logits(
            xt, torch.tensor(y), weight=torch.tensor(bw), pos_weight=torch.tensor(pw), reduction=reduction
        )
        np.testing.assert_allclose(lm.numpy(), lt.detach().numpy(), rtol=1e-10)
        lm.sum().backward(), lt.sum().backward()
        np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-9)


# ---------------------------------------------------------------------- binary cross-entropy at the edges
def test_bce_gradient_of_confident_predictions_follows_torch_formula():
    # PyTorch's backward (p − t)/max(p(1 − p), 1e-12): a confidently wrong prediction still learns,
    # where differentiating through the −100 clamp gave 0; and p = t ∈ {0, 1} gets exactly 0
    for dtype, tiny in ((np.float32, 1e-30), (np.float64, 1e-50)):
        p = mg.tensor(np.array([0.0, 1.0, tiny, 0.0, 1.0, 0.3], dtype), requires_grad=True)
        t = mg.tensor(np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.6], dtype))
        loss = F.binary_cross_entropy(p, t, reduction="sum")
        loss.backward()
        pa, ta = p.numpy().astype(np.float64), t.numpy().astype(np.float64)
        expected = (pa - ta) / np.maximum(pa * (1 - pa), 1e-12)
        np.testing.assert_allclose(p.grad.numpy(), expected, rtol=1e-5, err_msg=str(dtype))
        assert p.grad.numpy()[0] < -1e11 and p.grad.numpy()[1] > 1e11 and p.grad.numpy()[2] < -1e11
        np.testing.assert_array_equal(p.grad.numpy()[3:5], 0.0)
        # the value still clamps each log at −100 (log 1e-50 = −115 too)
        values = F.binary_cross_entropy(p, t, reduction="none").numpy()
        np.testing.assert_allclose(
            values[:3], [100.0, 100.0, 100.0 if dtype == np.float64 else -np.log(1e-30)], rtol=1e-6
        )


def test_bce_values_and_gradients_match_torch():
    torch = torch_or_skip()
    tf = torch.nn.functional
    p = np.array([0.0, 1.0, 1e-30, 0.0, 1.0, 0.3, 0.999, 1e-8], np.float32)
    t = np.array([1.0, 0.0, 0.0, 0.0, 1.0, 0.6, 0.2, 1.0], np.float32)
    w = np.array([1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 1.0, 0.25], np.float32)
    for reduction in ("mean", "sum", "none"):
        ours_p = mg.tensor(p, requires_grad=True)
        ours_t = mg.tensor(t, requires_grad=True)
        theirs_p = torch.tensor(p, requires_grad=True)
        theirs_t = torch.tensor(t, requires_grad=True)
        with np.errstate(all="ignore"):
            ours = F.binary_cross_entropy(ours_p, ours_t, weight=mg.tensor(w), reduction=reduction)
            ours.sum().backward()
        theirs = tf.binary_cross_entropy(theirs_p, theirs_t, weight=torch.tensor(w), reduction=reduction)
        theirs.sum().backward()
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-5, err_msg=reduction)
        np.testing.assert_allclose(ours_p.grad.numpy(), theirs_p.grad.numpy(), rtol=1e-5, err_msg=reduction)
        # the target's gradient is log(1 − p) − log p (±inf at p ∈ {0, 1}), as PyTorch's
        np.testing.assert_allclose(ours_t.grad.numpy(), theirs_t.grad.numpy(), rtol=1e-5, err_msg=reduction)


def test_bce_second_derivative_matches_the_first_derivatives_formula():
    p = leaf([0.2, 0.7, 0.5])
    t = mg.tensor([0.0, 1.0, 0.3], dtype=np.float64)
    (g,) = mg.autograd.grad(F.binary_cross_entropy(p, t, reduction="sum"), p, create_graph=True)
    (gg,) = mg.autograd.grad(g.sum(), p)
    pa, ta = p.numpy(), t.numpy()
    # d/dp (p − t)/(p(1 − p)) = [p(1 − p) − (p − t)(1 − 2p)] / (p(1 − p))²
    q = pa * (1 - pa)
    np.testing.assert_allclose(gg.numpy(), (q - (pa - ta) * (1 - 2 * pa)) / q**2, rtol=1e-12)


@pytest.mark.parametrize(
    "bad,what",
    [
        ((np.nan, 0.5), "input"),
        ((1.5, 0.5), "input"),
        ((-0.1, 0.5), "input"),
        ((0.5, 2.0), "target"),
        ((0.5, -0.1), "target"),
        ((0.5, np.nan), "target"),
    ],
    ids=["nan-input", "input>1", "input<0", "target>1", "target<0", "nan-target"],
)
def test_bce_refuses_values_outside_0_1_and_nan_as_torch(bad, what):
    p, t = bad
    for fn in (F.binary_cross_entropy, nn.BCELoss()):
        x = mg.tensor(np.float32([p, 0.5]), requires_grad=True)
        with pytest.raises(RuntimeError, match=f"all elements of {what} should be between 0 and 1"):
            fn(x, mg.tensor(np.float32([t, 0.0])))


def test_bce_of_integer_or_bool_predictions_computes_in_the_default_float_dtype():
    loss = F.binary_cross_entropy(mg.tensor([True, False]), mg.tensor([1.0, 0.0]), reduction="none")
    assert loss.dtype == np.float32
    np.testing.assert_array_equal(loss.numpy(), [0.0, 0.0])


# ---------------------------------------------------------------------- cross-entropy edge cases
@pytest.mark.parametrize("bad", [-1, -2, 3])
def test_cross_entropy_target_outside_the_classes_raises_index_error(bad):
    # the fused path's uint64 view of a negative target wrapped round to the last class
    x = mg.tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    target = mg.tensor(np.array([bad, 0, 1, 2]))
    for kw in ({}, {"reduction": "none"}, {"ignore_index": 1}, {"label_smoothing": 0.1}, {"weight": W3}):
        with pytest.raises(IndexError, match=f"Target {bad} is out of bounds"):
            F.cross_entropy(x, target, **kw)
    with pytest.raises(IndexError, match=f"Target {bad} is out of bounds"):
        nn.CrossEntropyLoss()(x, target)
    # a target equal to ignore_index is ignored, negative or not
    ignored = F.cross_entropy(x, target, ignore_index=bad)
    assert ignored.item() == pytest.approx(F.cross_entropy(x[1:], target[1:]).item())


def test_cross_entropy_float_target_of_the_wrong_shape_names_both_shapes():
    with pytest.raises(ValueError, match=r"must have the input's shape \(4, 3\), got \(4, 5\)"):
        F.cross_entropy(mg.ones(4, 3), mg.ones(4, 5) / 5)
    with pytest.raises(RuntimeError, match=r"\(4, 3\).*\(5, 3\)"):
        F.cross_entropy(mg.ones(4, 3), mg.ones(5, 3) / 3)


def test_cross_entropy_class_weights_summing_to_zero_as_torch():
    x = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    t = mg.tensor(np.array([0, 1]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from the division by 0 either
        signed = F.cross_entropy(mg.tensor(x), t, weight=mg.tensor([1.0, -1.0, 0.0]))
        zeros = F.cross_entropy(mg.tensor(x), t, weight=mg.zeros(3, dtype=np.float64))
        smoothed = F.cross_entropy(mg.tensor(x), t, weight=mg.tensor([1.0, -1.0, 0.0]), label_smoothing=0.2)
    assert signed.item() == np.inf  # Σ w·ℓ = 1 over Σ w = 0
    assert math.isnan(zeros.item()) and smoothed.item() == np.inf
    try:
        import torch
    except ImportError:
        return
    tf = torch.nn.functional
    for w, kw in (([1.0, -1.0, 0.0], {}), ([0.0, 0.0, 0.0], {}), ([1.0, -1.0, 0.0], {"label_smoothing": 0.2})):
        theirs = tf.cross_entropy(
            torch.tensor(x), torch.tensor([0, 1]), weight=torch.tensor(w, dtype=torch.float64), **kw
        )
        with np.errstate(all="ignore"):
            ours = F.cross_entropy(mg.tensor(x), t, weight=mg.tensor(w, dtype=np.float64), **kw)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_float16_cross_entropy_mean_over_more_than_65504_samples():
    # the total (100000·log 2) and the count both overflow float16: PyTorch sums and divides in float32
    n = 100_000
    x = mg.tensor(np.zeros((n, 2), np.float16), requires_grad=True)
    loss = F.cross_entropy(x, mg.tensor(np.zeros(n, np.int64)))
    assert loss.dtype == np.float16 and loss.item() == pytest.approx(math.log(2), rel=1e-3)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy()[:3].astype(np.float64), [[-0.5 / n, 0.5 / n]] * 3, rtol=2e-2)
    # the same through the recorded (create_graph) rule
    (g,) = mg.autograd.grad(F.cross_entropy(x, mg.tensor(np.zeros(n, np.int64))), x, create_graph=True)
    np.testing.assert_allclose(g.numpy()[:3].astype(np.float64), [[-0.5 / n, 0.5 / n]] * 3, rtol=2e-2)


def test_cross_entropy_of_integer_logits_computes_in_the_default_float_dtype():
    logits = np.array([[10, 200], [3, 1]], np.uint8)
    target = mg.tensor(np.array([1, 0]))
    loss = F.cross_entropy(mg.tensor(logits), target, reduction="none")
    assert loss.dtype == np.float32
    np.testing.assert_allclose(
        loss.numpy(), F.cross_entropy(mg.tensor(logits.astype(np.float32)), target, reduction="none").numpy()
    )
