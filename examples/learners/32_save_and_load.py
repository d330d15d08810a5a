"""Saving and loading: a model's state dict, a training checkpoint with the epoch and the loss,
and resuming from it."""

import os
import tempfile

import torch
import torch.nn as nn
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.fc2 = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


def fill(model, start):
    with torch.no_grad():
        for i, p in enumerate(model.parameters()):
            p.copy_(torch.linspace(start, start + 0.1 * (i + 1), p.numel()).reshape(p.shape))


net = Net()
fill(net, -0.3)
optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
print("Model's state_dict:")
for param_tensor in net.state_dict():
    print(param_tensor, "\t", net.state_dict()[param_tensor].size())
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

x = torch.linspace(-1, 1, 12).reshape(4, 3)
y = torch.tensor([[0.5], [-0.5], [1.0], [0.0]])
for _ in range(5):
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(net(x), y)
    loss.backward()
    optimizer.step()

with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "model_weights.pth")
    torch.save(net.state_dict(), path)
    model = Net()
    print(model.load_state_dict(torch.load(path, weights_only=True)))
    model.eval()
    print(torch.equal(model(x), net(x)), model(x).detach().round(decimals=4))

    checkpoint_path = os.path.join(folder, "checkpoint.tar")
    torch.save(
        {"epoch": 5, "model_state_dict": net.state_dict(), "loss": loss.item(), "tag": "first run"},
        checkpoint_path,
    )
    checkpoint = torch.load(checkpoint_path)
    resumed = Net()
    resumed.load_state_dict(checkpoint["model_state_dict"])
    print(checkpoint["epoch"], f"{checkpoint['loss']:.6f}", checkpoint["tag"], sorted(checkpoint))
    print(list(checkpoint["model_state_dict"].keys()))
    print(checkpoint["model_state_dict"]["fc2.bias"])

    tensors_path = os.path.join(folder, "tensors.pt")
    torch.save([torch.arange(3), torch.ones(2, 2, dtype=torch.float64), torch.tensor([True, False])], tensors_path)
    print(torch.load(tensors_path))

partial = {"fc1.weight": net.state_dict()["fc1.weight"]}
print(Net().load_state_dict(partial, strict=False))
try:
    Net().load_state_dict(partial)
except RuntimeError as e:
    print("RuntimeError:", str(e).splitlines()[0])
