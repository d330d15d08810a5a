"""Keeping computations out of the graph: no_grad, detach, enable_grad, set_grad_enabled, inference_mode."""

import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
print(x.requires_grad)
with torch.no_grad():
    y = x * 2
print(y.requires_grad, y.grad_fn)

z = x * 2
print(z.requires_grad, z.grad_fn is not None)
z_det = z.detach()
print(z_det.requires_grad, z_det)

with torch.no_grad(), torch.enable_grad():
    w = x * 3
print(w.requires_grad)

torch.set_grad_enabled(False)
v = x * 4
torch.set_grad_enabled(True)
print(v.requires_grad, torch.is_grad_enabled())

with torch.inference_mode():
    u = x + 1
print(u.requires_grad)


@torch.no_grad()
def evaluate(t):
    return t**2


print(evaluate(x).requires_grad)

x = torch.arange(4.0, requires_grad=True)
y = x * x
u = y.detach()
z = u * x
z.sum().backward()
print(x.grad == u, x.grad)

a = torch.tensor([2.0, 3.0], requires_grad=True)
b = a.detach().clone()
b += 1
print(a, b)
print(a.data, a.detach().numpy())

params = [torch.tensor([0.5], requires_grad=True), torch.tensor([-1.0], requires_grad=True)]
for p in params:
    p.requires_grad = False
print([p.requires_grad for p in params])
