"""The quickstart pattern: a Dataset of small synthetic 'images', DataLoaders, a NeuralNetwork with
Flatten and Sequential, train_loop / test_loop with model.train() / model.eval(), CrossEntropyLoss, SGD."""

import math
import random

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")

labels_map = {0: "Stripe", 1: "Ring", 2: "Dot"}


def make_image(label, rng):
    """A 6x6 picture of a horizontal stripe, a ring or a central dot, with a little noise."""
    img = []
    for r in range(6):
        row = []
        for c in range(6):
            if label == 0:
                v = 1.0 if r in (2, 3) else 0.0
            elif label == 1:
                v = 1.0 if 1.5 <= math.hypot(r - 2.5, c - 2.5) <= 2.6 else 0.0
            else:
                v = 1.0 if math.hypot(r - 2.5, c - 2.5) < 1.2 else 0.0
            row.append(v + rng.uniform(-0.3, 0.3))
        img.append(row)
    return img


class ShapesDataset(Dataset):
    def __init__(self, n, seed, transform=None, target_transform=None):
        rng = random.Random(seed)
        self.labels = [i % 3 for i in range(n)]
        self.images = torch.tensor([[make_image(lab, rng)] for lab in self.labels])  # (n, 1, 6, 6)
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        image, label = self.images[idx], self.labels[idx]
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


training_data = ShapesDataset(96, seed=1)
test_data = ShapesDataset(30, seed=2)
img, label = training_data[4]
print(f"sample 4: {labels_map[label]}, image shape {tuple(img.shape)}, mean {img.mean().item():.4f}")

batch_size = 16
train_dataloader = DataLoader(training_data, batch_size=batch_size)
test_dataloader = DataLoader(test_data, batch_size=batch_size)
for X, y in test_dataloader:
    print(f"Shape of X [N, C, H, W]: {tuple(X.shape)}")
    print(f"Shape of y: {tuple(y.shape)} {y.dtype == torch.int64}")
    break

# a target_transform that one-hot encodes the label, as the tutorials' Lambda transform does
one_hot_data = ShapesDataset(
    6, seed=3, target_transform=lambda y: torch.zeros(3, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)
)
print("one-hot targets:", [one_hot_data[i][1].tolist() for i in range(3)])


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(6 * 6, 24),
            nn.ReLU(),
            nn.Linear(24, 24),
            nn.ReLU(),
            nn.Linear(24, 3),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
init_rng = random.Random(0)
with torch.no_grad():
    for p in model.parameters():
        bound = 1 / math.sqrt(p.shape[-1]) if p.dim() > 1 else 0.05
        p.copy_(torch.tensor([init_rng.uniform(-bound, bound) for _ in range(p.numel())]).reshape(p.shape))

learning_rate = 0.1
epochs = 4
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)


def train_loop(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)

        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        if batch % 2 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test_loop(dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")


for t in range(epochs):
    print(f"Epoch {t + 1}\n-------------------------------")
    train_loop(train_dataloader, model, loss_fn, optimizer)
    test_loop(test_dataloader, model, loss_fn)
print("Done!")

model.eval()
x, y = test_data[1][0], test_data[1][1]
with torch.no_grad():
    x = x.to(device)
    pred = model(x.unsqueeze(0))
    predicted, actual = labels_map[pred[0].argmax(0).item()], labels_map[y]
    print(f'Predicted: "{predicted}", Actual: "{actual}"')
