"""The cubic fit again, with nn.Module, nn.MSELoss and torch.optim."""

import math

import torch
import torch.nn as nn
from torch import optim

torch.manual_seed(0)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# features x, x^2, x^3 as the columns of a (2000, 3) matrix
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
print("features:", tuple(xx.shape), "float32:", xx.dtype == torch.float32)

# --- 1. nn.Sequential with a hand-written update -------------------------------
model = nn.Sequential(
    nn.Linear(3, 1),
    nn.Flatten(0, 1),
)
# replace the random initial weights with fixed ones so the run is reproducible everywhere
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([[0.5, -0.1, 0.02]]))
    model[0].bias.fill_(0.0)
print(model)
print("parameters:", [tuple(q.shape) for q in model.parameters()])

loss_fn = nn.MSELoss(reduction="sum")
learning_rate = 1e-6
for t in range(600):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 150 == 149:
        print(f"sequential step {t + 1}: loss {loss.item():.4f}")
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

layer = model[0]
print(
    f"sequential fit: y = {layer.bias.item():.4f} + {layer.weight[:, 0].item():.4f} x"
    f" + {layer.weight[:, 1].item():.4f} x^2 + {layer.weight[:, 2].item():.4f} x^3"
)


# --- 2. a custom Module trained by optim.SGD with momentum -----------------------
class Cubic(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(0.0))
        self.b = nn.Parameter(torch.tensor(0.5))
        self.c = nn.Parameter(torch.tensor(-0.1))
        self.d = nn.Parameter(torch.tensor(0.02))

    def forward(self, x):
        return self.a + self.b * x + self.c * x**2 + self.d * x**3

    def string(self):
        return f"y = {self.a.item():.4f} + {self.b.item():.4f} x + {self.c.item():.4f} x^2 + {self.d.item():.4f} x^3"


cubic = Cubic()
print("named parameters:", [name for name, _ in cubic.named_parameters()])
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = optim.SGD(cubic.parameters(), lr=1e-6, momentum=0.9)
for t in range(600):
    y_pred = cubic(x)
    loss = criterion(y_pred, y)
    if t % 150 == 149:
        print(f"sgd step {t + 1}: loss {loss.item():.4f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print("sgd fit:", cubic.string())

# --- 3. RMSprop on the Sequential model with a mean loss ---------------------------
model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([[0.5, -0.1, 0.02]]))
    model[0].bias.zero_()
loss_fn = nn.MSELoss()
optimizer = optim.RMSprop(model.parameters(), lr=1e-3)
for t in range(600):
    loss = loss_fn(model(xx), y)
    if t % 150 == 149:
        print(f"rmsprop step {t + 1}: loss {loss.item():.6f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(
    "rmsprop weights:",
    " ".join(f"{v:+.4f}" for v in model[0].weight.flatten().tolist()),
    f"bias {model[0].bias.item():+.4f}",
)
