"""``minigrad.save`` / ``minigrad.load``: state dicts in a file that never runs code when read.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays): one array per
Tensor or ndarray in the object, plus ``__minigrad__``, a UTF-8 JSON manifest
describing the structure -- dicts (with their key types: optimizer state dicts
have int keys), ``OrderedDict``s, lists, tuples, numbers, strings, bools and
``None``, with each Tensor pointing at its array. Loading reads the arrays with
``allow_pickle=False`` and rebuilds the structure from the JSON, so a file can
hold data only, never code (unlike ``pickle``).

Writing is atomic: the archive goes to a temporary file ``.<name>.<pid>-<hex>.tmp``
beside the destination, is flushed to disk (``fsync``) and then renamed over it
(``os.replace``), so a crash mid-write leaves either the old file or the new one,
never a truncated mix. A symlink is resolved first (its target is what gets
replaced), a replaced file keeps its permission bits, and the next save to the same
file deletes temporary files whose process has died (POSIX).

Reading is lazy and bounded: only the members the manifest references are read,
and each one's ``.npy`` header must agree with the member's size in the zip
directory before anything is allocated.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import reprlib
import secrets
import stat
import zipfile
import zlib
from collections import OrderedDict
from typing import IO, Any, cast

import numpy as np

from minigrad.tensor import Tensor

__all__ = ["save", "load", "SerializationError"]

FORMAT = "minigrad.save"
VERSION = 1
_MANIFEST = "__minigrad__"
_ARRAY_KINDS = "biufc"  # bool, integers, floats, complex: what .npy stores without pickle
_NPY_MAGIC = b"\x93NUMPY"

PathLike = str | os.PathLike


class SerializationError(RuntimeError):
    """A file that ``minigrad.load`` cannot read, or an object ``minigrad.save`` cannot write."""


# ---------------------------------------------------------------------- encoding
class _Encoder:
    """Turns an object into a JSON-able tree plus a dict of arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def _array(self, array: np.ndarray, where: str) -> str:
        if array.dtype.kind not in _ARRAY_KINDS:
            raise SerializationError(
                f"minigrad.save: {where} is an array of dtype {array.dtype}; only numeric and bool arrays can be "
                "saved (object arrays would need pickle)"
            )
        key = f"a{len(self.arrays)}"
        self.arrays[key] = array
        return key

    def encode(self, obj: Any, where: str) -> Any:
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj)
        if isinstance(obj, Tensor):
            return {"tensor": self._array(obj._data, where), "requires_grad": bool(obj.requires_grad)}
        if isinstance(obj, np.ndarray):
            return {"array": self._array(obj, where)}
        if isinstance(obj, np.generic):  # NumPy scalars: as Python numbers
            if isinstance(obj, (np.bool_, np.integer, np.floating)):
                return obj.item()
            raise SerializationError(f"minigrad.save: {where} is a NumPy scalar of dtype {obj.dtype}, not supported")
        if isinstance(obj, (dict, OrderedDict)):
            items = [[self.key(k, where), self.encode(v, f"{where}[{k!r}]")] for k, v in obj.items()]
            return {"odict" if isinstance(obj, OrderedDict) else "dict": items}
        if isinstance(obj, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        raise SerializationError(
            f"minigrad.save: cannot save {where} of type {type(obj).__name__}; supported are nested dicts, lists and "
            "tuples of Tensors, NumPy arrays, numbers, strings, bools and None (save a model's state_dict(), "
            "not the model)"
        )

    def key(self, key: Any, where: str) -> Any:
        if key is None or isinstance(key, (bool, int, float, str, np.bool_, np.integer, np.floating)):
            return self.encode(key, where)
        if isinstance(key, tuple):
            return {"tuple": [self.key(k, where) for k in key]}
        raise SerializationError(f"minigrad.save: {where} has a key of type {type(key).__name__}, not supported")


def save(obj: Any, path: PathLike | IO[bytes]) -> None:
    """Write ``obj`` (a state dict, or nested dicts/lists/tuples of Tensors, arrays and numbers) to ``path``.

    The file is a ``.npz`` archive with a JSON manifest (no pickle), written atomically.
    ``path`` is used exactly as given (no extension is added); a binary file object works too.
    Saving through a symlink updates the file it points to, and a replaced file keeps its permissions.
    """
    encoder = _Encoder()
    manifest = {"format": FORMAT, "version": VERSION, "root": encoder.encode(obj, "the object")}
    text = json.dumps(manifest, allow_nan=True, separators=(",", ":"))
    arrays = dict(encoder.arrays)
    arrays[_MANIFEST] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    if hasattr(path, "write"):
        np.savez(path, **arrays)  # type: ignore[arg-type]  # numpy's stub: a ** key could be allow_pickle (ours are never)
        return
    destination = os.fsdecode(path)
    if not destination:
        raise ValueError("minigrad.save: the path is empty; pass the name of the file to write")
    try:
        _atomic_write(destination, arrays)
    except OSError as exc:
        if exc.errno is None:
            raise
        # name the destination, not the hidden temporary file (or no file at all, as ENOSPC does)
        raise type(exc)(exc.errno, f"minigrad.save: {exc.strerror}", destination) from exc


def _atomic_write(path: str, arrays: dict[str, np.ndarray]) -> None:
    """Write the archive to a temporary file beside the real destination, then rename it over that file.

    Symlinks are resolved first, so the link survives and its target is updated. A file that is replaced keeps
    its permission bits: the temporary file is created no more permissive than it and given its exact mode
    before the rename.
    """
    target = os.path.realpath(path)
    directory, base = os.path.split(target)
    _remove_stale_temporaries(directory, base)
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None  # a new file: 0o666 filtered by the umask, like any new file
    tmp = os.path.join(directory, f".{base}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666 if mode is None else mode & 0o777)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]  # numpy's stub: a ** key could be allow_pickle (ours are never)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def _remove_stale_temporaries(directory: str, base: str) -> None:
    """Delete the temporary files of earlier saves to ``base`` whose process is gone (killed mid-write)."""
    pattern = re.compile(rf"\.{re.escape(base)}\.(\d+)-[0-9a-f]{{8}}\.tmp")
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        match = pattern.fullmatch(name)
        if match and not _process_alive(int(match.group(1))):
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` may still be writing; True whenever that cannot be ruled out."""
    if os.name != "posix" or pid == os.getpid():
        return True  # elsewhere os.kill(pid, 0) would terminate the process; our own threads may be saving
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # e.g. PermissionError: it exists, under another user
    return True


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------------- decoding
class _Archive:
    """The members of a ``minigrad.save`` file, each read and checked only when the manifest references it."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.name = name
        self.zip = archive
        infos = archive.infolist()
        seen: set[str] = set()
        for info in infos:
            if info.filename in seen:
                raise self.corrupt(f"it holds the member {info.filename!r} twice")
            seen.add(info.filename)
        self.members = {info.filename[:-4]: info for info in infos if info.filename.endswith(".npy")}
        self.arrays: dict[str, np.ndarray] = {}  # read once, however often the manifest names them

    def corrupt(self, problem: str) -> SerializationError:
        return SerializationError(f"minigrad.load: {self.name} is corrupt: {problem}")

    def array(self, key: Any) -> np.ndarray:
        """The array stored under ``key``."""
        if not isinstance(key, str) or key not in self.members:
            raise self.corrupt(f"its manifest names a missing array {key!r}")
        if key not in self.arrays:
            self.arrays[key] = self._read(self.members[key])
        return self.arrays[key]

    def _read(self, info: zipfile.ZipInfo) -> np.ndarray:
        member = repr(info.filename)
        nbytes = None
        try:
            with self.zip.open(info) as f:
                shape, fortran_order, dtype, header_size = _read_npy_header(f)
                if dtype.kind not in _ARRAY_KINDS:
                    raise SerializationError(
                        f"minigrad.load: {self.name} holds the array {member} of dtype {dtype}; only numeric and "
                        "bool arrays are loaded (the ones minigrad.save writes)"
                    )
                if any(size < 0 for size in shape):
                    raise self.corrupt(f"its member {member} declares the negative shape {shape}")
                nbytes = math.prod(shape) * dtype.itemsize
                if header_size + nbytes != info.file_size:
                    raise self.corrupt(
                        f"its member {member} declares shape {shape} of {dtype} ({nbytes} data bytes) but holds "
                        f"{info.file_size - header_size} data bytes"
                    )
                array = np.empty(shape[::-1] if fortran_order else shape, dtype=dtype)
                _read_into(f, array.reshape(-1).view(np.uint8))  # zipfile checks the CRC at the last byte
        except SerializationError:
            raise
        except MemoryError as exc:
            raise SerializationError(
                f"minigrad.load: not enough memory to read {self.name}: its member {member} needs {nbytes} bytes"
            ) from exc
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, RuntimeError) as exc:
            raise self.corrupt(f"cannot read its member {member} ({type(exc).__name__}: {exc})") from exc
        return array.T if fortran_order else array


_MAX_NPY_HEADER = 10_000  # NumPy's own limit for reading untrusted .npy headers
_CHUNK = 1 << 22


def _read_npy_header(f: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """``(shape, fortran_order, dtype, header size)`` of the ``.npy`` stream ``f``, reading no further than its header.

    Raises ``ValueError`` or ``EOFError`` for a malformed header.
    """
    version = np.lib.format.read_magic(f)
    if version not in ((1, 0), (2, 0)):
        raise ValueError(f"unsupported .npy format version {version[0]}.{version[1]}")
    width = 2 if version == (1, 0) else 4
    length_bytes = f.read(width)
    length = int.from_bytes(length_bytes, "little")
    if length > _MAX_NPY_HEADER:
        raise ValueError(f".npy header of {length} bytes (at most {_MAX_NPY_HEADER} are read)")
    header = f.read(length)
    if len(length_bytes) != width or len(header) != length:
        raise EOFError("the .npy header is truncated")
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, fortran_order, dtype = read(io.BytesIO(length_bytes + header))
    return shape, fortran_order, dtype, np.lib.format.MAGIC_LEN + len(length_bytes) + length


def _read_into(f: IO[bytes], out: np.ndarray) -> None:
    """Fill the byte array ``out`` from ``f`` in chunks (no second full-size copy); ``EOFError`` if ``f`` ends early."""
    view = memoryview(out)  # type: ignore[arg-type]  # numpy's stubs give ndarray __buffer__ for Python >= 3.12 only
    reader = cast(io.BufferedIOBase, f)  # a zip member (ZipExtFile), which IO[bytes] does not say has readinto
    done = 0
    while done < len(view):
        got = reader.readinto(view[done : done + _CHUNK])
        if not got:
            raise EOFError(f"the data ends after {done} of {len(view)} bytes")
        done += got


class _Decoder:
    """Rebuilds the saved object from the manifest tree, checking the shape of every node."""

    def __init__(self, archive: _Archive) -> None:
        self.archive = archive

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if isinstance(node, dict):
            keys = node.keys()
            if keys == {"tensor", "requires_grad"} and isinstance(node["requires_grad"], bool):
                return self._tensor(node["tensor"], node["requires_grad"])
            if keys == {"array"}:
                return Tensor._make(self.archive.array(node["array"]))
            if keys == {"tuple"} and isinstance(node["tuple"], list):
                return tuple(self.decode(v) for v in node["tuple"])
            for tag, cls in (("dict", dict), ("odict", OrderedDict)):
                if keys == {tag}:
                    return cls(self._items(node[tag]))
        raise self.archive.corrupt(f"unexpected manifest entry {reprlib.repr(node)}")

    def _tensor(self, key: Any, requires_grad: bool) -> Tensor:
        tensor = Tensor._make(self.archive.array(key))
        if requires_grad:
            try:
                tensor.requires_grad_(True)
            except (TypeError, RuntimeError) as exc:
                raise self.archive.corrupt(f"its array {key!r} cannot require grad ({exc})") from exc
        return tensor

    def _items(self, items: Any) -> list[tuple[Any, Any]]:
        if not isinstance(items, list):
            raise self.archive.corrupt(f"a dict's entries are {reprlib.repr(items)}, not a list of [key, value] pairs")
        pairs = []
        for item in items:
            if not (isinstance(item, list) and len(item) == 2):
                raise self.archive.corrupt(f"the dict entry {reprlib.repr(item)} is not a [key, value] pair")
            pairs.append((self._key(item[0]), self.decode(item[1])))
        return pairs

    def _key(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, dict) and node.keys() == {"tuple"} and isinstance(node["tuple"], list):
            return tuple(self._key(k) for k in node["tuple"])
        raise self.archive.corrupt(
            f"the dict key {reprlib.repr(node)} is not a number, string, bool, None or a tuple of those"
        )


def load(path: PathLike | IO[bytes], map_location: Any = None, weights_only: bool | None = None) -> Any:
    """Read an object written by ``minigrad.save``; Tensors come back as Tensors, NumPy arrays as Tensors too.

    Never executes code from the file (no pickle) and reads only the arrays its manifest references. A
    truncated, corrupt or foreign file, or one too large for memory, raises ``SerializationError`` (a
    ``RuntimeError``) naming the file. ``map_location`` (only ``None``/``"cpu"``) and ``weights_only``
    are accepted for PyTorch compatibility; loading is always weights-only.
    """
    if map_location not in (None, "cpu"):
        raise ValueError(f"minigrad.load: minigrad runs on the CPU only; map_location={map_location!r}")
    if hasattr(path, "read"):
        name = "the file object"
    else:
        name = repr(os.fspath(path))
        if not os.path.exists(path):
            raise FileNotFoundError(f"minigrad.load: no such file: {name}")
    with _open_archive(path, name) as zip_file:
        archive = _Archive(zip_file, name)
        if _MANIFEST not in archive.members:
            raise SerializationError(
                f"minigrad.load: {name} is an .npz archive but was not written by minigrad.save "
                f"(no {_MANIFEST!r} manifest; it holds {sorted(archive.members)[:5]})"
            )
        text = archive.array(_MANIFEST)
        if text.dtype != np.uint8 or text.ndim != 1:
            raise archive.corrupt(f"its manifest is an array of shape {text.shape} and dtype {text.dtype}")
        try:
            manifest = json.loads(text.tobytes().decode("utf-8"))
        except (ValueError, RecursionError, MemoryError) as exc:  # UnicodeDecodeError and JSONDecodeError included
            raise archive.corrupt(f"unreadable manifest ({type(exc).__name__}: {exc})") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or "root" not in manifest:
            raise SerializationError(f"minigrad.load: {name} was not written by minigrad.save (unknown manifest)")
        version = manifest.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise archive.corrupt(f"its manifest has format version {version!r}, not a positive integer")
        if version > VERSION:
            raise SerializationError(
                f"minigrad.load: {name} has format version {version}; this minigrad reads version {VERSION} "
                "(a newer minigrad wrote it?)"
            )
        try:
            return _Decoder(archive).decode(manifest["root"])
        except RecursionError as exc:
            raise archive.corrupt("its manifest is nested too deeply to rebuild") from exc


def _open_archive(path: PathLike | IO[bytes], name: str) -> zipfile.ZipFile:
    """The zip archive at ``path``; ``SerializationError`` naming the file if it is not one."""
    try:
        if hasattr(path, "read"):
            stream = cast(IO[bytes], path)
            start = stream.tell()
            head = stream.read(len(_NPY_MAGIC))
            stream.seek(start)
        else:
            with open(path, "rb") as f:
                head = f.read(len(_NPY_MAGIC))
        if head == _NPY_MAGIC:
            raise SerializationError(f"minigrad.load: {name} holds a single .npy array, not a minigrad.save archive")
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, io.UnsupportedOperation) as exc:
        raise SerializationError(
            f"minigrad.load: cannot read {name}: it is truncated, corrupt or not a minigrad.save file "
            f"({type(exc).__name__}: {exc})"
        ) from exc
