"""nn.Module: registration, traversal order, modes, state dicts, hooks, repr, containers."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn
from minigrad.nn.module import IncompatibleKeys


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)
        self.bn = nn.BatchNorm1d(3)

    def forward(self, x):
        return self.bn(self.fc(x)).relu()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(mg.ones(1))
        self.inp = nn.Linear(2, 3)
        self.blocks = nn.ModuleList([Block(), Block()])
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(3, 1, bias=False))
        self.register_buffer("step", mg.zeros(1))
        self.note = "not state"

    def forward(self, x):
        h = self.inp(x)
        for block in self.blocks:
            h = block(h)
        return self.head(h * self.scale)


NET_PARAMS = [
    "scale",
    "inp.weight",
    "inp.bias",
    "blocks.0.fc.weight",
    "blocks.0.fc.bias",
    "blocks.0.bn.weight",
    "blocks.0.bn.bias",
    "blocks.1.fc.weight",
    "blocks.1.fc.bias",
    "blocks.1.bn.weight",
    "blocks.1.bn.bias",
    "head.1.weight",
]
NET_STATE = [
    "scale",
    "step",
    "inp.weight",
    "inp.bias",
    "blocks.0.fc.weight",
    "blocks.0.fc.bias",
    "blocks.0.bn.weight",
    "blocks.0.bn.bias",
    "blocks.0.bn.running_mean",
    "blocks.0.bn.running_var",
    "blocks.0.bn.num_batches_tracked",
    "blocks.1.fc.weight",
    "blocks.1.fc.bias",
    "blocks.1.bn.weight",
    "blocks.1.bn.bias",
    "blocks.1.bn.running_mean",
    "blocks.1.bn.running_var",
    "blocks.1.bn.num_batches_tracked",
    "head.1.weight",
]


def x_batch(n=5, d=2, seed=0):
    return mg.tensor(np.random.default_rng(seed).standard_normal((n, d)).astype(np.float32))


# ---------------------------------------------------------------------- registration and traversal
def test_named_parameters_in_pytorch_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == NET_PARAMS
    assert [p for p in net.parameters()] == [p for _, p in net.named_parameters()]
    assert all(isinstance(p, nn.Parameter) for p in net.parameters())
    assert net.inp.weight is net._parameters.get("weight") or net.inp.weight is net.inp._parameters["weight"]


def test_buffers_are_state_but_not_parameters():
    net = Net()
    names = [n for n, _ in net.named_buffers()]
    assert names == [
        "step",
        "blocks.0.bn.running_mean",
        "blocks.0.bn.running_var",
        "blocks.0.bn.num_batches_tracked",
        "blocks.1.bn.running_mean",
        "blocks.1.bn.running_var",
        "blocks.1.bn.num_batches_tracked",
    ]
    ids = {id(p) for p in net.parameters()}
    assert not any(id(b) in ids for b in net.buffers())


def test_shared_parameters_and_modules_appear_once():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(seq.modules())) == 3  # seq, shared, relu
    assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
    assert [n for n, _ in seq.named_parameters(remove_duplicate=False)] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    # the state dict names every place (as PyTorch)
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_children_modules_named_modules():
    net = Net()
    assert [n for n, _ in net.named_children()] == ["inp", "blocks", "head"]
    assert [type(m).__name__ for m in net.children()] == ["Linear", "ModuleList", "Sequential"]
    names = [n for n, _ in net.named_modules()]
    assert names == [
        "",
        "inp",
        "blocks",
        "blocks.0",
        "blocks.0.fc",
        "blocks.0.bn",
        "blocks.1",
        "blocks.1.fc",
        "blocks.1.bn",
        "head",
        "head.0",
        "head.1",
    ]
    assert next(iter(net.modules())) is net
    assert list(net.parameters(recurse=False)) == [net.scale]
    assert net.get_submodule("blocks.1.bn") is net.blocks[1].bn
    assert net.get_parameter("blocks.0.fc.bias") is net.blocks[0].fc.bias
    with pytest.raises(AttributeError):
        net.get_submodule("blocks.7")


def test_reassigning_and_deleting_attributes_updates_the_registries():
    net = Net()
    net.inp = nn.Linear(2, 3, bias=False)
    assert "inp.bias" not in dict(net.named_parameters())
    del net.head
    assert "head" not in dict(net.named_children()) and not hasattr(net, "head")
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    with pytest.raises(TypeError, match="parameter 'weight'"):
        net.inp.weight = mg.ones(3, 2)  # a plain Tensor is not a Parameter
    with pytest.raises(TypeError, match="child module 'inp'"):
        net.inp = 3
    net.step = mg.ones(1)  # a buffer may be replaced by another Tensor
    assert net.state_dict()["step"].item() == 1.0
    with pytest.raises(TypeError, match="buffer 'step'"):
        net.step = 1.0
    # a plain tensor attribute is neither a parameter nor state
    net.cache = mg.ones(2)
    assert "cache" not in net.state_dict()


def test_assigning_before_init_and_bad_names():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(mg.ones(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Broken()
    m = nn.Module()
    with pytest.raises(KeyError):
        m.register_buffer("a.b", mg.ones(1))
    with pytest.raises(KeyError):
        m.register_parameter("", None)
    m.x = 1
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("x", mg.ones(1))
    with pytest.raises(TypeError):
        m.register_parameter("w", mg.ones(1))
    with pytest.raises(TypeError):
        m.add_module("child", "not a module")


def test_non_persistent_buffer():
    m = nn.Module()
    m.register_buffer("kept", mg.ones(2))
    m.register_buffer("scratch", mg.zeros(2), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch"]
    assert list(m.state_dict()) == ["kept"]


def test_forward_is_required():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(mg.ones(1))


# ---------------------------------------------------------------------- modes and gradients
def test_train_eval_recursive_and_returns_self():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    assert net.train() is net and all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="boolean"):
        net.train("no")


def test_zero_grad_to_none_and_to_zeros():
    net = Net()
    net(x_batch()).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    grad_arrays = [p.grad.numpy() for p in net.parameters()]
    net.zero_grad(set_to_none=False)
    for p, arr in zip(net.parameters(), grad_arrays):
        assert p.grad.numpy() is arr and np.all(arr == 0)  # zeroed in place
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_freezes_parameters():
    net = Net()
    net.inp.requires_grad_(False)
    net(x_batch()).sum().backward()
    assert net.inp.weight.grad is None and net.head[1].weight.grad is not None


def test_double_converts_in_place_and_keeps_parameter_objects():
    lin = nn.Linear(2, 2)
    w = lin.weight
    bn = nn.BatchNorm1d(2)
    assert lin.double() is lin
    assert lin.weight is w and w.dtype == np.float64
    bn.to(np.float64)
    assert bn.running_var.dtype == np.float64 and bn.num_batches_tracked.dtype == np.int64
    assert bn.float().weight.dtype == np.float32


def test_deepcopy_gives_an_independent_module():
    net = Net()
    twin = copy.deepcopy(net)
    assert [n for n, _ in twin.named_parameters()] == NET_PARAMS
    with mg.no_grad():
        twin.inp.weight.numpy()[...] = 0
    assert not np.all(net.inp.weight.numpy() == 0)
    assert twin.inp.weight is twin.inp._parameters["weight"]


# ---------------------------------------------------------------------- state dict
def test_state_dict_keys_order_shapes_and_copies():
    net = Net()
    net(x_batch())
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == NET_STATE
    assert sd["blocks.0.bn.num_batches_tracked"].dtype == np.int64
    assert sd["blocks.0.bn.num_batches_tracked"].shape == ()
    assert sd["blocks.0.bn.num_batches_tracked"].item() == 1
    assert sd["inp.weight"].shape == (3, 2) and sd["head.1.weight"].shape == (1, 3)
    for key, value in sd.items():
        assert isinstance(value, mg.Tensor) and not value.requires_grad, key
    # copies: changing the model later does not change the saved dict
    before = sd["inp.weight"].numpy().copy()
    with mg.no_grad():
        net.inp.weight.data += 1
    np.testing.assert_array_equal(sd["inp.weight"].numpy(), before)
    live = net.state_dict(keep_vars=True)
    assert live["inp.weight"] is net.inp.weight


def test_load_state_dict_copies_in_place():
    src, dst = Net(), Net()
    src(x_batch())
    arrays = {n: t.numpy() for n, t in dst.state_dict(keep_vars=True).items()}
    result = dst.load_state_dict(src.state_dict())
    assert result == IncompatibleKeys([], []) and result.missing_keys == [] and result.unexpected_keys == []
    for name, t in dst.state_dict(keep_vars=True).items():
        assert t.numpy() is arrays[name], name  # the same arrays, new values
        np.testing.assert_array_equal(t.numpy(), src.state_dict()[name].numpy())
    src.eval(), dst.eval()
    np.testing.assert_array_equal(dst(x_batch()).numpy(), src(x_batch()).numpy())


def test_load_state_dict_is_all_or_nothing():
    src, dst = Net(), Net()
    before = {k: v.numpy().copy() for k, v in dst.state_dict().items()}
    sd = src.state_dict()
    sd["inp.weight"] = mg.zeros(4, 2)  # wrong shape
    del sd["head.1.weight"]  # missing
    sd["head.2.weight"] = mg.zeros(1)  # unexpected
    with pytest.raises(RuntimeError) as info:
        dst.load_state_dict(sd)
    msg = str(info.value)
    assert "Error(s) in loading state_dict for Net" in msg
    assert '"head.1.weight"' in msg and "Missing key(s)" in msg
    assert '"head.2.weight"' in msg and "Unexpected key(s)" in msg
    assert "size mismatch for inp.weight" in msg and "(4, 2)" in msg and "(3, 2)" in msg
    for key, value in dst.state_dict().items():  # nothing was copied
        np.testing.assert_array_equal(value.numpy(), before[key], err_msg=key)


def test_load_state_dict_into_a_read_only_array_changes_nothing():
    lin = nn.Linear(3, 2)
    read_only = np.ones(2, dtype=np.float32)
    read_only.flags.writeable = False  # as np.load(mmap_mode="r") gives
    lin.bias = nn.Parameter(mg.from_numpy(read_only))
    w0 = lin.weight.numpy().copy()
    with pytest.raises(RuntimeError, match=r"cannot copy into bias: .*\(2,\).* read-only"):
        lin.load_state_dict({"weight": mg.zeros(2, 3), "bias": mg.zeros(2)})
    np.testing.assert_array_equal(lin.weight.numpy(), w0)  # weight, checked first, was not copied either
    np.testing.assert_array_equal(lin.bias.numpy(), [1.0, 1.0])


def test_load_state_dict_non_strict_reports_keys_but_shape_errors_still_raise():
    src, dst = Net(), Net()
    sd = src.state_dict()
    del sd["scale"]
    sd["extra"] = mg.ones(1)
    missing, unexpected = dst.load_state_dict(sd, strict=False)
    assert missing == ["scale"] and unexpected == ["extra"]
    np.testing.assert_array_equal(dst.inp.weight.numpy(), src.inp.weight.numpy())
    sd["inp.bias"] = mg.ones(5)
    with pytest.raises(RuntimeError, match="size mismatch for inp.bias"):
        dst.load_state_dict(sd, strict=False)
    with pytest.raises(TypeError, match="dict-like"):
        dst.load_state_dict([("scale", mg.ones(1))])


def test_load_state_dict_accepts_arrays_and_casts_dtype():
    lin = nn.Linear(2, 1)
    lin.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": mg.tensor(np.array([3.0]))})
    assert lin.weight.dtype == np.float32
    np.testing.assert_array_equal(lin(mg.tensor([[1.0, 1.0]])).numpy(), [[6.0]])
    with pytest.raises(RuntimeError, match="expected a Tensor or an array"):
        lin.load_state_dict({"weight": "abc", "bias": np.zeros(1)})


# ---------------------------------------------------------------------- hooks, marker, apply
def test_forward_hooks_pre_hooks_and_removal():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: calls.append(("pre", len(args))))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(("post", out.shape)))
    h3 = lin.register_forward_hook(lambda m, args, out: calls.append(("first", None)), prepend=True)
    lin(mg.ones(4, 2))
    assert calls == [("pre", 1), ("first", None), ("post", (4, 2))]
    for h in (h1, h2, h3):
        h.remove()
    calls.clear()
    lin(mg.ones(4, 2))
    assert calls == []


def test_hooks_can_replace_inputs_and_outputs():
    ident = nn.Identity()
    ident.register_forward_pre_hook(lambda m, args: args[0] * 2)  # a single value is wrapped in a tuple
    h = ident.register_forward_hook(lambda m, args, out: out + 1)
    assert ident(mg.tensor([1.0])).item() == 3.0
    h.remove()
    ident.register_forward_hook(lambda m, args, kwargs, out: out * kwargs.get("k", 1), with_kwargs=True)

    class KW(nn.Module):
        def forward(self, x, k=1):
            return x

    kw = KW()
    kw.register_forward_pre_hook(lambda m, args, kwargs: (args, {"k": 5}), with_kwargs=True)
    kw.register_forward_hook(lambda m, args, kwargs, out: out * kwargs["k"], with_kwargs=True)
    assert kw(mg.tensor([2.0])).item() == 10.0


def test_call_marks_recorded_nodes_with_the_innermost_module():
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    x = mg.ones(1, 2, requires_grad=True)
    y = net(x)
    assert y.grad_fn.module is net[1]
    assert y.grad_fn.parents[0].module is net[0]
    from minigrad._grad_mode import _state

    assert _state.module is None  # restored after the call
    z = (y * 2).sum()
    assert z.grad_fn.module is None


def test_marker_is_restored_when_forward_raises():
    from minigrad._grad_mode import _state

    with pytest.raises(ValueError):
        nn.BatchNorm1d(3)(mg.ones(1, 3))
    assert _state.module is None


def test_apply_visits_children_first():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen[-1] == "Net" and seen.count("Linear") == 4 and seen.count("BatchNorm1d") == 2
    assert seen.index("Linear") < seen.index("ModuleList")
    net.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert np.all(net.inp.weight.numpy() == 0)


# ---------------------------------------------------------------------- repr
NET_REPR = """Net(
  (inp): Linear(in_features=2, out_features=3, bias=True)
  (blocks): ModuleList(
    (0-1): 2 x Block(
      (fc): Linear(in_features=3, out_features=3, bias=True)
      (bn): BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    )
  )
  (head): Sequential(
    (0): Dropout(p=0.1, inplace=False)
    (1): Linear(in_features=3, out_features=1, bias=False)
  )
)"""


def test_repr_is_pytorch_style():
    assert repr(Net()) == NET_REPR
    ml = nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh(), nn.ReLU()])
    assert repr(ml) == "ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n  (3): ReLU()\n)"
    assert repr(nn.ModuleList()) == "ModuleList()"
    assert repr(nn.Identity()) == "Identity()"


def test_repr_matches_torch():
    torch = pytest.importorskip("torch")
    pairs = [
        (
            nn.Sequential(
                nn.Linear(4, 3),
                nn.BatchNorm1d(3, momentum=None),
                nn.ReLU(),
                nn.Dropout(0.2),
                nn.LeakyReLU(0.2),
                nn.ELU(),
                nn.Sigmoid(),
                nn.Tanh(),
                nn.Softmax(1),
                nn.LogSoftmax(dim=-1),
                nn.Flatten(),
                nn.Identity(),
                nn.LayerNorm((3, 2)),
                nn.Linear(2, 1, bias=False),
            ),
            torch.nn.Sequential(
                torch.nn.Linear(4, 3),
                torch.nn.BatchNorm1d(3, momentum=None),
                torch.nn.ReLU(),
                torch.nn.Dropout(0.2),
                torch.nn.LeakyReLU(0.2),
                torch.nn.ELU(),
                torch.nn.Sigmoid(),
                torch.nn.Tanh(),
                torch.nn.Softmax(1),
                torch.nn.LogSoftmax(dim=-1),
                torch.nn.Flatten(),
                torch.nn.Identity(),
                torch.nn.LayerNorm((3, 2)),
                torch.nn.Linear(2, 1, bias=False),
            ),
        ),
        (
            nn.ModuleList([nn.Linear(2, 2)] * 3 + [nn.ReLU()]),
            torch.nn.ModuleList([torch.nn.Linear(2, 2)] * 3 + [torch.nn.ReLU()]),
        ),
        (
            nn.BatchNorm1d(3, affine=False, track_running_stats=False),
            torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False),
        ),
        (nn.LayerNorm(4, elementwise_affine=False), torch.nn.LayerNorm(4, elementwise_affine=False)),
        (nn.MSELoss(), torch.nn.MSELoss()),
        (nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_state_dict_keys_and_shapes_match_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(
        nn.Linear(4, 3),
        nn.BatchNorm1d(3),
        nn.ReLU(),
        nn.LayerNorm(3),
        nn.Linear(3, 2, bias=False),
        nn.BatchNorm1d(2, affine=False),
        nn.BatchNorm1d(2, track_running_stats=False),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 3),
        torch.nn.BatchNorm1d(3),
        torch.nn.ReLU(),
        torch.nn.LayerNorm(3),
        torch.nn.Linear(3, 2, bias=False),
        torch.nn.BatchNorm1d(2, affine=False),
        torch.nn.BatchNorm1d(2, track_running_stats=False),
    )
    a, b = ours.state_dict(), theirs.state_dict()
    assert list(a) == list(b)
    for key in a:
        assert a[key].shape == tuple(b[key].shape), key
        assert str(a[key].dtype) == str(b[key].dtype).replace("torch.", ""), key
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]


# ---------------------------------------------------------------------- containers
def test_sequential_indexing_slicing_len_iter_append():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b)
    assert len(seq) == 2 and list(seq) == [a, b]
    assert seq[0] is a and seq[-1] is b
    assert seq.append(c) is seq and seq[2] is c and len(seq) == 3
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail) == [b, c]
    assert [n for n, _ in tail.named_children()] == ["1", "2"]  # names kept, as PyTorch
    with pytest.raises(IndexError):
        seq[3]
    x = mg.ones(4, 2)
    np.testing.assert_array_equal(seq(x).numpy(), c(b(a(x))).numpy())
    seq[1] = nn.Tanh()
    assert isinstance(seq[1], nn.Tanh)
    del seq[0]
    assert [n for n, _ in seq.named_children()] == ["0", "1"] and seq[1] is c
    seq.insert(0, a)
    assert list(seq)[0] is a and [n for n, _ in seq.named_children()] == ["0", "1", "2"]
    named = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(named.state_dict()) == ["hidden.weight", "hidden.bias"]
    assert named.hidden is named[0]


def test_module_list():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.Linear(1, 2))
    ml += [nn.ReLU()]
    ml.extend([nn.Tanh()])
    assert len(ml) == 4 and isinstance(ml[-1], nn.Tanh)
    assert [n for n, _ in ml.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    del ml[0]
    assert [n for n, _ in ml.named_children()] == ["0", "1", "2"] and ml[0].weight.shape == (2, 1)
    ml.insert(1, nn.Sigmoid())
    assert isinstance(ml[1], nn.Sigmoid) and len(ml) == 4
    with pytest.raises(TypeError):
        ml.extend(nn.ReLU())
    with pytest.raises(NotImplementedError):
        ml(mg.ones(1))


def test_residual_identity_flatten():
    lin = nn.Linear(3, 3)
    res = nn.Residual(lin)
    x = mg.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    np.testing.assert_allclose(res(x).numpy(), x.numpy() + lin(x).numpy())
    assert [n for n, _ in res.named_parameters()] == ["module.weight", "module.bias"]
    assert nn.Identity(5, foo=1)(x) is x
    y = nn.Flatten()(mg.ones(2, 3, 4))
    assert y.shape == (2, 12)
    assert nn.Flatten(0, 1)(mg.ones(2, 3, 4)).shape == (6, 4)
