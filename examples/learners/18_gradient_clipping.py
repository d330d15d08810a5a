"""Gradient clipping by norm and by value, inside a training loop with a steep loss."""

import torch
from torch import nn

x = torch.linspace(-3, 3, 12).reshape(-1, 1)
y = 10 * x**2
model = nn.Sequential(nn.Linear(1, 4), nn.Tanh(), nn.Linear(4, 1))
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([[1.0], [-1.0], [0.5], [2.0]]))
    model[0].bias.copy_(torch.tensor([0.0, 0.5, -0.5, 1.0]))
    model[2].weight.copy_(torch.tensor([[1.0, 1.0, -1.0, 0.5]]))
    model[2].bias.fill_(0.0)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for step in range(6):
    loss = nn.MSELoss()(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    clipped = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
    optimizer.step()
    print(f"step {step}: loss {loss.item():.3f}  norm before {total.item():.3f}  after {clipped.item():.3f}")

w = torch.tensor([3.0, -4.0, 0.5], requires_grad=True)
(w**2).sum().backward()
print(w.grad)
torch.nn.utils.clip_grad_value_([w], clip_value=2.0)
print(w.grad)
w.grad = None
(w**3).sum().backward()
norm = torch.nn.utils.clip_grad_norm_(w, 5.0, norm_type=1)
print(norm, w.grad)
print(torch.nn.utils.parameters_to_vector(model.parameters()).shape)
