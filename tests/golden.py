"""Golden files: compared with what the code produces now, or rewritten with
SVCGEN_UPDATE_GOLDENS=1 (`make generate`), so one command regenerates every one of them."""

from __future__ import annotations

import os
from pathlib import Path

from svcgen.yamlio import atomic_write

REPO = Path(__file__).resolve().parents[1]
UPDATE_GOLDENS = os.environ.get("SVCGEN_UPDATE_GOLDENS") == "1"


def assert_golden(path: Path, text: str, how: str = "rerun with SVCGEN_UPDATE_GOLDENS=1") -> None:
    """``path`` holds exactly ``text``; under SVCGEN_UPDATE_GOLDENS=1 it is rewritten first."""
    if UPDATE_GOLDENS:
        atomic_write(path, text)
    shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    assert path.read_text(encoding="utf-8") == text, f"{shown} is stale: {how}"
