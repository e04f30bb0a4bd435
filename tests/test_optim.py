"""minigrad.optim: every optimizer against its update written out by hand in NumPy,
dtypes, skipped parameters, param groups, zero_grad, state_dict, validation; and
(when torch is installed) against torch.optim."""

import math
import re
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim

# ---------------------------------------------------------------- problems
RNG = np.random.default_rng(7)
A = RNG.standard_normal((5, 5))
A = A @ A.T / 5 + np.eye(5)
C_VEC = RNG.standard_normal(5)
C_MAT = RNG.standard_normal((3, 4))
V0 = RNG.standard_normal(5)
M0 = RNG.standard_normal((3, 4))


def grad_vec(v):
    """Gradient of ½vᵀAv − cᵀv + 0.025·Σv⁴: couples the elements, depends nonlinearly on v."""
    return A @ v - C_VEC + 0.1 * v**3


def grad_mat(w):
    return 2.0 * np.tanh(w) + 0.5 * w - C_MAT


GRAD_FNS = (grad_vec, grad_mat)


def make_params(dtype=np.float64):
    return [nn.Parameter(mg.tensor(V0.astype(dtype))), nn.Parameter(mg.tensor(M0.astype(dtype)))]


def set_grads(params):
    """p.grad = ∇f(p) computed in NumPy from the current values (independent of the engine)."""
    for p, fn in zip(params, GRAD_FNS, strict=True):
        p.grad = mg.tensor(fn(p.numpy().astype(np.float64)).astype(p.numpy().dtype))


def run(opt_cls, kw, steps, params=None, opt=None, dtype=np.float64):
    params = make_params(dtype) if params is None else params
    opt = opt_cls(params, **kw) if opt is None else opt
    traj = []
    for _ in range(steps):
        set_grads(params)
        opt.step()
        traj.append([p.numpy().copy() for p in params])
    return params, opt, traj


# ---------------------------------------------------------------- hand-written references (float64)
def ref_sgd(w, fn, steps, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    w, b, out = w.copy(), None, []
    for _ in range(steps):
        g = fn(w)
        g = -g if maximize else g
        g = g + weight_decay * w
        if momentum != 0:
            b = g.copy() if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        w = w - lr * g
        out.append(w)
    return out


def ref_adam(
    w,
    fn,
    steps,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    decoupled=False,
    maximize=False,
):
    b1, b2 = betas
    w, m, v, v_max, out = w.copy(), 0.0, 0.0, 0.0, []
    for t in range(1, steps + 1):
        g = fn(w)
        g = -g if maximize else g
        if decoupled:
            w = w * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - b2**t)
        else:
            v_hat = v / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w)
    return out


def ref_adamw(w, fn, steps, weight_decay=1e-2, **kw):
    return ref_adam(w, fn, steps, weight_decay=weight_decay, decoupled=True, **kw)


def ref_rmsprop(w, fn, steps, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    w, v, g_avg, b, out = w.copy(), 0.0, 0.0, 0.0, []
    for _ in range(steps):
        g = fn(w) + weight_decay * w
        v = alpha * v + (1 - alpha) * g**2
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            s = np.sqrt(v - g_avg**2)
        else:
            s = np.sqrt(v)
        if momentum > 0:
            b = momentum * b + g / (s + eps)
            w = w - lr * b
        else:
            w = w - lr * g / (s + eps)
        out.append(w)
    return out


def ref_adagrad(w, fn, steps, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    w, out = w.copy(), []
    G = np.full_like(w, initial_accumulator_value)
    for t in range(1, steps + 1):
        g = fn(w) + weight_decay * w
        lr_t = lr / (1 + (t - 1) * lr_decay)
        G = G + g**2
        w = w - lr_t * g / (np.sqrt(G) + eps)
        out.append(w)
    return out


REFS = {"SGD": ref_sgd, "Adam": ref_adam, "AdamW": ref_adamw, "RMSprop": ref_rmsprop, "Adagrad": ref_adagrad}

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "weight_decay": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.5, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "weight_decay": 0.01, "nesterov": True}),
    ("SGD", {"lr": 0.01, "momentum": 0.5, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.95, "eps": 1e-6, "weight_decay": 0.01, "momentum": 0.5, "centered": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "betas": (0.3, 0.5)}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.02, "maximize": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01, "initial_accumulator_value": 0.1, "eps": 1e-10}),
]
IDS = ["{}-{}".format(n, "-".join("{}={}".format(*kv) for kv in kw.items()) or "defaults") for n, kw in CASES]


def _ref_kwargs(name, kw):
    kw = dict(kw)
    if name == "Adam" and kw.pop("decoupled_weight_decay", False):
        kw["decoupled"] = True
    return kw


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_matches_hand_written_update(name, kw):
    steps = 12
    params, _, traj = run(getattr(optim, name), kw, steps)
    for i, (w0, fn) in enumerate(zip((V0, M0), GRAD_FNS, strict=True)):
        ref = REFS[name](w0, fn, steps, **_ref_kwargs(name, kw))
        for step in range(steps):
            np.testing.assert_allclose(
                traj[step][i],
                ref[step],
                rtol=1e-10,
                atol=1e-12,
                err_msg=f"{name} {kw}: param {i} after step {step + 1}",
            )
    assert not np.allclose(traj[-1][0], V0)  # it really moved


def test_sgd_first_step_values_by_hand():
    # momentum buffer starts as the gradient itself (no dampening on step 1)
    p = nn.Parameter(mg.tensor(np.array([1.0, -2.0])))
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    p.grad = mg.tensor(np.array([0.5, 1.0]))
    opt.step()
    np.testing.assert_array_equal(p.numpy(), [1.0 - 0.05, -2.0 - 0.1])
    np.testing.assert_array_equal(opt.state[p]["momentum_buffer"].numpy(), [0.5, 1.0])
    p.grad = mg.tensor(np.array([1.0, 1.0]))
    opt.step()  # b = 0.9·[0.5, 1] + 0.5·[1, 1] = [0.95, 1.4]
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].numpy(), [0.95, 1.4], rtol=1e-15)
    np.testing.assert_allclose(p.numpy(), [0.95 - 0.095, -2.1 - 0.14], rtol=1e-15)


def test_adam_first_step_is_lr_times_sign():
    # after bias correction, m̂ = g and v̂ = g², so step 1 moves each weight by ≈ lr·sign(g)
    p = nn.Parameter(mg.tensor(np.array([1.0, 1.0, 1.0])))
    opt = optim.Adam([p], lr=0.01)
    p.grad = mg.tensor(np.array([3.0, -1e-3, 200.0]))
    opt.step()
    np.testing.assert_allclose(p.numpy(), [0.99, 1.01, 0.99], rtol=1e-6)
    assert opt.state[p]["step"] == 1


# ---------------------------------------------------------------- dtypes, in place
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_float32_stays_float32_in_place(name, kw):
    params = make_params(np.float32)
    arrays = [p.numpy() for p in params]
    params, opt, traj = run(getattr(optim, name), kw, 5, params=params)
    for p, arr in zip(params, arrays, strict=True):
        assert p.numpy() is arr and p.numpy().dtype == np.float32
        for key, value in opt.state[p].items():
            if key != "step":
                assert isinstance(value, mg.Tensor), key
                assert value.numpy().dtype == np.float32, (key, value.numpy().dtype)
    # and float32 follows the float64 reference closely
    ref = REFS[name](V0, grad_vec, 5, **_ref_kwargs(name, kw))
    np.testing.assert_allclose(traj[-1][0], ref[-1], rtol=2e-4, atol=2e-5)


def test_numpy_float64_lr_does_not_upcast():
    p = nn.Parameter(mg.tensor(np.ones(4, dtype=np.float32)))
    opt = optim.SGD([p], lr=np.float64(0.1), momentum=0.9)
    p.grad = mg.tensor(np.ones(4, dtype=np.float32))
    opt.step()
    assert p.numpy().dtype == np.float32 and opt.state[p]["momentum_buffer"].numpy().dtype == np.float32


def test_step_does_not_modify_the_gradient():
    p = nn.Parameter(mg.tensor(np.array([1.0, 2.0])))
    opt = optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.5, nesterov=True)
    g = np.array([0.3, -0.4])
    p.grad = mg.tensor(g)
    opt.step()
    opt.step()
    np.testing.assert_array_equal(p.grad.numpy(), g)


# ---------------------------------------------------------------- skipped parameters, groups
@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad"])
def test_parameters_without_grad_are_skipped(name):
    used = nn.Parameter(mg.tensor(np.array([1.0, 2.0])))
    unused = nn.Parameter(mg.tensor(np.array([3.0, 4.0])))
    opt = getattr(optim, name)([used, unused], lr=0.1, **({"momentum": 0.9} if name == "SGD" else {}))
    for _ in range(3):
        opt.zero_grad()
        used.grad = mg.tensor(2 * used.numpy())
        opt.step()
    np.testing.assert_array_equal(unused.numpy(), [3.0, 4.0])
    assert not np.allclose(used.numpy(), [1.0, 2.0])
    if name != "Adagrad":  # Adagrad creates every state up front, like torch
        assert len(opt.state[unused]) == 0


def test_backward_then_step_with_real_graph():
    w = nn.Parameter(mg.tensor(np.array([1.0, -1.0, 2.0])))
    frozen = nn.Parameter(mg.tensor(np.array([5.0])))
    opt = optim.SGD([w, frozen], lr=0.25)
    loss = (w * w).sum()
    loss.backward()
    opt.step()  # w ← w − 0.25·2w = w/2
    np.testing.assert_allclose(w.numpy(), [0.5, -0.5, 1.0])
    np.testing.assert_array_equal(frozen.numpy(), [5.0])


def test_param_groups_have_their_own_lr():
    a = nn.Parameter(mg.tensor(np.array([1.0, 1.0])))
    b = nn.Parameter(mg.tensor(np.array([1.0, 1.0])))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[0]["momentum"] == 0 and opt.param_groups[1]["momentum"] == 0.9
    a.grad = mg.tensor(np.array([1.0, 2.0]))
    b.grad = mg.tensor(np.array([1.0, 2.0]))
    opt.step()
    np.testing.assert_allclose(a.numpy(), [0.9, 0.8])
    np.testing.assert_allclose(b.numpy(), [0.5, 0.0])
    assert "momentum_buffer" not in opt.state[a] and "momentum_buffer" in opt.state[b]


def test_lr_in_param_groups_is_live():
    p = nn.Parameter(mg.tensor(np.ones(3)))
    opt = optim.SGD([p], lr=0.1)
    opt.param_groups[0]["lr"] = 0.5
    p.grad = mg.tensor(np.full(3, 2.0))
    opt.step()
    np.testing.assert_allclose(p.numpy(), [0.0, 0.0, 0.0])


def test_add_param_group_takes_defaults():
    a = nn.Parameter(mg.tensor(np.ones(2)))
    b = nn.Parameter(mg.tensor(np.ones(2)))
    opt = optim.Adam([a], lr=0.01, betas=(0.8, 0.9))
    opt.add_param_group({"params": b, "lr": 0.1})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]["lr"] == 0.1 and opt.param_groups[1]["betas"] == (0.8, 0.9)
    assert len(opt.param_groups[1]["params"]) == 1 and opt.param_groups[1]["params"][0] is b
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_accepts_a_generator_and_named_parameters():
    params = make_params()
    opt = optim.SGD((p for p in params), lr=0.1)
    assert len(opt.param_groups[0]["params"]) == 2
    opt = optim.SGD([("v", params[0]), ("m", params[1])], lr=0.1)
    assert opt.param_groups[0]["params"][1] is params[1]
    assert opt.param_groups[0]["param_names"] == ["v", "m"]


def test_closure_is_evaluated_and_returned():
    p = nn.Parameter(mg.tensor(np.array([3.0])))
    opt = optim.SGD([p], lr=0.1)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert len(calls) == 1 and float(loss.item()) == 9.0
    np.testing.assert_allclose(p.numpy(), [3.0 - 0.1 * 6.0])
    assert opt.step() is None


# ---------------------------------------------------------------- zero_grad
def test_zero_grad_set_to_none_and_zeros():
    p = nn.Parameter(mg.tensor(np.ones(3)))
    q = nn.Parameter(mg.tensor(np.ones(2)))
    opt = optim.SGD([p, q], lr=0.1)
    p.grad = mg.tensor(np.array([1.0, 2.0, 3.0]))
    opt.zero_grad()
    assert p.grad is None and q.grad is None
    g = mg.tensor(np.array([1.0, 2.0, 3.0]))
    p.grad = g
    opt.zero_grad(set_to_none=False)
    assert p.grad is g  # zeroed in place, as torch
    np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0, 0.0])
    assert q.grad is None  # a missing gradient stays missing


# ---------------------------------------------------------------- state_dict
STATEFUL = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
]


@pytest.mark.parametrize("name,kw", STATEFUL, ids=[f"{n}-{i}" for i, (n, _) in enumerate(STATEFUL)])
def test_state_dict_round_trip_continues_bit_for_bit(name, kw):
    cls = getattr(optim, name)
    _, _, ref = run(cls, kw, 20)
    params_a, opt_a, _ = run(cls, kw, 10)
    at_10 = [p.numpy().copy() for p in params_a]
    sd = opt_a.state_dict()
    run(cls, kw, 3, params=params_a, opt=opt_a)  # later steps must not change the saved dict
    params_b = [nn.Parameter(mg.tensor(arr.copy())) for arr in at_10]
    opt_b = cls(params_b, **kw)
    opt_b.load_state_dict(sd)
    _, _, cont = run(cls, kw, 10, params=params_b, opt=opt_b)
    for a, b in zip(cont[-1], ref[-1], strict=True):
        np.testing.assert_array_equal(a, b)
    if name != "SGD" or kw.get("momentum"):  # a restart without the state must not reproduce it
        params_c = [nn.Parameter(mg.tensor(arr.copy())) for arr in at_10]
        _, _, fresh = run(cls, kw, 10, params=params_c)
        assert not any(np.allclose(a, b, rtol=1e-8) for a, b in zip(fresh[-1], ref[-1], strict=True))


def test_state_dict_layout_and_copies():
    params = make_params()
    opt = optim.Adam([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.5}], lr=0.01)
    run(optim.Adam, {}, 2, params=params, opt=opt)
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["betas"] == (0.9, 0.999)
    assert set(sd["state"]) == {0, 1}
    entry = sd["state"][1]
    assert set(entry) == {"step", "exp_avg", "exp_avg_sq"} and entry["step"] == 2
    assert isinstance(entry["exp_avg"], mg.Tensor) and entry["exp_avg"].shape == (3, 4)
    live = opt.state[params[1]]["exp_avg"]
    assert not np.shares_memory(entry["exp_avg"].numpy(), live.numpy())
    np.testing.assert_array_equal(entry["exp_avg"].numpy(), live.numpy())


def test_load_state_dict_casts_to_parameter_dtype_and_accepts_string_keys():
    src = make_params(np.float64)
    opt = optim.SGD(src, lr=0.1, momentum=0.9)
    run(optim.SGD, {}, 2, params=src, opt=opt)
    sd = opt.state_dict()
    sd["state"] = {str(k): v for k, v in sd["state"].items()}  # as from a JSON-like file
    dst = make_params(np.float32)
    opt32 = optim.SGD(dst, lr=0.3, momentum=0.0)
    opt32.load_state_dict(sd)
    buf = opt32.state[dst[1]]["momentum_buffer"]
    assert buf.numpy().dtype == np.float32
    np.testing.assert_allclose(buf.numpy(), opt.state[src[1]]["momentum_buffer"].numpy(), rtol=1e-6)
    assert opt32.param_groups[0]["lr"] == 0.1 and opt32.param_groups[0]["momentum"] == 0.9


def test_load_state_dict_rejects_mismatches_and_changes_nothing():
    params = make_params()
    opt = optim.Adam(params, lr=0.1)
    run(optim.Adam, {}, 1, params=params, opt=opt)
    good = opt.state_dict()
    before = opt.state_dict()

    two_groups = optim.Adam([{"params": [params[0]]}, {"params": [params[1]]}]).state_dict()
    with pytest.raises(ValueError, match="2 parameter groups, but the optimizer has 1"):
        opt.load_state_dict(two_groups)
    one_param = optim.Adam(params[:1]).state_dict()
    with pytest.raises(ValueError, match="group 0 has 1 parameters, but the optimizer's group 0 has 2"):
        opt.load_state_dict(one_param)
    swapped = {"state": {0: good["state"][1], 1: good["state"][0]}, "param_groups": good["param_groups"]}
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 0 has shape \(3, 4\).*shape \(5,\)"):
        opt.load_state_dict(swapped)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})

    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for k in before["state"]:
        for name, v in before["state"][k].items():
            w = after["state"][k][name]
            np.testing.assert_array_equal(np.asarray(getattr(v, "data", v)), np.asarray(getattr(w, "data", w)))


# ---------------------------------------------------------------- a failed step changes nothing
def _state_arrays(opt):
    """Every state entry of ``opt`` as a NumPy value (copies), keyed (param index, name)."""
    return {
        (k, name): np.array(v.numpy() if isinstance(v, mg.Tensor) else v)
        for k, entry in opt.state_dict()["state"].items()
        for name, v in entry.items()
    }


@pytest.mark.parametrize("steps_before", [0, 2])
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_a_step_that_cannot_write_a_parameter_changes_nothing(name, kw, steps_before):
    params, opt, _ = run(getattr(optim, name), kw, steps_before)
    params[1].numpy().flags.writeable = False  # as a parameter loaded with np.load(mmap_mode="r")
    set_grads(params)
    state, values = _state_arrays(opt), [p.numpy().copy() for p in params]
    with pytest.raises(
        RuntimeError,
        match=rf"{name}.step: parameter 1 of param group 0 \(shape \(3, 4\), float64\)"
        ".* read-only",
    ):
        opt.step()
    after = _state_arrays(opt)
    assert after.keys() == state.keys()
    for key, value in state.items():
        np.testing.assert_array_equal(after[key], value, err_msg=str(key))
    for p, value in zip(params, values, strict=True):  # parameter 0, before it in the loop, was not updated
        np.testing.assert_array_equal(p.numpy(), value)
    params[1].numpy().flags.writeable = True  # once writeable again, the step goes through
    opt.step()
    assert not np.array_equal(params[1].numpy(), values[1])


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: optim.SGD(p, lr=-0.1), "Invalid learning rate: -0.1"),
        (lambda p: optim.SGD(p, momentum=-0.5), "Invalid momentum value: -0.5"),
        (lambda p: optim.SGD(p, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        (lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
        (lambda p: optim.Adam(p, lr=-1e-3), "Invalid learning rate: -0.001"),
        (lambda p: optim.Adam(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (lambda p: optim.AdamW(p, weight_decay=-0.01), "Invalid weight_decay value: -0.01"),
        (lambda p: optim.RMSprop(p, alpha=-0.9), "Invalid alpha value: -0.9"),
        (lambda p: optim.RMSprop(p, momentum=-1.0), "Invalid momentum value: -1.0"),
        (lambda p: optim.RMSprop(p, eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda p: optim.Adagrad(p, lr_decay=-0.1), "Invalid lr_decay value: -0.1"),
        (lambda p: optim.Adagrad(p, initial_accumulator_value=-1.0), "Invalid initial_accumulator_value value: -1.0"),
        (lambda p: optim.Adagrad(p, eps=-1.0), "Invalid epsilon value: -1.0"),
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
    ],
)
def test_invalid_hyperparameters(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make(make_params())


def test_invalid_params():
    p = nn.Parameter(mg.tensor(np.ones(2)))
    with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        optim.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD({p}, lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optim.SGD([p, p], lr=0.1)
    assert any("duplicate" in str(w.message) for w in caught)


def test_repr_lists_groups():
    text = repr(optim.SGD(make_params(), lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


# ---------------------------------------------------------------- against torch (optional)
@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_matches_torch_for_20_steps(name, kw):
    torch = pytest.importorskip("torch")
    kw_t = dict(kw)
    params = make_params()
    opt = getattr(optim, name)(params, **kw)
    tparams = [torch.nn.Parameter(torch.tensor(w.copy())) for w in (V0, M0)]
    topt = getattr(torch.optim, name)(tparams, foreach=False, **kw_t)
    for step in range(20):
        set_grads(params)
        for tp, fn in zip(tparams, GRAD_FNS, strict=True):  # torch's gradient at torch's own point
            tp.grad = torch.tensor(fn(tp.detach().numpy()))
        opt.step()
        topt.step()
        for p, tp in zip(params, tparams, strict=True):
            np.testing.assert_allclose(
                p.numpy(), tp.detach().numpy(), rtol=1e-9, atol=1e-12, err_msg=f"{name} {kw} step {step + 1}"
            )


def test_state_dict_keys_match_torch():
    torch = pytest.importorskip("torch")
    for name, kw in STATEFUL:
        params = make_params()
        _, opt, _ = run(getattr(optim, name), kw, 2, params=params)
        tparams = [torch.nn.Parameter(torch.tensor(w.copy())) for w in (V0, M0)]
        topt = getattr(torch.optim, name)(tparams, **kw)
        for _ in range(2):
            for tp, fn in zip(tparams, GRAD_FNS, strict=True):
                tp.grad = torch.tensor(fn(tp.detach().numpy()))
            topt.step()
        sd, tsd = opt.state_dict(), topt.state_dict()
        assert set(sd["state"]) == set(tsd["state"]), name
        for k in tsd["state"]:
            assert set(sd["state"][k]) == set(tsd["state"][k]), (name, k)
            for key, tv in tsd["state"][k].items():
                mv = sd["state"][k][key]
                if key == "step":
                    assert mv == int(tv.item())
                else:
                    np.testing.assert_allclose(mv.numpy(), tv.numpy(), rtol=1e-12, atol=1e-15)
        assert set(tsd["param_groups"][0]) >= set(sd["param_groups"][0]) - {"param_names"}
        assert math.isclose(sd["param_groups"][0]["lr"], tsd["param_groups"][0]["lr"])


def test_a_step_between_forward_and_backward_is_caught_by_the_version_counter():
    """As in PyTorch: the graph saved the weight, the optimizer changed it in place, backward refuses."""
    import minigrad as mg
    from minigrad import nn, optim

    w = nn.Parameter(mg.tensor(np.array([1.0, 2.0])))
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    loss = (w * w).sum()  # saves w
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()
