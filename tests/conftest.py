"""Shared test helpers: installing the Debian packages some tests need."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

# CI runs the property tests with a fixed seed so that a run is reproducible;
# locally they explore new examples each time (and keep failures in .hypothesis/).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
_APT_UPDATED = False


def ensure_debian(package: str, binary: str) -> str:
    """Path of ``binary``, installing Debian ``package`` first if it is missing.

    The test command installs what it needs (the machine is root, apt reaches
    Debian's registry); where that is impossible the calling test is skipped
    with the reason, never silently passed.
    """
    global _APT_UPDATED
    found = shutil.which(binary) or (binary if os.path.exists(binary) else None)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"{binary} missing and cannot install Debian package {package} (not root / no apt)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        if not _APT_UPDATED:
            subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True, timeout=600)
            _APT_UPDATED = True
        subprocess.run(["apt-get", "install", "-y", "-q", package], check=True, env=env,
                       capture_output=True, timeout=1200)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"installing Debian package {package} failed: {exc}")
    found = shutil.which(binary) or (binary if os.path.exists(binary) else None)
    if not found:
        pytest.fail(f"Debian package {package} installed but {binary} not found")
    return found


@pytest.fixture(scope="session")
def rapper() -> str:
    return ensure_debian("raptor2-utils", "rapper")
