"""Neural-network building blocks made of Tensor ops (``torch.nn`` semantics).

Modules (``Module``, ``Linear``, ``Sequential``, ...), losses, ``nn.functional``
(``F``), ``nn.init``, ``nn.regularization`` and ``nn.utils``.
"""

from typing import Any  # noqa: I001  (the order below matters: the modules need Parameter first)

from minigrad.nn.parameter import Parameter
from minigrad.nn import init
from minigrad.nn.module import Module
from minigrad.nn.linear import Flatten, Identity, Linear, Unflatten
from minigrad.nn.activation import GELU, Hardtanh, LogSoftmax, ReLU6, Softmax
from minigrad.nn.container import ModuleDict, ModuleList, ParameterDict, ParameterList, Residual, Sequential
from minigrad.nn.dropout import Dropout
from minigrad.nn.normalization import BatchNorm1d, LayerNorm
from minigrad.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from minigrad.nn.sparse import Embedding
from minigrad.nn import functional, regularization, utils
from minigrad.nn import activation as _activation
from minigrad.ops import declare as _declare
from minigrad.nn.regularization import RegularizedLoss, elastic_net_penalty, l1_penalty, l2_penalty

__all__ = [
    "Parameter",
    "Module",
    "Linear",
    "Identity",
    "Flatten",
    "Sequential",
    "ModuleList",
    "Residual",
    "Softmax",
    "LogSoftmax",
    "Dropout",
    "BatchNorm1d",
    "LayerNorm",
    "MSELoss",
    "L1Loss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "RegularizedLoss",
    "l1_penalty",
    "l2_penalty",
    "elastic_net_penalty",
    "functional",
    "init",
    "regularization",
    "utils",
    "Unflatten",
    "GELU",
    "Hardtanh",
    "ReLU6",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
    "SmoothL1Loss",
    "HuberLoss",
    "KLDivLoss",
    "Embedding",
]

# the modules of the declared ops not written by hand (ReLU, ELU, Mish, ...: minigrad/ops/declare.py), held by
# nn.activation; made now that every hand-written module (Linear, Dropout, ...) is here
_declare.install(_activation, globals(), _declare.modules(_activation.__name__, globals(), Module))

_CONV = (
    "convolution and pooling layers are not implemented (minigrad covers MLP-scale models); "
    "flatten the input (nn.Flatten) and use nn.Linear"
)
_RNN = "recurrent layers are not implemented; unroll the sequence with nn.Linear and tanh in a Python loop"
_ATTENTION = "attention and transformer layers are not implemented; build them from nn.Linear, softmax and matmul"
#: PyTorch's ``nn`` names minigrad leaves out on purpose, with the reason the error gives
UNSUPPORTED: dict[str, str] = {
    **dict.fromkeys(
        [
            *(f"{kind}{d}d" for kind in ("Conv", "ConvTranspose", "MaxPool", "AvgPool", "LazyConv") for d in (1, 2, 3)),
            *(f"Adaptive{kind}Pool{d}d" for kind in ("Avg", "Max") for d in (1, 2, 3)),
            "BatchNorm2d",
            "BatchNorm3d",
            "InstanceNorm2d",
            "GroupNorm",
            "Dropout2d",
            "Upsample",
            "PixelShuffle",
        ],
        _CONV,
    ),
    **dict.fromkeys(["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"], _RNN),
    **dict.fromkeys(
        [
            "MultiheadAttention",
            "Transformer",
            "TransformerEncoder",
            "TransformerEncoderLayer",
            "TransformerDecoder",
            "TransformerDecoderLayer",
        ],
        _ATTENTION,
    ),
    "EmbeddingBag": "not implemented; use nn.Embedding and reduce the looked-up rows (.mean(dim) or .sum(dim))",
    "PReLU": "not implemented (a learned slope); use nn.LeakyReLU with a fixed negative_slope",
}


def __getattr__(name: str) -> Any:
    if name in UNSUPPORTED:
        from minigrad import UnsupportedError

        raise UnsupportedError(f"minigrad does not support torch.nn.{name}: {UNSUPPORTED[name]}")
    raise AttributeError(f"module 'minigrad.nn' has no attribute {name!r}")
