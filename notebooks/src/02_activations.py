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
# 3. weights that are too large: **exploding gradients**, and **gradient clipping**;
# 4. **dying ReLUs**: units that stop passing any gradient, counted with `diagnostics`' dead fraction,
#    against leaky ReLU and ELU.
#
# Accuracies are measured on a validation split; the test images are kept aside, unused here.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import load_digits, standardize, train_test_split
from minigrad.diagnostics import layer_stats

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

fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
styles = {"ReLU": dict(ls="--", lw=2.5), "leaky ReLU": dict(ls=":", lw=2.5)}  # else hidden under ELU for z > 0
for name in activations:
    for ax, v in zip(axes, (values[name], derivs[name], derivs[name])):
        ax.plot(z_np, v, label=name, **styles.get(name, {}))
axes[0].set_ylim(-1.5, 3)
axes[0].set_title("f(z)")
axes[1].set_title("f'(z) by autograd")
axes[2].set_xlim(-5, 0.5)
axes[2].set_ylim(-0.003, 0.03)
axes[2].set_title("f'(z) for z < 0, zoomed: leaky ReLU's 0.01")
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
at0 = int(np.argmin(np.abs(z_np)))  # the grid point z = 0
print(f"at z = {z_np[at0]:.1f}: ReLU' = {derivs['ReLU'][at0]:g}, leaky ReLU' = {derivs['leaky ReLU'][at0]:g}")
assert z_np[at0] == 0 and derivs["ReLU"][at0] == 0 and derivs["leaky ReLU"][at0] == 0.01

# %% [markdown]
# > **The course says / we measured.** One deck gives ReLU'(0) = 1 (and 1 for leaky ReLU); the
# > course's formula `1[z > 0]` and minigrad (like PyTorch) give 0 (and 0.01), as printed above.
# > At `z = 0` ReLU has no derivative, and every value in [0, 1] is a valid subgradient, so both
# > choices are correct; the choice matters only for pre-activations exactly at 0.

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
X_rest, X_test, y_rest, y_test = train_test_split(X, y, 0.2, seed=0)  # the test set: kept aside, unused here
X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, 0.2, seed=1)
X_train, X_val, X_test = standardize(X_train, X_val, X_test)
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


curves, trained = {}, {}
for name in ("sigmoid (Xavier)", "ReLU (He)"):
    mg.manual_seed(0)
    trained[name] = mlp(*configs[name])
    curves[name], _ = train(trained[name])

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
# The sigmoid network stays at `ln 10 ≈ 2.30`, the loss of a uniform guess over 10 classes. The ReLU
# network of the same depth fits the training batches within 300 steps.
#
# Vanishing gradients in the lower layers are only half of the sigmoid net's problem: its *last*
# layer gets a healthy gradient (the table above), and still the loss does not move. The reason is
# the **forward** signal. Each sigmoid layer passes on the differences between inputs multiplied by
# `W[l]` and by `σ' ≤ 0.25` — the same factor as the backward pass. What reaches the output layer is
# almost the same vector for every image. Measured: the spread *across images* of each hidden
# layer's output (the std over the 256 images of each unit, averaged over units), at initialisation
# and after the 300 steps:

# %%
def across_images_std(model, x=xb):
    """Per hidden layer: the std over the batch of each unit's activation, averaged over the units."""
    out, a = [], x
    with mg.no_grad():
        for m in model:
            a = m(a)
            if not isinstance(m, nn.Linear):
                out.append(float(a.numpy().std(0).mean()))
    return np.array(out)


mg.manual_seed(0)
spread_init = across_images_std(mlp(*configs["sigmoid (Xavier)"]))
spread_trained = across_images_std(trained["sigmoid (Xavier)"])
print("layer l:         ", " ".join(f"{l:>7}" for l in range(1, 10)))
print("at initialisation", " ".join(f"{v:7.1e}" for v in spread_init))
print("after 300 steps  ", " ".join(f"{v:7.1e}" for v in spread_trained))
with mg.no_grad():
    logits = trained["sigmoid (Xavier)"](xb).numpy()
print(f"trained net's logits: spread across images {logits.std(0).mean():.1e}, "
      f"spread across the 10 classes of their mean {logits.mean(0).std():.2f}")
print(f"‖∂L/∂W‖ of the last layer at initialisation: {norms['sigmoid (Xavier)'][-1]:.2f}")
assert spread_init[-1] < 1e-4 * spread_init[0] and spread_trained[-1] < 1e-4 * spread_trained[0]
assert logits.std(0).mean() < 1e-3 and norms["sigmoid (Xavier)"][-1] > 0.1

# %% [markdown]
# Across 9 layers the spread between images falls by about a factor of 4 per layer, from 0.2 to
# about 2e-6: the last hidden layer says the same thing for every digit. The output layer, which
# does get a gradient, can learn only what is the same for all images — the class frequencies, one
# constant logit per class — and that leaves the loss at `ln 10`. Training does not repair it,
# because the lower layers that would have to spread the signal get no gradient.
#
# > **The course says / we measured.** The course lists Xavier/Glorot for "sigmoid, tanh", and one
# > deck's gain table puts a factor 4 on Xavier for tanh. The factor 4 is the sigmoid's (its slope
# > at 0 is 1/4, tanh's is 1; notebook 03 measures what 4 does to tanh). With plain Xavier the
# > 10-layer sigmoid net is the one above. With 4 × Xavier:

# %%
mg.manual_seed(0)
sig4 = mlp(nn.Sigmoid, "xavier", gain=4.0)
g4 = weight_grad_norms(sig4)
spread4_init = across_images_std(sig4)
loss4, _ = train(sig4)
g1 = norms["sigmoid (Xavier)"]
print(f"{'sigmoid':<13} {'first/last ‖dW‖':>16} {'spread at layer 9':>18} {'loss, last 20 steps':>20}")
print(f"{'Xavier':<13} {g1[0] / g1[-1]:>16.1e} {spread_init[-1]:>18.1e} {curves['sigmoid (Xavier)'][-20:].mean():>20.3f}")
print(f"{'4 × Xavier':<13} {g4[0] / g4[-1]:>16.1e} {spread4_init[-1]:>18.1e} {loss4[-20:].mean():>20.3f}")
assert g4[0] / g4[-1] > 300 * g1[0] / g1[-1]
assert loss4[-20:].mean() < curves["sigmoid (Xavier)"][-20:].mean() - 0.1
assert loss4[-20:].mean() > 1.0  # better, but far from the ReLU net

# %% [markdown]
# The factor 4 makes the first/last gradient ratio about a thousand times better and the loss
# starts to move, but after 300 steps it is still far above the ReLU network's (1.95 against
# 0.003). Xavier's derivation assumes an activation with slope 1 at 0; the sigmoid has 1/4, and
# even with the factor 4 the 10 sigmoid layers train slowly at this learning rate.
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
# ## 4. Dying ReLUs
#
# A ReLU unit whose pre-activation `z` is negative for *every* input outputs 0 everywhere and has
# derivative 0 everywhere: no gradient reaches its weights, so nothing can bring it back. It is
# **dead**. `diagnostics.layer_stats` reports the fraction of such units per ReLU layer as
# `dead_frac` (output exactly 0 for every sample of the batch). Leaky ReLU (slope 0.01 below 0) and
# ELU have a nonzero derivative for `z < 0`, so their units cannot die in this sense.
#
# A common way to kill units is a learning rate that is far too large for a few steps. The
# experiment: a 4-layer network (3 hidden layers of 64, He init) takes 20 Adam steps at lr 0.1 — a
# hundred times Adam's usual 1e-3, a typo-sized mistake — and then 300 SGD steps at a sensible
# lr 0.1 (the setting of §2). Five seeds per activation; the dead fraction over all 1 149 training
# images, and the validation accuracy at the end.

# %%
def negative_everywhere(model, X):
    """Per hidden layer: the fraction of units whose pre-activation is ≤ 0 for every image of X."""
    out, a = [], mg.tensor(X)
    with mg.no_grad():
        for m in list(model)[:-1]:
            a = m(a)
            if isinstance(m, nn.Linear):
                out.append(float(np.all(a.numpy() <= 0, axis=0).mean()))
    return np.array(out)


def dead_units(model, X):
    """Per hidden layer: a boolean mask of the units with pre-activation ≤ 0 for every image of X."""
    out, a = [], mg.tensor(X)
    with mg.no_grad():
        for m in list(model)[:-1]:
            a = m(a)
            if isinstance(m, nn.Linear):
                out.append(np.all(a.numpy() <= 0, axis=0))
    return out


def val_accuracy(model):
    with mg.no_grad():
        return float((model(mg.tensor(X_val)).numpy().argmax(1) == y_val).mean())


dying = {}
for name, act in (("ReLU", nn.ReLU), ("leaky ReLU", nn.LeakyReLU), ("ELU", nn.ELU)):
    rows = []
    for seed in range(5):
        mg.manual_seed(seed)
        model = mlp(act, "he", depth=4)
        opt, rng = optim.Adam(model.parameters(), lr=0.1), np.random.default_rng(seed)
        for _ in range(20):  # the too-large learning rate
            idx = rng.choice(len(X_train), 64, replace=False)
            opt.zero_grad()
            loss_fn(model(mg.tensor(X_train[idx])), mg.tensor(y_train[idx])).backward()
            opt.step()
        after_bad = negative_everywhere(model, X_train)
        masks = dead_units(model, X_train)
        train(model, lr=0.1, seed=seed)
        after = negative_everywhere(model, X_train)
        row = dict(after_bad=after_bad, after=after, acc=val_accuracy(model))
        if name == "ReLU":
            row["dead_frac"] = np.array([r.dead_frac for r in layer_stats(model, X_train).of_kind("ReLU")])
            masks_end = dead_units(model, X_train)
            # units dead before the 300 SGD steps that are alive after them (revived by the layers below)
            row["revived"] = sum(int((d & ~e).sum()) for d, e in zip(masks, masks_end)) / sum(int(d.sum()) for d in masks)
            # the gradient reaching the weights and biases of the units dead at the end, over all training images
            model.zero_grad()
            loss_fn(model(mg.tensor(X_train)), mg.tensor(y_train)).backward()
            lins = [m for m in model if isinstance(m, nn.Linear)]
            row["dead_grad"] = max(max(float(np.abs(m.weight.grad.numpy()[e]).max(initial=0)),
                                       float(np.abs(m.bias.grad.numpy()[e]).max(initial=0)))
                                   for m, e in zip(lins, masks_end))
        rows.append(row)
    dying[name] = rows

print(f"{'activation':<11} {'units ≤ 0 on every image, layers 1/2/3':>40} {'':>4} {'validation accuracy':>20}")
print(f"{'':<11} {'after the 20 bad steps':>24} {'after 300 more':>16}")
for name, rows in dying.items():
    bad = np.mean([r["after_bad"] for r in rows], axis=0)
    end = np.mean([r["after"] for r in rows], axis=0)
    accs = np.array([r["acc"] for r in rows])
    print(f"{name:<11} {' '.join(f'{v:5.0%}' for v in bad):>24} {' '.join(f'{v:5.0%}' for v in end):>16}"
          f"     {accs.mean():6.1%} ± {accs.std():.1%}  (seeds {' '.join(f'{a:.0%}' for a in accs)})")
relu_rows = dying["ReLU"]
print("ReLU, diagnostics' dead_frac per layer after training (mean of 5 seeds):",
      np.round(np.mean([r["dead_frac"] for r in relu_rows], axis=0), 2))
print(f"ReLU: of the units dead after the bad steps, {np.mean([r['revived'] for r in relu_rows]):.1%} came back "
      f"during the 300 SGD steps; largest gradient reaching a dead unit's weights or bias at the end: "
      f"{max(r['dead_grad'] for r in relu_rows):.1e}")
acc = {name: np.array([r["acc"] for r in rows]) for name, rows in dying.items()}
for r in relu_rows:
    assert np.allclose(r["dead_frac"], r["after"])  # dead_frac counts exactly these units
    assert r["dead_grad"] == 0.0  # no gradient reaches a dead unit
assert np.mean([r["revived"] for r in relu_rows]) < 0.05  # and (almost) none of them came back
assert np.mean([r["after"][1] for r in relu_rows]) > 0.5  # most of ReLU layer 2 is dead
relu_below_leaky = int((acc["ReLU"] < acc["leaky ReLU"]).sum())
print(f"ReLU below leaky ReLU (same seed) in {relu_below_leaky} of 5 seeds; below ELU in "
      f"{int((acc['ReLU'] < acc['ELU']).sum())} of 5")
assert acc["ReLU"].mean() < min(acc["leaky ReLU"].mean(), acc["ELU"].mean()) - 0.05
assert acc["ReLU"].std() > 2 * max(acc["leaky ReLU"].std(), acc["ELU"].std()) and relu_below_leaky >= 4

# %% [markdown]
# After the 20 bad steps most of the ReLU network's second layer is negative on every training
# image, and it stays so: those units are dead — `dead_frac` counts exactly them, almost none of
# them came back during the 300 SGD steps (a unit can revive only if the layers below it change
# enough to push some input above 0), and at the end the gradient reaching their weights and
# biases is exactly 0. The network is left with a fraction of its width.
# Leaky ReLU's units are knocked below 0 too (58 % of layer 2) and they do not come back above 0
# either — but they still pass signal and gradient through the 0.01 slope, so the
# network recovers to close to 90 %. ELU, whose negative side is not flat near 0, loses the fewest
# units. On validation accuracy the ReLU network is about 10 points lower on average and far more
# variable (± 10 points against ± 2): how much it loses depends on which units die — one seed kept
# enough to reach 92 %, so the gap is clear on average and in 4 of 5 paired seeds, not in every run.
# The difference between leaky ReLU and ELU is within their seed-to-seed spread.

# %% [markdown]
# Summary, with the numbers above: a saturating activation multiplies the gradient by at most
# 0.25 (sigmoid) per layer, and 10 sigmoid layers leave the first layer with a gradient over a
# hundred thousand times smaller than the last one's — and the forward signal collapses the same
# way, so even the well-fed last layer sees the same input for every image. ReLU-family activations
# with He initialisation keep the layers balanced. Weights that are too large do the opposite, and
# clipping the gradient norm is the safety net that keeps such a run finite. ReLU units can die —
# zero output and zero gradient on every input — and a few steps at a too-large learning rate are
# enough to kill most of a layer; leaky ReLU and ELU keep a gradient below 0.

# %% [markdown]
# ## Try it
#
# Four exercises. Each has a cell for your code — replace the `raise NotImplementedError` — and a
# check cell that tells you whether you got it right. Until you write yours, the check cell runs the
# reference solution from `notebooks/solutions/02_activations.py` (that is how CI keeps the
# exercises honest) and says so.

# %%
import importlib
import sys

from minigrad.autograd import Function, gradcheck

sys.path.insert(0, ".")  # the notebook runs from notebooks/, where solutions/ lives
ref = importlib.import_module("solutions.02_activations")

# %% [markdown]
# **1. The backward of a new activation.** SiLU (also called swish), `f(x) = x·σ(x)`, is used in
# many recent networks. Derive `f'(x)` and write the `backward` of `MySiLU`, a PyTorch-style
# `autograd.Function` (the forward is given). The check runs `gradcheck` in float64 and compares
# with minigrad's own `nn.functional.silu`.

# %%
class MySiLU(Function):
    @staticmethod
    def forward(ctx, x):
        s = 1 / (1 + (-x).exp())
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, g):
        x, s = ctx.saved_tensors
        raise NotImplementedError("return g times f'(x), written with x and s = σ(x)")


# %%
def test_silu(cls):
    x = mg.randn(4, 5, dtype=mg.float64, requires_grad=True)
    assert gradcheck(cls.apply, (x,)), "gradcheck failed"  # raises GradcheckError naming the element
    y = cls.apply(x)
    y.sum().backward()
    x2 = x.detach().clone().requires_grad_(True)
    nn.functional.silu(x2).sum().backward()
    err = np.abs(x.grad.numpy() - x2.grad.numpy()).max()
    assert err < 1e-12, f"gradient differs from F.silu's by {err:.1e}"
    return err


ref.check(MySiLU, ref.SiLU, test_silu, "SiLU backward")

# %% [markdown]
# **2. Predict, then measure.** §2 measured the first/last weight-gradient ratio of the 10-layer
# network: 0.35 with ReLU, 0.61 with ELU (α = 1). Replace the activation by ELU with α = 0.1 (closer
# to ReLU below 0). Predict the ratio first, then write `measure_elu_small_alpha()`: build
# `mlp(lambda: nn.ELU(alpha=0.1), "he")` and return `‖dW[1]‖ / ‖dW[10]‖` from `weight_grad_norms`.

# %%
MY_PREDICTION = None  # your predicted ratio


def measure_elu_small_alpha():
    raise NotImplementedError("build the network and return the first/last gradient ratio")


# %%
def test_elu(fn):
    mg.manual_seed(0)
    mine = fn()
    mg.manual_seed(0)
    expected = ref.elu_small_alpha_ratio(mlp, weight_grad_norms)
    assert abs(mine / expected - 1) < 1e-6, f"measured {mine:.3g}, the reference measures {expected:.3g}"
    return mine


elu01 = ref.check(measure_elu_small_alpha, lambda: ref.elu_small_alpha_ratio(mlp, weight_grad_norms), test_elu,
                  "ELU(α = 0.1) gradient ratio")
relu_ratio, elu_ratio = ratio_relu, norms["ELU (He)"][0] / norms["ELU (He)"][-1]
print(f"first/last: ReLU {relu_ratio:.2f}, ELU(0.1) {elu01:.2f}, ELU(1) {elu_ratio:.2f}")
if MY_PREDICTION is not None:
    print(f"your prediction {MY_PREDICTION:.2f}: {'right within a factor 1.5' if 1 / 1.5 < MY_PREDICTION / elu01 < 1.5 else 'not quite'}")
assert 0.1 < elu01 < 10  # no vanishing: the layers stay within a factor of ten

# %% [markdown]
# **3. Find the bug.** This loop is meant to train §3's 1.5 × He network with clipping by norm, but
# its loss still overflows. Find the bug, and write the fixed loop as `train_clipped(model)`
# (same arguments and return value; lr 0.03, clip at 5, 300 steps, batches drawn with
# `np.random.default_rng(0)`).

# %%
def buggy_train_clipped(model, steps=300, lr=0.03):
    opt = optim.SGD(model.parameters(), lr=lr)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(steps):
        idx = rng.choice(len(X_train), 64, replace=False)
        opt.zero_grad()
        loss = loss_fn(model(mg.tensor(X_train[idx])), mg.tensor(y_train[idx]))
        loss.backward()
        opt.step()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        losses.append(float(loss))
    return np.array(losses)


with np.errstate(all="ignore"):
    mg.manual_seed(0)
    buggy = buggy_train_clipped(mlp(nn.ReLU, "he", gain=1.5))
print(f"buggy loop: first non-finite loss at step {int(np.argmin(np.isfinite(buggy)))}")
assert not np.isfinite(buggy).all()


def train_clipped(model):
    raise NotImplementedError("the fixed loop")


# %%
def test_clipped(fn):
    mg.manual_seed(0)
    with np.errstate(all="ignore"):
        losses = np.asarray(fn(mlp(nn.ReLU, "he", gain=1.5)))
    assert losses.shape == (300,), "one loss per step, 300 steps"
    assert np.isfinite(losses).all(), "the loss still overflows: is the gradient clipped before the step?"
    assert losses[-20:].mean() < 0.5, f"loss over the last 20 steps {losses[-20:].mean():.3f}: it should train"
    return losses


fixed = ref.check(train_clipped, lambda m: ref.train_clipped(m, X_train, y_train, loss_fn), test_clipped,
                  "the clipped training loop")
print(f"fixed loop: loss over the last 20 steps {fixed[-20:].mean():.3f}")

# %% [markdown]
# **4. Count dead units yourself.** Write `dead_fraction(model, X)`: for each `nn.ReLU` of a
# `Sequential`, the fraction of its units whose output is exactly 0 for every row of `X`. The check
# compares it with `diagnostics.layer_stats(...).dead_frac` on a ReLU network whose biases start
# at −2 (a bad initialisation that kills units before any training).

# %%
def dead_fraction(model, X):
    raise NotImplementedError("run X through the layers, look at each ReLU's output")


# %%
def test_dead(fn):
    mg.manual_seed(0)
    model = mlp(nn.ReLU, "he", depth=4)
    for m in model:
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.bias, -2.0)
    mine = np.asarray(fn(model, X_train))
    expected = np.array([r.dead_frac for r in layer_stats(model, X_train).of_kind("ReLU")])
    assert mine.shape == expected.shape, f"one fraction per ReLU layer: {expected.shape}, got {mine.shape}"
    assert np.allclose(mine, expected), f"yours {mine}, diagnostics {expected}"
    return mine


dead_b2 = ref.check(dead_fraction, ref.dead_fraction, test_dead, "dead fraction")
print("dead fraction per ReLU layer with biases at −2, before training:", np.round(dead_b2, 2))
assert dead_b2.max() > 0.05
