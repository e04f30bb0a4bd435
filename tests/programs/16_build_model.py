"""Building a neural network: an nn.Module with Flatten and Sequential, printing the model, walking its
layers and named parameters, and turning logits into probabilities with nn.Softmax."""

import torch
from torch import nn

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(4 * 4, 12),
            nn.ReLU(),
            nn.Linear(12, 12),
            nn.ReLU(),
            nn.Linear(12, 3),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
print(model)

# the weights come from a formula, so both libraries compute the same numbers
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        k = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
        p.copy_(0.3 * torch.sin(0.7 * k + i))

X = torch.linspace(-1, 1, 2 * 4 * 4, device=device).reshape(2, 4, 4)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")
print("probabilities:", [[round(v, 4) for v in row] for row in pred_probab.tolist()])
print("rows sum to one:", torch.allclose(pred_probab.sum(dim=1), torch.ones(2)))

# --- the layers one by one ----------------------------------------------------------
input_image = torch.linspace(0, 1, 3 * 4 * 4).reshape(3, 4, 4)
print(tuple(input_image.size()))

flatten = nn.Flatten()
flat_image = flatten(input_image)
print(tuple(flat_image.size()))

layer1 = nn.Linear(in_features=4 * 4, out_features=5)
with torch.no_grad():
    layer1.weight.copy_(torch.cos(torch.arange(80.0)).reshape(5, 16) / 4)
    layer1.bias.fill_(0.05)
hidden1 = layer1(flat_image).detach()  # (printed without its grad_fn, whose name is PyTorch's internal)
print(tuple(hidden1.size()))

print(f"Before ReLU: {hidden1}\n\n")
hidden1 = nn.ReLU()(hidden1)
print(f"After ReLU: {hidden1}")

seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(5, 3))
with torch.no_grad():
    seq_modules[3].weight.copy_(
        torch.tensor([[0.5, -0.25, 0.1, 0.0, 0.3], [-0.2, 0.4, 0.0, 0.6, -0.1], [0.1, 0.1, 0.1, 0.1, 0.1]])
    )
    seq_modules[3].bias.zero_()
logits = seq_modules(input_image)
softmax = nn.Softmax(dim=1)
pred_probab = softmax(logits)
print("softmax of the sequence:", [[round(v, 4) for v in row] for row in pred_probab.tolist()])
print("sequence length:", len(seq_modules), "last layer:", seq_modules[-1])

# --- model parameters ----------------------------------------------------------------
print(f"Model structure: {model}\n\n")
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {tuple(param.size())} | Values : {param.data[:2]} \n")

total = sum(p.numel() for p in model.parameters())
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f"parameters: {total} total, {trainable} trainable")
print("children:", [type(m).__name__ for m in model.children()])
print("modules:", [name for name, _ in model.named_modules()])
print("state_dict keys:", list(model.state_dict().keys()))
print(
    "first linear:",
    model.linear_relu_stack[0],
    "in/out:",
    model.linear_relu_stack[0].in_features,
    model.linear_relu_stack[0].out_features,
)
print("training:", model.training, "after eval():", model.eval().training)
