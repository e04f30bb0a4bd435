"""minigrad.save / minigrad.load: round trips, safety (no code runs on load), atomic writes, errors."""

from __future__ import annotations

import errno
import io
import json
import math
import os
import pickle
import signal
import stat
import struct
import subprocess
import sys
import warnings
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
import minigrad.serialization as serialization
from minigrad import nn
from minigrad.serialization import SerializationError

RNG = np.random.default_rng(12)


def make_model():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.25), nn.Linear(8, 3))


# ---------------------------------------------------------------------- round trips
def test_round_trip_preserves_structure_types_and_dtypes(tmp_path):
    obj = {
        "sd": OrderedDict(
            [
                ("w", mg.tensor(RNG.standard_normal((2, 3)).astype(np.float32))),
                ("n", mg.tensor(np.array(7, dtype=np.int64))),
            ]
        ),
        "state": {0: {"step": 3, "exp_avg": mg.tensor(np.ones(2))}, 10: {}},
        "groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "nesterov": False, "foreach": None, "params": [0, 10]}],
        "array": np.arange(6, dtype=np.int32).reshape(2, 3),
        "mask": np.array([True, False]),
        "name": "run-1",
        "nums": [1, 2.5, float("inf"), float("nan"), -0.0, 2**70],
        "np_scalars": (np.float32(1.5), np.int64(4), np.bool_(True)),
        "nested": [[], {}, ()],
        (1, "a"): "tuple key",
        None: "none key",
        np.int64(5): "numpy int key",
        "param": nn.Parameter(mg.ones(2)),
    }
    path = tmp_path / "checkpoint"
    mg.save(obj, path)
    assert path.exists() and not (tmp_path / "checkpoint.npz").exists()  # the path as given
    back = mg.load(path)
    assert list(back) == list(obj)
    assert isinstance(back["sd"], OrderedDict) and type(back["state"]) is dict
    assert list(back["state"]) == [0, 10] and back["state"][10] == {}
    np.testing.assert_array_equal(back["sd"]["w"].numpy(), obj["sd"]["w"].numpy())
    assert back["sd"]["w"].dtype == np.float32
    assert back["sd"]["n"].shape == () and back["sd"]["n"].dtype == np.int64 and back["sd"]["n"].item() == 7
    assert back["state"][0]["step"] == 3 and isinstance(back["state"][0]["step"], int)
    assert back["groups"] == [
        {"lr": 1e-3, "betas": (0.9, 0.999), "nesterov": False, "foreach": None, "params": [0, 10]}
    ]
    assert isinstance(back["array"], mg.Tensor) and back["array"].dtype == np.int32  # arrays come back as Tensors
    np.testing.assert_array_equal(back["mask"].numpy(), [True, False])
    assert back["name"] == "run-1"
    nums = back["nums"]
    assert nums[:3] == [1, 2.5, float("inf")] and np.isnan(nums[3]) and nums[5] == 2**70
    assert isinstance(nums[0], int) and isinstance(nums[1], float)
    assert back["np_scalars"] == (1.5, 4, True)
    assert back["nested"] == [[], {}, ()]
    assert back[(1, "a")] == "tuple key" and back[None] == "none key" and back[5] == "numpy int key"
    assert back["param"].requires_grad and not back["sd"]["w"].requires_grad


def test_save_to_and_load_from_a_file_object():
    import io

    buffer = io.BytesIO()
    mg.save({"x": mg.ones(3)}, buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(mg.load(buffer)["x"].numpy(), np.ones(3))


def test_unsupported_objects_are_refused_with_their_place(tmp_path):
    with pytest.raises(SerializationError, match=r"the object\['model'\] of type Sequential"):
        mg.save({"model": make_model()}, tmp_path / "m.npz")
    with pytest.raises(SerializationError, match="object arrays would need pickle"):
        mg.save({"a": np.array([object()])}, tmp_path / "m.npz")
    assert not os.listdir(tmp_path)  # nothing written


def test_new_files_get_ordinary_permissions(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    mg.save({"x": 1}, tmp_path / "f")
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o666 & ~umask


# ---------------------------------------------------------------------- atomic writes
def test_a_crash_mid_write_leaves_the_old_file_in_place(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    mg.save({"version": 1}, path)
    good = path.read_bytes()

    def crash(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise KeyboardInterrupt  # e.g. the process is interrupted while writing

    monkeypatch.setattr(serialization.np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        mg.save({"version": 2}, path)
    monkeypatch.undo()
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["model.npz"]  # the temporary file was removed
    assert mg.load(path) == {"version": 1}


def test_write_goes_through_fsync_and_replace(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(serialization.os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(serialization.os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    mg.save({"x": mg.ones(2)}, tmp_path / "f.npz")
    assert calls[:2] == ["fsync", "replace"]


def test_replacing_a_file_keeps_its_permission_bits(tmp_path):
    path = tmp_path / "private.npz"
    umask = os.umask(0o022)
    try:
        for mode in (0o600, 0o640, 0o444, 0o666):
            mg.save({"x": mg.ones(2)}, path)
            os.chmod(path, mode)
            mg.save({"x": mg.zeros(2)}, path)
            assert stat.S_IMODE(path.stat().st_mode) == mode, (oct(mode), oct(path.stat().st_mode))
            np.testing.assert_array_equal(mg.load(path)["x"].numpy(), np.zeros(2))
            path.unlink()
    finally:
        os.umask(umask)


def test_saving_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "run3").mkdir()
    (tmp_path / "links").mkdir()
    target, link = tmp_path / "run3" / "ckpt.npz", tmp_path / "links" / "latest.npz"
    mg.save({"w": mg.ones(3)}, target)
    os.chmod(target, 0o600)
    os.symlink(os.path.relpath(target, link.parent), link)
    mg.save({"w": mg.zeros(3)}, link)
    assert link.is_symlink() and os.path.samefile(link, target)
    np.testing.assert_array_equal(mg.load(target)["w"].numpy(), np.zeros(3))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path / "links") == ["latest.npz"] and os.listdir(tmp_path / "run3") == ["ckpt.npz"]
    dangling = tmp_path / "links" / "next.npz"  # like open(): a dangling link creates its target
    os.symlink(os.path.join("..", "run3", "new.npz"), dangling)
    mg.save({"w": 1}, dangling)
    assert dangling.is_symlink() and mg.load(tmp_path / "run3" / "new.npz") == {"w": 1}


def test_a_save_killed_mid_write_leaves_a_temporary_file_that_the_next_save_removes(tmp_path):
    path = tmp_path / "ckpt.npz"
    mg.save({"step": 1}, path)
    script = (
        "import os, signal, sys\n"
        "import minigrad as mg, minigrad.serialization as s\n"
        "def killed(f, **arrays):\n"
        "    f.write(b'PK half an archive'); f.flush(); os.kill(os.getpid(), signal.SIGKILL)\n"
        "s.np.savez = killed\n"
        "mg.save({'step': 2}, sys.argv[1])\n"
    )
    run = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr.decode()
    leftovers = [n for n in os.listdir(tmp_path) if n != "ckpt.npz"]
    assert len(leftovers) == 1 and leftovers[0].startswith(".ckpt.npz.") and leftovers[0].endswith(".tmp")
    live = tmp_path / f".ckpt.npz.{os.getppid()}-0123abcd.tmp"  # a live process's write in progress: kept
    live.write_bytes(b"partial")
    other = tmp_path / ".other.npz.999999999-0123abcd.tmp"  # another destination's: kept
    other.write_bytes(b"partial")
    mg.save({"step": 3}, path)
    assert sorted(os.listdir(tmp_path)) == sorted([other.name, live.name, "ckpt.npz"])
    assert mg.load(path) == {"step": 3}


def test_save_errors_name_the_destination_not_the_temporary_file(tmp_path, monkeypatch):
    def disk_full(file, **arrays):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(serialization.np, "savez", disk_full)
    with pytest.raises(OSError) as info:
        mg.save({"x": 1}, tmp_path / "full.npz")
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(tmp_path / "full.npz")
    assert "minigrad.save" in str(info.value) and ".tmp" not in str(info.value)
    assert not os.listdir(tmp_path)
    with pytest.raises(IsADirectoryError) as info:
        mg.save({"x": 1}, tmp_path)  # a directory cannot be replaced by a file
    assert info.value.filename == str(tmp_path) and not os.listdir(tmp_path)
    with pytest.raises(ValueError, match="path is empty"):
        mg.save({"x": 1}, "")


# ---------------------------------------------------------------------- bad files
def test_missing_truncated_corrupt_and_foreign_files_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        mg.load(tmp_path / "nope.npz")
    path = tmp_path / "good.npz"
    mg.save(make_model().state_dict(), path)
    data = path.read_bytes()
    for name, content in [
        ("truncated.npz", data[: len(data) // 2]),
        ("empty.npz", b""),
        ("garbage.npz", bytes(RNG.integers(0, 256, 500, dtype=np.uint8))),
        ("text.npz", b"hello, world\n"),
    ]:
        bad = tmp_path / name
        bad.write_bytes(content)
        with pytest.raises(SerializationError, match=name):
            mg.load(bad)
    # a byte flipped inside the archive: caught by the zip CRC
    flipped = bytearray(data)
    flipped[len(data) // 3] ^= 0xFF
    (tmp_path / "flipped.npz").write_bytes(bytes(flipped))
    with pytest.raises(SerializationError, match="flipped.npz"):
        mg.load(tmp_path / "flipped.npz")
    np.savez(tmp_path / "foreign.npz", weights=np.ones(3))
    with pytest.raises(SerializationError, match="not written by minigrad.save"):
        mg.load(tmp_path / "foreign.npz")
    np.save(tmp_path / "single.npy", np.ones(3))
    with pytest.raises(SerializationError, match="single .npy array"):
        mg.load(tmp_path / "single.npy")
    with zipfile.ZipFile(tmp_path / "odd.npz", "w") as z:
        z.writestr("__minigrad__.npy", b"not an npy")
    with pytest.raises(SerializationError, match="odd.npz"):
        mg.load(tmp_path / "odd.npz")


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npy_header(shape: tuple, descr: str = "<f8") -> bytes:
    """A .npy version 1.0 header declaring ``shape`` (whatever data follows it)."""
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape!r}, }}"
    text += " " * (63 - (len(text) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode()


def _manifest(root, version=1) -> bytes:
    text = json.dumps({"format": "minigrad.save", "version": version, "root": root}).encode()
    return _npy_bytes(np.frombuffer(text, dtype=np.uint8))


def _archive(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as z:
        for name, content in members.items():
            z.writestr(name, content)
    return path


def test_arrays_of_every_layout_round_trip(tmp_path):
    arrays = {
        "fortran": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
        "big_endian": np.arange(5, dtype=">i4"),
        "scalar": np.array(2.5, dtype=np.float16),
        "empty": np.zeros((0, 3), dtype=np.complex128),
        "strided": np.arange(20, dtype=np.int8)[::3],
        "bool": np.array([[True], [False]]),
    }
    mg.save(arrays, tmp_path / "a.npz")
    back = mg.load(tmp_path / "a.npz")
    for key, array in arrays.items():
        assert back[key].dtype == array.dtype and back[key].shape == array.shape, key
        np.testing.assert_array_equal(back[key].numpy(), array, err_msg=key)
        assert back[key].numpy().flags.writeable


def test_load_reads_only_the_members_the_manifest_references(tmp_path):
    path = _archive(
        tmp_path / "extra.npz",
        {
            "junk.npy": b"not an npy at all",
            "bomb.npy": _npy_header((10**12,)) + bytes(64),
            "a0.npy": _npy_bytes(np.arange(3.0)),
            "__minigrad__.npy": _manifest([{"tensor": "a0", "requires_grad": False}, {"array": "a0"}]),
        },
    )
    first, second = mg.load(path)
    np.testing.assert_array_equal(first.numpy(), np.arange(3.0))
    assert np.shares_memory(first.numpy(), second.numpy())  # a member named twice is read once


@pytest.mark.parametrize(
    "member, message",
    [
        pytest.param(
            _npy_header((10**12,)) + bytes(64),
            r"declares shape \(1000000000000,\) of float64 \(8000000000000 data bytes\)",
            id="huge",
        ),
        pytest.param(_npy_header((4,)) + bytes(24), "holds 24 data bytes", id="short"),
        pytest.param(_npy_header((2,)) + bytes(24), "holds 24 data bytes", id="long"),
        pytest.param(_npy_header((-2, -4)) + bytes(64), r"negative shape \(-2, -4\)", id="negative"),
        pytest.param(_npy_header((0, 2**62, 2**62), "|u1"), "too big", id="empty-but-too-big"),
        pytest.param(_npy_header((2,))[:30], "truncated", id="truncated-header"),
        pytest.param(b"\x93NUMPY\x02\x00\xff\xff\xff\x7f" + bytes(100), "header of 2147483647 bytes", id="huge-header"),
    ],
)
def test_a_member_whose_header_disagrees_with_its_size_is_refused_before_allocating(tmp_path, member, message):
    path = _archive(tmp_path / "declared.npz", {"a0.npy": member, "__minigrad__.npy": _manifest({"array": "a0"})})
    with pytest.raises(SerializationError, match=message) as info:
        mg.load(path)
    assert "declared.npz" in str(info.value) and "'a0.npy'" in str(info.value)


def test_running_out_of_memory_while_loading_names_the_file(tmp_path, monkeypatch):
    mg.save({"w": np.zeros(10_000)}, tmp_path / "big.npz")
    real_empty = np.empty

    def small_memory(shape, *args, **kwargs):
        if math.prod(np.atleast_1d(shape)) >= 10_000:
            raise MemoryError("Unable to allocate 78.1 KiB")
        return real_empty(shape, *args, **kwargs)

    monkeypatch.setattr(serialization.np, "empty", small_memory)
    with pytest.raises(SerializationError, match=r"not enough memory to read '.*big.npz'.*'a0.npy' needs 80000 bytes"):
        mg.load(tmp_path / "big.npz")


HEAD = '{"format":"minigrad.save","version":1,"root":'
CORRUPT_MANIFESTS = {
    "deeply nested": (HEAD + "[" * 100_000 + "]" * 100_000 + "}", "RecursionError"),
    "nested 900 deep": (HEAD + "[" * 900 + "]" * 900 + "}", "nested too deeply|Recursion"),
    "100000-digit int": (HEAD + "9" * 100_000 + "}", "digits"),
    "unhashable key": (HEAD + '{"dict":[[[1,2],3]]}}', r"dict key \[1, 2\]"),
    "unhashable tuple key": (HEAD + '{"dict":[[{"tuple":[[1]]},3]]}}', r"dict key \[1\]"),
    "entry not a pair": (HEAD + '{"odict":[[1]]}}', r"entry \[1\] is not a \[key, value\] pair"),
    "dict payload not a list": (HEAD + '{"dict":5}}', "entries are 5, not a list"),
    "tuple payload not a list": (HEAD + '{"tuple":5}}', "unexpected manifest entry"),
    "unknown tag": (HEAD + '{"set":[1]}}', "unexpected manifest entry"),
    "array key not a string": (HEAD + '{"tensor":["a0"],"requires_grad":false}}', "missing array"),
    "requires_grad not a bool": (HEAD + '{"tensor":"a0","requires_grad":"yes"}}', "unexpected manifest"),
    "int tensor requiring grad": (HEAD + '{"tensor":"a0","requires_grad":true}}', "cannot require grad"),
    "version true": ('{"format":"minigrad.save","version":true,"root":1}', "format version True, not a positive"),
    "version -5": ('{"format":"minigrad.save","version":-5,"root":1}', "format version -5, not a positive"),
    "version '1'": ('{"format":"minigrad.save","version":"1","root":1}', "format version '1', not a positive"),
    "not UTF-8": ("\udcff", "unreadable manifest"),
}


@pytest.mark.parametrize("case", list(CORRUPT_MANIFESTS))
def test_corrupt_manifests_raise_serialization_error_naming_the_file(tmp_path, case):
    text, message = CORRUPT_MANIFESTS[case]
    manifest = _npy_bytes(np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8))
    path = _archive(tmp_path / "crafted.npz", {"a0.npy": _npy_bytes(np.arange(3)), "__minigrad__.npy": manifest})
    with pytest.raises(SerializationError, match=message) as info:
        mg.load(path)
    assert "crafted.npz" in str(info.value)


def test_a_manifest_that_is_not_a_byte_string_is_refused(tmp_path):
    path = _archive(tmp_path / "wide.npz", {"__minigrad__.npy": _npy_bytes(np.zeros(3, dtype=np.int32))})
    with pytest.raises(SerializationError, match=r"wide.npz.*manifest is an array of shape \(3,\) and dtype int32"):
        mg.load(path)


@pytest.mark.parametrize(
    "array",
    [
        np.array(["ab"]),
        np.array(["2020-01-01"], dtype="datetime64[D]"),
        np.array([1], dtype="timedelta64[s]"),
        np.zeros(2, dtype=[("x", "f4")]),
    ],
    ids=lambda a: str(a.dtype),
)
def test_load_refuses_the_non_numeric_arrays_save_refuses(tmp_path, array):
    with pytest.raises(SerializationError):
        mg.save({"a": array}, tmp_path / "saved.npz")
    path = _archive(tmp_path / "odd.npz", {"a0.npy": _npy_bytes(array), "__minigrad__.npy": _manifest({"array": "a0"})})
    with pytest.raises(SerializationError, match=r"odd.npz.*'a0.npy' of dtype .*only numeric and bool arrays"):
        mg.load(path)


def test_duplicate_members_are_refused(tmp_path):
    path = tmp_path / "twice.npz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name while writing it
        _archive(path, {"__minigrad__.npy": _manifest({"array": "a0"}), "a0.npy": _npy_bytes(np.ones(2))})
        with zipfile.ZipFile(path, "a") as z:
            z.writestr("a0.npy", _npy_bytes(np.zeros(2)))
    with pytest.raises(SerializationError, match="twice.npz.*holds the member 'a0.npy' twice"):
        mg.load(path)


class _Payload:
    """Unpickling this would create a marker file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_loading_never_executes_code(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "pickle.npz").write_bytes(pickle.dumps({"w": _Payload(str(marker))}))
    with pytest.raises(SerializationError):
        mg.load(tmp_path / "pickle.npz")
    # a real minigrad file with an object array (a pickle inside the .npy) slipped in
    path = tmp_path / "sneaky.npz"
    mg.save({"w": mg.ones(2)}, path)
    with np.load(path) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["a0"] = np.array([_Payload(str(marker))], dtype=object)
    np.savez(path, **arrays)
    with pytest.raises(SerializationError, match="sneaky.npz"):
        mg.load(path)
    assert not marker.exists()


# ---------------------------------------------------------------------- models and optimizers
def _train(model, opt, steps, first_step, x, y):
    for step in range(first_step, first_step + steps):
        mg.manual_seed(1000 + step)  # the dropout masks depend on the step only
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()


def test_model_and_optimizer_round_trip_continue_training_bit_for_bit(tmp_path):
    optim = pytest.importorskip("minigrad.optim")
    x = mg.tensor(RNG.standard_normal((16, 4)).astype(np.float32))
    y = mg.tensor(RNG.integers(0, 3, 16))

    mg.manual_seed(0)
    reference = make_model()
    ref_opt = optim.Adam(reference.parameters(), lr=0.01)
    _train(reference, ref_opt, 10, 0, x, y)

    mg.manual_seed(0)
    model = make_model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    _train(model, opt, 4, 0, x, y)
    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 4}, tmp_path / "ckpt.npz")
    del model, opt

    checkpoint = mg.load(tmp_path / "ckpt.npz")
    mg.manual_seed(99)  # a different initialisation: everything must come from the file
    model = make_model()
    opt = optim.Adam(model.parameters(), lr=0.5)
    model.load_state_dict(checkpoint["model"])
    opt.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 4
    assert opt.param_groups[0]["lr"] == 0.01
    _train(model, opt, 6, 4, x, y)

    for (name, a), b in zip(model.state_dict().items(), reference.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    for sa, sb in zip(opt.state_dict()["state"].values(), ref_opt.state_dict()["state"].values()):
        for key in sa:
            np.testing.assert_array_equal(
                np.asarray(getattr(sa[key], "data", sa[key])),
                np.asarray(getattr(sb[key], "data", sb[key])),
                err_msg=key,
            )


def test_loading_the_wrong_model_names_the_keys_and_shapes(tmp_path):
    mg.save(make_model().state_dict(), tmp_path / "m.npz")
    other = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))
    before = other[0].weight.numpy().copy()
    with pytest.raises(RuntimeError) as info:
        other.load_state_dict(mg.load(tmp_path / "m.npz"))
    msg = str(info.value)
    assert "size mismatch for 0.weight" in msg and "(8, 4)" in msg and "(6, 4)" in msg
    assert '"1.running_mean"' in msg and '"2.weight"' in msg and '"4.weight"' in msg
    np.testing.assert_array_equal(other[0].weight.numpy(), before)


def test_trained_weights_move_into_pytorch_with_one_dict_comprehension(tmp_path):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    mg.manual_seed(3)
    model = make_model()
    x = mg.tensor(RNG.standard_normal((32, 4)).astype(np.float32))
    y = mg.tensor(RNG.integers(0, 3, 32))
    for _ in range(5):  # move the weights and the BatchNorm running statistics away from their initial values
        model.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        with mg.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
    mg.save(model.state_dict(), tmp_path / "model.npz")

    # --- the README snippet
    torch_model = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Dropout(0.25), torch.nn.Linear(8, 3)
    )
    state = mg.load(tmp_path / "model.npz")
    torch_model.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in state.items()})
    # ---

    model.eval()
    torch_model.eval()
    x_test = RNG.standard_normal((10, 4)).astype(np.float32)
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(x_test)).numpy()
    np.testing.assert_allclose(model(mg.tensor(x_test)).numpy(), expected, rtol=1e-5, atol=1e-6)
    assert torch_model[1].num_batches_tracked.item() == 5
