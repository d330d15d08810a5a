"""Back-propagation through one neuron z = W·x + b (tutorial 003).

x = 30 is data (no gradient), W = 40 and b = 50 are parameters. z is 1250; backward gives
∂z/∂W = x = 30 and ∂z/∂b = 1. x, W and b are leaves of the graph, z is not.

Run it with ``python examples/tutorials/003_neuron.py`` (with the project installed: ``pip install -e .``).
"""

import engine as torch

x = torch.tensor(30.0)
W = torch.tensor(40.0, requires_grad=True)
b = torch.tensor(50.0, requires_grad=True)
print(x.is_leaf, W.is_leaf, b.is_leaf)

z = W * x + b
print(z)
print(z.is_leaf)

z.backward()
print(W.grad)
print(b.grad)
