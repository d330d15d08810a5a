"""Writing your own nn.Module: parameters, sub-modules, forward, printing, state dicts."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class Polynomial3(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(0.5))
        self.b = nn.Parameter(torch.tensor(-0.5))
        self.c = nn.Parameter(torch.tensor(0.25))
        self.d = nn.Parameter(torch.tensor(0.0))

    def forward(self, x):
        return self.a + self.b * x + self.c * x**2 + self.d * x**3

    def string(self):
        return f"y = {self.a.item():.4f} + {self.b.item():.4f} x + {self.c.item():.4f} x^2 + {self.d.item():.4f} x^3"


model = Polynomial3()
print(model)
print(list(model.parameters()))
print(model.string())


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.hidden = nn.ModuleList([nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 2)])
        self.out = nn.Linear(sizes[-2], sizes[-1])
        self.register_buffer("scale", torch.tensor(2.0))

    def forward(self, x):
        for layer in self.hidden:
            x = F.relu(layer(x))
        return self.out(x) * self.scale


net = MLP([2, 4, 4, 1])
print(net)
for name, param in net.named_parameters():
    print(name, tuple(param.shape))
for name, buf in net.named_buffers():
    print("buffer", name, buf)
print([name for name, _ in net.named_children()])
print([type(m).__name__ for m in net.modules()])


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.weight, 0.1)
        nn.init.zeros_(m.bias)


net.apply(init_weights)
x = torch.tensor([[1.0, 2.0], [-1.0, 0.5]])
print(net(x))
sd = net.state_dict()
print(list(sd.keys()))
print(sd["out.weight"])
other = MLP([2, 4, 4, 1])
print(other.load_state_dict(sd))
print(torch.equal(other(x), net(x)))
print(sum(p.numel() for p in net.parameters()))
net.eval()
print(net.training, net.out.training)
net.train()
print(net.training)
net.zero_grad()
net(x).sum().backward()
print(net.out.weight.grad)
net.zero_grad()
print(net.out.weight.grad)
print(nn.Parameter(torch.ones(2, 2)))
