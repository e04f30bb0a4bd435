"""minigrad.nn.init: gains, fans, the distributions (statistically, on large tensors,
against the exact formulas), in-place filling, generators and errors."""

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn import init


def big(shape=(400, 500), dtype=np.float64):
    return mg.tensor(np.full(shape, np.nan, dtype=dtype))


def gen(seed=0):
    return np.random.default_rng(seed)


def check_uniform(a, bound):
    """U[−bound, bound]: inside the bounds, reaching close to them, std bound/√3, mean ≈ 0."""
    n = a.size
    assert np.abs(a).max() <= bound * (1 + 1e-12)
    assert np.abs(a).max() >= 0.995 * bound
    assert abs(a.std() - bound / math.sqrt(3)) < 0.01 * bound / math.sqrt(3), (a.std(), bound / math.sqrt(3))
    assert abs(a.mean()) < 5 * bound / math.sqrt(3 * n)


def check_normal(a, std, mean=0.0):
    """N(mean, std²): sample std within 1 %, mean within 5 standard errors, and unbounded like a Gaussian."""
    n = a.size
    assert abs(a.std() - std) < 0.01 * std, (a.std(), std)
    assert abs(a.mean() - mean) < 5 * std / math.sqrt(n)
    assert np.abs(a - mean).max() > 3.5 * std  # a uniform of the same variance never exceeds √3·std


# ---------------------------------------------------------------- gains and fans
@pytest.mark.parametrize(
    "nonlinearity,param,expected",
    [
        ("linear", None, 1.0),
        ("conv1d", None, 1.0),
        ("conv2d", None, 1.0),
        ("conv3d", None, 1.0),
        ("conv_transpose2d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5.0 / 3.0),
        ("relu", None, math.sqrt(2.0)),
        ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)),
        ("leaky_relu", 0, math.sqrt(2.0)),
        ("leaky_relu", math.sqrt(5), math.sqrt(1.0 / 3.0)),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(nonlinearity, param, expected):
    assert math.isclose(init.calculate_gain(nonlinearity, param), expected, rel_tol=1e-15)


def test_calculate_gain_errors_list_valid_names():
    with pytest.raises(ValueError, match="Unsupported nonlinearity 'swish'.*relu.*selu"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize(
    "shape,fan_in,fan_out",
    [
        ((30, 40), 40, 30),  # Linear weight (out, in)
        ((128, 64, 3, 3), 64 * 9, 128 * 9),  # conv weight (out, in, kh, kw)
        ((20, 5, 7), 35, 140),
        ((1, 1), 1, 1),
    ],
)
def test_fan_in_and_fan_out(shape, fan_in, fan_out):
    assert init._calculate_fan_in_and_fan_out(mg.tensor(np.zeros(shape))) == (fan_in, fan_out)


@pytest.mark.parametrize(
    "fn",
    ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "lecun_uniform_", "lecun_normal_"],
)
def test_fan_based_schemes_reject_fewer_than_two_dims(fn):
    with pytest.raises(ValueError, match=rf"nn\.init\.{fn}: .*fewer than 2 dimensions.*shape \(7,\)"):
        getattr(init, fn)(mg.tensor(np.zeros(7)))
    with pytest.raises(ValueError, match=r"shape \(\)"):
        getattr(init, fn)(mg.tensor(np.zeros(())))


def test_bad_mode_and_nonlinearity():
    w = mg.tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"kaiming_uniform_: Mode fan_avg not supported.*'fan_in', 'fan_out"):
        init.kaiming_uniform_(w, mode="fan_avg")
    with pytest.raises(ValueError, match="Unsupported nonlinearity 'gelu'; expected one of"):
        init.kaiming_normal_(w, nonlinearity="gelu")
    assert np.all(w.numpy() == 0)  # nothing was written
    init.kaiming_normal_(w, mode="FAN_OUT", generator=gen())  # torch lower-cases the mode
    assert not np.all(w.numpy() == 0)


def test_random_init_of_integer_tensor_is_an_error():
    with pytest.raises(TypeError, match="floating-point"):
        init.normal_(mg.tensor(np.zeros((3, 3), dtype=np.int64)))
    t = mg.tensor(np.zeros(3, dtype=np.int64))
    assert init.constant_(t, 4) is t and t.numpy().tolist() == [4, 4, 4]


# ---------------------------------------------------------------- distributions
def test_uniform_and_normal():
    w = big()
    assert init.uniform_(w, -2.0, 3.0, generator=gen(1)) is w
    a = w.numpy()
    assert a.min() >= -2.0 and a.max() < 3.0
    assert abs(a.mean() - 0.5) < 0.01 and abs(a.std() - 5 / math.sqrt(12)) < 0.01
    init.uniform_(w, generator=gen(2))
    assert w.numpy().min() >= 0.0 and w.numpy().max() < 1.0 and abs(w.numpy().mean() - 0.5) < 0.003
    assert init.normal_(w, mean=1.5, std=0.3, generator=gen(3)) is w
    check_normal(w.numpy(), 0.3, 1.5)
    init.normal_(w, generator=gen(4))
    check_normal(w.numpy(), 1.0)
    init.normal_(w, std=0.01, generator=gen(5))  # the course's "small random" init
    check_normal(w.numpy(), 0.01)


def test_constant_zeros_ones():
    w = big((20, 30))
    assert init.constant_(w, 0.7) is w and np.all(w.numpy() == 0.7)
    assert init.zeros_(w) is w and np.all(w.numpy() == 0.0)
    assert init.ones_(w) is w and np.all(w.numpy() == 1.0)


SHAPES = [((400, 500), 500, 400), ((64, 32, 5, 5), 32 * 25, 64 * 25)]


@pytest.mark.parametrize("shape,fan_in,fan_out", SHAPES)
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_xavier(shape, fan_in, fan_out, gain):
    w = big(shape)
    assert init.xavier_uniform_(w, gain=gain, generator=gen(1)) is w
    check_uniform(w.numpy(), gain * math.sqrt(6.0 / (fan_in + fan_out)))
    assert init.xavier_normal_(w, gain=gain, generator=gen(2)) is w
    check_normal(w.numpy(), gain * math.sqrt(2.0 / (fan_in + fan_out)))


KAIMING = [
    ({}, "fan_in", math.sqrt(2.0)),  # a=0, leaky_relu → √2: He init, U[−√(6/fan_in), √(6/fan_in)]
    ({"a": math.sqrt(5)}, "fan_in", math.sqrt(1.0 / 3.0)),  # torch's Linear default
    ({"mode": "fan_out"}, "fan_out", math.sqrt(2.0)),
    ({"nonlinearity": "relu"}, "fan_in", math.sqrt(2.0)),
    ({"nonlinearity": "tanh", "mode": "fan_out"}, "fan_out", 5.0 / 3.0),
    ({"a": 0.2}, "fan_in", math.sqrt(2.0 / 1.04)),
    ({"nonlinearity": "linear"}, "fan_in", 1.0),
    ({"nonlinearity": "selu"}, "fan_in", 0.75),
]


@pytest.mark.parametrize("shape,fan_in,fan_out", SHAPES)
@pytest.mark.parametrize("kw,mode,gain", KAIMING, ids=[str(k[0]) for k in KAIMING])
def test_kaiming(kw, mode, gain, shape, fan_in, fan_out):
    fan = fan_in if mode == "fan_in" else fan_out
    w = big(shape)
    assert init.kaiming_uniform_(w, generator=gen(1), **kw) is w
    check_uniform(w.numpy(), gain * math.sqrt(3.0 / fan))
    assert init.kaiming_normal_(w, generator=gen(2), **kw) is w
    check_normal(w.numpy(), gain / math.sqrt(fan))


def test_he_formulas_from_the_course():
    w = big((300, 600))
    init.kaiming_normal_(w, nonlinearity="relu", generator=gen(1))
    assert abs(w.numpy().var() - 2.0 / 600) < 0.02 * 2.0 / 600  # σ² = 2/fan_in
    init.kaiming_uniform_(w, nonlinearity="relu", generator=gen(2))
    assert np.abs(w.numpy()).max() <= math.sqrt(6.0 / 600) * (1 + 1e-12)  # r = √(6/fan_in)


@pytest.mark.parametrize("shape,fan_in,fan_out", SHAPES)
def test_lecun(shape, fan_in, fan_out):
    w = big(shape)
    assert init.lecun_uniform_(w, generator=gen(1)) is w
    check_uniform(w.numpy(), math.sqrt(3.0 / fan_in))
    assert init.lecun_normal_(w, generator=gen(2)) is w
    check_normal(w.numpy(), 1.0 / math.sqrt(fan_in))  # plain normal: tails beyond 2σ are kept


# ---------------------------------------------------------------- in place, dtype, generators
ALL_RANDOM = [
    "uniform_",
    "normal_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "lecun_uniform_",
    "lecun_normal_",
]


@pytest.mark.parametrize("fn", ALL_RANDOM + ["zeros_", "ones_"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fills_the_same_array_in_place_keeping_dtype(fn, dtype):
    p = nn.Parameter(mg.tensor(np.full((20, 30), np.nan, dtype=dtype)))
    before = p.numpy()
    assert getattr(init, fn)(p) is p
    assert p.numpy() is before and p.numpy().dtype == dtype and np.all(np.isfinite(p.numpy()))
    assert p.is_leaf and p.requires_grad and p.grad_fn is None and p.grad is None


def test_non_contiguous_view_is_filled_in_place():
    base = np.zeros((40, 60))
    t = mg.tensor(base)
    view = t.numpy()[:, ::2]  # a strided view: the slow path, same numbers
    init.uniform_(view, -1.0, 1.0, generator=gen(3))
    assert np.all(t.numpy()[:, 1::2] == 0) and np.all(np.abs(t.numpy()[:, ::2]) > 0)
    expected = gen(3).uniform(-1.0, 1.0, size=(40, 30))
    np.testing.assert_array_equal(t.numpy()[:, ::2], expected)


@pytest.mark.parametrize("fn", ALL_RANDOM)
def test_generator_reproducible(fn):
    a, b, c = big((20, 30)), big((20, 30)), big((20, 30))
    getattr(init, fn)(a, generator=gen(3))
    getattr(init, fn)(b, generator=gen(3))
    getattr(init, fn)(c, generator=gen(4))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(a.numpy(), c.numpy())


@pytest.mark.parametrize("fn", ALL_RANDOM)
def test_default_generator_follows_manual_seed(fn):
    a, b = big((10, 12)), big((10, 12))
    mg.manual_seed(123)
    getattr(init, fn)(a)
    mg.manual_seed(123)
    getattr(init, fn)(b)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_float32_and_float64_draw_the_same_numbers():
    a, b = big((50, 40), np.float32), big((50, 40), np.float64)
    init.kaiming_uniform_(a, generator=gen(9))
    init.kaiming_uniform_(b, generator=gen(9))
    np.testing.assert_array_equal(a.numpy(), b.numpy().astype(np.float32))


def test_uniform_matches_numpy_formula_exactly():
    w = big((6, 7))
    init.xavier_uniform_(w, generator=gen(5))
    bound = math.sqrt(3.0) * math.sqrt(2.0 / 13)
    np.testing.assert_array_equal(w.numpy(), gen(5).uniform(-bound, bound, size=(6, 7)))


def test_zero_element_tensor_warns_and_is_untouched():
    w = mg.tensor(np.zeros((0, 5)))
    with pytest.warns(UserWarning, match="zero-element"):
        assert init.kaiming_uniform_(w) is w
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        init.normal_(w)  # plain fills of an empty tensor are silent no-ops


def test_not_a_tensor():
    with pytest.raises(TypeError, match="expected a minigrad Tensor, got list"):
        init.normal_([1.0, 2.0])


# ---------------------------------------------------------------- against torch (optional)
def test_gain_and_fans_match_torch():
    torch = pytest.importorskip("torch")
    for nl, param in [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", 3),
        ("selu", None),
    ]:
        expected = torch.nn.init.calculate_gain(nl, param)
        assert math.isclose(init.calculate_gain(nl, param), expected, rel_tol=1e-15)
    for shape in [(3, 4), (8, 3, 5), (16, 8, 3, 3), (4, 2, 2, 3, 5)]:
        got = init._calculate_fan_in_and_fan_out(mg.tensor(np.zeros(shape)))
        assert got == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape)), shape


def test_bounds_and_stds_match_torch():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    cases = [
        ("xavier_uniform_", {}),
        ("xavier_uniform_", {"gain": 2.0}),
        ("kaiming_uniform_", {}),
        ("kaiming_uniform_", {"a": math.sqrt(5)}),
        ("kaiming_uniform_", {"mode": "fan_out"}),
    ]
    for fn, kw in cases:
        shape = (200, 30, 3, 3)
        ours = getattr(init, fn)(big(shape), generator=gen(0), **kw).numpy()
        theirs = getattr(torch.nn.init, fn)(torch.empty(shape, dtype=torch.float64), **kw).numpy()
        # the same bound: both maxima are within 0.1 % below it
        assert math.isclose(np.abs(ours).max(), np.abs(theirs).max(), rel_tol=2e-3), (fn, kw)
    for fn, kw in [
        ("xavier_normal_", {}),
        ("kaiming_normal_", {"nonlinearity": "relu"}),
        ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "tanh"}),
    ]:
        shape = (200, 30, 3, 3)
        ours = getattr(init, fn)(big(shape), generator=gen(0), **kw).numpy()
        theirs = getattr(torch.nn.init, fn)(torch.empty(shape, dtype=torch.float64), **kw).numpy()
        assert math.isclose(ours.std(), theirs.std(), rel_tol=1e-2), (fn, kw)
