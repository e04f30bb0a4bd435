"""The tensors tutorial: making tensors from data, from NumPy and from other tensors; attributes;
indexing, joining, arithmetic, single-element tensors, in-place ops and the bridge with NumPy."""

import numpy as np
import torch

# --- initializing a tensor -----------------------------------------------------
data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
print("x_data:", x_data.tolist(), x_data.dtype == torch.int64)

np_array = np.array(data)
x_np = torch.from_numpy(np_array)
print("x_np:", x_np.tolist(), "is tensor:", torch.is_tensor(x_np), torch.is_tensor(np_array))

x_ones = torch.ones_like(x_data)  # keeps the properties of x_data
print(f"Ones Tensor: \n {x_ones} \n")

x_rand = torch.rand_like(x_data, dtype=torch.float)  # overrides the datatype of x_data
print("rand_like:", tuple(x_rand.shape), x_rand.dtype == torch.float32)
print("in [0, 1):", bool(((x_rand >= 0) & (x_rand < 1)).all()))

shape = (2, 3)
rand_tensor = torch.rand(shape)
ones_tensor = torch.ones(shape)
zeros_tensor = torch.zeros(shape)
print(f"Random Tensor shape: {tuple(rand_tensor.shape)}")
print(f"Ones Tensor: \n {ones_tensor} \n")
print(f"Zeros Tensor: \n {zeros_tensor}")
print(
    "zeros_like / full_like / empty:",
    torch.zeros_like(ones_tensor).sum().item(),
    torch.full_like(ones_tensor, 2.5).sum().item(),
    tuple(torch.empty(3, 2).shape),
)

# --- attributes of a tensor ----------------------------------------------------
tensor = torch.rand(3, 4)
print(f"Shape of tensor: {tuple(tensor.shape)}")
print(f"Datatype is float32: {tensor.dtype == torch.float32}")
print(f"Device tensor is stored on: {tensor.device}")
print("device type:", tensor.device.type, "is cpu:", tensor.device == torch.device("cpu"))
if torch.cuda.is_available():
    tensor = tensor.to("cuda")
print("cuda available:", torch.cuda.is_available())

# --- indexing and slicing ------------------------------------------------------
tensor = torch.ones(4, 4)
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
print(tensor)

# --- joining tensors -------------------------------------------------------------
t1 = torch.cat([tensor, tensor, tensor], dim=1)
print(t1)
print("cat dim 0:", tuple(torch.cat([tensor, tensor]).shape), "stack:", tuple(torch.stack([tensor, tensor]).shape))

# --- arithmetic ------------------------------------------------------------------
tensor = torch.arange(16, dtype=torch.float32).reshape(4, 4) / 4
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
torch.matmul(tensor, tensor.T, out=y3)
print("matrix products agree:", torch.equal(y1, y2), torch.equal(y1, y3))
print(y1)

z1 = tensor * tensor
z2 = tensor.mul(tensor)
z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)
print("element-wise products agree:", torch.equal(z1, z2), torch.equal(z1, z3))
print(z1)

# --- single-element tensors ------------------------------------------------------
agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))
print("max:", tensor.max().item(), "argmax:", tensor.argmax().item(), "mean:", tensor.mean().item())

# --- in-place operations -----------------------------------------------------------
print(f"{tensor} \n")
tensor.add_(5)
print(tensor)
tensor.mul_(2).sub_(1)
print("after mul_(2).sub_(1):", tensor[0].tolist())
tensor.clamp_(max=10).div_(2)
print("after clamp_(max=10).div_(2):", tensor[:, 3].tolist())
tensor.copy_(torch.zeros(4, 4)).fill_(3)
print("after copy_ and fill_:", tensor.sum().item())

# --- bridge with NumPy ---------------------------------------------------------------
t = torch.ones(5)
print(f"t: {t}")
n = t.numpy()
print(f"n: {n}")
t.add_(1)
print(f"t: {t}")
print(f"n: {n}")

n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")
print("from float64 array:", t.dtype == torch.float64)
print("as_tensor shares:", torch.as_tensor(n).numpy() is not None, torch.tensor(n).dtype == torch.float64)
