"""Learners' PyTorch programs print byte for byte the same under the engine as under PyTorch.

Each program in examples/learners/ is plain PyTorch code (``python program.py`` runs it with
PyTorch). Here every program runs twice in fresh processes: as written, under PyTorch 2.13, and with
its torch imports turned into engine imports (``import torch`` becomes ``import engine as torch``,
``from torch.nn import ...`` becomes ``from engine.nn import ...``). The two outputs must be equal
byte for byte, except for the addresses in ``<... object at 0x...>`` (which differ from run to run
in PyTorch too).

The programs take their data and initial values from deterministic sources (linspace, formulas,
explicit lists), since the two libraries draw different random numbers.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LEARNERS = ROOT / "examples" / "learners"
PROGRAMS = sorted(p.name for p in LEARNERS.glob("*.py"))
RUNNER = Path(__file__).with_name("run_programs.py")
ADDRESS = re.compile(rb"object at 0x[0-9a-fA-F]+")


def as_engine(source):
    """The program with the engine imported wherever it imports torch."""

    def swap(match):
        indent, statement = match.group(1), match.group(2)
        statement = re.sub(r"^import torch$", "import engine as torch", statement)
        statement = re.sub(r"^import torch\.([\w.]+) as (\w+)$", r"import engine.\1 as \2", statement)
        statement = re.sub(r"^import torch\.([\w.]+)$", r"import engine as torch; import engine.\1", statement)
        statement = re.sub(r"^from torch((?:\.[\w.]+)?) import ", r"from engine\1 import ", statement)
        return indent + statement

    return re.sub(r"^([ \t]*)((?:import|from) torch\b.*)$", swap, source, flags=re.M)


def _run_all(library, programs, out_dir, pythonpath=None):
    # One thread: the programs' tensors are small, so PyTorch would not split work anyway, and idle
    # OpenMP threads only slow a busy machine down.
    env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(RUNNER), library, str(out_dir), *map(str, programs)],
        env=env,
        cwd=out_dir,
        check=True,
        timeout=600,
    )
    results = {}
    for program in programs:
        base = out_dir / Path(program).name
        results[Path(program).name] = (
            int((base.parent / (base.name + ".status")).read_text()),
            (base.parent / (base.name + ".out")).read_bytes(),
            (base.parent / (base.name + ".err")).read_text(errors="replace"),
        )
    return results


def _run_both(root):
    engine_dir = root / "engine-programs"
    engine_dir.mkdir(parents=True, exist_ok=True)
    for name in PROGRAMS:
        (engine_dir / name).write_text(as_engine((LEARNERS / name).read_text(encoding="utf-8")), encoding="utf-8")
    torch_results = _run_all("torch", [LEARNERS / n for n in PROGRAMS], root / "torch-out")
    engine_results = _run_all("engine", [engine_dir / n for n in PROGRAMS], root / "engine-out", pythonpath=ROOT)
    return torch_results, engine_results


def _shared_directory(tmp_path_factory):
    """A directory all pytest-xdist workers of this session share (the session's own otherwise)."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "learner-programs"


@pytest.fixture(scope="session")
def outputs(tmp_path_factory):
    """Every program's (exit status, stdout bytes, stderr) under PyTorch and under the engine.

    The programs run once per test session: the first worker to get here runs them, the others
    read its results.
    """
    pytest.importorskip("torch")
    root = _shared_directory(tmp_path_factory)
    done = root / "results.json"
    try:
        root.mkdir(parents=True)
    except FileExistsError:
        deadline = time.monotonic() + 900
        while not done.exists():
            if time.monotonic() > deadline:
                pytest.fail("the programs did not finish in another worker")
            time.sleep(0.5)
        saved = json.loads(done.read_text())
        return tuple(
            {name: (status, bytes.fromhex(out), err) for name, (status, out, err) in results.items()}
            for results in saved
        )
    results = _run_both(root)
    serialisable = [{name: (s, out.hex(), err) for name, (s, out, err) in r.items()} for r in results]
    partial = root / "results.partial"
    partial.write_text(json.dumps(serialisable))
    partial.rename(done)
    return results


def test_there_are_enough_learner_programs():
    assert len(PROGRAMS) >= 25


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_imports_torch_and_nothing_of_the_engine(name):
    source = (LEARNERS / name).read_text(encoding="utf-8")
    assert re.search(r"^import torch$", source, flags=re.M), "each program has a line `import torch`"
    assert "engine" not in source
    assert not re.search(r"^\s*(import|from) torch\b", as_engine(source), flags=re.M), "a torch import was left"


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_the_same_as_under_pytorch(name, outputs):
    torch_results, engine_results = outputs
    torch_status, torch_out, torch_err = torch_results[name]
    engine_status, engine_out, engine_err = engine_results[name]
    assert torch_status == 0, f"{name} fails under PyTorch:\n{torch_err}"
    assert engine_status == 0, f"{name} fails under the engine:\n{engine_err}"
    assert torch_out, f"{name} prints nothing"
    engine_out, torch_out = ADDRESS.sub(b"object at 0x", engine_out), ADDRESS.sub(b"object at 0x", torch_out)
    assert engine_out.decode() == torch_out.decode()
    assert engine_out == torch_out


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import torch\n", "import engine as torch\n"),
        ("import torch.nn as nn\n", "import engine.nn as nn\n"),
        ("import torch.nn.functional as F\n", "import engine.nn.functional as F\n"),
        ("import torch.nn\n", "import engine as torch; import engine.nn\n"),
        ("from torch import nn, optim\n", "from engine import nn, optim\n"),
        ("from torch.utils.data import DataLoader\n", "from engine.utils.data import DataLoader\n"),
        ("    import torch\n", "    import engine as torch\n"),
        ("import torchvision\n", "import torchvision\n"),
        ("x = torch.ones(2)  # import torch\n", "x = torch.ones(2)  # import torch\n"),
    ],
)
def test_imports_are_swapped_for_the_engine(source, expected):
    assert as_engine(source) == expected
