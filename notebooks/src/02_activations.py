# %% [markdown]
# # 02 · Activations and vanishing / exploding gradients
#
# Backpropagation multiplies one factor per layer: the activation's derivative and the layer's
# weights. This notebook measures what that does in a deep network:
#
# 1. sigmoid, tanh, ReLU, leaky ReLU and ELU with their derivatives — computed by autograd and checked
#    against the course's formulas;
# 2. gradient norms per layer in a 10-layer sigmoid network against a ReLU one: **vanishing
#    gradients**, and what they do to training;
# 3. weights that are too large: **exploding gradients**, and **gradient clipping**.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import load_digits, standardize, train_test_split

mg.manual_seed(0)
np.set_printoptions(precision=3, suppress=True)

# %% [markdown]
# ## 1. Activation functions and their derivatives
#
# The derivative of each activation at every point of a grid, by autograd: `y.sum().backward()`
# puts `∂(Σy)/∂z_i = f'(z_i)` into `z.grad`. The course's formulas:
#
# | activation | `f(z)` | `f'(z)` |
# |---|---|---|
# | sigmoid | `σ(z) = 1/(1 + e⁻ᶻ)` | `σ(z)(1 − σ(z))` |
# | tanh | `2σ(2z) − 1` | `1 − tanh²(z)` |
# | ReLU | `max(0, z)` | `1[z > 0]` |
# | leaky ReLU | `max(0.01z, z)` | `1` for `z > 0`, else `0.01` |
# | ELU | `z` for `z ≥ 0`, `α(eᶻ − 1)` below | `1` for `z ≥ 0`, `α·eᶻ = ELU(z) + α` below |

# %%
z_np = np.linspace(-5, 5, 1001)
activations = {
    "sigmoid": lambda z: z.sigmoid(),
    "tanh": lambda z: z.tanh(),
    "ReLU": lambda z: z.relu(),
    "leaky ReLU": lambda z: z.leaky_relu(0.01),
    "ELU": lambda z: z.elu(1.0),
}
values, derivs = {}, {}
for name, f in activations.items():
    z = mg.tensor(z_np, requires_grad=True)
    y = f(z)
    y.sum().backward()
    values[name], derivs[name] = y.numpy(), z.grad.numpy()

s = values["sigmoid"]
formulas = {
    "sigmoid": s * (1 - s),
    "tanh": 1 - values["tanh"] ** 2,
    "ReLU": (z_np > 0).astype(float),
    "leaky ReLU": np.where(z_np > 0, 1.0, 0.01),
    "ELU": np.where(z_np >= 0, 1.0, values["ELU"] + 1.0),
}
for name in activations:
    err = np.abs(derivs[name] - formulas[name]).max()
    print(f"{name:<11} max |autograd − formula| = {err:.1e}")
    assert err < 1e-6
tanh_identity = np.abs(values["tanh"] - (2 * (1 / (1 + np.exp(-2 * z_np))) - 1)).max()
print(f"tanh(z) = 2σ(2z) − 1 up to {tanh_identity:.1e}")
assert tanh_identity < 1e-6

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name in activations:
    axes[0].plot(z_np, values[name], label=name)
    axes[1].plot(z_np, derivs[name], label=name)
axes[0].set_ylim(-1.5, 3)
axes[0].set_title("f(z)")
axes[1].set_title("f'(z) by autograd")
for ax in axes:
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.set_xlabel("z")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Two numbers to keep in mind: the sigmoid's derivative is never above 0.25, and both saturating
# functions have derivatives near zero once `|z|` is a few units:

# %%
print(f"max σ'(z) = {derivs['sigmoid'].max():.4f} (at z = {z_np[np.argmax(derivs['sigmoid'])]:.2f})")
print(f"max tanh'(z) = {derivs['tanh'].max():.4f}")
for name in ("sigmoid", "tanh"):
    small = np.abs(z_np[derivs[name] < 0.01]).min()
    print(f"{name}: f'(z) < 0.01 for |z| > {small:.2f}")
assert abs(derivs["sigmoid"].max() - 0.25) < 1e-6 and abs(derivs["tanh"].max() - 1) < 1e-6

# %% [markdown]
# ## 2. Vanishing gradients
#
# Backpropagating through layer `l` multiplies the gradient by `W[l]` and by `f'(z[l])`. With the
# sigmoid the second factor is at most 0.25, so across many layers the gradient shrinks
# geometrically: the lower layers barely learn. ReLU's derivative is exactly 1 wherever the unit is
# active, so nothing shrinks it systematically.
#
# The experiment: 10 `Linear` layers (64 units wide) on a batch of 256 standardised digits
# (8×8 images, 64 features, 10 classes), one backward pass of the cross-entropy, and the norm
# `‖∂L/∂W[l]‖` of each layer's weight gradient. Each network gets the initialisation meant for its
# activation (notebook 03): Xavier for sigmoid and tanh, He for the ReLU family; biases 0.

# %%
X, y = load_digits()
X_train, X_test, y_train, y_test = train_test_split(X, y, 0.2, seed=0)
X_train, X_test = standardize(X_train, X_test)
xb, yb = mg.tensor(X_train[:256]), mg.tensor(y_train[:256])
loss_fn = nn.CrossEntropyLoss()


def mlp(activation, init, depth=10, width=64, gain=1.0):
    """depth Linear layers, 64 → width → … → 10, with `activation` between them."""
    sizes = [64] + [width] * (depth - 1) + [10]
    layers = []
    for i in range(depth):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        if init == "xavier":
            nn.init.xavier_normal_(lin.weight)
        else:
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        with mg.no_grad():
            lin.weight *= gain
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < depth - 1:
            layers.append(activation())
    return nn.Sequential(*layers)


def weight_grad_norms(model):
    model.zero_grad()
    loss_fn(model(xb), yb).backward()
    return np.array([np.linalg.norm(m.weight.grad.numpy()) for m in model if isinstance(m, nn.Linear)])


configs = {
    "sigmoid (Xavier)": (nn.Sigmoid, "xavier"),
    "tanh (Xavier)": (nn.Tanh, "xavier"),
    "ReLU (He)": (nn.ReLU, "he"),
    "leaky ReLU (He)": (nn.LeakyReLU, "he"),
    "ELU (He)": (nn.ELU, "he"),
}
norms = {}
for name, (act, init) in configs.items():
    mg.manual_seed(0)
    norms[name] = weight_grad_norms(mlp(act, init))

fig, ax = plt.subplots(figsize=(7, 4))
for name, g in norms.items():
    ax.semilogy(range(1, 11), g, marker="o", ls="--" if "leaky" in name else "-", label=name)  # leaky ≈ ReLU
ax.set_xlabel("layer l (1 = next to the input)")
ax.set_ylabel("‖∂L/∂W[l]‖")
ax.set_title("weight-gradient norm per layer, 10-layer MLP, at initialisation")
ax.grid(alpha=0.3, which="both")
ax.legend(fontsize=8)
plt.show()

print(f"{'network':<18} {'first layer':>12} {'last layer':>11} {'first/last':>11}")
for name, g in norms.items():
    print(f"{name:<18} {g[0]:>12.2e} {g[-1]:>11.2e} {g[0] / g[-1]:>11.1e}")
ratio_sigmoid = norms["sigmoid (Xavier)"][0] / norms["sigmoid (Xavier)"][-1]
ratio_relu = norms["ReLU (He)"][0] / norms["ReLU (He)"][-1]
assert ratio_sigmoid < 1e-3, ratio_sigmoid
assert 0.1 < ratio_relu < 10, ratio_relu
assert 0.1 < norms["tanh (Xavier)"][0] / norms["tanh (Xavier)"][-1] < 10
for name in ("ReLU (He)", "leaky ReLU (He)", "ELU (He)"):
    assert norms[name].max() / norms[name].min() < 10, name

# %% [markdown]
# In the sigmoid network the first layer's gradient is more than a thousand times smaller than
# the last layer's (the table's last column), falling by a roughly constant factor per layer — the
# straight line on the log scale. tanh's derivative is 1 at 0 and Xavier keeps its inputs near 0,
# so it holds up at initialisation; the ReLU family keeps all layers within a factor of ten.
#
# What that does to training: 300 steps of mini-batch SGD (batch 64, learning rate 0.1) on the
# same two architectures.


# %%
def train(model, steps=300, lr=0.1, batch_size=64, clip=None, seed=0):
    """Mini-batch SGD; returns the loss and the gradient norm (before clipping) at each step."""
    opt = optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    losses, grad_norms = [], []
    for _ in range(steps):
        idx = rng.choice(len(X_train), batch_size, replace=False)
        opt.zero_grad()
        loss = loss_fn(model(mg.tensor(X_train[idx])), mg.tensor(y_train[idx]))
        loss.backward()
        if clip is None:
            total = np.sqrt(sum(float((p.grad.numpy() ** 2).sum()) for p in model.parameters()))
        else:
            total = float(nn.utils.clip_grad_norm_(model.parameters(), clip))
        grad_norms.append(total)
        opt.step()
        losses.append(float(loss))
    return np.array(losses), np.array(grad_norms)


curves = {}
for name in ("sigmoid (Xavier)", "ReLU (He)"):
    mg.manual_seed(0)
    curves[name], _ = train(mlp(*configs[name]))

fig, ax = plt.subplots(figsize=(7, 3.8))
for name, losses in curves.items():
    ax.plot(losses, label=name, alpha=0.85)
ax.axhline(np.log(10), color="gray", ls="--", lw=1, label="ln 10: guessing uniformly")
ax.set_xlabel("SGD step")
ax.set_ylabel("training loss (mini-batch)")
ax.set_title("10-layer MLP on the digits")
ax.grid(alpha=0.3)
ax.legend()
plt.show()
final = {name: losses[-20:].mean() for name, losses in curves.items()}
for name, v in final.items():
    print(f"{name:<18} mean loss over the last 20 steps: {v:.3f}")
print(f"ln 10 = {np.log(10):.3f}")
assert final["sigmoid (Xavier)"] > 2.2 and final["ReLU (He)"] < 0.3

# %% [markdown]
# The sigmoid network stays at `ln 10 ≈ 2.30`, the loss of a uniform guess over 10 classes: its
# lower layers receive almost no gradient. The ReLU network of the same depth fits the training
# batches within 300 steps.
#
# ## 3. Exploding gradients and gradient clipping
#
# The same factor works the other way: weights that scale their input up multiply the gradient at
# every layer. The ReLU network again, with every weight matrix 1.5 × its He value. Each layer now
# multiplies the size of its input by about 1.5, so after 10 layers the outputs, the loss and the
# gradients are all far larger than with He:

# %%
mg.manual_seed(0)
he_net = mlp(nn.ReLU, "he")
mg.manual_seed(0)
big_net = mlp(nn.ReLU, "he", gain=1.5)


def activation_stds(model):
    stds, a = [], xb
    with mg.no_grad():
        for m in model:
            a = m(a)
            if isinstance(m, nn.ReLU):
                stds.append(float(a.numpy().std()))
    return np.array(stds)


for name, model in (("He", he_net), ("1.5 × He", big_net)):
    g = weight_grad_norms(model)
    with mg.no_grad():
        loss0 = float(loss_fn(model(xb), yb))
    print(f"{name:<9} activation std per layer: {activation_stds(model)}")
    print(f"{'':<9} initial loss {loss0:8.2f}   total gradient norm {np.sqrt((g**2).sum()):8.2f}")
grow = activation_stds(big_net)
print(f"growth per layer with 1.5 × He: {np.exp(np.mean(np.log(grow[1:] / grow[:-1]))):.2f}")
assert weight_grad_norms(big_net).sum() > 30 * weight_grad_norms(he_net).sum()

# %% [markdown]
# Training the 1.5 × He network with SGD at learning rate 0.03, once as it is and once with
# `nn.utils.clip_grad_norm_(model.parameters(), 5.0)` between `backward()` and `step()`: when the
# total gradient norm is above 5, all gradients are rescaled together so that it is 5 (the
# direction is kept, only the step length is capped).

# %%
runs = {}
with np.errstate(all="ignore"):  # the unclipped run overflows
    for name, clip in (("no clipping", None), ("clip_grad_norm_ at 5", 5.0)):
        mg.manual_seed(0)
        runs[name] = train(mlp(nn.ReLU, "he", gain=1.5), lr=0.03, clip=clip)

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name, (losses, gnorms) in runs.items():
    axes[0].semilogy(losses, label=name)
    axes[1].semilogy(gnorms, label=name)
axes[0].set_title("training loss (log scale; gaps: inf / nan)")
axes[1].set_title("gradient norm before clipping")
for ax in axes:
    ax.set_xlabel("SGD step")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
plt.show()

for name, (losses, _) in runs.items():
    finite = np.isfinite(losses)
    first_bad = int(np.argmin(finite)) if not finite.all() else None
    print(f"{name:<21} first loss {losses[0]:7.1f}, last 20 steps mean {losses[-20:].mean():8.3f}, "
          f"first non-finite loss at step {first_bad}")
unclipped, (clipped, clipped_norms) = runs["no clipping"][0], runs["clip_grad_norm_ at 5"]
print(f"clipped run: gradient norm {clipped_norms[:5].mean():.1f} over the first 5 steps, "
      f"{clipped_norms[-20:].mean():.2f} over the last 20")
assert not np.isfinite(unclipped).all()
assert not np.isfinite(unclipped[int(np.argmin(np.isfinite(unclipped))):]).any()  # once gone, gone for good
assert np.isfinite(clipped).all() and clipped[-20:].mean() < 0.5
assert clipped_norms[-20:].mean() < clipped_norms[:5].mean() / 10

# %% [markdown]
# Without clipping a few steps with huge gradients throw the weights so far that the loss
# overflows (and then stays `nan`); with clipping the same network, at the same learning rate,
# trains to a small loss — the gradient norm comes down on its own as the weights settle.
#
# The course also clips **by value**: each element into `[−N, N]` (`nn.utils.clip_grad_value_`).
# That changes the gradient's direction, clipping by norm does not. Measured on one gradient of
# the 1.5 × He network, as the cosine between the clipped and the original gradient:

# %%
def flat_grad(model):
    return np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])


cosines = {}
for name, clip in (("by norm (5)", lambda ps: nn.utils.clip_grad_norm_(ps, 5.0)),
                   ("by value (0.1)", lambda ps: nn.utils.clip_grad_value_(ps, 0.1))):
    weight_grad_norms(big_net)  # fills .grad
    g = flat_grad(big_net)
    clip(list(big_net.parameters()))
    gc = flat_grad(big_net)
    cosines[name] = g @ gc / (np.linalg.norm(g) * np.linalg.norm(gc))
    print(f"clip {name:<15} ‖g‖ {np.linalg.norm(g):8.2f} → {np.linalg.norm(gc):6.2f}   "
          f"cos(g, clipped) = {cosines[name]:.4f}")
assert abs(cosines["by norm (5)"] - 1) < 1e-6 and cosines["by value (0.1)"] < 0.99

# %% [markdown]
# Summary, with the numbers above: a saturating activation multiplies the gradient by at most
# 0.25 (sigmoid) per layer, and 10 sigmoid layers leave the first layer with a gradient over a
# thousand times smaller than the last one's, too little to train. ReLU-family activations with He
# initialisation keep the layers balanced. Weights that are too large do the opposite, and
# clipping the gradient norm is the safety net that keeps such a run finite.
