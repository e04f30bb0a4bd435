"""Reading and writing IDX files, the format MNIST (and Fashion-MNIST, EMNIST) ship in.

Layout (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
``0x00 0x00 <dtype code> <ndim>``, then ``ndim`` big-endian ``uint32`` sizes,
then the data in C order, big-endian. Dtype codes: ``0x08`` uint8, ``0x09``
int8, ``0x0B`` int16, ``0x0C`` int32, ``0x0D`` float32, ``0x0E`` float64.
Files may be gzip-compressed (detected by the gzip magic ``1f 8b``, not by the
file name).
"""

from __future__ import annotations

import gzip
import io
import math
import os
import zlib
from pathlib import Path
from typing import IO, Any

import numpy as np

from ._convert import as_array_like

# IDX dtype code -> big-endian NumPy dtype
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF: dict[tuple[str, int], int] = {(d.kind, d.itemsize): code for code, d in IDX_DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 22  # bytes read at a time

PathLike = str | os.PathLike


class IdxFormatError(ValueError):
    """A file is not a well-formed IDX file; the message names the file and the problem."""


def _describe_codes() -> str:
    return ", ".join(f"0x{code:02X} {d.newbyteorder('=').name}" for code, d in IDX_DTYPES.items())


def parse_idx(buffer: bytes, *, source: str = "<bytes>") -> np.ndarray:
    """Decode IDX bytes (already decompressed) into a native-byte-order array; see :func:`read_idx`."""
    return _read_stream(io.BytesIO(buffer), source, size=len(buffer))


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file (plain or gzip-compressed) into a NumPy array in native byte order.

    The file is streamed: after the header, at most the declared number of data bytes
    (plus one, to detect trailing bytes) is read or decompressed. Raises
    :class:`IdxFormatError` (a ``ValueError``) naming the file for a bad magic number,
    an unknown dtype code, a truncated header or data, bytes left over after the data,
    a damaged gzip stream or a shape too large for NumPy; ``FileNotFoundError`` if
    there is no such file.
    """
    source = os.fspath(path)
    with open(path, "rb") as f:
        compressed = f.read(2) == _GZIP_MAGIC
        f.seek(0)
        if not compressed:
            return _read_stream(f, source, size=os.fstat(f.fileno()).st_size)
        try:
            with gzip.GzipFile(fileobj=f, mode="rb") as stream:
                return _read_stream(stream, source, size=None)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise IdxFormatError(f"read_idx: {source!r} is a damaged or truncated gzip file ({exc})") from exc


def _read_stream(stream: IO[bytes] | gzip.GzipFile, source: str, size: int | None) -> np.ndarray:
    """Read one IDX array from ``stream``, whose total length is ``size`` if known (else it is a decompressor).

    Memory follows the bytes present, never the sizes a header declares.
    """
    where = f"read_idx: {source!r}"
    magic = _read_upto(stream, 4)
    if len(magic) < 4:
        raise IdxFormatError(f"{where} is truncated: {len(magic)} bytes, shorter than the 4-byte IDX magic number")
    zero0, zero1, code, ndim = magic
    if zero0 != 0 or zero1 != 0:
        raise IdxFormatError(
            f"{where} is not an IDX file: bad magic number {magic.hex(' ')} "
            f"(IDX files start with 00 00 <dtype code> <ndim>)"
        )
    if code not in IDX_DTYPES:
        raise IdxFormatError(f"{where} has unknown IDX dtype code 0x{code:02X} (known: {_describe_codes()})")
    header_size = 4 + 4 * ndim
    sizes = _read_upto(stream, 4 * ndim)
    if len(sizes) < 4 * ndim:
        raise IdxFormatError(
            f"{where} is truncated in its header: {ndim} dimensions need {header_size} header bytes, "
            f"the file has {4 + len(sizes)}"
        )
    shape = tuple(int(s) for s in np.frombuffer(sizes, dtype=">u4"))
    dtype = IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize  # Python ints: no overflow on garbage sizes
    if size is not None and size - header_size != expected:
        raise IdxFormatError(_size_problem(where, shape, dtype, expected, size - header_size))
    data = _read_upto(stream, expected + 1)
    if len(data) != expected:
        found = len(data) if len(data) < expected else None  # a decompressor is not read past expected + 1
        raise IdxFormatError(_size_problem(where, shape, dtype, expected, found))
    if math.prod(s for s in shape if s) * dtype.itemsize > np.iinfo(np.intp).max:
        raise IdxFormatError(f"{where} declares shape {shape}, too large for a NumPy array even when empty")
    array = np.frombuffer(data, dtype=dtype).reshape(shape)  # writable: data is a bytearray
    if not dtype.isnative:
        array.byteswap(inplace=True)  # to native byte order, in place
    return array.view(dtype.newbyteorder("="))


def _size_problem(where: str, shape: tuple[int, ...], dtype: np.dtype, expected: int, found: int | None) -> str:
    """Why ``found`` data bytes (``None``: more than ``expected``, uncounted) do not fit the declared shape."""
    declared = f"shape {shape} of {dtype.newbyteorder('=').name} needs {expected} data bytes"
    if found is None:
        return f"{where} has trailing bytes after the data: {declared}, found more"
    if found < expected:
        return f"{where} is truncated: {declared}, found {found}"
    return f"{where} has {found - expected} trailing bytes after the data: {declared}, found {found}"


def _read_upto(stream: IO[bytes] | gzip.GzipFile, n: int) -> bytearray:
    """Up to ``n`` bytes of ``stream``, read in chunks, so memory follows the bytes present rather than ``n``."""
    buffer = bytearray()
    while len(buffer) < n:
        chunk = stream.read(min(n - len(buffer), _CHUNK))
        if not chunk:
            break
        buffer += chunk
    return buffer


def write_idx(path: PathLike, array: Any, *, compress: bool | None = None) -> None:
    """Write ``array`` (a NumPy array or Tensor) as an IDX file.

    Its dtype must be one IDX has (uint8, int8, int16, int32, float32,
    float64); cast first otherwise (e.g. ``labels.astype(np.uint8)``). The file
    is gzip-compressed when ``compress`` is true, or — by default — when
    ``path`` ends in ``.gz``.
    """
    data = as_array_like(array)
    code = _CODE_OF.get((data.dtype.kind, data.dtype.itemsize))
    if code is None:
        raise TypeError(f"write_idx: IDX cannot store dtype {data.dtype}; supported: {_describe_codes()}")
    if data.ndim > 255:
        raise ValueError(f"write_idx: IDX stores at most 255 dimensions, got {data.ndim}")
    if any(s >= 2**32 for s in data.shape):
        raise ValueError(f"write_idx: IDX sizes must fit in uint32, got shape {data.shape}")
    header = bytes([0, 0, code, data.ndim]) + np.asarray(data.shape, dtype=">u4").tobytes()
    payload = header + np.ascontiguousarray(data, dtype=IDX_DTYPES[code]).tobytes()
    if compress is None:
        compress = os.fspath(path).endswith(".gz")
    if compress:
        payload = gzip.compress(payload, mtime=0)
    Path(path).write_bytes(payload)


_MNIST_PREFIX = {"train": "train", "test": "t10k", "t10k": "t10k"}


def _find_mnist_file(directory: Path, prefix: str, what: str) -> Path:
    rank = 3 if what == "images" else 1
    stems = [f"{prefix}-{what}-idx{rank}-ubyte", f"{prefix}-{what}.idx{rank}-ubyte"]
    for stem in stems:
        for name in (stem, stem + ".gz"):
            candidate = directory / name
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(
        f"load_mnist: no {what} file in {os.fspath(directory)!r} (looked for {stems[0]} and {stems[0]}.gz)"
    )


def load_mnist(
    images: PathLike,
    labels: PathLike | None = None,
    *,
    kind: str = "train",
    flatten: bool = False,
    dtype: np.dtype | type | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST-style images and labels from IDX files (plain or gzip): ``(X, y)``.

    Either pass both file paths, ``load_mnist(images_path, labels_path)``, or a
    directory holding the standard file names and ``kind="train"`` or
    ``"test"`` (``train-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]``...).
    ``X`` keeps the file's dtype (``uint8`` pixels 0..255 for MNIST) unless
    ``dtype`` is given (a plain cast: divide by 255 yourself to scale);
    ``flatten=True`` gives ``(N, H*W)`` rows. ``y`` is ``int64``. A different
    number of images and labels, or labels that are not integers or are negative,
    raise ``ValueError`` naming the file(s).
    """
    if labels is None:
        directory = Path(images)
        if not directory.is_dir():
            raise ValueError(
                f"load_mnist: pass both the images and the labels file, or a directory; "
                f"{os.fspath(images)!r} is not a directory"
            )
        if kind not in _MNIST_PREFIX:
            raise ValueError(f"load_mnist: kind must be 'train' or 'test', got {kind!r}")
        prefix = _MNIST_PREFIX[kind]
        images_path = _find_mnist_file(directory, prefix, "images")
        labels_path = _find_mnist_file(directory, prefix, "labels")
    else:
        images_path, labels_path = Path(images), Path(labels)
    X = read_idx(images_path)
    y = read_idx(labels_path)
    if X.ndim < 1:
        raise ValueError(f"load_mnist: {os.fspath(images_path)!r} holds a scalar, not a stack of images")
    if y.ndim != 1:
        raise ValueError(
            f"load_mnist: {os.fspath(labels_path)!r} should hold a 1-D array of labels, got shape {y.shape}"
        )
    if y.dtype.kind not in "iu":
        raise ValueError(
            f"load_mnist: {os.fspath(labels_path)!r} holds {y.dtype} values; class labels must be integers"
        )
    if y.size and y.min() < 0:
        first = int(np.argmax(y < 0))
        raise ValueError(
            f"load_mnist: {os.fspath(labels_path)!r} holds the negative label {y[first]} at index {first}; "
            "class labels are 0, 1, 2, ..."
        )
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"load_mnist: {os.fspath(images_path)!r} has {X.shape[0]} images but "
            f"{os.fspath(labels_path)!r} has {y.shape[0]} labels"
        )
    if flatten:
        X = X.reshape(X.shape[0], -1)
    if dtype is not None:
        X = X.astype(dtype)
    return X, y.astype(np.int64)
