# %% [markdown]
# # 01 · Autograd from the inside
#
# A network is a composition of functions, and its gradient is the product of the layers'
# Jacobians (the chain rule), computed from the loss back to the inputs. This notebook opens up
# what `loss.backward()` does in minigrad:
#
# 1. a Tensor remembers the op that made it: the **computation graph**, drawn with `draw_graph`;
# 2. **backward by hand**: the gradients of a two-layer network written out with the course's
#    formulas, against `backward()`;
# 3. the **chain rule as a product of Jacobians**, with `jacobian()`;
# 4. **gradient checking** with finite differences, and what a wrong gradient looks like there.
#
# Notation as in the course: layer `l` has weights `W[l]` of shape `n[l] × n[l-1]`; a batch is
# stored as rows, so a layer computes `z = x·Wᵀ + b`.

# %%
import graphviz
import matplotlib.pyplot as plt
import numpy as np

import minigrad as mg
from minigrad.autograd import Function, GradcheckError, gradcheck
from minigrad.autograd.functional import jacobian
from minigrad.viz import draw_graph

mg.set_default_dtype(np.float64)  # float64 throughout: finite differences need the precision
mg.manual_seed(0)
graphviz.set_jupyter_format("png")  # graphs are stored as PNG in the notebook
np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## 1. A Tensor and its graph
#
# A two-layer network for one sample `x` with `n[0] = 3` features: a hidden layer of
# `n[1] = 4` tanh units and one sigmoid output unit, trained with the binary cross-entropy
# `−[y·log ŷ + (1 − y)·log(1 − ŷ)]`, here for a sample of class `y = 1`:
#
# `z[1] = x·W[1]ᵀ + b[1]`, `a[1] = tanh(z[1])`, `z[2] = a[1]·W[2]ᵀ + b[2]`, `ŷ = σ(z[2])`,
# `L = −log ŷ`.
#
# Every op on tensors that require grad records a node (`grad_fn`) that points to the nodes of its
# inputs (`next_functions`). `retain_grad()` asks backward to keep the gradient of an intermediate
# tensor too, so that we can compare it with our own below.

# %%
x = mg.tensor([[0.5, -1.2, 2.0]], name="x")
y = mg.tensor([[1.0]], name="y")
W1 = mg.randn(4, 3, requires_grad=True)
b1 = mg.zeros(4, requires_grad=True)
W2 = mg.randn(1, 4, requires_grad=True)
b2 = mg.zeros(1, requires_grad=True)
for t, name in [(W1, "W1"), (b1, "b1"), (W2, "W2"), (b2, "b2")]:
    t.name = name  # shown in the drawing

z1 = x @ W1.T + b1
a1 = z1.tanh()
z2 = a1 @ W2.T + b2
y_hat = z2.sigmoid()
L = -y_hat.log().sum()  # the cross-entropy for y = 1 (the sum makes the 1 × 1 result a scalar)
for t, name in [(z1, "z1"), (a1, "a1"), (z2, "z2"), (y_hat, "y_hat")]:
    t.name = name
    t.retain_grad()

print("L =", L)
print("L.grad_fn =", L.grad_fn, "  its inputs:", L.grad_fn.next_functions)
print("ŷ.grad_fn =", y_hat.grad_fn, "  its input:", y_hat.grad_fn.next_functions)
print("W1 is a leaf:", W1.is_leaf, "  z1 is a leaf:", z1.is_leaf)

# %% [markdown]
# The graph behind `L`, data flowing from the top down: tensors are records (name, shape, data), ops
# are the rounded boxes between them. Before `backward()` no gradient is known yet.

# %%
draw_graph(L, show_data=True, rankdir="TB")

# %% [markdown]
# ## 2. Backward by hand versus `backward()`
#
# The course's backpropagation for this network, from the loss down (each line reuses the one
# above it). For a sigmoid output with cross-entropy the first step simplifies to `ŷ − y`:
#
# | gradient | formula |
# |---|---|
# | `dz[2]` | `ŷ − y` |
# | `dW[2]`, `db[2]` | `dz[2]ᵀ·a[1]`, `dz[2]` |
# | `da[1]` | `dz[2]·W[2]` |
# | `dz[1]` | `da[1] ⊙ (1 − a[1]²)` (tanh' = 1 − tanh²) |
# | `dW[1]`, `db[1]` | `dz[1]ᵀ·x`, `dz[1]` |
#
# Written in NumPy on the forward values:

# %%
xa, a1v, yhv, yv = x.numpy(), a1.numpy(), y_hat.numpy(), y.numpy()
dz2 = yhv - yv
dW2 = dz2.T @ a1v
db2 = dz2.sum(0)
da1 = dz2 @ W2.numpy()
dz1 = da1 * (1 - a1v**2)
dW1 = dz1.T @ xa
db1 = dz1.sum(0)

L.backward()

by_hand = {"dz2": dz2, "dW2": dW2, "db2": db2, "dz1": dz1, "dW1": dW1, "db1": db1}
by_autograd = {"dz2": z2.grad, "dW2": W2.grad, "db2": b2.grad, "dz1": z1.grad, "dW1": W1.grad, "db1": b1.grad}
for k in by_hand:
    diff = np.abs(by_hand[k] - by_autograd[k].numpy()).max()
    print(f"{k}: max |hand − autograd| = {diff:.1e}")
    assert diff < 1e-12
print("dW1 =\n", W1.grad.numpy())

# %% [markdown]
# All six agree to rounding error (≤ 1e-12 above). After `backward()` the drawing shows each
# gradient and fills every tensor by the log of its gradient norm (dark: small, yellow: large).

# %%
draw_graph(L, show_data=True, rankdir="TB")

# %% [markdown]
# What `backward()` walks is the *backward* graph: one `…Backward` node per op, gradients flowing
# from the loss to the `AccumulateGrad` nodes, which add them into the leaves' `.grad`.

# %%
draw_graph(L, backward=True, show_grad=False, rankdir="TB")

# %% [markdown]
# ## 3. The chain rule as a product of Jacobians
#
# Take the network as a function of its input, `f(x) = tanh(x·W[1]ᵀ + b[1])·W[2]ᵀ + b[2]`, now with
# two outputs (`n[2] = 2`). Its Jacobian `∂f/∂x` (2 × 3) should be the product of the layers'
# Jacobians, right to left:
#
# `∂f/∂x = ∂z[2]/∂a[1] · ∂a[1]/∂z[1] · ∂z[1]/∂x = W[2] · diag(1 − a[1]²) · W[1]`.
#
# `jacobian(f, x)` builds the full Jacobian by running backward once per output. We compute it
# for the whole network and for each layer on its own, and compare.

# %%
Wa, ba = mg.randn(4, 3), mg.randn(4)
Wb, bb = mg.randn(2, 4), mg.randn(2)
x0 = mg.randn(3)  # one sample, as a vector


def layer1(v):
    return v @ Wa.T + ba


def act(v):
    return v.tanh()


def layer2(v):
    return v @ Wb.T + bb


def f(v):
    return layer2(act(layer1(v)))


J_net = jacobian(f, x0).numpy()  # 2 × 3
z_1 = layer1(x0)
J1 = jacobian(layer1, x0).numpy()  # 4 × 3: equals W[1]
Ja = jacobian(act, z_1).numpy()  # 4 × 4: diagonal, 1 − tanh²
J2 = jacobian(layer2, act(z_1)).numpy()  # 2 × 4: equals W[2]
product = J2 @ Ja @ J1

print("∂f/∂x by jacobian(f):\n", J_net)
print("J2 · Ja · J1:\n", product)
print("max |difference| =", np.abs(J_net - product).max())
print("J1 == W[1]:", np.allclose(J1, Wa.numpy()), "  J2 == W[2]:", np.allclose(J2, Wb.numpy()))
print("Ja is diagonal with 1 − tanh²(z[1]):", np.allclose(Ja, np.diag(1 - np.tanh(z_1.numpy()) ** 2)))
assert np.allclose(J_net, product, atol=1e-12)
assert np.allclose(J1, Wa.numpy()) and np.allclose(J2, Wb.numpy())
assert np.allclose(Ja, np.diag(1 - np.tanh(z_1.numpy()) ** 2))

# %% [markdown]
# Reverse mode never builds these matrices. `backward(gradient=v)` starts from a row vector `v`
# (the gradient of the loss with respect to the output) and multiplies it into the Jacobians from
# the left, `((v·J2)·Ja)·J1`: vector–matrix products only, each reusing the one before. The result
# is the same as `v · ∂f/∂x`:

# %%
v = mg.tensor([1.0, -2.0])
xr = x0.detach().requires_grad_()
f(xr).backward(gradient=v)
print("x.grad from backward(gradient=v):", xr.grad.numpy())
print("v · ∂f/∂x                        :", v.numpy() @ J_net)
assert np.allclose(xr.grad.numpy(), v.numpy() @ J_net, atol=1e-12)

# %% [markdown]
# ## 4. Gradient checking
#
# The derivative is a limit; a central difference approximates it with an error of order `ε²`:
#
# `∂L/∂θ_i ≈ (L(θ + ε·e_i) − L(θ − ε·e_i)) / 2ε`.
#
# Comparing it with the analytic gradient, element by element, catches a wrong backward rule. A
# common summary is the relative error `‖g_num − g‖ / (‖g_num‖ + ‖g‖)`. Here for `dW[1]` of the
# network of section 1:


# %%
def loss_of(W1_value):
    with mg.no_grad():
        z = x @ mg.tensor(W1_value).T + b1
        p = (z.tanh() @ W2.T + b2).sigmoid()
        return float(-p.log().sum())


def numerical_grad(fn, theta, eps):
    g = np.zeros_like(theta)
    for i in np.ndindex(*theta.shape):
        e = np.zeros_like(theta)
        e[i] = eps
        g[i] = (fn(theta + e) - fn(theta - e)) / (2 * eps)
    return g


def rel_error(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


g_num = numerical_grad(loss_of, W1.numpy(), 1e-6)
err = rel_error(g_num, W1.grad.numpy())
print(f"relative error of dW[1] against finite differences: {err:.1e}")
assert err < 1e-8

# %% [markdown]
# The size of `ε` matters. Too large and the `ε²` truncation error dominates; too small and
# rounding in `L(θ ± ε)` dominates, divided by `2ε`. In float32 (about 7 significant digits) the
# best achievable error is far worse than in float64 (about 16) — why `gradcheck` wants float64
# inputs and warns otherwise.

# %%
eps_values = np.logspace(-12, -1, 23)
errors = {}
for dtype in (np.float64, np.float32):
    W1_d = W1.numpy().astype(dtype)

    def loss_d(w, dtype=dtype):
        with mg.no_grad():
            xd, b1d, W2d, b2d = (mg.tensor(t.numpy().astype(dtype)) for t in (x, b1, W2, b2))
            p = ((xd @ mg.tensor(w).T + b1d).tanh() @ W2d.T + b2d).sigmoid()
            return float(-(p.log()).sum())  # y = 1

    errors[dtype.__name__] = [rel_error(numerical_grad(loss_d, W1_d, dtype(e)), W1.grad.numpy()) for e in eps_values]

fig, ax = plt.subplots(figsize=(6, 3.8))
for name, errs in errors.items():
    ax.loglog(eps_values, errs, marker="o", ms=3, label=name)
ax.set_xlabel("ε")
ax.set_ylabel("relative error of dW[1]")
ax.set_title("central differences: truncation (right) vs rounding (left)")
ax.grid(alpha=0.3, which="both")
ax.legend()
plt.show()
best = {k: (min(v), eps_values[int(np.argmin(v))]) for k, v in errors.items()}
for k, (e, at) in best.items():
    print(f"{k}: best relative error {e:.1e} at ε = {at:.0e}")
assert best["float64"][0] < 1e-9 and best["float32"][0] > 1e-6
assert 1e-8 < best["float64"][1] < 1e-3 and best["float32"][1] > best["float64"][1]

# %% [markdown]
# `minigrad.autograd.gradcheck` does this for every input that requires grad and every element of
# it, for every output, and raises `GradcheckError` naming the input, the element and both values
# if one pair disagrees beyond `atol + rtol·|numerical|`. The whole network passes:


# %%
def net(x, W1, b1, W2, b2):
    return ((x @ W1.T + b1).tanh() @ W2.T + b2).sigmoid()


params = [mg.randn(*shape, requires_grad=True) for shape in [(5, 3), (4, 3), (4,), (2, 4), (2,)]]
print("gradcheck(net):", gradcheck(net, params))

# %% [markdown]
# ### What a wrong gradient looks like
#
# A custom op is an `autograd.Function` with a `forward` and a `backward` right beside it, written
# exactly as in PyTorch. Here is a sigmoid whose backward forgot the `(1 − σ)` factor of
# `σ' = σ(1 − σ)` — the kind of slip a hand-written backward makes. Its forward is right, so the
# network still computes the right outputs; only the gradients are wrong.


# %%
class BuggySigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        y = 1 / (1 + (-x).exp())
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y  # should be g * y * (1 - y)


def buggy_net(x, W1, b1, W2, b2):
    return BuggySigmoid.apply((x @ W1.T + b1).tanh() @ W2.T + b2)


with mg.no_grad():
    same_output = np.allclose(buggy_net(*params).numpy(), net(*params).numpy())
print("same forward output as the correct net:", same_output)
assert same_output

message = ""
try:
    gradcheck(buggy_net, params)
except GradcheckError as e:
    message = str(e)
print("GradcheckError:", message)
assert "Jacobian mismatch" in message
assert gradcheck(buggy_net, params, raise_exception=False) is False

# %% [markdown]
# The message points at the first bad element. The relative errors per parameter show the pattern
# of the bug: every gradient that flows through the buggy sigmoid is off.

# %%
xs, *ws = params
names = ["W1", "b1", "W2", "b2"]


def gradient_errors(model):
    """Relative error of autograd's gradient against central differences, per parameter, for sum(model(...))."""
    for w in ws:
        w.grad = None
    model(xs, *ws).sum().backward()
    errors = {}
    for name, w in zip(names, ws):

        def fn(value, w=w):
            with mg.no_grad():
                saved = w.numpy().copy()
                w.data[...] = value
                out = float(model(xs, *ws).sum())
                w.data[...] = saved
            return out

        errors[name] = rel_error(numerical_grad(fn, w.numpy().copy(), 1e-6), w.grad.numpy())
    return errors


good, bad = gradient_errors(net), gradient_errors(buggy_net)
print(f"{'param':<6} {'correct sigmoid':>16} {'buggy sigmoid':>14}")
for name in names:
    print(f"{name:<6} {good[name]:>16.1e} {bad[name]:>14.1e}")
assert max(good.values()) < 1e-8 and min(bad.values()) > 1e-2

# %% [markdown]
# A correct backward gives relative errors below 1e-8; the bug gives errors around 0.5, on every
# parameter below the sigmoid. In practice: check gradients of a new op or layer
# in float64 on a few small inputs, then turn the check off for training (it costs two forward
# passes per parameter element).

# %% [markdown]
# ## Try it
#
# Three exercises. Each has a cell for your code — replace the `raise NotImplementedError` — and a
# check cell that tells you whether you got it right. Until you write yours, the check cell runs the
# reference solution from `notebooks/solutions/01_autograd.py` (that is how CI keeps the exercises
# honest) and says so.

# %%
import importlib
import sys

sys.path.insert(0, ".")  # the notebook runs from notebooks/, where solutions/ lives
ref = importlib.import_module("solutions.01_autograd")

# %% [markdown]
# **1. Write a backward and gradcheck it.** Softplus, `f(x) = log(1 + eˣ)`, is a smooth ReLU.
# Derive `f'(x)` and write the `backward` of `MySoftplus` (the forward is given), as the
# `BuggySigmoid` above but right. The check runs `gradcheck` and compares with
# `nn.functional.softplus`.

# %%
class MySoftplus(Function):
    @staticmethod
    def forward(ctx, x):
        y = (1 + x.exp()).log()
        ctx.save_for_backward(x)
        return y

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        raise NotImplementedError("return g times f'(x)")


# %%
def test_softplus(cls):
    x = mg.randn(4, 5, requires_grad=True)
    assert gradcheck(cls.apply, (x,)), "gradcheck failed"  # raises GradcheckError naming the element
    cls.apply(x).sum().backward()
    x2 = x.detach().clone().requires_grad_(True)
    mg.nn.functional.softplus(x2).sum().backward()
    err = np.abs(x.grad.numpy() - x2.grad.numpy()).max()
    assert err < 1e-12, f"gradient differs from F.softplus's by {err:.1e}"
    return err


ref.check(MySoftplus, ref.Softplus, test_softplus, "softplus backward")

# %% [markdown]
# **2. Backprop by hand, with a squared loss.** The course's regression example: the same two
# layers as in §2 but a linear output `ŷ = tanh(x·W[1]ᵀ + b[1])·W[2]ᵀ + b[2]` and the loss
# `L = (1/m)·Σ ½(ŷ − y)²` over a batch of `m` samples. Write `manual_grads(x, y, W1, b1, W2, b2)`
# with NumPy only (arrays in, a dict `{"W1": …, "b1": …, "W2": …, "b2": …}` of gradients out).
# The check compares it with `backward()`.

# %%
def manual_grads(x, y, W1, b1, W2, b2):
    raise NotImplementedError("forward, then ∂L/∂ŷ, then back through the layers")


# %%
def test_manual(fn):
    g = mg.Generator().manual_seed(1)
    x, y = mg.randn(6, 3, generator=g), mg.randn(6, 1, generator=g)
    W1, b1, W2, b2 = (mg.randn(*s, generator=g, requires_grad=True) for s in [(4, 3), (4,), (1, 4), (1,)])
    loss = 0.5 * ((((x @ W1.T + b1).tanh() @ W2.T + b2) - y) ** 2).mean()
    loss.backward()
    mine = fn(x.numpy(), y.numpy(), W1.numpy(), b1.numpy(), W2.numpy(), b2.numpy())
    worst = 0.0
    for name, p in zip(["W1", "b1", "W2", "b2"], [W1, b1, W2, b2]):
        got = np.asarray(mine[name])
        assert got.shape == p.grad.shape, f"{name}: shape {got.shape}, expected {p.grad.shape}"
        worst = max(worst, rel_error(got, p.grad.numpy()))
        assert rel_error(got, p.grad.numpy()) < 1e-10, f"{name}: relative error {rel_error(got, p.grad.numpy()):.1e}"
    return worst


worst = ref.check(manual_grads, ref.manual_grads, test_manual, "backprop by hand")
print(f"largest relative error against backward(): {worst:.1e}")

# %% [markdown]
# **3. Find the bug.** This loop fits `y ≈ x·w` by gradient descent, but its loss does not settle
# at the minimum. Find the bug (hint: what does `backward()` do to a `.grad` that is already
# there?), and write the fixed loop as `fit(x, y, steps, lr)` returning `(w, losses)`.

# %%
def buggy_fit(x, y, steps=100, lr=0.1):
    w = mg.zeros(x.shape[1], requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        with mg.no_grad():
            w -= lr * w.grad
        losses.append(float(loss))
    return w, np.array(losses)


g = mg.Generator().manual_seed(2)
x_fit = mg.randn(100, 3, generator=g)
w_true = mg.tensor([1.0, -2.0, 0.5])
y_fit = x_fit @ w_true + 0.1 * mg.randn(100, generator=g)
w_lstsq = np.linalg.lstsq(x_fit.numpy(), y_fit.numpy(), rcond=None)[0]
best_loss = float(((x_fit.numpy() @ w_lstsq - y_fit.numpy()) ** 2).mean())
_, buggy_losses = buggy_fit(x_fit, y_fit)
print(f"buggy loop: final loss {buggy_losses[-1]:.3g}, the least-squares minimum is {best_loss:.3g}")
assert buggy_losses[-1] > 2 * best_loss


def fit(x, y, steps=100, lr=0.1):
    raise NotImplementedError("the fixed loop")


# %%
def test_fit(fn):
    w, losses = fn(x_fit, y_fit, 100, 0.1)
    err = np.abs(w.detach().numpy() - w_lstsq).max()
    assert err < 1e-3, f"w is {err:.1e} from the least-squares solution: the loop does not converge"
    assert abs(losses[-1] - best_loss) < 1e-4 * best_loss + 1e-8, "the final loss is not the minimum"
    return losses


fixed_losses = ref.check(fit, ref.fit, test_fit, "the gradient-descent loop")
print(f"fixed loop: final loss {fixed_losses[-1]:.6f} (minimum {best_loss:.6f})")

