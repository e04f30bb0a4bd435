"""A small regression network: nn.Sequential, Adam, device-agnostic code, eval mode, saving and loading."""

import os
import random
import tempfile

import torch
import torch.nn as nn
from torch import optim

device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"Using {device} device")
torch.manual_seed(42)

# data: a wiggly curve plus fixed noise
X = torch.linspace(-2, 2, 64, device=device).unsqueeze(1)
rng = random.Random(0)
noise = torch.tensor([[rng.uniform(-0.1, 0.1)] for _ in range(64)], device=device)
y = 0.5 * X**3 - X + 0.3 * torch.sin(3 * X) + noise
print("data:", tuple(X.shape), tuple(y.shape), "on", X.device.type)


def build():
    return nn.Sequential(
        nn.Linear(1, 16),
        nn.Tanh(),
        nn.Linear(16, 16),
        nn.Tanh(),
        nn.Linear(16, 1),
    )


model = build().to(device)
# overwrite the random initialisation with fixed values so the run is the same everywhere
with torch.no_grad():
    for k, p in enumerate(model.parameters()):
        values = torch.cos(torch.arange(p.numel(), dtype=torch.float32) * 0.9 + k) * 0.5
        p.copy_(values.view(p.shape))
print(model)
print("trainable parameters:", sum(p.numel() for p in model.parameters() if p.requires_grad))

loss_fn = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)
for epoch in range(300):
    model.train()
    pred = model(X)
    loss = loss_fn(pred, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 60 == 0 or epoch == 299:
        print(f"epoch {epoch:3d}  loss {loss.item():.6f}")

model.eval()
print("training flags after eval():", model.training, [m.training for m in model])
with torch.no_grad():
    X_test = torch.tensor([[-1.5], [0.0], [0.7], [1.9]], device=device)
    y_test = 0.5 * X_test**3 - X_test + 0.3 * torch.sin(3 * X_test)
    pred_test = model(X_test)
    print("predictions:", " ".join(f"{v:+.4f}" for v in pred_test.squeeze(1).tolist()))
    print("targets:    ", " ".join(f"{v:+.4f}" for v in y_test.squeeze(1).tolist()))
    print(f"test mse {loss_fn(pred_test, y_test).item():.6f}")
    print("no graph under no_grad:", pred_test.requires_grad)

# state_dict round trip
state = model.state_dict()
print("state_dict:", [(k, tuple(v.shape)) for k, v in state.items()])
restored = build()
restored.load_state_dict(state)
restored.to(device)
restored.eval()
with torch.no_grad():
    print("restored model agrees:", torch.equal(restored(X), model(X)))

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "model.pt")
    torch.save(model.state_dict(), path)
    loaded = torch.load(path)
    again = build()
    again.load_state_dict(loaded)
    print(
        "saved and loaded:",
        sorted(loaded.keys()) == sorted(state.keys()),
        all(torch.equal(loaded[k], state[k]) for k in state),
    )
    with torch.no_grad():
        print(f"loaded model loss {loss_fn(again(X), y).item():.6f}")

# optimizer state survives a round trip too
opt_state = optimizer.state_dict()
print("optimizer state entries:", len(opt_state["state"]), "lr:", opt_state["param_groups"][0]["lr"])
first = opt_state["state"][0]
print("first moment shape:", tuple(first["exp_avg"].shape), "steps:", int(first["step"]))
