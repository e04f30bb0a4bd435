"""Course-style code written from scratch: linear regression with a shuffled minibatch iterator and a
hand-written sgd, then the concise version with nn.Sequential; softmax regression with a hand-written
softmax, cross-entropy by fancy indexing, an accuracy counter and an Accumulator; an MLP with nn.Parameter."""

import random

import torch
from torch import nn
from torch.utils import data

random.seed(0)


def synthetic_data(w, b, num_examples):
    """y = Xw + b + noise, with the noise from Python's random so both libraries see the same data."""
    X = torch.tensor([[random.gauss(0, 1) for _ in range(len(w))] for _ in range(num_examples)])
    y = torch.matmul(X, w) + b
    y += torch.tensor([random.gauss(0, 0.01) for _ in range(num_examples)])
    return X, y.reshape((-1, 1))


true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, 200)
print("features:", features[0].tolist(), "\nlabel:", labels[0].tolist())


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)  # the examples are read at random, in no particular order
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


batch_size = 10
for X, y in data_iter(batch_size, features, labels):
    print("one minibatch:", tuple(X.shape), tuple(y.shape))
    break

w = torch.tensor([[0.01], [-0.02]], requires_grad=True)
b = torch.zeros(1, requires_grad=True)


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


lr = 0.03
num_epochs = 3
net = linreg
loss = squared_loss
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = loss(net(X, w, b), y)
        l.sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f"epoch {epoch + 1}, loss {float(train_l.mean()):f}")
print(f"error in estimating w: {true_w - w.reshape(true_w.shape).detach()}")
print(f"error in estimating b: {true_b - b.item():.4f}")

# --- the concise version ---------------------------------------------------------------------------


def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


data_iter_concise = load_array((features, labels), batch_size, is_train=False)
print("first batch from the DataLoader:", [tuple(t.shape) for t in next(iter(data_iter_concise))])

net = nn.Sequential(nn.Linear(2, 1))
net[0].weight.data.fill_(0.01)
net[0].bias.data.fill_(0)
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
for epoch in range(num_epochs):
    for X, y in data_iter_concise:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f"epoch {epoch + 1}, loss {l:f}")
w = net[0].weight.data
print("error in estimating w:", [round(v, 3) for v in (true_w - w.reshape(true_w.shape)).tolist()])
b = net[0].bias.data
print(f"error in estimating b: {(true_b - b).item():.3f}")

# --- softmax regression from scratch -----------------------------------------------------------------
X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(X.sum(0, keepdim=True), X.sum(1, keepdim=True))


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # broadcasting


X = torch.linspace(-1, 1, 10).reshape(2, 5)
X_prob = softmax(X)
print(X_prob, X_prob.sum(1))

y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


print(cross_entropy(y_hat, y))


def accuracy(y_hat, y):
    """The number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


print(accuracy(y_hat, y) / len(y))


class Accumulator:
    """Sums over n variables."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


# three clusters in 2-D, classified by softmax regression and by an MLP
pts, cls = [], []
for i in range(150):
    k = i % 3
    cx, cy = [(0, 0), (2, 0.5), (1, 2)][k]
    pts.append([cx + random.gauss(0, 0.5), cy + random.gauss(0, 0.5)])
    cls.append(k)
P, C = torch.tensor(pts), torch.tensor(cls)

W = torch.tensor([[0.01, -0.01, 0.02], [0.0, 0.01, -0.02]], requires_grad=True)
b = torch.zeros(3, requires_grad=True)


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


for epoch in range(5):
    metric = Accumulator(3)  # loss sum, correct count, examples
    for i in range(0, 150, 25):
        Xb, yb = P[i : i + 25], C[i : i + 25]
        y_hat = net(Xb)
        l = cross_entropy(y_hat, yb)
        l.mean().backward()
        sgd([W, b], 0.5, 1)
        metric.add(float(l.sum()), accuracy(y_hat, yb), yb.numel())
    print(f"softmax epoch {epoch + 1}: loss {metric[0] / metric[2]:.4f}, train acc {metric[1] / metric[2]:.3f}")

# an MLP with parameters made by hand
num_inputs, num_outputs, num_hiddens = 2, 3, 16
W1 = nn.Parameter(
    torch.sin(torch.arange(num_inputs * num_hiddens, dtype=torch.float32)).reshape(num_inputs, num_hiddens) * 0.5
)
b1 = nn.Parameter(torch.zeros(num_hiddens))
W2 = nn.Parameter(
    torch.cos(torch.arange(num_hiddens * num_outputs, dtype=torch.float32)).reshape(num_hiddens, num_outputs) * 0.3
)
b2 = nn.Parameter(torch.zeros(num_outputs))
params = [W1, b1, W2, b2]


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def mlp(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)  # '@' is matrix multiplication
    return H @ W2 + b2


loss = nn.CrossEntropyLoss(reduction="none")
updater = torch.optim.SGD(params, lr=0.1)
for epoch in range(5):
    metric = Accumulator(3)
    for i in range(0, 150, 25):
        Xb, yb = P[i : i + 25], C[i : i + 25]
        y_hat = mlp(Xb)
        l = loss(y_hat, yb)
        updater.zero_grad()
        l.mean().backward()
        updater.step()
        metric.add(float(l.sum()), accuracy(y_hat, yb), yb.numel())
    print(f"mlp epoch {epoch + 1}: loss {metric[0] / metric[2]:.4f}, train acc {metric[1] / metric[2]:.3f}")
print("parameters:", sum(p.numel() for p in params), "is Parameter:", isinstance(W1, nn.Parameter), W1.requires_grad)
