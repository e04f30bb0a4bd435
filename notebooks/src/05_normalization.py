# %% [markdown]
# # 05 · Normalisation
#
# Gradient descent works best on a loss surface that is about equally curved in every direction.
# Normalising the inputs, and inside the network the pre-activations, moves it there. This
# notebook measures:
#
# 1. **input standardisation** and the shape of the loss surface (its Hessian's condition number);
# 2. **batch normalisation** in training and evaluation mode, and its running statistics;
# 3. training a deep MLP **at larger learning rates** with and without batch norm;
# 4. the **variance shift** when dropout comes before batch norm;
# 5. **layer normalisation**, which works for a batch of one.
#
# Batch norm on the pre-activations `z` of a layer (per unit, over the batch of size `b`), from the
# course: `μ = mean_batch(z)`, `σ² = mean_batch((z − μ)²)`, `ẑ = (z − μ)/√(σ² + ε)`, `z̃ = γ·ẑ + β`,
# with learnable `γ, β`; at test time `μ` and `σ²` are replaced by running (exponential moving)
# averages.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.autograd.functional import hessian
from minigrad.data import load_digits, standardize, train_test_split

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
# `area` weight multiplies numbers around 100, the bias multiplies 1. Gradient descent with the
# largest safe step `α = 1/λmax` on each:

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

# %% [markdown]
# The contour plots slice the loss at the optimal bias, with the same scale on both axes. Raw, the
# surface is a canyon: the loss rises about 30 times faster along the area weight than along the
# rooms weight (`√(H₁₁/H₂₂)` above). Standardised, the contours are ellipses of modest elongation (what remains
# comes from the correlation between area and rooms). Gradient descent converges in about ten steps
# on the standardised problem; on the raw one it is still far from the minimum after 2000.
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
# ## 3. Larger learning rates with batch norm
#
# A 6-layer MLP (five hidden layers of 128 ReLU units, PyTorch's default initialisation) on the
# standardised digits, trained for 200 steps of SGD with momentum 0.9 (batches of 64), at learning
# rates from 0.003 to 1 — once plain, once with `BatchNorm1d` between every hidden `Linear` and its
# ReLU. Afterwards, in evaluation mode: the loss on the whole training set and the test accuracy.

# %%
X, y = load_digits()
X_train, X_test, y_train, y_test = train_test_split(X, y, 0.2, seed=0)
X_train, X_test = standardize(X_train, X_test)
loss_fn = nn.CrossEntropyLoss()


def deep_mlp(batchnorm, depth=6, width=128):
    mg.manual_seed(0)
    sizes = [64] + [width] * (depth - 1)
    layers = []
    for i in range(depth - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if batchnorm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.ReLU())
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


def train_and_eval(model, lr, steps=200, batch_size=64):
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    r = np.random.default_rng(0)
    model.train()
    for _ in range(steps):
        idx = r.choice(len(X_train), batch_size, replace=False)
        opt.zero_grad()
        loss_fn(model(mg.tensor(X_train[idx])), mg.tensor(y_train[idx])).backward()
        opt.step()
    model.eval()
    with mg.no_grad():
        train_loss = float(loss_fn(model(mg.tensor(X_train)), mg.tensor(y_train)))
        acc = float((model(mg.tensor(X_test)).numpy().argmax(1) == y_test).mean())
    return train_loss, acc


lrs = [0.003, 0.01, 0.03, 0.1, 0.3, 1.0]
lr_results = {"without batch norm": [], "with batch norm": []}
with np.errstate(all="ignore"):  # the diverging runs overflow
    for lr in lrs:
        lr_results["without batch norm"].append(train_and_eval(deep_mlp(False), lr))
        lr_results["with batch norm"].append(train_and_eval(deep_mlp(True), lr))

fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for name, res in lr_results.items():
    losses = np.array([r[0] for r in res])
    axes[0].loglog(lrs, np.where(np.isfinite(losses), losses, np.nan), marker="o", label=name)
    axes[1].semilogx(lrs, [r[1] for r in res], marker="o", label=name)
axes[0].set_title("training loss after 200 steps (missing: diverged)")
axes[1].set_title("test accuracy after 200 steps")
for ax in axes:
    ax.set_xlabel("learning rate α")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
plt.show()

print(f"{'α':>6}  {'without BN: loss, acc':>22}  {'with BN: loss, acc':>20}")
for lr, (l0, a0), (l1, a1) in zip(lrs, *lr_results.values()):
    print(f"{lr:>6}  {l0:>13.3f} {a0:>8.1%}  {l1:>11.3f} {a1:>8.1%}")
plain, normed = lr_results.values()
assert all(not np.isfinite(plain[i][0]) for i in (4, 5))  # α = 0.3 and 1 diverge without BN
assert all(np.isfinite(l) and a > 0.9 for l, a in normed)  # every α works with BN
assert plain[0][1] < 0.5 < normed[0][1]  # α = 0.003: too slow without BN

# %% [markdown]
# Without batch norm only a narrow band of learning rates works: at 0.003 the network has barely
# left its starting point after 200 steps, and at 0.3 and above it diverges. With batch norm every
# learning rate from 0.003 to 1 gives a test accuracy above 90 %. Each layer's input keeps zero
# mean and unit variance whatever the weights do, so neither small weights (default init, deep
# net) nor large steps derail it.
#
# ## 4. Dropout before batch norm: the variance shift
#
# In training, inverted dropout keeps each value's mean but raises its variance: for inputs `x`
# with mean 1 and variance 1 and keep probability 0.5, `x·D/0.5` has variance
# `E[x²]/0.5 − E[x]² = 2/0.5 − 1 = 3`. A batch-norm layer right after dropout learns that variance
# into `running_var`. At test time dropout is off, the variance is back to 1, but batch norm still
# divides by `√3`: its outputs have standard deviation `1/√3 ≈ 0.58` instead of 1 — a shift between
# training and test that the next layers never saw. Batch norm *before* dropout has no such
# problem.

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
    print(f"{name}: running_var ≈ {shift[name][2]:.2f}; output std in training {train_std:.3f}, "
          f"at test time {test_std:.3f}")
print(f"predicted test-time std for Dropout → BatchNorm: 1/√3 = {1 / np.sqrt(3):.3f}")
assert abs(shift["Dropout → BatchNorm"][1] - 1 / np.sqrt(3)) < 0.05 and abs(shift["Dropout → BatchNorm"][2] - 3) < 0.3
assert abs(shift["BatchNorm → Dropout"][1] - 1) < 0.05

# %% [markdown]
# Dropout → BatchNorm: the block's output had standard deviation 1 in training but about 0.58 at
# test time, exactly the predicted shift. With batch norm first, the test-time statistics match
# (dropout then scales the outputs by `1/keep` in training, but it is the identity at test time
# and inverted dropout keeps the mean). Put dropout after the normalisation layers, or only after
# the last one.
#
# ## 5. Layer normalisation works for a batch of one
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
# cannot even run. The 6-layer MLP with `LayerNorm` in place of `BatchNorm1d`, 1500 single-sample
# steps (about one epoch) at `α = 0.003` with momentum 0.9:

# %%
def layernorm_mlp(depth=6, width=128):
    mg.manual_seed(0)
    sizes = [64] + [width] * (depth - 1)
    layers = []
    for i in range(depth - 1):
        layers += [nn.Linear(sizes[i], sizes[i + 1]), nn.LayerNorm(width), nn.ReLU()]
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers)


ln_loss, ln_acc = train_and_eval(layernorm_mlp(), lr=0.003, steps=1500, batch_size=1)
print(f"with LayerNorm, batch size 1: training loss {ln_loss:.3f}, test accuracy {ln_acc:.1%}")
assert ln_acc > 0.8
