"""minigrad.optim.lr_scheduler against hand-computed schedules (and torch when installed)."""

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn, optim
from minigrad.optim import lr_scheduler as sched

EPOCHS = 25


def make_opt(lr=0.1, groups=None):
    params = [nn.Parameter(mg.tensor(np.ones(2))), nn.Parameter(mg.tensor(np.ones(3)))]
    if groups is None:
        return optim.SGD(params, lr=lr, momentum=0.9)
    return optim.SGD([{"params": [p], **g} for p, g in zip(params, groups, strict=True)], lr=lr, momentum=0.9)


def lrs_over_epochs(opt, scheduler, epochs=EPOCHS, group=0):
    """lr at epoch 0 (right after construction) and after each of `epochs` scheduler steps."""
    out = [opt.param_groups[group]["lr"]]
    for _ in range(epochs):
        opt.step()
        scheduler.step()
        out.append(opt.param_groups[group]["lr"])
        assert scheduler.get_last_lr()[group] == out[-1]
    return out


def closed_forms():
    e = np.arange(EPOCHS + 1)
    return {
        "step": 0.1 * 0.5 ** (e // 3),
        "multistep": 0.1 * 0.3 ** np.array([sum(m <= k for m in (2, 5, 5, 9)) for k in e]),
        "exp": 0.1 * 0.9**e,
        "cos": 0.01 + (0.1 - 0.01) * (1 + np.cos(np.pi * e / 7)) / 2,
        "lambda": 0.1 / (1.0 + e),
    }


SCHEDULES = [
    ("step", lambda o: sched.StepLR(o, step_size=3, gamma=0.5)),
    ("multistep", lambda o: sched.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3)),
    ("exp", lambda o: sched.ExponentialLR(o, gamma=0.9)),
    ("cos", lambda o: sched.CosineAnnealingLR(o, T_max=7, eta_min=0.01)),
    ("lambda", lambda o: sched.LambdaLR(o, lr_lambda=lambda epoch: 1.0 / (1.0 + epoch))),
]


@pytest.mark.parametrize("key,make", SCHEDULES, ids=[k for k, _ in SCHEDULES])
def test_schedule_values(key, make):
    opt = make_opt()
    s = make(opt)
    assert s.last_epoch == 0 and opt.param_groups[0]["initial_lr"] == 0.1 and s.base_lrs == [0.1]
    got = lrs_over_epochs(opt, s)
    np.testing.assert_allclose(got, closed_forms()[key], rtol=1e-12, atol=1e-15)
    assert s.last_epoch == EPOCHS


def test_multistep_lr_by_hand():
    opt = make_opt()
    s = sched.MultiStepLR(opt, milestones=[2, 5, 5, 9], gamma=0.3)
    got = lrs_over_epochs(opt, s, epochs=10)
    expected = [0.1, 0.1, 0.03, 0.03, 0.03, 0.0027, 0.0027, 0.0027, 0.0027, 0.00081, 0.00081]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_cosine_continues_past_t_max_and_hits_eta_min():
    opt = make_opt()
    s = sched.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
    got = lrs_over_epochs(opt, s, epochs=20)
    assert math.isclose(got[10], 0.001, rel_tol=1e-12)
    assert math.isclose(got[20], 0.1, rel_tol=1e-12)  # back up along the cosine
    assert math.isclose(got[5], 0.001 + 0.099 / 2, rel_tol=1e-12)


def test_each_group_scales_its_own_lr():
    opt = make_opt(groups=[{}, {"lr": 1.0}])
    s = sched.ExponentialLR(opt, gamma=0.5)
    for _ in range(3):
        opt.step()
        s.step()
    np.testing.assert_allclose(s.get_last_lr(), [0.1 / 8, 1.0 / 8])
    assert s.base_lrs == [0.1, 1.0]


def test_lambda_lr_list_per_group_and_errors():
    opt = make_opt(groups=[{}, {"lr": 1.0}])
    s = sched.LambdaLR(opt, lr_lambda=[lambda e: 0.5**e, lambda e: 1.0 + e])
    opt.step()
    s.step()
    np.testing.assert_allclose(s.get_last_lr(), [0.05, 2.0])
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        sched.LambdaLR(make_opt(groups=[{}, {}]), lr_lambda=[lambda e: 1.0])


def test_step_with_epoch_uses_closed_form_and_warns():
    opt = make_opt()
    s = sched.StepLR(opt, step_size=3, gamma=0.5)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        s.step(7)
    assert s.last_epoch == 7 and math.isclose(opt.param_groups[0]["lr"], 0.1 * 0.5**2)
    opt2 = make_opt()
    c = sched.CosineAnnealingLR(opt2, T_max=10)
    opt2.step()
    with pytest.warns(UserWarning, match="epoch parameter"):
        c.step(5)
    assert math.isclose(opt2.param_groups[0]["lr"], 0.05, rel_tol=1e-12)


def test_resume_with_last_epoch():
    opt = make_opt()
    s = sched.ExponentialLR(opt, gamma=0.5)
    for _ in range(3):
        opt.step()
        s.step()
    # a new scheduler that picks up from epoch 3 keeps multiplying the current lr
    s2 = sched.ExponentialLR(opt, gamma=0.5, last_epoch=3)
    assert s2.base_lrs == [0.1] and s2.last_epoch == 4
    with pytest.raises(KeyError, match="initial_lr"):
        sched.StepLR(make_opt(), step_size=2, last_epoch=5)


def test_state_dict_round_trip_continues_the_schedule():
    opt = make_opt()
    s = sched.StepLR(opt, step_size=2, gamma=0.3)
    reference = lrs_over_epochs(opt, s, epochs=12)

    opt_a = make_opt()
    s_a = sched.StepLR(opt_a, step_size=2, gamma=0.3)
    lrs_over_epochs(opt_a, s_a, epochs=5)
    opt_sd, s_sd = opt_a.state_dict(), s_a.state_dict()
    assert "optimizer" not in s_sd and s_sd["last_epoch"] == 5 and s_sd["step_size"] == 2

    opt_b = make_opt()
    s_b = sched.StepLR(opt_b, step_size=2, gamma=0.3)  # construct, then load (as torch advises)
    opt_b.load_state_dict(opt_sd)
    s_b.load_state_dict(s_sd)
    assert s_b.get_last_lr() == s_a.get_last_lr()
    rest = lrs_over_epochs(opt_b, s_b, epochs=7)
    np.testing.assert_allclose(rest, reference[5:], rtol=1e-15)


def test_lambda_state_dict_skips_functions():
    opt = make_opt()
    s = sched.LambdaLR(opt, lr_lambda=lambda e: 0.9**e)
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [None] and sd["base_lrs"] == [0.1]


def test_warns_when_scheduler_steps_before_optimizer():
    opt = make_opt()
    s = sched.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    opt = make_opt()
    s = sched.StepLR(opt, step_size=1)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        s.get_lr()


def test_scheduler_rejects_non_optimizer():
    with pytest.raises(TypeError, match="is not an Optimizer"):
        sched.StepLR(object(), step_size=1)


# ---------------------------------------------------------------- ReduceLROnPlateau
def test_reduce_on_plateau_by_hand():
    opt = make_opt()
    s = sched.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.02)
    metrics = [
        1.0,
        0.9,
        0.95,
        0.95,
        0.95,  # 3 bad epochs > patience 2: 0.1 → 0.05
        0.95,  # cooldown: not counted
        0.95,
        0.95,
        0.95,  # 3 bad: 0.05 → 0.025
        0.95,
        0.95,
        0.95,
        0.95,  # cooldown + 3 bad: max(0.0125, min_lr) = 0.02
        0.95,
        0.95,
        0.95,
        0.95,
    ]  # already at min_lr: unchanged
    expected = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02, 0.02]
    got = []
    for m in metrics:
        s.step(m)
        got.append(opt.param_groups[0]["lr"])
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert s.best == 0.9 and s.last_epoch == len(metrics)


def test_reduce_on_plateau_thresholds_and_max_mode():
    opt = make_opt()
    s = sched.ReduceLROnPlateau(opt, threshold=1e-4)  # rel: must beat best·(1 − 1e-4)
    s.step(1.0)
    s.step(0.99995)
    assert s.best == 1.0 and s.num_bad_epochs == 1
    s.step(0.9998)
    assert s.best == 0.9998 and s.num_bad_epochs == 0

    s = sched.ReduceLROnPlateau(make_opt(), threshold=0.1, threshold_mode="abs")
    s.step(1.0)
    s.step(0.95)
    assert s.best == 1.0 and s.num_bad_epochs == 1

    opt = make_opt()
    s = sched.ReduceLROnPlateau(opt, mode="max", patience=0, factor=0.1)
    s.step(0.5)
    s.step(0.6)
    assert opt.param_groups[0]["lr"] == 0.1
    s.step(0.55)
    assert math.isclose(opt.param_groups[0]["lr"], 0.01) and s.get_last_lr()[0] == opt.param_groups[0]["lr"]


def test_reduce_on_plateau_errors_and_state_dict():
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        sched.ReduceLROnPlateau(make_opt(), factor=1.0)
    with pytest.raises(ValueError, match="mode avg is unknown"):
        sched.ReduceLROnPlateau(make_opt(), mode="avg")
    with pytest.raises(ValueError, match="threshold mode x is unknown"):
        sched.ReduceLROnPlateau(make_opt(), threshold_mode="x")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        sched.ReduceLROnPlateau(make_opt(groups=[{}, {}]), min_lr=[0.1])
    s = sched.ReduceLROnPlateau(make_opt(), patience=1)
    for m in (1.0, 2.0):
        s.step(m)
    sd = s.state_dict()
    s2 = sched.ReduceLROnPlateau(make_opt(), patience=5)
    s2.load_state_dict(sd)
    assert s2.patience == 1 and s2.best == 1.0 and s2.num_bad_epochs == 1


# ---------------------------------------------------------------- against torch (optional)
TORCH_CASES = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("StepLR", {"step_size": 2}),
    ("MultiStepLR", {"milestones": [2, 5, 9], "gamma": 0.3}),
    ("MultiStepLR", {"milestones": [4]}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 1.0 / (1.0 + epoch)}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 0.95**epoch * (2 if epoch % 3 == 0 else 1)}),
]


@pytest.mark.parametrize("use_epoch", [False, True], ids=["recursive", "mixed-closed-form"])
@pytest.mark.parametrize("name,kw", TORCH_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TORCH_CASES)])
def test_matches_torch_over_25_epochs(name, kw, use_epoch):
    torch = pytest.importorskip("torch")
    opt = make_opt(groups=[{}, {"lr": 0.7}])
    tparams = [torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(3))]
    topt = torch.optim.SGD([{"params": [tparams[0]]}, {"params": [tparams[1]], "lr": 0.7}], lr=0.1, momentum=0.9)
    s, ts = getattr(sched, name)(opt, **kw), getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    got, expected = [s.get_last_lr()], [ts.get_last_lr()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in range(1, EPOCHS + 1):
            opt.step()
            topt.step()
            if use_epoch and epoch % 4 == 0:
                s.step(epoch)
                ts.step(epoch)
            else:
                s.step()
                ts.step()
            got.append(s.get_last_lr())
            expected.append(ts.get_last_lr())
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)
    assert set(s.state_dict()) == set(ts.state_dict())


def test_reduce_on_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    metrics = list(1.0 / (1.0 + np.arange(15))) + list(0.06 + 0.01 * rng.random(60))
    for kw in [
        {},
        {
            "mode": "max",
            "factor": 0.5,
            "patience": 2,
            "threshold_mode": "abs",
            "threshold": 0.1,
            "cooldown": 2,
            "min_lr": [0.01, 0.02],
        },
        {"patience": 0, "cooldown": 1, "min_lr": 0.005, "eps": 1e-3},
    ]:
        opt = make_opt(groups=[{}, {"lr": 0.3}])
        topt = torch.optim.SGD(
            [
                {"params": [torch.nn.Parameter(torch.ones(2))]},
                {"params": [torch.nn.Parameter(torch.ones(3))], "lr": 0.3},
            ],
            lr=0.1,
        )
        s = sched.ReduceLROnPlateau(opt, **kw)
        ts = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw)
        for m in metrics:
            s.step(m)
            ts.step(m)
            assert s.get_last_lr() == ts.get_last_lr(), kw
            counters = (s.best, s.num_bad_epochs, s.cooldown_counter)
            assert counters == (ts.best, ts.num_bad_epochs, ts.cooldown_counter)
