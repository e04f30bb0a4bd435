"""mg.compile's lowered replay (minigrad/_lower.py): the step as one generated function of NumPy kernels on
preallocated buffers gives bit-for-bit eager's numbers for every lowered op and optimizer, reads live
hyperparameters and arrays, keeps eager's .grad and optimizer-state semantics, and falls back where it must."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.compile import CompileWarning

nn, F = mg.nn, mg.nn.functional
pytestmark = pytest.mark.filterwarnings("error::minigrad.compile.CompileWarning")

DTYPES = [np.float32, np.float64]


def _mgdtype(dtype):
    return mg.float32 if dtype == np.float32 else mg.float64


def _model(kind, dtype):
    mg.manual_seed(0)
    layers = {
        "relu": [nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 12), nn.ReLU(), nn.Linear(12, 4)],
        "tanh": [nn.Linear(6, 12), nn.Tanh(), nn.Linear(12, 4)],
        "sigmoid": [nn.Linear(6, 12), nn.Sigmoid(), nn.Linear(12, 4)],
        "mixed": [nn.Linear(6, 12), nn.Sigmoid(), nn.Linear(12, 12), nn.Tanh(), nn.Linear(12, 12), nn.ReLU()]
        + [nn.Linear(12, 4)],
        "nobias": [nn.Linear(6, 12, bias=False), nn.ReLU(), nn.Linear(12, 4, bias=False)],
        "generic": [nn.Linear(6, 12), nn.GELU(), nn.Dropout(0.25), nn.Linear(12, 12), nn.LeakyReLU(0.1)]
        + [nn.LayerNorm(12), nn.Linear(12, 4)],
    }[kind]
    return nn.Sequential(*layers).to(_mgdtype(dtype))


def _optimizer(name, params):
    return {
        "sgd": lambda: mg.optim.SGD(params, lr=0.1),
        "momentum": lambda: mg.optim.SGD(params, lr=0.05, momentum=0.9, dampening=0.1),
        "nesterov": lambda: mg.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2),
        "maximize": lambda: mg.optim.SGD(params, lr=0.01, momentum=0.5, weight_decay=1e-3, maximize=True),
        "adam": lambda: mg.optim.Adam(params, lr=1e-2),
        "adam_wd": lambda: mg.optim.Adam(params, lr=1e-2, weight_decay=1e-2, maximize=True),
        "adamw": lambda: mg.optim.AdamW(params, lr=1e-2, betas=(0.8, 0.99)),
        "rmsprop": lambda: mg.optim.RMSprop(params, lr=1e-3),  # not lowered: the real step() as a host call
    }[name]()


def _data(n, dtype, loss, seed=1, batch=16):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = mg.tensor(rng.standard_normal((batch, 6)).astype(dtype))
        if loss == "mse":
            y = mg.tensor(rng.standard_normal((batch, 4)).astype(dtype))
        else:
            y = mg.tensor(rng.integers(0, 4, batch))
        out.append((x, y))
    return out


def _run(compiled, kind, opt_name, loss, dtype, steps=100):
    model = _model(kind, dtype)
    opt = _optimizer(opt_name, model.parameters())
    lossfn = {"ce": F.cross_entropy, "ce_sum": lambda a, b: F.cross_entropy(a, b, reduction="sum")}.get(
        loss, F.mse_loss
    )

    def train_step(x, y):
        opt.zero_grad()
        out = lossfn(model(x), y)
        out.backward()
        opt.step()
        return out

    step = mg.compile(train_step) if compiled else train_step
    mg.manual_seed(5)
    losses = [step(x, y).numpy().copy() for x, y in _data(steps, dtype, loss)]
    return losses, model, opt, step


def _assert_same(eager, compiled):
    (l1, m1, o1, _), (l2, m2, o2, step) = eager, compiled
    assert step.eager_reason is None and step.traces == 2
    assert [a.tobytes() for a in l1] == [b.tobytes() for b in l2]  # bit for bit
    for (n, a), (_, b) in zip(m1.state_dict().items(), m2.state_dict().items()):
        assert a.dtype == b.dtype and a.numpy().tobytes() == b.numpy().tobytes(), n
    s1, s2 = o1.state_dict()["state"], o2.state_dict()["state"]
    assert s1.keys() == s2.keys()
    for k in s1:
        assert s1[k].keys() == s2[k].keys()
        for name in s1[k]:
            a, b = s1[k][name], s2[k][name]
            if isinstance(a, mg.Tensor):
                assert a.numpy().tobytes() == b.numpy().tobytes(), (k, name)
            else:
                assert a == b, (k, name)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "kind, opt_name, loss",
    [
        ("relu", "sgd", "ce"),
        ("relu", "momentum", "ce_sum"),
        ("relu", "nesterov", "mse"),
        ("tanh", "maximize", "ce"),
        ("sigmoid", "adam", "ce"),
        ("mixed", "adam_wd", "ce"),
        ("nobias", "adamw", "ce"),
        ("mixed", "sgd", "mse"),
        ("generic", "nesterov", "ce"),
        ("relu", "rmsprop", "ce"),
    ],
)
def test_lowered_training_equals_eager_bit_for_bit_over_100_steps(kind, opt_name, loss, dtype):
    eager = _run(False, kind, opt_name, loss, dtype)
    compiled = _run(True, kind, opt_name, loss, dtype)
    _assert_same(eager, compiled)
    lowered = compiled[3]._last.lowered
    assert lowered is not None and lowered.lowered_ops >= 3
    if kind == "generic":  # GELU, Dropout, LeakyReLU, LayerNorm keep the generic path, inside the lowered function
        assert lowered.generic_ops >= 4 and "generic_forward" in lowered.source
    text = compiled[3].explain()
    assert "lowered replay:" in text and "matmul(" in text
    if opt_name in ("sgd", "momentum", "nesterov", "maximize", "adam", "adam_wd", "adamw"):
        assert ".step lowered" in lowered.source
    else:
        assert "O0.step(" in lowered.source and ".step lowered" not in lowered.source


def test_the_lowered_step_writes_into_buffers_allocated_once():
    _, _, _, step = _run(True, "relu", "sgd", "ce", np.float32, steps=4)
    lowered = step._last.lowered
    buffers = [lowered.namespace[name] for name, *_ in lowered.buffers]
    before = [id(b) for b in buffers]
    x, y = _data(1, np.float32, "ce")[0]
    step(x, y)
    assert [id(lowered.namespace[name]) for name, *_ in lowered.buffers] == before
    assert "out=" in lowered.source or ", B" in lowered.source
    # the loss returned is a fresh array each call (never a buffer the next replay overwrites)
    a, b = step(x, y), step(x, y)
    assert not np.shares_memory(a.numpy(), b.numpy())
    assert not any(np.shares_memory(a.numpy(), buf) for buf in buffers)


def _sgd_setup(dtype=np.float32, **opt_kwargs):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3)).to(_mgdtype(dtype))
    opt = mg.optim.SGD(model.parameters(), **{"lr": 0.1, **opt_kwargs})
    x = mg.tensor(np.random.default_rng(0).standard_normal((10, 5)).astype(dtype))
    y = mg.tensor(np.arange(10) % 3)
    return model, opt, x, y


def _step_fn(model, opt, set_to_none=True):
    def train_step(x, y):
        opt.zero_grad(set_to_none=set_to_none)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return train_step


def test_a_scheduler_changing_lr_takes_effect_on_the_lowered_step():
    results = []
    for compiled in (False, True):
        model, opt, x, y = _sgd_setup(momentum=0.9)
        sched = mg.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        step = _step_fn(model, opt)
        step = mg.compile(step) if compiled else step
        losses = []
        for _ in range(12):
            losses.append(step(x, y).item())
            sched.step()
        results.append((losses, [p.numpy().copy() for p in model.parameters()], opt.param_groups[0]["lr"]))
    (l1, p1, lr1), (l2, p2, lr2) = results
    assert l1 == l2 and lr1 == lr2 == 0.1 * 0.5**4
    assert all(np.array_equal(a, b) for a, b in zip(p1, p2))
    assert step.traces == 2


def test_a_parameter_array_replaced_is_read_live():
    out = []
    for compiled in (False, True):
        model, opt, x, y = _sgd_setup()
        step = mg.compile(_step_fn(model, opt)) if compiled else _step_fn(model, opt)
        for _ in range(4):
            step(x, y)
        model[0].weight.data = np.full((8, 5), 0.05, np.float32)  # a new array object
        model.load_state_dict({k: v.clone() for k, v in model.state_dict().items()})  # new arrays again
        losses = [step(x, y).item() for _ in range(4)]
        out.append((losses, [p.numpy().copy() for p in model.parameters()]))
        if compiled:
            assert step.traces == 2  # same shapes and dtypes: no retrace, the kernels read the new arrays
    assert out[0][0] == out[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(out[0][1], out[1][1]))


def test_a_parameter_replaced_by_another_dtype_retraces_and_matches_eager():
    out = []
    for compiled in (False, True):
        model, opt, x, y = _sgd_setup()
        step = mg.compile(_step_fn(model, opt)) if compiled else _step_fn(model, opt)
        for _ in range(3):
            step(x, y)
        model[2].weight.data = np.full((3, 8), 0.1, np.float64)  # another dtype: the guard sees it
        model[2].bias.data = np.zeros(3, np.float64)
        out.append(([step(x, y).item() for _ in range(4)], [p.numpy().copy() for p in model.parameters()]))
        if compiled:
            assert step.traces == 4  # traced (and checked) again for the new dtype
    assert out[0][0] == out[1][0]
    assert all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(out[0][1], out[1][1]))


def test_grads_are_fresh_tensors_after_set_to_none_and_accumulate_in_place_otherwise():
    model, opt, x, y = _sgd_setup()
    step = mg.compile(_step_fn(model, opt))
    for _ in range(3):
        step(x, y)
    w = model[0].weight
    g1 = w.grad
    a1 = g1.numpy().copy()
    step(x, y)
    g2 = w.grad
    assert g2 is not g1 and not np.shares_memory(g1.numpy(), g2.numpy())
    assert np.array_equal(g1.numpy(), a1)  # the old gradient was not overwritten by the next replay

    # set_to_none=False: the same .grad tensor each step, zeroed then accumulated into, as eager
    results = []
    for compiled in (False, True):
        model, opt, x, y = _sgd_setup()
        f = _step_fn(model, opt, set_to_none=False)
        step = mg.compile(f) if compiled else f
        for _ in range(3):
            step(x, y)
        g = model[0].weight.grad
        version = g._version
        step(x, y)
        assert model[0].weight.grad is g
        results.append((g.numpy().copy(), g._version - version, model[0].weight._version))
    assert np.array_equal(results[0][0], results[1][0]) and results[0][1:] == results[1][1:]


def test_gradients_accumulated_over_two_backwards_and_a_leaf_used_twice():
    def run(compiled):
        mg.manual_seed(0)
        lin = nn.Linear(4, 4)
        opt = mg.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
        x = mg.randn(6, 4)

        def f(x):
            opt.zero_grad()
            h = lin(lin(x).tanh())  # the weight is used twice: its gradient is the sum, in the engine's order
            loss = (h * h).mean()
            loss.backward()
            F.mse_loss(lin(x), x).backward()  # a second backward accumulates into the same .grad
            opt.step()
            return loss

        step = mg.compile(f) if compiled else f
        losses = [step(x).item() for _ in range(20)]
        return losses, lin.weight.numpy().copy(), step

    l1, w1, _ = run(False)
    l2, w2, step = run(True)
    assert l1 == l2 and np.array_equal(w1, w2) and step._last.lowered is not None


def test_dropout_masks_differ_between_replays_and_follow_the_generator():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 1))
    opt = mg.optim.SGD(model.parameters(), lr=0.0)  # lr 0: the weights stay, only the masks change
    x = mg.ones(8, 4)

    def f(x):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        opt.step()
        return loss

    step = mg.compile(f)
    step(x), step(x)
    assert step._last.lowered is not None and "Dropout: u ~ U[0, 1)" in step._last.lowered.source  # lowered
    values = {step(x).item() for _ in range(6)}
    assert len(values) > 1
    mg.manual_seed(7)
    a = step(x).item()
    mg.manual_seed(7)
    assert f(x).item() == a


@pytest.mark.parametrize("dtype", DTYPES)
def test_batchnorm_running_statistics_update_as_eager_in_the_lowered_program(dtype):
    states = []
    for compiled in (False, True):
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3)).to(_mgdtype(dtype))
        opt = mg.optim.Adam(model.parameters(), lr=1e-2)
        f = _step_fn(model, opt)
        step = mg.compile(f) if compiled else f
        for x, y in _data(30, dtype, "ce", batch=12):
            step(x[:, :5], y % 3)
        states.append(model.state_dict())
        if compiled:
            assert step._last.lowered is not None and step._last.lowered.generic_ops >= 1
    for k in states[0]:
        assert states[0][k].numpy().tobytes() == states[1][k].numpy().tobytes(), k


def test_optimizer_changes_fall_back_to_the_real_step_and_state_is_shared_with_eager():
    model, opt, x, y = _sgd_setup(momentum=0.9)
    ref_model, ref_opt, _, _ = _sgd_setup(momentum=0.9)
    f, ref = mg.compile(_step_fn(model, opt)), _step_fn(ref_model, ref_opt)
    for _ in range(5):
        assert f(x, y).item() == ref(x, y).item()
    # the momentum buffers are the optimizer's own state objects: eager sees what replay wrote
    assert np.array_equal(
        opt.state[model[0].weight]["momentum_buffer"].numpy(),
        ref_opt.state[ref_model[0].weight]["momentum_buffer"].numpy(),
    )
    _step_fn(model, opt)(x, y), ref(x, y)  # one eager step in between
    for o in (opt, ref_opt):  # a flag the lowering assumed changes: the real step() runs
        o.param_groups[0]["nesterov"] = True
        o.param_groups[0]["dampening"] = 0.0
    for _ in range(3):
        assert f(x, y).item() == ref(x, y).item()
    for o in (opt, ref_opt):  # state reloaded: new state objects, read live
        o.load_state_dict(o.state_dict())
    for _ in range(3):
        assert f(x, y).item() == ref(x, y).item()
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(model.parameters(), ref_model.parameters()))
    assert f.eager_reason is None


def test_cross_entropy_target_out_of_range_raises_as_eager():
    model, opt, x, y = _sgd_setup()
    step = mg.compile(_step_fn(model, opt))
    for _ in range(3):
        step(x, y)
    bad = mg.tensor(np.array([0, 1, 2, 3, 0, 1, 2, 0, 1, 2]))
    with pytest.raises(IndexError, match="Target 3 is out of bounds"):
        step(x, bad)
    bad = mg.tensor(np.array([0, 1, 2, -1, 0, 1, 2, 0, 1, 2]))
    with pytest.raises(IndexError, match="out of bounds"):
        step(x, bad)


def test_nonfinite_logits_take_the_ops_own_path():
    def run(compiled):
        lin = nn.Linear(3, 3)
        opt = mg.optim.SGD(lin.parameters(), lr=0.0)
        with mg.no_grad():
            lin.weight.fill_(0.0)
            lin.bias.copy_(mg.tensor([0.0, 0.0, 0.0]))
        x = mg.ones(4, 3)
        y = mg.tensor(np.array([0, 1, 2, 0]))
        f = _step_fn(nn.Sequential(lin), opt)
        step = mg.compile(f) if compiled else f
        out = [step(x, y).item() for _ in range(3)]
        with mg.no_grad():
            lin.bias.copy_(mg.tensor([float("inf"), 0.0, 0.0]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out.append(step(x, y).item())
        return out

    a, b = run(False), run(True)
    assert a[:3] == b[:3] and (a[3] == b[3] or (np.isnan(a[3]) and np.isnan(b[3])))


def test_explain_lists_the_lowered_kernels_with_buffers():
    model, opt, x, y = _sgd_setup(momentum=0.9)
    step = mg.compile(_step_fn(model, opt))
    step(x, y), step(x, y)
    text = step.explain()
    assert "lowered replay:" in text and "buffers" in text
    assert "B0: (10, 8) float32  (%0 Linear output)" in text
    assert "matmul(" in text and "LinearBackward: ∂W = gᵀ x (fresh)" in text
    assert "SGD.step lowered" in text and "b ·= μ" in text


def test_the_compiled_warning_filter_sees_no_fallback_for_the_benchmark_model():
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        model, opt, x, y = _sgd_setup(dtype=np.float64)
        step = mg.compile(_step_fn(model, opt))
        for _ in range(4):
            step(x, y)
    lowered = step._last.lowered
    assert lowered.generic_ops == 0 and lowered.lowered_ops == 4


def test_calls_with_keywords_other_shapes_and_grad_mode_take_the_checked_path():
    model, opt, x, y = _sgd_setup()
    ref_model, ref_opt, _, _ = _sgd_setup()
    f, ref = mg.compile(_step_fn(model, opt)), _step_fn(ref_model, ref_opt)
    for _ in range(3):
        assert f(x=x, y=y).item() == ref(x, y).item()  # keywords: the general dispatch, still replayed
    assert f.traces == 2 and f._last.lowered is not None
    for _ in range(3):
        assert f(x, y).item() == ref(x, y).item()  # positional: another guard key, traced again
    assert f.traces == 4
    x2, y2 = x[:7], y[:7]
    for _ in range(3):
        assert f(x2, y2).item() == ref(x2, y2).item()  # another batch size: the fast check misses, retraces
    assert f.traces == 6
    assert f(x, y).item() == ref(x, y).item() and f.traces == 6  # back to the first shape: still cached
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(model.parameters(), ref_model.parameters()))


def test_optimizer_temporaries_share_one_scratch_buffer_per_slot():
    _, _, _, step = _run(True, "relu", "nesterov", "ce", np.float64, steps=3)
    lowered = step._last.lowered
    scratch = [b for b in lowered.buffers if "optimizer scratch" in b[3]]
    assert len(scratch) == 2  # the update and the weight decay temporaries, whatever the number of parameters
    assert max(int(np.prod(s)) for _, s, _, _ in scratch) == 12 * 12  # the largest parameter


def test_mse_and_elementwise_ops_are_lowered_too():
    _, _, _, step = _run(True, "relu", "nesterov", "mse", np.float32, steps=3)
    lowered = step._last.lowered
    assert lowered.generic_ops == 0 and lowered.lowered_ops == 8  # 3 Linear, 2 ReLU, Sub, Mul, Mean
    assert "MeanBackward: g / 64 broadcast" in lowered.source and "MulBackward" in lowered.source


@pytest.mark.parametrize("kind, opt_name", [("relu", "momentum"), ("mixed", "momentum"), ("relu", "sgd")])
def test_large_arrays_take_fresh_arrays_instead_of_buffers_with_the_same_numbers(kind, opt_name, monkeypatch):
    from minigrad import _lower

    monkeypatch.setattr(_lower, "FRESH_BYTES", 0)  # every array "large": the allocating path everywhere
    eager = _run(False, kind, opt_name, "ce", np.float32, steps=30)
    compiled = _run(True, kind, opt_name, "ce", np.float32, steps=30)
    _assert_same(eager, compiled)
    source = compiled[3]._last.lowered.source
    assert "(fresh)" in source and "LinearBackward: ∂x = g W -> (16, 12) float32 (fresh)" in source
    assert "ARENA" not in source  # no arena for a large model
    if opt_name == "sgd":
        assert "u = multiply(h0_lr, T0._grad._data)" in source


def test_plain_sgd_gradients_share_an_arena_that_is_never_overwritten_while_held():
    model, opt, x, y = _sgd_setup()
    ref_model, ref_opt, _, _ = _sgd_setup()
    f, ref = mg.compile(_step_fn(model, opt)), _step_fn(ref_model, ref_opt)
    for _ in range(3):
        f(x, y), ref(x, y)
    lowered = f._last.lowered
    assert "multiply(h0_lr, ARENA, ASCR)" in lowered.source  # lr·g of every parameter in one kernel
    views = lowered.namespace["VIEWS"]
    assert all(np.shares_memory(p.grad.numpy(), v) for p, v in zip(model.parameters(), views))
    kept = [p.grad for p in model.parameters()]  # held by the user: the next replay must not write into them
    values = [g.numpy().copy() for g in kept]
    for _ in range(3):
        assert f(x, y).item() == ref(x, y).item()
    assert all(np.array_equal(g.numpy(), v) for g, v in zip(kept, values))
    assert not any(np.shares_memory(g.numpy(), p.grad.numpy()) for g, p in zip(kept, model.parameters()))
    del kept
    f(x, y), ref(x, y)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(model.parameters(), ref_model.parameters()))
    assert all(
        np.array_equal(a.grad.numpy(), b.grad.numpy()) for a, b in zip(model.parameters(), ref_model.parameters())
    )


@pytest.mark.parametrize("make_opt", ["two_groups_sgd", "two_groups_adam", "amsgrad"])
def test_param_groups_and_unlowered_variants_equal_eager(make_opt):
    def run(compiled):
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3))
        first, last = list(model[0].parameters()), list(model[2].parameters())
        opt = {
            "two_groups_sgd": lambda: mg.optim.SGD(
                [{"params": first, "lr": 0.05, "momentum": 0.9}, {"params": last}], lr=0.1
            ),
            "two_groups_adam": lambda: mg.optim.Adam([{"params": first, "lr": 3e-3}, {"params": last}], lr=1e-2),
            "amsgrad": lambda: mg.optim.Adam(model.parameters(), lr=1e-2, amsgrad=True),  # the real step()
        }[make_opt]()
        f = _step_fn(model, opt)
        step = mg.compile(f) if compiled else f
        rng = np.random.default_rng(3)
        losses = []
        for _ in range(40):
            x = mg.tensor(rng.standard_normal((9, 5)).astype(np.float32))
            losses.append(step(x, mg.tensor(rng.integers(0, 3, 9))).item())
        return losses, [p.numpy().copy() for p in model.parameters()], step

    l1, p1, _ = run(False)
    l2, p2, step = run(True)
    assert l1 == l2 and all(a.tobytes() == b.tobytes() for a, b in zip(p1, p2))
    lowered = step._last.lowered
    assert lowered is not None and ("step lowered" in lowered.source) == (make_opt != "amsgrad")


@pytest.mark.parametrize("dtype", DTYPES)
def test_relu_against_a_row_of_zeros_gives_eager_bits_on_special_values(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, tiny, -tiny, 1.5, -2.5], dtype)
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2 ** (8 * np.dtype(dtype).itemsize), (16, 48), dtype=np.uint64)
    values = bits.astype(np.uint32 if dtype == np.float32 else np.uint64).view(dtype).reshape(16, 48)
    values[rng.integers(0, 16, 200), rng.integers(0, 48, 200)] = rng.choice(specials, 200)

    def run(compiled):
        p = nn.Parameter(mg.tensor(values.copy()))
        weight = mg.tensor(rng.standard_normal((16, 48)).astype(dtype))
        opt = mg.optim.SGD([p], lr=0.1)  # only its zero_grad: the values stay as they are

        def step():
            opt.zero_grad()
            y = F.relu(p)
            loss = (y * weight).mean()
            loss.backward()
            return y.detach()

        fn = mg.compile(step) if compiled else step
        with np.errstate(all="ignore"):
            outs = [fn().numpy().copy() for _ in range(3)]
        return outs, p.grad.numpy().copy(), fn

    rng = np.random.default_rng(1)
    eager, eager_grad, _ = run(False)
    rng = np.random.default_rng(1)
    compiled, grad, fn = run(True)
    assert "maximum(" in fn.explain() and "48 zeros" in fn.explain()  # the zero-row form was lowered and replayed
    for a, b in zip(eager, compiled):
        assert a.tobytes() == b.tobytes()
    assert eager_grad.tobytes() == grad.tobytes()


@pytest.mark.parametrize("kind, opt_name, loss", [("generic", "adam", "ce"), ("relu", "momentum", "mse")])
def test_the_unlowered_replay_equals_eager_too(kind, opt_name, loss, monkeypatch):
    """A program the lowering pass refuses (``CannotLower``) replays step by step instead
    (``compile._Program.run``'s interpreter, which shares the generic op path with the lowered function)."""
    from minigrad import _lower

    def refuse(program):
        raise _lower.CannotLower("forced by the test")

    monkeypatch.setattr(_lower, "lower", refuse)
    eager = _run(False, kind, opt_name, loss, np.float64, steps=30)
    compiled = _run(True, kind, opt_name, loss, np.float64, steps=30)
    _assert_same(eager, compiled)
    assert compiled[3]._last.lowered is None
