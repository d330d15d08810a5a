"""The NumPy bridge: numpy(), from_numpy(), shared memory, tolist(), item() and conversions."""

import numpy as np
import torch

t = torch.ones(5)
print(f"t: {t}")
n = t.numpy()
print(f"n: {n}")
t.add_(1)
print(f"t: {t}")
print(f"n: {n}")

n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")

A = np.arange(6.0).reshape(2, 3)
B = torch.from_numpy(A)
print(type(A), type(B), B.dtype)
C = torch.tensor(A)
A[0, 0] = 100
print(B[0, 0].item(), C[0, 0].item())
print(torch.as_tensor(A) is not None, torch.as_tensor([1, 2]).dtype)

a = torch.tensor([3.5])
print(a, a.item(), float(a), int(a))
agg = torch.arange(4.0).sum()
agg_item = agg.item()
print(agg_item, type(agg_item))
print(torch.tensor([[1, 2], [3, 4]]).tolist(), torch.tensor(7).tolist())
print(torch.tensor(np.float32(2.5)), torch.tensor(np.array([1, 2], dtype=np.int32)))
print(np.asarray(torch.tensor([1.0, 2.0])), np.array(torch.arange(3)))
x = torch.tensor([1.0, 2.0], requires_grad=True)
print(x.detach().numpy(), (x * 2).detach().cpu().numpy())
try:
    x.numpy()
except RuntimeError as e:
    print("RuntimeError:", e)
print(torch.from_numpy(np.array([True, False])), torch.from_numpy(np.zeros((2, 2), dtype=np.float16)))
print(np.float64(2.0) * torch.tensor([1.0, 2.0]), torch.tensor([1.0]) + np.float32(1.5))
