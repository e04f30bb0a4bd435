"""The default random generator behind ``mg.manual_seed``.

Random factories (``rand``, ``randn``), dropout masks and ``nn.init`` draw from
it whenever no ``generator=`` is passed, so one ``manual_seed`` call makes a
whole run reproducible.
"""
from __future__ import annotations

import numpy as np

_default_generator: np.random.Generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (as ``torch.manual_seed``) and return it."""
    global _default_generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    _default_generator = np.random.default_rng(int(seed))
    return _default_generator


def default_generator() -> np.random.Generator:
    """The generator used when an op or initialiser is given none."""
    return _default_generator


def resolve_generator(generator: np.random.Generator | None) -> np.random.Generator:
    """``generator`` itself, or the default one when it is ``None``."""
    if generator is None:
        return _default_generator
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"generator must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(generator).__name__}"
        )
    return generator
