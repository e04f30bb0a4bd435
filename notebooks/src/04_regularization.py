# %% [markdown]
# # 04 · Regularisation
#
# A network with far more weights than training examples can fit the training set perfectly and
# still do worse on new data: **over-fitting**. Regularisation trades a little training fit for
# better validation performance. This notebook takes an MLP that over-fits a small digits
# training set and applies, one at a time, the course's regularisers:
#
# | technique | in minigrad |
# |---|---|
# | L2: `J + (λ/2m)·Σ_l ‖W[l]‖²` (weight decay) | `nn.RegularizedLoss(loss_fn, model, l2=λ/m)` |
# | L1: `J + λ·Σ|W|` | `nn.RegularizedLoss(loss_fn, model, l1=λ)` |
# | elastic net: `λ₁·Σ|W| + λ₂·ΣW²` | `nn.RegularizedLoss(loss_fn, model, l1=λ₁, l2=2λ₂)` |
# | dropout (inverted) | `nn.Dropout(p)` on the inputs and after each hidden activation |
# | Gaussian noise on the inputs | `DataLoader(..., transform=GaussianNoise(std))` |
# | max-norm: each neuron's `‖w‖₂ ≤ c` | `fit(..., max_norm=c)` (`nn.utils.max_norm_` after each step) |
# | early stopping | `fit(..., callbacks=[EarlyStopping(patience)])` |
#
# For each: training and validation curves and the distribution of the weights. Then a check of
# the dropout claim: inverted dropout and scaling the weights at test time give the same expected
# output.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import DataLoader, GaussianNoise, TensorDataset, load_digits, standardize, train_val_test_split
from minigrad.train import EarlyStopping, evaluate, fit

mg.manual_seed(0)
np.set_printoptions(precision=4, suppress=True)

X, y = load_digits()
X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(X, y, val_size=0.2, test_size=0.2, seed=0)
X_train, y_train = X_train[:300], y_train[:300]  # a small training set: over-fitting shows quickly
X_train, X_val, X_test = standardize(X_train, X_val, X_test)  # statistics of the training set only
print(f"train {X_train.shape}, validation {X_val.shape} (the test split stays unused here)")
print("training examples per class:", np.bincount(y_train))

# %% [markdown]
# ## The over-fitting baseline
#
# `64 → 256 → 256 → 10` with ReLU: about 85 000 parameters for 300 images. Adam (`η = 1e-3`),
# mini-batches of 32, 100 epochs. Besides the loss we record the plain cross-entropy on both sets
# (`ce`, `val_ce`), because the loss of a regularised model also contains its penalty.

# %%
EPOCHS = 100
ce_loss = nn.CrossEntropyLoss()


def cross_entropy(outputs, targets):
    """Mean cross-entropy of logits (NumPy), for fit's metrics: the data term alone, without penalties."""
    z = outputs - outputs.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(targets)), targets].mean())


def make_mlp(dropout=0.0, input_dropout=0.0, seed=0):
    mg.manual_seed(seed)  # the same initial weights for every run
    layers = [nn.Dropout(input_dropout)] if input_dropout else []
    layers += [nn.Linear(64, 256), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers += [nn.Linear(256, 256), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(256, 10))
    return nn.Sequential(*layers)


def run(dropout=0.0, input_dropout=0.0, l1=0.0, l2=0.0, noise=None, max_norm=None, early_stopping=None, seed=0):
    model = make_mlp(dropout, input_dropout, seed)
    loss_fn = nn.RegularizedLoss(ce_loss, model, l1=l1, l2=l2) if (l1 or l2) else ce_loss
    mg.manual_seed(seed + 1)  # the same shuffling (and noise, dropout masks) for every run
    train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True,
                              transform=GaussianNoise(noise) if noise else None)
    val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=len(X_val))
    history = fit(model, loss_fn, optim.Adam(model.parameters(), lr=1e-3), train_loader, val_loader,
                  epochs=EPOCHS, progress=False, max_norm=max_norm,
                  callbacks=[early_stopping] if early_stopping else [],
                  metrics=["loss", "accuracy", ("ce", cross_entropy)])
    metrics = ["loss", "accuracy", ("ce", cross_entropy)]
    train_eval = evaluate(model, DataLoader(TensorDataset(X_train, y_train), batch_size=len(X_train)), ce_loss, metrics)
    val_eval = evaluate(model, val_loader, ce_loss, metrics)
    weights = [m.weight.numpy() for m in model if isinstance(m, nn.Linear)]
    return dict(model=model, history=history, train_ce=train_eval["ce"], val_ce=val_eval["ce"],
                val_acc=val_eval["accuracy"], weights=weights)


n_weights = sum(p.numel() for p in make_mlp().parameters())
print(f"parameters: {n_weights}, training images: {len(X_train)}")
results = {"baseline": run()}
base = results["baseline"]
h = base["history"]
print(f"training CE at the end {base['train_ce']:.4f}, validation CE at the end {base['val_ce']:.3f}, "
      f"lowest validation CE {min(h.metrics['val_ce']):.3f} at epoch {int(np.argmin(h.metrics['val_ce'])) + 1}")
print(f"validation accuracy {base['val_acc']:.1%}")
fig = h.plot(title="baseline: no regularisation")  # History.plot: loss and accuracy, train vs validation
plt.show()

# %%
best_epoch = int(np.argmin(h.metrics["val_ce"])) + 1
assert base["train_ce"] < 0.01 and base["val_ce"] > 1.1 * min(h.metrics["val_ce"]) and best_epoch < 40

# %% [markdown]
# The training loss goes to (nearly) 0 — the network has memorised the 300 images — while the
# validation loss reaches its minimum early and then climbs: over-fitting. (The validation
# accuracy, right, hardly moves after the first epochs; the loss shows the damage first.)
#
# ## One regulariser at a time
#
# Same network, same initial weights, same data order; one change per run. The strengths are
# typical values, not tuned (notebook 07 tunes them):
#
# - L2 with `l2 = 3e-3` (in the course's terms `λ/m = 3e-3`, so `λ ≈ 0.9` for `m = 300`);
# - L1 with `l1 = 1e-4`; elastic net with both;
# - dropout with drop probability 0.2 on the inputs and 0.5 after each hidden layer (keep
#   probabilities 0.8 and 0.5, the usual choice: the wide hidden layers get the higher drop rate);
# - Gaussian noise of standard deviation 1 added to every (standardised) input pixel, fresh each
#   epoch;
# - max-norm `c = 0.5` on the incoming weights of every neuron;
# - early stopping with patience 10 on the validation loss, restoring the best weights.

# %%
settings = {
    "L2 (3e-3)": dict(l2=3e-3),
    "L1 (1e-4)": dict(l1=1e-4),
    "elastic net": dict(l1=1e-4, l2=3e-3),
    "dropout (0.2 / 0.5)": dict(dropout=0.5, input_dropout=0.2),
    "input noise (σ=1)": dict(noise=1.0),
    "max-norm (c=0.5)": dict(max_norm=0.5),
    "early stopping": dict(early_stopping=EarlyStopping(patience=10)),
}
for name, kwargs in settings.items():
    results[name] = run(**kwargs)


def small_fraction(r, tol=1e-3):
    w = np.concatenate([W.ravel() for W in r["weights"]])
    return float(np.mean(np.abs(w) < tol))


def mean_abs(r):
    return float(np.mean(np.concatenate([np.abs(W.ravel()) for W in r["weights"]])))


def max_row_norm(r):
    return float(max(np.linalg.norm(W, axis=1).max() for W in r["weights"]))


print(f"{'':<18} {'train CE':>8} {'val CE':>7} {'gap':>6} {'val acc':>8} {'epochs':>6} {'mean |w|':>9} "
      f"{'|w|<1e-3':>9} {'max ‖w_i‖':>9}")
for name, r in results.items():
    print(f"{name:<18} {r['train_ce']:>8.4f} {r['val_ce']:>7.3f} {r['val_ce'] - r['train_ce']:>6.3f} "
          f"{r['val_acc']:>8.1%} {len(r['history']):>6} {mean_abs(r):>9.4f} {small_fraction(r):>9.1%} "
          f"{max_row_norm(r):>9.2f}")

# %% [markdown]
# Train and validation cross-entropy per epoch, each run against the baseline (gray). The training
# curve is the mean over the epoch's mini-batches as they were trained — with dropout active and
# noise added — so for those two it sits above the clean training loss.

# %%
fig, axes = plt.subplots(2, 4, figsize=(16, 7), sharey=True)
bh = base["history"]
for ax, (name, r) in zip(axes.flat, results.items()):
    hist = r["history"]
    ax.plot(bh.epochs, bh.metrics["val_ce"], color="gray", lw=1, label="baseline validation")
    ax.plot(hist.epochs, hist.metrics["ce"], color="tab:blue", label="training")
    ax.plot(hist.epochs, hist.metrics["val_ce"], color="tab:orange", label="validation")
    if name == "early stopping":
        ax.axvline(hist.best_epoch, color="k", ls="--", lw=1, label=f"best epoch {hist.best_epoch}")
    ax.set_title(f"{name}: val CE {r['val_ce']:.3f}", fontsize=10)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3, which="both")
axes[0, 0].set_ylabel("cross-entropy (log scale)")
axes[1, 0].set_ylabel("cross-entropy (log scale)")
axes[0, 0].legend(fontsize=8)
axes[1, 3].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# Every regulariser ends with a lower validation cross-entropy than the baseline and a smaller gap
# between training and validation (the table). Is that more than luck? The baseline trained from
# two other random initialisations and data orders:

# %%
baseline_ce = [base["val_ce"]] + [run(seed=seed)["val_ce"] for seed in (10, 20)]
regularised_ce = [results[name]["val_ce"] for name in settings]
print("baseline, three seeds:      ", " ".join(f"{v:.3f}" for v in baseline_ce),
      f"  (range {max(baseline_ce) - min(baseline_ce):.3f})")
print("the seven regularised runs: ", " ".join(f"{v:.3f}" for v in regularised_ce),
      f"  (range {max(regularised_ce) - min(regularised_ce):.3f})")
assert max(regularised_ce) < min(baseline_ce)

# %% [markdown]
# Every regularised run ends below all three baseline runs. The differences *among* the
# regularisers, a few hundredths, are not much larger than the baseline's own spread across seeds:
# with 300 training images, don't rank them from a single run. What is reliable is how each one
# works, and the weights show it. Below, the histogram of the
# first layer's weights `W[1]` (16 384 values) for each run, over the baseline's (gray), on a log
# count scale:

# %%
fig, axes = plt.subplots(2, 4, figsize=(16, 6.5), sharex=True, sharey=True)
bins = np.linspace(-0.4, 0.4, 81)
for ax, (name, r) in zip(axes.flat, results.items()):
    ax.hist(base["weights"][0].ravel(), bins=bins, color="lightgray", label="baseline")
    ax.hist(r["weights"][0].ravel(), bins=bins, histtype="step", lw=1.5, color="tab:green", label=name)
    ax.set_yscale("log")
    ax.set_title(f"{name}\nmean |w| {mean_abs(r):.4f}, |w| < 1e-3: {small_fraction(r):.0%}", fontsize=9)
axes[1, 0].set_xlabel("weight value")
axes[0, 0].set_ylabel("count")
fig.tight_layout()
plt.show()

# %% [markdown]
# - **L2** shrinks all weights towards 0 (a narrower histogram, mean |w| less than half the
#   baseline's) but leaves few exactly at 0.
# - **L1** pushes most weights to (almost) exactly 0 — a sparse network — because its gradient
#   `λ·sign(W)` does not fade as a weight gets small. **Elastic net** does both.
# - **Dropout** and **input noise** leave the weight distribution close to the baseline's (mean |w|
#   within 10 %); they regularise through what the network has to cope with: missing units, noisy
#   pixels.
# - **Max-norm** bounds each neuron's weight vector rather than each weight (below).
# - **Early stopping** simply keeps the weights from the epoch with the best validation loss.

# %%
names = list(settings)
for name in names:
    r = results[name]
    assert r["val_ce"] < base["val_ce"], name
    assert r["val_ce"] - r["train_ce"] < base["val_ce"] - base["train_ce"], name
assert mean_abs(results["L2 (3e-3)"]) < 0.5 * mean_abs(base)
assert small_fraction(results["L1 (1e-4)"]) > 0.5 > 0.1 > small_fraction(base)
assert small_fraction(results["elastic net"]) > 0.5
assert mean_abs(results["elastic net"]) < mean_abs(results["L2 (3e-3)"])
assert small_fraction(results["L2 (3e-3)"]) < small_fraction(results["L1 (1e-4)"])
for name in ("dropout (0.2 / 0.5)", "input noise (σ=1)"):
    assert abs(mean_abs(results[name]) / mean_abs(base) - 1) < 0.1, name

# %% [markdown]
# ### L2 is weight decay
#
# The penalty's gradient is `(λ/m)·W`, so one gradient step is
# `W ← W − α·(dW + (λ/m)·W) = (1 − αλ/m)·W − α·dW`: the weights shrink by a constant factor before
# the usual step. minigrad's `RegularizedLoss(l2=λ/m)` and `optim.SGD(weight_decay=λ/m)` give the same
# step:

# %%
xb, yb = mg.tensor(X_train[:32]), mg.tensor(y_train[:32])
lam_m, alpha = 3e-3, 0.1
steps = {}
for how in ("penalty in the loss", "weight_decay in SGD"):
    model = make_mlp()
    if how == "penalty in the loss":
        loss_fn, opt = nn.RegularizedLoss(ce_loss, model, l2=lam_m), optim.SGD(model.parameters(), lr=alpha)
    else:
        loss_fn, opt = ce_loss, optim.SGD(model.parameters(), lr=alpha, weight_decay=lam_m)
    opt.zero_grad()
    loss_fn(model(xb), yb).backward()
    opt.step()
    steps[how] = [m.weight.numpy().copy() for m in model if isinstance(m, nn.Linear)]
diff = max(np.abs(a - b).max() for a, b in zip(*steps.values()))
print(f"largest difference between the two updated weight sets: {diff:.1e}")
assert diff < 1e-6

# %% [markdown]
# ### Max-norm and early stopping, checked
#
# After every step `max_norm_` rescales each row `W[l]_i` (one neuron's incoming weights) whose norm
# exceeds `c`; rows inside the ball are untouched. The largest row norm per layer, and the
# distribution of the first layer's row norms. With `c = 0.5`, below the baseline's typical row
# norm, the bound ends up active for every unit:

# %%
mn = results["max-norm (c=0.5)"]
for name, r in (("baseline", base), ("max-norm (c=0.5)", mn)):
    largest = [round(float(np.linalg.norm(W, axis=1).max()), 3) for W in r["weights"]]
    print(f"{name:<17} largest row norm per layer:", largest)
fig, ax = plt.subplots(figsize=(6.5, 3.2))
row_bins = np.linspace(0, 1.0, 51)
ax.hist(np.linalg.norm(base["weights"][0], axis=1), bins=row_bins, alpha=0.6, label="baseline")
ax.hist(np.linalg.norm(mn["weights"][0], axis=1), bins=row_bins, alpha=0.6, label="max-norm, c = 0.5")
ax.axvline(0.5, color="k", ls="--", lw=1)
ax.set_xlabel("‖W[1]_i‖₂ (one hidden unit's incoming weights)")
ax.set_ylabel("units")
ax.legend()
plt.show()
for layer, W in enumerate(mn["weights"], start=1):
    on_bound = np.mean(np.linalg.norm(W, axis=1) > 0.5 - 1e-4)
    print(f"max-norm run, layer {layer}: {on_bound:.0%} of the units are on the bound")
assert max_row_norm(mn) <= 0.5 + 1e-6

es = results["early stopping"]
eh = es["history"]
print(f"early stopping: stopped after epoch {eh.stopped_epoch}, best epoch {eh.best_epoch}, "
      f"restored model's validation CE {es['val_ce']:.4f} = the best epoch's "
      f"{eh.metrics['val_ce'][eh.best_epoch - 1]:.4f}")
assert eh.stopped_epoch == eh.best_epoch + 10
assert abs(es["val_ce"] - eh.metrics["val_ce"][eh.best_epoch - 1]) < 1e-5

# %% [markdown]
# Early stopping trained for a fraction of the 100 epochs and returned the weights of the best
# epoch — the model's validation loss is exactly that epoch's.
#
# ## Inverted dropout versus scaling the weights at test time
#
# Dropout multiplies a layer's activations `A` by a mask `D ~ Bernoulli(keep)` during training.
# Two ways to make test time (no mask) consistent with training:
#
# - **inverted dropout** (minigrad's `nn.Dropout`, PyTorch's): train with `A ⊙ D / keep`, use `A`
#   unchanged at test time;
# - **the original formulation**: train with `A ⊙ D`, multiply the next layer's weights by `keep`
#   at test time.
#
# Both make the test-time input of the next layer equal to the **expected** training-time input:
# `E[A ⊙ D / keep] = A` and `E[(A ⊙ D)·Wᵀ] = A·(keep·W)ᵀ`. We check it on the trained dropout
# network: `A` = its first hidden layer's activations for 4 validation images, averaged over 20 000
# dropout masks.

# %%
net = results["dropout (0.2 / 0.5)"]["model"]
print(net)
keep = 1 - net[3].p  # the dropout after the first hidden layer
lin2 = net[4]  # the Linear layer after it
W2, b2 = lin2.weight.numpy(), lin2.bias.numpy()
with mg.no_grad():
    A = net[2](net[1](mg.tensor(X_val[:4]))).numpy()  # (4, 256): the first hidden layer's ReLU output

n_masks = 20_000
drop = nn.Dropout(p=1 - keep)
drop.train()
mg.manual_seed(2)
with mg.no_grad():
    A_inverted = drop(mg.tensor(np.broadcast_to(A, (n_masks, *A.shape)).copy())).numpy()  # A ⊙ D / keep
A_plain = A_inverted * keep  # the same masks without the 1/keep scale: A ⊙ D

z_inverted = (A_inverted @ W2.T + b2).mean(axis=0)  # E over masks, inverted dropout in training
z_plain = (A_plain @ W2.T + b2).mean(axis=0)  # E over masks, original dropout in training
z_test_inverted = A @ W2.T + b2  # test time, inverted: nothing to do
z_test_scaled = A @ (keep * W2).T + b2  # test time, original: weights × keep

kept = (A_inverted != 0).mean() / (A != 0).mean()
print(f"fraction of nonzero activations kept by the masks: {kept:.4f} (keep = {keep})")
scale = np.abs(z_test_inverted).mean()
e1 = np.abs(z_inverted - z_test_inverted).max() / scale
e2 = np.abs(z_plain - z_test_scaled).max() / scale
print(f"inverted: mean over masks vs test output A·Wᵀ          relative difference {e1:.4f}")
print(f"original: mean over masks vs test output A·(keep·W)ᵀ   relative difference {e2:.4f}")
print("output for image 0, inverted dropout at test time:", z_test_inverted[0, :4], "…")
print("output for image 0, averaged over masks:          ", z_inverted[0, :4], "…")
assert e1 < 0.02 and e2 < 0.02

# %% [markdown]
# Both averages agree with their test-time rule to within about 1 % (Monte-Carlo error with 20 000
# masks). The two formulations are in fact the same model: a network trained with the original
# dropout learns next-layer weights `W' = W/keep`, and then its training-time outputs
# `(A ⊙ D)·W'ᵀ` are exactly the inverted network's, mask for mask, and its test-time weights
# `keep·W'` are exactly `W`:

# %%
W2_original = W2 / keep
same_training = np.abs(A_plain[:50] @ W2_original.T - A_inverted[:50] @ W2.T).max()
same_test = np.abs(keep * W2_original - W2).max()
print(f"training outputs differ by at most {same_training:.1e}; test-time weights differ by at most {same_test:.1e}")
assert same_training < 1e-4 and same_test < 1e-6

# %% [markdown]
# Inverted dropout is preferred because test time needs no change at all — the network can be
# used, exported or evaluated without knowing it was trained with dropout.
