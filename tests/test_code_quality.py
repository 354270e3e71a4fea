"""The code stays ruff-clean and type-checks under mypy --strict, in CI as on a desk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    proc = run(str(BIN / "ruff"), "check", "--no-cache", "generator", "tests", "benchmarks",
               "scripts")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict_finds_nothing(tmp_path: Path) -> None:
    # A private cache: a shared one could be written by another run at the same time.
    proc = run(str(BIN / "mypy"), "--cache-dir", str(tmp_path / "mypy-cache"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "strict = true" in (REPO / "pyproject.toml").read_text()
