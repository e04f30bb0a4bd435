# %% [markdown]
# # 07 · Tuning and the training recipe
#
# Hyperparameters — the learning rate and its schedule, the architecture, the regularisation
# strength, the optimizer, the batch size — are chosen by training and comparing on a validation
# set. This notebook measures the course's advice on how to search, with `minigrad.tune`:
#
# 1. **grid versus random search** when only some hyperparameters matter;
# 2. sampling learning rates and penalties on a **log scale**;
# 3. a real search on the digits MLP over the learning rate and the L2 strength, **coarse to
#    fine**;
# 4. **reading the loss curves** for under- and over-fitting;
# 5. the **recipe** end to end: look at the data, a dumb baseline, check the skeleton, over-fit
#    one batch, regularise and tune, test once.

# %%
import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import DataLoader, TensorDataset, load_digits, standardize, train_val_test_split
from minigrad.train import EarlyStopping, evaluate, fit
from minigrad.tune import LogUniform, Uniform, grid_search, random_search, refine, sample

mg.manual_seed(0)
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. Grid versus random search
#
# Often only a few hyperparameters matter much. Take a validation score that depends on the
# learning rate only — peaked at `α = 0.07`, one decade wide — and not at all on the L2 strength
# `λ`, both searched over `[1e-4, 1]` on a log scale. A 3 × 3 grid spends its 9 trials on only **3**
# learning rates; 9 random trials try **9** different ones.

# %%
def toy_score(params):
    return float(np.exp(-((np.log10(params["lr"]) - np.log10(0.07)) ** 2) / (2 * 0.5**2)))


toy_space = {"lr": LogUniform(1e-4, 1.0), "l2": LogUniform(1e-4, 1.0)}
grid = grid_search(toy_score, toy_space, points_per_range=3)
rand = random_search(toy_score, toy_space, n_trials=9, seed=0)
print(f"grid:   {len({t.params['lr'] for t in grid})} distinct learning rates, best score {grid.best.score:.3f} "
      f"at lr = {grid.best.params['lr']:.2g}")
print(f"random: {len({t.params['lr'] for t in rand})} distinct learning rates, best score {rand.best.score:.3f} "
      f"at lr = {rand.best.params['lr']:.2g}")

repeats = [random_search(toy_score, toy_space, n_trials=9, seed=s).best.score for s in range(300)]
wins = np.mean(np.array(repeats) > grid.best.score)
print(f"over 300 random searches of 9 trials: better than the grid in {wins:.0%}, "
      f"median best score {np.median(repeats):.3f} (grid: {grid.best.score:.3f})")
assert len({t.params["lr"] for t in grid}) == 3 and len({t.params["lr"] for t in rand}) == 9
assert wins > 0.7

fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
lr_axis = np.logspace(-4, 0, 200)
for ax, (name, res) in zip(axes, (("grid search, 9 trials", grid), ("random search, 9 trials", rand))):
    lrs = np.array([t.params["lr"] for t in res])
    l2s = np.array([t.params["l2"] for t in res])
    ax.scatter(lrs, l2s, c=[t.score for t in res], cmap="viridis", vmin=0, vmax=1, s=60, edgecolors="k")
    for v in lrs:
        ax.axvline(v, ymin=0, ymax=0.06, color="tab:red", lw=1.5)
    ax.plot(lr_axis, 1e-4 * 10 ** (3.2 * np.array([toy_score({"lr": v}) for v in lr_axis])), color="gray", lw=1,
            label="score as a function of lr (scaled)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate (matters)")
    ax.set_title(f"{name}: best {res.best.score:.2f}")
axes[0].set_ylabel("L2 strength λ (does not matter here)")
axes[0].legend(fontsize=8, loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# The red ticks are the learning rates each search actually tried. Over 300 repetitions, 9 random
# trials beat the 3 × 3 grid most of the time: each random trial is a new value of *every*
# hyperparameter, so none is wasted on repeating a learning rate with a different irrelevant `λ`.
#
# ## 2. Sampling on a log scale
#
# Between 1e-4 and 1, a learning rate of 1e-4 differs from 1e-3 as much as 0.1 from 1: what
# matters is the ratio. Uniform sampling on `[1e-4, 1]` puts 90 % of the samples in the last decade;
# `LogUniform` samples `log₁₀ α` uniformly, so each decade gets a quarter. Layer counts and widths,
# by contrast, are sampled linearly (`IntUniform`).

# %%
rng = np.random.default_rng(0)
draws = {
    "Uniform(1e-4, 1)": np.array([sample({"lr": Uniform(1e-4, 1.0)}, rng)["lr"] for _ in range(4000)]),
    "LogUniform(1e-4, 1)": np.array([sample({"lr": LogUniform(1e-4, 1.0)}, rng)["lr"] for _ in range(4000)]),
}
decades = [(1e-4, 1e-3), (1e-3, 1e-2), (1e-2, 1e-1), (1e-1, 1.0)]
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, d in draws.items():
    ax.hist(np.log10(d), bins=40, range=(-4, 0), alpha=0.6, label=name)
    shares = [np.mean((d >= lo) & (d < hi)) for lo, hi in decades]
    print(f"{name:<20} share per decade 1e-4…1e-3, …, 0.1…1: " + "  ".join(f"{s:.3f}" for s in shares))
ax.set_xlabel("log₁₀ of the sampled learning rate")
ax.set_ylabel("samples")
ax.legend()
plt.show()
assert np.mean(draws["Uniform(1e-4, 1)"] >= 0.1) > 0.85
assert all(abs(np.mean((draws["LogUniform(1e-4, 1)"] >= lo) & (draws["LogUniform(1e-4, 1)"] < hi)) - 0.25) < 0.03
           for lo, hi in decades)

# %% [markdown]
# ## 3. A real search: learning rate and L2 on the digits, coarse to fine
#
# An MLP `64 → 128 → 10` (ReLU), SGD with momentum 0.9, 5 epochs, cross-entropy plus
# `l2·½Σ‖W‖²`; the score is the accuracy on the validation split (the test split is not touched
# until the very end). Each trial takes a fraction of a second. First the coarse search over four
# decades of `α` and five of `λ`: a 4 × 4 grid and 16 random trials.

# %%
X, y = load_digits()
X_train, X_val, X_test, y_train, y_val, y_test = train_val_test_split(X, y, val_size=0.2, test_size=0.2, seed=0)
X_train, X_val, X_test = standardize(X_train, X_val, X_test)
print(f"train {len(X_train)}, validation {len(X_val)}, test {len(X_test)}")
ce_loss = nn.CrossEntropyLoss()


def train_fn(params, epochs=5):
    """Train the MLP with params["lr"], params["l2"]; returns the validation accuracy (0 if it diverged)."""
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    loss_fn = nn.RegularizedLoss(ce_loss, model, l2=params["l2"])
    train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=len(X_val))
    with np.errstate(all="ignore"):
        h = fit(model, loss_fn, optim.SGD(model.parameters(), lr=params["lr"], momentum=0.9),
                train_loader, val_loader, epochs=epochs, progress=False)
    return h.val_acc[-1] if np.isfinite(h.val_loss[-1]) else 0.0


space = {"lr": LogUniform(1e-4, 1.0), "l2": LogUniform(1e-5, 1.0)}
grid = grid_search(train_fn, space, points_per_range=4)
coarse = random_search(train_fn, space, n_trials=16, seed=0)
print("grid search, best 5:\n" + grid.as_table(max_rows=5))
print("\nrandom search, best 5:\n" + coarse.as_table(max_rows=5))
print(f"\ndistinct learning rates tried: grid {len({t.params['lr'] for t in grid})}, random "
      f"{len({t.params['lr'] for t in coarse})}; best validation accuracy: grid {grid.best.score:.1%}, "
      f"random {coarse.best.score:.1%}")

grid_lrs = sorted({t.params["lr"] for t in grid})
grid_l2s = sorted({t.params["l2"] for t in grid})
table = np.array([[next(t.score for t in grid if t.params["lr"] == a and t.params["l2"] == b) for b in grid_l2s]
                  for a in grid_lrs])
print("\ngrid validation accuracy (rows: lr, columns: l2)")
print(f"{'':>9}" + "".join(f"{b:>9.0e}" for b in grid_l2s))
for a, row in zip(grid_lrs, table):
    print(f"{a:>9.1e}" + "".join(f"{v:>9.1%}" for v in row))
assert table[0].max() < 0.2  # lr = 1e-4: not trained after 5 epochs
assert table[2, :3].min() > 0.95 and table[:, 3].max() < 0.4  # lr ≈ 0.05 works until l2 = 1 ruins every lr
assert table[3].max() < table[2].max() and table[1].max() < table[2].max()

# %% [markdown]
# Then **coarse to fine**: `refine` centres a narrower space (half the width, in log₁₀) on the
# three best random trials, and we search again there.

# %%
fine_space = refine(coarse, space, top_k=3, shrink=0.5)
fine = random_search(train_fn, fine_space, n_trials=12, seed=1)
print("fine space:", fine_space)
print("fine search, best 5:\n" + fine.as_table(max_rows=5))


def decades_of(r):
    return np.log10(r.high) - np.log10(r.low)


for name, res in (("coarse random", coarse), ("fine random", fine)):
    scores = np.array([t.score for t in res])
    print(f"{name:<14} median accuracy {np.median(scores):.1%}, best {scores.max():.1%}, "
          f"trials below 50 %: {np.sum(scores < 0.5)}")
print(f"search width: lr {decades_of(space['lr']):.0f} → {decades_of(fine_space['lr']):.0f} decades, "
      f"l2 {decades_of(space['l2']):.0f} → {decades_of(fine_space['l2']):.1f} decades")
assert decades_of(fine_space["lr"]) == 0.5 * decades_of(space["lr"])
assert np.median([t.score for t in fine]) > np.median([t.score for t in coarse])
assert min(t.score for t in fine) > 0.5

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharex=True, sharey=True)
panels = (("grid (4 × 4)", [("grid", grid, "s")]),
          ("random: coarse (●) then fine (▲)", [("coarse", coarse, "o"), ("fine", fine, "^")]))
for ax, (title, groups) in zip(axes, panels):
    for label, res, marker in groups:
        sc = ax.scatter([t.params["lr"] for t in res], [t.params["l2"] for t in res], c=[t.score for t in res],
                        cmap="viridis", vmin=0, vmax=1, marker=marker, s=70, edgecolors="k", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("learning rate α")
    ax.set_title(title)
lo_lr, hi_lr = fine_space["lr"].low, fine_space["lr"].high
lo_l2, hi_l2 = fine_space["l2"].low, fine_space["l2"].high
axes[1].add_patch(plt.Rectangle((lo_lr, lo_l2), hi_lr - lo_lr, hi_l2 - lo_l2, fill=False, ls="--", color="tab:red"))
axes[0].set_ylabel("L2 strength")
fig.colorbar(sc, ax=axes, label="validation accuracy")
plt.show()

# %% [markdown]
# The grid table shows the typical picture: the learning rate matters most — at 1e-4 nothing has
# been learned in 5 epochs, 2e-3 is still slow, about 0.05 works, 1 is too large — while `λ` hardly
# matters up to 0.02 and ruins every run at 1. The fine search spends all its trials inside the
# dashed box around the good region: its median trial is better than the coarse search's, and none
# failed.
#
# ## 4. Reading the loss curves
#
# The training and validation curves tell which way to go next. Three runs (Adam, `η = 1e-3`):
#
# - a network with **2 hidden units**, 40 epochs;
# - the big `64 → 256 → 256 → 10` network on only **200** training images, 60 epochs, no
#   regularisation;
# - `64 → 128 → 10` on all training images with L2 and early stopping.

# %%
def curves(model, X_tr, y_tr, epochs, l2=0.0, early_stopping=None):
    loss_fn = nn.RegularizedLoss(ce_loss, model, l2=l2) if l2 else ce_loss
    mg.manual_seed(1)
    train_loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=len(X_val))
    h = fit(model, loss_fn, optim.Adam(model.parameters(), lr=1e-3), train_loader, val_loader, epochs=epochs,
            progress=False, callbacks=[early_stopping] if early_stopping else [])
    train_eval = evaluate(model, DataLoader(TensorDataset(X_tr, y_tr), batch_size=len(X_tr)), ce_loss)
    val_eval = evaluate(model, val_loader, ce_loss)
    return h, train_eval["loss"], val_eval["loss"], val_eval["accuracy"]


mg.manual_seed(0)
runs = {
    "2 hidden units": curves(nn.Sequential(nn.Linear(64, 2), nn.ReLU(), nn.Linear(2, 10)), X_train, y_train, 40),
}
mg.manual_seed(0)
runs["big net, 200 images"] = curves(
    nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)),
    X_train[:200], y_train[:200], 60)
mg.manual_seed(0)
runs["L2 + early stopping"] = curves(nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)),
                                     X_train, y_train, 60, l2=1e-3, early_stopping=EarlyStopping(patience=8))

fig, axes = plt.subplots(1, 3, figsize=(15, 3.8), sharey=True)
for ax, (name, (h, tr, va, acc)) in zip(axes, runs.items()):
    ax.plot(h.epochs, h.train_loss, label="training loss")
    ax.plot(h.epochs, h.val_loss, label="validation loss")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_title(f"{name}\ntrain {tr:.3f}, validation {va:.3f}, val acc {acc:.1%}", fontsize=10)
    ax.grid(alpha=0.3, which="both")
axes[0].set_ylabel("cross-entropy (log scale)")
axes[0].legend()
fig.tight_layout()
plt.show()


def diagnose(train_loss, val_loss, high=0.3, gap=0.1):
    if train_loss > high:
        return "under-fitting: training loss itself is high → more capacity, train longer"
    if val_loss - train_loss > gap:
        return "over-fitting: big train/validation gap → more data or regularisation"
    return "good fit: low training loss, small gap"


verdicts = {}
for name, (_, tr, va, _) in runs.items():
    verdicts[name] = diagnose(tr, va)
    print(f"{name:<20} train {tr:.3f}  validation {va:.3f}  gap {va - tr:+.3f}  → {verdicts[name]}")
assert verdicts["2 hidden units"].startswith("under")
assert verdicts["big net, 200 images"].startswith("over")
assert verdicts["L2 + early stopping"].startswith("good")
h3 = runs["L2 + early stopping"][0]
print(f"L2 + early stopping: best epoch {h3.best_epoch} of {len(h3)}; "
      + (f"stopped early at epoch {h3.stopped_epoch}" if h3.stopped_epoch else "never triggered: still improving"))

# %% [markdown]
# - **Under-fitting**: both losses are high and close together. Two hidden units cannot represent
#   ten digits well; the remedy is more capacity (the third run has 128 hidden units) or longer
#   training, not regularisation.
# - **Over-fitting**: the training loss goes to about 0 while the validation loss stays far above
#   it. More data or more regularisation (notebook 04) helps.
# - The third run has a low training loss and a small gap. Early stopping (patience 8) watched the
#   validation loss and kept the best epoch's weights (printed below: whether it had to stop).
#
# ## 5. The recipe, end to end
#
# The course's recipe: become one with the data; an end-to-end skeleton and dumb baselines;
# over-fit; regularise; tune; squeeze out the last gains. Each step with its check:
#
# **Become one with the data.** What the inputs look like and how the classes are balanced:

# %%
X_raw, _ = load_digits()
fig, axes = plt.subplots(2, 10, figsize=(12, 2.8))
for digit in range(10):
    idx = np.nonzero(y == digit)[0][:2]
    for row in range(2):
        axes[row, digit].imshow(X_raw[idx[row]].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        axes[row, digit].axis("off")
    axes[0, digit].set_title(str(digit))
fig.suptitle("8×8 digits: pixel values 0–16 (ink per 4×4 block)")
plt.show()
counts = np.bincount(y_train, minlength=10)
print("training images per class:", counts, f" (smallest/largest = {counts.min() / counts.max():.2f})")
X_raw_train = train_val_test_split(X_raw, y, val_size=0.2, test_size=0.2, seed=0)[0]  # the same split, unscaled
print(f"pixel values: min {X_raw.min():.0f}, max {X_raw.max():.0f}; "
      f"pixels that are 0 in every training image: {int(np.sum(X_raw_train.max(0) == 0))}")

# %% [markdown]
# **Dumb baseline.** Always predicting the most frequent training class; any model must beat it.
# **Skeleton check.** An untrained network with small random weights should predict nearly uniform
# probabilities, i.e. an initial loss close to `ln 10 ≈ 2.303`; a very different value points to a
# bug in the loss or the data.

# %%
majority = np.bincount(y_train).argmax()
baseline_acc = np.mean(y_val == majority)
print(f"majority-class baseline: predict {majority} always → validation accuracy {baseline_acc:.1%}")

mg.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
with mg.no_grad():
    initial = float(ce_loss(model(mg.tensor(X_train)), mg.tensor(y_train)))
print(f"initial loss {initial:.3f}  (ln 10 = {np.log(10):.3f})")
assert baseline_acc < 0.15 and abs(initial - np.log(10)) < 0.3

# %% [markdown]
# **Over-fit one batch.** A model that cannot drive the loss to 0 on 32 examples has a bug or far
# too little capacity; this takes seconds and catches a lot.

# %%
xb, yb = mg.tensor(X_train[:32]), mg.tensor(y_train[:32])
opt = optim.Adam(model.parameters(), lr=1e-2)
for _ in range(100):
    opt.zero_grad()
    loss = ce_loss(model(xb), yb)
    loss.backward()
    opt.step()
print(f"loss on one batch of 32 after 100 Adam steps: {float(loss):.5f}")
assert float(loss) < 0.01

# %% [markdown]
# **Regularise and tune** (sections 3 and 4), then train the final model with the best
# hyperparameters of the coarse and fine searches together, with early stopping on the validation
# set, and evaluate it **once** on the test set:

# %%
best = (coarse + fine).best.params
print("chosen hyperparameters:", {k: float(f"{v:.3g}") for k, v in best.items()})
mg.manual_seed(0)
final_model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
mg.manual_seed(1)
history = fit(final_model, nn.RegularizedLoss(ce_loss, final_model, l2=best["l2"]),
              optim.SGD(final_model.parameters(), lr=best["lr"], momentum=0.9),
              DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True),
              DataLoader(TensorDataset(X_val, y_val), batch_size=len(X_val)),
              epochs=60, progress=False, callbacks=[EarlyStopping(patience=8)])
test = evaluate(final_model, DataLoader(TensorDataset(X_test, y_test), batch_size=len(X_test)), ce_loss)
print(f"trained {len(history)} epochs, best epoch {history.best_epoch}; "
      f"validation accuracy {max(history.val_acc):.1%}; test accuracy {test['accuracy']:.1%} "
      f"(majority baseline {np.mean(y_test == majority):.1%})")
assert test["accuracy"] > 0.95

# %% [markdown]
# The test accuracy is measured once, after every choice was made on the validation set; it
# estimates how the model does on new digits. Squeezing out the last gains — ensembles, longer
# training with a learning-rate schedule — would come after this point.
