"""One-hot encodings, embedding tables, and looking up rows with integer tensors."""

import torch
import torch.nn as nn
import torch.nn.functional as F

labels = torch.tensor([0, 2, 1, 2])
print(F.one_hot(labels))
print(F.one_hot(labels, num_classes=5))
print(F.one_hot(torch.tensor([[0, 1], [2, 0]]), 3).shape)

C = torch.linspace(-1, 1, 27 * 2).reshape(27, 2)
print(C[5], C[[5, 6, 7]], C[torch.tensor([5, 6, 7, 7])])
X = torch.tensor([[0, 0, 5], [0, 5, 13]])
emb = C[X]
print(emb.shape)
print(emb.view(-1, 6))
print(F.one_hot(torch.tensor(5), num_classes=27).float() @ C)

embedding = nn.Embedding(10, 3)
with torch.no_grad():
    embedding.weight.copy_(torch.arange(30, dtype=torch.float32).reshape(10, 3) / 10)
print(embedding)
print(embedding(torch.tensor([1, 2, 4, 5])))
print(embedding(torch.tensor([[0, 2], [4, 9]])).shape)
out = embedding(torch.tensor([1, 1, 3])).sum()
out.backward()
print(embedding.weight.grad[:4])

padded = nn.Embedding(4, 2, padding_idx=0)
print(padded.weight[0], padded)
pretrained = nn.Embedding.from_pretrained(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
print(pretrained(torch.tensor([1, 0])), pretrained.weight.requires_grad)
print(F.embedding(torch.tensor([2, 0]), torch.eye(3)))
