"""`make test` sets up the browser tests itself: Chromium and CJK fonts from the system's packages.

The script behind `make browser` (a prerequisite of `make test`) is run here with a PATH of fake
commands, so each branch is exercised without touching the machine: nothing to do when both are
present; apt-get as root when something is missing; a message naming the command otherwise.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "infra" / "scripts" / "ensure-browser.sh"


def fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/bash\n{body}\n", encoding="utf-8")
    path.chmod(0o755)


def run(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    # Only the fakes and the basic tools the script itself uses (grep) are on PATH.
    for tool in ("grep", "cat", "touch"):
        real = next((Path(d) / tool for d in ("/usr/bin", "/bin") if (Path(d) / tool).exists()), None)
        if real and not (bin_dir / tool).exists():
            (bin_dir / tool).symlink_to(real)
    env = {"PATH": str(bin_dir), "HOME": str(bin_dir)}
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30, check=False
    )


def machine(tmp_path: Path, *, uid: int, chromium: bool, fonts: bool) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake(bin_dir, "id", f"echo {uid}")
    if chromium:
        fake(bin_dir, "chromium", "exit 0")
    # A real machine lists many fonts after the one looked for (a reader that stops early must not
    # turn the rest of the listing into a failure).
    many = 'for ((i = 0; i < 20000; i++)); do echo "/usr/share/fonts/f$i.ttf: Other Sans"; done'
    listing = 'echo "/usr/share/fonts/NotoSansCJK-Regular.ttc: Noto Sans CJK SC"' if fonts else ""
    fake(bin_dir, "fc-list", f"{listing}\n{many}")
    # apt-get "installs" by creating the fakes a real install would leave behind.
    log = bin_dir / "apt.log"
    fake(
        bin_dir,
        "apt-get",
        f'echo "$@" >> {log}\n'
        f'if [ "$1" = install ]; then printf "#!/bin/bash\\nexit 0\\n" > {bin_dir}/chromium; '
        f"chmod +x {bin_dir}/chromium; "
        f'printf "#!/bin/bash\\necho Noto Sans CJK SC\\n" > {bin_dir}/fc-list; fi',
    )
    return bin_dir


def test_nothing_is_installed_when_chromium_and_the_fonts_are_there(tmp_path: Path) -> None:
    bin_dir = machine(tmp_path, uid=0, chromium=True, fonts=True)

    result = run(bin_dir)

    assert result.returncode == 0, result.stderr
    assert not (bin_dir / "apt.log").exists()


def test_as_root_a_missing_chromium_is_installed_with_the_cjk_fonts(tmp_path: Path) -> None:
    bin_dir = machine(tmp_path, uid=0, chromium=False, fonts=False)

    result = run(bin_dir)

    assert result.returncode == 0, result.stderr
    calls = (bin_dir / "apt.log").read_text("utf-8").splitlines()
    assert calls[0].startswith("update")
    assert "install" in calls[1] and "chromium" in calls[1] and "fonts-noto-cjk" in calls[1]


def test_as_root_missing_fonts_alone_are_installed(tmp_path: Path) -> None:
    bin_dir = machine(tmp_path, uid=0, chromium=True, fonts=False)

    result = run(bin_dir)

    assert result.returncode == 0, result.stderr
    assert "fonts-noto-cjk" in (bin_dir / "apt.log").read_text("utf-8")


def test_without_root_it_stops_and_names_the_command(tmp_path: Path) -> None:
    bin_dir = machine(tmp_path, uid=1000, chromium=False, fonts=True)

    result = run(bin_dir)

    assert result.returncode != 0
    assert "apt-get install -y chromium fonts-noto-cjk" in result.stderr
    assert not (bin_dir / "apt.log").exists()


def test_make_test_depends_on_the_browser_setup() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    test_rule = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "browser" in test_rule.split(":", 1)[1].split()
    assert "ensure-browser.sh" in makefile
    assert os.access(SCRIPT, os.X_OK)
