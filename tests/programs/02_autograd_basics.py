"""Autograd basics: requires_grad, backward, .grad, retain_grad, no_grad, detach."""

import math

import torch

# a single neuron, written out as scalars (in double precision, as one does to check against a hand derivation)
x1 = torch.Tensor([2.0]).double()
x1.requires_grad = True
x2 = torch.Tensor([0.0]).double()
x2.requires_grad = True
w1 = torch.Tensor([-3.0]).double()
w1.requires_grad = True
w2 = torch.Tensor([1.0]).double()
w2.requires_grad = True
b = torch.Tensor([6.8813735870195432]).double()
b.requires_grad = True
n = x1 * w1 + x2 * w2 + b
o = torch.tanh(n)
print("neuron out:", f"{o.data.item():.6f}")
o.backward()
for name, t in [("x1", x1), ("w1", w1), ("x2", x2), ("w2", w2), ("b", b)]:
    print(f"d out / d {name} = {t.grad.item():.6f}")
print("by hand d out / d n:", f"{1 - math.tanh(n.item()) ** 2:.6f}")

# gradients of a vector function reduced to a scalar
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x + 3 * x
print("y:", y.tolist(), "leaf?", x.is_leaf, y.is_leaf, "grad_fn is None?", x.grad_fn is None, y.grad_fn is None)
y.sum().backward()
print("dy/dx = 2x + 3:", x.grad.tolist())

# gradients accumulate until they are cleared
(x * 10).sum().backward()
print("accumulated:", x.grad.tolist())
x.grad.zero_()
(x**3).sum().backward()
print("after zero_, d(x^3)/dx:", x.grad.tolist())
x.grad = None
print("grad cleared:", x.grad is None)

# non-scalar outputs need a gradient argument
v = x * torch.tensor([1.0, 2.0, 3.0])
v.backward(torch.tensor([1.0, 0.1, 0.01]))
print("vector-Jacobian product:", [f"{g:.4f}" for g in x.grad.tolist()])
x.grad = None

# intermediate results keep their gradient only when asked
a = torch.tensor(2.0, requires_grad=True)
h = a * 3
h.retain_grad()
c = h**2 + torch.sin(h)
c.backward()
print("dc/dh:", f"{h.grad.item():.6f}", "expected:", f"{2 * 6 + math.cos(6):.6f}")
print("dc/da:", f"{a.grad.item():.6f}", "expected:", f"{3 * (2 * 6 + math.cos(6)):.6f}")

# a small chain through several ops
p = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
q = (p.exp() * p.sigmoid()).log().mean()
q.backward()
by_hand = (1 + (1 - torch.sigmoid(p.detach()))) / 3
print("chain grad:", [f"{g:.5f}" for g in p.grad.tolist()], "by hand:", [f"{g:.5f}" for g in by_hand.tolist()])

# no_grad and detach stop tracking
with torch.no_grad():
    z = x * 2
print("inside no_grad requires_grad:", z.requires_grad, "grad enabled now:", torch.is_grad_enabled())
d = x.detach()
print("detached requires_grad:", d.requires_grad, "shares values:", torch.equal(d, x))
frozen = (x * d).sum()
frozen.backward()
print("grad through x only:", x.grad.tolist())
x.grad = None


@torch.no_grad()
def evaluate(t):
    return (t * t).sum()


print("decorated no_grad:", evaluate(x).requires_grad)
x.requires_grad_(False)
print("requires_grad_(False):", x.requires_grad)

# torch.autograd.grad returns gradients without touching .grad
s = torch.tensor([1.0, 2.0], requires_grad=True)
(g,) = torch.autograd.grad((s**3).sum(), s)
print("autograd.grad:", g.tolist(), ".grad untouched:", s.grad is None)
(g1,) = torch.autograd.grad((s**3).sum(), s, create_graph=True)
(g2,) = torch.autograd.grad(g1.sum(), s)
print("second derivative 6s:", g2.tolist())

# backward twice needs retain_graph
r = (s * s).sum()
r.backward(retain_graph=True)
r.backward()
print("two backward passes:", s.grad.tolist())
try:
    r2 = (s * s).sum()
    r2.backward()
    r2.backward()
except RuntimeError:
    print("backward twice without retain_graph: RuntimeError")
