"""Losses against their formulas, gradcheck/gradgradcheck of each, stability and error messages."""
from __future__ import annotations

import math

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
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(mg.tensor(x), mg.tensor(y), reduction="none").numpy(),
                               expected, rtol=1e-12)
    pw = np.array([3.0, 3.0, 0.5])
    with_pw = -(pw * y * np.log(s) + (1 - y) * np.log(1 - s))
    np.testing.assert_allclose(
        nn.BCEWithLogitsLoss(pos_weight=mg.tensor(pw), reduction="none")(mg.tensor(x), mg.tensor(y)).numpy(),
        with_pw, rtol=1e-12)
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
    ("bce-weight-sum", lambda p: F.binary_cross_entropy(p, mg.tensor(Y_BIN), weight=mg.tensor([1.0, 2.0, 0.5]),
                                                        reduction="sum"), [RNG.uniform(0.1, 0.9, (4, 3))]),
    ("bce-logits", lambda x, y: F.binary_cross_entropy_with_logits(x, y), [X * 3, RNG.uniform(size=(4, 3))]),
    ("bce-logits-pos-weight", lambda x, pw: F.binary_cross_entropy_with_logits(
        x, mg.tensor(Y_BIN), pos_weight=pw, reduction="none"), [X * 3, RNG.uniform(0.5, 2.0, 3)]),
    ("cross-entropy", lambda x: F.cross_entropy(x, T_IDX), [X]),
    ("cross-entropy-none", lambda x: F.cross_entropy(x, T_IDX, reduction="none"), [X]),
    ("cross-entropy-weight", lambda x: F.cross_entropy(x, T_IDX, weight=W3), [X]),
    ("cross-entropy-ignore", lambda x: F.cross_entropy(x, T_IGN), [X]),
    ("cross-entropy-smoothing", lambda x: F.cross_entropy(x, T_IGN, weight=W3, label_smoothing=0.2), [X]),
    ("cross-entropy-probs", lambda x, p: F.cross_entropy(x, p), [X, P_SOFT]),
    ("cross-entropy-probs-smooth-weight", lambda x: F.cross_entropy(x, mg.tensor(P_SOFT), weight=W3,
                                                                    label_smoothing=0.1, reduction="sum"), [X]),
    ("cross-entropy-kdim", lambda x: F.cross_entropy(x, mg.tensor(np.array([[0, 2], [1, 1]]))),
     [RNG.standard_normal((2, 3, 2))]),
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
    for fn, name in ((F.mse_loss, "mse_loss"), (F.l1_loss, "l1_loss"), (F.binary_cross_entropy, "binary_cross_entropy"),
                     (F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits")):
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
    for loss in (F.mse_loss(x, mg.tensor(np.zeros((4, 3)))),  # a float64 target is cast to the input's dtype
                 F.cross_entropy(x, T_IGN, label_smoothing=0.1),
                 F.binary_cross_entropy_with_logits(x, mg.tensor(Y_BIN))):
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
        (x, t, {"weight": w}), (x, t, {"label_smoothing": 0.25}), (x, t, {"weight": w, "label_smoothing": 0.1}),
        (x2, t2, {"ignore_index": 3}), (x2, t2, {"ignore_index": 3, "weight": w, "label_smoothing": 0.3}),
        (x2, probs, {"weight": w}), (x2, probs, {"label_smoothing": 0.2, "weight": w}),
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
        lm = F.binary_cross_entropy_with_logits(xm, mg.tensor(y), weight=mg.tensor(bw), pos_weight=mg.tensor(pw),
                                                reduction=reduction)
        lt = tf.binary_cross_entropy_with_logits(xt, torch.tensor(y), weight=torch.tensor(bw),
                                                 pos_weight=torch.tensor(pw), reduction=reduction)
        np.testing.assert_allclose(lm.numpy(), lt.detach().numpy(), rtol=1e-10)
        lm.sum().backward(), lt.sum().backward()
        np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-9)
