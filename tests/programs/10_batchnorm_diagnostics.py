"""A deeper MLP with hand-written Linear / BatchNorm1d / Tanh layers, and the statistics used to
check activations and gradients: tanh saturation, gradient:data ratios, update:data ratios."""

import random
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

words = (Path(__file__).parent / "names.txt").read_text().splitlines()
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
vocab_size = len(stoi)
block_size = 3

X, Y = [], []
for w in words:
    context = [0] * block_size
    for ch in w + ".":
        X.append(context)
        Y.append(stoi[ch])
        context = context[1:] + [stoi[ch]]
Xtr, Ytr = torch.tensor(X), torch.tensor(Y)
print("examples:", Xtr.shape[0])

g = torch.Generator().manual_seed(2147483647)


class Linear:
    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = torch.randn((fan_in, fan_out), generator=g) / fan_in**0.5
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:
    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        if self.training:
            xmean = x.mean(0, keepdim=True)
            xvar = x.var(0, keepdim=True, unbiased=False)  # normalise with the batch's own variance
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)
        self.out = self.gamma * xhat + self.beta
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                unbiased = x.var(0, keepdim=True)  # but track the unbiased estimate, as nn.BatchNorm1d does
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * unbiased
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


n_embd, n_hidden = 10, 64
C = torch.randn((vocab_size, n_embd), generator=g)
layers = [
    Linear(n_embd * block_size, n_hidden, bias=False),
    BatchNorm1d(n_hidden),
    Tanh(),
    Linear(n_hidden, n_hidden, bias=False),
    BatchNorm1d(n_hidden),
    Tanh(),
    Linear(n_hidden, n_hidden, bias=False),
    BatchNorm1d(n_hidden),
    Tanh(),
    Linear(n_hidden, n_hidden, bias=False),
    BatchNorm1d(n_hidden),
    Tanh(),
    Linear(n_hidden, vocab_size, bias=False),
    BatchNorm1d(vocab_size),
]

# Replace the generator's draws by draws from Python's random module with the same scaling, so the
# statistics below are the same whichever library's random stream made the first ones.
rng = random.Random(5)


def fixed_randn(*shape):
    n = 1
    for s in shape:
        n *= s
    return torch.tensor([rng.gauss(0.0, 1.0) for _ in range(n)]).view(*shape)


C.data = fixed_randn(vocab_size, n_embd)
for layer in layers:
    if isinstance(layer, Linear):
        fan_in, fan_out = layer.weight.shape
        layer.weight.data = fixed_randn(fan_in, fan_out) * (5 / 3) / fan_in**0.5

with torch.no_grad():
    layers[-1].gamma *= 0.1  # a less confident last layer

parameters = [C] + [p for layer in layers for p in layer.parameters()]
print("parameters:", sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True


def forward(Xb):
    x = C[Xb].view(Xb.shape[0], -1)
    for layer in layers:
        x = layer(x)
    return x


def activation_report(title):
    print(title)
    for i, layer in enumerate(layers[:-1]):
        if isinstance(layer, Tanh):
            t = layer.out
            saturated = (t.abs() > 0.97).float().mean() * 100
            print(
                f"  layer {i:2d} ({layer.__class__.__name__}): mean {t.mean():+.4f}, std {t.std():.4f},"
                f" saturated: {saturated:.2f}%"
            )
            hy, hx = torch.histogram(t.detach(), density=True)
            print(f"    histogram: {hy.shape[0]} bins, area {(hy * (hx[1:] - hx[:-1])).sum().item():.4f}")


def gradient_report():
    print("gradients of the tanh outputs")
    for i, layer in enumerate(layers[:-1]):
        if isinstance(layer, Tanh):
            t = layer.out.grad
            print(f"  layer {i:2d}: mean {t.mean():+.6f}, std {t.std():.6e}")
    print("weights")
    for p in parameters:
        if p.ndim == 2:
            print(
                f"  weight {str(tuple(p.shape)):>10}: mean {p.grad.mean():+.6f} | std {p.grad.std():.6e}"
                f" | grad:data ratio {p.grad.std() / p.data.std():.6e}"
            )


# one full step on a fixed batch, keeping the gradients of the layer outputs
Xb, Yb = Xtr[:32], Ytr[:32]
logits = forward(Xb)
for layer in layers:
    layer.out.retain_grad()
loss = F.cross_entropy(logits, Yb)
print(f"initial loss {loss.item():.4f}")
for p in parameters:
    p.grad = None
loss.backward()
activation_report("activations at initialisation")
gradient_report()

# a short training run with minibatches drawn by Python's random module
lossi, ud = [], []
for i in range(120):
    ix = torch.tensor([rng.randrange(Xtr.shape[0]) for _ in range(32)])
    logits = forward(Xtr[ix])
    loss = F.cross_entropy(logits, Ytr[ix])
    for layer in layers:
        layer.out.retain_grad()
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 100 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    lossi.append(loss.log10().item())
    with torch.no_grad():
        ud.append([((lr * p.grad).std() / p.data.std()).log10().item() for p in parameters])
    if i % 30 == 0:
        print(f"{i:4d}/120: {loss.item():.4f}")

activation_report("activations after training")
print("update:data ratios (log10) at the last step")
for k, p in enumerate(parameters):
    if p.ndim == 2:
        print(f"  param {k:2d} {str(tuple(p.shape)):>10}: {ud[-1][k]:.4f}")
print(f"mean log10 loss over the last 20 steps: {sum(lossi[-20:]) / 20:.4f}")

for layer in layers:
    if isinstance(layer, BatchNorm1d):
        layer.training = False
with torch.no_grad():
    eval_loss = F.cross_entropy(forward(Xtr), Ytr)
print(f"train loss in eval mode (running statistics): {eval_loss.item():.4f}")
last = layers[-1]
print(f"last layer running mean {last.running_mean.mean().item():+.4f}, var {last.running_var.mean().item():.4f}")

# the hand-written layer against nn.BatchNorm1d
x = torch.linspace(-3, 3, 8 * 5).view(8, 5) ** 2
mine = BatchNorm1d(5)
theirs = nn.BatchNorm1d(5)
print(
    "nn.BatchNorm1d parameters:",
    [name for name, _ in theirs.named_parameters()],
    "buffers in state_dict:",
    [k for k in theirs.state_dict() if k not in ("weight", "bias")],
)
print("training outputs agree:", torch.allclose(mine(x), theirs(x), atol=1e-5))
print("running means agree:", torch.allclose(mine.running_mean.view(-1), theirs.running_mean))
print("running vars agree:", torch.allclose(mine.running_var.view(-1), theirs.running_var))
mine.training = False
theirs.eval()
print("eval outputs agree:", torch.allclose(mine(x).view(8, 5), theirs(x), atol=1e-5))
print(f"num_batches_tracked: {theirs.num_batches_tracked.item()}")

# the same network from torch.nn building blocks, loaded with the trained weights, gives the same logits
net = nn.Sequential(
    nn.Embedding(vocab_size, n_embd),
    nn.Flatten(),
    nn.Linear(n_embd * block_size, n_hidden, bias=False),
    nn.BatchNorm1d(n_hidden),
    nn.Tanh(),
    nn.Linear(n_hidden, n_hidden, bias=False),
    nn.BatchNorm1d(n_hidden),
    nn.Tanh(),
    nn.Linear(n_hidden, n_hidden, bias=False),
    nn.BatchNorm1d(n_hidden),
    nn.Tanh(),
    nn.Linear(n_hidden, n_hidden, bias=False),
    nn.BatchNorm1d(n_hidden),
    nn.Tanh(),
    nn.Linear(n_hidden, vocab_size, bias=False),
    nn.BatchNorm1d(vocab_size),
)
modules = [m for m in net if not isinstance(m, nn.Flatten)]
with torch.no_grad():
    modules[0].weight.copy_(C)
    for mine, theirs in zip(layers, modules[1:]):
        if isinstance(mine, Linear):
            theirs.weight.copy_(mine.weight.T)
        elif isinstance(mine, BatchNorm1d):
            theirs.weight.copy_(mine.gamma.view(-1))
            theirs.bias.copy_(mine.beta.view(-1))
            theirs.running_mean.copy_(mine.running_mean.view(-1))
            theirs.running_var.copy_(mine.running_var.view(-1))
net.eval()
print(
    "nn version:",
    sum(p.numel() for p in net.parameters()),
    "parameters,",
    type(net[0]).__name__,
    tuple(net[0].weight.shape),
)
with torch.no_grad():
    print("same logits in eval mode:", torch.allclose(net(Xtr[:100]), forward(Xtr[:100]), atol=1e-4))
    print(f"nn version train loss: {F.cross_entropy(net(Xtr), Ytr).item():.4f}")
