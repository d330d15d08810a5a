"""Datasets and DataLoaders: TensorDataset, a custom Dataset, batching, drop_last, collation."""

import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset

X = torch.arange(20, dtype=torch.float32).reshape(10, 2)
y = torch.arange(10) % 3
dataset = TensorDataset(X, y)
print(len(dataset), dataset[0], dataset[-1])
loader = DataLoader(dataset, batch_size=4)
print(len(loader))
for batch, (xb, yb) in enumerate(loader):
    print(batch, xb.shape, yb.tolist())
    print(xb)

for xb, yb in DataLoader(dataset, batch_size=4, drop_last=True):
    print(xb.sum().item(), yb.shape)


class Squares(Dataset):
    def __init__(self, n):
        self.x = torch.linspace(0, 1, n)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return {"x": self.x[idx], "y": self.x[idx] ** 2, "id": idx}


ds = Squares(7)
for batch in DataLoader(ds, batch_size=3):
    print(batch["x"], batch["y"], batch["id"])

loader = DataLoader(dataset, batch_size=3, shuffle=False)
size = len(loader.dataset)
model = torch.nn.Linear(2, 1)
with torch.no_grad():
    model.weight.fill_(0.05)
    model.bias.fill_(0.0)
loss_fn = torch.nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
model.train()
for batch, (xb, yb) in enumerate(loader):
    pred = model(xb)
    loss = loss_fn(pred.squeeze(1), yb.float())
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    loss, current = loss.item(), (batch + 1) * len(xb)
    print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")

pairs = [(torch.tensor([i, i + 1.0]), i % 2) for i in range(5)]
for xb, yb in DataLoader(pairs, batch_size=2):
    print(xb, yb)
print(next(iter(DataLoader(list(range(10)), batch_size=4))))
