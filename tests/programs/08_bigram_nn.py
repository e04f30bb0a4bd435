"""The bigram model as a one-layer neural network on one-hot inputs, trained by gradient descent."""

from pathlib import Path

import torch
import torch.nn.functional as F

words = (Path(__file__).parent / "names.txt").read_text().splitlines()
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}

# the training set: (previous character, next character) pairs as integers
xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs = torch.tensor(xs)
ys = torch.tensor(ys)
num = xs.nelement()
print("number of examples:", num, "dtype int64:", xs.dtype == torch.int64)

xenc = F.one_hot(xs, num_classes=27).float()
print("one-hot:", tuple(xenc.shape), xenc.dtype == torch.float32, "row sums all one:", (xenc.sum(1) == 1).all().item())
print("first example is '.' -> '" + itos[ys[0].item()] + "':", xenc[0, 0].item(), xenc[0].argmax().item())

# a forward pass with random weights: the values depend on the generator, these facts do not
g = torch.Generator().manual_seed(2147483647)
W = torch.randn((27, 27), generator=g, requires_grad=True)
logits = xenc @ W
counts = logits.exp()
probs = counts / counts.sum(1, keepdims=True)
print("probs:", tuple(probs.shape), "rows sum to one:", torch.allclose(probs.sum(1), torch.ones(num)))
print("all positive:", (probs > 0).all().item())
loss = -probs[torch.arange(num), ys].log().mean()
loss.backward()
print(
    "gradient shape:",
    tuple(W.grad.shape),
    "gradient rows sum to ~0:",
    torch.allclose(W.grad.sum(1), torch.zeros(27), atol=1e-5),
)

# training from uniform predictions (all-zero weights), so the path is the same in every run
W = torch.zeros((27, 27), requires_grad=True)
for k in range(100):
    xenc = F.one_hot(xs, num_classes=27).float()
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W**2).mean()
    if k == 0 or k % 20 == 19:
        print(f"step {k + 1}: loss {loss.item():.4f}")
    W.grad = None
    loss.backward()
    W.data += -50 * W.grad

print(f"uniform would be {torch.log(torch.tensor(27.0)).item():.4f}")

# compare with the counting model
N = torch.zeros((27, 27), dtype=torch.int32)
for a, b in zip(xs.tolist(), ys.tolist()):
    N[a, b] += 1
P = (N + 1).float()
P = P / P.sum(1, keepdim=True)
count_nll = -P[xs, ys].log().mean()
learned = F.softmax(W, dim=1)
print(f"count-model nll {count_nll.item():.4f}, net nll {-learned[xs, ys].log().mean().item():.4f}")
print(f"largest gap between the two tables: {(learned - P).abs().max().item():.4f}")
print(f"cross_entropy agrees with the hand-written loss: {F.cross_entropy(W[xs], ys).item():.4f}")

# sampling from the trained net
g = torch.Generator().manual_seed(2147483647)
names = []
for _ in range(10):
    out = []
    ix = 0
    while True:
        xenc = F.one_hot(torch.tensor([ix]), num_classes=27).float()
        p = F.softmax(xenc @ W, dim=1)
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    names.append("".join(out))
print("sampled names:", len(names), "made of the vocabulary:", all(set(n) <= set(stoi) for n in names))
