"""minigrad.tune: search spaces, grid and random search, refinement, results tables."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from minigrad.tune import (
    Choice,
    IntUniform,
    LogUniform,
    Results,
    Trial,
    Uniform,
    grid_search,
    random_search,
    refine,
    sample,
)


def _peak_at_1e3(params):
    """A fake validation accuracy, best at lr = 1e-3 and width 128."""
    return 1.0 - abs(math.log10(params["lr"]) + 3) - abs(params.get("width", 128) - 128) / 1000


def test_random_search_is_reproducible_with_a_seed():
    space = {
        "lr": LogUniform(1e-5, 1e-1),
        "width": IntUniform(16, 256),
        "p": Uniform(0.0, 0.5),
        "act": ["relu", "tanh"],
    }
    a = random_search(_peak_at_1e3, space, n_trials=12, seed=42)
    b = random_search(_peak_at_1e3, space, n_trials=12, seed=42)
    c = random_search(_peak_at_1e3, space, n_trials=12, seed=43)
    assert [t.params for t in a] == [t.params for t in b]
    assert [t.params for t in a] != [t.params for t in c]
    assert sample(space, 7) == sample(space, 7)


def test_log_uniform_spreads_evenly_over_decades():
    rng = np.random.default_rng(0)
    dim = LogUniform(1e-5, 1e-1)
    values = np.array([dim.sample(rng) for _ in range(8000)])
    assert values.min() >= 1e-5 and values.max() <= 1e-1
    counts = np.histogram(np.log10(values), bins=[-5, -4, -3, -2, -1])[0]
    assert np.all(np.abs(counts - 2000) < 150), counts  # ~2000 ± 4 standard deviations per decade
    # a linear Uniform over the same range would put ~90% in the top decade
    linear = np.array([Uniform(1e-5, 1e-1).sample(rng) for _ in range(2000)])
    assert np.mean(linear > 1e-2) > 0.85


def test_int_uniform_includes_both_ends_and_choices_are_uniform():
    rng = np.random.default_rng(1)
    ints = [IntUniform(1, 3).sample(rng) for _ in range(600)]
    assert set(ints) == {1, 2, 3} and all(isinstance(v, int) for v in ints)
    picks = [Choice(["a", "b"]).sample(rng) for _ in range(1000)]
    assert 400 < picks.count("a") < 600


def test_grid_search_covers_the_product():
    seen = []

    def train_fn(params):
        seen.append(params)
        return params["a"] * params["lr"]

    space = {"a": [1, 2, 3], "lr": LogUniform(1e-3, 1e-1), "depth": IntUniform(2, 3)}
    results = grid_search(train_fn, space, points_per_range=3)
    assert len(results) == len(seen) == 3 * 3 * 2  # IntUniform(2, 3) has only two distinct points
    lrs = sorted({p["lr"] for p in seen})
    assert lrs == pytest.approx([1e-3, 1e-2, 1e-1])
    combos = {(p["a"], round(math.log10(p["lr"])), p["depth"]) for p in seen}
    assert combos == set(itertools.product([1, 2, 3], [-3, -2, -1], [2, 3]))
    assert results.best.params["a"] == 3 and results.best.params["lr"] == pytest.approx(0.1)


def test_results_sorted_by_score_with_mode_and_nan_last():
    trials = [
        Trial({"x": 1}, 0.5, 0),
        Trial({"x": 2}, float("nan"), 1),
        Trial({"x": 3}, 0.9, 2),
        Trial({"x": 4}, 0.1, 3),
    ]
    best_first = Results(trials, mode="max")
    assert [t.params["x"] for t in best_first] == [3, 1, 4, 2]
    lowest_first = Results(trials, mode="min")
    assert [t.params["x"] for t in lowest_first] == [4, 1, 3, 2]
    assert lowest_first.best.score == 0.1
    records = best_first.to_records()
    assert records[0]["rank"] == 1 and records[0]["x"] == 3 and records[0]["score"] == 0.9
    table = best_first.as_table()
    lines = table.splitlines()
    assert lines[0] == "| rank | trial | x | score | seconds |" and len(lines) == 2 + 4
    assert "| 1 | 2 | 3 | 0.9 |" in lines[2]


def test_min_mode_search_and_dict_scores():
    def train_fn(params):
        return {"score": (params["x"] - 0.3) ** 2, "epochs": 7}

    results = random_search(train_fn, {"x": Uniform(0, 1)}, n_trials=30, seed=0, mode="min")
    scores = [t.score for t in results]
    assert scores == sorted(scores)
    assert abs(results.best.params["x"] - 0.3) < 0.1
    assert results.to_records()[0]["epochs"] == 7


def test_refine_narrows_ranges_around_the_best():
    space = {
        "lr": LogUniform(1e-6, 1.0),
        "width": IntUniform(16, 512),
        "p": Uniform(0.0, 0.8),
        "opt": ["sgd", "adam", "rmsprop"],
    }

    def train_fn(params):
        return _peak_at_1e3(params) - abs(params["p"] - 0.2) + (0.5 if params["opt"] == "adam" else 0.0)

    coarse = random_search(train_fn, space, n_trials=40, seed=0)
    fine_space = refine(coarse, space, top_k=3, shrink=0.5)
    lr, width, p = fine_space["lr"], fine_space["width"], fine_space["p"]
    assert isinstance(lr, LogUniform) and isinstance(width, IntUniform) and isinstance(p, Uniform)
    # half as wide (on a log scale for the learning rate) and inside the old range
    assert math.log10(lr.high / lr.low) == pytest.approx(3.0)
    assert p.high - p.low == pytest.approx(0.4)
    assert width.high - width.low == pytest.approx((512 - 16) / 2, abs=1)
    assert 1e-6 <= lr.low and lr.high <= 1.0 and 0 <= p.low and p.high <= 0.8 and 16 <= width.low
    # centred on the top trials (the geometric mean for the learning rate) unless pushed in by an edge
    top = coarse.top(3)
    centre = np.mean([math.log10(t.params["lr"]) for t in top])
    assert (math.log10(lr.low) + math.log10(lr.high)) / 2 == pytest.approx(centre)
    assert 1e-4 < 10**centre < 1e-2 and lr.low < 1e-3 < lr.high
    p_centre = np.mean([t.params["p"] for t in top])
    assert (p.low + p.high) / 2 == pytest.approx(min(max(p_centre, 0.2), 0.6))
    assert fine_space["opt"] == ["adam"]  # only choices that appear among the top trials
    fine = random_search(train_fn, fine_space, n_trials=40, seed=1)
    both = coarse + fine
    assert len(both) == 80 and both.best.score >= coarse.best.score
    assert len({t.index for t in both}) == 80


def test_refine_stays_inside_the_old_range_at_an_edge():
    space = {"x": Uniform(0.0, 1.0)}
    results = Results([Trial({"x": 0.99}, 1.0, 0), Trial({"x": 0.1}, 0.0, 1)])
    narrowed = refine(results, space, top_k=1, shrink=0.2)["x"]
    assert narrowed.high == pytest.approx(1.0) and narrowed.low == pytest.approx(0.8)


def test_bad_spaces_and_arguments_are_clear():
    with pytest.raises(ValueError, match="low must be > 0"):
        LogUniform(0.0, 1.0)
    with pytest.raises(ValueError, match="above"):
        Uniform(2.0, 1.0)
    with pytest.raises(TypeError, match="'lr'"):
        random_search(_peak_at_1e3, {"lr": object()}, n_trials=1)
    with pytest.raises(ValueError, match="n_trials"):
        random_search(_peak_at_1e3, {"lr": [1e-3]}, n_trials=0)
    with pytest.raises(ValueError, match="mode"):
        random_search(_peak_at_1e3, {"lr": [1e-3]}, n_trials=1, mode="best")
    with pytest.raises(ValueError, match="shrink"):
        refine(Results([Trial({"x": 1}, 1.0, 0)]), {"x": Uniform(0, 2)}, shrink=0)


def test_a_failing_trial_keeps_the_finished_trials_on_the_exception():
    def train_fn(params):
        if params["lr"] > 5e-3:
            raise FloatingPointError(f"diverged at lr={params['lr']}")
        return _peak_at_1e3(params)

    with pytest.raises(FloatingPointError, match="diverged") as info:
        grid_search(train_fn, {"lr": LogUniform(1e-4, 1e-1)}, points_per_range=4)
    partial = info.value.partial_results
    assert isinstance(partial, Results) and len(partial) == 2  # 1e-4 and 1e-3 ran; 1e-2 raised
    assert partial.best.params["lr"] == pytest.approx(1e-3)
    with pytest.raises(TypeError) as info:  # a score that is not a number fails the same way
        random_search(lambda p: None, {"lr": [1e-3]}, n_trials=2)
    assert len(info.value.partial_results) == 0


def test_bad_grid_refine_and_choice_arguments_name_what_is_wrong():
    with pytest.raises(TypeError, match=r"points_per_range must be an int, got 2.5"):
        grid_search(_peak_at_1e3, {"lr": LogUniform(1e-3, 1e-1)}, points_per_range=2.5)
    trials = [Trial({"lr": 1e-3}, 0.9, 0), Trial({"lr": -1.0}, 0.8, 1)]
    with pytest.raises(ValueError, match=r"lr=-1.0 .* LogUniform\(0.0001, 0.1\)"):
        refine(Results(trials), {"lr": LogUniform(1e-4, 1e-1)}, top_k=2)
    with pytest.raises(ValueError, match=r"'act' is an empty list"):
        random_search(_peak_at_1e3, {"lr": [1e-3], "act": []}, n_trials=1)
