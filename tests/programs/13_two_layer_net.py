"""A two-layer ReLU network three ways: tensors with a hand-written backward (mm, t, clamp), autograd,
and torch.nn with a loss module and a learning-rate scheduler."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim

dtype = torch.float
device = torch.device("cpu")

batch, d_in, hidden, d_out = 32, 20, 16, 3

# inputs and targets from smooth formulas; the weights start from fixed patterns
steps = torch.arange(batch * d_in, dtype=dtype, device=device)
x = torch.sin(steps * 0.37).view(batch, d_in)
y = torch.stack([x[:, :5].sum(1), x[:, 5:10].prod(1), torch.cos(x[:, 10:]).mean(1)], dim=1)
w1_init = 0.3 * torch.cos(torch.arange(d_in * hidden, dtype=dtype) * 0.71).view(d_in, hidden)
w2_init = 0.3 * torch.sin(torch.arange(hidden * d_out, dtype=dtype) * 1.13 + 0.5).view(hidden, d_out)
print("x", tuple(x.shape), "y", tuple(y.shape), f"y mean {y.mean().item():.4f}")

# --- 1. forward and backward by hand --------------------------------------------------
w1 = w1_init.clone()
w2 = w2_init.clone()
learning_rate = 1e-3
for t in range(300):
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)
    loss = (y_pred - y).pow(2).sum().item()
    if t % 100 == 99:
        print(f"manual {t + 1}: {loss:.5f}")
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2

# --- 2. the same with autograd; the gradients agree with the hand-written ones -------
w1 = w1_init.clone().requires_grad_(True)
w2 = w2_init.clone().requires_grad_(True)
for t in range(300):
    y_pred = x.mm(w1).clamp(min=0).mm(w2)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(f"autograd {t + 1}: {loss.item():.5f}")
    loss.backward()
    if t == 0:
        h = x.mm(w1.detach())
        g_out = 2.0 * (h.clamp(min=0).mm(w2.detach()) - y)
        g_h = g_out.mm(w2.detach().t()) * (h > 0).float()
        print(
            "first-step gradients agree:",
            torch.allclose(w1.grad, x.t().mm(g_h), atol=1e-5),
            torch.allclose(w2.grad, h.clamp(min=0).t().mm(g_out), atol=1e-5),
        )
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()

# --- 3. torch.nn, an optimizer and a scheduler ------------------------------------------
model = nn.Sequential(nn.Linear(d_in, hidden, bias=False), nn.ReLU(), nn.Linear(hidden, d_out, bias=False))
with torch.no_grad():
    model[0].weight.copy_(w1_init.t())
    model[2].weight.copy_(w2_init.t())
loss_fn = nn.MSELoss(reduction="sum")
optimizer = optim.SGD(model.parameters(), lr=learning_rate)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.5)
for t in range(300):
    loss = loss_fn(model(x), y)
    if t % 100 == 99:
        print(f"nn {t + 1}: {loss.item():.5f} lr {scheduler.get_last_lr()[0]:.6f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()

with torch.no_grad():
    out = model(x)
    print(f"smooth L1 {F.smooth_l1_loss(out, y).item():.5f}, L1 {F.l1_loss(out, y).item():.5f}")
    top = out[:, 0].topk(3)
    print("largest first outputs at rows:", top.indices.tolist(), [f"{v:.4f}" for v in top.values.tolist()])
    print("rows whose first output is positive:", (out[:, 0] > 0).sum().item(), "of", out.shape[0])
