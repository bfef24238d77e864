"""The layering of shared/worklog holds (docs/architecture.md): no package imports a package above it,
and worklog never imports the functions or the tooling around it.

The contracts are pyproject.toml's ``[tool.importlinter]``; import-linter reads every import of the
package, at module level or inside a function, so a cycle cannot hide in a function body from it.
The second rule here says that it does not try to: ``import worklog...`` inside a function of the
package is refused as such (only ``if TYPE_CHECKING:`` imports stay out of the module's body).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "shared" / "worklog"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    contracts: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_the_contracts_declare_every_package_of_worklog_in_a_layer() -> None:
    # Given the layers contract
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    declared = {name.strip() for layer in layers["layers"] for name in layer.replace("|", ":").split(":")}
    # Then every package and module of worklog has its place (exhaustive, so a new one must be placed)
    present = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" and p.stem != "__init__"} | {
        p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()
    }
    assert layers["containers"] == ["worklog"] and layers["exhaustive"] is True
    assert declared == present


def test_worklog_keeps_its_layers_and_never_imports_the_functions_or_the_tooling() -> None:
    # When import-linter checks the contracts of pyproject.toml against the code as it is
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],  # reads pyproject.toml in cwd
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "shared"), str(ROOT)])},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # Then every contract is kept (the report names each import that breaks one)
    assert result.returncode == 0, result.stdout + result.stderr
    kept = [line for line in result.stdout.splitlines() if line.rstrip().endswith("KEPT")]
    assert len(kept) == len(_contracts()), result.stdout


def _imports_in_functions(path: Path) -> list[str]:
    """``import worklog...`` statements inside a function body of ``path`` (``line: statement``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom):
                names = [inner.module or ""] if inner.level == 0 else []
            elif isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            else:
                continue
            if any(n == "worklog" or n.startswith("worklog.") for n in names):
                found.append(f"{inner.lineno}: {ast.unparse(inner)}")
    return found


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE.parent))
)
def test_no_module_of_worklog_imports_worklog_inside_a_function(path: Path) -> None:
    # A function-local import is how a cycle between packages hides from a reader: the layers
    # leave none to hide, so every import of the package is at module level.
    assert _imports_in_functions(path) == []


def _siblings(modules: set[str]) -> list[str]:
    """The modules and packages of the tooling at the levels it is organised by: infra's own, and
    those of its subpackages (infra.local, infra.demo, ...)."""
    names = {".".join(m.split(".")[:2]) for m in modules}
    names |= {".".join(m.split(".")[:3]) for m in modules if m.count(".") >= 2}
    return sorted(names)


def test_the_tooling_has_no_import_cycle_between_its_modules() -> None:
    # Given the import graph of infra (the local runtime, the demo, the benchmarks, the template tools)
    import grimp

    graph = grimp.build_graph("infra", "worklog", include_external_packages=False)
    modules = {m for m in graph.modules if m.startswith("infra.")}
    # Then no two of its modules or packages, at the same level or across levels, import each other
    cycles = [
        (a, b)
        for i, a in enumerate(_siblings(modules))
        for b in _siblings(modules)[i + 1 :]
        if not b.startswith(a + ".")
        and graph.chain_exists(importer=a, imported=b, as_packages=True)
        and graph.chain_exists(importer=b, imported=a, as_packages=True)
    ]
    assert cycles == []
