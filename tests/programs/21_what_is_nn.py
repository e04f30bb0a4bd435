"""Refactoring a training loop step by step, as in "What is torch.nn really?": hand-written logistic
regression with log_softmax and nll, then F.cross_entropy, nn.Module with nn.Parameter, nn.Linear,
optim, TensorDataset, DataLoader, a fit() with validation, and nn.Sequential with a custom Lambda layer."""

import math
import random

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

# --- the data: 4x4 "images" of three classes, made with Python's random so both libraries see the same
rng = random.Random(7)


def sample(label):
    cx, cy = [(0.8, 0.8), (2.2, 0.8), (1.5, 2.2)][label]
    return [math.exp(-((r - cy) ** 2 + (c - cx) ** 2) / 1.5) + rng.gauss(0, 0.15) for r in range(4) for c in range(4)]


def make(n):
    ys = [rng.randrange(3) for _ in range(n)]
    return [sample(y) for y in ys], ys


x_train, y_train = make(120)
x_valid, y_valid = make(45)
x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
n, c = x_train.shape
print("train:", tuple(x_train.shape), "valid:", tuple(x_valid.shape))
print("label range:", y_train.min().item(), y_train.max().item(), "dtype int64:", y_train.dtype == torch.int64)

# --- from scratch ----------------------------------------------------------------------
weights = torch.cos(torch.arange(16 * 3, dtype=torch.float32)).reshape(16, 3) / math.sqrt(16)
weights.requires_grad_()
bias = torch.zeros(3, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


bs = 30
xb = x_train[0:bs]
preds = model(xb)
print("first prediction:", [round(v, 4) for v in preds[0].tolist()], tuple(preds.shape))


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


loss_func = nll
yb = y_train[0:bs]
print(f"initial loss: {loss_func(preds, yb).item():.6f}")


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


print(f"initial accuracy: {accuracy(preds, yb).item():.4f}")

lr = 0.5
epochs = 3
for _epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print(
    f"after training by hand: loss {loss_func(model(xb), yb).item():.6f}, accuracy {accuracy(model(xb), yb).item():.4f}"
)

# --- using torch.nn.functional -------------------------------------------------------------
loss_func = F.cross_entropy


def model(xb):
    return xb @ weights + bias


print(f"cross_entropy on the raw scores: {loss_func(model(xb), yb).item():.6f}")


# --- nn.Module and nn.Parameter ----------------------------------------------------------------
def formula_init(module):
    with torch.no_grad():
        for i, p in enumerate(module.parameters()):
            p.copy_(torch.cos(torch.arange(p.numel(), dtype=torch.float32) + i).reshape(p.shape) / math.sqrt(16))
            if p.dim() == 1:
                p.zero_()
    return module


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.zeros(16, 3))
        self.bias = nn.Parameter(torch.zeros(3))

    def forward(self, xb):
        return xb @ self.weights + self.bias


model = formula_init(Mnist_Logistic())
print(f"Mnist_Logistic loss: {loss_func(model(xb), yb).item():.6f}")


def fit_by_hand():
    for _epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            xb, yb = x_train[i * bs : i * bs + bs], y_train[i * bs : i * bs + bs]
            loss = loss_func(model(xb), yb)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= p.grad * lr
                model.zero_grad()


fit_by_hand()
print(f"after fit_by_hand: {loss_func(model(xb), yb).item():.6f}")


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(16, 3)

    def forward(self, xb):
        return self.lin(xb)


def get_model():
    model = formula_init(Mnist_Logistic())
    return model, optim.SGD(model.parameters(), lr=lr)


model, opt = get_model()
print(f"nn.Linear model loss: {loss_func(model(xb), yb).item():.6f}")

train_ds = TensorDataset(x_train, y_train)
train_dl = DataLoader(train_ds, batch_size=bs)
for _epoch in range(epochs):
    for xb, yb in train_dl:
        pred = model(xb)
        loss = loss_func(pred, yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
print(f"with optim and DataLoader: {loss_func(model(xb), yb).item():.6f}")


# --- fit() with validation -----------------------------------------------------------------------
def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, shuffle=False),
        DataLoader(valid_ds, batch_size=bs * 2),
    )


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)

        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, f"{val_loss:.6f}")


valid_ds = TensorDataset(x_valid, y_valid)
train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
model, opt = get_model()
fit(epochs, model, loss_func, opt, train_dl, valid_dl)


# --- nn.Sequential with a custom layer ------------------------------------------------------------
class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x):
    return x.view(-1, 1, 4, 4)


model = nn.Sequential(
    Lambda(preprocess),
    nn.Flatten(),
    nn.Linear(16, 8),
    nn.ReLU(),
    nn.Linear(8, 3),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
formula_init(model)
opt = optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
fit(epochs, model, loss_func, opt, train_dl, valid_dl)
with torch.no_grad():
    acc = accuracy(model(x_valid), y_valid)
print(f"validation accuracy: {acc.item():.4f}")
