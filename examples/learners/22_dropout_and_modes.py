"""Dropout and the train/eval modes: what changes in evaluation, and what holds in training."""

import torch
from torch import nn


def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    if dropout == 1:
        return torch.zeros_like(X)
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print("dropout_p = 0:", dropout_layer(X, 0))
print("dropout_p = 1:", dropout_layer(X, 1))
kept = dropout_layer(X, 0.5)
print(set(((kept == 0) | (kept == 2 * X)).flatten().tolist()))

net = nn.Sequential(nn.Flatten(), nn.Linear(8, 4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 2))
print(net)
with torch.no_grad():
    net[1].weight.copy_(torch.linspace(-1, 1, 32).reshape(4, 8))
    net[1].bias.zero_()
    net[4].weight.copy_(torch.linspace(0.5, -0.5, 8).reshape(2, 4))
    net[4].bias.fill_(0.1)
print(net.training, net[3].training)
net.eval()
print(net.training, net[3].training)
print(net(X))
print(torch.equal(net(X), net(X)))
net.train()
out = net(X)
print(out.shape, out.requires_grad)

drop = nn.Dropout(p=0.25)
x = torch.ones(4, 1000)
y = drop(x)
print(set(y.unique().tolist()), y.shape)
drop.eval()
print(drop(x) is x)
print(nn.functional.dropout(x, p=0.5, training=False) is x)
print(nn.Dropout(p=0.0)(x).sum().item())
for module in net.modules():
    print(type(module).__name__, module.training)
