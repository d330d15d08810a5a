"""The autograd module (tutorial 001).

The cost x² − 5 is applied elementwise to five values; with requires_grad=True every operation is
recorded, backward(gradient=ones) computes the vector-Jacobian product, and x.grad equals 2x.
detach() and no_grad() keep operations out of the graph.

Run it with ``python examples/tutorials/001_autograd.py`` (with the project installed: ``pip install -e .``).
"""

import engine as torch

# Forward propagation without tracking.
x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
loss = x**2 - 5
print(loss)

# The same with gradients tracked: the result remembers the subtraction that made it.
x = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0], requires_grad=True)
loss = x**2 - 5
print(loss)
print(loss.grad_fn)

# A non-scalar output needs the vector of the vector-Jacobian product.
loss.backward(gradient=torch.ones(5))
print(x.grad)

# The algebraic derivative of x² − 5 is 2x: the same values.
print(2 * x)

# Two ways to keep operations out of the graph: detach() ...
a = torch.rand(2, 2, requires_grad=True)
b = a.detach()
print(a.requires_grad)
print(b.requires_grad)

# ... and no_grad().
c = torch.rand(2, 2, requires_grad=True)
with torch.no_grad():
    c_squared = c**2
print(c_squared.requires_grad)
