"""A dynamic network: Python control flow in forward decides how often a shared layer is applied."""

import math
import random

import torch
import torch.nn as nn
from torch import optim


def fill_(param, k):
    """Deterministic 'random-looking' values so the run does not depend on a random number stream."""
    with torch.no_grad():
        wave = torch.sin(torch.arange(param.numel(), dtype=torch.float) * 1.37 + k)
        param.copy_(0.4 * wave.view_as(param))


class DynamicNet(nn.Module):
    def __init__(self, d_in, hidden, d_out):
        super().__init__()
        self.input_linear = nn.Linear(d_in, hidden)
        self.middle_linear = nn.Linear(hidden, hidden)
        self.output_linear = nn.Linear(hidden, d_out)

    def forward(self, x, depth):
        h = self.input_linear(x).clamp(min=0)
        for _ in range(depth):  # the same layer, applied `depth` times
            h = self.middle_linear(h).clamp(min=0)
        return self.output_linear(h)


class PolyNet(nn.Module):
    """a + b x + c x^2 + d x^3, plus e x^4, e x^5, ... for a number of extra terms chosen at each call."""

    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(0.0))
        self.b = nn.Parameter(torch.tensor(0.6))
        self.c = nn.Parameter(torch.tensor(0.0))
        self.d = nn.Parameter(torch.tensor(-0.05))
        self.e = nn.Parameter(torch.tensor(0.001))

    def forward(self, x, extra_terms):
        y = self.a + self.b * x + self.c * x**2 + self.d * x**3
        for power in range(4, 4 + extra_terms):
            y = y + self.e * x**power
        return y


random.seed(7)  # Python's own generator picks the depths: the same in every run

torch.manual_seed(0)
net = DynamicNet(4, 16, 2)
for k, param in enumerate(net.parameters()):
    fill_(param, k)
print("parameters:", [(name, tuple(param.shape)) for name, param in net.named_parameters()])
print("parameter count:", sum(param.numel() for param in net.parameters()))

inputs = torch.stack([torch.linspace(-1, 1, 32) * s for s in (1.0, -0.5, 0.25, 2.0)], dim=1)
targets = torch.stack([inputs[:, 0] * inputs[:, 1], torch.cos(inputs[:, 3])], dim=1)
print("data:", tuple(inputs.shape), tuple(targets.shape))

# a layer used twice collects the gradient of both uses
out = net(inputs, 2).pow(2).sum()
out.backward()
print(f"grad norm of the shared layer after two uses: {net.middle_linear.weight.grad.norm().item():.5f}")
net.zero_grad()

criterion = nn.MSELoss()
optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
depths = []
for step in range(150):
    depth = random.randint(0, 3)
    depths.append(depth)
    prediction = net(inputs, depth)
    loss = criterion(prediction, targets)
    if step % 30 == 29:
        print(f"step {step + 1}: depth {depth} loss {loss.item():.5f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print("depth counts:", [depths.count(k) for k in range(4)])
with torch.no_grad():
    final = [criterion(net(inputs, k), targets).item() for k in range(4)]
print("final loss by depth:", " ".join(f"{v:.5f}" for v in final))

# the polynomial version of the same idea
x = torch.linspace(-math.pi, math.pi, 500)
y = torch.sin(x)
poly = PolyNet()
optimizer = optim.SGD(poly.parameters(), lr=1e-8, momentum=0.9)
for step in range(400):
    y_pred = poly(x, random.randint(0, 2))
    loss = (y_pred - y).pow(2).sum()
    if step % 100 == 99:
        print(f"poly step {step + 1}: loss {loss.item():.4f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print("poly coefficients:", " ".join(f"{p.item():+.5f}" for p in poly.parameters()))
