"""Cold import of each handler beside `import boto3`, under Lambda-like conditions (`make bench`).

Lambda starts a fresh interpreter per container with three code locations on the path: the
function's own code (``/var/task``), the layer (``/opt/python``: our ``worklog`` package and the
distributions of ``shared/requirements.txt``, byte-compiled, read-only) and the runtime
(``/var/runtime``: boto3, botocore, s3transfer, jmespath, compiled). This builds that layout in a
temporary directory from the venv's installed distributions, then times, in fresh isolated
interpreters (``-I -S``: nothing from the venv or the environment leaks in; ``-B``: nothing is
written), the import of each handler module INTERLEAVED with `import boto3` alone, so both see the
same machine load. The figure is the import itself (timed inside the child), not interpreter start:
its wall time, and its CPU time, which other processes on a shared machine disturb far less (an
import is CPU-bound once the files are in the page cache, as they are after the first round).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.template import ROOT, FunctionSpec

# What the Lambda runtime provides; the layer must not ship it (decided in the build slice).
RUNTIME_DISTS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
REFERENCE = "boto3"

_CHILD = (
    "import sys, time\n"
    "sys.path[:0] = {paths!r}\n"
    "t, c = time.perf_counter(), time.process_time()\n"
    "import {module}\n"
    "print((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000)\n"
)


def _requirements(path: Path) -> list[Requirement]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def closure(roots: list[Requirement]) -> set[str]:
    """The installed distributions a set of requirements pulls in, extras and markers honoured."""
    seen: set[str] = set()
    todo = [(r, frozenset(r.extras)) for r in roots]
    while todo:
        req, extras = todo.pop()
        name = canonicalize_name(req.name)
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in seen:
            continue
        seen.add(key)
        for raw in metadata.requires(name) or []:
            sub = Requirement(raw)
            envs = [{"extra": e} for e in extras] or [{"extra": ""}]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in envs):
                todo.append((sub, frozenset(sub.extras)))
    return {key.split("[")[0] for key in seen}


def _copy_dist(name: str, target: Path) -> None:
    dist = metadata.distribution(name)
    for rel in dist.files or []:
        parts = Path(str(rel)).parts
        if parts[0] == ".." or "__pycache__" in parts or str(rel).endswith(".pyc"):
            continue
        src = Path(str(dist.locate_file(rel)))
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)


def _compile_read_only(tree: Path) -> None:
    # Lambda's layer is unpacked read-only; unchecked hashes: the .pyc is trusted without a stat
    # of its source, as the build does (decisions: byte-compiled layer).
    subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(tree),
        ],
        check=True,
    )
    for path in tree.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    tree.chmod(0o555)


def build(base: Path) -> tuple[Path, Path]:
    """The layer (``python/``) and the runtime dir, compiled and read-only, under ``base``."""
    layer, runtime = base / "opt" / "python", base / "var" / "runtime"
    deps = closure(_requirements(ROOT / "shared" / "requirements.txt"))
    runtime_names = {canonicalize_name(n) for n in RUNTIME_DISTS}
    for name in sorted(deps - runtime_names):
        _copy_dist(name, layer)
    shutil.copytree(
        ROOT / "shared" / "worklog", layer / "worklog", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in sorted(closure([Requirement(REFERENCE)]) | (deps & runtime_names)):
        _copy_dist(name, runtime)
    _compile_read_only(layer)
    _compile_read_only(runtime)
    return layer, runtime


def lambda_env(spec: FunctionSpec) -> dict[str, str]:
    """What Lambda puts in a function's environment, plus the template's variables: Powertools reads
    these at import (and the X-Ray SDK did: outside Lambda it built an X-Ray client at import)."""
    return {
        **spec.environment,
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "AWS_LAMBDA_FUNCTION_NAME": f"worklog-{spec.name}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "_HANDLER": spec.handler,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "PATH": "/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _time_import(module: str, paths: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """The import's wall and CPU milliseconds."""
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", _CHILD.format(paths=paths, module=module)],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


Row = tuple[str, float, float, float, float, float]


def measure(rounds: int = 5) -> list[Row]:
    """Per function: (name, median handler import ms, median boto3 import ms of the same rounds, the
    same two in CPU ms, and the median over the rounds of each round's CPU ratio).

    The last is the figure to read: a round is one boto3 import and one handler import side by side,
    so a spell in which the shared machine runs slow weighs on both halves of the same ratio, where
    it can fall on the handler's runs and not the reference's in a ratio of two medians."""
    from infra.template import Stack, load_template

    specs = Stack(load_template()).functions()
    with tempfile.TemporaryDirectory(prefix="worklog-cold-") as tmp:
        layer, runtime = build(Path(tmp))
        try:
            rows = []
            for spec in specs:
                task = str(spec.code_dir)
                paths = [task, str(layer), str(runtime)]
                env = lambda_env(spec)
                mine, ref = [], []
                for _ in range(rounds):
                    ref.append(_time_import(REFERENCE, [str(runtime)], spec.code_dir, env))
                    mine.append(_time_import(spec.handler.split(".")[0], paths, spec.code_dir, env))
                rows.append(
                    (
                        spec.name,
                        statistics.median(m[0] for m in mine),
                        statistics.median(r[0] for r in ref),
                        statistics.median(m[1] for m in mine),
                        statistics.median(r[1] for r in ref),
                        statistics.median(m[1] / r[1] for m, r in zip(mine, ref, strict=True)),
                    )
                )
            return rows
        finally:
            for path in [Path(tmp), *Path(tmp).rglob("*")]:
                if path.is_dir():
                    path.chmod(0o755)


def run(rounds: int = 5) -> None:
    print(
        f"\n## Cold import, Lambda-like (read-only byte-compiled layer, boto3 in the runtime dir; "
        f"fresh isolated interpreters, median of {rounds}, interleaved with `import boto3`)"
    )
    wall = f"{'function':22} {'handler ms':>10} {'boto3 ms':>9} {'ratio':>6}"
    print(f"{wall}   {'CPU ms':>7} {'boto3':>6} {'ratio':>6}   {'per round':>9}")
    for name, mine, ref, mine_cpu, ref_cpu, paired in measure(rounds):
        print(
            f"{name:22} {mine:10.1f} {ref:9.1f} {mine / ref:6.2f}   "
            f"{mine_cpu:7.1f} {ref_cpu:6.1f} {mine_cpu / ref_cpu:6.2f}   {paired:9.2f}"
        )


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
