"""Automatic differentiation for a one-layer linear model (tutorial 002).

Four points on y = 2x + 1, a weight W and a bias b starting at zero: one forward pass, the mean
squared error, backward, a manual gradient-descent step; then the same training written with
``optim.SGD`` for 200 epochs.

Run it with ``python examples/tutorials/002_linear_regression.py`` (with the project installed: ``pip install -e .``).
"""

import engine as torch
import engine.optim as optim

X = torch.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=torch.float32)
y = torch.tensor([[3.0], [5.0], [7.0], [9.0]], dtype=torch.float32)

W = torch.tensor([[0.0]], requires_grad=True, dtype=torch.float32)
b = torch.tensor([[0.0]], requires_grad=True, dtype=torch.float32)


# Run a single forward pass.
def forward(X, W, b):
    return X @ W + b


y_pred = forward(X, W, b)
print(y_pred)

# Calculate the loss.
loss = torch.mean((y_pred - y) ** 2)
print(loss)

# The gradient functions.
print(f"Gradient Function for Prediction: {y_pred.grad_fn}")
print(f"Gradient Function for Loss: {loss.grad_fn}")

# Propagate the loss backwards.
loss.backward()
print(f"Gradient for W: {W.grad}")
print(f"Gradient for b: {b.grad}")

# Update the parameters manually using the gradients.
learning_rate = 0.001

with torch.no_grad():
    W -= learning_rate * W.grad
    b -= learning_rate * b.grad

print(f"Current value of W: {W.detach().item()}")
print(f"Current value of b: {b.detach().item()}")

# Reset the gradients for the next training step.
W.grad = None
b.grad = None


# Putting it all together.
def forward(X, W, b):
    return X @ W + b


def loss_fn(y_pred, y_true):
    return torch.mean((y_pred - y_true) ** 2)


learning_rate = 0.001
num_epochs = 200
print_every = 20

X = torch.tensor([[1.0], [2.0], [3.0], [4.0]], dtype=torch.float32)
y = torch.tensor([[3.0], [5.0], [7.0], [9.0]], dtype=torch.float32)

W = torch.tensor([[0.0]], requires_grad=True, dtype=torch.float32)
b = torch.tensor([[0.0]], requires_grad=True, dtype=torch.float32)

optimizer = optim.SGD(params=[W, b], lr=learning_rate)

for epoch in range(1, num_epochs + 1):
    # Zero out the gradients for each epoch.
    W.grad = None
    b.grad = None

    # Run a forward pass.
    y_pred = forward(X, W, b)

    # Calculate the loss.
    loss = loss_fn(y_pred, y)

    # Propagate the loss backwards.
    loss.backward()

    # Update the parameters. Same as:
    # with torch.no_grad():
    #     W -= learning_rate * W.grad
    #     b -= learning_rate * b.grad
    optimizer.step()

    if epoch % print_every == 0:
        print(f"Epoch: {epoch:02} - MSE Loss: {loss:.2f}")

# The learned weight and bias.
print(f"Current value of W: {W.detach().item()}")
print(f"Current value of b: {b.detach().item()}")
