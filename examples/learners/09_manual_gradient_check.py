"""Checking autograd against finite differences, in double precision, for a few functions."""

import torch

torch.set_default_dtype(torch.float64)


def numeric_gradient(f, x, eps=1e-6):
    grad = torch.zeros_like(x)
    flat = x.detach().clone().reshape(-1)
    for i in range(flat.numel()):
        plus = flat.clone()
        plus[i] += eps
        minus = flat.clone()
        minus[i] -= eps
        grad.view(-1)[i] = (f(plus.view_as(x)) - f(minus.view_as(x))) / (2 * eps)
    return grad


functions = {
    "sum of squares": lambda x: (x**2).sum(),
    "tanh network": lambda x: torch.tanh(x @ torch.tensor([[0.5, -1.0], [1.5, 0.25]])).sum(),
    "log-sum-exp": lambda x: torch.logsumexp(x, dim=0).sum(),
    "softmax entropy": lambda x: -(torch.softmax(x, dim=-1) * torch.log_softmax(x, dim=-1)).sum(),
    "product": lambda x: x.prod(),
    "norm": lambda x: x.norm(),
}

x0 = torch.tensor([[0.3, -1.2], [2.0, 0.7]])
for name, f in functions.items():
    x = x0.clone().requires_grad_(True)
    f(x).backward()
    numeric = numeric_gradient(f, x0)
    error = (x.grad - numeric).abs().max().item()
    print(f"{name:16s} analytic {[round(v, 10) for v in x.grad.flatten().tolist()]}")
    print(f"{'':16s} agrees: {error < 1e-6}  {torch.allclose(x.grad, numeric, atol=1e-6)}")

x = torch.tensor([0.5, -0.25, 1.5], requires_grad=True)
print(torch.autograd.gradcheck(lambda t: (t.sin() * t.exp()).sum(), (x,)))
print(torch.get_default_dtype(), torch.tensor([1.0]).dtype)
