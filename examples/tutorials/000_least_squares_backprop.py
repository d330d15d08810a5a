"""Backpropagation on an ordinary least squares model (tutorial 000).

One feature x, one target y and one weight w: the forward pass computes ŷ = w·x and the loss
(ŷ − y)²; backward fills w.grad with ∂loss/∂w; one gradient-descent step with learning rate 0.01
moves w from 1 to 1.02.

Run it with ``python examples/tutorials/000_least_squares_backprop.py`` (with the project installed: ``pip install -e .``).
"""

import engine as torch

x = torch.tensor(1.0)
y = torch.tensor(2.0)

# The parameter we want to optimise.
w = torch.tensor(1.0, requires_grad=True)

# Forward pass: the prediction and the squared error.
y_hat = w * x
loss = (y_hat - y) ** 2
print(loss)

# Backward pass: ∂loss/∂w = 2·(w·x − y)·x = −2.
loss.backward()
print(w.grad)

# Update the weight outside the graph, then reset the gradient for the next step.
learning_rate = 0.01
with torch.no_grad():
    w -= learning_rate * w.grad
print(w)
print(w.grad)
w.grad.zero_()
print(w.grad)
