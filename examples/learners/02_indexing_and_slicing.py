"""Indexing, slicing, masks and fancy indexing, reading and writing."""

import torch

x = torch.arange(12).reshape(3, 4)
print(x)
print("First row:", x[0])
print("First column:", x[:, 0])
print("Last column:", x[..., -1])
print("Corner:", x[1:, 2:])
print("Every other:", x[:, ::2])
print("Element:", x[1, 2], x[1, 2].item())
print("Rows 0 and 2:", x[[0, 2]])
print("Pairs:", x[[0, 1, 2], [3, 2, 1]])
print("With a tensor index:", x[torch.tensor([2, 0])])
print("New axis:", x[None].shape, x[:, None].shape, x[..., None].shape)

mask = x > 5
print(mask)
print(x[mask])
print(x[x % 2 == 0])

y = x.clone()
y[1, 2] = 100
y[:, 0] = -1
y[y > 50] = 0
print(y)

z = torch.zeros(3, 4)
z[:2, :] = 12
z[2] = torch.tensor([1.0, 2.0, 3.0, 4.0])
print(z)

t = torch.ones(4, 4)
t[:, 1] = 0
print(t)

probs = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
labels = torch.tensor([0, 2])
print(probs[[0, 1], labels])
print(probs[range(len(probs)), labels])
print(probs[torch.arange(2), labels])
print(probs[list(range(len(probs))), labels].log())

print(torch.where(x > 5, x, torch.zeros_like(x)))
print(torch.where(x > 5))
print(x.gather(1, torch.tensor([[0], [1], [3]])))
print(x.index_select(0, torch.tensor([2, 2, 0])))
print(x.masked_fill(x < 3, -1))
print(x.take(torch.tensor([0, 5, 11])))
print(x.nonzero()[:3])
print(x.narrow(1, 1, 2))
