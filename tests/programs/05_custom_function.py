"""A custom autograd Function: the Legendre polynomial P3, with its own backward, used to fit sin(x)."""

import math

import torch


class P3(torch.autograd.Function):
    """P3(t) = (5 t^3 - 3 t) / 2, whose derivative is 3 (5 t^2 - 1) / 2."""

    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        return 0.5 * (5 * t**3 - 3 * t)

    @staticmethod
    def backward(ctx, grad_output):
        (t,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * t**2 - 1)


class ScaledShift(torch.autograd.Function):
    """out = scale * x + shift, where only x and shift are differentiable; scale is a plain number."""

    @staticmethod
    def forward(ctx, x, shift, scale):
        ctx.scale = scale
        return x * scale + shift

    @staticmethod
    def backward(ctx, grad_output):
        grad_x = grad_output * ctx.scale if ctx.needs_input_grad[0] else None
        grad_shift = grad_output.sum() if ctx.needs_input_grad[1] else None
        return grad_x, grad_shift, None


# the custom backward agrees with autograd through the formula
t = torch.linspace(-1, 1, 7, requires_grad=True)
P3.apply(t).sum().backward()
custom = t.grad.clone()
t.grad = None
(0.5 * (5 * t**3 - 3 * t)).sum().backward()
print("custom grad:", " ".join(f"{g:.4f}" for g in custom.tolist()))
print("same as autograd of the formula:", torch.allclose(custom, t.grad))

out = P3.apply(t)
print("grad_fn of the output is set:", out.grad_fn is not None, "requires_grad:", out.requires_grad)

u = torch.tensor([0.25, -0.5], dtype=torch.double, requires_grad=True)
print("gradcheck P3:", torch.autograd.gradcheck(P3.apply, (u,), eps=1e-6, atol=1e-4))

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
shift = torch.tensor(0.5, requires_grad=True)
ScaledShift.apply(x, shift, 3.0).pow(2).sum().backward()
print("ScaledShift grads:", x.grad.tolist(), f"{shift.grad.item():.2f}")
frozen = torch.tensor([1.0, 2.0])
ScaledShift.apply(frozen, shift, 2.0).sum().backward()
print("only shift needs a gradient:", frozen.grad is None, f"{shift.grad.item():.2f}")

# fit y = a + b * P3(c + d * x) to sin(x) with plain tensors
dtype = torch.float
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)
a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
b = torch.full((), -0.9, dtype=dtype, requires_grad=True)
c = torch.full((), 0.05, dtype=dtype, requires_grad=True)
d = torch.full((), 0.35, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
for step in range(1000):
    y_pred = a + b * P3.apply(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if step % 200 == 199:
        print(f"step {step + 1}: loss {loss.item():.4f}")
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

print(f"fit: y = {a.item():.4f} + {b.item():.4f} * P3({c.item():.4f} + {d.item():.4f} x)")
