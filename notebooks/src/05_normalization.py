# %% [markdown]
# # 05 · Normalisation
#
# Gradient descent works best on a loss surface that is about equally curved in every direction.
# Normalising the inputs, and inside the network the pre-activations, moves it there. This
# notebook measures:
#
# 1. **input standardisation** and the shape of the loss surface (its Hessian's condition number);
# 2. **batch normalisation** in training and evaluation mode, and its running statistics;
# 3. training a deep MLP with and without batch norm **at learning rates 0.003–1, for two
#    initialisations** — so that what batch norm does is not confused with what the initialisation
#    does; then batch norm's other claimed benefits, each measured with the initialisation held fixed:
#    gradient flow, placement before or after the activation, its mild regularising effect, and
#    the statistics it uses at test time;
# 4. the **variance shift** when dropout comes before batch norm, and what it costs in accuracy;
# 5. **layer normalisation**, which works for a batch of one, and batch norm at batch sizes 2–64;
# 6. **Try it**: four exercises with checks.
#
# All choices and comparisons use a validation split; the test split stays unused.
#
# Batch norm on the pre-activations `z` of a layer (per unit, over the batch of size `b`), from the
# course: `μ = mean_batch(z)`, `σ² = mean_batch((z − μ)²)`, `ẑ = (z − μ)/√(σ² + ε)`, `z̃ = γ·ẑ + β`,
# with learnable `γ, β`; at test time `μ` and `σ²` are replaced by running (exponential moving)
# averages.

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
from minigrad.diagnostics import layer_stats

if os.getcwd() not in sys.path:  # the kernel runs in notebooks/: the exercises' reference solutions live there
    sys.path.insert(0, os.getcwd())
solutions = importlib.import_module("solutions.05_normalization")

mg.manual_seed(0)
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Input standardisation and the loss surface
#
# Linear regression on two features in very different units: a flat's area in m² (mean 100, std 30)
# and its number of rooms (mean 3, std about 1, correlated with the area), with a bias `b`.
# The mean squared error `L(w₁, w₂, b)` is a quadratic whose Hessian is constant; its eigenvalues
# are the curvatures along its principal directions. We compare raw features with features
# standardised by `minigrad.data.standardize`, which uses the **training** set's mean and standard
# deviation for every split.

# %%
rng = np.random.default_rng(0)
area = rng.normal(100, 30, 400)
rooms = area / 30 + rng.normal(0, 0.7, 400)
features = np.stack([area, rooms], axis=1)
price = 0.03 * area + 0.5 * rooms + rng.normal(0, 0.3, 400)
F_train, F_val, p_train = features[:300], features[300:], price[:300]
S_train, S_val = standardize(F_train, F_val)
print("raw training features: mean", F_train.mean(0), " std", F_train.std(0))
print("standardised training: mean", S_train.mean(0), " std", S_train.std(0))
print("standardised validation (training statistics): mean", S_val.mean(0), " std", S_val.std(0))


def mse_loss(F):
    Ft, yt = mg.tensor(F), mg.tensor(p_train)

    def loss(theta):  # theta = (w1, w2, b)
        return ((Ft @ theta[:2] + theta[2] - yt) ** 2).mean()

    return loss


surfaces = {}
for name, F in (("raw", F_train), ("standardised", S_train)):
    loss = mse_loss(F)
    H = hessian(loss, mg.tensor(np.zeros(3))).numpy()
    eig = np.linalg.eigvalsh(H)
    theta_star = np.linalg.lstsq(np.c_[F, np.ones(len(F))], p_train, rcond=None)[0]
    surfaces[name] = dict(loss=loss, eig=eig, theta_star=theta_star, L_star=float(loss(mg.tensor(theta_star))), H=H)
    print(f"{name:<13} Hessian eigenvalues {eig}   condition number λmax/λmin = {eig[-1] / eig[0]:.1e}")
    print(f"{'':<13} curvature along w₁ vs along w₂: √(H₁₁/H₂₂) = {np.sqrt(H[0, 0] / H[1, 1]):.1f}")

# %% [markdown]
# The validation features are close to, but not exactly, mean 0 and std 1: they were transformed
# with the training statistics, as they must be (the model was fitted to inputs transformed that
# way). The raw problem is about 10⁵ times more curved in one direction than in another — the
# `area` weight multiplies numbers around 100, the bias multiplies 1. Gradient descent on each with
# `α = 1/λmax`: the step that would reach the minimum along the steepest direction in one step.
# (It is not the largest safe step: gradient descent on a quadratic is stable for any `α < 2/λmax`,
# as notebook 06 shows and the check after the plot confirms. Either way the largest step is set by
# the steepest direction, and the flattest direction then moves by only `α·λmin` of its distance per
# step.)

# %%
gd = {}
for name, s in surfaces.items():
    lr = 1.0 / s["eig"][-1]
    theta = mg.tensor(np.zeros(3), requires_grad=True)
    excess = []
    for _ in range(2000):
        theta.grad = None
        loss = s["loss"](theta)
        loss.backward()
        excess.append(float(loss) - s["L_star"])
        with mg.no_grad():
            theta -= lr * theta.grad
    gd[name] = np.array(excess)
    reached = np.nonzero(gd[name] < 1e-3)[0]
    s["steps"] = int(reached[0]) if reached.size else None
    print(f"{name:<13} α = {lr:.2e}: steps to get within 1e-3 of the minimum: {s['steps']}, "
          f"excess loss after 2000 steps {gd[name][-1]:.2e}")

fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
for ax, (name, s) in zip(axes[:2], surfaces.items()):
    w1s, w2s, bs = s["theta_star"]
    a, c = np.meshgrid(np.linspace(w1s - 1, w1s + 1, 300), np.linspace(w2s - 1, w2s + 1, 300))
    F = F_train if name == "raw" else S_train
    pred = F[:, 0, None, None] * a + F[:, 1, None, None] * c + bs
    L = ((pred - p_train[:, None, None]) ** 2).mean(axis=0)
    ax.contour(a, c, np.log(L - s["L_star"] + 1e-3), levels=20, cmap="viridis")
    ax.plot(w1s, w2s, "k*", ms=10)
    ax.set_xlabel("w₁ (area)")
    ax.set_ylabel("w₂ (rooms)")
    ax.set_aspect("equal")
    ax.set_title(f"{name}: L(w₁, w₂, b*), condition number {s['eig'][-1] / s['eig'][0]:.0e}", fontsize=10)
ax = axes[2]
for name, e in gd.items():
    ax.semilogy(np.maximum(e, 1e-12), label=name)
ax.set_xlabel("gradient-descent step (α = 1/λmax)")
ax.set_ylabel("L − L*")
ax.grid(alpha=0.3, which="both")
ax.legend()
fig.tight_layout()
plt.show()
assert surfaces["raw"]["eig"][-1] / surfaces["raw"]["eig"][0] > 1e4
assert surfaces["standardised"]["eig"][-1] / surfaces["standardised"]["eig"][0] < 30
assert surfaces["raw"]["steps"] is None and surfaces["standardised"]["steps"] < 20


def gd_distance(s, factor, steps=300):
    """Distance to the minimum after `steps` steps of GD at α = factor/λmax (NumPy, the same quadratic)."""
    theta = np.zeros(3)
    for _ in range(steps):
        theta = theta - factor / s["eig"][-1] * (s["H"] @ (theta - s["theta_star"]))
    return float(np.linalg.norm(theta - s["theta_star"]))


for factor in (1.0, 1.9, 2.1):
    print(f"standardised, α = {factor}/λmax: distance to the minimum after 300 steps "
          f"{gd_distance(surfaces['standardised'], factor):.1e} (start {np.linalg.norm(surfaces['standardised']['theta_star']):.1f})")
assert gd_distance(surfaces["standardised"], 1.9) < 1e-3 and gd_distance(surfaces["standardised"], 2.1) > 1e3

# %% [markdown]
# The contour plots slice the loss at the optimal bias, with the same scale on both axes. Raw, the
# surface is a canyon: the loss rises about 30 times faster along the area weight than along the
# rooms weight (`√(H₁₁/H₂₂)` above). Standardised, the contours are ellipses of modest elongation (what remains
# comes from the correlation between area and rooms). Gradient descent converges in about ten steps
# on the standardised problem; on the raw one it is still far from the minimum after 2000. The limit is
# `2/λmax`: at `1.9/λmax` gradient descent still converges (it overshoots and oscillates back), at
# `2.1/λmax` it diverges.
#
# ## 2. Batch normalisation: training mode, evaluation mode, running statistics
#
# A `BatchNorm1d(3)` fed batches of 32 samples whose three features have means (5, −2, 0) and
# standard deviations (2, 0.5, 1). In training mode it normalises with the batch's own statistics,
# exactly the course's formulas:

# %%
MU, SIGMA = np.array([5.0, -2.0, 0.0]), np.array([2.0, 0.5, 1.0])


def batch(n=32):
    return mg.tensor((MU + SIGMA * rng.standard_normal((n, 3))).astype(np.float32))


bn = nn.BatchNorm1d(3)
print(bn, "\nγ =", bn.weight.numpy(), " β =", bn.bias.numpy())
z = batch()
out = bn(z)  # training mode
zn = z.numpy().astype(np.float64)
by_hand = (zn - zn.mean(0)) / np.sqrt(zn.var(0) + bn.eps)  # biased batch variance
print("output mean per unit:", out.numpy().mean(0), "  std (biased):", out.numpy().std(0))
print("max |BatchNorm1d − formula| =", np.abs(out.numpy() - by_hand).max())
assert np.abs(out.numpy() - by_hand).max() < 1e-5

# %% [markdown]
# With `γ = √(σ² + ε)` and `β = μ` (of the batch) the layer gives back its input: batch norm can
# always learn to undo itself, so it never removes what the network could represent.

# %%
identity_bn = nn.BatchNorm1d(3)
identity_bn.weight.data[...] = np.sqrt(zn.var(0) + identity_bn.eps)  # .data: the array, changed in place
identity_bn.bias.data[...] = zn.mean(0)
err = np.abs(identity_bn(z).numpy() - z.numpy()).max()
print(f"max |BN(z) − z| with γ = √(σ²+ε), β = μ: {err:.1e}")
assert err < 1e-4

# %% [markdown]
# Every training-mode call also updates the running averages,
# `running ← (1 − momentum)·running + momentum·batch statistic` with `momentum = 0.1`; the
# running variance uses the unbiased batch variance. From their start values (mean 0, variance 1)
# they approach the data's:

# %%
bn = nn.BatchNorm1d(3)
history_mean, history_var = [], []
for _ in range(100):
    bn(batch())
    history_mean.append(bn.running_mean.numpy().copy())
    history_var.append(bn.running_var.numpy().copy())
history_mean, history_var = np.array(history_mean), np.array(history_var)
k = np.arange(1, 101)

fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
for j in range(3):
    axes[0].plot(k, history_mean[:, j], color=f"C{j}", label=f"unit {j}: μ = {MU[j]:g}")
    axes[0].plot(k, MU[j] * (1 - 0.9**k), color=f"C{j}", ls=":", lw=1)
    axes[1].plot(k, history_var[:, j], color=f"C{j}", label=f"unit {j}: σ² = {SIGMA[j] ** 2:g}")
    axes[1].plot(k, SIGMA[j] ** 2 + (1 - SIGMA[j] ** 2) * 0.9**k, color=f"C{j}", ls=":", lw=1)
axes[0].set_title("running_mean (dotted: μ·(1 − 0.9ᵏ))")
axes[1].set_title("running_var (dotted: σ² + (1 − σ²)·0.9ᵏ)")
for ax in axes:
    ax.set_xlabel("training batches k")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
plt.show()
print("after 100 batches: running_mean", bn.running_mean.numpy(), " running_var", bn.running_var.numpy())
print("num_batches_tracked =", int(bn.num_batches_tracked.numpy()))
assert np.all(np.abs(bn.running_mean.numpy() - MU) < 0.3 * SIGMA)
assert np.all(np.abs(bn.running_var.numpy() / SIGMA**2 - 1) < 0.3)

# %% [markdown]
# In evaluation mode (`bn.eval()`) the layer uses these running averages instead of the batch's,
# so a sample's output no longer depends on the other samples in its batch. The same sample in two
# different batches:

# %%
sample = batch(1)
batch_a = mg.cat([sample, batch(15)], 0)
batch_b = mg.cat([sample, batch(15) * 3], 0)  # different companions
outputs = {}
for mode in ("train", "eval"):
    bn.train(mode == "train")
    outputs[mode] = (bn(batch_a).numpy()[0], bn(batch_b).numpy()[0])
    print(f"{mode:<5} mode: output for the sample in batch A {outputs[mode][0]}, in batch B {outputs[mode][1]}")
expected = (sample.numpy()[0] - bn.running_mean.numpy()) / np.sqrt(bn.running_var.numpy() + bn.eps)
print("eval by hand, (z − running_mean)/√(running_var + ε):", expected)
assert not np.allclose(*outputs["train"], atol=1e-3)
assert np.array_equal(*outputs["eval"]) and np.allclose(outputs["eval"][0], expected, atol=1e-5)


# %% [markdown]
# ## 3. Batch norm, learning rates and initialisation
#
# A 6-layer MLP (five hidden layers of 128 ReLU units) on the standardised digits, trained for 200
# steps of SGD with momentum 0.9 (batches of 64), at learning rates from 0.003 to 1 — plain, and
# with `BatchNorm1d` between every hidden `Linear` and its ReLU. Batch norm is said both to allow
# larger learning rates and to make training less sensitive to the initialisation, so we hold the
# initialisation fixed and try two:
#
# - **PyTorch's default** `U[±1/√fan_in]`, whose variance `1/(3·fan_in)` is a sixth of He's: in a
#   plain ReLU network each layer shrinks the signal's standard deviation by about `√(1/6) ≈ 0.41`;
# - **He** (`kaiming_normal_`, variance `2/fan_in`, biases 0), which keeps it constant.
#
# Three seeds per setting (seed = initial weights and batch order). Afterwards, in evaluation mode:
# the loss on the whole training set and the accuracy on the **validation** split.

# %%
X, y = load_digits()
X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(X, y, val_size=0.2, test_size=0.2, seed=0)
X_train, X_val = standardize(X_train, X_val)  # the test split stays unused
loss_fn = nn.CrossEntropyLoss()
print(f"train {X_train.shape}, validation {X_val.shape}")


def deep_mlp(batchnorm=None, init="default", seed=0, depth=6, width=128, dropout=0.0, norm=nn.BatchNorm1d):
    """batchnorm: None, "before" or "after" the ReLU; dropout: p of a Dropout after every hidden ReLU."""
    mg.manual_seed(seed)
    sizes = [64] + [width] * (depth - 1)
    layers = []
    for i in range(depth - 1):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        if init == "he":
            nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if batchnorm == "before":
            layers.append(norm(width))
        layers.append(nn.ReLU())
        if batchnorm == "after":
            layers.append(norm(width))
        if dropout:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def evaluate(model):
    """Eval mode: (training loss, validation loss, validation accuracy)."""
    model.eval()
    with mg.no_grad():
        train_loss = float(loss_fn(model(mg.tensor(X_train)), mg.tensor(y_train)))
        out = model(mg.tensor(X_val))
        val_loss = float(loss_fn(out, mg.tensor(y_val)))
        acc = float((out.numpy().argmax(1) == y_val).mean())
    return train_loss, val_loss, acc


def train(model, lr, steps=200, batch_size=64, seed=0):
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    r = np.random.default_rng(seed)
    model.train()
    for _ in range(steps):
        idx = r.choice(len(X_train), batch_size, replace=False)
        opt.zero_grad()
        loss_fn(model(mg.tensor(X_train[idx])), mg.tensor(y_train[idx])).backward()
        opt.step()
    return model


lrs = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
SEEDS3 = range(3)
variants = {("default", None): "default init, no BN", ("default", "before"): "default init + BN",
            ("he", None): "He init, no BN", ("he", "before"): "He init + BN"}
sweep = {}  # (init, bn) -> array (lr, seed, [train loss, val loss, val acc])
with np.errstate(all="ignore"):  # the diverging runs overflow
    for (init, bn) in variants:
        sweep[init, bn] = np.array([[evaluate(train(deep_mlp(bn, init, seed), lr, seed=seed)) for seed in SEEDS3]
                                    for lr in lrs])

fig, axes = plt.subplots(1, 2, figsize=(13, 4))
styles = {("default", None): ("C0", "o--"), ("default", "before"): ("C0", "o-"),
          ("he", None): ("C1", "s--"), ("he", "before"): ("C1", "s-")}
for key, name in variants.items():
    res = sweep[key]
    color, style = styles[key]
    finite = [row[np.isfinite(row)] for row in res[:, :, 0]]
    axes[0].loglog(lrs, [np.median(f) if f.size else np.nan for f in finite], style, color=color, label=name)
    acc = 100 * res[:, :, 2]
    axes[1].plot(lrs, acc.mean(1), style, color=color, label=name)
    axes[1].plot(np.repeat(lrs, acc.shape[1]), acc.ravel(), ".", color=color, alpha=0.35)
axes[0].set_title("training loss after 200 steps (median of 3 seeds; missing: diverged)")
axes[1].set_title("validation accuracy (line: mean of 3 seeds; dots: the seeds)")
axes[1].set_xscale("log")
for ax in axes:
    ax.set_xlabel("learning rate α")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
plt.show()

print(f"{'α':>6}  " + "  ".join(f"{name:>20}" for name in variants.values()) + "   (validation accuracy, mean ± sd)")
for i, lr in enumerate(lrs):
    print(f"{lr:>6}  " + "  ".join(f"{100 * sweep[k][i, :, 2].mean():>13.1f} ± {100 * sweep[k][i, :, 2].std(ddof=1):4.1f}"
                                     for k in variants))


def works(key, i):  # every seed trains: finite loss and > 80 % validation accuracy
    return bool(np.all(np.isfinite(sweep[key][i, :, 0])) and np.all(sweep[key][i, :, 2] > 0.8))


working = {name: [lr for i, lr in enumerate(lrs) if works(key, i)] for key, name in variants.items()}
for name, good in working.items():
    print(f"{name:<20} trains at α = {good}")

# %%
assert not works(("default", None), 0) and works(("he", None), 0)  # α = 0.003: the default init fails, He does not
assert not works(("he", None), 4) and not works(("he", None), 5)  # without BN, α = 0.3 and 1 fail even with He
assert works(("he", None), 2)  # He, no BN: trains up to 0.03 (at 0.1 it depends on the seed: the table)
assert all(works(("he", "before"), i) for i in range(len(lrs)))  # with BN every α from 0.003 to 1 trains
assert all(works(("default", "before"), i) for i in range(len(lrs)))  # whatever the init
assert sweep["he", None][0, :, 2].mean() > 0.9
assert sweep["he", "before"][0, :, 2].mean() < sweep["he", None][0, :, 2].mean() + 0.01  # BN: no gain at α = 0.003

# %% [markdown]
# Read the two dashed curves first. **Without batch norm, the initialisation decides the low end:**
# with the default init the network has barely left its starting point after 200 steps at α = 0.003
# (about 20 %: the signal shrinks through five layers), while with He init the *same* network at the
# same rate reaches about 94 %. So the failure at small α that a "plain vs batch norm" plot with the
# default init shows is an initialisation effect, not a batch-norm one. At the high end both plain
# networks fail from α = 0.3 on, and the He-initialised one is already unreliable at 0.1 (the table:
# one of the three seeds diverged).
#
# **With the initialisation held fixed, batch norm's real contribution is the high end:** with He
# init the plain network trains reliably up to α = 0.03, with batch norm up to α = 1 — a stable range
# about 30× wider upward. At the low end (α = 0.003) batch norm does not help the He network (if
# anything it is a point or two behind). And with batch norm the two initialisations train at every
# rate — that is what "less sensitive to the initialisation" means, measured.
#
# ### Gradient flow
#
# Batch norm is also said to reduce vanishing gradients. The norm of each `Linear` layer's weight
# gradient, at initialisation, on one batch of 256 training images (`diagnostics.layer_stats`):

# %%
grad_flow = {}
for (init, bn), name in variants.items():
    model = deep_mlp(bn, init)
    model.train()
    report = layer_stats(model, X_train[:256], y_train[:256], loss_fn)
    grad_flow[name] = np.array([s.grad_norm for s in report if s.kind == "Linear"])
fig, ax = plt.subplots(figsize=(7, 3.8))
for (key, name), (color, style) in zip(variants.items(), styles.values()):
    ax.semilogy(range(1, 7), grad_flow[name], style, color=color, label=name)
ax.set_xlabel("Linear layer (1 = input side)")
ax.set_ylabel("‖∂L/∂W‖ at initialisation")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8)
plt.show()
for name, g in grad_flow.items():
    print(f"{name:<20} ‖∂L/∂W‖ per layer {np.array2string(g, precision=4)}   first/last {g[0] / g[-1]:.2e}")
ratio = {name: g[0] / g[-1] for name, g in grad_flow.items()}
size = {name: g.mean() for name, g in grad_flow.items()}
print("mean ‖∂L/∂W‖ over the layers:", {name: round(float(v), 4) for name, v in size.items()})
assert size["default init, no BN"] < 0.05 * size["default init + BN"]  # default init: every layer's gradient is tiny
assert 1 / 3 < size["He init + BN"] / size["He init, no BN"] < 3  # He init: BN leaves the size alone
assert all(0.1 < r < 10 for r in ratio.values())  # and nowhere does the first layer's gradient vanish
assert ratio["He init, no BN"] < ratio["He init + BN"]  # BN evens the layers out a little

# %% [markdown]
# Over six layers the gradient does not *vanish* towards the input in any of the four (first/last
# ratios between 0.2 and 1.1). What the default init does is make **every** layer's gradient small —
# about 50× smaller than with batch norm — because the shrunken signal reaches the output as nearly
# constant logits; batch norm rescales it at every layer. With He init the gradients are already of
# order 1 and batch norm changes their size little; it evens them out across the layers a bit (the
# first/last ratio doubles). "Batch norm improves gradient flow" is true against a poor
# initialisation and a minor effect against a good one.
#
# ### Before or after the activation?
#
# The course puts batch norm on the pre-activations `z` (before the ReLU); other material puts it
# after the activation. Same network, He init, five seeds, at a moderate and at the largest rate:

# %%
SEEDS5 = range(5)
placement = {}
with np.errstate(all="ignore"):
    for where in ("before", "after"):
        for lr in (0.03, 1.0):
            placement[where, lr] = np.array([evaluate(train(deep_mlp(where, "he", seed), lr, seed=seed))
                                             for seed in SEEDS5])
for (where, lr), res in placement.items():
    print(f"BN {where:<6} the ReLU, α = {lr:<4}: validation accuracy {100 * res[:, 2].mean():.1f} ± "
          f"{100 * res[:, 2].std(ddof=1):.1f} %   (per seed {np.round(100 * res[:, 2], 1)})")
d_place = placement["before", 0.03][:, 2] - placement["after", 0.03][:, 2]  # paired by seed
t_place = d_place.mean() / (d_place.std(ddof=1) / np.sqrt(5))
print(f"α = 0.03: before − after = {100 * d_place.mean():+.2f} ± {100 * d_place.std(ddof=1):.2f} pp, paired by seed "
      f"(t = {t_place:.1f}; |t| > 2.78 is significant)")
assert 0 < d_place.mean() < 0.02  # α = 0.03: "before" ahead by under 2 points
assert placement["before", 1.0][:, 2].min() > 0.9 > placement["after", 1.0][:, 2].mean()  # at α = 1 only "before" trains

# %% [markdown]
# > **The course says** batch norm goes on the pre-activations `z`, before the activation; another of
# > the course's decks puts it after the activation, and a third says it depends on the activation.
# > **We measured:** at α = 0.03 "before" is ahead by under a point — consistent across the five seeds
# > (the printed `t`), but a difference of about three validation images, below the ±1.3 pp sampling
# > error of 360 images; at α = 1 only "before the ReLU" trains reliably, "after" falls to about half
# > the accuracy. For ReLU networks and large learning rates, the course's placement is the safer one.
#
# ### A mild regulariser?
#
# The mini-batch statistics add noise to every sample's normalisation, which is said to regularise
# slightly. He init, α = 0.03, five seeds, with and without batch norm: the training and validation
# losses (evaluation mode) and the validation accuracy:

# %%
with np.errstate(all="ignore"):
    plain_03 = np.array([evaluate(train(deep_mlp(None, "he", seed), 0.03, seed=seed)) for seed in SEEDS5])
bn_03 = placement["before", 0.03]
for name, res in (("He init, no BN", plain_03), ("He init + BN", bn_03)):
    print(f"{name:<15} train loss {res[:, 0].mean():.4f}   validation loss {res[:, 1].mean():.3f} ± "
          f"{res[:, 1].std(ddof=1):.3f}   gap {np.mean(res[:, 1] - res[:, 0]):.3f}   validation accuracy "
          f"{100 * res[:, 2].mean():.1f} ± {100 * res[:, 2].std(ddof=1):.1f} %")
d_acc = bn_03[:, 2] - plain_03[:, 2]
t_acc = d_acc.mean() / (d_acc.std(ddof=1) / np.sqrt(5))
print(f"BN − no BN, paired by seed: validation accuracy {100 * d_acc.mean():+.2f} ± {100 * d_acc.std(ddof=1):.2f} pp "
      f"(t = {t_acc:.1f}; |t| > 2.78 would be significant)")
assert abs(d_acc.mean()) < 0.02  # no accuracy effect of a size this data set could confirm

# %% [markdown]
# Both networks fit the 1 077 training images almost perfectly within 200 steps, and their validation
# numbers differ by less than the seeds' spread (the printed `t`): at this scale any regularising effect
# of batch norm is too small to measure. "Regularises slightly" should not be a reason to use it.
#
# ### Statistics at test time
#
# In evaluation mode batch norm uses the running averages (an exponential moving average, EMA,
# momentum 0.1). Some course material uses the statistics of the whole training set instead. We
# compute those for the five trained "He + BN" networks — `momentum=None` makes the running
# statistics a cumulative average, and one training-mode pass of the whole training set in one batch
# gives exactly its mean and variance — and compare. And the classic bug: forgetting `model.eval()`,
# so that validation batches (here of 8) are normalised with their own statistics.

# %%
def population_stats(model):
    """Replace every BatchNorm1d's running statistics by those of the whole training set."""
    for m in model:
        if isinstance(m, nn.BatchNorm1d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with mg.no_grad():
        model(mg.tensor(X_train))
    for m in model:
        if isinstance(m, nn.BatchNorm1d):
            m.momentum = 0.1
    return model


def accuracy_train_mode(model, batch_size=8):
    model.train()
    with mg.no_grad():
        preds = np.concatenate([model(mg.tensor(X_val[i:i + batch_size])).numpy().argmax(1)
                                for i in range(0, len(X_val) - batch_size + 1, batch_size)])
    return float((preds == y_val[:len(preds)]).mean())


test_time = {"EMA (as trained)": [], "whole training set": [], "forgot eval(), batches of 8": []}
for seed in SEEDS5:
    model = train(deep_mlp("before", "he", seed), 0.03, seed=seed)
    test_time["EMA (as trained)"].append(evaluate(model)[2])
    test_time["forgot eval(), batches of 8"].append(accuracy_train_mode(model))
    test_time["whole training set"].append(evaluate(population_stats(model))[2])
test_time = {k: 100 * np.array(v) for k, v in test_time.items()}
for name, v in test_time.items():
    print(f"{name:<28} validation accuracy {v.mean():.1f} ± {v.std(ddof=1):.1f} %")
d_pop = test_time["whole training set"] - test_time["EMA (as trained)"]
print(f"whole set − EMA, paired: {d_pop.mean():+.2f} ± {d_pop.std(ddof=1):.2f} pp")
assert abs(d_pop.mean()) < 1.0
assert test_time["forgot eval(), batches of 8"].mean() < test_time["EMA (as trained)"].mean() - 2

# %% [markdown]
# > **The course says** test time uses running (exponential moving) averages of `μ` and `σ²`; other
# > course material uses the statistics of the whole training set. **We measured:** after 200 steps the
# > two give the same validation accuracy within a fraction of a point — either is fine once training
# > has settled (the EMA is cheaper: it comes for free during training). Forgetting `eval()` is what
# > costs accuracy: each prediction then depends on the 7 other images in its batch.
#
# ## 4. Dropout before batch norm: the variance shift
#
# In training, inverted dropout keeps each value's mean but raises its variance: for inputs `x`
# with mean 1 and variance 1 and keep probability 0.5, `x·D/0.5` has variance
# `E[x²]/0.5 − E[x]² = 2/0.5 − 1 = 3`. A batch-norm layer right after dropout learns that variance
# into `running_var`. At test time dropout is off, the variance is back to 1, but batch norm still
# divides by `√3`: its outputs have standard deviation `1/√3 ≈ 0.58` instead of 1 — a shift between
# training and test that the next layers never saw.

# %%
def fresh_x(n=256):
    return mg.tensor((1 + rng.standard_normal((n, 64))).astype(np.float32))


orders = {
    "Dropout → BatchNorm": nn.Sequential(nn.Dropout(0.5), nn.BatchNorm1d(64)),
    "BatchNorm → Dropout": nn.Sequential(nn.BatchNorm1d(64), nn.Dropout(0.5)),
}
shift = {}
for name, block in orders.items():
    block.train()
    with mg.no_grad():
        train_std = np.mean([block(fresh_x()).numpy().std(0).mean() for _ in range(200)])
    bn_layer = [m for m in block if isinstance(m, nn.BatchNorm1d)][0]
    block.eval()
    with mg.no_grad():
        test_std = block(fresh_x(4096)).numpy().std(0).mean()
    shift[name] = (train_std, test_std, bn_layer.running_var.numpy().mean())
    print(f"{name}: BN's running_var ≈ {shift[name][2]:.2f} (its input's variance at test time: 1); "
          f"block output std in training {train_std:.3f}, at test time {test_std:.3f}")
print(f"predicted test-time std for Dropout → BatchNorm: 1/√3 = {1 / np.sqrt(3):.3f}; "
      f"for BatchNorm → Dropout in training: √(1/keep) = {np.sqrt(2):.3f}")
assert abs(shift["Dropout → BatchNorm"][1] - 1 / np.sqrt(3)) < 0.05 and abs(shift["Dropout → BatchNorm"][2] - 3) < 0.3
assert abs(shift["BatchNorm → Dropout"][2] - 1) < 0.1 and abs(shift["BatchNorm → Dropout"][1] - 1) < 0.05
assert abs(shift["BatchNorm → Dropout"][0] - np.sqrt(2)) < 0.05

# %% [markdown]
# Dropout → BatchNorm: the block's output had standard deviation 1 in training but about 0.58 at test
# time, exactly the predicted shift, because batch norm froze the dropout-inflated variance (3) into
# its running statistics.
#
# BatchNorm → Dropout does **not** make the statistics match: the block's output has standard
# deviation 1.41 in training and 1.00 at test time. That mismatch is dropout's own — inverted dropout
# keeps the mean, not the variance — and every network with dropout has it. What is true is narrower:
# here *batch norm's* running variance (≈ 1) is that of the input it sees at test time, so batch norm
# adds no shift of its own, and as long as no batch-norm layer comes *after* the dropout, no layer
# freezes the inflated variance into fixed statistics.
#
# What does the shift cost in a trained network? The 6-layer MLP (He init, BN before the ReLU, α = 0.03,
# five seeds) with `Dropout(0.5)` after every hidden ReLU — so each of the next four batch-norm layers
# sees dropout-inflated inputs — evaluated (a) as trained, and (b) after recomputing only its
# batch-norm statistics with dropout switched off (the same weights: the difference is the cost of
# the shift alone). And (c) the arrangement recommended by the course: dropout only after the last
# batch-norm layer, before the output layer.

# %%
def bn_stats_without_dropout(model):
    """Recompute the BN statistics on the training set with dropout off (weights unchanged)."""
    population_stats(model)  # leaves the model in train mode: redo it with dropout in eval mode
    for m in model:
        if isinstance(m, nn.BatchNorm1d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    for m in model:
        if isinstance(m, nn.Dropout):
            m.eval()
    with mg.no_grad():
        model(mg.tensor(X_train))
    return model


def last_dropout_only(seed):
    model = deep_mlp("before", "he", seed)
    layers = list(model)
    return nn.Sequential(*layers[:-1], nn.Dropout(0.5), layers[-1])


dropout_order = {"(a) Dropout → BN, as trained": [], "(b) the same, BN statistics without dropout": [],
                 "(c) dropout after the last BN only": [], "no dropout": list(bn_03[:, 2])}
for seed in SEEDS5:
    model = train(deep_mlp("before", "he", seed, dropout=0.5), 0.03, seed=seed)
    dropout_order["(a) Dropout → BN, as trained"].append(evaluate(model)[2])
    dropout_order["(b) the same, BN statistics without dropout"].append(evaluate(bn_stats_without_dropout(model))[2])
    dropout_order["(c) dropout after the last BN only"].append(evaluate(train(last_dropout_only(seed), 0.03, seed=seed))[2])
dropout_order = {k: 100 * np.array(v) for k, v in dropout_order.items()}
for name, v in dropout_order.items():
    print(f"{name:<45} validation accuracy {v.mean():.1f} ± {v.std(ddof=1):.1f} %  (per seed {np.round(v, 1)})")
d_shift = dropout_order["(b) the same, BN statistics without dropout"] - dropout_order["(a) Dropout → BN, as trained"]
print(f"the cost of the variance shift, (b) − (a) paired: {d_shift.mean():+.1f} ± {d_shift.std(ddof=1):.1f} pp")
assert d_shift.mean() > 2.0 and np.all(d_shift > 0)  # the shift alone costs points, at every seed
assert abs(dropout_order["(c) dropout after the last BN only"].mean() - dropout_order["no dropout"].mean()) < 1.0

# %% [markdown]
# The shift alone costs several points of accuracy, at every seed: recomputing batch norm's
# statistics without dropout, with the weights unchanged, recovers that much ((b) − (a)). The rest of
# the gap to (c) is the price of heavy dropout (p = 0.5 after five layers) in 200 steps, not of the
# shift. Dropout after the last batch-norm layer only, (c), costs nothing against no dropout at all.
# So: put dropout after the last batch-norm layer (or recompute the statistics as in (b)).
#
# ## 5. Layer normalisation and small batches
#
# Batch norm needs a batch: in training mode a single sample has no batch variance, and
# `BatchNorm1d` refuses it, as PyTorch's does. Layer norm normalises each sample **across its
# features** instead: `μ` and `σ²` are the mean and variance of that sample's `n` values, so the
# batch size does not matter, and training and evaluation mode compute the same thing.

# %%
one = mg.tensor(X_train[:1])
try:
    nn.BatchNorm1d(64)(one)
except ValueError as e:
    print("BatchNorm1d, batch of 1:", e)

ln = nn.LayerNorm(64)
alone = ln(one).numpy()[0]
in_batch = ln(mg.tensor(X_train[:32])).numpy()[0]  # the same sample with 31 others
ln.eval()
in_eval = ln(one).numpy()[0]
print(f"LayerNorm, batch of 1: mean {alone.mean():.1e}, std {alone.std():.4f} over the 64 features")
print(f"the same sample inside a batch of 32: max difference {np.abs(alone - in_batch).max():.1e}; "
      f"in eval mode: {np.abs(alone - in_eval).max():.1e}")
assert abs(alone.mean()) < 1e-5 and abs(alone.std() - 1) < 1e-3
assert np.abs(alone - in_batch).max() < 1e-5 and np.abs(alone - in_eval).max() < 1e-6

# %% [markdown]
# So a network with layer norm can be trained with pure SGD, one sample per step, where batch norm
# cannot even run. The 6-layer MLP (He init) with `LayerNorm` in place of `BatchNorm1d`, 1 000
# single-sample steps (about one epoch) at `α = 0.003` with momentum 0.9:

# %%
with np.errstate(all="ignore"):
    ln_res = evaluate(train(deep_mlp("before", "he", 0, norm=nn.LayerNorm), lr=0.003, steps=1000, batch_size=1))
print(f"with LayerNorm, batch size 1: training loss {ln_res[0]:.3f}, validation accuracy {ln_res[2]:.1%}")
assert ln_res[2] > 0.8

# %% [markdown]
# How small can a batch be for batch norm? The same network with batch norm or layer norm, at batch
# sizes 2, 4, 8 and 64, each for 300 steps at α = 0.01 (so the smaller batches see fewer images; the
# comparison is batch norm vs layer norm *at the same batch size*), three seeds:

# %%
BATCHES = (2, 4, 8, 64)
small = {}
with np.errstate(all="ignore"):
    for name, norm in (("BatchNorm1d", nn.BatchNorm1d), ("LayerNorm", nn.LayerNorm)):
        small[name] = np.array([[evaluate(train(deep_mlp("before", "he", seed, norm=norm), 0.01, steps=300,
                                                batch_size=b, seed=seed))[2] for seed in SEEDS3] for b in BATCHES])
fig, ax = plt.subplots(figsize=(6.5, 3.6))
for name, res in small.items():
    ax.errorbar(BATCHES, 100 * res.mean(1), yerr=100 * res.std(1, ddof=1), fmt="o-", capsize=3, label=name)
ax.set_xscale("log", base=2)
ax.set_xticks(BATCHES, [str(b) for b in BATCHES])
ax.set_xlabel("batch size (300 steps, α = 0.01)")
ax.set_ylabel("validation accuracy (%)")
ax.grid(alpha=0.3)
ax.legend()
plt.show()
for i, b in enumerate(BATCHES):
    print(f"batch {b:>2}: BatchNorm1d {100 * small['BatchNorm1d'][i].mean():5.1f} ± {100 * small['BatchNorm1d'][i].std(ddof=1):.1f} %"
          f"   LayerNorm {100 * small['LayerNorm'][i].mean():5.1f} ± {100 * small['LayerNorm'][i].std(ddof=1):.1f} %")
assert small["BatchNorm1d"][0].mean() < small["LayerNorm"][0].mean() - 0.1  # batch of 2: batch norm fails
assert abs(small["BatchNorm1d"][-1].mean() - small["LayerNorm"][-1].mean()) < 0.03  # batch of 64: on par

# %% [markdown]
# At batch sizes 8 and 64 the two are on par; at 4 batch norm falls behind, and at batch size 2 it
# fails: with two samples each unit's
# normalised value is just ±1 (which of the two is larger), and the running statistics it uses at test
# time are averages of such two-sample estimates. Layer norm does not care about the batch size.
#
# ## 6. Try it
#
# Four exercises. Each has a stub `my_...` to replace with your code and a check cell. While the stub
# still raises `NotImplementedError`, the check runs the reference solution from
# `notebooks/solutions/05_normalization.py` instead (so the notebook runs top to bottom; set the
# environment variable `MINIGRAD_SOLUTIONS=0` to make a stub an error). Write your own before you
# look there.
#
# **Exercise 1 — batch norm from Tensor ops.** Write training-mode batch norm for `z` of shape `(b, n)`
# with the course's formulas (biased batch variance), using only Tensor operations, so that autograd
# gives its backward pass. The check compares the forward and `∂L/∂z` with `nn.BatchNorm1d` and runs
# `gradcheck` on it.

# %%
def my_batch_norm(z, gamma, beta, eps=1e-5):
    """z: Tensor (b, n); gamma, beta: Tensors (n,). Return the normalised, scaled and shifted Tensor."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("batch norm", solutions.check_batch_norm, my_batch_norm, solutions.batch_norm)

# %% [markdown]
# **Exercise 2 — fold batch norm into the layer before it.** In evaluation mode batch norm is an affine
# map per unit, so `Linear → BatchNorm1d` is one `Linear` with new weights. Return `(W', b')` (NumPy,
# shaped like `linear.weight` and `linear.bias`) with `x·W'ᵀ + b' = bn(linear(x))`. The check uses the
# first block of a trained "He + BN" network from section 3.

# %%
def my_fold(linear, bn):
    """linear: nn.Linear; bn: nn.BatchNorm1d (eval mode). Return (W_folded, b_folded) as arrays."""
    raise NotImplementedError  # ← replace with your code


trained = train(deep_mlp("before", "he", 0), 0.03)
solutions.try_it("fold", lambda fn: solutions.check_fold(fn, trained, X_val), my_fold, solutions.fold_batchnorm)

# %% [markdown]
# **Exercise 3 — predict the variance shift.** Write the variance of `x·D/keep` (inverted dropout) for an
# input with mean `m` and variance `v`, as a formula. Predict first: for `m = 0`, does dropout change
# the variance? The check compares with Monte Carlo and with section 4's `(1, 1, 0.5) → 3`.

# %%
def my_dropout_variance(mean, var, keep):
    """Return Var[x·D/keep] for E[x] = mean, Var[x] = var, D ~ Bernoulli(keep)."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("dropout variance", solutions.check_dropout_variance, my_dropout_variance, solutions.dropout_variance)

# %% [markdown]
# **Exercise 4 — the largest stable step.** Section 1 ran gradient descent at `α = 1/λmax`. Write the
# largest stable learning rate for a quadratic with Hessian `H` (a NumPy array). The check runs
# gradient descent on section 1's *raw* problem at 0.98× and 1.02× your answer.

# %%
def my_largest_stable_lr(H):
    """H: symmetric positive definite (d, d) array. Return the largest stable α for gradient descent."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("largest step", lambda fn: solutions.check_largest_stable_lr(fn, surfaces["raw"]["H"]),
                 my_largest_stable_lr, solutions.largest_stable_lr)
