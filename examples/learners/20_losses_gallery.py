"""The loss functions of introductory chapters, as modules and functions, with each reduction,
and their gradients."""

import torch
import torch.nn as nn
import torch.nn.functional as F

pred = torch.tensor([[0.2, 1.5], [-0.7, 0.3], [2.5, -1.0]], requires_grad=True)
target = torch.tensor([[0.0, 1.0], [0.0, 0.5], [2.0, 1.0]])
for loss_fn in [nn.MSELoss(), nn.L1Loss(), nn.SmoothL1Loss(), nn.SmoothL1Loss(beta=0.5), nn.HuberLoss(delta=0.5)]:
    for reduction in ["mean", "sum"]:
        loss_fn.reduction = reduction
        loss = loss_fn(pred, target)
        (grad,) = torch.autograd.grad(loss, pred)
        print(loss_fn, reduction, loss, grad.flatten())
print(F.mse_loss(pred, target, reduction="none"))
print(F.smooth_l1_loss(pred, target, reduction="none", beta=1.0))
print(F.l1_loss(pred, target))

probabilities = torch.tensor([0.9, 0.2, 0.6, 0.4], requires_grad=True)
labels = torch.tensor([1.0, 0.0, 1.0, 0.0])
print(nn.BCELoss()(probabilities, labels), F.binary_cross_entropy(probabilities, labels, reduction="sum"))
logits = torch.tensor([2.0, -1.0, 0.5, -0.3], requires_grad=True)
print(
    nn.BCEWithLogitsLoss()(logits, labels),
    F.binary_cross_entropy_with_logits(logits, labels, pos_weight=torch.tensor(2.0)),
)

scores = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0], [2.0, 0.0, -1.0], [0.3, 0.3, 0.3]], requires_grad=True)
classes = torch.tensor([1, 2, 0, 1])
for loss_fn in [
    nn.CrossEntropyLoss(),
    nn.CrossEntropyLoss(reduction="sum"),
    nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5])),
    nn.CrossEntropyLoss(label_smoothing=0.1),
    nn.CrossEntropyLoss(ignore_index=2),
]:
    loss = loss_fn(scores, classes)
    loss.backward()
    print(loss, scores.grad[0])
    scores.grad = None
print(F.cross_entropy(scores, classes, reduction="none"))
soft = torch.tensor([[0.1, 0.8, 0.1], [0.0, 0.0, 1.0], [0.7, 0.2, 0.1], [0.3, 0.4, 0.3]])
print(F.cross_entropy(scores, soft))
log_probs = F.log_softmax(scores, dim=1)
print(nn.NLLLoss()(log_probs, classes), F.nll_loss(log_probs, classes, reduction="none"))
print(F.kl_div(log_probs, soft, reduction="batchmean"), nn.KLDivLoss(reduction="sum")(log_probs, soft))
print(F.cross_entropy(torch.tensor([0.5, 2.0, -1.0]), torch.tensor(1)))
