"""Softmax regression on three classes of points laid out on a grid: softmax by hand and with
nn.CrossEntropyLoss, accuracy, and the predicted probabilities."""

import torch
from torch import nn


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdims=True)
    return X_exp / partition


X = torch.tensor([[0.2, 0.8], [0.5, 0.1], [0.9, 0.9]])
X_prob = softmax(X)
print(X_prob, X_prob.sum(1))
print(torch.softmax(X, dim=1), X.softmax(dim=-1))

y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
print(y_hat[[0, 1], y])


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()


print(cross_entropy(y_hat, y))


def accuracy(y_hat, y):
    preds = y_hat.argmax(axis=1).type(y.dtype)
    compare = (preds == y.reshape(-1)).type(torch.float32)
    return compare.mean()


print(accuracy(y_hat, y))

angles = torch.linspace(0, 6.0, 30)
radius = torch.linspace(0.5, 1.5, 30)
features = torch.stack([radius * torch.cos(angles), radius * torch.sin(angles)], dim=1)
labels = (torch.arange(30) // 10).long()
print(features.shape, labels.shape, labels.bincount())

net = nn.Sequential(nn.Flatten(), nn.Linear(2, 3))
with torch.no_grad():
    net[1].weight.copy_(torch.tensor([[0.1, -0.2], [0.0, 0.3], [-0.1, 0.1]]))
    net[1].bias.zero_()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
for epoch in range(60):
    logits = net(features)
    loss = loss_fn(logits, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 15 == 14:
        acc = (logits.argmax(1) == labels).type(torch.float).sum().item() / len(labels)
        print(f"epoch {epoch + 1:3d}  loss {loss.item():.4f}  accuracy {acc:.3f}")

with torch.no_grad():
    probabilities = nn.Softmax(dim=1)(net(features[::10]))
print(probabilities)
print(probabilities.argmax(1), labels[::10])
print(nn.functional.cross_entropy(net(features), labels, reduction="none")[:5])
print(loss_fn)
