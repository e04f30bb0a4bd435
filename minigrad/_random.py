"""Random number generators: ``mg.Generator`` (as ``torch.Generator``) and the default one.

Random factories (``rand``, ``randn``, ``randint``, ``multinomial``), dropout masks and
``nn.init`` draw from the default generator whenever no ``generator=`` is passed, so one
``mg.manual_seed`` call makes a whole run reproducible. ``generator=`` takes a
``mg.Generator`` or a ``numpy.random.Generator``. The streams are NumPy's (PCG64), so
the same seed draws other numbers than PyTorch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._device import check_device

_U64 = (1 << 64) - 1


class Generator:
    """A seedable source of random numbers, as ``torch.Generator`` (NumPy's PCG64 inside).

    ``g = mg.Generator().manual_seed(2147483647)`` returns the generator itself, so it can be
    made and seeded in one line and passed as ``generator=g``.
    """

    def __init__(self, device: Any = "cpu") -> None:
        check_device(device)
        self.seed()

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed`` (any int; negative seeds wrap as in PyTorch)."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
        self._seed = int(seed) & _U64
        self.rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Seed from fresh OS entropy; returns the new seed."""
        seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed the stream started from."""
        return self._seed

    def get_state(self) -> Any:
        """The generator's state, as a uint8 Tensor (give it to ``set_state`` to replay the stream)."""
        from minigrad.tensor import Tensor

        st = self.rng.bit_generator.state
        words = [st["state"]["state"], st["state"]["inc"], st["has_uint32"], st["uinteger"], self._seed]
        raw = b"".join(int(w).to_bytes(16, "little") for w in words)
        return Tensor._make(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from ``get_state``."""
        arr = np.asarray(getattr(new_state, "_data", new_state))
        if arr.dtype != np.uint8 or arr.shape != (80,):
            raise RuntimeError(
                f"set_state: expected the (80,) uint8 tensor that get_state returns, got {arr.shape} {arr.dtype}"
            )
        state, inc, has, uint, seed = (int.from_bytes(arr[i : i + 16].tobytes(), "little") for i in range(0, 80, 16))
        bitgen = np.random.PCG64()
        bitgen.state = {
            "bit_generator": "PCG64",
            "state": {"state": state, "inc": inc},
            "has_uint32": has,
            "uinteger": uint,
        }
        self.rng = np.random.Generator(bitgen)
        self._seed = seed
        return self

    @property
    def device(self) -> Any:
        from minigrad._device import CPU

        return CPU

    def __repr__(self) -> str:
        return f"<minigrad.Generator seed={self._seed}>"


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Reseed the default generator (as ``torch.manual_seed``) and return it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Reseed the default generator from OS entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with (as ``torch.initial_seed``)."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state, to restore later with ``set_rng_state``."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


def resolve_generator(generator: Generator | np.random.Generator | None) -> np.random.Generator:
    """The NumPy generator to draw from: the default one's for ``None``."""
    if generator is None:
        return default_generator.rng
    if isinstance(generator, Generator):
        return generator.rng
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"generator must be a mg.Generator (mg.Generator().manual_seed(seed)) or a numpy.random.Generator, "
            f"got {type(generator).__name__}"
        )
    return generator
