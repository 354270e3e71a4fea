"""Whole renders of the chart, byte for byte: every values file the project ships (the
chart-testing scenarios, the examples and the chart's defaults) rendered with Helm 4 at the
default Kubernetes version, and the NOTES `helm install` prints for it.

A change to a template that is meant to keep the output shows up here as no diff at all; a change
that is meant to alter it shows up as a diff to review. `make generate` rewrites the files.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from chartutil import CHART, REPO, helm_binary, render_text
from golden import assert_golden
from ruamel.yaml import YAML

GOLDEN = Path(__file__).parent / "chart_golden"
DEFAULTS = "defaults"


def cases() -> list[str]:
    files = sorted(CHART.glob("ci/*values.yaml"))
    files += sorted(REPO.glob("values-examples/**/*values.yaml"))
    return [DEFAULTS, *(str(path.relative_to(REPO)) for path in files)]


def golden_name(case: str) -> str:
    """``chart/ci/core-baseline-values.yaml`` → ``ci-core-baseline``; examples likewise."""
    if case == DEFAULTS:
        return DEFAULTS
    path = Path(case)
    parts = list(path.parts[1:])
    parts[-1] = parts[-1].removesuffix(".yaml").removesuffix("values").rstrip("-") or "values"
    prefix = "ci" if path.parts[0] == "chart" else "example"
    return "-".join([prefix, *(p for p in parts if p != "ci")])


def namespace_for(case: str) -> str:
    """``global.project`` when the file sets one (the chart insists on it), else ``demo``."""
    if case == DEFAULTS:
        return "demo"
    data = YAML(typ="safe", pure=True).load((REPO / case).read_text(encoding="utf-8")) or {}
    return str((data.get("global") or {}).get("project") or "demo")


def files_for(case: str) -> list[Path]:
    return [] if case == DEFAULTS else [REPO / case]


def notes(case: str) -> str:
    """NOTES.txt as `helm install --dry-run=client` prints it (install takes no --kube-version;
    the NOTES do not depend on it)."""
    args = [helm_binary("helm"), "install", "rel", str(CHART), "--dry-run=client",
            "--namespace", namespace_for(case)]
    for f in files_for(case):
        args += ["-f", str(f)]
    proc = subprocess.run(args, capture_output=True, text=True, check=True)
    return proc.stdout.split("\nNOTES:\n", 1)[1]


def test_golden_names_are_distinct() -> None:
    names = [golden_name(case) for case in cases()]
    assert len(set(names)) == len(names), names


@pytest.mark.golden
@pytest.mark.parametrize("case", cases())
def test_render_matches_the_golden(case: str) -> None:
    text = render_text(files=files_for(case), namespace=namespace_for(case))
    assert_golden(GOLDEN / f"{golden_name(case)}.yaml", text)


@pytest.mark.golden
@pytest.mark.parametrize("case", cases())
def test_notes_match_the_golden(case: str) -> None:
    assert_golden(GOLDEN / f"{golden_name(case)}.notes.txt", notes(case))
