"""The optimizers on one quadratic bowl: SGD (plain, momentum, Nesterov, weight decay), Adam, AdamW,
RMSprop and Adagrad; their printed settings and their state."""

import torch
from torch import optim


def bowl(w):
    return (w[0] - 1.0) ** 2 + 10 * (w[1] + 0.5) ** 2


settings = [
    (optim.SGD, dict(lr=0.05)),
    (optim.SGD, dict(lr=0.05, momentum=0.9)),
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (optim.SGD, dict(lr=0.05, weight_decay=0.1)),
    (optim.Adam, dict(lr=0.1)),
    (optim.Adam, dict(lr=0.1, betas=(0.8, 0.99), amsgrad=True)),
    (optim.AdamW, dict(lr=0.1, weight_decay=0.05)),
    (optim.RMSprop, dict(lr=0.01)),
    (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    (optim.Adagrad, dict(lr=0.5)),
]
for cls, kwargs in settings:
    w = torch.tensor([-1.0, 1.0], requires_grad=True)
    opt = cls([w], **kwargs)
    for _step in range(25):
        opt.zero_grad()
        loss = bowl(w)
        loss.backward()
        opt.step()
    print(f"{cls.__name__:8s} {kwargs}: w = {[round(v, 4) for v in w.tolist()]}, loss {bowl(w).item():.5f}")

w = torch.tensor([-1.0, 1.0], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)
opt = optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.001}], lr=0.1, momentum=0.9)
print(opt)
bowl(w).backward()
b.sum().backward()
opt.step()
print(opt.state_dict()["param_groups"])
print(sorted(opt.state_dict()["state"][0].keys()))
opt.zero_grad()
print(w.grad, b.grad)
adam = optim.Adam([w], lr=0.01)
bowl(w).backward()
adam.step()
state = adam.state[w]
print(sorted(state.keys()), state["step"], state["exp_avg"], state["exp_avg_sq"])
print(adam.defaults["betas"], adam.param_groups[0]["lr"])
adam.param_groups[0]["lr"] = 0.5
print(adam)
