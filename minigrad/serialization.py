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
"""
from __future__ import annotations

import io
import json
import os
import re
import secrets
import stat
import zipfile
from collections import OrderedDict
from typing import IO, Any

import numpy as np

from minigrad.tensor import Tensor

try:
    from numpy.lib.npyio import NpzFile
except ImportError:  # pragma: no cover - NumPy < 1.25 keeps it in a private module
    from numpy.lib._npyio_impl import NpzFile  # type: ignore[no-redef]

__all__ = ["save", "load", "SerializationError"]

FORMAT = "minigrad.save"
VERSION = 1
_MANIFEST = "__minigrad__"
_ARRAY_KINDS = "biufc"  # bool, integers, floats, complex: what .npy stores without pickle

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
        np.savez(path, **arrays)
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
            np.savez(f, **arrays)
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
class _Decoder:
    def __init__(self, arrays: dict[str, np.ndarray], name: str) -> None:
        self.arrays = arrays
        self.name = name

    def _array(self, key: Any) -> np.ndarray:
        if not isinstance(key, str) or key not in self.arrays:
            raise SerializationError(
                f"minigrad.load: {self.name} is corrupt: its manifest names a missing array {key!r}"
            )
        return self.arrays[key]

    def decode(self, node: Any) -> Any:
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(v) for v in node]
        if isinstance(node, dict) and len(node) >= 1:
            if "tensor" in node:
                tensor = Tensor._make(self._array(node["tensor"]))
                return tensor.requires_grad_(True) if node.get("requires_grad") else tensor
            if "array" in node:
                return Tensor._make(self._array(node["array"]))
            if "tuple" in node:
                return tuple(self.decode(v) for v in node["tuple"])
            for kind, cls in (("dict", dict), ("odict", OrderedDict)):
                if kind in node:
                    return cls((self.decode(k), self.decode(v)) for k, v in node[kind])
        raise SerializationError(f"minigrad.load: {self.name} is corrupt: unexpected manifest entry {node!r:.80}")


def load(path: PathLike | IO[bytes], map_location: Any = None, weights_only: bool | None = None) -> Any:
    """Read an object written by ``minigrad.save``; Tensors come back as Tensors, NumPy arrays as Tensors too.

    Never executes code from the file (arrays are read with ``allow_pickle=False``). A
    truncated, corrupt or foreign file raises ``SerializationError`` (a ``RuntimeError``)
    naming the file. ``map_location`` (only ``None``/``"cpu"``) and ``weights_only``
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
    arrays = _read_archive(path, name)
    try:
        manifest = json.loads(arrays.pop(_MANIFEST).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SerializationError(f"minigrad.load: {name} is corrupt: unreadable manifest ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or "root" not in manifest:
        raise SerializationError(f"minigrad.load: {name} was not written by minigrad.save (unknown manifest)")
    version = manifest.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise SerializationError(
            f"minigrad.load: {name} has format version {version!r}; this minigrad reads version {VERSION} "
            "(a newer minigrad wrote it?)"
        )
    return _Decoder(arrays, name).decode(manifest["root"])


def _read_archive(path: PathLike | IO[bytes], name: str) -> dict[str, np.ndarray]:
    """Every array in the ``.npz`` archive (the manifest included), read without pickle."""
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, NpzFile):
            raise SerializationError(f"minigrad.load: {name} holds a single .npy array, not a minigrad.save archive")
        with archive:
            if _MANIFEST not in archive.files:
                raise SerializationError(
                    f"minigrad.load: {name} is an .npz archive but was not written by minigrad.save "
                    f"(no {_MANIFEST!r} manifest; it holds {sorted(archive.files)[:5]})"
                )
            arrays = {key: archive[key] for key in archive.files}
    except SerializationError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, io.UnsupportedOperation) as exc:
        raise SerializationError(
            f"minigrad.load: cannot read {name}: it is truncated, corrupt or not a minigrad.save file "
            f"({type(exc).__name__}: {exc})"
        ) from exc
    for key, value in arrays.items():
        if not isinstance(value, np.ndarray):  # NumPy hands back the raw bytes of a member that is not .npy
            raise SerializationError(f"minigrad.load: {name} is corrupt: its member {key!r} is not a NumPy array")
    return arrays
