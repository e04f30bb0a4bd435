"""Shape ops: views of the same numbers, so each gradient is the inverse rearrangement."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from minigrad.autograd.broadcast import sum_to_array
from minigrad.autograd.function import Function, ShapeError
from minigrad.ops import dual
from minigrad.ops.declare import declare
from minigrad.tensor import Tensor, _wrap_dim


def _shape_arg(shape: tuple, op: str) -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))``."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        shape = tuple(shape[0])
    for s in shape:
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(f"{op}: sizes must be ints, got {shape!r}")
    return tuple(int(s) for s in shape)


@declare(method="reshape", function="reshape")
class Reshape(Function):
    """y = x with a new shape;  ∂x = g reshaped back"""

    # parameters (apply's keyword arguments)
    new_shape: tuple[int, ...]

    view_of_input = True

    def forward(self, x):
        self.in_shape = x.shape
        return x.reshape(self.new_shape)

    def backward(self, g):
        return g.reshape(self.in_shape)

    def error(self, arrays, exc):
        return ShapeError(
            f"reshape: shape {self.new_shape} is invalid for a tensor of shape {np.shape(arrays[0])} "
            f"({np.size(arrays[0])} elements)"
        )


def reshape(x: Tensor, shape: tuple) -> Tensor:
    shape = _shape_arg(shape, "reshape")
    if shape == x.shape:
        return x
    return Reshape.apply(x, new_shape=shape)


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x.ndim == 0:
        return reshape(x, (1,))
    s = _wrap_dim(start_dim, x.ndim, "flatten")
    e = _wrap_dim(end_dim, x.ndim, "flatten")
    if s > e:
        raise ValueError(f"flatten: start_dim ({start_dim}) comes after end_dim ({end_dim})")
    shape = x.shape[:s] + (int(np.prod(x.shape[s : e + 1], dtype=np.int64)),) + x.shape[e + 1 :]
    return reshape(x, shape)


@declare(method="permute", function="permute")
class Permute(Function):
    """y = x with dims reordered;  ∂x = g with the inverse order"""

    # parameters (apply's keyword arguments)
    dims: tuple[int, ...]

    view_of_input = True

    def forward(self, x):
        return np.transpose(x, self.dims)

    def backward(self, g):
        return dual.permute(g, tuple(np.argsort(self.dims)))


def permute(x: Tensor, dims: tuple) -> Tensor:
    dims = _shape_arg(dims, "permute")
    if len(dims) != x.ndim:
        raise RuntimeError(f"permute: got {len(dims)} dims {dims} for a tensor of {x.ndim} dims {x.shape}")
    dims = tuple(_wrap_dim(d, x.ndim, "permute") for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise RuntimeError(f"permute: dims {dims} are not a permutation of 0..{x.ndim - 1}")
    if dims == tuple(range(x.ndim)):
        return x
    return Permute.apply(x, dims=dims)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    if x.ndim == 0:
        return x
    d0, d1 = _wrap_dim(dim0, x.ndim, "transpose"), _wrap_dim(dim1, x.ndim, "transpose")
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return permute(x, tuple(dims))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    d = _wrap_dim(dim, x.ndim + 1, "unsqueeze")  # a new dim may go at any of ndim + 1 places
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    """Drop size-1 dims (all of them, or those in ``dim``; a named dim of another size stays)."""
    if dim is None:
        drop = {i for i, s in enumerate(x.shape) if s == 1}
    else:
        dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
        drop = {_wrap_dim(d, x.ndim, "squeeze") for d in dims}
        drop = {d for d in drop if x.ndim and x.shape[d] == 1}
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if i not in drop))


@declare(method="broadcast_to", function="broadcast_to")
class BroadcastTo(Function):
    """y = x repeated along broadcast dims (a view);  ∂x = g summed back to x's shape"""

    # parameters (apply's keyword arguments)
    new_shape: tuple[int, ...]

    view_of_input = True

    def forward(self, x):
        self.in_shape = x.shape
        return np.broadcast_to(x, self.new_shape)

    def backward(self, g):
        return dual.sum_to(g, self.in_shape)

    def error(self, arrays, exc):
        return ShapeError(
            f"expand/broadcast_to: a tensor of shape {np.shape(arrays[0])} can't be broadcast to "
            f"{self.new_shape} (each size must match or be 1, new dims go in front)"
        )


def broadcast_to(x: Tensor, shape: tuple) -> Tensor:
    shape = tuple(int(s) for s in shape)
    if shape == x.shape:
        return x
    return BroadcastTo.apply(x, new_shape=shape)


def expand(x: Tensor, sizes: tuple) -> Tensor:
    """``torch.expand``: -1 keeps a dim's size; new dims may be added in front."""
    sizes = _shape_arg(sizes, "expand")
    if len(sizes) < x.ndim:
        raise RuntimeError(
            f"expand: the number of sizes ({len(sizes)}) must be at least the tensor's "
            f"number of dims ({x.ndim}, shape {x.shape})"
        )
    lead = len(sizes) - x.ndim
    shape = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    if any(s < 0 for s in shape):
        raise RuntimeError(f"expand: -1 is not allowed for a new leading dim (sizes {sizes})")
    return broadcast_to(x, shape)


class SumTo(Function):
    """y = x summed over broadcast dims down to ``shape``;  ∂x = g broadcast back"""

    # parameters (apply's keyword arguments)
    target: tuple[int, ...]

    def forward(self, x):
        self.in_shape = x.shape
        return sum_to_array(x, self.target)

    def backward(self, g):
        return dual.broadcast_to(g, self.in_shape)


def sum_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    if x.shape == shape:
        return x
    return SumTo.apply(x, target=shape)


@declare(function="cat")
class Cat(Function):
    """y = [x₁, x₂, …] joined along ``dim``;  ∂xᵢ = the slice of g where xᵢ sits"""

    # parameters (apply's keyword arguments)
    dim: int

    def forward(self, *xs):
        self.sizes = [x.shape[self.dim] for x in xs]
        return np.concatenate(xs, axis=self.dim)

    def backward(self, g):
        grads, start = [], 0
        index = [slice(None)] * g.ndim
        for size, need in zip(self.sizes, self.needs_input_grad):
            if need:
                index[self.dim] = slice(start, start + size)
                grads.append(g[tuple(index)])
            else:
                grads.append(None)
            start += size
        return tuple(grads)

    def error(self, arrays, exc):
        shapes = ", ".join(str(np.shape(a)) for a in arrays)
        return ShapeError(f"cat: tensors of shapes {shapes} must match in every dim except dim {self.dim}")


def _as_tensors(tensors: Any, op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not hasattr(tensors, "__iter__"):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(tensors).__name__}")
    ts = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not ts:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    return ts


def cat(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim (``torch.cat``)."""
    ts = _as_tensors(tensors, "cat")
    ndim = ts[0].ndim
    if ndim == 0:
        raise RuntimeError("cat: zero-dimensional tensors cannot be concatenated (use stack)")
    for t in ts:
        if t.ndim != ndim:
            raise ShapeError(f"cat: all tensors need the same number of dims, got shapes {[t.shape for t in ts]}")
    return Cat.apply(*ts, dim=_wrap_dim(dim, ndim, "cat"))


def stack(tensors: Any, dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dim (``torch.stack``)."""
    ts = _as_tensors(tensors, "stack")
    shape = ts[0].shape
    if any(t.shape != shape for t in ts):
        raise ShapeError(f"stack: all tensors must have the same shape, got {[t.shape for t in ts]}")
    d = _wrap_dim(dim, len(shape) + 1, "stack")
    return Cat.apply(*[unsqueeze(t, d) for t in ts], dim=d)


@declare(functional="pad", function="pad")
class Pad(Function):
    """y = x with constant borders;  ∂x = the inner slice of g"""

    # parameters (apply's keyword arguments)
    widths: tuple[tuple[int, int], ...]
    value: float

    def forward(self, x):
        self.inner = tuple(slice(lo, lo + s) for (lo, _), s in zip(self.widths, x.shape))
        return np.pad(x, self.widths, mode="constant", constant_values=self.value)

    def backward(self, g):
        return g[self.inner]


def pad(x: Tensor, pad: Any, value: float = 0.0) -> Tensor:
    """Constant padding as ``torch.nn.functional.pad``: ``pad`` pairs start from the last dim."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(f"pad: needs an even number of sizes, at most 2 per dim ({x.ndim} dims), got {pad}")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding {pad} is not supported; slice the tensor instead")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    return Pad.apply(x, widths=tuple(widths), value=value)


# ---------------------------------------------------------------------- flip, roll, repeat, triangles, pieces
def _dims_arg(dims: Any, ndim: int, op: str) -> tuple[int, ...]:
    """An int or a sequence of dims as non-negative ints, each named once."""
    dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
    out = tuple(_wrap_dim(d, ndim, op) for d in dims)
    if len(set(out)) != len(out):
        raise RuntimeError(f"{op}: dims {dims} name a dimension more than once")
    return out


@declare(method="flip", function="flip")
class Flip(Function):
    """y = x with the order reversed along ``dims`` (a copy, as torch.flip);  ∂x = g flipped back"""

    # parameters (apply's keyword arguments)
    dims: tuple[int, ...]

    def forward(self, x):
        return np.flip(x, self.dims).copy()

    def backward(self, g):
        return Flip.apply(g, dims=self.dims) if isinstance(g, Tensor) else np.flip(g, self.dims)


def flip(x: Tensor, dims: Any) -> Tensor:
    if x.ndim == 0:
        return Flip.apply(x, dims=())
    return Flip.apply(x, dims=_dims_arg(dims, x.ndim, "flip"))


@declare(method="roll", function="roll")
class Roll(Function):
    """y = x shifted cyclically by ``shifts`` along ``dims`` (flattened when dims is None);
    ∂x = g rolled back by −shifts"""

    # parameters (apply's keyword arguments)
    shifts: tuple[int, ...]
    dims: tuple[int, ...] | None  # None: the flattened tensor

    def forward(self, x):
        return np.roll(x, self.shifts, self.dims)

    def backward(self, g):
        back = tuple(-s for s in self.shifts)
        if isinstance(g, Tensor):
            return Roll.apply(g, shifts=back, dims=self.dims)
        return np.roll(g, back, self.dims)


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """``torch.roll``: elements shifted past the end come back at the start."""
    shifts = (shifts,) if isinstance(shifts, numbers.Integral) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: without dims, shifts must be one int, got {shifts}")
        return Roll.apply(x, shifts=(int(shifts[0]),), dims=None)
    dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
    if len(dims) != len(shifts):
        raise RuntimeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    return Roll.apply(x, shifts=tuple(int(s) for s in shifts), dims=tuple(_wrap_dim(d, x.ndim, "roll") for d in dims))


@declare(method="repeat")
class Repeat(Function):
    """y = x tiled ``reps`` times along each dim (torch's ``repeat``);  ∂x = g summed over the copies:
    g viewed as (r₀, s₀, r₁, s₁, …) and summed over the r axes"""

    # parameters (apply's keyword arguments)
    reps: tuple[int, ...]
    padded: tuple[int, ...]  # the input's shape with leading 1s, len(reps) dims

    def forward(self, x):
        self.in_shape = x.shape
        return np.tile(x.reshape(self.padded), self.reps)

    def backward(self, g):
        split = tuple(n for pair in zip(self.reps, self.padded) for n in pair)
        copies = tuple(range(0, 2 * len(self.reps), 2))
        return dual.sum(g.reshape(split), copies).reshape(self.in_shape)


def repeat(x: Tensor, sizes: tuple) -> Tensor:
    """``Tensor.repeat(*sizes)``: at least as many sizes as dims; extra sizes add leading dims."""
    reps = _shape_arg(sizes, "repeat")
    if len(reps) < x.ndim:
        raise RuntimeError(
            f"repeat: the number of repeats ({len(reps)}, {reps}) can't be smaller than the "
            f"tensor's number of dims ({x.ndim}, shape {x.shape})"
        )
    if any(r < 0 for r in reps):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {reps}")
    padded = (1,) * (len(reps) - x.ndim) + x.shape
    return Repeat.apply(x, reps=reps, padded=padded)


def tile(x: Tensor, dims: tuple) -> Tensor:
    """``torch.tile``: as ``repeat``, with missing leading repeats taken as 1."""
    reps = _shape_arg(dims, "tile")
    return repeat(x, (1,) * (x.ndim - len(reps)) + reps)


@declare(method="tril", function="tril")
class Tril(Function):
    """y = x with the elements above diagonal k zeroed (last two dims);  ∂x = g with the same zeros"""

    # parameters (apply's keyword arguments)
    k: int

    def forward(self, x):
        self.keep = np.tril(np.ones(x.shape[-2:], dtype=bool), self.k)
        return np.tril(x, self.k)

    def backward(self, g):
        return g * self.keep


@declare(method="triu", function="triu")
class Triu(Function):
    """y = x with the elements below diagonal k zeroed (last two dims);  ∂x = g with the same zeros"""

    # parameters (apply's keyword arguments)
    k: int

    def forward(self, x):
        self.keep = np.triu(np.ones(x.shape[-2:], dtype=bool), self.k)
        return np.triu(x, self.k)

    def backward(self, g):
        return g * self.keep


def _matrix_check(x: Tensor, op: str) -> None:
    if x.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape {x.shape}")


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    _matrix_check(x, "tril")
    return Tril.apply(x, k=int(diagonal))


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    _matrix_check(x, "triu")
    return Triu.apply(x, k=int(diagonal))


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """``x`` along ``dim`` from ``start`` for ``length`` elements (a view)."""
    d = _wrap_dim(dim, x.ndim, "narrow")
    n = x.shape[d]
    if start < 0:
        start += n
    if not 0 <= start <= n or length < 0 or start + length > n:
        raise IndexError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension {d} of size {n} (shape {x.shape})"
        )
    return x[(slice(None),) * d + (slice(start, start + length),)]


def split(x: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.split``: pieces of ``split_size`` (the last may be smaller), or of the listed sizes."""
    if x.ndim == 0:
        raise RuntimeError("split: a 0-d tensor cannot be split")
    d = _wrap_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, numbers.Integral):
        size = int(split_size_or_sections)
        if size <= 0 and not (size == 0 and n == 0):
            raise RuntimeError(f"split: split_size must be a positive int, got {size}")
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split: split sizes {sizes} must be non-negative and sum to {n} (dim {d} of shape {x.shape})"
            )
    pieces, start = [], 0
    for s in sizes:
        pieces.append(narrow(x, d, start, s))
        start += s
    return tuple(pieces)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.chunk``: pieces of size ⌈n / chunks⌉ (so possibly fewer than ``chunks``)."""
    if not isinstance(chunks, numbers.Integral) or chunks <= 0:
        raise RuntimeError(f"chunk: chunks must be a positive int, got {chunks!r}")
    if x.ndim == 0:
        raise RuntimeError("chunk: a 0-d tensor cannot be chunked")
    n = x.shape[_wrap_dim(dim, x.ndim, "chunk")]
    return split(x, max(-(-n // int(chunks)), 1), dim)


def unbind(x: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, that dim removed (views)."""
    if x.ndim == 0:
        raise RuntimeError("unbind: a 0-d tensor cannot be unbound")
    d = _wrap_dim(dim, x.ndim, "unbind")
    return tuple(x[(slice(None),) * d + (i,)] for i in range(x.shape[d]))


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """``torch.movedim``: dims ``source`` moved to positions ``destination``, the rest in order."""
    src = _dims_arg(source, x.ndim, "movedim")
    dst = _dims_arg(destination, x.ndim, "movedim")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: source {source} and destination {destination} must have the same length")
    order = [d for d in range(x.ndim) if d not in src]
    for s_, d_ in sorted(zip(dst, src)):
        order.insert(s_, d_)
    return permute(x, tuple(order))
