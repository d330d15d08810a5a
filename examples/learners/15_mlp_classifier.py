"""A small MLP learning XOR-like quadrants with ReLU hidden layers and Adam."""

import torch
from torch import nn

grid = torch.linspace(-1, 1, 6)
xs, ys = torch.meshgrid(grid, grid, indexing="ij")
X = torch.stack([xs.flatten(), ys.flatten()], dim=1)
y = ((X[:, 0] * X[:, 1]) > 0).long()
print(X.shape, y.tolist())


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(2, 8),
            nn.ReLU(),
            nn.Linear(8, 8),
            nn.ReLU(),
            nn.Linear(8, 2),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork()
with torch.no_grad():
    for i, layer in enumerate(m for m in model.modules() if isinstance(m, nn.Linear)):
        n_out, n_in = layer.weight.shape
        layer.weight.copy_(torch.linspace(-0.5, 0.5, n_out * n_in).reshape(n_out, n_in).sin() * (1 + i))
        layer.bias.copy_(torch.linspace(-0.1, 0.1, n_out))
print(model)

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
for epoch in range(200):
    pred = model(X)
    loss = loss_fn(pred, y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if (epoch + 1) % 50 == 0:
        correct = (pred.argmax(1) == y).type(torch.float).sum().item()
        print(f"epoch {epoch + 1}: loss {loss.item():>7.4f}, accuracy {correct / len(y):.2f}")

model.eval()
with torch.no_grad():
    test = torch.tensor([[0.5, 0.5], [-0.5, 0.5], [0.9, -0.9], [-0.8, -0.7]])
    print(model(test).argmax(1))
    print(torch.softmax(model(test), dim=1).round(decimals=2))
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()}")
print(optimizer)
