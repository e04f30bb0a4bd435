# %% [markdown]
# # 03 · Initialisation
#
# The goal of a good initialisation (course): activations with zero mean and the same variance in
# every layer, so that gradients neither vanish nor explode. This notebook measures:
#
# 1. **zero (or constant) weights**: every hidden unit of a layer computes the same thing and gets
#    the same update — they stay identical however long we train;
# 2. **too small and too large random weights** across 10 layers: activations shrink to nothing or
#    saturate;
# 3. **Xavier for tanh, He for ReLU**: the spread of the activations stays steady — activation
#    histograms per layer, gradient norms per layer, and what it does to training.
#
# The formulas (for `W[l]` of shape `n[l] × n[l-1]`, fan_in `= n[l-1]`, fan_out `= n[l]`, biases 0):
#
# | name | distribution |
# |---|---|
# | small random | `0.01·N(0, 1)` |
# | Xavier / Glorot (sigmoid, tanh) | `N(0, σ²)`, `σ² = 2/(fan_in + fan_out)` — `nn.init.xavier_normal_` |
# | He (ReLU family) | `N(0, σ²)`, `σ² = 2/fan_in` — `nn.init.kaiming_normal_(w, nonlinearity="relu")` |

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import load_digits, standardize, train_test_split
from minigrad.diagnostics import layer_stats

mg.manual_seed(0)
np.set_printoptions(precision=3, suppress=True)

X, y = load_digits()
X_train, X_test, y_train, y_test = train_test_split(X, y, 0.2, seed=0)
X_train, X_test = standardize(X_train, X_test)
loss_fn = nn.CrossEntropyLoss()
print("train", X_train.shape, " test", X_test.shape)


def train(model, steps=300, lr=0.1, batch_size=64, seed=0):
    """Mini-batch SGD on the digits; returns the loss at every step."""
    opt = optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(steps):
        idx = rng.choice(len(X_train), batch_size, replace=False)
        opt.zero_grad()
        loss = loss_fn(model(mg.tensor(X_train[idx])), mg.tensor(y_train[idx]))
        loss.backward()
        opt.step()
        losses.append(float(loss))
    return np.array(losses)


def test_accuracy(model):
    with mg.no_grad():
        return float((model(mg.tensor(X_test)).numpy().argmax(1) == y_test).mean())


# %% [markdown]
# ## 1. Zero initialisation never breaks the symmetry
#
# A sigmoid MLP `64 → 32 → 32 → 10`, trained for 300 SGD steps (batch 64, learning rate 0.5) from
# three starting points: all weights and biases 0, all weights 0.1, and PyTorch's default random
# initialisation. If all units of a layer start equal, they compute the same activation, receive
# the same gradient and take the same step — so they are still equal afterwards. We measure, after
# training, how different the units of the first hidden layer are: the largest difference between
# any unit's activation `a[1]_j` and unit 0's over the test set, relative to the activations' size,
# and the rank of `W[1]` (1 means all 32 rows are the same vector).

# %%
def sigmoid_mlp(init):
    model = nn.Sequential(nn.Linear(64, 32), nn.Sigmoid(), nn.Linear(32, 32), nn.Sigmoid(), nn.Linear(32, 10))
    for layer in model:
        if isinstance(layer, nn.Linear) and init != "random":
            nn.init.constant_(layer.weight, 0.0 if init == "zeros" else 0.1)
            nn.init.zeros_(layer.bias)
    return model


symmetry = {}
for init in ("zeros", "constant 0.1", "random"):
    mg.manual_seed(0)
    model = sigmoid_mlp(init)
    losses = train(model, lr=0.5)
    with mg.no_grad():
        a1 = model[1](model[0](mg.tensor(X_test))).numpy()  # first hidden layer's activations
    W1 = model[0].weight.numpy()
    spread = np.abs(a1 - a1[:, :1]).max() / np.abs(a1).max()
    symmetry[init] = dict(model=model, loss=losses[-20:].mean(), acc=test_accuracy(model), spread=spread,
                          rank=np.linalg.matrix_rank(W1), w_max=np.abs(W1).max())

print(f"{'init':<13} {'final loss':>10} {'test acc':>9} {'unit spread':>12} {'rank W[1]':>10} {'max |W[1]|':>11}")
for init, r in symmetry.items():
    print(f"{init:<13} {r['loss']:>10.3f} {r['acc']:>9.1%} {r['spread']:>12.1e} {r['rank']:>10} {r['w_max']:>11.4f}")
for init in ("zeros", "constant 0.1"):
    assert symmetry[init]["spread"] < 1e-5 and symmetry[init]["rank"] == 1
    assert symmetry[init]["w_max"] > 0  # the weights did change ...
    assert symmetry[init]["acc"] < 0.3  # ... but the network learned next to nothing
assert symmetry["random"]["spread"] > 0.1 and symmetry["random"]["acc"] > 0.85

# %% [markdown]
# After 300 steps the weights of the zero- and constant-initialised networks have moved away from
# their start (`max |W[1]| > 0`), yet all 32 units of the first layer still compute the same value
# up to float32 rounding (relative spread below 1e-5) and `W[1]` has rank 1: the network has the
# capacity of one unit per layer, and its test accuracy stays near chance (10 %). The random start
# breaks the symmetry. The picture of `W[1]` (32 units × 64 inputs) after training:

# %%
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
for ax, (init, r) in zip(axes, symmetry.items()):
    W1 = r["model"][0].weight.numpy()
    im = ax.imshow(W1, aspect="auto", cmap="RdBu_r", vmin=-np.abs(W1).max(), vmax=np.abs(W1).max())
    ax.set_title(f"W[1] after training, init: {init}")
    ax.set_xlabel("input pixel")
    ax.set_ylabel("hidden unit")
    fig.colorbar(im, ax=ax)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 2. Random weights that are too small or too large, across 10 layers
#
# Ten hidden layers of 256 units on a batch of 512 standardised digits, forward and one backward
# pass of the cross-entropy; `diagnostics.layer_stats` records each layer's output and each weight's
# gradient. Five networks:
#
# - tanh with **small** weights `0.01·N(0,1)`: each layer multiplies the spread by about
#   `0.01·√256 = 0.16`;
# - tanh with **large** weights `N(0, 1)`: pre-activations of spread ≈ `√256 = 16` land in tanh's
#   flat tails;
# - tanh with **Xavier**;
# - ReLU with **Xavier**: ReLU zeroes half of its inputs, so Xavier's variance (tuned for a function
#   that is linear around 0) is halved at every layer;
# - ReLU with **He**: the factor 2 in `σ² = 2/fan_in` compensates exactly that half.

# %%
WIDTH, DEPTH = 256, 10
xb, yb = mg.tensor(X_train[:512]), mg.tensor(y_train[:512])


def deep_net(activation, init, depth=DEPTH, width=WIDTH):
    """depth hidden layers of `width` units with `activation`, then a Linear output layer."""
    sizes = [64] + [width] * depth + [10]
    layers = []
    for i in range(depth + 1):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        if init == "small":
            nn.init.normal_(lin.weight, 0.0, 0.01)
        elif init == "large":
            nn.init.normal_(lin.weight, 0.0, 1.0)
        elif init == "xavier":
            nn.init.xavier_normal_(lin.weight)
        elif init == "he":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < depth:
            layers.append(activation())
    return nn.Sequential(*layers)


setups = {
    "tanh, small": (nn.Tanh, "small"),
    "tanh, large": (nn.Tanh, "large"),
    "tanh, Xavier": (nn.Tanh, "xavier"),
    "ReLU, Xavier": (nn.ReLU, "xavier"),
    "ReLU, He": (nn.ReLU, "he"),
}
reports = {}
for name, (act, init) in setups.items():
    mg.manual_seed(0)
    reports[name] = layer_stats(deep_net(act, init), xb, yb, loss_fn)
acts = {name: r.of_kind("Tanh", "ReLU") for name, r in reports.items()}

print("std of the activations a[l] per layer l = 1 … 10:")
for name, rows in acts.items():
    print(f"  {name:<13}", " ".join(f"{row.act_std:8.1e}" for row in rows))
print("fraction of saturated tanh outputs (|a| > 0.99) in layer 10:")
for name in ("tanh, small", "tanh, large", "tanh, Xavier"):
    print(f"  {name:<13} {acts[name][-1].saturated_frac:.0%}")
print("fraction of ReLU outputs exactly 0 per layer:")
for name in ("ReLU, Xavier", "ReLU, He"):
    print(f"  {name:<13}", " ".join(f"{np.mean(row.values == 0):.2f}" for row in acts[name]))

# %% [markdown]
# Histograms of the activations of each layer (columns) for each setup (rows); each row shares its
# x-axis, so a shrinking spread shows as a narrowing histogram. (ReLU rows: the positive outputs;
# about half are exactly 0.)

# %%
fig, axes = plt.subplots(len(acts), DEPTH, figsize=(15, 8.5), sharey="row")
for r, (name, rows) in enumerate(acts.items()):
    lim = 1.05 if name.startswith("tanh") else max(np.percentile(row.values, 99) for row in rows)
    bins = np.linspace(-lim if name.startswith("tanh") else 0, lim, 41)
    for c, row in enumerate(rows):
        ax = axes[r, c]
        shown = row.values if name.startswith("tanh") else row.values[row.values > 0]
        ax.hist(np.clip(shown, bins[0], bins[-1]), bins=bins, color=f"C{r}")
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
        ax.set_title(f"l={c + 1}  std {row.act_std:.1e}", fontsize=7)
    axes[r, 0].set_ylabel(name, fontsize=9)
fig.suptitle("activations a[l] per layer (10 hidden layers of 256 units, 512 digits)")
fig.tight_layout()
plt.show()

# %% [markdown]
# What the histograms and the numbers above show:
#
# - **tanh, small**: the spread falls by a roughly constant factor per layer, to below 1e-8 at
#   layer 10 — the signal (and, below, the gradient) has vanished;
# - **tanh, large**: almost every output sits at ±1 from the first layer on (the table: most of
#   layer 10 is saturated), where tanh' ≈ 0;
# - **tanh, Xavier**: the histograms keep their shape; the spread drifts down slowly (tanh shrinks
#   what it passes on), by about a factor of two over 10 layers, where small weights lost seven
#   orders of magnitude;
# - **ReLU, Xavier** loses a factor `√2` in spread per layer; **ReLU, He** keeps it flat.

# %%
def std_ratio(name):
    rows = acts[name]
    return rows[-1].act_std / rows[0].act_std


for name in acts:
    print(f"{name:<13} std(a[10]) / std(a[1]) = {std_ratio(name):.2e}")
relu_xavier_rows = acts["ReLU, Xavier"]
per_layer = np.exp(np.mean(np.log([b.act_std / a.act_std for a, b in zip(relu_xavier_rows[1:], relu_xavier_rows[2:])])))
print(f"ReLU, Xavier: spread multiplied by {per_layer:.3f} per layer (1/√2 = {1 / np.sqrt(2):.3f})")

assert acts["tanh, small"][-1].act_std < 1e-6
assert acts["tanh, large"][-1].saturated_frac > 0.5
assert 0.3 < std_ratio("tanh, Xavier") < 1 and acts["tanh, Xavier"][-1].saturated_frac < 0.01
assert abs(per_layer - 1 / np.sqrt(2)) < 0.05
assert 0.5 < std_ratio("ReLU, He") < 2

# %% [markdown]
# PyTorch's `xavier_normal_` also takes a `gain`; `nn.init.calculate_gain("tanh")` = 5/3 scales the
# weights up to compensate tanh's shrinking. With it the spread of the tanh network stays flat too:

# %%
mg.manual_seed(0)
model = deep_net(nn.Tanh, "none")
for layer in model:
    if isinstance(layer, nn.Linear):
        nn.init.xavier_normal_(layer.weight, gain=nn.init.calculate_gain("tanh"))
gain_rows = layer_stats(model, xb).of_kind("Tanh")
print("tanh, Xavier × 5/3:", " ".join(f"{row.act_std:.2f}" for row in gain_rows))
print(f"std(a[10]) / std(a[1]) = {gain_rows[-1].act_std / gain_rows[0].act_std:.2f}")
assert 0.9 < gain_rows[-1].act_std / gain_rows[0].act_std < 1.2

# %% [markdown]
# ## 3. The gradients follow the activations
#
# The weight gradient of layer `l` is `dW[l] = dz[l]ᵀ·a[l-1]`: it is proportional to the activations
# coming in. The same backward pass as above, as `‖∂L/∂W[l]‖` per layer (log scale):

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name, r in reports.items():
    axes[0].semilogy(range(1, DEPTH + 1), [row.act_std for row in acts[name]], marker="o", label=name)
    axes[1].semilogy(range(1, DEPTH + 2), r.grad_norms(), marker="o", label=name)
axes[0].set_title("activation std per layer")
axes[0].set_xlabel("hidden layer l")
axes[1].set_title("‖∂L/∂W[l]‖ per layer (layer 11: the output layer)")
axes[1].set_xlabel("Linear layer l")
for ax in axes:
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
plt.show()

grads = {name: np.array(r.grad_norms()) for name, r in reports.items()}
for name, g in grads.items():
    print(f"{name:<13} ‖∂L/∂W[1]‖ = {g[0]:.1e}   ‖∂L/∂W[11]‖ = {g[-1]:.1e}")
assert grads["tanh, small"].max() < 1e-6 and grads["ReLU, He"].min() > 0.1
assert grads["tanh, large"][0] > 1000 * grads["tanh, large"][-1]
for name in ("tanh, Xavier", "ReLU, He"):
    assert grads[name].max() / grads[name].min() < 20

# %% [markdown]
# With small weights every layer's gradient is below 1e-6: nothing learns. Large weights make the
# gradient **explode** towards the input — over a thousand times larger at layer 1 than at the
# output layer — even though most tanh units are saturated: each layer multiplies the gradient by
# weights of size 1 summed over 256 units. Xavier for tanh and He for ReLU keep all gradients within
# about an order of magnitude of each other.
#
# ## 4. What it does to training
#
# The ReLU network (10 layers, 64 units wide to keep it quick) trained for 300 SGD steps at
# learning rate 0.05 from each initialisation:

# %%
curves, accuracies = {}, {}
for init in ("small", "xavier", "he"):
    mg.manual_seed(0)
    model = deep_net(nn.ReLU, init, depth=9, width=64)  # 9 hidden + 1 output = 10 layers
    curves[init] = train(model, lr=0.05)
    accuracies[init] = test_accuracy(model)

fig, ax = plt.subplots(figsize=(7, 3.8))
for init, losses in curves.items():
    ax.plot(losses, label=f"{init}: test accuracy {accuracies[init]:.1%}", alpha=0.85)
ax.axhline(np.log(10), color="gray", ls="--", lw=1, label="ln 10")
ax.set_xlabel("SGD step")
ax.set_ylabel("training loss (mini-batch)")
ax.set_title("10-layer ReLU MLP on the digits, by initialisation")
ax.grid(alpha=0.3)
ax.legend()
plt.show()
final = {init: c[-20:].mean() for init, c in curves.items()}
for init in curves:
    print(f"{init:<7} loss over the last 20 steps {final[init]:.3f}   test accuracy {accuracies[init]:.1%}")
assert final["small"] > 2.2 and accuracies["small"] < 0.2
assert final["he"] < final["xavier"] < final["small"]

# %% [markdown]
# Small weights leave the network at `ln 10`, a uniform guess. Xavier trains, He trains fastest:
# after 300 steps its loss is the lowest of the three. The initialisation that keeps the variance
# steady is the one that lets a deep network learn from the first step.
