"""Golden tests of the Compose reader: each directory under tests/compose_golden holds a
compose.yaml, the values it converts into (expected.yaml) and the report (expected-report.txt,
paths relative to the directory). SVCGEN_UPDATE_GOLDENS=1 rewrites them; review the diff. The
expected values also render with the real helm into objects the Kubernetes API accepts."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from chartutil import render
from golden import assert_golden

from svcgen.diagnostics import format_text
from svcgen.kube import validate_objects
from svcgen.readers.base import ReadOptions
from svcgen.values_cmd import generate, render_new

GOLDEN = Path(__file__).parent / "compose_golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "compose.yaml").is_file())




@pytest.mark.golden
@pytest.mark.parametrize("case", CASES)
def test_values_and_report_match_the_goldens(case: str) -> None:
    directory = GOLDEN / case
    compose = str(directory / "compose.yaml")
    values, report, _ = generate([compose], ReadOptions(environ={}))
    assert_golden(directory / "expected.yaml", render_new(values, [compose]))
    lines = [format_text(replace(d, file=str(Path(d.file).relative_to(directory))))
             for d in report]
    assert_golden(directory / "expected-report.txt", "\n".join(lines) + "\n")


@pytest.mark.parametrize("case", CASES)
def test_expected_values_render_strictly_valid_objects(case: str) -> None:
    objects = render(files=[GOLDEN / case / "expected.yaml"])
    assert objects and validate_objects(objects, "1.35.0") == []
