"""mg.compile: a traced and replayed training step gives exactly eager's numbers, retraces on its guards,
and falls back to eager (with one warning) on what it can't trace."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad.compile import CompiledFunction, CompileWarning

nn, F = mg.nn, mg.nn.functional
# a fallback nobody expected fails the test (the tests that expect one catch it with pytest.warns)
pytestmark = pytest.mark.filterwarnings("error::minigrad.compile.CompileWarning")


def _model(dtype=mg.float32, dropout=0.2, seed=0):
    mg.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(8, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3)
    ).to(dtype)


def _optimizer(name, params):
    if name == "sgd":
        return mg.optim.SGD(params, lr=0.1, momentum=0.9)
    if name == "nesterov":
        return mg.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)
    if name == "adam":
        return mg.optim.Adam(params, lr=1e-2)
    return mg.optim.AdamW(params, lr=1e-2)


def _batches(n, dtype, loss, batch=32, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        x = mg.tensor(rng.standard_normal((batch, 8)).astype(dtype))
        if loss == "ce":
            y = mg.tensor(rng.integers(0, 3, batch))
        else:
            y = mg.tensor(rng.standard_normal((batch, 3)).astype(dtype))
        yield x, y


def _train(compiled, opt_name="sgd", loss="ce", dtype=np.float32, steps=100):
    model = _model(mg.float32 if dtype == np.float32 else mg.float64)
    opt = _optimizer(opt_name, model.parameters())
    lossfn = F.cross_entropy if loss == "ce" else F.mse_loss

    def train_step(x, y):
        opt.zero_grad()
        out = lossfn(model(x), y)
        out.backward()
        opt.step()
        return out

    step = mg.compile(train_step) if compiled else train_step
    mg.manual_seed(5)  # the dropout masks' stream, the same for both runs
    losses = [step(x, y).numpy().copy() for x, y in _batches(steps, dtype, loss)]
    return losses, [p.numpy().copy() for p in model.parameters()], step


@pytest.mark.parametrize("opt_name", ["sgd", "nesterov", "adam", "adamw"])
@pytest.mark.parametrize("loss", ["ce", "mse"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_compiled_training_equals_eager_bit_for_bit(opt_name, loss, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        eager_losses, eager_params, _ = _train(False, opt_name, loss, dtype)
        losses, params, step = _train(True, opt_name, loss, dtype)
    assert step.traces == 2 and step.eager_reason is None  # traced twice (the check), replayed 98 times
    assert [loss.dtype for loss in losses] == [np.dtype(dtype)] * 100
    for a, b in zip(eager_losses, losses):
        assert a.tobytes() == b.tobytes()
    for a, b in zip(eager_params, params):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_replay_returns_a_tensor_with_the_loss_and_dropout_draws_fresh_masks():
    model = nn.Sequential(nn.Linear(4, 64), nn.Dropout(0.5))
    x = mg.ones(2, 4)

    def forward(x):
        return model(x).sum().detach()  # no backward inside: a result with a graph would make compile fall back

    step = mg.compile(forward)
    values = {float(step(x)) for _ in range(6)}
    assert len(values) > 1  # every replay draws a new mask from the default generator
    out = step(x)
    assert isinstance(out, mg.Tensor) and out.shape == () and not out.requires_grad
    # the same generator as eager: after reseeding, a replay and an eager call draw the same mask
    mg.manual_seed(3)
    a = step(x).item()
    mg.manual_seed(3)
    assert forward(x).item() == a


def test_a_given_generator_is_the_one_replay_draws_from():
    lin = nn.Linear(4, 32)
    g = mg.Generator().manual_seed(0)

    def f(x):
        return F.dropout(lin(x), 0.5, generator=g).sum().detach()

    step = mg.compile(f)
    x = mg.ones(3, 4)
    step(x), step(x)  # trace and check
    g.manual_seed(11)
    a = step(x).item()
    g.manual_seed(11)
    assert f(x).item() == a
    assert step.eager_reason is None


def _setup():
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    opt = mg.optim.SGD(model.parameters(), lr=0.1)

    def train_step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return model, opt, mg.compile(train_step)


def test_a_new_batch_size_retraces_and_both_traces_stay_cached():
    model, opt, step = _setup()
    x, y = mg.randn(32, 8), mg.randint(0, 3, (32,))
    for _ in range(3):
        step(x, y)
    assert step.traces == 2
    x2, y2 = mg.randn(7, 8), mg.randint(0, 3, (7,))
    for _ in range(3):
        step(x2, y2)
    assert step.traces == 4 and len(step.programs) == 2
    step(x, y)
    assert step.traces == 4  # the first trace is still cached
    assert "(7, 8) float32" in step.explain() or "(32, 8) float32" in step.explain()


def test_eval_mode_retraces_without_dropout():
    model, opt, step = _setup()
    x, y = mg.randn(16, 8), mg.randint(0, 3, (16,))
    step(x, y), step(x, y)
    assert "Dropout" in step.explain()
    model.eval()
    step(x, y), step(x, y)
    assert step.traces == 4 and "Dropout" not in step.explain()
    model.train()
    step(x, y)
    assert step.traces == 4 and "Dropout" in step.explain()


def test_dtype_change_retraces():
    model, opt, step = _setup()
    x, y = mg.randn(16, 8), mg.randint(0, 3, (16,))
    step(x, y), step(x, y), step(x, y)
    model.double()
    loss = step(x.double(), y)
    assert loss.dtype == np.float64 and step.traces == 3


def test_scheduler_changes_lr_without_retrace():
    def run(compiled):
        mg.manual_seed(0)
        model = nn.Linear(8, 3)
        opt = mg.optim.SGD(model.parameters(), lr=0.5)
        sched = mg.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.1)

        def train_step(x, y):
            opt.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss

        step = mg.compile(train_step) if compiled else train_step
        out = []
        for x, y in _batches(12, np.float32, "mse"):
            out.append(step(x, y).item())
            sched.step()
        return out, model.weight.numpy().copy(), step

    eager, w_eager, _ = run(False)
    compiled, w, step = run(True)
    assert compiled == eager and np.array_equal(w, w_eager)
    assert step.traces == 2


def test_scheduler_step_inside_the_step_is_replayed():
    model = nn.Linear(2, 1)
    opt = mg.optim.SGD(model.parameters(), lr=1.0)
    sched = mg.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)

    def train_step(x):
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
        sched.step()

    step = mg.compile(train_step)
    for _ in range(5):
        step(mg.ones(1, 2))
    assert opt.param_groups[0]["lr"] == 0.5**5


def test_cache_evicts_the_least_recently_used_trace_with_a_warning():
    lin = nn.Linear(3, 2)
    step = mg.compile(lambda x: lin(x).sum().detach(), cache_size=2)
    for n in (1, 2):
        step(mg.ones(n, 3)), step(mg.ones(n, 3))
    with pytest.warns(CompileWarning, match="evicting"):
        step(mg.ones(3, 3)), step(mg.ones(3, 3))
    assert len(step.programs) == 2


def _falls_back(fn, *args, match, calls=3):
    step = mg.compile(fn)
    with pytest.warns(CompileWarning, match=match) as record:
        results = [step(*args) for _ in range(calls)]
    assert len([w for w in record if issubclass(w.category, CompileWarning)]) == 1  # warned once
    assert step.eager_reason is not None and "eagerly" in step.explain()
    return results


def test_item_inside_the_step_falls_back_to_eager():
    lin = nn.Linear(3, 1)
    opt = mg.optim.SGD(lin.parameters(), lr=0.1)

    def train_step(x):
        opt.zero_grad()
        loss = lin(x).pow(2).mean()
        if loss.item() > 0:  # Python control flow on a value
            loss.backward()
            opt.step()
        return loss

    losses = _falls_back(train_step, mg.ones(4, 3), match=r"\.item\(\)")
    assert losses[0].item() > losses[1].item() > losses[2].item()  # every call trained, eagerly


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batchnorm_in_training_updates_running_statistics_as_eager(dtype):
    def run(compiled):
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 3)).to(
            mg.float32 if dtype == np.float32 else mg.float64
        )
        opt = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

        def train_step(x, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        step = mg.compile(train_step) if compiled else train_step
        mg.manual_seed(3)
        losses = [step(x, y).numpy().copy() for x, y in _batches(40, dtype, "ce")]
        return losses, {k: v.numpy().copy() for k, v in model.state_dict().items()}, step

    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        eager_losses, eager_state, _ = run(False)
        losses, state, step = run(True)
    assert step.eager_reason is None and step.traces == 2
    assert [a.tobytes() for a in losses] == [b.tobytes() for b in eager_losses]
    assert state.keys() == eager_state.keys() and int(state["1.num_batches_tracked"]) == 40
    for k in state:
        assert np.array_equal(state[k], eager_state[k]), k
    text = step.explain()
    assert "1.num_batches_tracked += 1" in text
    assert "1.running_var <- (1 - 0.1) * 1.running_var + 0.1 * %1.stats['var'] * 1.032258064516129" in text


def test_batchnorm_with_cumulative_average_falls_back():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4, momentum=None))
    x = mg.randn(8, 3)
    _falls_back(lambda x: model(x).sum().detach(), x, match="running update changed between calls")
    assert model[1].num_batches_tracked.item() == 3


def test_batchnorm_in_eval_mode_is_traced():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    model(mg.randn(16, 3))  # some running statistics
    model.eval()
    opt = mg.optim.Adam(model.parameters(), lr=1e-2)

    def train_step(x):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        opt.step()
        return loss

    eager_model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    eager_model.load_state_dict(model.state_dict())
    eager_model.eval()
    eager_opt = mg.optim.Adam(eager_model.parameters(), lr=1e-2)
    step = mg.compile(train_step)
    x = mg.randn(16, 3)
    for _ in range(5):
        a = step(x)
        eager_opt.zero_grad()
        b = eager_model(x).pow(2).mean()
        b.backward()
        eager_opt.step()
        assert a.item() == b.item()
    assert step.eager_reason is None and step.traces == 2


def test_hooks_fall_back():
    lin = nn.Linear(3, 1)
    lin.register_forward_hook(lambda m, i, o: None)
    _falls_back(lambda x: lin(x).sum(), mg.ones(2, 3), match="forward hook")
    lin2 = nn.Linear(3, 1)
    lin2.weight.register_hook(lambda g: g * 2)

    def f(x):
        lin2(x).sum().backward()

    _falls_back(f, mg.ones(2, 3), match="hook")
    assert np.array_equal(lin2.weight.grad.numpy(), np.full((1, 3), 2.0 * 2 * 3, dtype=np.float32))


def test_retain_graph_and_inplace_writes_fall_back():
    lin = nn.Linear(3, 1)

    def twice(x):
        loss = lin(x).sum()
        loss.backward(retain_graph=True)
        loss.backward()

    _falls_back(twice, mg.ones(2, 3), match="retain_graph")

    def manual_sgd(x):
        lin.zero_grad()
        lin(x).sum().backward()
        with mg.no_grad():
            lin.weight -= 0.1 * lin.weight.grad

    before = lin.weight.numpy().copy()
    _falls_back(manual_sgd, mg.ones(2, 3), match="in-place write")
    assert np.allclose(lin.weight.numpy(), before - 3 * 0.1 * 2)  # three eager updates


def test_a_random_tensor_made_inside_the_step_falls_back():
    lin = nn.Linear(3, 1)
    _falls_back(lambda x: lin(x + mg.randn(2, 3)).sum().detach(), mg.ones(2, 3), match="changed between calls")


def test_a_constant_tensor_made_inside_the_step_is_baked_in():
    lin = nn.Linear(3, 1)
    f = mg.compile(lambda x: lin(x * mg.tensor(2.0)).sum().detach())
    x = mg.ones(2, 3)
    assert [f(x).item() for _ in range(4)] == [lin(x * 2).sum().item()] * 4
    assert f.eager_reason is None


def test_explain_lists_every_kernel_with_shapes_dtypes_and_sources():
    model, opt, step = _setup()
    x, y = mg.randn(32, 8), mg.randint(0, 3, (32,))
    assert "not traced yet" in step.explain()
    step(x, y), step(x, y)
    text = step.explain()
    print(text)
    lines = text.splitlines()
    assert lines[0].startswith("traced program: 5 forward ops, 1 backward pass(es), 2 host call(s)")
    assert "%0 = Linear(arg0, live[0.weight], live[0.bias]) -> (32, 16) float32" in text
    assert "Dropout(%1, p=0.3, rng=generator(default))" in text
    assert "%4 = CrossEntropy(%3, arg1, reduction='mean') -> () float32" in text
    assert "LinearBackward(g%0 (32, 16) float32) -> grad[0.weight], grad[0.bias]" in text
    assert "accumulate into 3.weight.grad (3, 16) float32" in text
    trace_end = next(i for i, line in enumerate(lines) if line.startswith("lowered replay:"))
    assert lines[1] == "call SGD.zero_grad()" and lines[trace_end - 1].startswith("call SGD.step()")
    assert sum(1 for line in lines if line.startswith("  accumulate")) == 4


def test_compile_is_a_decorator_too():
    @mg.compile(cache_size=3)
    def f(x):
        return (x * 2).sum()

    assert isinstance(f, CompiledFunction) and f.cache_size == 3 and f.__name__ == "f"
    assert [f(mg.ones(2)).item() for _ in range(3)] == [4.0] * 3


def test_grad_mode_is_a_guard():
    lin = nn.Linear(3, 1)
    f = mg.compile(lambda x: lin(x).sum().detach())
    x = mg.ones(2, 3)
    f(x), f(x)
    with mg.no_grad():
        f(x), f(x)
    assert f.traces == 4


# ---------------------------------------------------------------------- coverage of the course's layers
def _course_model(kind, dtype):
    mg.manual_seed(0)
    if kind == "layernorm":
        layers = [
            nn.Linear(8, 16),
            nn.LayerNorm(16),
            nn.GELU(),
            nn.Residual(nn.Sequential(nn.Linear(16, 16), nn.SiLU())),
            nn.Dropout(0.1),
            nn.Linear(16, 3),
        ]
    else:
        layers = [
            nn.Linear(8, 16),
            nn.LeakyReLU(0.1),
            nn.ELU(),
            nn.Linear(16, 16),
            nn.Sigmoid(),
            nn.Softplus(),
            nn.Hardtanh(),
            nn.Linear(16, 3),
        ]
    return nn.Sequential(*layers).to(mg.float32 if dtype == np.float32 else mg.float64)


_OPTIMIZERS = {
    "rmsprop": lambda p: mg.optim.RMSprop(p, lr=1e-2, momentum=0.5, weight_decay=1e-3),
    "adagrad": lambda p: mg.optim.Adagrad(p, lr=1e-1),
    "adam_amsgrad": lambda p: mg.optim.Adam(p, lr=1e-2, amsgrad=True, weight_decay=1e-3),
    "sgd_dampening": lambda p: mg.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1),
}


def _course_run(compiled, kind, loss, opt_name, extras, dtype, steps=30):
    model = _course_model(kind, dtype)
    opt = _OPTIMIZERS[opt_name](model.parameters())
    sched = mg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    reg = mg.nn.regularization

    def train_step(x, y):
        opt.zero_grad()
        out = model(x)
        if loss == "bce":
            value = F.binary_cross_entropy_with_logits(out, y) + F.binary_cross_entropy(out.sigmoid(), y)
        elif loss == "l1":
            value = F.l1_loss(out, y) + F.mse_loss(out, y, reduction="sum") * 0.01
        else:
            value = F.cross_entropy(out, y)
        if "penalties" in extras:
            value = (
                value
                + 1e-3 * reg.l2_penalty(model)
                + 1e-4 * reg.l1_penalty(model)
                + 1e-4 * reg.elastic_net_penalty(model, 0.3)
            )
        value.backward()
        if "clip" in extras:
            mg.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
            mg.nn.utils.clip_grad_value_(model.parameters(), 0.05)
        opt.step()
        if "maxnorm" in extras:
            mg.nn.utils.max_norm_(model, 0.8)
        sched.step()
        return value

    step = mg.compile(train_step) if compiled else train_step
    mg.manual_seed(7)
    rng = np.random.default_rng(2)
    losses = []
    for _ in range(steps):
        x = mg.tensor(rng.standard_normal((16, 8)).astype(dtype))
        if loss == "ce":
            y = mg.tensor(rng.integers(0, 3, 16))
        elif loss == "bce":
            y = mg.tensor(rng.integers(0, 2, (16, 3)).astype(dtype))
        else:
            y = mg.tensor(rng.standard_normal((16, 3)).astype(dtype))
        losses.append(step(x, y).numpy().copy())
    return losses, [t.numpy().copy() for t in model.state_dict().values()], step


@pytest.mark.parametrize(
    "kind, loss, opt_name, extras",
    [
        ("layernorm", "ce", "rmsprop", ("penalties",)),
        ("activations", "bce", "adagrad", ("clip",)),
        ("layernorm", "l1", "adam_amsgrad", ("maxnorm", "clip")),
        ("activations", "ce", "sgd_dampening", ("penalties", "maxnorm")),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_course_layers_losses_penalties_optimizers_and_clipping_equal_eager(kind, loss, opt_name, extras, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CompileWarning)
        eager_losses, eager_state, _ = _course_run(False, kind, loss, opt_name, extras, dtype)
        losses, state, step = _course_run(True, kind, loss, opt_name, extras, dtype)
    assert step.eager_reason is None and step.traces == 2
    assert [a.tobytes() for a in losses] == [b.tobytes() for b in eager_losses]
    for a, b in zip(state, eager_state):
        assert np.array_equal(a, b)
    text = step.explain()
    if "clip" in extras:
        assert "call minigrad.nn.utils.clip_grad_norm_()" in text
    if "maxnorm" in extras:
        assert "call minigrad.nn.utils.max_norm_()" in text


def test_a_view_or_copy_of_an_argument_made_outside_ops_is_not_baked_in():
    lin = nn.Linear(3, 1)
    x = mg.ones(2, 3)
    # the same batch twice: the two traces agree on the copy's values, which must still not become a constant
    _falls_back(lambda x: lin(mg.tensor(np.array(x.numpy()))).sum(), x, match="numpy")
    _falls_back(lambda x: lin(mg.from_numpy(x._data[:1])).sum(), x, match="outside ops from an argument")


def test_detach_of_an_op_output_reads_the_op_output():
    lin = nn.Linear(3, 2)
    f = mg.compile(lambda x: (lin(x) * lin(x).detach()).sum().detach())
    xs = [mg.randn(4, 3) for _ in range(4)]
    assert [f(x).item() for x in xs] == [(lin(x) * lin(x).detach()).sum().item() for x in xs]
    assert f.eager_reason is None


def test_a_replaced_layer_retraces():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    f = mg.compile(lambda x: model(x).sum().detach())
    x = mg.ones(2, 3)
    f(x), f(x), f(x)
    model[2] = nn.Linear(2, 1)
    assert f(x).item() == model(x).sum().item()
    assert f.traces == 3


def test_assigning_grad_or_data_inside_the_step_falls_back():
    lin = nn.Linear(3, 1)

    def clear_then_backward(x):
        lin.weight.grad = None
        lin.bias.grad = None
        lin(x).sum().backward()

    _falls_back(clear_then_backward, mg.ones(2, 3), match=r"assignment to \.grad")
    assert np.array_equal(lin.weight.grad.numpy(), np.full((1, 3), 2.0, dtype=np.float32))  # not accumulated

    def manual_update(x):
        lin.zero_grad()
        lin(x).sum().backward()
        lin.weight.data = lin.weight.data - 0.1 * lin.weight.grad

    _falls_back(manual_update, mg.ones(2, 3), match=r"assignment to \.data")


def test_fit_with_compile_gives_the_same_history_and_weights():
    from minigrad.data import DataLoader, TensorDataset
    from minigrad.train import fit

    def run(compiled):
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 3))
        opt = mg.optim.Adam(model.parameters(), lr=1e-2)
        rng = np.random.default_rng(0)
        data = TensorDataset(
            mg.tensor(rng.standard_normal((70, 8)).astype(np.float32)), mg.tensor(rng.integers(0, 3, 70))
        )
        loader = DataLoader(data, batch_size=16, shuffle=True, generator=mg.Generator().manual_seed(1))
        with warnings.catch_warnings():
            warnings.simplefilter("error", CompileWarning)
            history = fit(
                model,
                nn.CrossEntropyLoss(),
                opt,
                loader,
                val_loader=loader,
                epochs=4,
                progress=False,
                clip_grad_norm=1.0,
                max_norm=2.0,
                compile=compiled,
                scheduler=mg.optim.lr_scheduler.StepLR(opt, 2),
            )
        return history, [p.numpy().copy() for p in model.parameters()]

    (h1, w1), (h2, w2) = run(False), run(True)
    for key in ("train_loss", "train_acc", "val_loss", "val_acc", "lr"):
        assert getattr(h1, key) == getattr(h2, key)
    assert len(set(h2.train_loss)) == 4
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2))


def test_a_compiled_function_called_inside_another_is_part_of_its_trace():
    lin = nn.Linear(3, 1)
    inner = mg.compile(lambda x: (lin(x) * 2).detach())
    outer = mg.compile(lambda x: inner(x).sum())
    x = mg.randn(4, 3)
    inner(x), inner(x), inner(x)  # inner has a program of its own
    assert [outer(x).item() for _ in range(4)] == [(lin(x) * 2).sum().item()] * 4
    assert "Mul" in outer.explain() and outer.eager_reason is None


def test_an_alias_of_a_parameter_reads_the_parameter_live():
    lin = nn.Linear(3, 2)
    f = mg.compile(lambda x: (lin(x) * lin.weight.data.sum()).sum().detach())
    x = mg.ones(2, 3)
    f(x), f(x)
    with mg.no_grad():
        lin.weight.copy_(mg.full((2, 3), 0.5))  # a change between calls, outside the compiled function
    assert f(x).item() == (lin(x) * lin.weight.data.sum()).sum().item()
    assert f.eager_reason is None


def test_reading_a_parameter_value_inside_the_step_falls_back():
    lin = nn.Linear(3, 1)
    _falls_back(lambda x: lin(x * float(lin.bias)).sum(), mg.ones(2, 3), match="float")


def test_compiling_a_model_forward_falls_back_in_training_and_is_traced_for_inference():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = mg.randn(5, 3)
    outs = _falls_back(model, x, match="no backward ran")
    outs[-1].sum().backward()  # eager results: the graph is there
    assert model[0].weight.grad is not None
    fast = mg.compile(model)
    with mg.no_grad():
        assert all(np.array_equal(fast(x).numpy(), model(x).numpy()) for _ in range(4))
    assert fast.eager_reason is None and fast.traces == 2


def test_gradient_accumulation_freezing_and_an_accuracy_output_match_eager():
    def run(compiled):
        mg.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
        opt = mg.optim.SGD(model.parameters(), lr=0.1)

        def accumulate(x, y):  # no zero_grad: gradients add up over calls, as in eager
            out = model(x)
            loss = F.cross_entropy(out, y)
            loss.backward()
            return loss, (out.argmax(1) == y).float().mean()

        step = mg.compile(accumulate) if compiled else accumulate
        results = []
        for i, (x, y) in enumerate(_batches(24, np.float32, "ce")):
            if i == 12:
                model[0].requires_grad_(False)  # freeze the first layer: a guard, so a retrace
            loss, acc = step(x, y)
            results.append((loss.item(), acc.item()))
            if i % 3 == 2:
                opt.step()
                opt.zero_grad()
        return results, [p.numpy().copy() for p in model.parameters()], step

    (r1, w1, _), (r2, w2, step) = run(False), run(True)
    assert r1 == r2 and all(np.array_equal(a, b) for a, b in zip(w1, w2))
    assert step.traces == 4
    text = step.explain()
    assert "= argmax(%2, 1, False) -> (32,) int64" in text and "= eq(%4, arg1) -> (32,) bool" in text


def test_an_error_inside_a_traced_step_propagates_and_unwraps_the_library():
    import sys

    from minigrad.autograd import engine
    from minigrad.autograd.function import Function

    before = (
        Function.__dict__["apply"],
        engine.run_backward,
        engine._Walk.__dict__["deliver"],
        mg.Tensor.__dict__["item"],
        mg.Tensor.__dict__["grad"],
        sys.getprofile(),
    )
    lin = nn.Linear(3, 1)

    def broken(x):
        lin(x).sum().backward()
        raise KeyError("boom")

    f = mg.compile(broken)
    with pytest.raises(KeyError, match="boom"):
        f(mg.ones(2, 3))
    after = (
        Function.__dict__["apply"],
        engine.run_backward,
        engine._Walk.__dict__["deliver"],
        mg.Tensor.__dict__["item"],
        mg.Tensor.__dict__["grad"],
        sys.getprofile(),
    )
    assert all(a is b for a, b in zip(before, after))


def test_reseeding_inside_the_step_happens_on_every_replay():
    lin = nn.Linear(4, 64)

    def f(x):
        mg.manual_seed(123)  # the same dropout mask every call, in eager mode
        return F.dropout(lin(x), 0.5).sum().detach()

    step = mg.compile(f)
    x = mg.ones(2, 4)
    values = [step(x).item() for _ in range(5)]
    assert values == [f(x).item()] * 5 and step.eager_reason is None
    assert "call Generator.manual_seed()" in step.explain()


def _small_step():
    mg.manual_seed(0)
    model = nn.Linear(4, 2)
    opt = mg.optim.SGD(model.parameters(), lr=0.1)

    def train_step(x, y):
        opt.zero_grad()
        out = F.mse_loss(model(x), y)
        out.backward()
        opt.step()
        return out

    return train_step, model


def _profiled_by_cprofile(stats, name):
    return [k for k in stats if k[2] == name]


def test_tracing_under_cprofile_traces_and_cprofile_keeps_profiling():
    import cProfile
    import pstats
    import sys

    eager_step, eager_model = _small_step()
    train_step, model = _small_step()
    step = mg.compile(train_step)
    x, y = mg.ones(8, 4), mg.zeros(8, 2)

    def after_the_trace():
        return 1

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        losses = [step(x, y).numpy().copy() for _ in range(3)]  # trace, check trace, replay
        assert sys.getprofile() is profiler  # the C profiler is back in place after each trace
        after_the_trace()
    finally:
        profiler.disable()
    assert step.traces == 2 and step.eager_reason is None
    stats = pstats.Stats(profiler).stats
    assert _profiled_by_cprofile(stats, "after_the_trace")  # profiling went on after the trace
    eager = [eager_step(x, y).numpy().copy() for _ in range(3)]
    assert all(a.tobytes() == b.tobytes() for a, b in zip(eager, losses))
    assert np.array_equal(model.weight.numpy(), eager_model.weight.numpy())


def test_tracing_under_a_python_profiler_chains_to_it_and_restores_it():
    import profile
    import sys

    train_step, _ = _small_step()
    step = mg.compile(train_step)
    x, y = mg.ones(8, 4), mg.zeros(8, 2)
    seen = []

    def hook(frame, event, arg):
        if event == "call":
            seen.append(frame.f_code.co_name)

    previous = sys.getprofile()
    sys.setprofile(hook)
    try:
        step(x, y)
        assert sys.getprofile() is hook
    finally:
        sys.setprofile(previous)
    assert "train_step" in seen and "forward" in seen  # the hook saw the calls made during the trace
    assert step.traces == 1 and step.eager_reason is None

    # profile.Profile checks that every return matches its call: it would fail on a broken call stack
    step2 = mg.compile(_small_step()[0])
    prof = profile.Profile()
    prof.runcall(lambda: [step2(x, y) for _ in range(3)])
    assert step2.traces == 2 and step2.eager_reason is None
    prof.create_stats()
    assert any(k[2] == "train_step" for k in prof.stats)
