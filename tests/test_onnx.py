"""minigrad.onnx.export: every exported layer and model runs in ONNX Runtime and agrees with minigrad's
eval-mode output (float32, 1e-5) on batch sizes other than the example's; unsupported ops are refused."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn

TOL = 1e-5


def _ort():
    pytest.importorskip("onnx")
    return pytest.importorskip("onnxruntime")


def _session(ort, path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _check(model, example, tmp_path, batches=(1, 7), make=None, **kwargs):
    """Export ``model`` on ``example``; compare ONNX Runtime with minigrad (eval mode) on other batch sizes."""
    ort = _ort()
    path = tmp_path / "model.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("error", mg.onnx.ExportWarning)  # the exporter's own second-input check passes
        mg.onnx.export(model, example, path, **kwargs)
    session = _session(ort, path)
    name = session.get_inputs()[0].name
    was = model.training
    model.eval()
    try:
        worst = 0.0
        for n in batches:
            x = make(n) if make is not None else mg.randn(n, *example.shape[1:])
            want = model(x).numpy()
            got = session.run(None, {name: x.numpy()})[0]
            assert got.shape == want.shape and got.dtype == want.dtype
            np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)
            worst = max(worst, float(np.abs(got - want).max()))
    finally:
        model.train(was)
    return worst


def _trained_batchnorm(bn, shape):
    bn.train()
    for _ in range(3):  # running statistics away from 0 and 1
        bn(mg.randn(*shape) * 3 + 1.5)
    with mg.no_grad():
        if bn.weight is not None:
            bn.weight.copy_(mg.rand(bn.num_features) + 0.5)
        if bn.bias is not None:
            bn.bias.copy_(mg.randn(bn.num_features))
    return bn


LAYERS = {
    "linear": lambda: nn.Linear(5, 3),
    "linear_nobias": lambda: nn.Linear(5, 3, bias=False),
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.2),
    "elu": lambda: nn.ELU(0.7),
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "gelu_tanh": lambda: nn.GELU(approximate="tanh"),
    "silu": nn.SiLU,
    "mish": nn.Mish,
    "softplus": nn.Softplus,
    "softplus_beta": lambda: nn.Softplus(beta=2.0, threshold=3.0),
    "hardtanh": lambda: nn.Hardtanh(-0.5, 0.8),
    "relu6": nn.ReLU6,
    "dropout": lambda: nn.Dropout(0.5),
    "softmax": lambda: nn.Softmax(dim=1),
    "log_softmax": lambda: nn.LogSoftmax(dim=-1),
    "layer_norm": lambda: nn.LayerNorm(5),
    "layer_norm_plain": lambda: nn.LayerNorm(5, elementwise_affine=False),
    "residual": lambda: nn.Residual(nn.Sequential(nn.Linear(5, 5), nn.Tanh())),
    "identity": nn.Identity,
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_each_layer_matches_onnxruntime(name, tmp_path):
    mg.manual_seed(0)
    layer = LAYERS[name]()
    if isinstance(layer, nn.LayerNorm) and layer.weight is not None:
        with mg.no_grad():
            layer.weight.copy_(mg.rand(5) + 0.5)
            layer.bias.copy_(mg.randn(5))
    # scaled so the activations see both sides of their kinks and thresholds
    _check(layer, mg.randn(4, 5), tmp_path, make=lambda n: mg.randn(n, 5) * 3)


@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm1d_exports_its_running_statistics(affine, tmp_path):
    mg.manual_seed(1)
    bn = _trained_batchnorm(nn.BatchNorm1d(6, affine=affine), (16, 6))
    assert bn.training
    _check(bn, mg.randn(4, 6), tmp_path)
    assert bn.training  # the flag comes back
    onnx = pytest.importorskip("onnx")
    ops = [node.op_type for node in onnx.load(str(tmp_path / "model.onnx")).graph.node]
    assert "BatchNormalization" in ops


def test_batchnorm1d_on_sequences(tmp_path):
    mg.manual_seed(2)
    bn = _trained_batchnorm(nn.BatchNorm1d(3), (8, 3, 5))
    _check(bn, mg.randn(2, 3, 5), tmp_path, make=lambda n: mg.randn(n, 3, 5))


def test_layer_norm_uses_layernormalization_and_decomposes_before_opset_17(tmp_path):
    onnx = pytest.importorskip("onnx")
    mg.manual_seed(3)
    ln = nn.LayerNorm((2, 4))
    with mg.no_grad():
        ln.weight.copy_(mg.rand(2, 4) + 0.5)
    model = nn.Sequential(nn.Linear(6, 8), nn.Unflatten(1, (2, 4)), ln, nn.Flatten())
    for opset, op in ((17, "LayerNormalization"), (13, "ReduceMean")):
        _check(model, mg.randn(3, 6), tmp_path, opset_version=opset)
        proto = onnx.load(str(tmp_path / "model.onnx"))
        assert proto.opset_import[0].version == opset
        ops = {node.op_type for node in proto.graph.node}
        assert op in ops and ("LayerNormalization" in ops) == (opset >= 17)


def test_linear_on_3d_input(tmp_path):
    mg.manual_seed(4)
    _check(nn.Linear(5, 2), mg.randn(2, 3, 5), tmp_path, make=lambda n: mg.randn(n, 3, 5))


def test_demo_mlp_trained_with_batchnorm_and_dropout_in_train_mode(tmp_path):
    from minigrad.demo import Recipe, build_model

    mg.manual_seed(5)
    model = build_model(Recipe(), in_features=64, n_classes=10)
    opt = mg.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(5):
        x = mg.randn(32, 64)
        loss = nn.functional.cross_entropy(model(x), mg.randint(0, 10, (32,)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert any(isinstance(m, nn.Dropout) for m in model.modules())
    _check(model, mg.randn(2, 64), tmp_path, batches=(1, 5, 33))
    assert all(m.training for m in model.modules())  # train mode restored, Dropout and all


def test_char_model_embedding_flatten_linear(tmp_path):
    mg.manual_seed(6)
    vocab, block = 27, 3
    model = nn.Sequential(
        nn.Embedding(vocab, 10),
        nn.Flatten(),
        nn.Linear(block * 10, 64),
        nn.Tanh(),
        nn.Linear(64, vocab),
        nn.LogSoftmax(dim=1),
    )
    onnx = pytest.importorskip("onnx")
    _check(
        model,
        mg.randint(0, vocab, (4, block)),
        tmp_path,
        batches=(1, 9),
        make=lambda n: mg.randint(0, vocab, (n, block)),
    )
    proto = onnx.load(str(tmp_path / "model.onnx"))
    ops = [node.op_type for node in proto.graph.node]
    assert "Gather" in ops and "Gemm" in ops
    assert {init.name for init in proto.graph.initializer} >= {"0.weight", "2.weight", "2.bias"}


class _Custom(nn.Module):
    """A forward written with tensor ops only."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(mg.randn(4, 6))
        self.scale = nn.Parameter(mg.rand(6) + 0.5)

    def forward(self, x):
        h = (x @ self.w).exp().clamp(max=5.0) - x.mean(dim=1, keepdim=True)
        h = h * self.scale / (h**2 + 1.0).sqrt()
        h = mg.cat([h, h.transpose(0, 1).transpose(0, 1) * 2.0], dim=1)
        return h.sum(dim=1, keepdim=True) + h.reshape(h.shape[0], 2, 6).permute(0, 2, 1).reshape(-1, 12) * 0.5


def test_a_module_whose_forward_uses_exportable_ops(tmp_path):
    mg.manual_seed(7)
    _check(_Custom(), mg.randn(3, 4), tmp_path)


class _Indexing(nn.Module):
    def forward(self, x):  # x: (N, 4, 6)
        a = x[:, -1]  # (N, 6)
        b = x[..., 1:5:2].flatten(1)  # (N, 8)
        c = x[:, None, 2, ::-1].squeeze(1)  # (N, 6), reversed
        d = x.unsqueeze(0).sum(0)[:, 0]  # (N, 6): the batch moves to dim 1 and back
        return mg.cat([a, b, c, d, x.transpose(1, 2).reshape(x.shape[0], -1)[:, :3]], dim=1)


def test_basic_indexing_and_unsqueeze_keep_the_batch_dynamic(tmp_path):
    mg.manual_seed(10)
    _check(_Indexing(), mg.randn(3, 4, 6), tmp_path, make=lambda n: mg.randn(n, 4, 6))


class _Frozen(nn.Module):
    def forward(self, x):
        return x * float(x.numpy().mean())  # a value the trace can only freeze


class _SizedByExample(nn.Module):
    def forward(self, x):
        return x + mg.zeros(x.shape[0], x.shape[1])


@pytest.mark.parametrize("module", [_Frozen, _SizedByExample])
def test_values_the_trace_freezes_give_a_warning(module, tmp_path):
    _ort()
    with pytest.warns(mg.onnx.ExportWarning, match="second"):
        mg.onnx.export(module(), mg.randn(3, 4), tmp_path / "m.onnx")


def test_indexing_the_batch_dim_is_refused_when_it_is_dynamic(tmp_path):
    pytest.importorskip("onnx")

    class First(nn.Module):
        def forward(self, x):
            return x[0]

    with pytest.raises(NotImplementedError, match="GetItemBackward.*batch dim"):
        mg.onnx.export(First(), mg.randn(3, 4), tmp_path / "m.onnx")
    mg.onnx.export(First(), mg.randn(3, 4), tmp_path / "m.onnx", dynamic_batch=False)


def test_names_file_objects_and_fixed_batch(tmp_path):
    ort = _ort()
    mg.manual_seed(8)
    model = nn.Sequential(nn.Linear(3, 2), nn.Sigmoid())
    buf = io.BytesIO()
    proto = mg.onnx.export(model, mg.randn(4, 3), buf, input_names=["x"], output_names=["probs"], dynamic_batch=False)
    session = ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["x"] and [o.name for o in session.get_outputs()] == ["probs"]
    assert session.get_inputs()[0].shape == [4, 3]  # dynamic_batch=False keeps the example's size
    x = mg.randn(4, 3)
    model.eval()
    np.testing.assert_allclose(session.run(None, {"x": x.numpy()})[0], model(x).numpy(), rtol=TOL, atol=TOL)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 4
    mg.onnx.export(model, mg.randn(4, 3), tmp_path / "m.onnx")
    assert _session(ort, tmp_path / "m.onnx").get_inputs()[0].shape == ["batch", 3]


class _Cumsum(nn.Module):
    def forward(self, x):
        return x.cumsum(1)


def test_unsupported_op_is_named_and_flags_are_restored(tmp_path):
    pytest.importorskip("onnx")
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.1), _Cumsum())
    model.train()
    with pytest.raises(NotImplementedError, match=r"onnx export: op CumSumBackward is not supported"):
        mg.onnx.export(model, mg.randn(2, 3), tmp_path / "bad.onnx")
    assert all(m.training for m in model.modules())
    assert not (tmp_path / "bad.onnx").exists()


def test_bad_arguments(tmp_path):
    pytest.importorskip("onnx")
    model = nn.Linear(3, 2)
    with pytest.raises(ValueError, match="opset_version"):
        mg.onnx.export(model, mg.randn(2, 3), tmp_path / "m.onnx", opset_version=9)
    with pytest.raises(TypeError, match="nn.Module"):
        mg.onnx.export(lambda x: x, mg.randn(2, 3), tmp_path / "m.onnx")
    with pytest.raises(ValueError, match="input_names"):
        mg.onnx.export(model, mg.randn(2, 3), tmp_path / "m.onnx", input_names=["a", "b"])
    bn = nn.BatchNorm1d(3, track_running_stats=False)
    with pytest.raises(NotImplementedError, match="BatchNorm1d"):
        mg.onnx.export(bn, mg.randn(2, 3), tmp_path / "m.onnx")


def test_the_checker_accepts_what_is_written(tmp_path):
    onnx = pytest.importorskip("onnx")
    mg.manual_seed(9)
    model = nn.Sequential(nn.Linear(4, 4), nn.GELU(), nn.LayerNorm(4), nn.Linear(4, 2), nn.Softmax(dim=1))
    mg.onnx.export(model, mg.randn(2, 4), tmp_path / "m.onnx")
    onnx.checker.check_model(onnx.load(str(tmp_path / "m.onnx")), full_check=True)


def test_export_without_onnx_says_how_to_install():
    code = (
        "import sys; sys.modules['onnx'] = None\n"
        "import minigrad as mg\nimport minigrad.onnx\n"  # the module imports (its reference documents it)
        "try:\n    mg.onnx.export(mg.nn.Linear(2, 2), mg.randn(3, 2), 'm.onnx')\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'minigrad[onnx]'" in out


def test_demo_writes_model_onnx(tmp_path):
    ort = _ort()
    from minigrad.demo import run_demo

    report = run_demo(epochs=1, out_dir=tmp_path, progress=False, verbose=False)
    assert any("model.onnx" in line for line in report["files"])
    session = _session(ort, tmp_path / "model.onnx")
    model = report["results"][0].model
    model.eval()
    x = mg.tensor(report["results"][0].data["X_test"][:50])
    np.testing.assert_allclose(session.run(None, {"input": x.numpy()})[0], model(x).numpy(), rtol=TOL, atol=TOL)


class _TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.lin = nn.Linear(4, 4)

    def forward(self, ids, x):
        return self.lin(self.emb(ids)).sum(1) * x, x.relu()


def test_several_inputs_and_outputs_and_int32_ids(tmp_path):
    ort = _ort()
    mg.manual_seed(11)
    model = _TwoInputs()
    ids = mg.randint(0, 10, (3, 5)).int()
    with warnings.catch_warnings():
        warnings.simplefilter("error", mg.onnx.ExportWarning)
        mg.onnx.export(model, (ids, mg.randn(3, 4)), tmp_path / "m.onnx", output_names=["a", "b"])
    session = _session(ort, tmp_path / "m.onnx")
    assert [i.name for i in session.get_inputs()] == ["input_0", "input_1"]
    ids2, x2 = mg.randint(0, 10, (6, 5)).int(), mg.randn(6, 4)
    got = session.run(None, {"input_0": ids2.numpy(), "input_1": x2.numpy()})
    for g, w in zip(got, model(ids2, x2)):
        np.testing.assert_allclose(g, w.numpy(), rtol=TOL, atol=TOL)


class _NumpyFunction(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return mg.tensor(np.cumsum(x.numpy(), axis=1))

    @staticmethod
    def backward(ctx, g):
        return g


def test_a_value_computed_outside_recorded_ops_is_named(tmp_path):
    pytest.importorskip("onnx")

    class M(nn.Module):
        def forward(self, x):
            return _NumpyFunction.apply(x) + 1.0

    with pytest.raises(NotImplementedError, match="_NumpyFunctionBackward is not supported"):
        mg.onnx.export(M(), mg.randn(2, 3), tmp_path / "m.onnx")


def test_float64_models(tmp_path):
    mg.manual_seed(12)
    model = nn.Sequential(nn.Linear(3, 4, dtype=mg.float64), nn.Tanh(), nn.Linear(4, 2, dtype=mg.float64))
    _check(model, mg.randn(2, 3, dtype=mg.float64), tmp_path, make=lambda n: mg.randn(n, 3, dtype=mg.float64))
