"""Vector-Jacobian products: backward with a gradient vector, retain_graph, accumulation,
retain_grad on intermediate values, and autograd.grad."""

import torch

inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"First call\n{inp.grad}")
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nSecond call\n{inp.grad}")
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
print(f"\nCall after zeroing gradients\n{inp.grad}")

x = torch.linspace(-2, 2, 5, requires_grad=True)
y = x * x
y.backward(gradient=torch.ones(len(y)))
print(x.grad)

x.grad = None
y = torch.relu(x)
y.backward(torch.ones_like(x), retain_graph=True)
print(x.grad)
x.grad.data.zero_()
y = torch.sigmoid(x)
y.backward(torch.ones_like(x))
print(x.grad)

w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
h = w * 3
h.retain_grad()
loss = (h**2).sum()
loss.backward()
print(h.grad, w.grad, h.is_leaf, h.retains_grad)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
(g,) = torch.autograd.grad((x**3).sum(), x)
print(g, x.grad)
u = torch.tensor(2.0, requires_grad=True)
v = torch.tensor(3.0, requires_grad=True)
gu, gv = torch.autograd.grad(u * v + u**2, [u, v])
print(gu, gv)

x = torch.tensor([0.5, 1.5], requires_grad=True)
for step in range(3):
    loss = (x**2).sum()
    loss.backward()
    print(step, x.grad)
