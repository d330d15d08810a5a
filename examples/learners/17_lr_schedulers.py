"""Learning-rate schedules: StepLR, ExponentialLR, CosineAnnealingLR and friends, get_last_lr(),
state_dict(), and a training loop that steps one."""

import torch
from torch import nn, optim
from torch.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, StepLR

model = nn.Linear(2, 1)
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = StepLR(optimizer, step_size=3, gamma=0.5)
for epoch in range(8):
    optimizer.step()
    scheduler.step()
    print(epoch, scheduler.get_last_lr(), optimizer.param_groups[0]["lr"])
print(scheduler.state_dict())
print(optimizer)

for make in [
    lambda o: ExponentialLR(o, gamma=0.9),
    lambda o: CosineAnnealingLR(o, T_max=6, eta_min=0.001),
    lambda o: MultiStepLR(o, milestones=[2, 4], gamma=0.1),
    lambda o: LambdaLR(o, lr_lambda=lambda epoch: 1 / (epoch + 1)),
]:
    opt = optim.Adam(nn.Linear(1, 1).parameters(), lr=0.01)
    sched = make(opt)
    lrs = []
    for _ in range(7):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    print(type(sched).__name__, [f"{lr:.6f}" for lr in lrs])

x = torch.linspace(-1, 1, 16).reshape(-1, 1)
y = 3 * x - 1
net = nn.Linear(1, 1)
with torch.no_grad():
    net.weight.fill_(0.0)
    net.bias.fill_(0.0)
opt = optim.SGD(net.parameters(), lr=0.5)
sched = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
for epoch in range(10):
    loss = nn.functional.mse_loss(net(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step(loss.item())
    print(f"{epoch} loss={loss.item():.5f} lr={opt.param_groups[0]['lr']}")
