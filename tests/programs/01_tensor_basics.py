"""Tensor basics: making tensors, dtypes, arithmetic, indexing, reshaping, .data and printing numbers."""

import torch

# --- making tensors ---------------------------------------------------------
a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
ones = torch.ones(2, 3)
counts = torch.zeros((2, 3), dtype=torch.long)
steps = torch.arange(12)
grid = torch.linspace(0, 1, steps=5)
eye = torch.eye(3)
full = torch.full((2, 2), 7.5)

print("a shape:", tuple(a.shape), "size(1):", a.size(1), "numel:", a.numel(), "dim:", a.dim())
print("a is float32:", a.dtype == torch.float, a.dtype == torch.float32)
print("counts is int64:", counts.dtype == torch.long, counts.dtype == torch.int64)
print("arange is int64:", steps.dtype == torch.int64, "sum:", steps.sum().item())
print("linspace:", " ".join(f"{v:.4f}" for v in grid.tolist()))
print("eye trace:", f"{eye.diag().sum().item():.1f}", "full mean:", f"{full.mean().item():.2f}")
print(torch.arange(6).view(2, 3))
print(torch.tensor([0.5, 1.0, 2.0]))

# --- dtypes and conversions --------------------------------------------------
halves = torch.arange(4) * 0.5
print("int * 0.5 gives float32:", halves.dtype == torch.float32, halves.tolist())
ratio = torch.arange(1, 4) / torch.tensor([2, 2, 2])
print("int / int gives float:", ratio.dtype == torch.float32, [f"{v:.2f}" for v in ratio.tolist()])
d = a.double()
print("double:", d.dtype == torch.float64, "back to float:", d.float().dtype == torch.float32)
print("long():", a.long().tolist(), "to(float64):", a.to(torch.float64).dtype == torch.double)
print("bool mask:", (a > 2.5).tolist())

# --- arithmetic and broadcasting ------------------------------------------------
b = a * 2 + ones
print("a*2+1:", [[f"{v:.2f}" for v in row] for row in b.tolist()])
row = torch.tensor([10.0, 20.0, 30.0])
print("broadcast row:", (a + row).tolist())
col = torch.tensor([[1.0], [-1.0]])
print("broadcast col:", (a * col).tolist())
print("matmul:", (a @ a.T).tolist())
print("elementwise:", [f"{v:.4f}" for v in (a.exp().log() - a).abs().flatten().tolist()])
print("sum(0):", a.sum(0).tolist(), "mean(1):", a.mean(dim=1).tolist())
print("sum keepdim shape:", tuple(a.sum(1, keepdim=True).shape))
print("std:", f"{a.std().item():.4f}", "var:", f"{a.var().item():.4f}")
mx = a.max(dim=1)
print("max values:", mx.values.tolist(), "indices:", mx.indices.tolist(), "argmax:", a.argmax().item())
print("sqrt and pow:", [f"{v:.3f}" for v in a.sqrt().pow(3).flatten().tolist()])
print("clamp:", a.clamp(min=2.0, max=5.0).tolist())

# --- indexing ---------------------------------------------------------------
print("a[0]:", a[0].tolist(), "a[:, 1]:", a[:, 1].tolist(), "a[1, 2]:", a[1, 2].item())
print("a[-1, ::2]:", a[-1, ::2].tolist())
print("fancy:", a[[0, 1], [2, 0]].tolist())
print("mask:", a[a > 2.5].tolist())
print("by tensor index:", a[torch.tensor([1, 1, 0])].sum(1).tolist())
c = a.clone()
c[0, 0] = -1.0
c[1] += 100
print("after writes:", c.tolist(), "a unchanged:", a[0, 0].item())

# --- reshaping --------------------------------------------------------------
m = steps.view(3, 4)
print("view(3, 4):", m.tolist())
print(
    "view(-1, 6) shape:", tuple(steps.view(-1, 6).shape), "reshape(2, 2, 3) shape:", tuple(steps.reshape(2, 2, 3).shape)
)
print("transpose:", m.T.tolist())
print(
    "unsqueeze/squeeze:",
    tuple(a.unsqueeze(0).shape),
    tuple(a.unsqueeze(-1).shape),
    tuple(a.unsqueeze(0).squeeze().shape),
)
print("cat:", tuple(torch.cat([a, a], dim=0).shape), tuple(torch.cat([a, a], dim=1).shape))
print("stack:", tuple(torch.stack([a, a, a]).shape), "flatten:", tuple(m.flatten().shape))
print("permute:", tuple(steps.view(2, 3, 2).permute(2, 0, 1).shape))

# --- in place ----------------------------------------------------------------
z = torch.zeros(3)
z.add_(2.0)
z.mul_(torch.tensor([1.0, 2.0, 3.0]))
print("in place:", z.tolist())
z.zero_()
print("zeroed:", z.tolist())

# --- .data ---------------------------------------------------------------------
w = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
print("w.data requires grad:", w.data.requires_grad, "w requires grad:", w.requires_grad)
print("w.data.std():", f"{w.data.std().item():.4f}")
w.data *= 2
print("after w.data *= 2:", w.tolist())
w.data[0] = 0.5
print("after w.data[0] = 0.5:", w.tolist(), "still a leaf:", w.is_leaf)

# --- 0-d tensors and numbers -----------------------------------------------
s = a.sum()
print("0-d shape:", tuple(s.shape), "dim:", s.dim())
print(s)
print(f"{s}")
print(f"{s:.3f}")
print("{:+.2f}".format(s - 30))  # noqa: UP032 (str.format of a 0-d tensor is what is tested)
print(s.item(), float(s), int(s))
print(f"mean={a.mean():.4f} max={a.max():.1f}")
print("0-d compare:", (s > 20).item(), bool(s == 21))

# --- seeded random numbers: only properties that do not depend on the stream -------
torch.manual_seed(1337)
g = torch.Generator().manual_seed(2147483647)
u = torch.rand(1000, generator=g)
n = torch.randn(3, 4, generator=g)
print("rand in [0, 1):", ((u >= 0) & (u < 1)).all().item(), "shape:", tuple(n.shape), n.dtype == torch.float32)
g1 = torch.Generator().manual_seed(42)
g2 = torch.Generator().manual_seed(42)
print("same seed same numbers:", torch.equal(torch.randn(5, generator=g1), torch.randn(5, generator=g2)))
ri = torch.randint(0, 10, (100,), generator=g)
print("randint range:", ri.min().item() >= 0, ri.max().item() < 10, ri.dtype == torch.int64)
