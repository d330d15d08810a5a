"""Elementwise arithmetic, broadcasting, in-place operations and type promotion."""

import torch

x = torch.tensor([1.0, 2, 4, 8])
y = torch.tensor([2, 2, 2, 2])
print(x + y, x - y, x * y, x / y, x**y)
print(torch.exp(x))
print(torch.add(x, y), torch.sub(x, y, alpha=2), torch.mul(x, 3), torch.div(x, 4))
print(torch.pow(x, 2), torch.pow(2, y), torch.sqrt(x), torch.abs(-x))
print(x // 3, x % 3, -x, 1 / x)

a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
print(a, b, sep="\n")
print(a + b)
print(a * b)

m = torch.arange(6, dtype=torch.float32).reshape(2, 3)
print(m + torch.tensor([10.0, 20.0, 30.0]))
print(m - m.mean(dim=0))
print(m / m.sum(dim=1, keepdim=True))

before = id(m)
m += 1
print(id(m) == before, m)
m.mul_(2)
print(m)
m.add_(torch.ones(3), alpha=0.5)
print(m)
m.clamp_(min=4, max=10)
print(m)

i = torch.tensor([1, 2, 3])
f = torch.tensor([0.5, 0.5, 0.5])
print((i + f).dtype, (i * 2).dtype, (i / 2).dtype, (i * 2.5).dtype, (i + True).dtype)
print(i / 2, i // 2, i * 2.5)
print(torch.tensor(3.0) * torch.tensor([1, 2]), torch.tensor([1, 2], dtype=torch.float64) + 1.5)

print(torch.maximum(x, torch.tensor([3.0, 3.0, 3.0, 3.0])), torch.minimum(x, torch.tensor(3.0)))
print(torch.clamp(x, 2, 5), x.clip(max=3))
print(
    torch.sign(torch.tensor([-2.0, 0.0, 3.0])),
    torch.floor(torch.tensor([1.7, -1.2])),
    torch.ceil(torch.tensor([1.2, -1.7])),
)
print(torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5])), torch.round(torch.tensor([1.2345, 6.789]), decimals=2))
print(torch.log(x), torch.log2(x), torch.log10(x), torch.log1p(x))
print(torch.sin(x), torch.cos(x), torch.tanh(x), torch.sigmoid(x))
print(torch.outer(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 10.0, 100.0])))
