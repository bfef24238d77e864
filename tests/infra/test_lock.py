"""One set of versions: the venv and the layer both come from requirements.lock (infra/lock.py)."""

from __future__ import annotations

import hashlib
import subprocess

import pytest

from infra.lock import (
    LAMBDA_MARKERS,
    LAYER_REQUIREMENTS,
    LOCK,
    RUNTIME_PROVIDED,
    Pins,
    installed_requires,
    main,
    parse_pins,
    runtime_closure,
    runtime_roots,
    venv_mismatches,
)
from infra.template import ROOT


@pytest.fixture(scope="module")
def lambda_lock() -> Pins:
    """The lock as the Lambda runtime (python3.13, Linux, arm64) reads it."""
    return parse_pins(LOCK.read_text(encoding="utf-8"), LAMBDA_MARKERS)


@pytest.fixture(scope="module")
def layer() -> Pins:
    return parse_pins(LAYER_REQUIREMENTS.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the files as they are


def test_every_layer_pin_is_the_locked_version(lambda_lock: Pins, layer: Pins) -> None:
    assert layer, "shared/requirements.txt pins nothing"
    assert set(layer) <= set(lambda_lock)
    assert layer == {name: lambda_lock[name] for name in layer}


def test_the_running_environment_holds_the_locked_versions() -> None:
    # Tests run on what the layer ships: a venv that drifted from the lock fails here.
    assert venv_mismatches(parse_pins(LOCK.read_text(encoding="utf-8"))) == []


def test_the_layer_is_the_runtime_closure_without_what_the_lambda_runtime_provides(layer) -> None:
    closure = runtime_closure(runtime_roots(), installed_requires, LAMBDA_MARKERS)

    assert set(layer) == closure
    assert not set(layer) & RUNTIME_PROVIDED
    # pydantic's and Jinja2's own dependencies are in, not only the direct ones; the X-Ray SDK and
    # wrapt (Powertools' tracer extra) are not: the functions trace with worklog.tracing.
    assert {"pydantic-core", "markupsafe", "cryptography"} <= set(layer)
    assert not {"aws-xray-sdk", "wrapt"} & set(layer)


def test_the_layer_requirements_are_what_the_generator_writes() -> None:
    assert main(["--check"]) == 0


def test_the_check_fails_on_a_hand_edited_layer_pin(tmp_path, monkeypatch, capsys) -> None:
    edited = tmp_path / "requirements.txt"
    text = LAYER_REQUIREMENTS.read_text(encoding="utf-8")
    edited.write_text(text.replace("pydantic==", "pydantic==0.0.1+", 1), encoding="utf-8")
    monkeypatch.setattr("infra.lock.LAYER_REQUIREMENTS", edited)

    assert main(["--check"]) == 1
    assert "stale" in capsys.readouterr().out


def test_the_venv_target_installs_the_lock_then_the_project_without_dependencies(tmp_path) -> None:
    venv = tmp_path / "venv"
    out = subprocess.run(
        ["make", "-n", "venv", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    key = hashlib.sha1((ROOT / "requirements.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes())

    lines = out.splitlines()
    assert f"{venv}/bin/python -m pip install --quiet -r requirements.lock" in lines
    assert f"{venv}/bin/python -m pip install --quiet --no-deps -e ." in lines
    # A new lock (or pyproject) means a new stamp, so `make venv` installs again.
    assert f"touch {venv}/.installed-{key.hexdigest()[:12]}" in out


# --------------------------------------------------------------------------- the rules on made-up packages

METADATA = {
    "app-sdk": ["tiny-core>=1", "tracer-lib; extra == 'tracer'", "win-only; sys_platform == 'win32'"],
    "tracer-lib": ["botocore>=1", "wrapt"],
    "botocore": ["urllib3", "jmespath"],
    "tiny-core": ["old-backport; python_version < '3.12'"],
    "wrapt": [],
    "urllib3": [],
}


def test_the_closure_follows_extras_and_the_lambda_markers_and_stops_at_the_runtime_packages() -> None:
    closure = runtime_closure(["app-sdk[tracer]", "boto3>=1.35"], METADATA.__getitem__, LAMBDA_MARKERS)

    # Given the tracer extra: tracer-lib and wrapt; botocore is the runtime's, so neither it nor
    # urllib3 (only botocore needs it); no Windows-only or pre-3.12 backport on python3.13 Linux.
    assert closure == {"app-sdk", "tiny-core", "tracer-lib", "wrapt"}


def test_without_the_extra_its_dependencies_stay_out() -> None:
    assert runtime_closure(["app-sdk"], METADATA.__getitem__, LAMBDA_MARKERS) == {"app-sdk", "tiny-core"}


def test_a_lock_line_that_is_not_an_exact_pin_is_refused() -> None:
    with pytest.raises(ValueError, match="not an exact pin"):
        parse_pins("pydantic>=2.9\n")


LOCK_LINES = """\
# header
PyJWT==2.15.1
    # via x
networkx==3.6.1 ; python_full_version < '3.12'
networkx==3.7 ; python_full_version >= '3.12'
pywin32==312 ; sys_platform == 'win32'
"""


def test_a_lock_is_read_for_one_interpreter_its_markers_choosing_the_lines() -> None:
    # Given a lock with a package split by Python version and one for Windows only,
    on_311 = {**LAMBDA_MARKERS, "python_version": "3.11", "python_full_version": "3.11.7"}

    # When it is read for the Lambda runtime and for Python 3.11 on Linux,
    # then each gets its own networkx and neither gets pywin32; names are canonical.
    assert parse_pins(LOCK_LINES, LAMBDA_MARKERS) == {"pyjwt": "2.15.1", "networkx": "3.7"}
    assert parse_pins(LOCK_LINES, on_311) == {"pyjwt": "2.15.1", "networkx": "3.6.1"}


def test_a_package_pinned_twice_for_one_interpreter_is_refused() -> None:
    with pytest.raises(ValueError, match="pinned twice"):
        parse_pins("wrapt==2.5.2\nwrapt==2.5.1 ; sys_platform == 'linux'\n", LAMBDA_MARKERS)


def test_a_drifted_or_missing_package_is_reported() -> None:
    lock = {"pydantic": "0.0.1", "no-such-package-here": "1.0"}

    problems = venv_mismatches(lock)

    assert [p.split(":")[0] for p in problems] == ["no-such-package-here", "pydantic"]
    assert "installed missing" in problems[0]
