"""BatchNorm1d and LayerNorm: statistics in training, running averages, evaluation mode."""

import torch
import torch.nn as nn

x = torch.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 0.0], [0.0, 0.0, 6.0], [3.0, 2.0, 1.0]])
bn = nn.BatchNorm1d(3)
print(bn)
print(bn.running_mean, bn.running_var, bn.num_batches_tracked)
y = bn(x)
print(y)
print(y.mean(dim=0).abs().max() < 1e-6, y.std(dim=0, unbiased=False))
print(bn.running_mean, bn.running_var, bn.num_batches_tracked)
bn.eval()
print(bn(x))
print(list(bn.state_dict().keys()))

ln = nn.LayerNorm(3)
print(ln)
out = ln(x)
print(out)
print(out.mean(dim=1).abs().max() < 1e-6)
loss = (out * torch.arange(3.0)).sum()
loss.backward()
print(ln.weight.grad, ln.bias.grad)

hpreact = x @ torch.tensor([[0.5, -0.5], [1.0, 0.2], [-0.3, 0.8]])
bnmeani = hpreact.mean(0, keepdim=True)
bnstdi = hpreact.std(0, keepdim=True)
hpreact = (hpreact - bnmeani) / bnstdi
print(bnmeani, bnstdi, hpreact)
bnmean_running = torch.zeros((1, 2))
bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
print(bnmean_running)
print(nn.functional.layer_norm(x, (3,)), nn.functional.batch_norm(x, torch.zeros(3), torch.ones(3)))
