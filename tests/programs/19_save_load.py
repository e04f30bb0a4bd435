"""Saving and loading: state_dict to a file and back, load_state_dict with weights_only, whole-model saving,
and a training checkpoint holding the epoch, the model and optimizer state_dicts and the loss."""

import os
import tempfile

import torch
import torch.nn as nn
import torch.optim as optim


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.fc2 = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


def set_weights(model, phase):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(0.5 * torch.cos(torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape) + phase + i))


X = torch.linspace(-1, 1, 15).reshape(5, 3)
Y = torch.stack([X.sum(1), X[:, 0] * X[:, 2]], dim=1)

model = TinyNet()
set_weights(model, 0.0)
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", tuple(model.state_dict()[param_tensor].size()))

loss_fn = nn.MSELoss()
for epoch in range(3):
    optimizer.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    optimizer.step()
    print(f"epoch {epoch}: loss {loss.item():.6f}")

print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

with tempfile.TemporaryDirectory() as tmp:
    # --- the state_dict only (recommended) ------------------------------------------------
    path = os.path.join(tmp, "model_weights.pth")
    torch.save(model.state_dict(), path)
    model2 = TinyNet()
    set_weights(model2, 1.0)
    print("before loading, outputs agree:", torch.allclose(model(X), model2(X)))
    result = model2.load_state_dict(torch.load(path, weights_only=True))
    model2.eval()
    print("load result:", list(result.missing_keys), list(result.unexpected_keys))
    print("after loading, outputs agree:", torch.equal(model(X), model2(X)))
    print("loaded weights are copies:", model2.fc1.weight is not model.fc1.weight)

    # strict=False tolerates missing keys and reports them
    partial = {k: v for k, v in model.state_dict().items() if k.startswith("fc1")}
    model3 = TinyNet()
    result = model3.load_state_dict(partial, strict=False)
    print("partial load, missing:", sorted(result.missing_keys), "unexpected:", list(result.unexpected_keys))
    try:
        TinyNet().load_state_dict(partial)
    except RuntimeError:
        print("strict load of a partial state_dict: RuntimeError")

    # --- plain tensors and containers --------------------------------------------------------
    tpath = os.path.join(tmp, "tensors.pt")
    torch.save({"x": X, "ids": torch.arange(4), "note": "hello", "shape": [5, 3]}, tpath)
    back = torch.load(tpath)
    print("tensors back:", torch.equal(back["x"], X), back["ids"].tolist(), back["note"], back["shape"])
    print("dtypes kept:", back["x"].dtype == torch.float32, back["ids"].dtype == torch.int64)

    # --- a general checkpoint for resuming training --------------------------------------------
    ckpt = os.path.join(tmp, "checkpoint.tar")
    torch.save(
        {
            "epoch": 3,
            "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(),
            "loss": loss.item(),
        },
        ckpt,
    )
    resumed = TinyNet()
    resumed_opt = optim.SGD(resumed.parameters(), lr=0.5, momentum=0.0)
    checkpoint = torch.load(ckpt, weights_only=True)
    resumed.load_state_dict(checkpoint["model_state_dict"])
    resumed_opt.load_state_dict(checkpoint["optimizer_state_dict"])
    epoch = checkpoint["epoch"]
    print(f"resumed at epoch {epoch}, loss {checkpoint['loss']:.6f}")
    print(
        "optimizer hyperparameters restored:",
        resumed_opt.param_groups[0]["lr"],
        resumed_opt.param_groups[0]["momentum"],
    )
    resumed.train()

    # training the original and the resumed model one more step gives the same weights (momentum buffers too)
    for m, opt in ((model, optimizer), (resumed, resumed_opt)):
        opt.zero_grad()
        loss_fn(m(X), Y).backward()
        opt.step()
    print("one more step agrees:", all(torch.allclose(a, b) for a, b in zip(model.parameters(), resumed.parameters())))
    print(f"loss after resuming: {loss_fn(resumed(X), Y).item():.6f}")
