"""Weight initialization with model.apply and nn.init, freezing layers for fine-tuning, optimizing only
the trainable parameters, parameter groups with their own learning rates, and learning-rate schedulers."""

import math

import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(42)

model = nn.Sequential(
    nn.Linear(8, 16),
    nn.ReLU(),
    nn.Linear(16, 16),
    nn.Tanh(),
    nn.Linear(16, 2),
)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        m.bias.data.fill_(0.01)


model.apply(init_weights)
for i, m in enumerate(model):
    if isinstance(m, nn.Linear):
        bound = math.sqrt(6.0 / (m.in_features + m.out_features))
        inside = m.weight.abs().max().item() <= bound
        print(f"layer {i}: xavier bound {bound:.4f}, within: {inside}, bias {m.bias[0].item():.2f}")

# the other initializers, checked by facts that do not depend on the random stream
w = torch.empty(64, 32)
nn.init.kaiming_uniform_(w, a=math.sqrt(5))
print("kaiming_uniform bound:", f"{math.sqrt(6 / ((1 + 5) * 32)):.4f}", w.abs().max().item() <= math.sqrt(1 / 32))
nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")
print("kaiming_normal std near sqrt(2/32):", abs(w.std().item() - math.sqrt(2 / 32)) < 0.03)
nn.init.normal_(w, mean=0.0, std=0.02)
print("normal_ std near 0.02:", abs(w.std().item() - 0.02) < 0.003)
nn.init.uniform_(w, -0.1, 0.1)
print("uniform_ within bounds:", w.min().item() >= -0.1, w.max().item() <= 0.1)
nn.init.constant_(w, 0.3)
print("constant_:", w.unique().tolist())
nn.init.zeros_(w)
print("zeros_:", w.abs().sum().item())
nn.init.ones_(w)
print("ones_:", w.sum().item())
e = torch.empty(3, 5)
nn.init.eye_(e)
print("eye_:", e.sum().item(), e[0].tolist())
nn.init.trunc_normal_(w, std=0.02, a=-0.04, b=0.04)
print("trunc_normal_ within [-0.04, 0.04]:", w.abs().max().item() <= 0.04)
print("calculate_gain relu / tanh:", f"{nn.init.calculate_gain('relu'):.4f}", f"{nn.init.calculate_gain('tanh'):.4f}")

# deterministic weights for the training below
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        n = p.numel()
        p.copy_(torch.sin(torch.arange(n, dtype=torch.float32) * 1.3 + i).reshape(p.shape) / math.sqrt(p.shape[-1]))

X = torch.linspace(-1, 1, 8 * 12).reshape(12, 8)
y = torch.tensor([0, 1] * 6)
loss_fn = nn.CrossEntropyLoss()

# --- freeze the first layer ----------------------------------------------------------
for param in model[0].parameters():
    param.requires_grad = False
frozen_before = model[0].weight.clone()
trainable = [n for n, p in model.named_parameters() if p.requires_grad]
print("trainable:", trainable)
print("trainable count:", sum(p.numel() for p in model.parameters() if p.requires_grad))

optimizer = optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1, momentum=0.9)
print("optimizer holds", len(optimizer.param_groups[0]["params"]), "tensors, lr", optimizer.param_groups[0]["lr"])
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)

for epoch in range(6):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(f"epoch {epoch}: loss {loss.item():.6f}, next lr {scheduler.get_last_lr()[0]:.4f}")
print("frozen layer unchanged:", torch.equal(model[0].weight, frozen_before), "its grad:", model[0].weight.grad)

# --- unfreeze and fine-tune with per-group learning rates ----------------------------------
for param in model[0].parameters():
    param.requires_grad_(True)
optimizer = optim.Adam(
    [
        {"params": model[0].parameters(), "lr": 1e-3},
        {"params": list(model[2].parameters()) + list(model[4].parameters())},
    ],
    lr=1e-2,
)
print("group lrs:", [g["lr"] for g in optimizer.param_groups])
scheduler = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
for epoch in range(3):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(f"fine-tune {epoch}: loss {loss.item():.6f}, lrs {[round(lr, 6) for lr in scheduler.get_last_lr()]}")
print("first layer moved:", not torch.equal(model[0].weight, frozen_before))

# changing the learning rate by hand, as many training loops do
for g in optimizer.param_groups:
    g["lr"] = 5e-4
print("lr set by hand:", [g["lr"] for g in optimizer.param_groups])

# other schedulers: the learning rates they produce
opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
sched = optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.1)
lrs = []
for _ in range(5):
    opt.step()
    sched.step()
    lrs.append(round(sched.get_last_lr()[0], 6))
print("MultiStepLR:", lrs)
opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
lrs = []
for _ in range(5):
    opt.step()
    sched.step()
    lrs.append(round(opt.param_groups[0]["lr"], 6))
print("CosineAnnealingLR:", lrs)
opt = optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
sched = optim.lr_scheduler.LambdaLR(opt, lr_lambda=lambda epoch: 0.95**epoch)
for _ in range(3):
    opt.step()
    sched.step()
print("LambdaLR after 3:", f"{sched.get_last_lr()[0]:.6f}", "last_epoch:", sched.last_epoch)
