"""Linear regression the concise way: nn.Linear, nn.MSELoss and optim.SGD over a DataLoader."""

import torch
from torch import nn
from torch.utils import data

true_w = torch.tensor([2.0, -3.4])
true_b = 4.2
features = torch.stack([torch.linspace(-2, 2, 32), torch.cos(torch.linspace(0, 3, 32))], dim=1)
labels = (features @ true_w + true_b).reshape(-1, 1)


def load_array(data_arrays, batch_size, is_train=True):
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


data_iter = load_array((features, labels), batch_size=8, is_train=False)
print(next(iter(data_iter)))

net = nn.Sequential(nn.Linear(2, 1))
net[0].weight.data.fill_(0.1)
net[0].bias.data.fill_(0)
print(net)
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
print(trainer)

num_epochs = 30
for epoch in range(num_epochs):
    for X, y in data_iter:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    if (epoch + 1) % 5 == 0:
        print(f"epoch {epoch + 1}, loss {l:.6f}")

w = net[0].weight.data
print("error in estimating w:", (true_w - w.reshape(true_w.shape)).abs().max() < 0.05)
b = net[0].bias.data
print("error in estimating b:", (true_b - b).abs().item() < 0.05)
for name, param in net.named_parameters():
    print(name, param.shape, param.requires_grad)
print(list(net.state_dict().keys()))
print(w.round(decimals=2), b.round(decimals=2))
