"""minigrad: a readable reverse-mode autodiff engine with a NumPy-backed Tensor.

import minigrad as mg
x = mg.tensor([[1.0, 2.0]], requires_grad=True)
(x.tanh() @ x.T).sum().backward()
x.grad
"""

from minigrad.tensor import Tensor  # noqa: I001  (Tensor first: the ops import it)
from minigrad import autograd
from minigrad import cuda
from minigrad._device import device
from minigrad._dtype import get_default_dtype, promote_types, result_type, set_default_dtype
from minigrad._grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad._random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from minigrad.errors import ShapeError
from minigrad.creation import (
    arange,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from minigrad.ops.random import multinomial
from minigrad.functions import (
    abs,
    amax,
    amin,
    argmax,
    argmin,
    bernoulli,
    broadcast_to,
    cat,
    clamp,
    clip,
    cos,
    dropout,
    exp,
    flatten,
    linear,
    log,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    numel,
    pad,
    permute,
    reshape,
    sin,
    softmax,
    sqrt,
    squeeze,
    stack,
    std,
    sum,
    transpose,
    unsqueeze,
    var,
    where,
)
from minigrad.functions import *  # noqa: F403  (with the function forms of Tensor methods: relu_, detach, ...)
from minigrad.functions import (  # PyTorch's wider function surface
    add,
    all,
    allclose,
    any,
    argsort,
    bincount,
    bmm,
    ceil,
    chunk,
    clone,
    count_nonzero,
    cumsum,
    diag,
    diagonal,
    dist,
    div,
    divide,
    dot,
    eq,
    equal,
    exp2,
    expm1,
    fix,
    flip,
    fliplr,
    flipud,
    floor,
    floor_divide,
    frac,
    gather,
    ge,
    ger,
    gt,
    histc,
    histogram,
    index_select,
    is_floating_point,
    is_nonzero,
    isclose,
    isfinite,
    isinf,
    isnan,
    isneginf,
    isposinf,
    le,
    log10,
    log1p,
    log2,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    masked_fill,
    masked_select,
    mm,
    moveaxis,
    movedim,
    mul,
    multiply,
    mv,
    nan_to_num,
    narrow,
    ne,
    neg,
    negative,
    norm,
    outer,
    pow,
    prod,
    reciprocal,
    remainder,
    repeat_interleave,
    roll,
    round,
    rsqrt,
    scatter,
    scatter_add,
    sign,
    sort,
    split,
    square,
    sub,
    subtract,
    t,
    tile,
    topk,
    trace,
    tril,
    triu,
    true_divide,
    trunc,
    unbind,
    unique,
)
from minigrad.tensor import is_tensor
from minigrad.ops.extra import (  # PyTorch's wider function surface, part 2
    addmm,
    atan2,
    cdist,
    cross,
    cumprod,
    einsum,
    erf,
    lerp,
    median,
    tan,
    tensordot,
)
from minigrad._extras import (
    argwhere,
    as_tensor,
    asarray,
    atleast_1d,
    atleast_2d,
    broadcast_shapes,
    broadcast_tensors,
    can_cast,
    column_stack,
    concat,
    concatenate,
    dstack,
    dtype,
    hstack,
    inference_mode,
    logspace,
    meshgrid,
    nonzero,
    row_stack,
    vstack,
)
from minigrad._print import set_printoptions
from minigrad.ops.extra import (
    acos,
    acosh,
    addcdiv,
    addcmul,
    aminmax,
    asin,
    asinh,
    atan,
    atanh,
    cosh,
    cummax,
    cummin,
    deg2rad,
    diff,
    erfc,
    fmod,
    hypot,
    inner,
    kron,
    kthvalue,
    logaddexp,
    logit,
    nanmean,
    nansum,
    quantile,
    rad2deg,
    rot90,
    sinh,
    std_mean,
    var_mean,
    xlogy,
)
from minigrad._extras import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    Size,
    are_deterministic_algorithms_enabled,
    block_diag,
    cartesian_prod,
    chain_matmul,
    empty_like,
    get_float32_matmul_precision,
    get_num_interop_threads,
    get_num_threads,
    isin,
    randint_like,
    scalar_tensor,
    select,
    set_float32_matmul_precision,
    set_num_interop_threads,
    set_num_threads,
    take_along_dim,
    trapezoid,
    trapz,
    tril_indices,
    triu_indices,
    use_deterministic_algorithms,
    vdot,
)
from minigrad._extras import clamp_max, clamp_min, ravel, sgn, swapaxes, swapdims
from minigrad.ops.extra import (
    addbmm,
    addmv,
    baddbmm,
    bucketize,
    combinations,
    copysign,
    float_power,
    fmax,
    fmin,
    heaviside,
    logcumsumexp,
    mode,
    nanmedian,
    rsub,
    searchsorted,
    signbit,
    sinc,
    take,
)
from minigrad._extras import bitwise_and, bitwise_not, bitwise_or, bitwise_xor, gcd, isreal, lcm
from minigrad.compile import compile  # noqa: A004 - torch.compile's name: trace a training step, replay it
from minigrad import functions as _functions
from minigrad.ops import declare as _declare

# mg.<name> of the declared ops not written by hand (relu, sigmoid, tanh, elu, ...: minigrad/ops/declare.py)
_declare.install(_functions, globals(), _declare.functions("minigrad.functions", globals()))

arctan2 = atan2
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh

# dtypes: NumPy's, under PyTorch's names too (x.dtype == mg.float32 == mg.float == np.float32)
from minigrad._dtype import ALIASES as _D  # noqa: E402

float32 = float = _D["float32"]
float64 = double = _D["float64"]
float16 = half = _D["float16"]
int64 = long = _D["int64"]
int32 = int = _D["int32"]
int16 = short = _D["int16"]
int8, uint8, bool = _D["int8"], _D["uint8"], _D["bool"]
complex64 = cfloat = _D["complex64"]
complex128 = cdouble = _D["complex128"]
finfo = __import__("numpy").finfo
pi, e, inf, nan = (getattr(__import__("math"), _c) for _c in ("pi", "e", "inf", "nan"))  # torch.pi, torch.e, ...
iinfo = __import__("numpy").iinfo

__version__ = "0.1.0"


def __getattr__(name: str):
    # the higher layers load on first use, so `import minigrad` stays light
    import importlib

    if name in (
        "nn",
        "optim",
        "data",
        "viz",
        "train",
        "tune",
        "diagnostics",
        "serialization",
        "utils",
        "backends",
        "testing",
        "linalg",
        "onnx",
        "accelerator",
    ):
        return importlib.import_module(f"minigrad.{name}")
    if name in ("save", "load"):
        return getattr(importlib.import_module("minigrad.serialization"), name)
    if name in UNSUPPORTED:
        raise UnsupportedError(f"minigrad does not support torch.{name}: {UNSUPPORTED[name]}")
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")


class UnsupportedError(AttributeError):
    """A part of PyTorch minigrad leaves out on purpose (an AttributeError, so ``hasattr`` stays False)."""


_CPU_ONLY = "minigrad computes on the CPU with NumPy"
#: PyTorch's top-level names minigrad leaves out on purpose, and why
UNSUPPORTED: dict[str, str] = {
    "distributions": "probability distributions are not implemented; sample with mg.randn / mg.rand / "
    "mg.multinomial / mg.bernoulli and write log-densities with tensor ops",
    "fft": "Fourier transforms are not implemented; use numpy.fft on .numpy() (no gradients)",
    "special": "the torch.special namespace is not implemented; mg.erf, mg.sigmoid, mg.logsumexp and "
    "mg.nn.functional cover the common special functions",
    "jit": "TorchScript tracing and scripting are not supported; minigrad runs Python code eagerly",
    "sparse": "sparse tensors are not implemented (minigrad's tensors are dense NumPy arrays)",
    "sparse_coo_tensor": "sparse tensors are not implemented (minigrad's tensors are dense NumPy arrays)",
    "quantization": "quantized tensors and models are not supported",
    "ao": "quantization and pruning (torch.ao) are not supported",
    "hub": "downloading pretrained models (torch.hub) is not supported",
    "distributed": f"distributed training is not supported: {_CPU_ONLY} in one process",
    "multiprocessing": "sharing tensors between processes is not supported; use Python's multiprocessing "
    "with .numpy() arrays",
    "autocast": f"mixed precision (autocast) is not supported: {_CPU_ONLY} in the dtypes you choose",
    "amp": f"automatic mixed precision is not supported: {_CPU_ONLY} in the dtypes you choose",
    "bfloat16": "NumPy has no bfloat16 dtype; use mg.float16 or mg.float32",
    "fx": "graph capture and transformation (torch.fx) is not supported",
    "export": "exporting programs (torch.export) is not supported",
    "func": "functional transforms (torch.func: vmap, grad, jacrev) are not supported; "
    "mg.autograd.grad and mg.autograd.functional (jacobian, hessian, vjp, jvp) cover gradients",
    "vmap": "vectorising maps (vmap) are not supported; write the batch dimension into the code",
    "xpu": f"Intel GPUs are not supported: {_CPU_ONLY}",
    "mps": f"Apple GPUs are not supported: {_CPU_ONLY} (mg.backends.mps.is_available() is False)",
    "profiler": "the profiler is not supported; time code with time.perf_counter or cProfile",
    "package": "model packaging (torch.package) is not supported; use mg.save / mg.load",
    "masked": "masked tensors are not supported; use mg.where or masked_fill",
    "nested": "nested (ragged) tensors are not supported; pad to a common length",
    "stft": "Fourier transforms are not implemented; use numpy.fft on .numpy() (no gradients)",
    "svd": "matrix decompositions are not implemented (see mg.linalg); use numpy.linalg on .numpy()",
    "inverse": "matrix inverses are not implemented (see mg.linalg); use numpy.linalg on .numpy()",
    "det": "determinants are not implemented (see mg.linalg); use numpy.linalg on .numpy()",
    "conv2d": "convolutions are not implemented: minigrad covers MLP-scale models",
    "conv1d": "convolutions are not implemented: minigrad covers MLP-scale models",
    "complex32": "NumPy has no complex32 dtype; use mg.complex64",
    "quint8": "quantized dtypes are not supported",
    "qint8": "quantized dtypes are not supported",
    "float8_e4m3fn": "NumPy has no 8-bit float dtypes",
}
_GROUPS = [  # (reason, the names it covers)
    (
        "special functions beyond erf and erfc are not implemented (NumPy has none); for values without "
        "gradients use scipy.special on .numpy()",
        "erfinv lgamma digamma polygamma mvlgamma i0 igamma igammac",
    ),
    (
        "matrix decompositions, inverses and solvers are not implemented (minigrad covers MLP-scale ops; see "
        "mg.linalg for norms); for values without gradients use numpy.linalg on .numpy()",
        "logdet slogdet matrix_power pinverse cholesky qr lu eig lstsq solve matrix_exp triangular_solve "
        "cholesky_solve cholesky_inverse lu_solve lu_unpack geqrf ormqr orgqr lobpcg pca_lowrank svd_lowrank",
    ),
    (
        "stride tricks are not supported: a tensor is a NumPy array; use reshape, expand or indexing",
        "as_strided empty_strided",
    ),
    (
        "complex views and parts are not implemented; minigrad's tensors are real in practice",
        "view_as_real view_as_complex polar complex real imag angle conj",
    ),
    (
        "the top-level alias of a torch.nn.functional op is not provided: call mg.nn.functional.<name> (where "
        "minigrad has it) or use the nn module",
        "celu selu prelu rrelu hardshrink threshold batch_norm layer_norm group_norm instance_norm embedding "
        "alpha_dropout feature_dropout bilinear cosine_similarity pairwise_distance pdist triplet_margin_loss "
        "ctc_loss pixel_shuffle binary_cross_entropy_with_logits kl_div",
    ),
    (
        "convolutions and pooling are not implemented: minigrad covers MLP-scale models",
        "conv1d conv2d conv3d conv_transpose1d conv_transpose2d max_pool1d max_pool2d avg_pool1d",
    ),
    (
        "signal processing (windows, Fourier transforms) is not implemented; use numpy on .numpy()",
        "bartlett_window hann_window hamming_window blackman_window kaiser_window istft",
    ),
    (
        "not implemented; build it from the supported ops (e.g. index_add: x.index_put / scatter_add; "
        "unflatten: reshape; nanquantile: quantile of the non-nan values)",
        "index_add index_copy index_put index_reduce unflatten nanquantile cumulative_trapezoid vander "
        "histogramdd renorm nonzero_static frombuffer is_storage",
    ),
]
for _reason, _names in _GROUPS:
    UNSUPPORTED.update(dict.fromkeys(_names.split(), _reason))
del _reason, _names
