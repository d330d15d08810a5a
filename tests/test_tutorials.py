"""The four tutorials in examples/tutorials/ print what the tutorials they come from show.

Each program runs in a fresh interpreter, as a reader would run it. The expected printouts are
written here from the tutorials' text (their "# Returns:" blocks and the values they state), not
from running the engine. Where PyTorch is installed, the same programs run with ``import torch``
instead of ``import engine as torch`` and must print the same text, object addresses aside.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TUTORIALS = ROOT / "examples" / "tutorials"
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")

# Seed 000: x = 1, y = 2, w = 1: "The square of -1 is also 1, which is the loss output"; w.grad "is -2";
# "the updated weights is 1.02 after one epoch ... and the gradient is -2"; then the gradient is zeroed.
LEAST_SQUARES = """\
tensor(1., grad_fn=<PowBackward0>)
tensor(-2.)
tensor(1.0200, requires_grad=True)
tensor(-2.)
tensor(0.)
"""

# Seed 001: x = [1, 2, 3, 4, 5], loss = x**2 - 5; with requires_grad the loss carries SubBackward0;
# backward(gradient=ones(5)) gives x.grad equal to 2x; detach() and no_grad() give requires_grad False.
AUTOGRAD = """\
tensor([-4., -1.,  4., 11., 20.])
tensor([-4., -1.,  4., 11., 20.], grad_fn=<SubBackward0>)
<SubBackward0 object at 0x...>
tensor([ 2.,  4.,  6.,  8., 10.])
tensor([ 2.,  4.,  6.,  8., 10.], grad_fn=<MulBackward0>)
True
False
False
"""

# Seed 002: every line below is one of the tutorial's "# Returns:" blocks.
LINEAR_REGRESSION = """\
tensor([[0.],
        [0.],
        [0.],
        [0.]], grad_fn=<AddBackward0>)
tensor(41., grad_fn=<MeanBackward0>)
Gradient Function for Prediction: <AddBackward0 object at 0x...>
Gradient Function for Loss: <MeanBackward0 object at 0x...>
Gradient for W: tensor([[-35.]])
Gradient for b: tensor([[-12.]])
Current value of W: 0.03500000014901161
Current value of b: 0.012000000104308128
Epoch: 20 - MSE Loss: 21.63
Epoch: 40 - MSE Loss: 11.03
Epoch: 60 - MSE Loss: 5.63
Epoch: 80 - MSE Loss: 2.88
Epoch: 100 - MSE Loss: 1.47
Epoch: 120 - MSE Loss: 0.76
Epoch: 140 - MSE Loss: 0.39
Epoch: 160 - MSE Loss: 0.21
Epoch: 180 - MSE Loss: 0.11
Epoch: 200 - MSE Loss: 0.06
Current value of W: 2.0195605754852295
Current value of b: 0.7054842114448547
"""

# Seed 003: x = 30, W = 40, b = 50: x, W and b are leaves, z = W*x + b is "the tensor of value 1250" and
# not a leaf; after z.backward() "the value is 30" for W.grad and b.grad is "one".
NEURON = """\
True True True
tensor(1250., grad_fn=<AddBackward0>)
False
tensor(30.)
tensor(1.)
"""

EXPECTED = {
    "000_least_squares_backprop.py": LEAST_SQUARES,
    "001_autograd.py": AUTOGRAD,
    "002_linear_regression.py": LINEAR_REGRESSION,
    "003_neuron.py": NEURON,
}


def _normalise(text):
    return ADDRESS.sub("0x...", text.replace("\r\n", "\n"))


def _run(script, cwd, pythonpath=None):
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, str(script)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stderr}"
    return proc.stdout


def _as_pytorch(source):
    """The program with PyTorch's imports in place of the engine's."""
    out = source.replace("import engine.optim as optim", "import torch.optim as optim")
    out = out.replace("import engine as torch", "import torch")
    assert "engine" not in re.sub(r'""".*?"""', "", out, flags=re.S), "an engine import was left in"
    return out


def test_every_tutorial_program_is_checked():
    assert sorted(p.name for p in TUTORIALS.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tutorial_prints_what_the_tutorial_shows(name):
    out = _run(TUTORIALS / name, cwd=ROOT, pythonpath=ROOT)
    assert _normalise(out) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_tutorial_prints_the_same_as_pytorch(name, tmp_path):
    pytest.importorskip("torch")
    source = (TUTORIALS / name).read_text(encoding="utf-8")
    script = tmp_path / name
    script.write_text(_as_pytorch(source), encoding="utf-8")
    torch_out = _run(script, cwd=tmp_path)
    engine_out = _run(TUTORIALS / name, cwd=ROOT, pythonpath=ROOT)
    assert _normalise(engine_out) == _normalise(torch_out)


def test_tutorial_programs_use_the_engine_as_torch():
    for name in EXPECTED:
        source = (TUTORIALS / name).read_text(encoding="utf-8")
        assert "import engine as torch" in source
        assert not re.search(r"^\s*import torch\b|^\s*from torch\b", source, flags=re.M)
