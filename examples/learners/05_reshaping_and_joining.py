"""Reshaping, transposing, squeezing, joining and splitting tensors."""

import torch

x = torch.arange(12)
X = x.reshape(3, 4)
print(X)
print(x.view(4, 3), x.reshape(-1, 6), x.view(2, -1, 3).shape)
print(X.T, X.t().shape, X.transpose(0, 1).shape)
print(X.flatten(), X.reshape(-1), X.ravel())
print(X.unsqueeze(0).shape, X.unsqueeze(-1).shape, X.unsqueeze(1).squeeze(1).shape)
print(torch.zeros(1, 3, 1, 2).squeeze().shape, torch.zeros(1, 3, 1, 2).squeeze(0).shape)

Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
Xf = X.float()
print(torch.cat((Xf, Y), dim=0))
print(torch.cat((Xf, Y), dim=1))
print(torch.stack([Xf, Y]).shape, torch.stack([Xf, Y], dim=2).shape)
print(
    torch.hstack([torch.tensor([1, 2]), torch.tensor([3])]), torch.vstack([torch.tensor([1, 2]), torch.tensor([3, 4])])
)

T = torch.arange(24).reshape(2, 3, 4)
print(T.permute(2, 0, 1).shape, T.movedim(0, -1).shape, T.swapaxes(0, 2).shape)
print(T.flatten(1).shape, T.flatten(0, 1).shape, T.unflatten(2, (2, 2)).shape)
print(T.mT.shape, T.sum(dim=(0, 2)))

chunks = torch.arange(10).chunk(3)
print(chunks)
print(torch.arange(10).split(4))
print(torch.arange(10).split([2, 3, 5]))
print(X.unbind(0))
print(X.split(2, dim=1))

v = torch.tensor([1, 2, 3])
print(v.repeat(2), v.repeat(2, 2), v.tile((2,)), v.repeat_interleave(2))
print(v.expand(3, 3), v.unsqueeze(1).expand(-1, 2))
print(v.flip(0), X.flip(1), X.roll(1, dims=1))
print(X.tril(), X.triu(1), torch.diag(torch.tensor([1, 2, 3])), torch.diag(X))
print(X.diagonal(), torch.eye(3).trace())
print(X.contiguous().is_contiguous(), X.t().is_contiguous())
print(X.t().contiguous().view(-1))
print(torch.broadcast_to(v, (2, 3)))
print(torch.meshgrid(torch.arange(3), torch.arange(2), indexing="ij"))
print(torch.meshgrid(torch.arange(3), torch.arange(2), indexing="xy"))
