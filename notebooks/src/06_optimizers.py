# %% [markdown]
# # 06 · Optimizers
#
# Gradient descent takes a step `−α·g` against the gradient `g`. How well that works depends on the
# shape of the loss surface, which the Hessian (the matrix of second derivatives) describes. This
# notebook runs minigrad's optimizers (`optim.SGD` with and without momentum and Nesterov,
# `optim.RMSprop`, `optim.Adam`) where their differences are visible:
#
# 1. a **long narrow valley** (a least-squares loss over two weights, with data so that one
#    direction is 100 times more curved than the other): batch GD, SGD, mini-batch SGD, momentum,
#    Nesterov, RMSProp and Adam, paths plotted;
# 2. the **noise floor** of SGD and mini-batch SGD, measured at the same learning rate;
# 3. **learning-rate schedules** (`optim.lr_scheduler`): constant vs step vs cosine;
# 4. what the **adaptive methods** do and do not do, where the course deck says otherwise;
# 5. a **saddle point**: who gets away from it, and the **Hessian** there with `hessian()`;
# 6. **Adam's bias correction** in the first steps;
# 7. the same optimizers on an MLP for the digits: loss against steps, choices on a validation split;
# 8. **Try it**: four exercises with checks.
#
# The update rules, from the course (`g` the gradient, `α` or `η` the learning rate):
#
# | optimizer | update |
# |---|---|
# | SGD / mini-batch / batch GD | `W ← W − α·g`, `g` from 1 sample / K samples / all samples |
# | momentum | `v ← β·v + g`, `W ← W − α·v` (PyTorch's form; the course's average `β·v + (1−β)·g` is the same with `α` rescaled by `1/(1−β)`) |
# | RMSProp | `s ← β·s + (1−β)·g²`, `W ← W − α·g/(√s + ε)` |
# | Adam | `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`, `m̂ = m/(1−β₁ᵗ)`, `v̂ = v/(1−β₂ᵗ)`, `W ← W − η·m̂/(√v̂ + ε)` |

# %%
import importlib
import os
import sys

import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.autograd.functional import hessian
from minigrad.data import load_digits, standardize, train_val_test_split
from minigrad.optim import lr_scheduler

if os.getcwd() not in sys.path:  # the kernel runs in notebooks/: the exercises' reference solutions live there
    sys.path.insert(0, os.getcwd())
solutions = importlib.import_module("solutions.06_optimizers")

mg.set_default_dtype(np.float64)  # the 2-D experiments in float64; the MLP below uses float32 data
mg.manual_seed(0)
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. A long narrow valley
#
# Linear regression with two weights, `L(w) = mean_i (x_i·w − y_i)²` over `m = 500` samples whose
# first feature has standard deviation 1 and the second 0.1. The Hessian is `2·mean_i x_i x_iᵀ`:
# its eigenvalues are about 2 and 0.02, so the surface is a valley 10 times longer than it is wide
# (curvature ratio 100). `hessian()` gives it from the loss directly:

# %%
rng = np.random.default_rng(0)
m = 500
X_v = rng.standard_normal((m, 2)) * np.array([1.0, 0.1])
y_v = X_v @ np.array([1.0, 2.0]) + 0.1 * rng.standard_normal(m)
Xt, yt = mg.tensor(X_v), mg.tensor(y_v)


def valley_loss(w, idx=None):
    if idx is None:
        return ((Xt @ w - yt) ** 2).mean()
    return ((Xt[idx] @ w - yt[idx]) ** 2).mean()


w_star = np.linalg.lstsq(X_v, y_v, rcond=None)[0]
L_star = float(valley_loss(mg.tensor(w_star)))
H_valley = hessian(valley_loss, mg.tensor(w_star)).numpy()
eig_valley = np.linalg.eigvalsh(H_valley)
print("minimum w* =", w_star, f"  L(w*) = {L_star:.5f}")
print("Hessian:\n", H_valley)
print("eigenvalues:", eig_valley, f"  ratio λmax/λmin = {eig_valley[-1] / eig_valley[0]:.0f}")
print(f"gradient descent is stable only for α < 2/λmax = {2 / eig_valley[-1]:.3f}")
assert 80 < eig_valley[-1] / eig_valley[0] < 130

# %% [markdown]
# Every optimizer starts at `w = (−2, −1.5)` and takes 100 steps, each with a learning rate chosen
# by hand for this surface. SGD uses one random sample per step, mini-batch SGD 32, all
# others the full data (batch GD). We record the path and the excess loss `L(w) − L(w*)`.

# %%
START = np.array([-2.0, -1.5])
STEPS = 100


def run(make_opt, loss_fn, steps=STEPS, batch=None, start=START, seed=0):
    w = mg.tensor(start.copy(), requires_grad=True)
    opt = make_opt([w])
    r = np.random.default_rng(seed)
    path = [w.numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        if batch is None:
            loss = loss_fn(w)
        else:
            loss = loss_fn(w, r.choice(m, batch, replace=False))
        loss.backward()
        opt.step()
        path.append(w.numpy().copy())
    return np.array(path)


valley_setups = {
    "batch GD (α=0.9)": (lambda p: optim.SGD(p, lr=0.9), None),
    "SGD, 1 sample (α=0.05)": (lambda p: optim.SGD(p, lr=0.05), 1),
    "mini-batch 32 (α=0.5)": (lambda p: optim.SGD(p, lr=0.5), 32),
    "momentum 0.9 (α=0.3)": (lambda p: optim.SGD(p, lr=0.3, momentum=0.9), None),
    "Nesterov 0.9 (α=0.3)": (lambda p: optim.SGD(p, lr=0.3, momentum=0.9, nesterov=True), None),
    "RMSProp (α=0.05)": (lambda p: optim.RMSprop(p, lr=0.05), None),
    "Adam (η=0.1)": (lambda p: optim.Adam(p, lr=0.1), None),
}
paths, excess = {}, {}
for name, (make_opt, batch) in valley_setups.items():
    paths[name] = run(make_opt, valley_loss, batch=batch)
    with mg.no_grad():
        excess[name] = np.array([float(valley_loss(mg.tensor(p))) for p in paths[name]]) - L_star

g1, g2 = np.meshgrid(np.linspace(-2.5, 2.5, 200), np.linspace(-2, 4, 200))
with mg.no_grad():
    surface = np.array([[float(valley_loss(mg.tensor([a, b]))) for a, b in zip(ra, rb)] for ra, rb in zip(g1, g2)])

levels = np.geomspace(L_star + 0.003, surface.max(), 18)
fig, axes = plt.subplots(2, 4, figsize=(15, 7.5))
for i, (name, path) in enumerate(paths.items()):
    ax = axes.flat[i]
    ax.contour(g1, g2, surface, levels=levels, colors="gray", linewidths=0.5)
    ax.plot(path[:, 0], path[:, 1], ".-", color=f"C{i}", lw=1, ms=2.5)
    ax.plot(*w_star, "k*", ms=10)
    ax.plot(*START, "ko", ms=4)
    ax.set_title(name, fontsize=10)
    ax.tick_params(labelsize=7)
ax = axes.flat[-1]
for i, (name, e) in enumerate(excess.items()):
    ax.semilogy(np.maximum(e, 1e-12), color=f"C{i}", label=name, lw=1)
ax.set_xlabel("step")
ax.set_title("L(w) − L(w*), full data", fontsize=10)
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=7)
fig.suptitle("100 steps on the valley: w₁ horizontal (steep), w₂ vertical (flat); start ●, minimum ★")
fig.tight_layout()
plt.show()


def steps_to(e, tol=1e-3):
    below = np.nonzero(e < tol)[0]
    return int(below[0]) if below.size else None


print(f"{'optimizer':<24} {'steps to L − L* < 1e-3':>22} {'mean excess, last 20 steps':>27}")
for name, e in excess.items():
    print(f"{name:<24} {str(steps_to(e)):>22} {e[-20:].mean():>27.1e}")

# %% [markdown]
# - **Batch GD** must keep `α < 2/λmax ≈ 1` or it diverges along the steep direction, and with that
#   `α` it crawls along the flat one (curvature 0.02): after 100 steps it is still not within 1e-3
#   of the minimum.
# - **Momentum** and **Nesterov** add up the gradients' consistent component along the valley floor
#   and get within 1e-3 in well under 100 steps; Nesterov, which computes the gradient at the point
#   the velocity is about to carry it to, overshoots less and gets there first.
# - **RMSProp** and **Adam** divide each weight's step by the root mean square of its own
#   gradients: the steep and the flat direction (here the two axes) get steps of the same size, as
#   if the surface were round.
# - **SGD** on one sample and **mini-batch** SGD head the right way but after 100 steps are still
#   far from the minimum. Is that noise, or distance still to travel? The excess loss of a quadratic
#   splits exactly along the Hessian's eigenvectors `u₁` (flat) and `u₂` (steep):
#   `L(w) − L(w*) = ½λ₁·(u₁·(w − w*))² + ½λ₂·(u₂·(w − w*))²`. (The two runs also use different
#   learning rates, 0.05 and 0.5, so they say nothing about the batch size; section 2 compares them
#   properly.)

# %%
assert steps_to(excess["batch GD (α=0.9)"]) is None
for name in ("momentum 0.9 (α=0.3)", "Nesterov 0.9 (α=0.3)", "RMSProp (α=0.05)", "Adam (η=0.1)"):
    assert steps_to(excess[name]) is not None and steps_to(excess[name]) < 70, name
assert steps_to(excess["Nesterov 0.9 (α=0.3)"]) <= steps_to(excess["momentum 0.9 (α=0.3)"])

lam_valley, U_valley = np.linalg.eigh(H_valley)  # λ₁ (flat) < λ₂ (steep); eigenvectors in the columns


def split_excess(W):
    """The excess loss of weights W (..., 2), split into its flat and steep parts."""
    c = (np.asarray(W) - w_star) @ U_valley
    return 0.5 * lam_valley[0] * c[..., 0] ** 2, 0.5 * lam_valley[1] * c[..., 1] ** 2


flat_all, steep_all = split_excess(paths["Adam (η=0.1)"])
assert np.allclose(flat_all + steep_all, excess["Adam (η=0.1)"], rtol=1e-6, atol=1e-12)  # the split is exact
flat_share = {}
for name in ("SGD, 1 sample (α=0.05)", "mini-batch 32 (α=0.5)"):
    flat, steep = split_excess(paths[name][-20:])
    flat_share[name] = flat.mean() / (flat.mean() + steep.mean())
    print(f"{name:<24} last 20 steps: excess {excess[name][-20:].mean():.2e} = flat {flat.mean():.2e} "
          f"+ steep {steep.mean():.2e}  → {flat_share[name]:.0%} is distance along the valley; "
          f"w₂ ends at {paths[name][-1, 1]:+.2f} (start −1.5, minimum {w_star[1]:+.2f})")
assert min(flat_share.values()) > 0.9

# %% [markdown]
# Almost all of what is left (over 90 %) is distance still to travel along the flat valley floor,
# not noise: one-sample SGD at `α = 0.05` has barely moved along `w₂`. These 100 steps do not show a
# noise floor at all.

# %% [markdown]
# The learning-rate limit of batch GD is the Hessian's largest eigenvalue: just above `2/λmax` the
# steep direction is multiplied by `|1 − α·λmax| > 1` at every step and the iterates diverge.

# %%
for lr in (0.95 * 2 / eig_valley[-1], 1.05 * 2 / eig_valley[-1]):
    e = float(valley_loss(mg.tensor(run(lambda p, lr=lr: optim.SGD(p, lr=lr), valley_loss)[-1]))) - L_star
    print(f"batch GD with α = {lr:.3f} ({lr * eig_valley[-1] / 2:.2f} × 2/λmax): excess loss after 100 steps {e:.2e}")
    if lr * eig_valley[-1] / 2 > 1:
        assert e > 1e3
    else:
        assert e < 1

# %% [markdown]
# ## 2. The noise floor of SGD, at the same learning rate
#
# To see the floor, run long enough that the flat direction has been travelled (2 000 steps) and
# compare the batch sizes **at the same learning rate**. The floor is the steep part of the excess
# loss (where the noise lives), averaged over the last 500 steps. One-sample SGD's noise is
# heavy-tailed — at `α = 0.5` a sample with `x₁² > 2` has curvature `2x₁² > 2/α` along `x` and its
# step overshoots, and 16 % of samples do — so each setting runs **20 seeds** (as 20 rows of one
# weight tensor, which trains them all at once) and we report the median over seeds with the
# 25–75 % range.

# %%
SEEDS = 20
LONG = 2000


def run_seeds(lr, batch, steps=LONG, schedule=None, seed=0):
    """SGD on the valley for SEEDS independent runs at once (one row of w each); returns (path, lrs)."""
    w = mg.tensor(np.tile(START, (SEEDS, 1)), requires_grad=True)
    opt = optim.SGD([w], lr=lr)
    sched = schedule(opt) if schedule else None
    r = np.random.default_rng(seed)
    path, lrs = [w.numpy().copy()], []
    for _ in range(steps):
        idx = r.random((SEEDS, m)).argpartition(batch, axis=1)[:, :batch]  # a batch per run, no repeats
        opt.zero_grad()
        residual = (Xt[idx] * w.unsqueeze(1)).sum(-1) - yt[idx]  # (SEEDS, batch)
        (residual**2).mean(1).sum().backward()  # the sum over runs keeps each run's gradient its own
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if sched:
            sched.step()
        path.append(w.numpy().copy())
    return np.array(path), np.array(lrs)


def q(a):
    """median and 25-75 % range over the seeds, as text"""
    lo, med, hi = np.percentile(a, [25, 50, 75])
    return f"{med:.1e} [{lo:.1e}, {hi:.1e}]"


floor_paths, floor = {}, {}
for lr in (0.5, 0.05):
    for batch in (1, 32):
        floor_paths[lr, batch] = run_seeds(lr, batch)[0]
        floor[lr, batch] = split_excess(floor_paths[lr, batch][-500:])[1].mean(0)  # steep part, per seed

print(f"{'':<14} {'SGD, 1 sample':>32} {'mini-batch 32':>32}   (noise floor: steep part of the excess, "
      f"median [25 %, 75 %] of {SEEDS} seeds)")
for lr in (0.5, 0.05):
    print(f"α = {lr:<10} {q(floor[lr, 1]):>32} {q(floor[lr, 32]):>32}")
med = {k: np.median(v) for k, v in floor.items()}
for lr in (0.5, 0.05):
    left = {b: np.median(split_excess(floor_paths[lr, b][-500:])[0].mean(0)) for b in (1, 32)}
    print(f"flat part still left over the last 500 steps at α = {lr}: batch 1 {left[1]:.1e}, batch 32 {left[32]:.1e}")
print(f"time constant of the flat direction, 1/(2αλ₁): α = 0.5 → {1 / (2 * 0.5 * lam_valley[0]):.0f} steps, "
      f"α = 0.05 → {1 / (2 * 0.05 * lam_valley[0]):.0f} steps")
for lr in (0.5, 0.05):
    assert med[lr, 1] > 10 * med[lr, 32]  # at the same α, the larger batch has a far lower floor
    assert np.percentile(floor[lr, 1], 25) > np.percentile(floor[lr, 32], 75)  # for most seeds, not just the median
for batch in (1, 32):
    assert med[0.5, batch] > 5 * med[0.05, batch]  # and a smaller α lowers it

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharey=True)
for ax, lr in zip(axes, (0.5, 0.05)):
    for i, batch in enumerate((1, 32)):
        flat, steep = split_excess(floor_paths[lr, batch])
        ax.semilogy(np.median(steep, 1), color=f"C{i}", lw=1, label=f"batch {batch}: steep part (noise)")
        ax.semilogy(np.median(flat, 1), color=f"C{i}", lw=1.5, ls="--", label=f"batch {batch}: flat part")
    ax.set_title(f"SGD on the valley, α = {lr} (median of {SEEDS} seeds)", fontsize=10)
    ax.set_xlabel("step")
    ax.set_ylim(1e-7, 1e2)
    ax.grid(alpha=0.3, which="both")
axes[0].set_ylabel("part of L(w) − L(w*)")
axes[0].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# Now the floor is real and the course's statement holds with evidence: at the same `α` the steep
# part settles at a level set by the gradient noise, and 32 samples per step (whose gradient's
# variance is 32 times smaller) sit far lower than one sample — about 600 times at `α = 0.5` and 35
# times at `α = 0.05`; a smaller `α` lowers both floors. (The floors are per-seed means over 500
# steps; one-sample SGD's are dominated by rare large kicks, which is why they sit above the
# per-step median drawn in the plot.) The flat part (dashed) is what dominated the 100-step
# picture: its time constant is about 53 steps at `α = 0.5` but 530 at `α = 0.05`, where it is still
# the larger part of the excess after 2 000 steps.
#
# ## 3. Learning-rate schedules
#
# A constant rate must choose between speed (large `α`) and a low floor (small `α`). A **schedule**
# does both: large steps first, small ones at the end. minigrad ships PyTorch's schedulers in
# `optim.lr_scheduler`; called once per step here (usually once per epoch), after `opt.step()`:
#
# - `StepLR(opt, step_size=500, gamma=0.1)`: `α` is divided by 10 every 500 steps;
# - `CosineAnnealingLR(opt, T_max=2000)`: `α_t = ½·α₀·(1 + cos(π·t/2000))`, from `α₀` down to 0.
#
# The same one-sample SGD at `α₀ = 0.5`, 2 000 steps, 20 seeds, with each schedule:

# %%
schedules = {
    "constant": None,
    "StepLR (×0.1 every 500)": lambda opt: lr_scheduler.StepLR(opt, step_size=500, gamma=0.1),
    "CosineAnnealingLR": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=LONG),
}
sched_paths, sched_lrs, final_excess = {}, {}, {}
for name, make in schedules.items():
    sched_paths[name], sched_lrs[name] = run_seeds(0.5, 1, schedule=make)
    flat, steep = split_excess(sched_paths[name])
    final_excess[name] = (flat + steep)[-100:].mean(0)  # mean excess over the last 100 steps, per seed

fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for i, name in enumerate(schedules):
    axes[0].plot(sched_lrs[name], color=f"C{i}", label=name)
    flat, steep = split_excess(sched_paths[name])
    axes[1].semilogy(np.median(flat + steep, 1), color=f"C{i}", lw=1, label=f"{name}: {np.median(final_excess[name]):.1e}")
axes[0].set_ylabel("learning rate")
axes[0].set_title("the schedules")
axes[1].set_ylabel("L(w) − L(w*)")
axes[1].set_title(f"one-sample SGD, α₀ = 0.5 (median of {SEEDS} seeds)")
for ax in axes:
    ax.set_xlabel("step")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

for name in schedules:
    flat, steep = split_excess(sched_paths[name][-100:])
    share = np.median(flat.mean(0) / (flat + steep).mean(0))
    print(f"{name:<24} excess, last 100 steps: {q(final_excess[name])}   flat share (median) {share:.0%}")
med_final = {name: np.median(v) for name, v in final_excess.items()}
q75 = {name: np.percentile(v, 75) for name, v in final_excess.items()}
assert med_final["constant"] > 300 * max(med_final["StepLR (×0.1 every 500)"], med_final["CosineAnnealingLR"])
assert np.percentile(final_excess["constant"], 25) > 30 * max(q75["StepLR (×0.1 every 500)"], q75["CosineAnnealingLR"])
assert q75["StepLR (×0.1 every 500)"] > 3 * q75["CosineAnnealingLR"]  # StepLR's bad seeds are much worse

# %% [markdown]
# With the same number of steps and the same starting rate, both schedules end about a thousand
# times below the constant rate (whose excess is all noise: flat share 0 %). Between the two
# schedules the medians differ by about 2× — less than StepLR's own spread over seeds, so on the
# median we do not call either better. What differs is the bad seeds: StepLR's 75th percentile is
# about ten times cosine's. Its rate is already 0.005 after 1 000 steps, and a seed that a large
# early kick threw far along the valley then has too small a rate to travel back along the flat
# direction (curvature 0.02): most of what StepLR leaves is flat-direction distance, not noise.
# Cosine keeps a larger rate for longer and decays smoothly. A schedule is a hyperparameter like
# any other; 07 compares constant and cosine on the digits network, on a validation split.
#
# ## 4. What adaptive methods do, and what the course deck says
#
# The course describes RMSProp and Adam as approximating the Hessian one weight at a time. On the
# valley above, whose narrow axis happens to be the `w₁` axis, that works well. Three checks of what
# the deck says about them follow.

# %%
rms_lrs = (0.005, 0.02, 0.05, 0.2)
rms_runs = {}
for lr in rms_lrs:
    path = run(lambda p, lr=lr: optim.RMSprop(p, lr=lr), valley_loss)
    with mg.no_grad():
        e = np.array([float(valley_loss(mg.tensor(p))) for p in path]) - L_star
    rms_runs[lr] = (steps_to(e), e[-1])
    print(f"RMSProp α = {lr:<6} steps to L − L* < 1e-3: {str(steps_to(e)):>5}   excess after 100 steps {e[-1]:.1e}")
assert rms_runs[0.005][1] > 1 and rms_runs[0.02][1] > 1e-2 and rms_runs[0.05][0] is not None

# %% [markdown]
# > **The course says** (the optimisation deck) that RMSProp's learning rate "is not a
# > hyperparameter". **We measured**: on this valley, 100 RMSProp steps leave an excess loss of
# > about 4 at `α = 0.005` and 0.1 at `α = 0.02`, while `α = 0.05` reaches 1e-3 in under 50 steps.
# > The division by `√s` makes the step size roughly `α` whatever the gradient's scale — which is
# > exactly why `α` sets the step and must be tuned (section 7 shows the same on the digits MLP).
# > (Larger rates converge faster on this quadratic; on the MLP a rate too large fails.)

# %%
g_at_min = 2 * X_v.T @ (X_v @ w_star - y_v) / m
w_rms = mg.tensor(START.copy(), requires_grad=True)
rms_opt = optim.RMSprop([w_rms], lr=0.05)
for _ in range(100):
    rms_opt.zero_grad()
    valley_loss(w_rms).backward()
    rms_opt.step()
square_avg = rms_opt.state[w_rms]["square_avg"].numpy()
print("Hessian diagonal (the curvature, the same everywhere):", np.diag(H_valley))
print("g² at the minimum:                                    ", g_at_min**2)
print("RMSProp's running mean of g² after 100 steps:         ", square_avg)
assert np.all(g_at_min**2 < 1e-20) and np.all(np.diag(H_valley) > 0.01)

# %% [markdown]
# > **The course says** that RMSProp's running mean of the squared gradient is a second derivative.
# > **We measured**: the curvature of this quadratic is the same everywhere, (1.95, 0.019) on the
# > diagonal, while `g²` depends on where you are — it is exactly 0 at the minimum — and RMSProp's
# > running mean after 100 steps, (0.61, 1e-4), is neither. `√E[g²]` measures the gradient's scale,
# > which helps on this valley because far from the minimum the gradient along each axis is
# > proportional to that axis's curvature.
#
# The "per weight" in the course's summary matters. Rotate the same valley by 45°, so that its
# narrow direction no longer lies along a weight axis (same data, `X ← X·Rᵀ`; the minimum and the
# start are rotated with it, so the surface is the same seen from another angle):

# %%
c45 = np.cos(np.pi / 4)
R45 = np.array([[c45, -c45], [c45, c45]])
X_rot = X_v @ R45.T
Xt_rot = mg.tensor(X_rot)
w_star_rot = np.linalg.lstsq(X_rot, y_v, rcond=None)[0]
L_star_rot = float(((Xt_rot @ mg.tensor(w_star_rot) - yt) ** 2).mean())


def rotated_loss(w):
    return ((Xt_rot @ w - yt) ** 2).mean()


print("Hessian of the rotated valley:\n", hessian(rotated_loss, mg.tensor(w_star_rot)).numpy())
rot_setups = {k: valley_setups[k][0] for k in ("batch GD (α=0.9)", "momentum 0.9 (α=0.3)", "RMSProp (α=0.05)",
                                               "Adam (η=0.1)")}
rot_paths, rot_steps = {}, {}
print(f"{'optimizer':<24} {'steps to 1e-3, axis-aligned':>28} {'rotated 45°':>12}   (300 steps at most)")
for name, make_opt in rot_setups.items():
    e_axis = np.array([float(valley_loss(mg.tensor(p))) for p in run(make_opt, valley_loss, steps=300)]) - L_star
    rot_paths[name] = run(make_opt, rotated_loss, steps=300, start=R45 @ START)
    e_rot = np.array([float(rotated_loss(mg.tensor(p))) for p in rot_paths[name]]) - L_star_rot
    rot_steps[name] = (steps_to(e_axis), steps_to(e_rot))
    print(f"{name:<24} {str(rot_steps[name][0]):>28} {str(rot_steps[name][1]):>12}")
for name in ("batch GD (α=0.9)", "momentum 0.9 (α=0.3)"):
    assert rot_steps[name][0] == rot_steps[name][1]  # these do not care about the axes
for name in ("RMSProp (α=0.05)", "Adam (η=0.1)"):
    assert rot_steps[name][0] < 60 and (rot_steps[name][1] is None or rot_steps[name][1] > 200)

fig, ax = plt.subplots(figsize=(6, 4.5))
r1, r2 = np.meshgrid(np.linspace(-3.5, 3.5, 200), np.linspace(-3.5, 3.5, 200))
with mg.no_grad():
    surf_rot = np.array([[float(rotated_loss(mg.tensor([a, b]))) for a, b in zip(ra, rb)] for ra, rb in zip(r1, r2)])
ax.contour(r1, r2, surf_rot, levels=np.geomspace(L_star_rot + 0.003, surf_rot.max(), 18), colors="gray", linewidths=0.5)
for i, name in enumerate(rot_paths):
    ax.plot(rot_paths[name][:, 0], rot_paths[name][:, 1], ".-", ms=2, lw=0.8, color=f"C{i}",
            label=f"{name}: {rot_steps[name][1]} steps")
ax.plot(*w_star_rot, "k*", ms=10)
ax.set_title("the valley rotated by 45°: steps to 1e-3 (None: not in 300)", fontsize=10)
ax.legend(fontsize=7)
plt.show()

# %% [markdown]
# > **The course says** that adaptive methods approximate the Hessian per weight (and the deck
# > lists Nesterov momentum among them). **We measured**: GD and momentum take exactly the same
# > number of steps on the rotated valley as on the original (they do not see the axes; neither
# > does Nesterov, which is momentum with a look-ahead, not a curvature estimate). RMSProp and Adam
# > reach 1e-3 in under 60 steps when the narrow direction is a weight axis and not within 300 when
# > it is diagonal: a per-weight scale can only stretch the axes, so at best it approximates the
# > Hessian's *diagonal*, which says nothing about a valley lying across the axes.
#
# ## 5. A saddle point
#
# `f(x, y) = x² + y⁴/4 − y²/2` has a saddle at the origin and two minima at `(0, ±1)` (value −1/4).
# Its Hessian at the origin, with `hessian()`:

# %%
def saddle(p):
    return p[0] ** 2 + p[1] ** 4 / 4 - p[1] ** 2 / 2


H0 = hessian(saddle, mg.tensor([0.0, 0.0])).numpy()
eig0, vec0 = np.linalg.eigh(H0)
print("Hessian at (0, 0):\n", H0)
print("eigenvalues:", eig0, " eigenvectors (columns):\n", vec0)
assert np.allclose(H0, [[2, 0], [0, -1]]) and eig0[0] < 0 < eig0[1]

# %% [markdown]
# One positive and one negative eigenvalue: a minimum along `x` and a maximum along `y` — a saddle.
# The gradient is 0 there, and close to it, it is tiny along the escape direction (the
# eigenvector of the negative eigenvalue): near the saddle, gradient descent multiplies the `y`
# coordinate by `1 − α·λ = 1 + α` per step. From `y₀ = 0.001` with `α = 0.1` that takes about
# `ln(1000)/ln(1.1)` steps to reach `|y| ≈ 1`. Every optimizer starts at `(1.5, 0.001)` with the
# same learning rate 0.1:

# %%
SADDLE_START = np.array([1.5, 1e-3])
saddle_setups = {
    "GD": lambda p: optim.SGD(p, lr=0.1),
    "momentum 0.9": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "Nesterov 0.9": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "RMSProp": lambda p: optim.RMSprop(p, lr=0.1),
    "Adam": lambda p: optim.Adam(p, lr=0.1),
}
saddle_paths, escape = {}, {}
for name, make_opt in saddle_setups.items():
    path = run(make_opt, saddle, steps=150, start=SADDLE_START)
    with mg.no_grad():
        values = np.array([float(saddle(mg.tensor(p))) for p in path])
    saddle_paths[name] = path
    escape[name] = steps_to(values, -0.2)  # first step with f < −0.2 (the minima are at −0.25)

s1, s2 = np.meshgrid(np.linspace(-1.7, 1.7, 200), np.linspace(-1.5, 1.5, 200))
fig, axes = plt.subplots(1, 2, figsize=(13, 4.6))
ax = axes[0]
ax.contour(s1, s2, s1**2 + s2**4 / 4 - s2**2 / 2, levels=25, colors="gray", linewidths=0.6)
for i, (name, path) in enumerate(saddle_paths.items()):
    ax.plot(path[:, 0], path[:, 1], ".-", ms=2.5, lw=1, color=f"C{i}", label=f"{name}: {escape[name]} steps")
ax.plot(0, 0, "rx", ms=10, label="saddle")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("paths from (1.5, 0.001); legend: steps until f < −0.2")
ax.legend(fontsize=8)
ax = axes[1]
for i, (name, path) in enumerate(saddle_paths.items()):
    ax.semilogy(np.abs(path[:, 1]), color=f"C{i}", label=name)
ax.set_xlabel("step")
ax.set_ylabel("|y| (distance along the escape direction)")
ax.set_title("leaving the saddle")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()

print(f"GD estimate near the saddle: ln(1000)/ln(1.1) = {np.log(1000) / np.log(1.1):.0f} steps")
for name, k in escape.items():
    print(f"{name:<13} steps until f < −0.2: {k}")
assert escape["Adam"] < escape["GD"] and escape["momentum 0.9"] < escape["GD"]
assert escape["RMSProp"] < escape["GD"] and escape["Nesterov 0.9"] < escape["GD"]
assert abs(escape["GD"] - np.log(1000) / np.log(1.1)) < 15
first_above = {name: steps_to(-np.abs(p[:, 1]), -0.1) for name, p in saddle_paths.items()}
print("steps until |y| > 0.1:", first_above)
assert first_above["Adam"] <= 3 and first_above["RMSProp"] <= 3 and first_above["GD"] > 30

# %% [markdown]
# Plain GD spends most of its steps near the saddle, growing `y` by 10 % per step as predicted (a
# straight line on the log plot). Momentum accumulates the small but consistent push along `y`.
# RMSProp and Adam divide by the gradient's own size, so even the tiny `y` gradient yields steps of
# about `α`: `|y|` jumps from 0.001 to 0.1 in the first steps. (RMSProp's very first step is larger
# still; the next section shows why.)
#
# ## 6. Adam's bias correction
#
# Adam's averages start at `m₀ = v₀ = 0`. After `t` steps of a constant gradient `g`,
# `m_t = (1 − β₁ᵗ)·g` and `v_t = (1 − β₂ᵗ)·g²`: both are biased towards 0, `v` much more so
# (`β₂ = 0.999`). Dividing by `1 − βᵗ` removes the bias. Without it the step `η·m/√v` would be
# `η·(1 − β₁ᵗ)/√(1 − β₂ᵗ)`: 3.2 η at the first step, about 6.6 η around step 12, and only slowly
# back to η. RMSProp has no bias correction at all: its first step is `α/√(1 − β)` = 10 α for
# `β = 0.99`.
#
# Measured with minigrad's optimizers on `L(θ) = g·θ` (a constant gradient `g = 0.5`), next to the
# uncorrected Adam written in NumPy:

# %%
def step_sizes(make_opt, steps, grad=0.5):
    theta = mg.tensor([0.0], requires_grad=True)
    opt = make_opt([theta])
    sizes = []
    for _ in range(steps):
        before = theta.numpy().copy()
        opt.zero_grad()
        (theta * grad).sum().backward()
        opt.step()
        sizes.append(abs(float(theta.numpy()[0] - before[0])))
    return np.array(sizes)


def numpy_adam_steps(steps, grad=0.5, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, correct=True):
    m = v = 0.0
    sizes = []
    for t in range(1, steps + 1):
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        m_hat, v_hat = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
        sizes.append(lr * m_hat / (np.sqrt(v_hat) + eps))
    return np.array(sizes)


T, lr = 5000, 1e-3
adam = step_sizes(lambda p: optim.Adam(p, lr=lr), T)
rmsprop = step_sizes(lambda p: optim.RMSprop(p, lr=lr, alpha=0.99), T)
adam_numpy = numpy_adam_steps(T, lr=lr)
adam_uncorrected = numpy_adam_steps(T, lr=lr, correct=False)

fig, ax = plt.subplots(figsize=(7.5, 4))
t = np.arange(1, T + 1)
ax.semilogx(t, adam / lr, label="Adam (minigrad, bias-corrected)", lw=2)
ax.semilogx(t, adam_uncorrected / lr, label="Adam without bias correction (NumPy)")
ax.semilogx(t, rmsprop / lr, label="RMSProp, β = 0.99 (minigrad)")
ax.axhline(1, color="gray", lw=0.8)
ax.set_xlabel("step t")
ax.set_ylabel("step size / learning rate")
ax.set_title("step sizes for a constant gradient")
ax.grid(alpha=0.3, which="both")
ax.legend()
plt.show()

print(f"minigrad Adam vs the course's formulas in NumPy: max |difference| = {np.abs(adam - adam_numpy).max():.1e}")
print(f"step 1 / lr:  Adam {adam[0] / lr:.3f},  uncorrected Adam {adam_uncorrected[0] / lr:.3f},  "
      f"RMSProp {rmsprop[0] / lr:.3f}")
peak = int(np.argmax(adam_uncorrected))
print(f"uncorrected Adam: largest step {adam_uncorrected[peak] / lr:.2f} lr at step {peak + 1}; "
      f"{adam_uncorrected[999] / lr:.2f} lr at step 1000")
assert np.allclose(adam, adam_numpy, rtol=1e-6)
assert abs(adam[0] / lr - 1) < 1e-6 and abs(adam_uncorrected[0] / lr - np.sqrt(10)) < 1e-3
assert abs(rmsprop[0] / lr - 10) < 1e-3 and 6 < adam_uncorrected.max() / lr < 7
assert 8 <= peak + 1 <= 20 and adam_uncorrected[999] / lr > 1.1

# %% [markdown]
# With a constant gradient, bias-corrected Adam moves exactly `η` from the very first step (and
# matches the course's formulas to rounding). Without the correction the early steps are up to
# 6.6 times larger — at the start, when the estimates of the gradient's scale are least reliable —
# and still 26 % too large after 1000 steps.
#
# The first moment's bias is easy to see with a noisy gradient: `g_t = 1 + noise`. The average
# `m_t` starts at 0 and needs about `1/(1 − β₁) = 10` steps to reach the gradient's mean; `m̂_t`
# is unbiased from step 1:

# %%
rng = np.random.default_rng(1)
g = 1 + 0.5 * rng.standard_normal(60)
m_t = np.zeros_like(g)
for k in range(len(g)):
    m_t[k] = 0.9 * (m_t[k - 1] if k else 0.0) + 0.1 * g[k]
m_hat = m_t / (1 - 0.9 ** np.arange(1, len(g) + 1))

fig, ax = plt.subplots(figsize=(7.5, 3.5))
ax.plot(range(1, 61), g, ".", color="gray", label="gradient g_t")
ax.plot(range(1, 61), m_t, label="m_t (biased towards 0)")
ax.plot(range(1, 61), m_hat, label="m̂_t = m_t / (1 − 0.9ᵗ)")
ax.axhline(1, color="k", lw=0.8, ls="--", label="E[g] = 1")
ax.set_xlabel("step t")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()
print(f"first 5 steps: mean of m_t {m_t[:5].mean():.2f}, mean of m̂_t {m_hat[:5].mean():.2f}, "
      f"mean of g_t {g[:5].mean():.2f}")
assert m_t[:5].mean() < 0.5 and abs(m_hat[:5].mean() - g[:5].mean()) < 0.3

# %% [markdown]
# > **The course says** (the optimisation deck) the Adam update once as `η·m̂/(√v̂ + ε)` and once as
# > `η·m̂/√(v̂ + ε)`. They are not the same method. **We measured** the first step, where
# > `m̂ = g` and `v̂ = g²`, for gradients of different sizes, with `ε = 1e-8` (minigrad's `optim.Adam`
# > and PyTorch use the first form, as does COURSE.md):

# %%
print(f"{'gradient g':>11} {'optim.Adam step / η':>20} {'ε inside √ (NumPy)':>19}")
eps_rows = {}
for g0 in (1.0, 1e-3, 1e-5):
    outside = step_sizes(lambda p: optim.Adam(p, lr=1e-3), 1, grad=g0)[0] / 1e-3
    inside = g0 / np.sqrt(g0**2 + 1e-8)
    eps_rows[g0] = (outside, inside)
    print(f"{g0:>11g} {outside:>20.4f} {inside:>19.4f}")
assert all(abs(o - 1) < 1e-2 for o, _ in eps_rows.values())
assert abs(eps_rows[1.0][1] - 1) < 1e-6 and eps_rows[1e-5][1] < 0.2

# %% [markdown]
# > With `ε` outside, the step is `η` whatever the gradient's size (down to about `ε`); with `ε`
# > inside, `ε` acts like `√ε = 1e-4` outside, so weights whose gradients are around 1e-5 get steps
# > ten times smaller than `η`. For the usual gradient sizes the two agree; the difference matters for
# > weights with tiny gradients, and for reproducing another library's results.

# %% [markdown]
# ## 7. On a real network: the digits MLP
#
# An MLP `64 → 128 → 128 → 10` with ReLU, PyTorch's default initialisation (the same for every
# run), mini-batches of 64 standardised digits, 400 steps. Every 20 steps we measure the loss on
# the whole training set. Learning rates: 0.01 for the SGD family (and plain SGD also at 0.1),
# 1e-3 — the usual default — for RMSProp and Adam. Accuracy is measured on a **validation** split;
# the test split is set aside and not used in this notebook (07 explains why choices must never
# be made on it).

# %%
mg.set_default_dtype(np.float32)
X, y = load_digits()
X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(X, y, val_size=0.2, test_size=0.2, seed=0)
X_train, X_val, X_test = standardize(X_train, X_val, X_test)
print(f"train {len(X_train)}, validation {len(X_val)}, test {len(X_test)} (not used here)")
loss_fn = nn.CrossEntropyLoss()
X_all, y_all = mg.tensor(X_train), mg.tensor(y_train)


def train_mlp(make_opt, steps=400, batch_size=64, every=20):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = make_opt(model.parameters())
    rng = np.random.default_rng(0)
    full_loss = []
    for step in range(1, steps + 1):
        idx = rng.choice(len(X_train), batch_size, replace=False)
        opt.zero_grad()
        loss_fn(model(mg.tensor(X_train[idx])), mg.tensor(y_train[idx])).backward()
        opt.step()
        if step % every == 0:
            with mg.no_grad():
                full_loss.append(float(loss_fn(model(X_all), y_all)))
    with mg.no_grad():
        acc = float((model(mg.tensor(X_val)).numpy().argmax(1) == y_val).mean())
    return np.array(full_loss), acc


mlp_setups = {
    "SGD (α=0.01)": lambda p: optim.SGD(p, lr=0.01),
    "SGD (α=0.1)": lambda p: optim.SGD(p, lr=0.1),
    "momentum 0.9 (α=0.01)": lambda p: optim.SGD(p, lr=0.01, momentum=0.9),
    "Nesterov 0.9 (α=0.01)": lambda p: optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True),
    "RMSProp (α=1e-3)": lambda p: optim.RMSprop(p, lr=1e-3),
    "Adam (η=1e-3)": lambda p: optim.Adam(p, lr=1e-3),
}
mlp_curves, mlp_acc = {}, {}
for name, make_opt in mlp_setups.items():
    mlp_curves[name], mlp_acc[name] = train_mlp(make_opt)

fig, ax = plt.subplots(figsize=(8, 4.2))
steps_axis = np.arange(20, 401, 20)
for name, c in mlp_curves.items():
    ax.semilogy(steps_axis, c, marker="o", ms=3, label=f"{name}: val acc {mlp_acc[name]:.1%}")
ax.set_xlabel("step")
ax.set_ylabel("training loss (whole training set)")
ax.set_title("digits MLP, mini-batches of 64")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8)
plt.show()

print(f"{'optimizer':<23} {'loss @100':>9} {'@200':>7} {'@400':>7} {'val acc':>9}")
for name, c in mlp_curves.items():
    print(f"{name:<23} {c[4]:>9.3f} {c[9]:>7.3f} {c[-1]:>7.3f} {mlp_acc[name]:>9.1%}")
p_ = 0.97
print(f"one validation image = {1 / len(y_val):.2%}; sampling noise of an accuracy near {p_:.0%}: "
      f"±{np.sqrt(p_ * (1 - p_) / len(y_val)):.1%} (one standard error)")

# %%
final = {name: c[-1] for name, c in mlp_curves.items()}
good = [acc for name, acc in mlp_acc.items() if name != "SGD (α=0.01)"]
assert max(good) - min(good) < 0.03 and mlp_acc["SGD (α=0.01)"] < min(good) - 0.1
assert final["momentum 0.9 (α=0.01)"] < final["SGD (α=0.01)"] / 10
assert 0.5 < final["momentum 0.9 (α=0.01)"] / final["SGD (α=0.1)"] < 2
sgd_family = [v for k, v in final.items() if k.startswith(("SGD", "momentum", "Nesterov"))]
assert max(final["Adam (η=1e-3)"], final["RMSProp (α=1e-3)"]) < min(sgd_family)

# %% [markdown]
# At the same `α = 0.01`, momentum ends with a loss more than ten times lower than plain SGD: with
# `β = 0.9` the velocity sums about `1/(1 − β) = 10` gradients, and indeed it tracks plain SGD at
# `α = 0.1` closely. Adam and RMSProp at their default 1e-3 reach the lowest training loss here
# without any tuning — the course's advice: Adam is a good default; SGD with momentum, with a tuned
# learning rate, is the other standard choice. The validation accuracies of all but plain SGD at
# `α = 0.01` lie within a couple of points of each other: with 360 validation images, one image is
# 0.28 points and the sampling noise of an accuracy near 97 % is about ±0.9 points, so this run does
# not rank them.
#
# "Without tuning" is not "without a learning rate": the same RMSProp at four rates, one decade
# apart (the course deck's claim that RMSProp's rate is not a hyperparameter, on a real network):

# %%
rms_mlp = {lr: train_mlp(lambda p, lr=lr: optim.RMSprop(p, lr=lr)) for lr in (1e-4, 1e-2, 1e-1)}
rms_mlp[1e-3] = (mlp_curves["RMSProp (α=1e-3)"], mlp_acc["RMSProp (α=1e-3)"])
for lr in sorted(rms_mlp):
    c, acc = rms_mlp[lr]
    print(f"RMSProp α = {lr:<7g} training loss after 400 steps {c[-1]:8.3f}   validation accuracy {acc:6.1%}")
assert rms_mlp[1e-4][0][-1] > 3 * rms_mlp[1e-3][0][-1]  # too small: far behind after 400 steps
assert rms_mlp[1e-1][1] < rms_mlp[1e-3][1] - 0.05  # too large: clearly worse on validation

# %% [markdown]
# Ten times smaller than 1e-3 leaves the training loss far higher after 400 steps and 6 points
# less validation accuracy; ten times larger does about as well; a hundred times larger makes the
# training loss blow up (10.5) and loses 6 points too. RMSProp's `α` is a hyperparameter to tune,
# like SGD's, only with a wider good range.
#
# ## 8. Try it
#
# Four exercises. Each has a stub `my_...` to replace with your code and a check cell. While the stub
# still raises `NotImplementedError`, the check runs the reference solution from
# `notebooks/solutions/06_optimizers.py` instead (so the notebook runs top to bottom; set the
# environment variable `MINIGRAD_SOLUTIONS=0` to make a stub an error). Write your own before you
# look there.
#
# **Exercise 1 — momentum by hand.** Write one step of SGD with momentum in PyTorch's form
# (`v ← β·v + g`, `w ← w − α·v`) on NumPy arrays. The check runs 20 steps on the valley next to
# `optim.SGD(momentum=0.9)` and compares the weights after every step.

# %%
mg.set_default_dtype(np.float64)  # the exercises use the valley again, in float64


def my_momentum_step(w, v, g, lr, beta):
    """Return the new (w, v)."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("momentum", lambda fn: solutions.check_momentum(fn, X_v, y_v, START),
                 my_momentum_step, solutions.momentum_step)

# %% [markdown]
# **Exercise 2 — Adam by hand.** Write one Adam step (`t` counts from 1) with the bias correction of
# section 6, returning the new `(w, m, v)`. The check compares 20 steps with `optim.Adam(lr=0.1)`.
# (Then try it without the bias correction: how large is the difference after 20 steps?)

# %%
def my_adam_step(w, m, v, g, t, lr, b1=0.9, b2=0.999, eps=1e-8):
    """Return the new (w, m, v)."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("Adam", lambda fn: solutions.check_adam(fn, X_v, y_v, START), my_adam_step, solutions.adam_step)

# %% [markdown]
# **Exercise 3 — find the bug.** This batch gradient descent on the valley is one line short. Its
# loss jumps between about 0.1 and 12 instead of decreasing. Find out why (print `w.grad` inside the
# loop), then write the fixed loop `my_fixed_gd` with the same signature and return values. The
# check compares it with gradient descent written in NumPy, step for step.

# %%
import inspect  # noqa: E402

print(inspect.getsource(solutions.buggy_gd))


def my_fixed_gd(X, y, start, lr, steps):
    """Return (final w as an array, the losses as an array)."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("the bug", lambda fn: solutions.check_gd(fn, X_v, y_v, START), my_fixed_gd, solutions.fixed_gd)

# %% [markdown]
# **Exercise 4 — predict, then measure.** Before running anything: what is the largest learning rate
# at which batch gradient descent on `mean (x·w − y)²` still converges, as a function of the data
# `X`? Write it as `my_max_stable_lr(X)` (NumPy is enough; section 1 has the idea). The check runs
# gradient descent just below (0.97×) and just above (1.03×) your value: the first must converge
# and the second diverge.

# %%
def my_max_stable_lr(X):
    """Return the largest stable learning rate for batch GD on mean (x·w − y)² over the rows of X."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("largest stable α", lambda fn: solutions.check_max_lr(fn, X_v, y_v, START),
                 my_max_stable_lr, solutions.max_stable_lr)
