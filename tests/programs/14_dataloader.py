"""Mini-batch training with torch.utils.data: a custom Dataset, TensorDataset, DataLoader, random_split."""

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split

torch.manual_seed(0)
torch.backends.cudnn.deterministic = True
torch.backends.cudnn.benchmark = False
device = "mps" if torch.backends.mps.is_available() else "cpu"
print("device:", device)


class Spirals(Dataset):
    """Two interleaved spirals, computed (not drawn at random) so every run sees the same points."""

    def __init__(self, n_per_class):
        t = torch.linspace(0.25, 3.0, n_per_class)
        arms = []
        for label in range(2):
            angle = 2.5 * t + label * torch.pi
            arms.append(torch.stack([t * torch.cos(angle), t * torch.sin(angle)], dim=1))
        self.points = torch.vstack(arms)
        self.labels = [0] * n_per_class + [1] * n_per_class

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.points[i], self.labels[i]


data = Spirals(40)
print("dataset size:", len(data), "first sample:", [round(v, 4) for v in data[0][0].tolist()], data[0][1])

# a custom Dataset batches through the default collate: a float tensor and an int64 label tensor
loader = DataLoader(data, batch_size=16, shuffle=False)
print("batches per epoch:", len(loader))
xb, yb = next(iter(loader))
print("first batch:", tuple(xb.shape), xb.dtype == torch.float32, tuple(yb.shape), yb.dtype == torch.int64)
print(f"first batch sums: {xb.sum().item():.4f} {yb.sum().item()}")

# shuffling changes the order, not the contents: the sums over an epoch stay the same
shuffled = DataLoader(data, batch_size=16, shuffle=True)
total_x, total_y, sizes = 0.0, 0, []
for xb, yb in shuffled:
    total_x += xb.pow(2).sum().item()
    total_y += yb.sum().item()
    sizes.append(len(yb))
print(f"shuffled epoch: sizes {sizes}, sums {total_x:.4f} {total_y}")

# random_split: lengths and a seeded generator
train_set, val_set = random_split(data, [60, 20], generator=torch.Generator().manual_seed(1))
print("split sizes:", len(train_set), len(val_set))
print("split covers the data once:", sorted(train_set.indices + val_set.indices) == list(range(len(data))))

# features with a TensorDataset: the points, their radius and angle features side by side
radius = torch.linalg.norm(data.points, dim=1, keepdim=True)
angle = torch.atan2(data.points[:, 1:], data.points[:, :1])
features = torch.hstack([data.points, radius, torch.sin(angle), torch.cos(angle)])
labels = torch.tensor(data.labels)
print("features:", tuple(features.shape), f"mean radius {radius.mean().item():.4f}")
train = TensorDataset(features, labels)
train_loader = DataLoader(train, batch_size=20, shuffle=False, drop_last=True)

model = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 2)).to(device)
with torch.no_grad():  # fixed weights, so the run is the same everywhere
    for k, p in enumerate(model.parameters()):
        p.copy_(torch.sin(torch.arange(p.numel(), dtype=torch.float32) * 1.3 + k).view(p.shape) * 0.4)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for epoch in range(30):
    model.train()
    epoch_loss, seen = 0.0, 0
    for xb, yb in train_loader:
        xb, yb = xb.to(device), yb.to(device)
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * len(yb)
        seen += len(yb)
    if epoch % 10 == 0 or epoch == 29:
        print(f"epoch {epoch:2d}  loss {epoch_loss / seen:.5f}  samples {seen}")

model.eval()
with torch.inference_mode():
    logits = model(features)
    accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    probs = logits.softmax(dim=1)
print(f"accuracy {accuracy:.4f}")
print("probabilities sum to one:", torch.allclose(probs.sum(dim=1), torch.ones(len(labels))))
torch.testing.assert_close(probs.sum(dim=1), torch.ones(len(labels)))
print("inference result requires grad:", logits.requires_grad)
print("median confidence:", f"{probs.max(dim=1).values.median().item():.4f}")
