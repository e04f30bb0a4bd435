"""What the official PyTorch beginner tutorials (quickstart, tensors, build the model, saving and loading,
optimization) reach for beyond API.md's lists: ``Tensor.type``, ``out=``, ``torch.accelerator``, the dtype in
a tensor's repr, the optimizers' implementation switches in ``state_dict()``, ``nn.init.eye_`` and
``nn.init.trunc_normal_``. Found by the programs 15-20 in tests/programs/."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


# ------------------------------------------------------------------ Tensor.type
def test_type_converts_like_to_and_names_the_legacy_type():
    x = mg.tensor([1, 2, 3])
    assert x.type() == "torch.LongTensor"
    assert mg.tensor([1.0]).type() == "torch.FloatTensor" and mg.tensor([True]).type() == "torch.BoolTensor"
    f = (x == mg.tensor([1, 0, 3])).type(mg.float)  # the quickstart's accuracy count
    assert f.dtype == mg.float32 and f.sum().item() == 2.0
    assert x.type(mg.long) is x  # nothing to convert: itself, as torch
    assert x.type("torch.DoubleTensor").dtype == mg.float64
    with pytest.raises(ValueError, match="invalid type"):
        x.type("torch.NoSuchTensor")


def test_type_matches_torch():
    torch = pytest.importorskip("torch")
    for dtype in ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"):
        m, t = mg.zeros(2, dtype=getattr(mg, dtype)), torch.zeros(2, dtype=getattr(torch, dtype))
        assert m.type() == t.type()
        assert str(m.type(mg.float).dtype) == str(t.type(torch.float).dtype).replace("torch.", "")


# ------------------------------------------------------------------ out=
def test_out_writes_into_the_given_tensor_and_returns_it():
    a = mg.arange(6, dtype=mg.float32).reshape(2, 3)
    y = mg.zeros(2, 2)
    r = mg.matmul(a, a.T, out=y)
    assert r is y
    np.testing.assert_array_equal(y.numpy(), (a @ a.T).numpy())
    z = mg.rand_like(a)
    assert mg.mul(a, a, out=z) is z and mg.equal(z, a * a)
    assert mg.add(a, 1, alpha=2, out=z) is z and mg.equal(z, a + 2)
    assert mg.sub(a, 1, out=z) is z and mg.equal(z, a - 1)
    assert mg.div(a, 2, out=z) is z and mg.equal(z, a / 2)


def test_out_is_resized_and_cast_as_torch_does():
    a = mg.ones(2, 3)
    out = mg.empty(0, dtype=mg.float64)
    mg.mul(a, 2, out=out)
    assert out.shape == (2, 3) and out.dtype == mg.float64 and out.sum().item() == 12.0
    counts = mg.zeros(2, 3, dtype=mg.long)
    with pytest.raises(RuntimeError, match=r"mul\(\): result type float32 can't be cast"):
        mg.mul(a, 2, out=counts)


def test_out_refuses_inputs_that_require_grad():
    w = mg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        mg.mul(w, 2, out=mg.zeros(2))
    with mg.no_grad():
        assert mg.mul(w, 2, out=mg.zeros(2)).tolist() == [2.0, 2.0]


def test_out_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 4
    m, t = mg.tensor(a), torch.tensor(a)
    mo, to = mg.zeros(3, 3), torch.zeros(3, 3)
    mg.matmul(m, m.T, out=mo)
    torch.matmul(t, t.T, out=to)
    np.testing.assert_allclose(mo.numpy(), to.numpy(), rtol=1e-6)


# ------------------------------------------------------------------ torch.accelerator
def test_accelerator_query_picks_the_cpu():
    acc = mg.accelerator
    assert acc.is_available() is False and acc.current_accelerator() is None and acc.device_count() == 0
    device = acc.current_accelerator().type if acc.is_available() else "cpu"  # the tutorials' line
    assert mg.ones(2).to(device).device == mg.device("cpu")


# ------------------------------------------------------------------ repr shows the dtype as torch does
@pytest.mark.parametrize("dtype", ["float64", "float16", "int32", "int16", "int8", "uint8", "int64", "bool", "float32"])
def test_repr_names_a_non_default_dtype_as_torch(dtype):
    m = mg.tensor([1, 0], dtype=getattr(mg, dtype))
    shown = dtype not in ("int64", "bool", "float32")
    assert (f"dtype=torch.{dtype}" in repr(m)) == shown, repr(m)
    torch = pytest.importorskip("torch")
    assert repr(m) == repr(torch.tensor([1, 0], dtype=getattr(torch, dtype)))


def test_repr_of_an_empty_float64_tensor_matches_torch():
    assert repr(mg.zeros(0, 3, dtype=mg.float64)) == "tensor([], size=(0, 3), dtype=torch.float64)"


# ------------------------------------------------------------------ optimizer state_dict prints as torch's
OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_param_groups_have_torchs_keys_in_torchs_order(name):
    opt = getattr(mg.optim, name)([mg.zeros(2, requires_grad=True)], lr=0.01)
    keys = list(opt.state_dict()["param_groups"][0])
    assert "foreach" in keys and "differentiable" in keys and keys[-1] == "params"
    torch = pytest.importorskip("torch")
    t_opt = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], lr=0.01)
    assert opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]
    assert str(opt.state_dict()["param_groups"]) == str(t_opt.state_dict()["param_groups"])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_implementation_switches_are_accepted_and_change_nothing(name):
    results = []
    for flags in ({}, {"foreach": True}, {"foreach": False}):
        w = mg.tensor([1.0, -2.0], requires_grad=True)
        opt = getattr(mg.optim, name)([w], lr=0.1, **flags)
        (w * w).sum().backward()
        opt.step()
        results.append(w.tolist())
    assert results[0] == results[1] == results[2]
    with pytest.raises(NotImplementedError, match=f"{name}: differentiable=True"):
        getattr(mg.optim, name)([mg.zeros(2, requires_grad=True)], lr=0.1, differentiable=True)


# ------------------------------------------------------------------ nn.init.eye_ and trunc_normal_
def test_eye_fills_the_identity():
    w = mg.empty(3, 5)
    assert mg.nn.init.eye_(w) is w
    np.testing.assert_array_equal(w.numpy(), np.eye(3, 5, dtype=np.float32))
    with pytest.raises(ValueError, match="eye_: only tensors with 2 dimensions"):
        mg.nn.init.eye_(mg.empty(2, 2, 2))


def test_trunc_normal_stays_within_its_bounds_with_the_right_spread():
    mg.manual_seed(0)
    w = mg.empty(200, 100)
    assert mg.nn.init.trunc_normal_(w, std=0.02) is w  # bounds ±2 are 100 std away: a plain normal
    assert abs(w.std().item() - 0.02) < 0.001
    mg.nn.init.trunc_normal_(w, mean=0.0, std=1.0, a=-1.0, b=0.5)
    assert w.min().item() >= -1.0 and w.max().item() <= 0.5
    assert w.min().item() < -0.99 and w.max().item() > 0.49  # the whole interval is used
    # the mean of N(0, 1) truncated to [-1, 0.5]: (φ(-1) − φ(0.5)) / (Φ(0.5) − Φ(-1))
    assert abs(w.mean().item() - (-0.2066)) < 0.01
    with pytest.raises(ValueError, match="a < b"):
        mg.nn.init.trunc_normal_(w, a=1.0, b=-1.0)


# ------------------------------------------------------------------ argmax(axis=...)
def test_argmax_and_argmin_take_numpys_axis_as_torch_does():
    x = mg.tensor([[1, 5, 2], [7, 0, 1]])
    assert x.argmax(axis=1).tolist() == [1, 0]  # course code's accuracy: y_hat.argmax(axis=1)
    assert mg.argmax(x, axis=0).tolist() == [1, 0, 0]
    assert x.argmin(axis=0, keepdims=True).tolist() == [[0, 1, 1]]
    assert mg.argmin(x, axis=1).tolist() == [0, 1]
    with pytest.raises(TypeError, match="either dim or axis"):
        x.argmax(1, axis=1)


# ------------------------------------------------------------------ named-tuple results print as torch's
RETURN_TYPES = {
    "max": lambda lib, x: lib.max(x, 1),
    "min": lambda lib, x: x.min(0),
    "sort": lambda lib, x: lib.sort(x, descending=True),
    "topk": lambda lib, x: x.topk(2, dim=1),
    "median": lambda lib, x: x.median(1),
    "mode": lambda lib, x: x.mode(1),
    "kthvalue": lambda lib, x: x.kthvalue(2, 1),
    "cummax": lambda lib, x: x.cummax(1),
    "aminmax": lambda lib, x: lib.aminmax(x, dim=0),
}


@pytest.mark.parametrize("name", RETURN_TYPES)
def test_named_tuple_results_print_as_torch_return_types(name):
    x = [[3.0, 1.0, 2.0], [0.5, 4.0, 4.0]]
    result = RETURN_TYPES[name](mg, mg.tensor(x))
    text = repr(result)
    assert text.startswith(f"torch.return_types.{name}(\n") and str(result) == text
    values, indices = result  # still a tuple
    assert isinstance(values, mg.Tensor) and isinstance(indices, mg.Tensor)
    torch = pytest.importorskip("torch")
    assert text == repr(RETURN_TYPES[name](torch, torch.tensor(x)))


def test_histogram_result_prints_as_torchs():
    torch = pytest.importorskip("torch")
    x = [1.0, 2.0, 2.5, 4.0]
    assert repr(mg.histogram(mg.tensor(x), bins=3)) == repr(torch.histogram(torch.tensor(x), bins=3))


# ------------------------------------------------------------------ printing nan, inf and zeros
NONFINITE = [
    ([float("nan"), float("inf"), 1.0], "tensor([nan, inf, 1.])"),
    ([0.0, float("nan")], "tensor([0., nan])"),
    ([-float("inf"), 1.0], "tensor([-inf, 1.])"),
    ([float("nan"), 1.5], "tensor([   nan, 1.5000])"),
    ([0.0, 100.0], "tensor([  0., 100.])"),
]


@pytest.mark.parametrize(("values", "text"), NONFINITE)
def test_only_finite_nonzero_values_set_the_print_width_as_in_torch(values, text):
    assert repr(mg.tensor(values)) == text
    torch = pytest.importorskip("torch")
    assert repr(torch.tensor(values)) == text


# ------------------------------------------------------------------ torch.utils.data: collate_fn, ConcatDataset, ...
def test_dataloader_takes_collate_fn_num_workers_and_pin_memory():
    from minigrad.utils.data import DataLoader

    def pad_collate(batch):  # as the text tutorials do: variable-length samples padded into one tensor
        longest = max(len(s) for s in batch)
        return mg.tensor([s + [0] * (longest - len(s)) for s in batch]), mg.tensor([len(s) for s in batch])

    samples = [[1, 2, 3], [4], [5, 6]]
    loader = DataLoader(samples, batch_size=2, collate_fn=pad_collate, num_workers=2, pin_memory=True)
    (padded, lengths), (last, _) = list(loader)
    assert padded.tolist() == [[1, 2, 3], [4, 0, 0]] and lengths.tolist() == [3, 1] and last.tolist() == [[5, 6]]
    with pytest.raises(TypeError, match="collate_fn must be callable"):
        DataLoader(samples, collate_fn=3)
    with pytest.raises(ValueError, match="num_workers"):
        DataLoader(samples, num_workers=-1)


def test_string_fields_stay_lists_of_strings():
    from minigrad.utils.data import DataLoader

    class Named(mg.utils.data.Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return {"x": mg.tensor([float(i)]), "name": f"s{i}"}

    batch = next(iter(DataLoader(Named(), batch_size=2)))
    assert batch["name"] == ["s0", "s1"] and batch["x"].tolist() == [[0.0], [1.0]]
    assert next(iter(DataLoader(["a", "b", "c"], batch_size=2))) == ["a", "b"]
    pairs = [(mg.ones(2), "p"), (mg.zeros(2), "q")]
    xb, names = next(iter(DataLoader(pairs, batch_size=2)))
    assert names == ["p", "q"] and xb.shape == (2, 2)


def test_default_collate_is_pytorchs():
    from minigrad.utils.data import default_collate

    xs, ys = default_collate([(mg.ones(2), 1), (mg.zeros(2), 0)])  # a list of batched fields, as torch
    assert isinstance(xs, mg.Tensor) and xs.shape == (2, 2) and ys.dtype == mg.int64 and ys.tolist() == [1, 0]
    assert default_collate([0.5, 1.5]).dtype == mg.float64
    assert default_collate([np.array([1.0, 2.0]), np.array([3.0, 4.0])]).dtype == mg.float64
    assert default_collate([{"a": 1, "s": "x"}, {"a": 2, "s": "y"}])["s"] == ["x", "y"]
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    torch = pytest.importorskip("torch")
    t = torch.utils.data.default_collate([(torch.ones(2), 1), (torch.zeros(2), 0)])
    assert type(t) is list and [tuple(v.shape) for v in t] == [xs.shape, ys.shape]


def test_concat_dataset_chains_datasets():
    from minigrad.utils.data import ConcatDataset, DataLoader, TensorDataset

    a = TensorDataset(mg.arange(3))
    b = TensorDataset(mg.arange(10, 12))
    both = ConcatDataset([a, b])
    assert len(both) == 5 and both.cumulative_sizes == [3, 5]
    assert [both[i][0].item() for i in range(5)] == [0, 1, 2, 10, 11] and both[-1][0].item() == 11
    (batch,) = next(iter(DataLoader(both, batch_size=5)))
    assert batch.tolist() == [0, 1, 2, 10, 11]
    with pytest.raises(IndexError):
        both[5]
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])


# ------------------------------------------------------------------ nn names left out say so; F.pad
@pytest.mark.parametrize(
    "name", ["Conv2d", "MaxPool2d", "AdaptiveAvgPool2d", "LSTM", "TransformerEncoderLayer", "PReLU"]
)
def test_nn_names_left_out_raise_an_error_that_says_so(name):
    with pytest.raises(mg.UnsupportedError, match=f"minigrad does not support torch.nn.{name}: "):
        getattr(mg.nn, name)
    assert not hasattr(mg.nn, name)  # an AttributeError, so hasattr stays False
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchLayer'"):
        mg.nn.NoSuchLayer  # noqa: B018


@pytest.mark.parametrize("name", ["conv2d", "max_pool2d", "scaled_dot_product_attention"])
def test_functional_names_left_out_raise_an_error_that_says_so(name):
    with pytest.raises(mg.UnsupportedError, match=f"torch.nn.functional.{name}: "):
        getattr(mg.nn.functional, name)


def test_functional_pad_matches_torch():
    F = mg.nn.functional
    x = mg.arange(6.0).reshape(2, 3).requires_grad_()
    y = F.pad(x, (1, 2), value=-1.0)
    assert y.shape == (2, 6) and y[0].tolist() == [-1.0, 0.0, 1.0, 2.0, -1.0, -1.0]
    y.sum().backward()
    assert x.grad.tolist() == [[1.0] * 3] * 2
    assert F.pad(x, (0, 0, 1, 0)).shape == (3, 3)
    with pytest.raises(NotImplementedError, match="mode='reflect'"):
        F.pad(x, (1, 1), mode="reflect")
    torch = pytest.importorskip("torch")
    t = torch.arange(6.0).reshape(2, 3)
    assert torch.nn.functional.pad(t, (1, 2, 0, 1)).tolist() == F.pad(x.detach(), (1, 2, 0, 1)).tolist()


# ------------------------------------------------------------------ LinearLR and OneCycleLR, against torch
def _schedule(lib, make_opt, make_sched, steps):
    w = lib.zeros(2, requires_grad=True)
    opt = make_opt(lib, w)
    sched = make_sched(lib, opt)
    trace = []
    for _ in range(steps):
        opt.step()
        sched.step()
        group = opt.param_groups[0]
        trace.append((group["lr"], group.get("momentum"), group.get("betas", (None,))[0]))
    return trace


SCHEDULES = {
    "linear_warmup": (
        lambda lib, w: lib.optim.SGD([w], lr=0.1),
        lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=0.25, total_iters=4),
        7,
    ),
    "linear_decay": (
        lambda lib, w: lib.optim.SGD([w], lr=0.1),
        lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=5),
        7,
    ),
    "one_cycle_sgd": (
        lambda lib, w: lib.optim.SGD([w], lr=0.1, momentum=0.9),
        lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=10),
        10,
    ),
    "one_cycle_adam_linear": (
        lambda lib, w: lib.optim.Adam([w], lr=0.1),
        lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=0.01, epochs=3, steps_per_epoch=4, anneal_strategy="linear"
        ),
        12,
    ),
    "one_cycle_three_phase": (
        lambda lib, w: lib.optim.SGD([w], lr=0.1, momentum=0.9),
        lambda lib, opt: lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=12, three_phase=True),
        12,
    ),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_linear_and_one_cycle_schedules_match_torch(name):
    make_opt, make_sched, steps = SCHEDULES[name]
    mine = _schedule(mg, make_opt, make_sched, steps)
    if name == "one_cycle_sgd":
        assert mine[-2][0] == pytest.approx(0.5 / 25 / 1e4)  # step total_steps - 1: initial_lr / final_div_factor
        assert max(lr for lr, _, _ in mine) == pytest.approx(0.5, rel=0.05)
    torch = pytest.importorskip("torch")
    theirs = _schedule(torch, make_opt, make_sched, steps)
    for (a, ma, ba), (b, mb, bb) in zip(mine, theirs, strict=True):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-15)
        assert ma == pytest.approx(mb) if mb is not None else ma is None
        assert ba == pytest.approx(bb) if bb is not None else ba is None


def test_one_cycle_refuses_stepping_past_total_steps_and_optimizers_without_momentum():
    opt = mg.optim.SGD([mg.zeros(1, requires_grad=True)], lr=0.1)
    sched = mg.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=2)
    for _ in range(2):
        opt.step()
        sched.step()
    opt.step()
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        sched.step()
    with pytest.raises(ValueError, match="total_steps OR"):
        mg.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1)
    adagrad = mg.optim.Adagrad([mg.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="momentum or beta1"):
        mg.optim.lr_scheduler.OneCycleLR(adagrad, max_lr=0.1, total_steps=5)
