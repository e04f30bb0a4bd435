"""An MLP character-level language model: an embedding table C, one tanh hidden layer, cross-entropy."""

import random
from pathlib import Path

import torch
import torch.nn.functional as F

words = (Path(__file__).parent / "names.txt").read_text().splitlines()
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)

block_size = 3  # how many characters we look at to predict the next one


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    X = torch.tensor(X)
    Y = torch.tensor(Y)
    print(tuple(X.shape), tuple(Y.shape))
    return X, Y


random.seed(42)
random.shuffle(words)
n1 = int(0.8 * len(words))
n2 = int(0.9 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:n2])
Xte, Yte = build_dataset(words[n2:])
print("first context:", [itos[i] for i in Xtr[0].tolist()], "->", itos[Ytr[0].item()])

n_embd = 10
n_hidden = 64

# parameters drawn from the seeded generator, as usual
g = torch.Generator().manual_seed(2147483647)
C = torch.randn((vocab_size, n_embd), generator=g)
W1 = torch.randn((n_embd * block_size, n_hidden), generator=g)
b1 = torch.randn(n_hidden, generator=g)
W2 = torch.randn((n_hidden, vocab_size), generator=g)
b2 = torch.randn(vocab_size, generator=g)
parameters = [C, W1, b1, W2, b2]
print("number of parameters:", sum(p.nelement() for p in parameters))
print("all float32:", all(p.dtype == torch.float32 for p in parameters))


# ... then replaced by values from Python's random module scaled like the usual init, so that the
# printed losses do not depend on which library's random number stream filled them
def fixed_randn(rng, *shape):
    n = 1
    for s in shape:
        n *= s
    return torch.tensor([rng.gauss(0.0, 1.0) for _ in range(n)]).view(*shape)


rng = random.Random(1234)
C.data = fixed_randn(rng, vocab_size, n_embd)
W1.data = fixed_randn(rng, n_embd * block_size, n_hidden) * (5 / 3) / (n_embd * block_size) ** 0.5
b1.data = fixed_randn(rng, n_hidden) * 0.01
W2.data = fixed_randn(rng, n_hidden, vocab_size) * 0.01
b2.data = torch.zeros(vocab_size)
for p in parameters:
    p.requires_grad = True

# the embedding lookup, three ways
emb = C[Xtr]
print("emb:", tuple(emb.shape), "view:", tuple(emb.view(-1, n_embd * block_size).shape))
flat = torch.cat([emb[:, 0, :], emb[:, 1, :], emb[:, 2, :]], 1)
print("cat equals view:", torch.equal(flat, emb.view(emb.shape[0], -1)))
one_hot_way = F.one_hot(Xtr[:, 0], num_classes=vocab_size).float() @ C
print("one-hot @ C equals indexing:", torch.allclose(one_hot_way, emb[:, 0]))


def split_loss(X, Y):
    with torch.no_grad():
        h = torch.tanh(C[X].view(X.shape[0], -1) @ W1 + b1)
        logits = h @ W2 + b2
        return F.cross_entropy(logits, Y).item()


print(f"initial train loss {split_loss(Xtr, Ytr):.4f} (uniform: {torch.tensor(27.0).log().item():.4f})")

# full-batch training with a step learning-rate decay
for i in range(200):
    emb = C[Xtr]
    h = torch.tanh(emb.view(-1, n_embd * block_size) @ W1 + b1)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Ytr)
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.5 if i < 150 else 0.05
    for p in parameters:
        p.data += -lr * p.grad
    if i % 40 == 0 or i == 199:
        print(f"{i:4d}/200: loss {loss.item():.4f} lr {lr}")

print(f"train {split_loss(Xtr, Ytr):.4f}  dev {split_loss(Xdev, Ydev):.4f}  test {split_loss(Xte, Yte):.4f}")

# hand-written cross-entropy is the same number
emb = C[Xtr]
logits = torch.tanh(emb.view(-1, n_embd * block_size) @ W1 + b1) @ W2 + b2
counts = logits.exp()
prob = counts / counts.sum(1, keepdims=True)
print(f"by hand: {-prob[torch.arange(Xtr.shape[0]), Ytr].log().mean().item():.4f}")

# minibatch steps: which rows are drawn depends on the generator, so only check what must hold
before = split_loss(Xtr, Ytr)
lossi = []
for i in range(300):
    ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
    emb = C[Xtr[ix]]
    h = torch.tanh(emb.view(-1, n_embd * block_size) @ W1 + b1)
    loss = F.cross_entropy(h @ W2 + b2, Ytr[ix])
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 200 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    lossi.append(loss.log10().item())
print(
    "minibatch indices:", tuple(ix.shape), ix.dtype == torch.int64, 0 <= ix.min().item(), ix.max().item() < Xtr.shape[0]
)
print("logged", len(lossi), "minibatch losses; all finite:", all(v == v and abs(v) < 10 for v in lossi))
print("minibatch steps lowered the train loss further:", split_loss(Xtr, Ytr) < before)

# sample from the model
out_names = []
for _ in range(10):
    out = []
    context = [0] * block_size
    while True:
        emb = C[torch.tensor([context])]
        h = torch.tanh(emb.view(1, -1) @ W1 + b1)
        probs = F.softmax(h @ W2 + b2, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        out.append(ix)
        if ix == 0 or len(out) > 30:
            break
    out_names.append("".join(itos[i] for i in out))
print("samples:", len(out_names), "all end with '.':", all(n.endswith(".") for n in out_names))
