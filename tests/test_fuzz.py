"""Differential fuzzing of autograd: random graphs, minigrad against PyTorch (or finite differences).

Each example is a random straight-line program over the op table (elementwise math with
broadcasting and Python scalars, activations, reductions with dims and keepdim, shape
ops and views, indexing, cat/stack, matmul, pow), mixing 0-d, size-1 and broadcast
shapes, reusing nodes, and (per profile) updating non-leaves in place and writing
through views. The program runs under minigrad and, from the same text, under torch:
forward values, ``.grad`` after ``backward()`` (twice with ``retain_graph=True`` in some
graphs), ``autograd.grad(create_graph=True)`` and a second differentiation must agree.
Without torch, forward values are checked against a NumPy shadow of the program, first
derivatives against its central finite differences, second derivatives against finite
differences of minigrad's own gradients. See ``tests/fuzz_graphs.py``.

A failure prints the program (shrunk by hypothesis) as runnable code: paste it into
``tests/test_fuzz_regressions.py``. Profiles:

    python -m pytest tests/test_fuzz.py                    # quick: 400 graphs, ~10 s (CI)
    python -m pytest tests/test_fuzz.py --fuzz-long        # long: 5000 graphs (MINIGRAD_FUZZ_LONG=1 too)
    MINIGRAD_FUZZ_LONG=1 MINIGRAD_FUZZ_GRAPHS=20000 python -m pytest tests/test_fuzz.py
    MINIGRAD_FUZZ_SEED=7 python -m pytest tests/test_fuzz.py   # other graphs than CI's (derandomized) ones
    python tests/fuzz_graphs.py --graphs 2000 [--no-inplace | --no-view-writes]   # survey by failure class
"""

from __future__ import annotations

import os
import random
import re

import pytest
from fuzz_graphs import Features, FuzzFailure, check_program, generate, generate_seeded, torch_available
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ORACLE = "torch" if torch_available() else "fd"

# (id, what the generator may use, oracle, graphs in the quick profile, share of the long profile)
PROFILES = [
    ("core-ops", Features(inplace=False, view_writes=False), ORACLE, 120, 0.3),
    ("inplace", Features(inplace=True, view_writes=False), ORACLE, 100, 0.25),
    ("inplace-and-views", Features(inplace=True, view_writes=True), ORACLE, 100, 0.25),
    ("finite-differences", Features(inplace=True, view_writes=True), "fd", 80, 0.2),
]


def _settings(examples: int):
    # Hypothesis draws the seeds, each seed makes a program with random.Random (st.randoms() gives
    # far less varied graphs); shrinking a seed means nothing, so failures are reported as found and
    # `python tests/fuzz_graphs.py --shrink CLASS` (printed with the failure) shrinks them.
    common = dict(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    env_seed = os.environ.get("MINIGRAD_FUZZ_SEED")
    if env_seed:
        return lambda f: seed(int(env_seed))(settings(derandomize=False, **common)(f))
    return settings(derandomize=True, **common)  # CI: the same graphs every run, so failures reproduce


@pytest.mark.parametrize("name,features,oracle,quick,share", PROFILES, ids=[p[0] for p in PROFILES])
def test_random_graphs_agree_with_the_oracle(name, features, oracle, quick, share, fuzz_long_graphs):
    examples = quick if fuzz_long_graphs is None else max(1, round(fuzz_long_graphs * share))

    @_settings(examples)
    @given(st.integers(min_value=0, max_value=2**32 - 1))
    def run(graph_seed):
        check_program(generate_seeded(graph_seed, features, label=f"[{name}]"), oracle)

    run()


# ---------------------------------------------------------------------------- the fuzzer itself
def test_a_seed_gives_the_same_program():
    a = generate(random.Random(12345), Features())
    b = generate(random.Random(12345), Features())
    assert a.source() == b.source()
    assert a.source() != generate(random.Random(12346), Features()).source()


# `h *= 2`, `h[i] = v`, `h[0][1] += v`, `h.mul_(v)`: any in-place statement of a program
INPLACE = re.compile(r"^\w+ [-+*/]= |\] [-+*/]?= |\.(add|sub|mul|div)_\(", re.M)


def test_the_feature_switch_keeps_in_place_ops_out():
    with_inplace = [generate(random.Random(s), Features()).body() for s in range(40)]
    assert sum(bool(INPLACE.search(b)) for b in with_inplace) > 20
    for s in range(40):
        body = generate(random.Random(s), Features(inplace=False, view_writes=False)).body()
        assert not INPLACE.search(body), body


@pytest.mark.parametrize("oracle", ["torch", "fd"])
def test_the_fuzzer_catches_a_planted_gradient_bug(oracle, monkeypatch):
    """Scale tanh's backward by 1.001: some graph among the first 60 that use tanh must say so."""
    if oracle == "torch" and not torch_available():
        pytest.skip("torch is not installed")
    from minigrad.ops import activation

    rule = activation.Tanh.backward
    monkeypatch.setattr(activation.Tanh, "backward", lambda self, g, y: rule(self, g, y) * 1.001)
    mismatches = 0
    tried = 0
    for s in range(1000):
        prog = generate(random.Random(s), Features(inplace=False, view_writes=False))
        if ".tanh()" not in prog.body():
            continue
        tried += 1
        try:
            check_program(prog, oracle)
        except FuzzFailure as e:
            mismatches += "differs" in e.kind
        if tried == 60:
            break
    assert mismatches >= 5, f"only {mismatches} of {tried} graphs with tanh noticed a wrong tanh gradient"
