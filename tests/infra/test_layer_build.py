"""`make build`'s last step (infra/layer.py) on a made-up built layer: pruned, byte-compiled, reported."""

from __future__ import annotations

import importlib.util
import marshal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra import layer as layer_step
from infra.layer import RUNTIME, compile_layer, finish, prune

PINS = {"pydantic": "2.13.5", "typing-extensions": "4.16.0"}


def add_distribution(root: Path, name: str, version: str, files: dict[str, str]) -> None:
    """A distribution as pip leaves it: its files and a dist-info whose RECORD lists them."""
    dist_info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nText\n")
    for relative, source in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(source)
    record = [f"{relative},sha256=x,{len(source)}" for relative, source in files.items()]
    record += [f"{dist_info.name}/METADATA,,", f"{dist_info.name}/RECORD,,"]
    (dist_info / "RECORD").write_text("\n".join(record) + "\n")


@pytest.fixture(autouse=True)
def runtime_is_this_python(monkeypatch) -> None:
    """The step compiles only on the runtime's Python: here, the interpreter running the tests."""
    monkeypatch.setattr(layer_step, "RUNTIME", sys.version_info[:2])


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    """.aws-sam/build with a SharedLayer as sam leaves it: pinned packages, boto's family, our package."""
    root = tmp_path / "SharedLayer" / "python"
    add_distribution(root, "pydantic", "2.13.5", {"pydantic/__init__.py": "VERSION = '2.13.5'\n"})
    add_distribution(root, "typing_extensions", "4.16.0", {"typing_extensions.py": "X = 1\n"})
    add_distribution(
        root, "botocore", "1.44.8", {"botocore/__init__.py": "B = 1\n", "botocore/data/s3.json": "{}" * 500}
    )
    add_distribution(root, "jmespath", "1.1.0", {"jmespath/__init__.py": "J = 1\n"})
    (root / "worklog").mkdir()
    (root / "worklog" / "__init__.py").write_text("ANSWER = 'compiled'\n")
    return tmp_path


def pyc_of(source: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(source)))


def test_what_the_runtime_provides_is_pruned_and_the_pinned_packages_stay(build_dir: Path) -> None:
    root = build_dir / "SharedLayer" / "python"

    report = finish(build_dir, PINS)

    assert set(report.pruned) == {"botocore", "jmespath"}
    assert not (root / "botocore").exists() and not (root / "jmespath").exists()
    assert not list(root.glob("botocore-*.dist-info")) and not list(root.glob("jmespath-*.dist-info"))
    assert (root / "pydantic" / "__init__.py").is_file() and (root / "worklog" / "__init__.py").is_file()
    assert list(root.glob("pydantic-*.dist-info"))
    assert report.pruned["botocore"] >= len("{}" * 500)
    assert any("pruned botocore" in line for line in report.lines())


def test_a_pinned_package_missing_or_at_another_version_fails_the_build(build_dir: Path) -> None:
    root = build_dir / "SharedLayer" / "python"

    with pytest.raises(SystemExit, match=r"pydantic 2\.13\.5 \(pinned 2\.14\.0\).*wrapt missing"):
        prune(root, {**PINS, "pydantic": "2.14.0", "wrapt": "2.5.2"})


def test_every_module_gets_an_unchecked_hash_pyc_of_this_python(build_dir: Path) -> None:
    root = build_dir / "SharedLayer" / "python"

    finish(build_dir, PINS)

    for source in root.rglob("*.py"):
        header = pyc_of(source).read_bytes()[:16]
        assert header[:4] == importlib.util.MAGIC_NUMBER, source
        # Flags: bit 0 hash-based, bit 1 check_source; unchecked-hash is hash-based, not checked.
        assert int.from_bytes(header[4:8], "little") == 0b01, source


def test_compiled_code_names_its_sources_where_lambda_mounts_the_layer(build_dir: Path) -> None:
    root = build_dir / "SharedLayer" / "python"

    finish(build_dir, PINS)

    code: Any = marshal.loads(pyc_of(root / "worklog" / "__init__.py").read_bytes()[16:])
    assert code.co_filename == "/opt/python/worklog/__init__.py"


def test_python_loads_the_pyc_without_looking_at_the_source(build_dir: Path) -> None:
    # Given a compiled layer whose source then changes (a zip keeps no mtimes to compare),
    root = build_dir / "SharedLayer" / "python"
    finish(build_dir, PINS)
    (root / "worklog" / "__init__.py").write_text("ANSWER = 'source'\n")

    # When a fresh interpreter imports it, then it runs the compiled code, never recompiling.
    out = subprocess.run(
        [sys.executable, "-c", "import worklog; print(worklog.ANSWER)"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "compiled"


def test_another_python_refuses_to_compile_the_layer(build_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(layer_step, "RUNTIME", (sys.version_info[0], sys.version_info[1] - 1))

    with pytest.raises(SystemExit, match="must be compiled by Python"):
        compile_layer(build_dir / "SharedLayer" / "python")
    assert not list((build_dir / "SharedLayer" / "python").rglob("*.pyc"))


def test_a_missing_built_layer_says_to_build_first(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="run sam build first"):
        finish(tmp_path, PINS)


def test_the_step_compiles_for_the_templates_runtime(resources: dict[str, dict[str, Any]]) -> None:
    runtime = f"python{RUNTIME[0]}.{RUNTIME[1]}"

    assert resources["SharedLayer"]["Properties"]["CompatibleRuntimes"] == [runtime]
    assert resources["SharedLayer"]["Metadata"]["BuildMethod"] == runtime


def test_make_build_runs_the_step_with_the_runtimes_python_after_sam_build() -> None:
    from infra.template import ROOT

    out = subprocess.run(
        ["make", "-n", "build", "SAM=true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()

    sam = next(i for i, line in enumerate(out) if " build --template-file template.yaml" in line)
    step = next(i for i, line in enumerate(out) if line.endswith("-m infra.layer .aws-sam/build"))
    assert step > sam
    assert f"versions/{RUNTIME[0]}.{RUNTIME[1]}" in out[step]
