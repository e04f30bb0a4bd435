"""Fit a cubic to sin(x) on [-pi, pi] with plain tensors: gradients by hand, then by autograd."""

import math

import torch

dtype = torch.float
device = torch.device("cpu")

x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)
print("points:", x.shape[0], "x range:", f"{x.min().item():.4f} {x.max().item():.4f}")

# --- 1. gradients worked out by hand ----------------------------------------------
# start from fixed coefficients so that every run (and every library) follows the same path
a = torch.tensor(0.1, device=device, dtype=dtype)
b = torch.tensor(-0.2, device=device, dtype=dtype)
c = torch.tensor(0.05, device=device, dtype=dtype)
d = torch.tensor(0.01, device=device, dtype=dtype)

learning_rate = 1e-6
for t in range(1000):
    y_pred = a + b * x + c * x**2 + d * x**3
    loss = (y_pred - y).pow(2).sum().item()
    if t % 200 == 199:
        print(f"manual step {t + 1}: loss {loss:.4f}")

    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x**2).sum()
    grad_d = (grad_y_pred * x**3).sum()

    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d

print(f"manual fit: y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")

# --- 2. the same with autograd, updating under no_grad ----------------------------
a = torch.tensor(0.1, device=device, dtype=dtype, requires_grad=True)
b = torch.tensor(-0.2, device=device, dtype=dtype, requires_grad=True)
c = torch.tensor(0.05, device=device, dtype=dtype, requires_grad=True)
d = torch.tensor(0.01, device=device, dtype=dtype, requires_grad=True)

for t in range(1000):
    y_pred = a + b * x + c * x**2 + d * x**3
    loss = (y_pred - y).pow(2).sum()
    if t % 200 == 199:
        print(f"autograd step {t + 1}: loss {loss.item():.4f}")
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"autograd fit: y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 + {d.item():.4f} x^3")
print("still leaves that require grad:", all(p.is_leaf and p.requires_grad for p in (a, b, c, d)))

# --- 3. a weight vector updated through .data ----------------------------------
powers = torch.stack([torch.ones_like(x), x, x**2, x**3], dim=1)
w = torch.tensor([0.1, -0.2, 0.05, 0.01], requires_grad=True)
for t in range(1000):
    y_pred = powers @ w
    loss = ((y_pred - y) ** 2).sum()
    loss.backward()
    w.data -= learning_rate * w.grad
    w.grad.zero_()
    if t % 250 == 249:
        print(f".data step {t + 1}: loss {loss.item():.4f}")
print(".data fit:", " ".join(f"{v:+.4f}" for v in w.tolist()))
print(
    "max |difference| to the autograd fit:",
    f"{(w.detach() - torch.stack([a, b, c, d]).detach()).abs().max().item():.6f}",
)
