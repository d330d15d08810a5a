"""Tensors from scratch: making them, their attributes, and how each dtype prints.

In the style of the first chapter of most PyTorch courses ("Tensors"): data, shape, dtype, device.
"""

import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
print(x_data)
print(f"Shape: {x_data.shape}, dtype: {x_data.dtype}, device: {x_data.device}")

x_np = torch.from_numpy(np.array(data))
print(x_np)

x_ones = torch.ones_like(x_data)
print(f"Ones Tensor: \n {x_ones} \n")
x_float = torch.zeros_like(x_data, dtype=torch.float)
print(f"Zeros Tensor: \n {x_float} \n")

shape = (2, 3)
print(torch.ones(shape))
print(torch.zeros(shape))
print(torch.full(shape, 7))
print(torch.full(shape, 0.5))
print(torch.empty(2, 3).shape)
print(torch.eye(3))
print(torch.arange(10))
print(torch.arange(1, 4, 0.5))
print(torch.linspace(-1, 1, 5))
print(torch.linspace(0, 1, steps=11))

x = torch.arange(12, dtype=torch.float32).reshape(3, 4)
print(x)
print(x.ndim, x.dim(), x.numel(), x.size(), x.size(1), len(x))
print(x.shape[0], x.shape[-1], tuple(x.shape))
print(type(x), type(x.shape), x.type())

for dtype in [
    torch.float16,
    torch.float32,
    torch.float64,
    torch.int8,
    torch.int16,
    torch.int32,
    torch.int64,
    torch.uint8,
    torch.bool,
]:
    t = torch.tensor([0, 1, 2], dtype=dtype)
    print(dtype, t, t.dtype.is_floating_point, t.element_size())

print(torch.tensor(3.5), torch.tensor(3), torch.tensor(True), torch.tensor([]))
print(torch.tensor([[1.5, 2.0], [3.25, -4.0]], dtype=torch.float64))
print(torch.tensor(2.5).item(), torch.tensor([7]).item(), float(torch.tensor(2.5)), int(torch.tensor(7.9)))
print(torch.tensor([1, 2, 3]).tolist(), torch.tensor([[1.5], [2.5]]).tolist())
print(x.float().dtype, x.long().dtype, x.double().dtype, x.int().dtype, x.bool().dtype, x.half().dtype)
print(x.to(torch.int64))
print(torch.is_tensor(x), torch.is_floating_point(x), torch.numel(x))
print(torch.get_default_dtype())
