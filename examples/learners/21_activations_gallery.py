"""Activation functions and their derivatives on a grid, as modules and functions."""

import torch
import torch.nn as nn
import torch.nn.functional as F

x = torch.linspace(-3, 3, 7, requires_grad=True)
activations = [
    nn.ReLU(),
    nn.LeakyReLU(0.1),
    nn.Sigmoid(),
    nn.Tanh(),
    nn.Softplus(),
    nn.GELU(),
    nn.GELU(approximate="tanh"),
    nn.ELU(),
    nn.SELU(),
    nn.SiLU(),
    nn.Mish(),
    nn.ReLU6(),
    nn.Hardtanh(),
    nn.Hardsigmoid(),
    nn.Hardswish(),
    nn.LogSigmoid(),
    nn.Softsign(),
    nn.Tanhshrink(),
]
for act in activations:
    y = act(x)
    (grad,) = torch.autograd.grad(y.sum(), x)
    print(f"{act!s:32s}", y.detach().numpy().round(4), grad.numpy().round(4))

print(F.relu(x), F.leaky_relu(x, negative_slope=0.2))
print(torch.relu(x), torch.sigmoid(x), torch.tanh(x))
print(F.softplus(x, beta=2), F.elu(x, alpha=0.5), F.gelu(x))
print(nn.Softmax(dim=0)(x), nn.LogSoftmax(dim=0)(x), nn.Softmin(dim=0)(x))
print(F.softmax(torch.tensor([[1.0, 2.0], [3.0, 5.0]]), dim=1))
print(F.log_softmax(torch.tensor([[1.0, 2.0], [3.0, 5.0]]), dim=0))
print(nn.PReLU()(x))
print(nn.Threshold(0.5, -1.0)(x))
print(F.glu(torch.tensor([[1.0, 2.0, 0.5, -0.5]])))
