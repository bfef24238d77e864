"""After `sam build`: the shared layer as Lambda should load it (the last step of `make build`).

    <python3.13> -m infra.layer [.aws-sam/build]

1. Prune: pip installs the layer's requirements with their dependencies, so one that depends on
   botocore would bring it (and with it jmespath, s3transfer's kin, urllib3, python-dateutil, six:
   the X-Ray SDK did, when the layer had it). Every
   distribution not pinned in shared/requirements.txt is removed, file by file from its RECORD:
   the runtime provides boto3's family, and a layer copy would shadow it (docs/decisions.md).
   A pinned distribution missing, or at another version, fails the build.
2. Byte-compile: `/opt` is read-only in Lambda, so a layer without `.pyc` files is compiled again
   at every cold start. The `.pyc` files are written with `--invalidation-mode unchecked-hash`
   (never checked against the sources, whose mtimes the zip does not keep) and must come from the
   runtime's own Python: another version's magic number makes Python ignore them. The step
   therefore refuses to run on any Python but the runtime's.
3. Report the layer's size before and after, and what was pruned.

Standard library only: it runs on the bare pyenv interpreter, not in the project's venv.
"""

from __future__ import annotations

import argparse
import compileall
import py_compile
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from infra.lock import LAYER_REQUIREMENTS, Pins, canonical, parse_pins

# The template's Runtime (python3.13; tests/infra/test_layer_build.py keeps the two equal).
RUNTIME = (3, 13)
LAYER_ID = "SharedLayer"
# Where compiled code says its sources are: the layer's content is mounted under /opt.
MOUNT = "/opt/python"


@dataclass
class Report:
    size_before: int = 0
    size_after: int = 0
    pruned: dict[str, int] = field(default_factory=dict)
    compiled: int = 0

    def lines(self) -> list[str]:
        mb = 1024 * 1024
        out = [f"layer: {self.size_before / mb:.1f} MB built, {self.size_after / mb:.1f} MB after"]
        out += [f"  pruned {name}: {size / mb:.1f} MB" for name, size in sorted(self.pruned.items())]
        out.append(f"  compiled {self.compiled} modules (unchecked-hash, Python {RUNTIME[0]}.{RUNTIME[1]})")
        return out


def layer_dir(build_dir: Path, logical_id: str = LAYER_ID) -> Path:
    """The built layer's `python/` folder (what Lambda mounts at /opt/python)."""
    path = build_dir / logical_id / "python"
    if not path.is_dir():
        raise SystemExit(f"no built layer at {path}: run sam build first")
    return path


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _metadata(dist_info: Path) -> tuple[str, str]:
    name = version = ""
    for line in (dist_info / "METADATA").read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("Name: "):
            name = line[6:].strip()
        elif line.startswith("Version: "):
            version = line[9:].strip()
        elif not line:
            break
    return canonical(name), version


def _remove_distribution(root: Path, dist_info: Path) -> int:
    """Delete the files a distribution's RECORD lists (inside the layer only), then emptied folders."""
    removed = 0
    folders: set[Path] = set()
    for line in (dist_info / "RECORD").read_text(encoding="utf-8").splitlines():
        relative = line.rsplit(",", 2)[0] if line.strip() else ""
        path = (root / relative).resolve()
        if not relative or not path.is_relative_to(root.resolve()) or not path.is_file():
            continue
        removed += path.stat().st_size
        path.unlink()
        folders.update(p for p in path.parents if p.is_relative_to(root.resolve()) and p != root.resolve())
    shutil.rmtree(dist_info, ignore_errors=True)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        pycache = folder / "__pycache__"
        if pycache.is_dir() and not any(p.suffix == ".py" for p in folder.iterdir()):
            shutil.rmtree(pycache)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed


def prune(root: Path, pins: Pins) -> dict[str, int]:
    """Remove every distribution the pins do not name; fail on a pinned one missing or at another version."""
    found: dict[str, str] = {}
    pruned: dict[str, int] = {}
    for dist_info in sorted(root.glob("*.dist-info")):
        name, version = _metadata(dist_info)
        if name in pins:
            found[name] = version
        else:
            pruned[name] = _remove_distribution(root, dist_info)
    wrong = [f"{n} {found.get(n, 'missing')} (pinned {v})" for n, v in pins.items() if found.get(n) != v]
    if wrong:
        raise SystemExit("the built layer is not shared/requirements.txt: " + ", ".join(sorted(wrong)))
    return pruned


def compile_layer(root: Path) -> int:
    """Byte-compile every module under `root` for this interpreter, unchecked-hash; the count compiled."""
    if sys.version_info[:2] != RUNTIME:
        raise SystemExit(
            f"the layer must be compiled by Python {RUNTIME[0]}.{RUNTIME[1]} (the Lambda runtime), "
            f"not {sys.version_info[0]}.{sys.version_info[1]}: run this module with that interpreter"
        )
    ok = compileall.compile_dir(
        root,
        ddir=MOUNT,
        force=True,
        quiet=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    if not ok:
        raise SystemExit("some layer modules did not compile")
    return sum(1 for _ in root.rglob("*.py"))


def finish(build_dir: Path, pins: Pins) -> Report:
    root = layer_dir(build_dir)
    report = Report(size_before=tree_size(root))
    report.pruned = prune(root, pins)
    report.compiled = compile_layer(root)
    report.size_after = tree_size(root)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.layer", description=__doc__.split("\n\n")[0])
    parser.add_argument("build_dir", nargs="?", default=".aws-sam/build", type=Path)
    args = parser.parse_args(argv)
    report = finish(args.build_dir, parse_pins(LAYER_REQUIREMENTS.read_text(encoding="utf-8")))
    print(*report.lines(), sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
