"""scripts/ensure-chromium.sh: a no-op when chromium is there, apt-get install when root and missing,
a clear failure otherwise. apt-get is stubbed (the real one is never called from a test)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from lmp_helpers.paths import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "scripts" / "ensure-chromium.sh"


def run(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LMP_CHROMIUM"}
    env.update(env_extra)
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def fake_apt(tmp_path: Path, creates: Path | None) -> Path:
    log = tmp_path / "apt.log"
    stub = tmp_path / "apt-get"
    make = f'[[ "$1" == install ]] && printf "#!/bin/sh\\n" > {creates} && chmod +x {creates}' if creates else ":"
    stub.write_text(f'#!/usr/bin/env bash\necho "$@" >> {log}\n{make}\nexit 0\n')
    stub.chmod(0o755)
    return stub


def test_present_chromium_is_left_alone(tmp_path: Path):
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    stub = fake_apt(tmp_path, None)
    proc = run({"CHROMIUM_BIN": str(chromium), "APT_GET": str(stub)})
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "apt.log").exists()


def test_missing_chromium_is_installed_with_apt_get_as_root(tmp_path: Path):
    if os.geteuid() != 0:  # the non-root branch is the next test; this one needs root to take this branch
        assert run({"CHROMIUM_BIN": str(tmp_path / "chromium"), "APT_GET": "true"}).returncode == 1
        return
    target = tmp_path / "chromium"
    stub = fake_apt(tmp_path, target)
    proc = run({"CHROMIUM_BIN": str(target), "APT_GET": str(stub)})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "apt.log").read_text().splitlines() == [
        "update -qq", "install -y -qq --no-install-recommends chromium"]
    assert target.is_file()


def test_apt_get_that_installs_nothing_fails(tmp_path: Path):
    stub = fake_apt(tmp_path, None)
    proc = run({"CHROMIUM_BIN": str(tmp_path / "chromium"), "APT_GET": str(stub)})
    assert proc.returncode == 1
    assert "missing" in proc.stderr


def test_no_apt_get_fails_with_instructions(tmp_path: Path):
    proc = run({"CHROMIUM_BIN": str(tmp_path / "chromium"), "APT_GET": str(tmp_path / "no-apt-get")})
    assert proc.returncode == 1
    assert "apt-get install chromium" in proc.stderr and "LMP_CHROMIUM" in proc.stderr


def test_explicit_lmp_chromium_must_exist(tmp_path: Path):
    assert run({"LMP_CHROMIUM": str(tmp_path / "nope")}).returncode == 1
    assert run({"LMP_CHROMIUM": "/bin/sh"}).returncode == 0


def test_no_skip_plugin_fails_a_run_with_a_skip_or_xfail(tmp_path: Path):
    import sys

    (tmp_path / "test_x.py").write_text(
        "import pytest\n"
        "def test_ok(): pass\n"
        "def test_skip(): pytest.skip('no chromium')\n"
        "@pytest.mark.xfail(reason='x')\n"
        "def test_xf(): assert 0\n"
    )
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT / "scripts"))

    def pytest_run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "pytest_no_skip",
                               "-o", "addopts=", "test_x.py", *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)

    assert pytest_run("-k", "ok").returncode == 0
    proc = pytest_run("-k", "skip")
    assert proc.returncode == 1 and "test_skip (skipped)" in proc.stdout
    proc = pytest_run("-k", "xf")
    assert proc.returncode == 1 and "test_xf (xfail)" in proc.stdout
