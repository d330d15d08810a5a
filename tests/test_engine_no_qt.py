"""The engine stays free of Qt and of PyTorch: importing it loads neither, and no engine file imports them.

The playground's Qt code lives in ``playground/``; the engine must be usable (and testable) on its
own, and PyTorch is only ever a test-time reference.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2", "torch")

PROBE = """
import json, sys
import engine, engine.nn, engine.nn.functional, engine.optim, engine.utils.data, engine.graph, engine.autograd
x = engine.tensor([1.0, 2.0], requires_grad=True)
(x * x).sum().backward()
engine.graph.trace((x * x).sum())
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {forbidden})))
"""


def test_importing_and_using_the_engine_loads_no_qt_and_no_torch():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    code = PROBE.replace("{forbidden}", repr(set(FORBIDDEN)))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            yield str(node.args[0].value)


def test_no_engine_file_imports_qt_or_torch():
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) >= 10
    offenders = {}
    for path in files:
        bad = [m for m in _imported_modules(path) if m.split(".")[0] in FORBIDDEN]
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_the_static_check_would_see_a_qt_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import numpy as np\nfrom PySide6.QtCore import QObject\nimport importlib\n"
        "importlib.import_module('pyqtgraph')\n",
        encoding="utf-8",
    )
    assert [m for m in _imported_modules(sample) if m.split(".")[0] in FORBIDDEN] == ["PySide6.QtCore", "pyqtgraph"]
