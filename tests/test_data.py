"""minigrad.data: DataLoader, TensorDataset, digits, IDX files, splits, standardisation, noise."""

from __future__ import annotations

import fnmatch
import gzip
import math
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad import data as mdata
from minigrad.data import (
    DataLoader,
    Dataset,
    GaussianNoise,
    IdxFormatError,
    Standardizer,
    TensorDataset,
    load_digits,
    load_mnist,
    read_idx,
    split_indices,
    standardize,
    train_test_split,
    train_val_test_split,
    write_idx,
)

ROOT = Path(__file__).resolve().parents[1]
DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # scikit-learn's, for 0..9
IDX_DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


def _loader_labels(loader: DataLoader) -> list[np.ndarray]:
    return [yb.numpy().copy() for _, yb in loader]


def _indexed_dataset(n: int) -> TensorDataset:
    """Row i of X is (i, -i) as float32; label i as int64: batches reveal which samples they hold."""
    X = np.stack([np.arange(n), -np.arange(n)], axis=1).astype(np.float32)
    return TensorDataset(X, np.arange(n, dtype=np.int64))


# ---------------------------------------------------------------- DataLoader


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 40),
    batch_size=st.integers(1, 15),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_loader_covers_every_sample_once_per_epoch(n, batch_size, shuffle, drop_last, seed):
    loader = DataLoader(
        _indexed_dataset(n),
        batch_size,
        shuffle=shuffle,
        drop_last=drop_last,
        generator=np.random.default_rng(seed),
    )
    batches = list(loader)
    assert len(batches) == len(loader)
    assert len(loader) == (n // batch_size if drop_last else math.ceil(n / batch_size))
    seen = []
    for k, batch in enumerate(batches):
        assert isinstance(batch, tuple) and len(batch) == 2
        xb, yb = batch
        assert isinstance(xb, mg.Tensor) and isinstance(yb, mg.Tensor)
        assert xb.dtype == np.float32 and yb.dtype == np.int64
        is_last = k == len(batches) - 1
        if drop_last or not is_last:
            assert yb.shape == (batch_size,)
        else:
            assert 1 <= yb.shape[0] <= batch_size
        assert xb.shape == (yb.shape[0], 2)
        np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy())  # features travel with their labels
        seen.extend(yb.numpy().tolist())
    assert len(seen) == len(set(seen))  # no sample twice
    if drop_last:
        assert len(seen) == (n // batch_size) * batch_size
    else:
        assert sorted(seen) == list(range(n))
    if not shuffle:
        assert seen == list(range(len(seen)))


def test_loader_partial_last_batch_kept_or_dropped():
    ds = _indexed_dataset(10)
    assert [b.shape[0] for b in _loader_labels(DataLoader(ds, 4))] == [4, 4, 2]
    assert [b.shape[0] for b in _loader_labels(DataLoader(ds, 4, drop_last=True))] == [4, 4]
    assert len(DataLoader(ds, 4)) == 3 and len(DataLoader(ds, 4, drop_last=True)) == 2
    assert len(DataLoader(ds, 5, drop_last=True)) == 2 and len(DataLoader(ds, 20)) == 1
    assert len(DataLoader(ds, 20, drop_last=True)) == 0 and list(DataLoader(ds, 20, drop_last=True)) == []


def test_loader_new_permutation_every_epoch():
    loader = DataLoader(_indexed_dataset(100), 100, shuffle=True, generator=np.random.default_rng(0))
    orders = [np.concatenate(_loader_labels(loader)) for _ in range(3)]
    for order in orders:
        assert sorted(order.tolist()) == list(range(100))
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    assert not np.array_equal(orders[0], np.arange(100))


def test_loader_reproducible_with_seeded_generator():
    def epochs(generator):
        loader = DataLoader(_indexed_dataset(50), 8, shuffle=True, generator=generator)
        return [np.concatenate(_loader_labels(loader)) for _ in range(2)]

    a, b = epochs(np.random.default_rng(123)), epochs(np.random.default_rng(123))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    c = epochs(np.random.default_rng(124))
    assert not np.array_equal(a[0], c[0])


def test_loader_default_generator_follows_manual_seed():
    loader = DataLoader(_indexed_dataset(50), 50, shuffle=True)
    mg.manual_seed(5)
    first = _loader_labels(loader)[0]
    mg.manual_seed(5)
    again = _loader_labels(loader)[0]
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize("bad", [1.5, "2", True, None, np.float64(3.0)])
def test_loader_batch_size_type_errors(bad):
    with pytest.raises(TypeError, match="batch_size"):
        DataLoader(_indexed_dataset(4), bad)


@pytest.mark.parametrize("bad", [0, -1])
def test_loader_batch_size_value_errors(bad):
    with pytest.raises(ValueError, match=f"batch_size must be a positive int, got {bad}"):
        DataLoader(_indexed_dataset(4), bad)


def test_loader_other_argument_errors():
    ds = _indexed_dataset(4)
    with pytest.raises(TypeError, match="generator"):
        DataLoader(ds, 2, shuffle=True, generator=0)
    with pytest.raises(TypeError, match="shuffle"):
        DataLoader(ds, 2, shuffle="yes")
    with pytest.raises(TypeError, match="transform"):
        DataLoader(ds, 2, transform=3)
    with pytest.raises(TypeError, match="__len__ and __getitem__"):
        DataLoader(42, 2)
    assert DataLoader(ds, np.int64(2)).batch_size == 2


def test_tensor_dataset_batches_with_one_fancy_index_not_per_sample():
    class NoSampleAccess(TensorDataset):
        def __getitem__(self, index):
            raise AssertionError("DataLoader fetched a TensorDataset sample by sample")

    X, y = np.random.default_rng(0).normal(size=(30, 3)), np.arange(30)
    batches = list(DataLoader(NoSampleAccess(X, y), 7, shuffle=True, generator=np.random.default_rng(1)))
    assert len(batches) == 5
    for xb, yb in batches:
        np.testing.assert_array_equal(xb.numpy(), X[yb.numpy()])
        assert xb.dtype == np.float64  # features keep their dtype


def test_loader_batches_do_not_alias_the_dataset():
    X = np.zeros((6, 2), dtype=np.float32)
    for xb, _ in DataLoader(TensorDataset(X, np.arange(6)), 3):
        xb.numpy()[...] = 7.0
    assert not X.any()


def test_generic_dataset_is_collated():
    class Squares(Dataset):
        def __len__(self):
            return 7

        def __getitem__(self, i):
            return np.full(3, i, dtype=np.float32), i * i

    batches = list(DataLoader(Squares(), 3))
    assert [yb.shape for _, yb in batches] == [(3,), (3,), (1,)]
    xb, yb = batches[0]
    assert xb.shape == (3, 3) and xb.dtype == np.float32
    assert yb.dtype == np.int64 and yb.numpy().tolist() == [0, 1, 4]

    class Single(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return np.arange(2.0) + i

    (only,) = list(DataLoader(Single(), 4))
    assert isinstance(only, mg.Tensor) and only.shape == (4, 2)

    class Dicts(Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return {"x": np.ones(2) * i, "y": i}

    (batch,) = list(DataLoader(Dicts(), 2))
    assert set(batch) == {"x", "y"} and batch["y"].numpy().tolist() == [0, 1]


def test_abstract_dataset_needs_len_and_getitem():
    with pytest.raises(NotImplementedError):
        len(Dataset())
    with pytest.raises(NotImplementedError):
        Dataset()[0]


def test_loader_transform_touches_inputs_only():
    X, y = np.zeros((20, 4), dtype=np.float32), np.arange(20)
    loader = DataLoader(TensorDataset(X, y), 5, transform=GaussianNoise(1.0, generator=np.random.default_rng(0)))
    for xb, yb in loader:
        assert xb.dtype == np.float32 and np.all(xb.numpy() != 0)
        assert yb.dtype == np.int64
    np.testing.assert_array_equal(np.concatenate(_loader_labels(loader)), y)
    assert not X.any()  # the dataset itself is untouched


def test_tensor_dataset_accepts_tensors_and_arrays():
    X = mg.tensor(np.arange(12, dtype=np.float64).reshape(6, 2))
    y = np.arange(6, dtype=np.int64)
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    x3, y3 = ds[3]
    assert isinstance(x3, mg.Tensor) and x3.numpy().tolist() == [6.0, 7.0] and x3.dtype == np.float64
    assert isinstance(y3, mg.Tensor) and y3.numpy().item() == 3 and y3.dtype == np.int64
    assert [t.shape for t in ds.tensors] == [(6, 2), (6,)]
    assert "TensorDataset" in repr(ds)


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"same size in the first dimension, got sizes \(5, 4\)"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"got sizes \(3, 3, 2\)"):
        TensorDataset(np.zeros(3), mg.tensor(np.zeros((3, 1))), np.zeros(2))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-dimensional"):
        TensorDataset(np.zeros(()))
    with pytest.raises(TypeError, match="Tensor or a numpy.ndarray, got list"):
        TensorDataset([1, 2, 3])


# ---------------------------------------------------------------- digits


def test_digits_shape_dtype_range_and_classes():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))
    assert np.bincount(y).tolist() == DIGIT_COUNTS
    # the first sample is the well-known "0" of scikit-learn's copy
    assert y[0] == 0 and X[0, :8].tolist() == [0, 0, 5, 13, 9, 1, 0, 0]


def test_digits_dtype_argument_and_fresh_copies():
    X64, y = load_digits(dtype=np.float64)
    assert X64.dtype == np.float64
    X64[:] = -1
    y[:] = -1
    X, y2 = load_digits()
    assert X.min() == 0 and y2.min() == 0
    Xi, _ = load_digits(dtype=np.uint8)
    assert Xi.dtype == np.uint8 and Xi.max() == 16


def test_digits_file_and_licence_are_package_data():
    data_dir = Path(mdata.__file__).parent
    assert (data_dir / "digits.csv.gz").is_file()
    licence = (data_dir / "DIGITS_LICENSE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in licence and "Alpaydin" in licence
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    with open(ROOT / "pyproject.toml", "rb") as f:
        patterns = tomllib.load(f)["tool"]["setuptools"]["package-data"]["minigrad"]
    for name in ("data/digits.csv.gz", "data/DIGITS_LICENSE.md"):
        assert any(fnmatch.fnmatch(name, p) for p in patterns), name


# ---------------------------------------------------------------- IDX files


@settings(max_examples=80, deadline=None)
@given(
    dtype=st.sampled_from(IDX_DTYPES),
    shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
    gz=st.booleans(),
    data=st.data(),
)
def test_idx_round_trip(tmp_path_factory, dtype, shape, gz, data):
    elements = st.floats(-1e6, 1e6, width=32) if np.dtype(dtype).kind == "f" else None
    array = data.draw(hnp.arrays(dtype, shape, elements=elements))
    path = tmp_path_factory.mktemp("idx") / ("a.idx.gz" if gz else "a.idx")
    write_idx(path, array)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == gz
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("dtype", IDX_DTYPES)
@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip_each_dtype(tmp_path, dtype, compress):
    array = (np.arange(24) - 7).astype(dtype).reshape(2, 3, 4)
    path = tmp_path / "plain-name"  # compression is detected by magic bytes, not the name
    write_idx(path, array, compress=compress)
    np.testing.assert_array_equal(read_idx(path), array)
    assert read_idx(path).flags.writeable


def test_idx_layout_is_big_endian(tmp_path):
    path = tmp_path / "x.idx"
    write_idx(path, np.array([258, -2], dtype=np.int16))
    assert path.read_bytes() == bytes([0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE])
    write_idx(path, mg.tensor(np.array([[1, 2, 3]], dtype=np.uint8)))  # Tensors too
    assert path.read_bytes() == bytes([0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3])


def _write(path: Path, payload: bytes, gz: bool = False) -> Path:
    path.write_bytes(gzip.compress(payload) if gz else payload)
    return path


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize(
    "payload, message",
    [
        (b"\x01\x00\x08\x01\x00\x00\x00\x01\x07", "bad magic number 01 00 08 01"),
        (b"GIF89a\x00\x00", "not an IDX file"),
        (b"\x00\x00\x0a\x01\x00\x00\x00\x01\x07", "unknown IDX dtype code 0x0A"),
        (b"\x00\x00\x08", "truncated: 3 bytes"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00", "truncated in its header"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x03" + bytes(5), "needs 6 data bytes, found 5"),
        (b"\x00\x00\x0c\x01\x00\x00\x00\x02" + bytes(7), r"\(2,\) of int32 needs 8 data bytes, found 7"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x02" + bytes(3), r"trailing bytes after the data: shape \(2,\) of uint8"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x00" + struct.pack(">II", 4 * 10**9, 4 * 10**9), "too large for a NumPy array"),
    ],
)
def test_idx_malformed_files_raise_naming_the_file(tmp_path, payload, message, gz):
    path = _write(tmp_path / "broken-file", payload, gz)
    with pytest.raises(IdxFormatError, match=message) as info:
        read_idx(path)
    assert "broken-file" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_idx_counts_the_trailing_bytes_of_a_plain_file(tmp_path):
    path = _write(tmp_path / "long", b"\x00\x00\x08\x01\x00\x00\x00\x02" + bytes(3))
    with pytest.raises(IdxFormatError, match="has 1 trailing bytes after the data: .* found 3"):
        read_idx(path)


def test_idx_gzip_is_streamed_up_to_the_declared_size(tmp_path):
    """A small .gz declaring 1 data byte but inflating to 64 MB is refused without inflating it all."""
    path = tmp_path / "bomb-idx1-ubyte.gz"
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(b"\x00\x00\x08\x01" + struct.pack(">I", 1) + b"\x07")
        for _ in range(4):
            f.write(bytes(2**24))
    header = b"\x00\x00\x0e\x02" + struct.pack(">II", 2**32 - 1, 2**32 - 1)  # float64: 1.5e20 bytes
    declared_huge = _write(tmp_path / "huge.gz", header + bytes(3), gz=True)
    tracemalloc.start()
    try:
        with pytest.raises(IdxFormatError, match="bomb-idx1-ubyte.gz' has .*trailing bytes after the data"):
            read_idx(path)
        with pytest.raises(
            IdxFormatError,
            match=r"huge.gz' is truncated: .* needs 147573952520956936200 data bytes, "
            r"found 3$",
        ):
            read_idx(declared_huge)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"read_idx held {peak / 2**20:.0f} MB for files holding 1 and 3 data bytes"


def test_idx_truncated_gzip_and_missing_file(tmp_path):
    good = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x03\x01\x02\x03")
    path = tmp_path / "cut.gz"
    path.write_bytes(good[:-6])
    with pytest.raises(IdxFormatError, match="cut.gz.*damaged or truncated gzip"):
        read_idx(path)
    bad_crc = bytearray(good)
    bad_crc[-6] ^= 1  # the stream must be read to its end, where gzip checks the CRC
    path.write_bytes(bytes(bad_crc))
    with pytest.raises(IdxFormatError, match="cut.gz.*damaged or truncated gzip.*CRC"):
        read_idx(path)
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope")


def test_write_idx_rejects_dtypes_idx_lacks(tmp_path):
    for dtype in (np.int64, np.bool_, np.uint16, np.float16):
        with pytest.raises(TypeError, match=f"cannot store dtype {np.dtype(dtype)}"):
            write_idx(tmp_path / "x", np.zeros(2, dtype=dtype))


def test_load_mnist_from_files_and_directory(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=5).astype(np.uint8)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", labels)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images[:2])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels[:2])

    X, y = load_mnist(tmp_path / "train-images-idx3-ubyte.gz", tmp_path / "train-labels-idx1-ubyte.gz")
    assert X.dtype == np.uint8 and X.shape == (5, 28, 28) and y.dtype == np.int64
    np.testing.assert_array_equal(X, images)
    np.testing.assert_array_equal(y, labels)

    X, y = load_mnist(tmp_path, kind="test", flatten=True, dtype=np.float32)
    assert X.shape == (2, 784) and X.dtype == np.float32 and y.tolist() == labels[:2].tolist()
    X, _ = load_mnist(str(tmp_path))
    assert X.shape == (5, 28, 28)


def test_load_mnist_errors(tmp_path):
    write_idx(tmp_path / "imgs", np.zeros((3, 2, 2), np.uint8))
    write_idx(tmp_path / "labs", np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match=r"imgs' has 3 images but .*labs' has 4 labels"):
        load_mnist(tmp_path / "imgs", tmp_path / "labs")
    write_idx(tmp_path / "labs2d", np.zeros((3, 1), np.uint8))
    with pytest.raises(ValueError, match="1-D array of labels"):
        load_mnist(tmp_path / "imgs", tmp_path / "labs2d")
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match="kind"):
        load_mnist(tmp_path, kind="validation")
    with pytest.raises(ValueError, match="not a directory"):
        load_mnist(tmp_path / "imgs")


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.array([1.0, 2.5, 3.0], np.float32), "labs' holds float32 values; class labels must be integers"),
        (np.array([0.0, 1.0, 2.0]), "labs' holds float64 values"),
        (np.array([3, -1, 2], np.int8), "labs' holds the negative label -1 at index 1"),
        (np.array([3, 1, -70000], np.int32), "labs' holds the negative label -70000 at index 2"),
    ],
)
def test_load_mnist_refuses_labels_that_are_not_class_indices(tmp_path, labels, message):
    write_idx(tmp_path / "imgs", np.zeros((3, 2, 2), np.uint8))
    write_idx(tmp_path / "labs", labels)
    with pytest.raises(ValueError, match=message):
        load_mnist(tmp_path / "imgs", tmp_path / "labs")


# ---------------------------------------------------------------- splits


def _check_partition(parts: tuple[np.ndarray, ...], n: int) -> None:
    joined = np.concatenate(parts)
    assert len(joined) == n and sorted(joined.tolist()) == list(range(n))


def _check_stratified(y: np.ndarray, parts: tuple[np.ndarray, ...]) -> None:
    n = len(y)
    for k in np.unique(y):
        c_k = np.sum(y == k)
        for idx in parts:
            ideal = c_k * len(idx) / n
            assert abs(np.sum(y[idx] == k) - ideal) <= 1.0, (k, len(idx), ideal)


@settings(max_examples=100, deadline=None)
@given(
    y=hnp.arrays(np.int64, st.integers(2, 150), elements=st.integers(0, 6)),
    test_size=st.floats(0.01, 0.6),
    val_size=st.floats(0.0, 0.3),
    seed=st.integers(0, 1000),
)
def test_stratified_split_keeps_class_proportions(y, test_size, val_size, seed):
    n = len(y)
    if n - math.ceil(test_size * n) - math.ceil(val_size * n) <= 0:
        with pytest.raises(ValueError, match="leave no training samples"):
            split_indices(y, [val_size, test_size], seed=seed)
        return
    parts = split_indices(y, [val_size, test_size], seed=seed)
    _check_partition(parts, n)
    assert [len(p) for p in parts[1:]] == [math.ceil(val_size * n), math.ceil(test_size * n)]
    _check_stratified(y, parts)


def test_train_test_split_on_digits_five_seeds():
    X, y = load_digits()
    test_sets = []
    for seed in range(5):
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, 0.2, seed=seed)
        assert X_tr.shape == (1437, 64) and X_te.shape == (360, 64)
        assert y_tr.dtype == np.int64 and X_tr.dtype == np.float32
        counts = np.bincount(y_te, minlength=10)
        assert np.all(np.abs(counts - np.array(DIGIT_COUNTS) * 0.2) <= 1)
        # rows still match their labels, and train/test are disjoint
        rows = {row.tobytes(): label for row, label in zip(X, y, strict=True)}
        assert all(rows[r.tobytes()] == lab for r, lab in zip(X_te, y_te, strict=True))
        test_sets.append(X_te)
    again = train_test_split(X, y, 0.2, seed=3)
    np.testing.assert_array_equal(again[1], test_sets[3])
    assert not np.array_equal(test_sets[0], test_sets[1])


def test_split_is_disjoint_and_complete_with_ids():
    y = np.repeat(np.arange(3), [50, 30, 20])
    ids = np.arange(100)
    X_tr, X_va, X_te, y_tr, y_va, y_te = train_val_test_split(ids, y, 0.1, 0.2, seed=0)
    _check_partition((X_tr, X_va, X_te), 100)
    assert (len(X_tr), len(X_va), len(X_te)) == (70, 10, 20)
    assert np.bincount(y_te).tolist() == [10, 6, 4] and np.bincount(y_va).tolist() == [5, 3, 2]
    np.testing.assert_array_equal(y[X_tr], y_tr)


def test_unstratified_and_unshuffled_split():
    idx_tr, idx_te = split_indices(10, [0.3], stratify=False, shuffle=False)
    assert idx_tr.tolist() == list(range(7)) and idx_te.tolist() == [7, 8, 9]
    X_tr, X_te, _, _ = train_test_split(np.arange(10), np.zeros(10), 3, stratify=False, seed=0)
    _check_partition((X_tr, X_te), 10)
    assert len(X_te) == 3


def test_split_seed_none_follows_manual_seed():
    y = np.arange(40) % 4
    mg.manual_seed(11)
    a = split_indices(y, [0.25])
    mg.manual_seed(11)
    b = split_indices(y, [0.25])
    np.testing.assert_array_equal(a[1], b[1])


def test_split_errors():
    X, y = np.zeros((10, 2)), np.arange(10) % 2
    with pytest.raises(ValueError, match="same number of samples"):
        train_test_split(X, y[:9])
    with pytest.raises(ValueError, match=r"test_size must be a fraction in \[0, 1\)"):
        train_test_split(X, y, 1.5)
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(X, y, -0.1)
    with pytest.raises(ValueError, match="leave no training samples"):
        train_val_test_split(X, y, 0.5, 0.5)
    with pytest.raises(ValueError, match="test_size=11 samples"):
        train_test_split(X, y, 11)
    with pytest.raises(TypeError, match="seed"):
        train_test_split(X, y, seed="0")
    with pytest.raises(ValueError, match="1-D"):
        split_indices(np.zeros((10, 2)), [0.2])
    with pytest.raises(ValueError, match="empty"):
        split_indices(np.zeros(0), [0.2])


# ---------------------------------------------------------------- standardisation


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal(5.0, 2.0, size=(500, 3))
    X_val = rng.normal(8.0, 2.0, size=(200, 3))  # shifted: its own statistics would centre it
    scaler = Standardizer().fit(X_train)
    Z_train, Z_val = scaler.transform(X_train), scaler.transform(X_val)
    np.testing.assert_allclose(Z_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z_train.std(axis=0), 1.0, atol=1e-12)
    assert np.all(np.abs(Z_val.mean(axis=0)) > 1.0)  # NOT zero: val statistics never used
    np.testing.assert_allclose(scaler.mean_, X_train.mean(axis=0))
    np.testing.assert_allclose(scaler.inverse_transform(Z_val), X_val)
    # refitting on other data would change the result; transforming val does not refit
    before = scaler.mean_.copy()
    scaler.transform(X_val * 100)
    np.testing.assert_array_equal(scaler.mean_, before)


def test_standardize_function_on_digits_guards_constant_features():
    X, y = load_digits()
    X_tr, X_te, _, _ = train_test_split(X, y, 0.2, seed=0)
    Z_tr, Z_te = standardize(X_tr, X_te)
    assert Z_tr.dtype == np.float32 and Z_te.shape == X_te.shape
    assert not np.isnan(Z_tr).any() and not np.isnan(Z_te).any()
    constant = X_tr.std(axis=0) == 0
    assert constant.any()  # the digits have always-blank pixels
    assert np.all(Z_tr[:, constant] == 0)
    np.testing.assert_allclose(Z_tr[:, ~constant].mean(axis=0), 0, atol=1e-5)
    assert not np.allclose(Z_te.mean(axis=0), 0, atol=1e-3)
    (only,) = standardize(X_tr)
    np.testing.assert_array_equal(only, Z_tr)
    *_, scaler = standardize(X_tr, X_te, return_standardizer=True)
    assert isinstance(scaler, Standardizer) and np.all(scaler.scale_[constant] == 1)


@settings(max_examples=40, deadline=None)
@given(
    X=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=6),
        elements=st.floats(-1e3, 1e3),
    )
)
def test_fit_transform_is_finite_and_centred(X):
    Z = Standardizer().fit_transform(X)
    assert Z.shape == X.shape and np.isfinite(Z).all()
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-6)


def test_standardizer_dtypes_tensors_and_errors():
    Xi = np.arange(12, dtype=np.int64).reshape(6, 2)
    assert Standardizer().fit_transform(Xi).dtype == mg.get_default_dtype()
    Zt = Standardizer().fit(Xi).transform(mg.tensor(Xi.astype(np.float64)))
    assert isinstance(Zt, mg.Tensor) and Zt.dtype == np.float64
    with pytest.raises(RuntimeError, match="not fitted"):
        Standardizer().transform(Xi)
    with pytest.raises(ValueError, match=r"fitted on samples of shape \(2,\), got data of shape \(6, 3\)"):
        Standardizer().fit(Xi).transform(np.zeros((6, 3)))
    with pytest.raises(ValueError, match="at least one sample"):
        Standardizer().fit(np.zeros((0, 2)))


# ---------------------------------------------------------------- Gaussian noise


@pytest.mark.parametrize("std", [0.05, 0.3, 2.0])
def test_gaussian_noise_has_the_right_std(std):
    x = np.full((400, 250), 3.0, dtype=np.float32)
    out = GaussianNoise(std, generator=np.random.default_rng(0))(x)
    noise = out - x
    assert out.dtype == np.float32 and out.shape == x.shape
    assert abs(noise.std() / std - 1) < 0.01
    assert abs(noise.mean()) < 0.01 * std
    assert np.all(x == 3.0)  # input untouched


def test_gaussian_noise_reproducible_and_fresh_each_call():
    x = np.zeros((3, 4))
    a = GaussianNoise(1.0, np.random.default_rng(7))
    b = GaussianNoise(1.0, np.random.default_rng(7))
    first = a(x)
    np.testing.assert_array_equal(first, b(x))
    assert not np.array_equal(first, a(x))
    np.testing.assert_array_equal(GaussianNoise(0.0)(x), x)
    assert GaussianNoise(1.0)(np.zeros(3, dtype=np.int64)).dtype == mg.get_default_dtype()


def test_gaussian_noise_on_tensor_keeps_the_gradient_path():
    x = mg.tensor(np.ones((2, 3)), requires_grad=True)
    y = GaussianNoise(0.1, np.random.default_rng(0))(x)
    assert isinstance(y, mg.Tensor) and not np.array_equal(y.numpy(), x.numpy())
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3)))


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1", True])
def test_gaussian_noise_rejects_bad_std(bad):
    with pytest.raises(ValueError, match="std must be a finite number >= 0"):
        GaussianNoise(bad)
