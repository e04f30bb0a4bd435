"""Neural-network building blocks made of Tensor ops (``torch.nn`` semantics).

Modules (``Module``, ``Linear``, ``Sequential``, ...), losses, ``nn.functional``
(``F``), ``nn.init``, ``nn.regularization`` and ``nn.utils``.
"""

from minigrad.nn.parameter import Parameter  # noqa: I001  (the modules below need it)
from minigrad.nn import init
from minigrad.nn.module import Module
from minigrad.nn.linear import Flatten, Identity, Linear, Unflatten
from minigrad.nn.activation import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
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
    "ReLU",
    "LeakyReLU",
    "ELU",
    "Sigmoid",
    "Tanh",
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
    "SiLU",
    "Softplus",
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
