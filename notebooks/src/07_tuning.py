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
#    one batch, regularise and tune (and the winner's curse of picking the best of many noisy
#    trials), squeeze out the last gains (a learning-rate schedule), test once;
# 6. **Try it**: four exercises with checks.

# %%
import importlib
import os
import sys

import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.data import DataLoader, TensorDataset, load_digits, standardize, train_val_test_split
from minigrad.optim import lr_scheduler
from minigrad.train import EarlyStopping, evaluate, fit
from minigrad.tune import LogUniform, Uniform, grid_search, random_search, refine, sample

if os.getcwd() not in sys.path:  # the kernel runs in notebooks/: the exercises' reference solutions live there
    sys.path.insert(0, os.getcwd())
solutions = importlib.import_module("solutions.07_tuning")

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
# How often depends on where the peak sits. At 0.07 it falls between the grid's learning rates
# (1e-4, 1e-2, 1), the grid's best try is 0.85 decades off, and random wins 99 % of the time; a
# peak on a grid point gives the grid a perfect score. The same 300 random searches, scored for
# peaks placed across the range:

# %%
rand_lrs = np.array([[t.params["lr"] for t in random_search(toy_score, toy_space, n_trials=9, seed=s)]
                     for s in range(300)])  # the trials do not depend on the score


def peak_score(lr, peak):
    return np.exp(-((np.log10(lr) - np.log10(peak)) ** 2) / (2 * 0.5**2))


grid_lr_values = np.array(sorted({t.params["lr"] for t in grid}))
peaks = np.logspace(-4, 0, 41)  # every 0.1 decade
win_rate = np.array([np.mean(peak_score(rand_lrs, pk).max(1) > peak_score(grid_lr_values, pk).max()) for pk in peaks])
win_at = {pk: np.mean(peak_score(rand_lrs, pk).max(1) > peak_score(grid_lr_values, pk).max())
          for pk in (1e-2, 0.03, 0.07, 0.1, 0.3)}
for pk, w in win_at.items():
    print(f"peak at lr = {pk:<5g} random (9 trials) beats the 3 × 3 grid in {w:.0%}")
print(f"averaged over 41 peak positions spread evenly (in log₁₀) over [1e-4, 1]: {win_rate.mean():.0%}")
assert win_at[1e-2] == 0 and win_at[0.07] > 0.9
assert 0.5 < win_rate.mean() < 0.9

# %% [markdown]
# So "99 %" belongs to this peak: on a grid point the grid always wins, and averaged over where the
# peak might be, 9 random trials beat the 3 × 3 grid about three times in four. The
# argument for random search is not that it wins any single case but that it does not need to
# know in advance where the good values lie, and that it tests 9 learning rates instead of 3.
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


def train_fn(params, epochs=5, seed=0):
    """Train the MLP with params["lr"], params["l2"]; returns the validation accuracy (0 if it diverged)."""
    mg.manual_seed(seed)  # the initial weights and the order of the batches
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
n_val = len(y_val)
se = np.sqrt(0.97 * 0.03 / n_val)
print(f"\nthe two bests differ by {round((coarse.best.score - grid.best.score) * n_val)} of {n_val} validation images; "
      f"one standard error of an accuracy near 97 % is {se:.1%} ({se * n_val:.1f} images)")

# %% [markdown]
# Random search found a better best here (98.1 % against 96.9 %), but that is 4 validation images,
# about 1.3 standard errors of a single accuracy, from one seed each: not a significant
# difference (section 5 re-trains the top settings with five seeds). What the table does show
# clearly is the structure: which learning rates fail and which work.
#
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
best_change = round((fine.best.score - coarse.best.score) * n_val)
print(f"best trial: coarse {coarse.best.score:.1%} → fine {fine.best.score:.1%} ({best_change:+d} validation images)")
assert abs(fine.best.score - coarse.best.score) < 2 * se

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
# dashed box around the good region: its median trial is better than the coarse search's (96.7 %
# against 95.6 %), and none failed. Its *best* trial is not better (97.5 % against 98.1 %, 2
# validation images): the top trials of both searches lie within the validation set's noise of each
# other, so "coarse to fine" is shown here by the median and the failures, not by the maximum.
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
#   validation loss and kept the best epoch's weights (printed above: whether it had to stop).
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
# **Regularise and tune** (sections 3 and 4). The best of 28 trials is a maximum of noisy scores:
# each trial is one seed, 5 epochs, scored on 360 validation images, and the one that came out on
# top was probably also lucky — the **winner's curse**. Before choosing, re-train the five best
# settings of the coarse and fine searches with five fresh seeds each and compare their means:

# %%
top = (coarse + fine).top(5)
reeval = [(t, np.array([train_fn(t.params, seed=s) for s in range(1, 6)])) for t in top]  # seeds 1-5: new ones
print(f"{'lr':>8} {'l2':>9} {'search score (1 seed)':>22} {'5 new seeds: mean ± sd':>24}")
for t, accs in reeval:
    print(f"{t.params['lr']:>8.3g} {t.params['l2']:>9.2g} {t.score:>22.1%} {accs.mean():>17.1%} ± {accs.std(ddof=1):.1%}")
search_scores = np.array([t.score for t, _ in reeval])
reeval_means = np.array([a.mean() for _, a in reeval])
print(f"mean over the top 5: search score {search_scores.mean():.1%}, re-trained {reeval_means.mean():.1%} "
      f"(the search's winner: {search_scores[0]:.1%} → {reeval_means[0]:.1%})")
assert reeval_means.mean() < search_scores.mean()  # the selected scores were optimistic
chosen, chosen_accs = max(reeval, key=lambda ta: ta[1].mean())
best = chosen.params
print("chosen (best 5-seed mean):", {k: float(f"{v:.3g}") for k, v in best.items()})

# %% [markdown]
# Re-trained, the top five average 97.0 % instead of the 97.6 % that selected them, and the
# search's winner falls furthest, from 98.1 % to 96.3 % (the largest spread over seeds, too): part
# of each top score was the luck of its seed. Averaging a few seeds per finalist costs 25 short runs and chooses on
# a less noisy number (its differences are still small, about the size of one seed's spread).
#
# **Squeeze out the last gains.** The recipe's last step: here, a learning-rate schedule (06 §3
# showed a cosine decay cutting the noise floor of SGD by a thousand times on the valley). The
# chosen settings, 30 epochs, constant rate vs `CosineAnnealingLR(T_max=30)`, five seeds each, on
# the validation set:

# %%
def train_sched(params, cosine, seed, epochs=30):
    mg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = optim.SGD(model.parameters(), lr=params["lr"], momentum=0.9)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=epochs) if cosine else None
    with np.errstate(all="ignore"):
        h = fit(model, nn.RegularizedLoss(ce_loss, model, l2=params["l2"]), opt,
                DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True),
                DataLoader(TensorDataset(X_val, y_val), batch_size=len(X_val)), epochs=epochs, progress=False,
                scheduler=sched)
    return h.train_loss[-1], h.val_loss[-1], h.val_acc[-1]


squeeze = {name: np.array([train_sched(best, cos, s) for s in range(1, 6)])
           for name, cos in (("constant", False), ("cosine", True))}
for name, r in squeeze.items():
    print(f"{name:<9} training loss {r[:, 0].mean():.4f} ± {r[:, 0].std(ddof=1):.4f}   "
          f"validation loss {r[:, 1].mean():.3f} ± {r[:, 1].std(ddof=1):.3f}   "
          f"validation accuracy {r[:, 2].mean():.1%} ± {r[:, 2].std(ddof=1):.1%}")
diff = squeeze["cosine"][:, 2] - squeeze["constant"][:, 2]  # paired: the same seed, the same initial weights
se_diff = diff.std(ddof=1) / np.sqrt(len(diff))
print(f"cosine − constant, validation accuracy, paired over 5 seeds: {diff.mean():+.2%} ± {se_diff:.2%} (standard error)")
use_cosine = diff.mean() > 2 * se_diff
print("→ " + ("the schedule helps beyond the noise: use it" if use_cosine else
              "no gain beyond the noise: keep the constant rate"))
assert abs(diff.mean()) < 0.01  # on this easy problem the schedule changes accuracy by well under a point

# %% [markdown]
# On this small, nearly separable problem the schedule's effect on validation accuracy is a
# fraction of a point and within the noise of five seeds: the final model keeps the constant rate
# (the decision above is made by that rule, not by hand). The noise floor a schedule removes is
# real (06 §3), but here the training loss is already close to 0 and the validation error comes
# from generalisation, not from optimisation noise — squeezing pays off only where the remaining
# error is the kind the trick reduces.
#
# **Test once.** Train the final model with the chosen hyperparameters, with early stopping on the
# validation set, and evaluate it **once** on the test set:

# %%
mg.manual_seed(0)
final_model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
final_opt = optim.SGD(final_model.parameters(), lr=best["lr"], momentum=0.9)
mg.manual_seed(1)
history = fit(final_model, nn.RegularizedLoss(ce_loss, final_model, l2=best["l2"]), final_opt,
              DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True),
              DataLoader(TensorDataset(X_val, y_val), batch_size=len(X_val)),
              epochs=60, progress=False, callbacks=[EarlyStopping(patience=8)],
              scheduler=lr_scheduler.CosineAnnealingLR(final_opt, T_max=60) if use_cosine else None)
val_at_best = evaluate(final_model, DataLoader(TensorDataset(X_val, y_val), batch_size=len(X_val)), ce_loss)
test = evaluate(final_model, DataLoader(TensorDataset(X_test, y_test), batch_size=len(X_test)), ce_loss)
print(f"trained {len(history)} epochs, best epoch {history.best_epoch} (weights restored); "
      f"validation accuracy {val_at_best['accuracy']:.1%} (highest of any epoch {max(history.val_acc):.1%}); "
      f"test accuracy {test['accuracy']:.1%} (majority baseline {np.mean(y_test == majority):.1%})")
print(f"test − validation: {round((test['accuracy'] - val_at_best['accuracy']) * len(y_test)):+d} images of "
      f"{len(y_test)}; one standard error ≈ {np.sqrt(0.97 * 0.03 / len(y_test)) * len(y_test):.1f} images")
assert test["accuracy"] > 0.95

# %% [markdown]
# The test accuracy is measured once, after every choice was made on the validation set; it
# estimates how the model does on new digits. The validation accuracy of the chosen model is
# itself slightly optimistic — the hyperparameters, the stopping epoch and the search's winner were
# all picked for doing well on those 360 images — which is why the final number comes from the
# untouched test set. Here the two agree to the image; a gap of a few images either way would be
# within the noise (one standard error is about 3 images).
#
# ## 6. Try it
#
# Four exercises. Each has a stub `my_...` to replace with your code and a check cell. While the stub
# still raises `NotImplementedError`, the check runs the reference solution from
# `notebooks/solutions/07_tuning.py` instead (so the notebook runs top to bottom; set the
# environment variable `MINIGRAD_SOLUTIONS=0` to make a stub an error). Write your own first.
#
# **Exercise 1 — log-scale sampling.** Write `my_log_uniform(low, high, n, rng)` returning `n`
# samples whose `log₁₀` is uniform, using only `rng` (a `np.random.Generator`). The check draws 8 000
# over `[1e-5, 1]` and counts the share in each decade (each should get about 20 %).

# %%
def my_log_uniform(low, high, n, rng):
    """Return an array of n log-uniform samples in [low, high]."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("log-uniform", solutions.check_log_uniform, my_log_uniform, solutions.log_uniform)

# %% [markdown]
# **Exercise 2 — predict, then measure.** Suppose the good learning rates fill the top 5 % of the
# search range (in log scale). Write down first: with `n` random trials, what is the probability
# that at least one lands there? Code it as `my_p_hit(n, frac)`. The check runs `random_search` 400
# times for `n` = 5, 20 and 60 and compares, then asks your formula how many trials make a hit 95 %
# likely.

# %%
def my_p_hit(n, frac):
    """Return the probability that at least one of n random trials falls in a region holding frac of the space."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("predict the hit rate", solutions.check_p_hit, my_p_hit, solutions.p_hit)

# %% [markdown]
# **Exercise 3 — read the curves.** Write `my_diagnose(train_loss, val_loss)` returning `"under"`
# when the training loss is above 0.3, otherwise `"over"` when the validation loss exceeds the
# training loss by more than 0.1, otherwise `"good"`. The check feeds it the three runs of
# section 4 (their measured final losses) and some edge cases.

# %%
def my_diagnose(train_loss, val_loss):
    """Return "under", "over" or "good"."""
    raise NotImplementedError  # ← replace with your code


measured = {name: (tr, va, verdicts[name].split("-")[0].split()[0]) for name, (_, tr, va, _) in runs.items()}
solutions.try_it("diagnose", lambda fn: solutions.check_diagnose(fn, measured), my_diagnose, solutions.diagnose)

# %% [markdown]
# **Exercise 4 — a schedule by its formula.** Write the cosine-annealing learning rate at epoch `t`,
# `my_cosine_lr(t, base_lr, T_max, eta_min)`, from `base_lr` at `t = 0` down to `eta_min` at
# `t = T_max`. The check compares it, epoch by epoch, with what `lr_scheduler.CosineAnnealingLR`
# writes into an optimizer.

# %%
def my_cosine_lr(t, base_lr, T_max, eta_min=0.0):
    """Return the learning rate at epoch t."""
    raise NotImplementedError  # ← replace with your code


solutions.try_it("cosine schedule", solutions.check_cosine, my_cosine_lr, solutions.cosine_lr)
