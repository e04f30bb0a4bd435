"""The nn pieces PyTorch beginners reach for (API revision 2): one_hot, embedding, the smooth activations,
the robust and KL losses, normalize / cosine_similarity, Unflatten and the dict/list containers.

Each is checked against PyTorch where it is installed (values, gradients, errors, reprs, state_dict
keys) and, without it, against numbers worked out by hand.
"""

from __future__ import annotations

import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, optim

RNG = np.random.default_rng(12)


def _grad_pair(mg_fn, torch_fn, *arrays, dtype=np.float64, upstream_seed=0):
    """Run both functions on the same inputs with the same upstream gradient; return values and input grads.

    For float32, PyTorch runs in float64 on the same (float32-rounded) numbers: the exact answer, which
    ours must match to float32 precision (PyTorch's own float32 kernels are off by more in places, e.g.
    its GELU loses digits to cancellation for x < −3).
    """
    torch = pytest.importorskip("torch")
    arrays = [np.asarray(a, dtype=dtype) for a in arrays]
    ours = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.astype(np.float64), requires_grad=True) for a in arrays]
    y_ours, y_theirs = mg_fn(*ours), torch_fn(*theirs)
    g = np.random.default_rng(upstream_seed).standard_normal(tuple(y_theirs.shape)).astype(dtype)
    y_ours.backward(mg.tensor(g))
    y_theirs.backward(torch.tensor(g.astype(np.float64)))
    return (y_ours.numpy(), y_theirs.detach().numpy(), [t.grad.numpy() for t in ours], [t.grad.numpy() for t in theirs])


def _assert_same(mg_fn, torch_fn, *arrays, dtype=np.float64, rtol=1e-10, atol=1e-12):
    y, y_t, grads, grads_t = _grad_pair(mg_fn, torch_fn, *arrays, dtype=dtype)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, y_t, rtol=rtol, atol=atol)
    for g, g_t in zip(grads, grads_t):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, g_t, rtol=rtol, atol=atol)


# ====================================================================== one_hot
def test_one_hot_values_and_dtype():
    out = F.one_hot(mg.tensor([0, 2, 1, 2]))
    assert out.dtype == np.int64 and out.shape == (4, 3) and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), [[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]])
    out = F.one_hot(mg.tensor([[0, 3], [1, 1]]), num_classes=5)
    assert out.shape == (2, 2, 5)
    np.testing.assert_array_equal(out.numpy().argmax(-1), [[0, 3], [1, 1]])
    np.testing.assert_array_equal(out.numpy().sum(-1), np.ones((2, 2)))
    assert F.one_hot(mg.tensor(2), 4).numpy().tolist() == [0, 0, 1, 0]
    assert F.one_hot(mg.tensor(np.zeros(0, dtype=np.int64)), 3).shape == (0, 3)
    # the beginner idiom: one-hot rows times a weight matrix pick its rows
    W = mg.randn(27, 5)
    xenc = F.one_hot(mg.tensor([3, 0, 26]), num_classes=27).float()
    np.testing.assert_allclose((xenc @ W).numpy(), W.numpy()[[3, 0, 26]], rtol=1e-6)


@pytest.mark.parametrize(
    "indices,num_classes,message",
    [
        ([1, -1], -1, "Class values must be non-negative."),
        ([1, 3], 3, "Class values must be smaller than num_classes."),
        (np.zeros(0, dtype=np.int64), -1, "Can not infer total number of classes from empty tensor."),
        ([1.0, 2.0], -1, "one_hot is only applicable to index tensor of type LongTensor."),
    ],
)
def test_one_hot_errors(indices, num_classes, message):
    with pytest.raises(RuntimeError, match=message.replace(".", r"\.")):
        F.one_hot(mg.tensor(indices), num_classes)


def test_one_hot_matches_torch():
    torch = pytest.importorskip("torch")
    t = RNG.integers(0, 7, size=(3, 4))
    np.testing.assert_array_equal(F.one_hot(mg.tensor(t)).numpy(), torch.nn.functional.one_hot(torch.tensor(t)))
    np.testing.assert_array_equal(F.one_hot(mg.tensor(t), 9).numpy(), torch.nn.functional.one_hot(torch.tensor(t), 9))


# ====================================================================== embedding
def test_embedding_gradient_accumulates_over_repeated_indices():
    w = mg.tensor(np.arange(8.0).reshape(4, 2), requires_grad=True)
    out = F.embedding(mg.tensor([1, 1, 3, 1]), w)
    np.testing.assert_array_equal(out.numpy(), [[2, 3], [2, 3], [6, 7], [2, 3]])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 0], [3, 3], [0, 0], [1, 1]])


def test_embedding_padding_row_is_zero_and_gets_no_gradient():
    emb = nn.Embedding(5, 3, padding_idx=2)
    np.testing.assert_array_equal(emb.weight.numpy()[2], 0.0)
    assert np.all(emb.weight.numpy()[[0, 1, 3, 4]] != 0)
    ids = mg.tensor([[2, 0, 2], [4, 2, 0]])
    out = emb(ids)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.numpy()[0, 0], 0.0)
    (out * mg.tensor(RNG.standard_normal((2, 3, 3)))).sum().backward()
    grad = emb.weight.grad.numpy()
    np.testing.assert_array_equal(grad[2], 0.0)
    assert np.all(grad[[0, 4]] != 0) and np.all(grad[[1, 3]] == 0)
    # after training steps the padding row is still zero
    opt = optim.SGD(emb.parameters(), lr=0.5)
    opt.step()
    np.testing.assert_array_equal(emb.weight.numpy()[2], 0.0)


def test_embedding_padding_idx_looks_up_the_row_as_it_is():
    # F.embedding does not zero the output at padding_idx: only the gradient
    w = mg.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    out = F.embedding(mg.tensor([0, 1]), w, padding_idx=1)
    np.testing.assert_array_equal(out.numpy(), [[0, 1], [2, 3]])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[1, 1], [0, 0], [0, 0]])


def test_embedding_negative_padding_idx_and_repr():
    emb = nn.Embedding(5, 3, padding_idx=-1)
    assert emb.padding_idx == 4
    assert repr(emb) == "Embedding(5, 3, padding_idx=4)"
    assert repr(nn.Embedding(10, 4)) == "Embedding(10, 4)"
    assert list(emb.state_dict()) == ["weight"]
    assert emb.weight.dtype == np.float32 and emb.weight.shape == (5, 3)


def test_embedding_init_is_standard_normal_and_seeded():
    w = nn.Embedding(400, 50, generator=mg.Generator().manual_seed(3)).weight.numpy()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1.0) < 0.02
    again = nn.Embedding(400, 50, generator=mg.Generator().manual_seed(3)).weight.numpy()
    np.testing.assert_array_equal(w, again)


def test_embedding_scale_grad_by_freq():
    w = mg.tensor(np.zeros((3, 2)), requires_grad=True)
    F.embedding(mg.tensor([1, 1, 2]), w, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 0], [1, 1], [1, 1]])


def test_embedding_max_norm_renormalises_looked_up_rows_in_place():
    w = mg.tensor(np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]]))
    out = F.embedding(mg.tensor([0, 1, 0]), w, max_norm=1.0)
    np.testing.assert_allclose(w.numpy()[0], [0.6, 0.8], rtol=1e-6)  # norm 5 → 1
    np.testing.assert_array_equal(w.numpy()[1], [0.3, 0.4])  # inside the ball: untouched
    np.testing.assert_array_equal(w.numpy()[2], [6.0, 8.0])  # not looked up: untouched
    np.testing.assert_allclose(out.numpy()[0], [0.6, 0.8], rtol=1e-6)


def test_embedding_from_pretrained():
    table = mg.tensor(np.arange(6.0).reshape(3, 2))
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(mg.tensor([2])).numpy(), [[4.0, 5.0]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(ValueError, match="2-dimensional"):
        nn.Embedding.from_pretrained(mg.tensor([1.0, 2.0]))


@pytest.mark.parametrize(
    "call,exc",
    [
        (lambda w: F.embedding(mg.tensor([0, 5]), w), IndexError),
        (lambda w: F.embedding(mg.tensor([-1]), w), IndexError),
        (lambda w: F.embedding(mg.tensor([0.0, 1.0]), w), RuntimeError),
        (lambda w: F.embedding(mg.tensor([0]), w[0]), RuntimeError),
        (lambda w: F.embedding(mg.tensor([0]), w, padding_idx=5), AssertionError),
        (lambda w: F.embedding(mg.tensor([0]), w, sparse=True), NotImplementedError),
    ],
)
def test_embedding_errors(call, exc):
    with pytest.raises(exc, match="embedding|Padding_idx|index out of range|indices"):
        call(mg.randn(5, 3))


def test_embedding_errors_are_torchs_types():
    torch = pytest.importorskip("torch")
    w, w_t = mg.randn(5, 3), torch.randn(5, 3)
    cases = [
        (lambda: F.embedding(mg.tensor([0, 5]), w), lambda: torch.nn.functional.embedding(torch.tensor([0, 5]), w_t)),
        (lambda: F.embedding(mg.tensor([0.0]), w), lambda: torch.nn.functional.embedding(torch.tensor([0.0]), w_t)),
        (lambda: F.embedding(mg.tensor([0]), w[0]), lambda: torch.nn.functional.embedding(torch.tensor([0]), w_t[0])),
        (lambda: nn.Embedding(5, 3, padding_idx=5), lambda: torch.nn.Embedding(5, 3, padding_idx=5)),
    ]
    for ours, theirs in cases:
        with pytest.raises(Exception) as e_t:
            theirs()
        with pytest.raises(type(e_t.value)):
            ours()


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"padding_idx": 1},
        {"padding_idx": -1},
        {"scale_grad_by_freq": True},
        {"padding_idx": 0, "scale_grad_by_freq": True},
    ],
)
def test_embedding_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    ids = np.array([[1, 1, 2], [5, 1, 0], [3, 5, 5]])
    _assert_same(
        lambda w: F.embedding(mg.tensor(ids), w, **kwargs),
        lambda w: torch.nn.functional.embedding(torch.tensor(ids), w, **kwargs),
        RNG.standard_normal((6, 4)),
    )


def test_embedding_max_norm_matches_torch():
    torch = pytest.importorskip("torch")
    table = RNG.standard_normal((6, 4)) * 2
    ids = np.array([0, 2, 2, 5])
    w, w_t = mg.tensor(table.copy()), torch.tensor(table.copy())
    out = F.embedding(mg.tensor(ids), w, max_norm=1.5, norm_type=1.0)
    out_t = torch.nn.functional.embedding(torch.tensor(ids), w_t, max_norm=1.5, norm_type=1.0)
    np.testing.assert_allclose(out.numpy(), out_t.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.numpy(), w_t.numpy(), rtol=1e-12)


def test_embedding_module_matches_torch():
    torch = pytest.importorskip("torch")
    for args, kwargs in [
        ((7, 3), {}),
        ((7, 3), {"padding_idx": 0}),
        ((7, 3), {"padding_idx": -2}),
        ((7, 3), {"max_norm": 1.0}),
        ((7, 3), {"scale_grad_by_freq": True, "norm_type": 1.0}),
    ]:
        ours, theirs = nn.Embedding(*args, **kwargs), torch.nn.Embedding(*args, **kwargs)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert ours.padding_idx == theirs.padding_idx
        assert ours.weight.dtype == np.float32 and theirs.weight.dtype == torch.float32


def test_char_mlp_with_embedding_trains_like_torch():
    """A makemore-style MLP (Embedding → Flatten → Linear → GELU → Linear) in both libraries, same weights."""
    torch = pytest.importorskip("torch")
    vocab, block, dim, hidden = 11, 3, 4, 16
    X = RNG.integers(0, vocab, size=(32, block))
    Y = RNG.integers(0, vocab, size=32)

    def build(lib):
        return lib.nn.Sequential(
            lib.nn.Embedding(vocab, dim, padding_idx=0),
            lib.nn.Flatten(),
            lib.nn.Linear(block * dim, hidden),
            lib.nn.GELU(),
            lib.nn.Linear(hidden, vocab),
        )

    model, model_t = build(mg), build(torch)
    model_t.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    opt, opt_t = optim.SGD(model.parameters(), lr=0.1), torch.optim.SGD(model_t.parameters(), lr=0.1)
    for _ in range(5):
        loss = F.cross_entropy(model(mg.tensor(X)), mg.tensor(Y))
        loss_t = torch.nn.functional.cross_entropy(model_t(torch.tensor(X)), torch.tensor(Y))
        np.testing.assert_allclose(loss.item(), loss_t.item(), rtol=1e-5)
        opt.zero_grad()
        opt_t.zero_grad()
        loss.backward()
        loss_t.backward()
        opt.step()
        opt_t.step()
    for (name, p), p_t in zip(model.named_parameters(), model_t.parameters()):
        np.testing.assert_allclose(p.numpy(), p_t.detach().numpy(), rtol=1e-4, atol=1e-6, err_msg=name)
    np.testing.assert_array_equal(model[0].weight.numpy()[0], 0.0)


# ====================================================================== activations
def test_activation_values_by_hand():
    x = mg.tensor([-1.0, 0.0, 1.0], dtype=mg.float64)
    phi1 = 0.5 * (1 + math.erf(1 / math.sqrt(2)))  # Φ(1) = 0.8413447...
    np.testing.assert_allclose(F.gelu(x).numpy(), [-(1 - phi1), 0.0, phi1], rtol=1e-15)
    u = math.sqrt(2 / math.pi) * (1 + 0.044715)
    np.testing.assert_allclose(F.gelu(x, approximate="tanh").numpy()[2], 0.5 * (1 + math.tanh(u)), rtol=1e-15)
    np.testing.assert_allclose(F.silu(x).numpy(), [-1 / (1 + math.e), 0.0, 1 / (1 + math.exp(-1))], rtol=1e-15)
    np.testing.assert_allclose(F.softplus(x).numpy(), np.log1p(np.exp([-1.0, 0.0, 1.0])), rtol=1e-15)
    np.testing.assert_allclose(F.softplus(x, beta=2).numpy(), np.log1p(np.exp([-2.0, 0.0, 2.0])) / 2, rtol=1e-15)


def test_gelu_gradient_by_hand():
    x = mg.tensor([0.0, 1.0], dtype=mg.float64, requires_grad=True)
    F.gelu(x).sum().backward()
    phi1 = 0.5 * (1 + math.erf(1 / math.sqrt(2)))
    np.testing.assert_allclose(x.grad.numpy(), [0.5, phi1 + math.exp(-0.5) / math.sqrt(2 * math.pi)], rtol=1e-14)


def test_softplus_threshold_and_extremes():
    x = mg.tensor([-1000.0, 25.0, 1000.0], requires_grad=True)
    y = F.softplus(x)
    np.testing.assert_array_equal(y.numpy(), [0.0, 25.0, 1000.0])  # x itself past the threshold, no overflow
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 1.0])
    assert F.softplus(mg.tensor([0.0])).dtype == np.float32


def test_hardtanh_and_relu6_gradient_is_zero_at_the_corners():
    x = mg.tensor([-2.0, -1.0, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    y = F.hardtanh(x)
    np.testing.assert_array_equal(y.numpy(), [-1, -1, 0, 0.5, 1, 1])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 1, 1, 0, 0])
    x = mg.tensor([-1.0, 0.0, 3.0, 6.0, 7.0], requires_grad=True)
    y = nn.ReLU6()(x)
    np.testing.assert_array_equal(y.numpy(), [0, 0, 3, 6, 6])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 1, 0, 0])
    assert F.relu6(mg.tensor([-3, 2, 9])).numpy().tolist() == [0, 2, 6]  # integers stay integers


def test_activation_argument_errors():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(mg.randn(3), approximate="fast")
    with pytest.raises(RuntimeError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(mg.randn(3), 2.0, -2.0)
    with pytest.raises(AssertionError, match="must be greater than min_val"):
        nn.Hardtanh(1.0, 1.0)


ACTIVATIONS = [
    ("gelu", lambda m, x: m.gelu(x), {}),
    ("gelu-tanh", lambda m, x: m.gelu(x, approximate="tanh"), {}),
    ("silu", lambda m, x: m.silu(x), {}),
    ("softplus", lambda m, x: m.softplus(x), {}),
    ("softplus-beta-threshold", lambda m, x: m.softplus(x, beta=2.0, threshold=3.0), {}),
    ("hardtanh", lambda m, x: m.hardtanh(x, -2.0, 1.5), {}),
    ("relu6", lambda m, x: m.relu6(x), {}),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,fn,_", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_functions_match_torch(name, fn, _, dtype):
    torch = pytest.importorskip("torch")
    x = np.concatenate([RNG.standard_normal(20) * 4, [-8.0, -1.0, 0.0, 1.0, 1.5, 6.0, 8.0, 30.0]])
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-6, "atol": 2e-7}
    _assert_same(lambda t: fn(F, t), lambda t: fn(torch.nn.functional, t), x, dtype=dtype, **tol)


MODULES = [
    ("GELU", (), {}),
    ("GELU", ("tanh",), {}),
    ("SiLU", (), {}),
    ("Softplus", (), {}),
    ("Softplus", (), {"beta": 2, "threshold": 10}),
    ("Hardtanh", (), {}),
    ("Hardtanh", (-2.0, 3.0), {}),
    ("Hardtanh", (-2, 3), {}),
    ("ReLU6", (), {}),
    ("Flatten", (), {}),
    ("Unflatten", (1, (2, 3)), {}),
    ("Unflatten", (-1, [3, -1]), {}),
    ("SmoothL1Loss", (), {}),
    ("SmoothL1Loss", (), {"beta": 0.5}),
    ("HuberLoss", (), {}),
    ("HuberLoss", ("sum", 2.0), {}),
    ("KLDivLoss", (), {"reduction": "batchmean"}),
]


@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=[f"{m[0]}{m[1]}{m[2]}" for m in MODULES])
def test_module_repr_and_state_dict_match_torch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []


@pytest.mark.parametrize(
    "name,args",
    [
        ("GELU", ()),
        ("GELU", ("tanh",)),
        ("SiLU", ()),
        ("Softplus", (0.5, 4.0)),
        ("Hardtanh", (-0.5, 0.5)),
        ("ReLU6", ()),
    ],
)
def test_activation_modules_match_torch(name, args):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((4, 5)) * 4
    _assert_same(getattr(nn, name)(*args), getattr(torch.nn, name)(*args), x, dtype=np.float32, rtol=2e-6, atol=2e-7)


# ====================================================================== losses
def test_smooth_l1_and_huber_by_hand():
    x, y = mg.tensor([0.5, 2.0, -3.0]), mg.tensor([0.0, 0.0, 0.0])
    np.testing.assert_allclose(F.smooth_l1_loss(x, y, reduction="none").numpy(), [0.125, 1.5, 2.5])
    np.testing.assert_allclose(F.smooth_l1_loss(x, y).numpy(), (0.125 + 1.5 + 2.5) / 3, rtol=1e-6)
    np.testing.assert_allclose(F.smooth_l1_loss(x, y, reduction="none", beta=0.0).numpy(), [0.5, 2.0, 3.0])
    np.testing.assert_allclose(F.huber_loss(x, y, reduction="none", delta=2.0).numpy(), [0.125, 2.0, 4.0])
    np.testing.assert_allclose(
        nn.HuberLoss(delta=2.0)(x, y).numpy(), 2.0 * nn.SmoothL1Loss(beta=2.0)(x, y).numpy(), rtol=1e-6
    )  # Huber = δ · smooth L1
    np.testing.assert_allclose(F.huber_loss(x, y, "sum", 2.0, weight=mg.tensor([2.0, 0.0, 1.0])).numpy(), 4.25)
    x = mg.tensor([0.5, 2.0, -3.0], requires_grad=True)
    F.smooth_l1_loss(x, y, reduction="sum").backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.5, 1.0, -1.0])  # (x − y)/β inside, sign outside


@pytest.mark.parametrize(
    "call,exc,message",
    [
        (lambda: F.smooth_l1_loss(mg.randn(3), mg.randn(3), beta=-1.0), RuntimeError, "negative values for beta"),
        (lambda: F.huber_loss(mg.randn(3), mg.randn(3), delta=0.0), RuntimeError, "non-positive values for delta"),
        (lambda: F.huber_loss(mg.randn(3), mg.randn(3), weight=mg.ones(2)), ValueError, "Weights and input"),
        (lambda: F.smooth_l1_loss(mg.randn(3), mg.randn(3), reduction="avg"), ValueError, "reduction"),
        (lambda: F.kl_div(mg.randn(3), mg.randn(3), reduction="avg"), ValueError, "batchmean"),
        (lambda: nn.KLDivLoss(reduction="avg"), ValueError, "batchmean"),
        (lambda: nn.HuberLoss(reduction="avg"), ValueError, "reduction"),
    ],
)
def test_loss_argument_errors(call, exc, message):
    with pytest.raises(exc, match=message):
        call()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0, 3.0])
def test_smooth_l1_and_huber_match_torch(reduction, beta):
    torch = pytest.importorskip("torch")
    x, y = RNG.standard_normal((5, 4)) * 2, RNG.standard_normal((5, 4))
    tf = torch.nn.functional
    _assert_same(
        lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
        lambda a, b: tf.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
        x,
        y,
    )
    if beta > 0:
        _assert_same(
            lambda a, b: F.huber_loss(a, b, reduction=reduction, delta=beta),
            lambda a, b: tf.huber_loss(a, b, reduction=reduction, delta=beta),
            x,
            y,
        )
        w = RNG.uniform(0, 2, (5, 4))
        _assert_same(
            lambda a, b, c: F.huber_loss(a, b, reduction, beta, weight=c),
            lambda a, b, c: tf.huber_loss(a, b, reduction=reduction, delta=beta, weight=c),
            x,
            y,
            w,
        )
    _assert_same(
        nn.SmoothL1Loss(reduction=reduction, beta=beta),
        torch.nn.SmoothL1Loss(reduction=reduction, beta=beta),
        x,
        y,
        dtype=np.float32,
        rtol=1e-6,
        atol=1e-7,
    )


def test_kl_div_by_hand():
    p = mg.tensor([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]], dtype=mg.float64)
    logq = mg.tensor(np.log([[0.25, 0.5, 0.25], [0.2, 0.3, 0.5]]), requires_grad=True)
    per = F.kl_div(logq, p, reduction="none").numpy()
    np.testing.assert_allclose(per[0], [0.5 * math.log(2), 0.0, 0.0], atol=1e-15)  # 0·log 0 = 0, not nan
    np.testing.assert_allclose(per[1], 0.0, atol=1e-15)  # KL(p ‖ p) = 0
    np.testing.assert_allclose(F.kl_div(logq, p, reduction="batchmean").numpy(), 0.5 * math.log(2) / 2)
    np.testing.assert_allclose(F.kl_div(logq, p, reduction="sum").numpy(), 0.5 * math.log(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 'mean' is the mean over all elements, without PyTorch's warning
        np.testing.assert_allclose(F.kl_div(logq, p).numpy(), 0.5 * math.log(2) / 6)
    q = mg.tensor([[0.5, 0.25, 0.25]], dtype=mg.float64)
    np.testing.assert_allclose(
        F.kl_div(logq[:1], q.log(), reduction="sum", log_target=True).numpy(), 0.5 * math.log(2) + 0.25 * math.log(0.5)
    )  # Σ q·(log q − log q₀)
    F.kl_div(logq, p, reduction="sum").backward()
    np.testing.assert_allclose(logq.grad.numpy(), -p.numpy())  # ∂/∂log q of −Σ p log q
    assert np.isfinite(logq.grad.numpy()).all()


@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    torch = pytest.importorskip("torch")
    p = RNG.dirichlet(np.ones(5), 4)
    p[1, 2] = 0.0
    p[1] /= p[1].sum()
    target = np.log(p + 0.05) if log_target else p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns about 'mean'
        _assert_same(
            lambda x, t: F.kl_div(x.log_softmax(1), t, reduction=reduction, log_target=log_target),
            lambda x, t: torch.nn.functional.kl_div(x.log_softmax(1), t, reduction=reduction, log_target=log_target),
            RNG.standard_normal((4, 5)),
            target + (0.1 if not log_target else 0.0),
        )
        ours = nn.KLDivLoss(reduction=reduction, log_target=log_target)
        theirs = torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)
        _assert_same(
            lambda x: ours(x.log_softmax(1), mg.tensor(target, dtype=mg.float32)),
            lambda x: theirs(x.log_softmax(1), torch.tensor(target, dtype=torch.float32)),
            RNG.standard_normal((4, 5)),
            dtype=np.float32,
            rtol=1e-5,
            atol=1e-7,
        )


def test_loss_errors_are_torchs_types():
    torch = pytest.importorskip("torch")
    a, b = RNG.standard_normal(3), RNG.standard_normal(3)
    tf = torch.nn.functional
    cases = [
        (lambda m: m.smooth_l1_loss(m_(a), m_(b), beta=-1.0), lambda: tf.smooth_l1_loss(t_(a), t_(b), beta=-1.0)),
        (lambda m: m.huber_loss(m_(a), m_(b), delta=-1.0), lambda: tf.huber_loss(t_(a), t_(b), delta=-1.0)),
        (lambda m: m.kl_div(m_(a), m_(b), reduction="x"), lambda: tf.kl_div(t_(a), t_(b), reduction="x")),
        (lambda m: m.one_hot(mg.tensor([-1])), lambda: tf.one_hot(torch.tensor([-1]))),
        (lambda m: m.one_hot(mg.tensor([3]), 2), lambda: tf.one_hot(torch.tensor([3]), 2)),
        (lambda m: m.gelu(m_(a), approximate="x"), lambda: tf.gelu(t_(a), approximate="x")),
        (lambda m: m.hardtanh(m_(a), 1.0, -1.0), lambda: tf.hardtanh(t_(a), 1.0, -1.0)),
    ]
    for ours, theirs in cases:
        with pytest.raises(Exception) as e_t:
            theirs()
        with pytest.raises(type(e_t.value)):
            ours(F)


def m_(a):
    return mg.tensor(a)


def t_(a):
    import torch

    return torch.tensor(a)


# ====================================================================== normalize, cosine_similarity
def test_normalize_by_hand():
    x = mg.tensor([[3.0, 4.0], [0.0, 0.0]], requires_grad=True)
    y = F.normalize(x)
    np.testing.assert_allclose(y.numpy(), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)
    y.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()  # a zero row gives no nan
    np.testing.assert_allclose(F.normalize(mg.tensor([[3.0, -1.0]]), p=1).numpy(), [[0.75, -0.25]])
    np.testing.assert_allclose(F.normalize(mg.tensor([[3.0], [4.0]]), dim=0).numpy(), [[0.6], [0.8]], rtol=1e-6)


def test_cosine_similarity_by_hand():
    a = mg.tensor([[1.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    b = mg.tensor([[0.0, 3.0], [-2.0, -2.0], [1.0, 1.0]])
    np.testing.assert_allclose(F.cosine_similarity(a, b).numpy(), [0.0, -1.0, 1.0], atol=1e-6)
    assert F.cosine_similarity(a, mg.tensor([1.0, 0.0])).shape == (3,)  # broadcast against one vector


@pytest.mark.parametrize("p,dim", [(2, 1), (2, 0), (1, -1), (3, 1), (float("inf"), 1), (2, (0, 1))])
def test_normalize_matches_torch(p, dim):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((4, 3, 2))
    x[0, :, :] = 0.0  # zero vectors along every dim
    _assert_same(lambda t: F.normalize(t, p=p, dim=dim), lambda t: torch.nn.functional.normalize(t, p=p, dim=dim), x)


@pytest.mark.parametrize(
    "shapes,dim", [(((5, 4), (5, 4)), 1), (((5, 4), (4,)), -1), (((3, 1, 4), (1, 2, 4)), 2), (((6, 3), (6, 3)), 0)]
)
def test_cosine_similarity_matches_torch(shapes, dim):
    torch = pytest.importorskip("torch")
    a, b = (RNG.standard_normal(s) for s in shapes)
    _assert_same(
        lambda x, y: F.cosine_similarity(x, y, dim=dim),
        lambda x, y: torch.nn.functional.cosine_similarity(x, y, dim=dim),
        a,
        b,
    )


# ====================================================================== Unflatten
def test_unflatten_shapes_gradient_and_errors():
    x = mg.randn(2, 12, requires_grad=True)
    y = nn.Unflatten(1, (3, -1))(x)
    assert y.shape == (2, 3, 4)
    np.testing.assert_array_equal(nn.Flatten()(y).numpy(), x.numpy())  # the inverse of Flatten
    assert nn.Unflatten(-1, [2, 2, 3])(x).shape == (2, 2, 2, 3)
    assert nn.Unflatten(0, (1, 2))(x).shape == (1, 2, 12)
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2.0)
    with pytest.raises(RuntimeError, match="don't multiply up to the size of dim 1"):
        nn.Unflatten(1, (5, 2))(x)
    with pytest.raises(RuntimeError, match="don't multiply up"):
        nn.Unflatten(1, (5, -1))(x)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        nn.Unflatten(1, (-1, -1))(x)
    with pytest.raises(IndexError, match="out of range"):
        nn.Unflatten(2, (3, 4))(x)
    with pytest.raises(TypeError, match="must be a tuple of ints, but found type int"):
        nn.Unflatten(1, 12)
    with pytest.raises(TypeError, match="element of type float at pos 1"):
        nn.Unflatten(1, (3, 4.0))


def test_unflatten_errors_are_torchs_types():
    torch = pytest.importorskip("torch")
    for args in [(1, (5, 2)), (1, (-1, -1)), (2, (3, 4))]:
        with pytest.raises(Exception) as e_t:
            torch.nn.Unflatten(*args)(torch.randn(2, 12))
        with pytest.raises(type(e_t.value)):
            nn.Unflatten(*args)(mg.randn(2, 12))


# ====================================================================== containers
def test_parameter_list_registers_and_converts():
    plist = nn.ParameterList([nn.Parameter(mg.randn(2, 3)), mg.randn(3)])
    assert len(plist) == 2 and all(isinstance(p, nn.Parameter) for p in plist)
    plist.append(mg.zeros(1))
    plist += [mg.ones(2)]
    assert [p.shape for p in plist] == [(2, 3), (3,), (1,), (2,)]
    assert list(plist.state_dict()) == ["0", "1", "2", "3"]
    assert plist[-1] is plist[3] and len(plist[1:3]) == 2 and plist[1:3][0] is plist[1]
    plist[0] = mg.ones(4)
    assert plist[0].shape == (4,) and isinstance(plist[0], nn.Parameter)
    assert len(list(plist.parameters())) == 4
    with pytest.raises(IndexError):
        plist[4]
    with pytest.raises(TypeError, match="iterable"):
        plist.extend(mg.ones(2))
    text = repr(plist)
    assert text.startswith("ParameterList(\n    (0): Parameter containing: [float32 of size 4]")


def test_parameter_list_in_a_model_trains():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([mg.ones(3) for _ in range(2)])

        def forward(self, x):
            for w in self.ws:
                x = x * w
            return x.sum()

    model = Model()
    assert [n for n, _ in model.named_parameters()] == ["ws.0", "ws.1"]
    model(mg.tensor([1.0, 2.0, 3.0])).backward()
    np.testing.assert_array_equal(model.ws[0].grad.numpy(), [1.0, 2.0, 3.0])
    optim.SGD(model.parameters(), lr=1.0).step()
    np.testing.assert_array_equal(model.ws[1].numpy(), [0.0, -1.0, -2.0])
    sd = model.state_dict()
    fresh = Model()
    fresh.load_state_dict(sd)
    np.testing.assert_array_equal(fresh.ws[1].numpy(), [0.0, -1.0, -2.0])


def test_module_dict():
    md = nn.ModuleDict({"enc": nn.Linear(2, 3), "act": nn.ReLU()})
    assert list(md) == ["enc", "act"] and len(md) == 2 and "enc" in md and "dec" not in md
    md["dec"] = nn.Linear(3, 2)
    assert list(md.keys()) == ["enc", "act", "dec"]
    assert list(md.state_dict()) == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    y = md["dec"](md["act"](md["enc"](mg.randn(4, 2))))
    assert y.shape == (4, 2)
    assert isinstance(md.pop("act"), nn.ReLU) and list(md) == ["enc", "dec"]
    del md["enc"]
    assert list(md) == ["dec"] and len(list(md.parameters())) == 2
    md.update([("a", nn.Tanh()), ("b", nn.Sigmoid())])
    assert list(md) == ["dec", "a", "b"] and isinstance(list(md.values())[1], nn.Tanh)
    md.clear()
    assert len(md) == 0 and list(md.parameters()) == []
    with pytest.raises(KeyError):
        md["missing"]
    with pytest.raises(TypeError, match="keys must be strings"):
        md[1] = nn.ReLU()
    with pytest.raises(KeyError, match="would hide"):
        md["keys"] = nn.ReLU()
    with pytest.raises(KeyError, match="contain"):
        md["a.b"] = nn.ReLU()
    with pytest.raises(ValueError, match="has length 3"):
        md.update([("a", nn.ReLU(), 3)])


def test_parameter_dict():
    pd = nn.ParameterDict({"w": mg.randn(2), "b": nn.Parameter(mg.randn(1, 2))})
    assert list(pd) == ["b", "w"]  # a plain dict is added in sorted key order, as PyTorch
    assert list(pd.state_dict()) == ["b", "w"] and all(isinstance(p, nn.Parameter) for p in pd.values())
    pd2 = nn.ParameterDict(OrderedDict([("w", mg.randn(2)), ("b", mg.randn(2))]))
    assert list(pd2) == ["w", "b"]
    pd2["c"] = mg.zeros(3)
    assert list(pd2.keys()) == ["w", "b", "c"] and "c" in pd2 and len(pd2) == 3
    assert pd2.get("missing") is None and pd2.get("c") is pd2["c"]
    assert isinstance(pd2.pop("w"), nn.Parameter) and list(pd2) == ["b", "c"]
    assert [k for k, _ in pd2.items()] == ["b", "c"] and len(list(pd2.parameters())) == 2
    del pd2["b"]
    assert list(pd2.state_dict()) == ["c"]
    with pytest.raises(KeyError):
        pd2["b"]
    with pytest.raises(KeyError, match="would hide"):
        pd2["update"] = mg.zeros(1)
    with pytest.raises(KeyError, match="taken by an attribute"):
        pd2["_keys"] = mg.zeros(1)
    assert repr(pd).splitlines()[1] == "    (b): Parameter containing: [float32 of size 1x2]"


def test_containers_match_torch():
    torch = pytest.importorskip("torch")
    ours = nn.ModuleDict({"a": nn.Linear(2, 3), "b": nn.ReLU()})
    theirs = torch.nn.ModuleDict({"a": torch.nn.Linear(2, 3), "b": torch.nn.ReLU()})
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours = nn.ParameterList([mg.randn(2, 3), mg.randn(3)])
    theirs = torch.nn.ParameterList([torch.randn(2, 3), torch.randn(3)])
    assert repr(ours) == repr(theirs).replace("torch.", "")
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours = nn.ParameterDict({"w": mg.randn(2), "b": mg.randn(1, 2), "a": mg.randn(3)})
    theirs = torch.nn.ParameterDict({"w": torch.randn(2), "b": torch.randn(1, 2), "a": torch.randn(3)})
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["a", "b", "w"]
    assert len(repr(ours).splitlines()) == len(repr(theirs).splitlines())
