"""The reference computations of micrograd's tests, in double precision: expressions of two
scalars, their values and their gradients."""

import torch

x = torch.Tensor([-4.0]).double()
x.requires_grad = True
z = 2 * x + 2 + x
q = z.relu() + z * x
h = (z * z).relu()
y = h + q + q * x
y.backward()
print(y.data.item(), x.grad.item())
print(x, y)

a = torch.Tensor([-4.0]).double()
b = torch.Tensor([2.0]).double()
a.requires_grad = True
b.requires_grad = True
c = a + b
d = a * b + b**3
c = c + c + 1
c = c + 1 + c + (-a)
d = d + d * 2 + (b + a).relu()
d = d + 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g = g + 10.0 / f
g.backward()
print(f"{g.data.item():.6f}")
print(f"{a.grad.item():.6f}")
print(f"{b.grad.item():.6f}")
print(g.grad_fn.name(), g.dtype, a.grad.dtype)

x1 = torch.Tensor([2.0]).double().requires_grad_()
x2 = torch.Tensor([0.0]).double().requires_grad_()
w1 = torch.Tensor([-3.0]).double().requires_grad_()
w2 = torch.Tensor([1.0]).double().requires_grad_()
b = torch.Tensor([6.8813735870195432]).double().requires_grad_()
n = x1 * w1 + x2 * w2 + b
o = torch.tanh(n)
print(o.data.item())
o.backward()
print("---")
print("x2", x2.grad.item())
print("w2", w2.grad.item())
print("x1", x1.grad.item())
print("w1", w1.grad.item())
print(torch.Tensor([[1, 2], [3, 4]]), torch.Tensor(2, 3).shape, torch.Tensor([1, 2]).dtype)
