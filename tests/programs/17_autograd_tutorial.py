"""The automatic differentiation tutorial: a one-layer network with requires_grad parameters, grad_fn,
backward, disabling tracking, detach, vector-Jacobian products and gradient accumulation."""

import torch

x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
w = torch.linspace(-1, 1, 15).reshape(5, 3).requires_grad_()
b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

print("z has a gradient function:", z.grad_fn is not None)
print("loss has a gradient function:", loss.grad_fn is not None, "and a name:", type(loss.grad_fn).__name__ != "")
print("leaves:", w.is_leaf, b.is_leaf, z.is_leaf, "requires grad:", w.requires_grad, z.requires_grad)
print(f"loss: {loss.item():.6f}")

loss.backward()
print(w.grad)
print(b.grad)
print("leaf grads are leaves' shapes:", tuple(w.grad.shape), tuple(b.grad.shape))

# --- disabling gradient tracking ---------------------------------------------------------
z = torch.matmul(x, w) + b
print(z.requires_grad)

with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)

z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad)
print("detached shares values:", torch.equal(z_det, z), "is leaf:", z_det.is_leaf, "grad_fn:", z_det.grad_fn)


@torch.no_grad()
def evaluate(v):
    return (v * 2).sum()


print("inside a no_grad function:", evaluate(w).requires_grad, "grad enabled now:", torch.is_grad_enabled())
with torch.set_grad_enabled(False):
    print("set_grad_enabled(False):", (w * 2).requires_grad)
with torch.enable_grad():
    print("enable_grad():", (w * 2).requires_grad)
with torch.inference_mode():
    print("inference_mode():", (w * 2).requires_grad)

# freezing a parameter: frozen leaves get no gradient
w.requires_grad_(False)
loss = torch.nn.functional.binary_cross_entropy_with_logits(torch.matmul(x, w) + b, y)
b.grad = None
loss.backward()
print("frozen w.grad is unchanged:", w.grad is not None, "b.grad:", [round(v, 6) for v in b.grad.tolist()])
w.requires_grad_(True)

# --- tensor gradients and Jacobian products --------------------------------------------
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

# a weighted vector-Jacobian product, and torch.autograd.grad which returns instead of accumulating
v = torch.arange(20, dtype=torch.float32).reshape(5, 4) / 10
out.backward(v)
print("v-weighted grad (after the accumulation above):", inp.grad.sum().item())
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
(g,) = torch.autograd.grad((a**3).sum(), a)
print("autograd.grad of sum(a^3):", g.tolist(), "a.grad untouched:", a.grad)
(g2,) = torch.autograd.grad((a**3).sum(), a, create_graph=True)
(h,) = torch.autograd.grad(g2.sum(), a)
print("second derivative:", h.tolist())

# backward twice through a freed graph is an error
s = (a * a).sum()
s.backward()
try:
    s.backward()
    print("second backward: no error")
except RuntimeError:
    print("second backward: RuntimeError")

# non-scalar output needs a gradient argument
try:
    (a * 2).backward()
except RuntimeError:
    print("backward on a non-scalar: RuntimeError")
