"""API.md revision 2: what PyTorch programs reach for first — ``.data``, ``max(dim)``, dtype aliases,
devices, generators, type promotion, formatting of 0-d tensors."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


# ------------------------------------------------------------------ .data
def test_data_is_a_tensor_sharing_memory_outside_autograd():
    p = mg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    d = p.data
    assert isinstance(d, mg.Tensor) and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.numpy(), p.numpy())
    assert d.std().item() == pytest.approx(1.2909944)  # unbiased, as torch (NumPy's std gives 1.118)
    (p * p).sum().backward()
    p.data += -0.1 * p.grad  # the classic update idiom: untracked, changes p
    np.testing.assert_allclose(p.numpy(), [0.8, 1.6, 2.4, 3.2], rtol=1e-6)
    p.data.mul_(2.0)
    np.testing.assert_allclose(p.numpy(), [1.6, 3.2, 4.8, 6.4], rtol=1e-6)
    assert p.is_leaf and p.requires_grad
    p.data = mg.zeros(2)  # assigning replaces the values (and may change the shape, as torch)
    assert p.shape == (2,) and p.requires_grad


def test_data_writes_are_not_seen_by_the_version_check():
    # as torch: .data is the escape hatch around autograd's in-place checks
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    x.data.mul_(10.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 40.0])


# ------------------------------------------------------------------ max/min
def test_max_with_dim_returns_values_and_indices_and_routes_the_gradient():
    x = mg.tensor([[1.0, 5.0, 5.0], [7.0, 2.0, 3.0]], requires_grad=True)
    values, indices = x.max(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert indices.dtype == np.int64 and not indices.requires_grad
    r = x.min(0, keepdim=True)
    assert r.values.shape == (1, 3) and r.indices.tolist() == [[0, 1, 1]]
    values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [1, 0, 0]])  # to the returned index only
    x.grad = None
    x.amax(1).sum().backward()  # amax splits ties
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 0.5, 0.5], [1, 0, 0]])
    assert mg.max(x, 1).values.tolist() == [5.0, 7.0]
    assert mg.max(x, mg.tensor(4.0)).tolist() == [[4.0, 5.0, 5.0], [7.0, 4.0, 4.0]]
    with pytest.raises(TypeError, match="amax"):
        x.max((0, 1))


# ------------------------------------------------------------------ dtypes
@pytest.mark.parametrize(
    "alias,dtype",
    [
        ("float", np.float32),
        ("double", np.float64),
        ("half", np.float16),
        ("long", np.int64),
        ("int", np.int32),
        ("short", np.int16),
        ("bool", np.bool_),
        ("uint8", np.uint8),
        ("float32", np.float32),
    ],
)
def test_dtype_aliases_are_numpy_dtypes(alias, dtype):
    d = getattr(mg, alias)
    assert d == dtype and mg.zeros(2, dtype=d).dtype == dtype and mg.tensor([1, 0], dtype=d).dtype == dtype


PROMOTION = [  # (a, b, op, torch's result dtype)
    (np.array([1.0], np.float32), np.array([2], np.int64), "add", np.float32),
    (np.array([1.0], np.float32), np.array([2], np.int64), "pow", np.float32),
    (np.array([1], np.int64), np.array([2.0], np.float16), "mul", np.float16),
    (np.array([1.0], np.float32), np.array(2.0, np.float64), "add", np.float32),  # 0-d doesn't widen
    (np.array([1], np.int64), np.array(2.0, np.float64), "add", np.float64),  # but a higher category counts
    (np.array([1], np.int64), 2.5, "mul", np.float32),  # a Python float: the default float
    (np.array([1], np.int64), np.array([2], np.int64), "div", np.float32),  # true division
    (np.array([True]), 2, "add", np.int64),
    (np.array([1], np.int32), np.array([2], np.int64), "add", np.int64),
    (np.array([1.0], np.float64), np.array([1.0], np.float32), "sub", np.float64),
]


@pytest.mark.parametrize("a,b,op,want", PROMOTION)
def test_type_promotion_follows_pytorch(a, b, op, want):
    ta = mg.tensor(a)
    tb = mg.tensor(b) if isinstance(b, np.ndarray) else b
    out = {
        "add": lambda: ta + tb,
        "mul": lambda: ta * tb,
        "div": lambda: ta / tb,
        "sub": lambda: ta - tb,
        "pow": lambda: ta**tb,
    }[op]()
    assert out.dtype == want
    assert mg.result_type(ta, tb) == want or op == "div"


def test_float_only_ops_take_integers_in_the_default_float():
    n = mg.tensor(np.array([0, 12, 200], np.uint8))
    assert n.sigmoid().dtype == np.float32 and n.sigmoid().tolist()[2] == 1.0
    assert n.exp().dtype == np.float32 and n.mean().dtype == np.float32
    assert mg.tensor([1, 2]).softmax(0).dtype == np.float32


def test_promotion_keeps_gradients_in_each_inputs_dtype():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor(np.array([3.0, 4.0]), requires_grad=True)  # float64
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])


def test_promotion_matches_torch_result_type():
    torch = pytest.importorskip("torch")
    to_torch = {
        np.float32: torch.float32,
        np.float64: torch.float64,
        np.float16: torch.float16,
        np.int64: torch.int64,
        np.int32: torch.int32,
        np.bool_: torch.bool,
    }
    for a, b, op, _ in PROMOTION:
        ta, tb = torch.tensor(a), (torch.tensor(b) if isinstance(b, np.ndarray) else b)
        ma, mb = mg.tensor(a), (mg.tensor(b) if isinstance(b, np.ndarray) else b)
        fn = {
            "add": lambda x, y: x + y,
            "mul": lambda x, y: x * y,
            "div": lambda x, y: x / y,
            "sub": lambda x, y: x - y,
            "pow": lambda x, y: x**y,
        }[op]
        assert to_torch[fn(ma, mb).dtype.type] == fn(ta, tb).dtype, (a, b, op)


# ------------------------------------------------------------------ devices
def test_the_cpu_device_is_accepted_and_others_are_refused_clearly():
    x = mg.randn(2, 3, device="cpu")
    assert x.device == mg.device("cpu") and str(x.device) == "cpu" and not x.is_cuda
    assert x.to("cpu") is x and x.cpu() is x and x.to(mg.device("cpu:0")) is x
    assert x.to("cpu", mg.float64).dtype == np.float64 and x.to(dtype=mg.float16).dtype == np.float16
    assert mg.cuda.is_available() is False and mg.cuda.device_count() == 0
    lin = mg.nn.Linear(3, 2).to("cpu")
    assert lin(mg.zeros(4, 3, device=mg.device("cpu"))).shape == (4, 2)
    assert lin.to(mg.float64).weight.dtype == np.float64
    for bad in ("cuda", "cuda:0", "mps"):
        with pytest.raises(RuntimeError, match="CPU"):
            mg.zeros(2, device=bad)
    with pytest.raises(RuntimeError, match="CPU"):
        x.cuda()


# ------------------------------------------------------------------ generators
def test_generators_reproduce_their_draws_and_state():
    g = mg.Generator().manual_seed(2147483647)
    assert isinstance(g, mg.Generator) and g.initial_seed() == 2147483647
    a = mg.randn(3, 4, generator=g)
    b = mg.randn(3, 4, generator=mg.Generator().manual_seed(2147483647))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    state = g.get_state()
    first = mg.rand(5, generator=g)
    g.set_state(state)
    np.testing.assert_array_equal(mg.rand(5, generator=g).numpy(), first.numpy())
    assert mg.manual_seed(-1).initial_seed() == 2**64 - 1  # negative seeds wrap, as torch


def test_random_factories_take_a_generator():
    def draws(seed):
        g = mg.Generator().manual_seed(seed)
        p = mg.tensor([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
        return [
            mg.multinomial(p, 20, replacement=True, generator=g),
            mg.randint(0, 27, (5,), generator=g),
            mg.randint(10, (2, 2), generator=g),
            mg.randperm(6, generator=g),
            mg.normal(0.0, 1.0, (3,), generator=g),
            mg.rand_like(p, generator=g),
        ]

    for a, b in zip(draws(1), draws(1)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    m, r, r2, perm, *_ = draws(1)
    assert m.shape == (2, 20) and m.dtype == np.int64 and set(np.unique(m.numpy()[1])) <= {0, 1}
    assert 0 <= r.numpy().min() and r.numpy().max() < 27 and r2.shape == (2, 2)
    assert sorted(perm.tolist()) == list(range(6))
    with pytest.raises(RuntimeError, match="without replacement"):
        mg.multinomial(mg.tensor([0.5, 0.5]), 3)
    with pytest.raises(RuntimeError, match="< 0"):
        mg.multinomial(mg.tensor([0.5, -0.5]), 1)


def test_multinomial_frequencies_follow_the_weights():
    counts = np.bincount(
        mg.multinomial(mg.tensor([1.0, 3.0]), 20000, replacement=True, generator=mg.Generator().manual_seed(0)).numpy(),
        minlength=2,
    )
    assert abs(counts[1] / 20000 - 0.75) < 0.02


# ------------------------------------------------------------------ formatting
def test_zero_d_tensors_format_as_their_number():
    t = mg.tensor(2.4543561935424805, dtype=mg.float64)
    assert f"{t:.4f}" == "2.4544" and "{:+.2f}".format(t) == "+2.45"  # noqa: UP032 (the format call is the point) and f"{t}" == "2.4543561935424805"
    assert str(t).startswith("tensor(")
    with pytest.raises(TypeError, match="format"):
        f"{mg.tensor([1.0, 2.0]):.2f}"


# ------------------------------------------------------------------ printing
REPRS = [  # (values, dtype, what PyTorch prints)
    ([0.5, 1.0, 2.0], np.float32, "tensor([0.5000, 1.0000, 2.0000])"),
    ([[1.0, 2.0], [3.0, 4.0]], np.float32, "tensor([[1., 2.],\n        [3., 4.]])"),
    ([1e-5, 1.0], np.float32, "tensor([1.0000e-05, 1.0000e+00])"),
    ([float("nan"), 1.5, float("inf")], np.float32, "tensor([   nan, 1.5000,    inf])"),
    ([-1.5, 2.25], np.float32, "tensor([-1.5000,  2.2500])"),
    ([1, 2, 3], np.int64, "tensor([1, 2, 3])"),
    ([True, False], np.bool_, "tensor([ True, False])"),
    (2.4544, np.float32, "tensor(2.4544)"),
]


@pytest.mark.parametrize("values,dtype,want", REPRS)
def test_tensors_print_as_pytorch_prints_them(values, dtype, want):
    assert repr(mg.tensor(np.array(values, dtype=dtype))) == want


def test_large_and_empty_tensors_print_as_pytorch():
    torch = pytest.importorskip("torch")
    for a in [
        np.arange(2000.0).reshape(40, 50) / 7,
        np.arange(3000.0),
        np.zeros((0, 3)),
        np.zeros(0),
        np.random.default_rng(0).standard_normal((3, 3, 1100)),
        np.arange(24).reshape(2, 3, 4),
    ]:
        a = a.astype(np.float32) if a.dtype.kind == "f" else a
        assert repr(mg.tensor(a)) == repr(torch.tensor(a))


def test_complex_tensors_print():
    assert repr(mg.tensor([1 + 2j]) * 2) == "tensor([(2+4j)], dtype=torch.complex128)"


def test_assigning_data_to_a_view_makes_it_a_tensor_of_its_own():
    x = mg.ones(2, 3)
    v = x[0]
    v.data = mg.zeros(3)
    v.add_(1)  # no longer writes through to x
    assert v.tolist() == [1.0, 1.0, 1.0] and x.tolist() == [[1.0] * 3] * 2


def test_casts_to_the_same_dtype_return_the_tensor_itself():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert x.float() is x and x.to(mg.float32) is x and x.type_as(x) is x
    y = x.double()
    assert y is not x and y.dtype == np.float64 and y.grad_fn is not None
    n = mg.tensor([1, 2])
    assert n.long() is n and n.int().dtype == np.int32
