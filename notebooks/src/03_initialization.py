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
#    histograms per layer, and which gain goes with which activation;
# 4. the **backward signal** per layer, and why the weight gradients can look flat while the network
#    cannot learn; the **update-to-weight ratio** per layer;
# 5. what the initialisation does to training (5 seeds);
# 6. **residual connections** `x + F(x)`: a way around vanishing gradients in very deep networks,
#    and the case where they need the initialisation adapted to them.
#
# Every choice between settings is made on a **validation split** (20 % of the training images);
# the test images are kept aside and never looked at in this notebook.
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
X_rest, X_test, y_rest, y_test = train_test_split(X, y, 0.2, seed=0)  # the test set: kept aside, unused here
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, 0.2, seed=1)
X_train, X_val, X_test = standardize(X_train, X_val, X_test)  # the training set's mean and std for all three
loss_fn = nn.CrossEntropyLoss()
print("train", X_train.shape, " validation", X_val.shape, " test (unused)", X_test.shape)


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


def val_accuracy(model):
    with mg.no_grad():
        return float((model(mg.tensor(X_val)).numpy().argmax(1) == y_val).mean())


# %% [markdown]
# ## 1. Zero initialisation never breaks the symmetry
#
# A sigmoid MLP `64 → 32 → 32 → 10`, trained for 300 SGD steps (batch 64, learning rate 0.5) from
# three starting points: all weights and biases 0, all weights 0.1, and PyTorch's default random
# initialisation. If all units of a layer start equal, they compute the same activation, receive
# the same gradient and take the same step — so they are still equal afterwards. We measure, after
# training, how different the units of the first hidden layer are: the largest difference between
# any unit's activation `a[1]_j` and unit 0's over the validation set, relative to the activations' size,
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
        a1 = model[1](model[0](mg.tensor(X_val))).numpy()  # first hidden layer's activations
    W1 = model[0].weight.numpy()
    spread = np.abs(a1 - a1[:, :1]).max() / np.abs(a1).max()
    symmetry[init] = dict(model=model, loss=losses[-20:].mean(), acc=val_accuracy(model), spread=spread,
                          rank=np.linalg.matrix_rank(W1), w_max=np.abs(W1).max())

print(f"{'init':<13} {'final loss':>10} {'val acc':>9} {'unit spread':>12} {'rank W[1]':>10} {'max |W[1]|':>11}")
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
# capacity of one unit per layer, and its validation accuracy stays near chance (10 %). The random start
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
# > **The course says / we measured.** One lecture deck says that zero initialisation "makes the
# > network a linear model". That is not what happens, and it understates the damage. The network
# > keeps its sigmoids, but every unit of a layer is a copy of one unit, so the logits depend on the
# > image only through **one number**, `s = w·x + b` (the one distinct row of `W[1]`): a model of
# > one feature, where a linear model uses all 64 pixels. Measured: the logits as a function of `s`,
# > and a real linear model, softmax regression `nn.Linear(64, 10)`, trained with the same 300 SGD
# > steps at the same learning rate.

# %%
zero_net = symmetry["zeros"]["model"]
with mg.no_grad():
    z1_val = zero_net[0](mg.tensor(X_val)).numpy()
    logits_zero = zero_net(mg.tensor(X_val)).numpy()
s_val = z1_val[:, 0]
one_number = np.abs(z1_val - s_val[:, None]).max()  # every unit of layer 1 has the pre-activation s
A = np.stack([s_val, np.ones_like(s_val)], 1)
resid = logits_zero - A @ np.linalg.lstsq(A, logits_zero, rcond=None)[0]
not_line = (resid.var(0) / logits_zero.var(0)).max()  # 1 − R² of a straight line in s, worst class
mg.manual_seed(0)
linear_model = nn.Linear(64, 10)
train(linear_model, lr=0.5)
linear_acc = val_accuracy(linear_model)
print(f"zero-init network: the 32 first-layer pre-activations differ by at most {one_number:.1e}; "
      f"s spans {s_val.min():.3f} … {s_val.max():.3f}")
print(f"  over that range the logits are a straight line in s up to 1 − R² = {not_line:.1e} (worst class)")
print(f"  validation accuracy {symmetry['zeros']['acc']:.1%}")
print(f"linear model (softmax regression), same training: validation accuracy {linear_acc:.1%}")
assert one_number < 1e-5
assert linear_acc > 0.9 and symmetry["zeros"]["acc"] < linear_acc - 0.5

# %% [markdown]
# So: over the narrow range that `s` reaches, the network is close to a linear function — of one
# number, not of the image. It sits at chance (10 %) while a genuine linear model reaches over 90 %.
# The course's own summary line, "every hidden unit of a layer computes and updates identically",
# is the accurate one.

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
    reports[name] = layer_stats(deep_net(act, init), xb, yb, loss_fn, lr=0.1)
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
# ### Which gain?
#
# PyTorch's `xavier_normal_` also takes a `gain` that multiplies σ; `nn.init.calculate_gain("tanh")`
# = 5/3 scales the weights up to make up for tanh's shrinking. The same 10 × 256 tanh network with
# gains 1, 5/3 and 4: the spread, the fraction of saturated units (`|a| > 0.99`) at each layer, and
# the ratio of the first layer's weight gradient to the output layer's.
#
# > **The course says / we measured.** One deck's gain table puts a factor **4** on Xavier for
# > **tanh**. The factor 4 belongs to the logistic **sigmoid**, whose slope at 0 is 1/4 (tanh's is 1):
# > a linear-regime argument gives gain 1 for tanh, and 5/3 is PyTorch's correction for its
# > curvature. Measured below: gain 4 leaves about 45 % of tanh units saturated from layer 3 on and
# > a first-layer gradient ~40× the output layer's; 5/3 leaves about 2 %. (For the sigmoid, 02 shows
# > what the factor 4 does there.)

# %%
gain_reports = {}
for label, gain in (("1", 1.0), ("5/3", nn.init.calculate_gain("tanh")), ("4", 4.0)):
    mg.manual_seed(0)
    model = deep_net(nn.Tanh, "none")
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.xavier_normal_(layer.weight, gain=gain)
    gain_reports[label] = layer_stats(model, xb, yb, loss_fn)

print(f"{'gain':<5} {'std(a[10])/std(a[1])':>21} {'saturated per layer 1 … 10':>44} {'‖dW[1]‖/‖dW[11]‖':>17}")
for label, r in gain_reports.items():
    rows, g = r.of_kind("Tanh"), r.grad_norms()
    sat = " ".join(f"{row.saturated_frac:4.0%}" for row in rows)
    print(f"{label:<5} {rows[-1].act_std / rows[0].act_std:>21.2f} {sat:>44} {g[0] / g[-1]:>17.1f}")
gain_rows = gain_reports["5/3"].of_kind("Tanh")
sat4 = gain_reports["4"].of_kind("Tanh")[-1].saturated_frac
g4 = gain_reports["4"].grad_norms()
assert 0.9 < gain_rows[-1].act_std / gain_rows[0].act_std < 1.2  # 5/3: the spread stays flat
assert gain_rows[-1].saturated_frac < 0.05 and 0.35 < sat4 < 0.55
assert g4[0] / g4[-1] > 20

# %% [markdown]
# With gain 1 the spread drifts down (to about half over 10 layers, as above); 5/3 keeps it flat
# with a couple of percent of the units saturated; the deck's 4 pushes almost half of them into
# tanh's flat tails, and the gradient grows by more than an order of magnitude towards the input.
#
# ## 3. The backward signal, and why the weight gradients can look flat
#
# Backpropagation sends a signal down the network: `dz[l] = ∂L/∂z[l]`, the gradient with respect to
# layer `l`'s pre-activation (its `Linear` output). Each layer passes it on multiplied by `W[l]ᵀ` and
# by the activation's derivative — the same kind of factor that scales the forward signal. The
# weight gradient then combines the two signals: `dW[l] = dz[l]ᵀ·a[l-1]`, the backward signal
# *arriving* at layer `l` times the forward signal *entering* it. Three panels from the same forward
# and backward pass as above: the forward signal `std(a[l])`, the backward signal `std(dz[l])`
# (`LayerStats.out_grad_std` of each `Linear`), and `‖∂L/∂W[l]‖`.

# %%
fig, axes = plt.subplots(1, 3, figsize=(16, 4))
for name, r in reports.items():
    axes[0].semilogy(range(1, DEPTH + 1), [row.act_std for row in acts[name]], marker="o", label=name)
    axes[1].semilogy(range(1, DEPTH + 2), [row.out_grad_std for row in r.of_kind("Linear")], marker="o", label=name)
    axes[2].semilogy(range(1, DEPTH + 2), r.grad_norms(), marker="o", label=name)
axes[0].set_title("forward: std(a[l]) per hidden layer")
axes[0].set_xlabel("hidden layer l")
axes[1].set_title("backward: std(∂L/∂z[l]) (11: output layer)")
axes[2].set_title("‖∂L/∂W[l]‖ = backward × forward")
for ax in axes[1:]:
    ax.set_xlabel("Linear layer l")
for ax in axes:
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7)
plt.show()

grads = {name: np.array(r.grad_norms()) for name, r in reports.items()}
back = {name: np.array([row.out_grad_std for row in r.of_kind("Linear")]) for name, r in reports.items()}
fwd = {name: np.array([float(xb.numpy().std())] + [row.act_std for row in acts[name]]) for name in reports}  # a[0] = x
for name, g in grads.items():
    print(f"{name:<13} ‖∂L/∂W[1]‖ = {g[0]:.1e}   ‖∂L/∂W[11]‖ = {g[-1]:.1e}   "
          f"std(dz[1]) = {back[name][0]:.1e}   std(dz[11]) = {back[name][-1]:.1e}")
print("\ntanh, small, layer by layer:")
print(f"{'l':>3} {'std(a[l-1])':>12} {'std(dz[l])':>11} {'product':>9} {'‖dW[l]‖':>9}")
for l in range(DEPTH + 1):
    a_, d_ = fwd["tanh, small"][l], back["tanh, small"][l]
    print(f"{l + 1:>3} {a_:>12.1e} {d_:>11.1e} {a_ * d_:>9.1e} {grads['tanh, small'][l]:>9.1e}")
assert grads["tanh, small"].max() < 1e-6 and grads["ReLU, He"].min() > 0.1
assert grads["tanh, large"][0] > 1000 * grads["tanh, large"][-1]
for name in ("tanh, Xavier", "ReLU, He"):
    assert grads[name].max() / grads[name].min() < 20
# small weights: the backward signal falls by > 1e7 towards the input, the forward one by > 1e6 away
# from it, and their product — and so ‖dW‖ — stays within a factor of 3 across the layers
small_prod = fwd["tanh, small"] * back["tanh, small"]
assert back["tanh, small"][-1] / back["tanh, small"][0] > 1e7
assert fwd["tanh, small"][1] / fwd["tanh, small"][-1] > 1e6
assert small_prod.max() / small_prod.min() < 10 and grads["tanh, small"].max() / grads["tanh, small"].min() < 3

# %% [markdown]
# The left and right panels alone look contradictory: with small weights the activations fall by
# seven orders of magnitude, yet `‖dW‖` is the same (about 1.4e-8) at every layer — not the picture
# of 02, where the gradient shrinks towards the input. The middle panel resolves it. The backward
# signal shrinks towards the **input** by the same factor (about 6 per layer: `0.01·√256 = 0.16`
# from `W[l]ᵀ`, tanh' ≈ 1) as the forward signal shrinks away from it: `std(dz)` goes from about
# 6e-4 at the output to 1e-12 at layer 1. At layer `l` a large forward signal meets a small backward
# one and vice versa, so the product — the table's `product` column — and with it `‖dW[l]‖` is
# flat, at a uniformly hopeless 1e-8. Flat weight gradients say nothing by themselves: they can come
# from two healthy signals or from two dying ones. ReLU with Xavier shows the same cancellation in a
# milder form (a factor `√2` per layer each way), and the large weights the opposite (the backward
# signal grows towards the input while the forward one is pinned at ±1 by saturation).
#
# ### The update-to-weight ratio
#
# What matters for learning is how much one step changes a weight relative to its size:
# `‖lr·∂L/∂W[l]‖ / ‖W[l]‖` (`LayerStats.update_ratio`; Karpathy's rule of thumb: around 1e-3 is
# healthy, far below learns nothing, far above is unstable). The same networks at lr = 0.1:

# %%
ratios = {name: np.array([row.update_ratio for row in r.of_kind("Linear")]) for name, r in reports.items()}
fig, ax = plt.subplots(figsize=(7, 4))
for name, u in ratios.items():
    ax.semilogy(range(1, DEPTH + 2), u, marker="o", label=name)
ax.axhline(1e-3, color="gray", ls="--", lw=1, label="1e-3 (rule of thumb)")
ax.set_xlabel("Linear layer l")
ax.set_ylabel("‖lr·∂L/∂W[l]‖ / ‖W[l]‖")
ax.set_title("update-to-weight ratio per layer, one SGD step at lr = 0.1")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8)
plt.show()
for name, u in ratios.items():
    print(f"{name:<13} median {np.median(u):.1e}   range {u.min():.1e} … {u.max():.1e}")
assert ratios["tanh, small"].max() < 1e-8
assert 1e-3 < np.median(ratios["tanh, Xavier"]) < 2e-2 and 1e-3 < np.median(ratios["ReLU, He"]) < 5e-2
assert ratios["tanh, large"][0] > 1  # one step would change layer 1 by more than its own size

# %% [markdown]
# Small weights: one step changes each weight by about 5e-10 of its size — six orders of magnitude
# under the rule of thumb, whatever the flat `‖dW‖` suggested. Xavier for tanh is around 5e-3 and He
# for ReLU 3e-3 to 2e-2 (the output layer 0.1); large weights would move layer 1 by more
# than its own norm in one step.
#
# ## 4. What it does to training
#
# The ReLU network (10 layers, 64 units wide to keep it quick) trained for 300 SGD steps at
# learning rate 0.05 from each initialisation, with 5 seeds each (the seed sets the initial weights
# and the order of the mini-batches; the learning rate and everything else are the same for all).
# Compared on the validation set.

# %%
SEEDS = range(5)
curves, accuracies = {}, {}
for init in ("small", "xavier", "he"):
    curves[init], accuracies[init] = [], []
    for seed in SEEDS:
        mg.manual_seed(seed)
        model = deep_net(nn.ReLU, init, depth=9, width=64)  # 9 hidden + 1 output = 10 layers
        curves[init].append(train(model, lr=0.05, seed=seed))
        accuracies[init].append(val_accuracy(model))
    curves[init], accuracies[init] = np.array(curves[init]), np.array(accuracies[init])

fig, ax = plt.subplots(figsize=(7, 3.8))
for k, (init, c) in enumerate(curves.items()):
    ax.plot(c.mean(0), color=f"C{k}", label=f"{init}: val. accuracy {accuracies[init].mean():.1%} ± {accuracies[init].std():.1%}")
    ax.fill_between(range(c.shape[1]), c.min(0), c.max(0), color=f"C{k}", alpha=0.2)
ax.axhline(np.log(10), color="gray", ls="--", lw=1, label="ln 10")
ax.set_xlabel("SGD step")
ax.set_ylabel("training loss (mini-batch)")
ax.set_title("10-layer ReLU MLP, by initialisation: mean of 5 seeds, band = min … max")
ax.grid(alpha=0.3)
ax.legend()
plt.show()
final = {init: c[:, -20:].mean(1) for init, c in curves.items()}  # per seed: loss over the last 20 steps
for init in curves:
    print(f"{init:<7} loss over the last 20 steps {final[init].mean():.3f} ± {final[init].std():.3f}   "
          f"validation accuracy {accuracies[init].mean():.1%} ± {accuracies[init].std():.1%}   "
          f"(seeds: {' '.join(f'{a:.1%}' for a in accuracies[init])})")
he_beats_xavier = int((final["he"] < final["xavier"]).sum())
print(f"He's final loss below Xavier's (same seed) in {he_beats_xavier} of {len(SEEDS)} seeds")
assert (final["small"] > 2.2).all() and (accuracies["small"] < 0.2).all()
assert (final["xavier"] < 1.0).all() and (final["he"] < 1.0).all() and (accuracies["he"] > 0.85).all()

# %% [markdown]
# Small weights leave the network at `ln 10`, a uniform guess, for every seed. Xavier and He both
# train. On the **training loss** He is clearly ahead: its loss after 300 steps is lower than
# Xavier's for every one of the 5 seeds, by more than the spread of either. On **validation
# accuracy** He's mean is about 2–3 points higher, but the seeds overlap (Xavier's best is above
# He's worst), so with 5 seeds and 288 validation images that difference is suggestive, not
# established. The initialisation that keeps the variance steady lets a deep network learn from the
# first step; whether it also generalises better is not shown by this experiment.

# %%
print(f"validation accuracy, He − Xavier per seed: "
      f"{' '.join(f'{d:+.1%}' for d in accuracies['he'] - accuracies['xavier'])}")
assert (final["he"] < final["xavier"]).all()
assert final["xavier"].min() > final["he"].max()  # the loss gap is larger than the spread across seeds
assert accuracies["xavier"].max() > accuracies["he"].min()  # ... the accuracy gap is not (the prose says so)

# %% [markdown]
# ### How deep before small weights fail?
#
# The course: small random weights `0.01·N(0, 1)` "work for shallow nets", and activations shrink
# in deep ones. The tanh network (64 wide, lr 0.1, 300 steps, 5 seeds) with 1, 2 and 9 hidden
# layers, from small, Xavier and large (`N(0, 1)`) weights:
#
# > **The course says / we measured.** One deck says weights that are too large make training
# > *diverge*. With tanh they do not: saturation caps every activation at ±1, and the loss stays
# > finite. The network learns badly instead (the last column below).

# %%
depth_results = {}
for depth in (1, 2, 9):
    for init in ("small", "xavier", "large"):
        accs, finals = [], []
        for seed in SEEDS:
            mg.manual_seed(seed)
            model = deep_net(nn.Tanh, init, depth=depth, width=64)
            losses = train(model, lr=0.1, seed=seed)
            accs.append(val_accuracy(model))
            finals.append(losses[-20:].mean())
        depth_results[depth, init] = (np.array(accs), np.array(finals))
print(f"{'hidden layers':<14}" + "".join(f"{init:>22}" for init in ("small", "xavier", "large")))
for depth in (1, 2, 9):
    cells = "".join(f"{depth_results[depth, i][0].mean():>15.1%} ± {depth_results[depth, i][0].std():.1%}"
                    for i in ("small", "xavier", "large"))
    print(f"{depth:<14}{cells}")
acc_d = {k: v[0] for k, v in depth_results.items()}
assert abs(acc_d[1, "small"].mean() - acc_d[1, "xavier"].mean()) < 0.03  # shallow: small init is fine
assert acc_d[2, "small"].mean() < acc_d[2, "xavier"].mean() - 0.1  # two hidden layers: already behind
assert acc_d[9, "small"].max() < 0.2
assert all(np.isfinite(v[1]).all() for v in depth_results.values())  # large weights: no divergence ...
assert acc_d[9, "large"].mean() < acc_d[9, "xavier"].mean() - 0.3  # ... but poor learning

# %% [markdown]
# With one hidden layer the small init is as good as Xavier (within a point, inside the seed
# spread); with two it is already about 20 points behind at this budget of 300 steps; with nine it
# does not learn at all. The large init never diverges here, but it trains poorly at every depth:
# the worst of the three with one or two hidden layers, and at nine 55 points below Xavier.

# %% [markdown]
# ## 5. Residual connections
#
# The course: residual (skip) connections `x + F(x)` ease the training of very deep networks. A
# residual block adds its input to its output, so backpropagation through it multiplies the
# backward signal by `I + ∂F/∂x` instead of `∂F/∂x`: the identity path carries the gradient down
# even when the branch's factor is tiny. `nn.Residual(module)` computes `x + module(x)`.
#
# The test case is 02's failure, made deeper: **20 sigmoid layers** with Xavier init (64 units wide),
# once plain and once with each of the 18 middle blocks `Linear → Sigmoid` wrapped in `nn.Residual`
# (the first layer, 64 → 64 features, and the output layer stay as they are). First the
# weight-gradient norm per layer at initialisation:

# %%
def stacked_net(activation, init, depth, width=64, residual=False, branch_scale=1.0):
    """depth Linear layers: 64 → width, (depth − 2) blocks width → width (each `Linear → activation`,
    optionally inside nn.Residual, its weights multiplied by branch_scale), then width → 10."""

    def linear(n_in, n_out, scale=1.0):
        lin = nn.Linear(n_in, n_out)
        if init == "xavier":
            nn.init.xavier_normal_(lin.weight)
        else:
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        with mg.no_grad():
            lin.weight *= scale
        nn.init.zeros_(lin.bias)
        return lin

    layers = [linear(64, width), activation()]
    for _ in range(depth - 2):
        block = nn.Sequential(linear(width, width, branch_scale), activation())
        layers.append(nn.Residual(block) if residual else block)
    layers.append(linear(width, 10))
    return nn.Sequential(*layers)


def linears(model):
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


xr, yr = mg.tensor(X_train[:256]), mg.tensor(y_train[:256])


def dW_norms(model):
    model.zero_grad()
    loss_fn(model(xr), yr).backward()
    return np.array([np.linalg.norm(m.weight.grad.numpy()) for m in linears(model)])


res_grads = {}
for residual in (False, True):
    mg.manual_seed(0)
    res_grads[residual] = dW_norms(stacked_net(nn.Sigmoid, "xavier", 20, residual=residual))

fig, ax = plt.subplots(figsize=(7, 3.8))
for residual, g in res_grads.items():
    ax.semilogy(range(1, 21), g, marker="o", label="with nn.Residual" if residual else "plain")
ax.set_xlabel("Linear layer l")
ax.set_ylabel("‖∂L/∂W[l]‖")
ax.set_title("20-layer sigmoid MLP (Xavier) at initialisation")
ax.grid(alpha=0.3, which="both")
ax.legend()
plt.show()
for residual, g in res_grads.items():
    print(f"{'residual' if residual else 'plain':<9} ‖dW[1]‖ = {g[0]:.1e}   ‖dW[20]‖ = {g[-1]:.1e}   first/last = {g[0] / g[-1]:.1e}")
assert res_grads[False][0] / res_grads[False][-1] < 1e-10
assert res_grads[True][0] / res_grads[True][-1] > 1e-4

# %% [markdown]
# The plain network's first layer gets a gradient some 1e-12 of the last layer's (each sigmoid
# layer multiplies by at most 0.25, 19 times); with the skip connections the ratio is about 7e-3:
# nine orders of magnitude recovered. Training both for 300 SGD steps (lr 0.1, batch 64), 3 seeds
# each (the difference is not subtle):

# %%
def run(make, seeds, lr=0.1):
    """Train one network per seed; returns (loss curves, validation accuracies)."""
    curves, accs = [], []
    with np.errstate(all="ignore"):  # diverging runs overflow
        for seed in seeds:
            mg.manual_seed(seed)
            model = make()
            curves.append(train(model, lr=lr, seed=seed))
            accs.append(val_accuracy(model))
    return np.array(curves), np.array(accs)


sig_runs = {residual: run(lambda r=residual: stacked_net(nn.Sigmoid, "xavier", 20, residual=r), range(3))
            for residual in (False, True)}
fig, ax = plt.subplots(figsize=(7, 3.8))
for residual, (c, a) in sig_runs.items():
    ax.plot(c.mean(0), label=f"{'with nn.Residual' if residual else 'plain'}: val. accuracy {a.mean():.1%}")
ax.axhline(np.log(10), color="gray", ls="--", lw=1, label="ln 10")
ax.set_ylim(0, 6)
ax.set_xlabel("SGD step")
ax.set_ylabel("training loss (mean of 3 seeds)")
ax.set_title("20-layer sigmoid MLP, plain vs residual")
ax.grid(alpha=0.3)
ax.legend()
plt.show()
for residual, (c, a) in sig_runs.items():
    print(f"{'residual' if residual else 'plain':<9} initial loss {c[:, 0].mean():6.2f}   last 20 steps {c[:, -20:].mean():.3f}   "
          f"validation accuracy {a.mean():.1%} (seeds {' '.join(f'{x:.1%}' for x in a)})")
assert (sig_runs[False][1] < 0.2).all() and (sig_runs[True][1] > 0.8).all()

# %% [markdown]
# The plain 20-layer sigmoid net stays at chance; the residual one reaches about 90 % on validation
# images. (Its first loss is high, about 20: each block adds a sigmoid output of mean 0.5 to the
# stream, so the stream — and the logits — grow with depth. It trains anyway, because the gradient
# gets through.)
#
# For **30 tanh layers** with Xavier, whose plain version does not vanish at initialisation (tanh'(0)
# = 1), the difference is smaller, so 5 seeds:

# %%
tanh_runs = {residual: run(lambda r=residual: stacked_net(nn.Tanh, "xavier", 30, residual=r), range(5))
             for residual in (False, True)}
for residual, (c, a) in tanh_runs.items():
    final_loss = c[:, -20:].mean(1)
    print(f"{'residual' if residual else 'plain':<9} last 20 steps {final_loss.mean():.4f} ± {final_loss.std():.4f}   "
          f"validation accuracy {a.mean():.1%} ± {a.std():.1%} (seeds {' '.join(f'{x:.1%}' for x in a)})")
tanh_loss = {r: c[:, -20:].mean(1) for r, (c, _) in tanh_runs.items()}
assert tanh_loss[True].max() < tanh_loss[False].min()  # residual fits the training data better on every seed
assert tanh_runs[False][1].mean() > 0.8 and tanh_runs[True][1].mean() > 0.8

# %% [markdown]
# Here the residual net fits its training batches far better (loss near 0 against about 0.16 for
# every seed), but the validation accuracies overlap: with 5 seeds the accuracy gain of a couple of
# points is within the seed-to-seed spread, not an established effect. Residual connections are an
# optimisation aid first.
#
# ### When the skip connection needs its initialisation adapted: ReLU + He
#
# He init is designed so that a ReLU layer passes on a signal of the same size as its input. In a
# residual block that is a problem: `x + F(x)` adds two signals of about the same size (and, after
# ReLU, both mostly positive), so the stream grows by a constant factor at every block — compounded
# over 28 blocks. The usual
# remedy is to scale the branch down (or zero-initialise its last layer, or put a normalisation in
# it). A 30-layer ReLU net with He init, plain and residual with the branch's weights multiplied by
# 1, 0.3, 0.1, 0.03 and 0.01; the scale is chosen on the validation set:

# %%
relu_results = {}
with np.errstate(all="ignore"):
    for label, residual, scale in [("plain", False, 1.0)] + [(f"residual, branch × {c:g}", True, c)
                                                             for c in (1.0, 0.3, 0.1, 0.03, 0.01)]:
        mg.manual_seed(0)
        model = stacked_net(nn.ReLU, "he", 30, residual=residual, branch_scale=scale)
        with mg.no_grad():
            h = model[:-1](xr).numpy()  # the stream entering the output layer
            loss0 = float(loss_fn(model(xr), yr))
        losses = train(model, lr=0.1)
        relu_results[label] = dict(scale=scale, residual=residual, h_std=float(h.std()), loss0=loss0,
                                   final=losses[-20:].mean(), acc=val_accuracy(model))
print(f"{'network':<26} {'std of last stream':>18} {'initial loss':>13} {'last 20 steps':>14} {'val acc':>8}")
for label, r in relu_results.items():
    print(f"{label:<26} {r['h_std']:>18.3g} {r['loss0']:>13.3g} {r['final']:>14.3f} {r['acc']:>8.1%}")
best = max((lbl for lbl in relu_results if relu_results[lbl]["residual"]), key=lambda lbl: relu_results[lbl]["acc"])
print(f"chosen on validation: {best}")
assert relu_results["plain"]["acc"] < 0.5
assert not np.isfinite(relu_results["residual, branch × 1"]["final"])  # the unscaled residual net diverges
assert relu_results["residual, branch × 1"]["loss0"] > 1e5
assert relu_results[best]["scale"] <= 0.03 and relu_results[best]["acc"] > 0.85
growth = (relu_results["residual, branch × 1"]["h_std"] / relu_results["plain"]["h_std"]) ** (1 / 28)
print(f"unscaled residual stream: × {growth:.2f} per block against the plain net (× {growth ** 28:.1e} over 28 blocks)")
assert growth > 1.4

# %% [markdown]
# The plain 30-layer ReLU net barely trains at this learning rate (about 12 %). Wrapping its blocks
# in `nn.Residual` with He's full-size branch makes it much worse: the stream grows by about 1.7 per
# block, to millions at the output, the first loss is about 6e6 and training diverges to `nan`.
# Branches scaled by 0.3 or 0.1 still diverge; at 0.03 and 0.01 the residual net trains to over
# 90 % (the two are within a couple of validation images of each other; the best on validation is
# printed above). The skip connection and the initialisation have to be designed together: an
# init that is right for a plain stack is wrong once every block adds to a running sum.

# %% [markdown]
# ## Try it
#
# Three exercises. Each has a cell for your code — replace the `raise NotImplementedError` — and a
# check cell that tells you whether you got it right. Until you write yours, the check cell runs the
# reference solution from `notebooks/solutions/03_initialization.py` (that is how CI keeps the
# exercises honest) and says so.

# %%
import importlib
import sys

sys.path.insert(0, ".")  # the notebook runs from notebooks/, where solutions/ lives
ref = importlib.import_module("solutions.03_initialization")

# %% [markdown]
# **1. Predict, then measure: LeCun init under ReLU.** The course lists LeCun's `σ² = 1/fan_in`
# (some decks call it Xavier). In the 10 × 256 ReLU network of §2, by what factor will the
# activations' std change from one layer to the next? Write your prediction as a number *before*
# measuring, then write `measure_lecun_relu_factor()`: build `deep_net(nn.ReLU, "none")`, give each
# `Linear` weight `N(0, 1/fan_in)` (`nn.init.normal_`), run the batch `xb` through it and return the
# geometric mean of `std(a[l]) / std(a[l-1])` over the hidden layers 2 … 10.

# %%
MY_PREDICTION = None  # your predicted factor, e.g. 0.5


def measure_lecun_relu_factor():
    raise NotImplementedError("build the network, initialise it, measure the factor")


# %%
def test_lecun(fn):
    mg.manual_seed(0)
    measured = fn()
    mg.manual_seed(0)
    expected = ref.lecun_relu_factor(deep_net, xb)
    assert abs(measured - expected) < 0.03, f"measured {measured:.3f}, the reference measures {expected:.3f}"
    return measured


lecun_factor = ref.check(measure_lecun_relu_factor, lambda: ref.lecun_relu_factor(deep_net, xb), test_lecun,
                         "LeCun init under ReLU")
print(f"measured factor per layer: {lecun_factor:.3f}   (theory: 1/√2 = {ref.LECUN_RELU_PREDICTION:.3f})")
if MY_PREDICTION is not None:
    print(f"your prediction {MY_PREDICTION:.3f}: {'right' if abs(MY_PREDICTION - lecun_factor) < 0.05 else 'not quite'}")
assert abs(lecun_factor - ref.LECUN_RELU_PREDICTION) < 0.05

# %% [markdown]
# **2. The update-to-weight ratio by hand.** Write `update_ratios(model, x, y, lr)`: one forward and
# backward pass of `loss_fn`, then `‖lr·∂L/∂W‖ / ‖W‖` for every `nn.Linear` of the model (input side
# first) as a NumPy array. The check compares it with `diagnostics.layer_stats` on the "ReLU, He"
# network of §2.

# %%
def update_ratios(model, x, y, lr):
    raise NotImplementedError("zero the gradients, backward, then the ratio per Linear layer")


# %%
def test_ratios(fn):
    mg.manual_seed(0)
    model = deep_net(nn.ReLU, "he")
    mine = np.asarray(fn(model, xb, yb, 0.1))
    expected = [row.update_ratio for row in layer_stats(model, xb, yb, loss_fn, lr=0.1).of_kind("Linear")]
    assert mine.shape == (len(expected),), f"one ratio per Linear layer: expected {len(expected)}, got {mine.shape}"
    err = np.abs(mine / np.array(expected) - 1).max()
    assert err < 1e-4, f"relative difference from layer_stats up to {err:.1e}"
    return mine


ratios_he = ref.check(update_ratios, lambda m, x, y, lr: ref.update_ratios(m, x, y, loss_fn, lr), test_ratios,
                      "update-to-weight ratios")
print("ReLU, He at lr 0.1:", " ".join(f"{u:.1e}" for u in ratios_he))

# %% [markdown]
# **3. Another way to tame the residual ReLU net: zero-initialise the branch.** Instead of scaling
# the branch, write `make_resnet()`: a 30-layer ReLU network `64 → 64`, then 14 blocks
# `nn.Residual(Linear → ReLU → Linear)` whose *second* `Linear` starts with weights (and bias) 0 and
# the others He, then `64 → 10`. Each block starts as the identity, so at the start the network is a
# 2-layer net. Predict: does it train at lr 0.1, where the branch × 0.03 net of §5 did? The check
# trains it at lr 0.1 and at 0.05.

# %%
def make_resnet():
    raise NotImplementedError("64 → 64, 14 residual blocks with a zero-initialised last Linear, 64 → 10")


# %%
def test_resnet(fn):
    mg.manual_seed(0)
    model = fn()
    n_linear = len(linears(model))
    assert n_linear == 30, f"30 Linear layers expected, found {n_linear}"
    blocks = [m for m in model.modules() if isinstance(m, nn.Residual)]
    assert len(blocks) == 14, f"14 nn.Residual blocks expected, found {len(blocks)}"
    h = mg.randn(8, 64)
    with mg.no_grad():
        for block in blocks:
            assert np.allclose(block(h).numpy(), h.numpy()), "each block should start as the identity"
    out = {}
    for lr in (0.1, 0.05):
        mg.manual_seed(0)
        model = fn()
        with np.errstate(all="ignore"):
            losses = train(model, lr=lr)
        out[lr] = (losses, val_accuracy(model))
    assert np.isfinite(out[0.05][0]).all() and out[0.05][1] > 0.85, \
        f"at lr 0.05 it should train to above 85 % (got {out[0.05][1]:.1%})"
    return out


zero_branch = ref.check(make_resnet, ref.zero_branch_resnet, test_resnet, "zero-initialised residual branches")
for lr, (losses, acc) in zero_branch.items():
    bad = np.flatnonzero(~np.isfinite(losses))
    print(f"lr {lr}: first losses {np.round(losses[:5], 2)}, "
          + (f"non-finite from step {bad[0]}" if bad.size else f"last 20 steps {losses[-20:].mean():.3f}")
          + f", validation accuracy {acc:.1%}")
assert not np.isfinite(zero_branch[0.1][0]).all()  # the answer to the prediction (see below)

# %% [markdown]
# The answer: at lr 0.1 it diverges within a few steps; at 0.05 it trains (above 90 %). Starting
# each block at the identity fixes the *forward* signal but not the size of the *first updates*.
# With every block an identity, all 14 branches receive the same incoming gradient, so after one
# step their outputs point the same way and add up. Measured after one SGD step at lr 0.1: the
# cosine between the branches' outputs, and the size of their sum against one branch's.

# %%
mg.manual_seed(0)
model = ref.zero_branch_resnet()
opt = optim.SGD(model.parameters(), lr=0.1)
opt.zero_grad()
loss_fn(model(xr), yr).backward()
opt.step()
branch_out = []
with mg.no_grad():
    h = model[1](model[0](xr))
    for block in (m for m in model if isinstance(m, nn.Residual)):
        branch_out.append(block.module(h).numpy().ravel())  # each branch on the same input
F = np.array(branch_out)
cos = (F @ F.T) / np.outer(np.linalg.norm(F, axis=1), np.linalg.norm(F, axis=1))
mean_cos = cos[np.triu_indices(len(F), 1)].mean()
amplify = np.linalg.norm(F.sum(0)) / np.linalg.norm(F, axis=1).mean()
print(f"mean cosine between two branches' outputs: {mean_cos:.2f};  ‖Σ branches‖ / ‖one branch‖ = {amplify:.1f} "
      f"(14 if perfectly aligned, √14 = {np.sqrt(14):.1f} if independent)")
assert mean_cos > 0.5 and amplify > 8

# %% [markdown]
# The 14 first updates are strongly aligned, so together they change the stream about as much as
# one layer taking a step about 13 times larger: the effective learning rate is multiplied by
# roughly the number of blocks. Scaled branches (§5) or a smaller learning rate avoid it.
