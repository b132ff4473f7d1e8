"""The stages after the model keep to their side of sim/records.py.

sim/analysis/ is pure (records in, frames and statistics out: no SimPy, no model, no files)
and sim/report/ reads finished results folders only, so neither may import the model or
SimPy. Imported in a fresh interpreter, since the test process itself has run the model.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"

IMPORT_ALL = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for module in pkgutil.iter_modules(package.__path__):
    importlib.import_module(f"{package.__name__}.{module.name}")
loaded = [name.split(".")[:2] for name in sys.modules]
print(" ".join(sorted({".".join(n) for n in loaded if n[0] == "simpy" or n == ["sim", "model"]})))
"""

# calls that write files (pandas, numpy, pathlib, matplotlib, the builtin)
WRITERS = {
    "open",
    "to_csv",
    "to_parquet",
    "to_json",
    "to_excel",
    "write_text",
    "write_bytes",
    "savefig",
    "save",
    "savez",
    "mkdir",
    "atomic_write",
    "write_json",
}


@pytest.mark.parametrize("package", ["sim.analysis", "sim.report"])
def test_imports_neither_simpy_nor_the_model(package):
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, package], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == []


def test_analysis_writes_no_files():
    calls = set()
    for path in (SIM / "analysis").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                function = node.func
                name = function.attr if isinstance(function, ast.Attribute) else None
                name = function.id if isinstance(function, ast.Name) else name
                if name in WRITERS:
                    calls.add(f"{path.name}: {name}()")
    assert calls == set()
