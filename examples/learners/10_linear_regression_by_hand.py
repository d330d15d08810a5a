"""Linear regression from scratch: a model, a squared loss and minibatch gradient descent written
by hand, on data generated from y = Xw + b without noise."""

import torch

true_w = torch.tensor([2.0, -3.4])
true_b = 4.2
X = torch.stack([torch.linspace(-1, 1, 20), torch.linspace(0.5, -0.5, 20) ** 2], dim=1)
y = X @ true_w + true_b
y = y.reshape((-1, 1))
print("features:", X[0], "\nlabel:", y[0])


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


w = torch.zeros(size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


lr = 0.1
num_epochs = 40
batch_size = 5
for epoch in range(num_epochs):
    for Xb, yb in data_iter(batch_size, X, y):
        l = squared_loss(linreg(Xb, w, b), yb)
        l.sum().backward()
        sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = squared_loss(linreg(X, w, b), y)
        if (epoch + 1) % 5 == 0:
            print(f"epoch {epoch + 1}, loss {float(train_l.mean()):.6f}")

print(f"error in estimating w: {true_w - w.reshape(true_w.shape)}")
print(f"error in estimating b: {true_b - b}")
print(w.detach().flatten(), b.detach())
