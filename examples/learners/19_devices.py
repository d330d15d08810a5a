"""The device boilerplate of tutorials: choosing a device, moving tensors and models, and what a
machine without a GPU reports."""

import torch
from torch import nn

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")
device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"Using {device} device")
print(torch.cuda.is_available(), torch.cuda.device_count(), torch.backends.mps.is_available())
dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(dev, repr(dev), dev.type, dev.index)
print(torch.device("cpu") == torch.device("cpu"), torch.device("cuda:1"), torch.device("cuda", 0).index)

x = torch.ones(2, 3, device=device)
print(x.device, x.is_cuda, x.get_device())
x = x.to(device)
y = torch.zeros(2, 3).to(dev)
z = torch.rand(1, 2, device=dev).shape
print(y.device, z)
model = nn.Linear(3, 1).to(device)
print(next(model.parameters()).device)
print(x.cpu().numpy())
print(x.to("cpu", torch.float64).dtype, x.to(device=dev, dtype=torch.int64))
print(x.to(torch.float16).dtype, model.cpu() is model)

try:
    torch.ones(2).to("cuda")
except AssertionError as e:
    print("AssertionError:", e)
try:
    torch.ones(2).cuda()
except AssertionError as e:
    print("AssertionError:", e)
torch.set_default_device("cpu")
print(torch.get_default_device(), torch.tensor([1.0]).device)
torch.manual_seed(0)
torch.cuda.manual_seed_all(0)
print("seeded")
