"""A character-level bigram language model from counts, on a small list of first names."""

from pathlib import Path

import torch

words = (Path(__file__).parent / "names.txt").read_text().splitlines()
print("words:", len(words), "shortest:", min(len(w) for w in words), "longest:", max(len(w) for w in words))
print("first few:", words[:5])

chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
print("vocabulary:", len(stoi), "".join(itos[i] for i in range(len(itos))))

# count every pair of consecutive characters, with '.' marking the start and end of a name
N = torch.zeros((27, 27), dtype=torch.int32)
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        N[stoi[ch1], stoi[ch2]] += 1

print("counts dtype int32:", N.dtype == torch.int32, "total bigrams:", N.sum().item())
print("names starting with 'a':", N[0, stoi["a"]].item(), "ending with 'a':", N[stoi["a"], 0].item())
print("row of '.' sums to the number of words:", N[0].sum().item() == len(words))
pairs = sorted(((N[i, j].item(), itos[i] + itos[j]) for i in range(27) for j in range(27)), key=lambda p: (-p[0], p[1]))
print("most common:", pairs[:6])
print("unseen pairs:", (N == 0).sum().item())

# probabilities, with add-one smoothing
P = (N + 1).float()
P /= P.sum(1, keepdims=True)
print("rows sum to one:", torch.allclose(P.sum(1), torch.ones(27)))
print("P['.'] top letters:", [itos[i] for i in P[0].argsort(descending=True)[:3].tolist()])
print(f"P('.' -> 'a') = {P[0, stoi['a']].item():.4f}")

# sample names
g = torch.Generator().manual_seed(2147483647)
unsmoothed = N.float() / N.float().sum(1, keepdim=True)
samples = []
for _ in range(20):
    out = []
    ix = 0
    while True:
        p = unsmoothed[ix]
        ix = torch.multinomial(p, num_samples=1, replacement=True, generator=g).item()
        out.append(itos[ix])
        if ix == 0:
            break
    samples.append("".join(out))
# which names come out depends on the random stream; these facts do not
print("sampled:", len(samples), "all end with '.':", all(s.endswith(".") for s in samples))
seen = all(N[stoi[a], stoi[b]] > 0 for s in samples for a, b in zip("." + s, s))
print("every sampled pair occurs in the data:", seen)

draws = torch.multinomial(P[0], num_samples=20000, replacement=True, generator=g)
print(
    "draws:",
    tuple(draws.shape),
    draws.dtype == torch.int64,
    "in range:",
    draws.min().item() >= 0,
    draws.max().item() <= 26,
)
freq = torch.bincount(draws, minlength=27).float() / draws.numel()
print("empirical frequencies close to P[0]:", (freq - P[0]).abs().max().item() < 0.02)

g1 = torch.Generator().manual_seed(2147483647)
g2 = torch.Generator().manual_seed(2147483647)
same = torch.equal(
    torch.multinomial(P[5], 10, replacement=True, generator=g1),
    torch.multinomial(P[5], 10, replacement=True, generator=g2),
)
print("same seed, same samples:", same)
print("a certain outcome:", torch.multinomial(torch.tensor([0.0, 0.0, 1.0]), 3, replacement=True, generator=g).tolist())
print("without replacement:", sorted(torch.multinomial(torch.tensor([1.0, 1.0, 1.0, 0.0]), 3, generator=g).tolist()))

# quality: average negative log likelihood of the training names
log_likelihood = 0.0
n = 0
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        prob = P[stoi[ch1], stoi[ch2]]
        logprob = torch.log(prob)
        log_likelihood += logprob
        n += 1
print(f"{log_likelihood=}")
nll = -log_likelihood
print(f"{nll=}")
print(f"{nll / n}")
print(f"average nll: {nll / n:.4f} over {n} bigrams")
print(f"vectorised: {-(P[N > 0].log() * N[N > 0]).sum() / N.sum():.4f}")
