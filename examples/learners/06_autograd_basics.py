"""The autograd introduction: requires_grad, grad_fn, backward and .grad, as in the classic
"gradient of y = 2xᵀx" example, plus a function with Python control flow."""

import torch

x = torch.arange(4.0)
print(x)
x.requires_grad_(True)
print(x.grad)
y = 2 * torch.dot(x, x)
print(y)
print(y.grad_fn)
y.backward()
print(x.grad)
print(x.grad == 4 * x)

x.grad.zero_()
y = x.sum()
y.backward()
print(x.grad)

a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
Q = 3 * a**3 - b**2
print(Q)
external_grad = torch.tensor([1.0, 1.0])
Q.backward(gradient=external_grad)
print(9 * a**2 == a.grad)
print(-2 * b == b.grad)
print(a.grad, b.grad)

x = torch.ones(5)
y = torch.zeros(3)
w = torch.tensor(
    [[0.1, -0.2, 0.3], [0.0, 0.5, -0.1], [0.2, 0.2, 0.2], [-0.3, 0.1, 0.4], [0.05, -0.05, 0.15]], requires_grad=True
)
b = torch.tensor([0.1, -0.1, 0.0], requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")
loss.backward()
print(w.grad)
print(b.grad)
print(z.requires_grad, z.is_leaf, w.is_leaf)


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


a = torch.tensor(0.75, requires_grad=True)
d = f(a)
d.backward()
print(d, a.grad, a.grad == d / a)

x = torch.tensor(1.0, requires_grad=True)
y = x**3 + 2 * x
print(y, y.grad_fn.next_functions)
y.backward()
print(x.grad)
