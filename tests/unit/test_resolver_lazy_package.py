"""worklog.resolver.lazy_package: a package whose __init__ runs only when a name needs it."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from worklog.resolver import lazy_package


@pytest.fixture
def package(tmp_path: Path) -> Iterator[str]:
    """A package ``lazypkg`` whose __init__ imports two names from submodules and sets a third."""
    root = tmp_path / "lazypkg"
    root.mkdir()
    (root / "__init__.py").write_text(
        textwrap.dedent(
            """
            from .light import Light
            from lazypkg.heavy import Heavy as Renamed
            INIT_RAN = True
            """
        )
    )
    (root / "light.py").write_text("class Light: ...\n")
    (root / "heavy.py").write_text("class Heavy: ...\n")
    (root / "other.py").write_text("VALUE = 1\n")
    sys.path.insert(0, str(tmp_path))
    yield "lazypkg"
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m == "lazypkg" or m.startswith("lazypkg.")]:
        del sys.modules[name]


def test_a_name_the_init_imports_from_a_submodule_loads_that_submodule_alone(package: str) -> None:
    # Given the package deferred
    lazy_package(package)
    # When a name its __init__ imports from a submodule is imported from the package
    from lazypkg import Light

    # Then that submodule is loaded, the other is not, and the __init__ has not run
    assert Light.__module__ == "lazypkg.light"
    assert "lazypkg.heavy" not in sys.modules
    assert "INIT_RAN" not in sys.modules[package].__dict__


def test_a_renamed_import_of_the_init_resolves_to_its_submodule(package: str) -> None:
    lazy_package(package)
    from lazypkg import Renamed

    assert Renamed.__module__ == "lazypkg.heavy"
    assert "lazypkg.light" not in sys.modules


def test_a_submodule_imports_as_usual(package: str) -> None:
    lazy_package(package)
    from lazypkg import other
    from lazypkg.other import VALUE

    assert other.VALUE == VALUE == 1
    assert "INIT_RAN" not in sys.modules[package].__dict__


def test_any_other_name_runs_the_whole_init_once(package: str) -> None:
    module = lazy_package(package)
    # When a name the __init__ sets itself is asked for
    from lazypkg import INIT_RAN

    # Then the __init__ ran, and everything it binds is there
    assert INIT_RAN is True
    assert {"Light", "Renamed"} <= set(module.__dict__)
    # And a name nobody binds is still an AttributeError, not a second run
    with pytest.raises(AttributeError):
        module.nothing_here  # noqa: B018


def test_an_imported_package_is_left_as_it_is(package: str) -> None:
    # Given the package imported whole already
    import lazypkg

    # When it is deferred, Then the same module comes back, its __init__ run
    assert lazy_package(package) is lazypkg
    assert lazypkg.INIT_RAN is True
