"""The benchmarks keep working: each script runs at tiny sizes, and the render benchmark's synthetic
values are ones the chart accepts, rendering a number of objects proportional to their size."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p for p in (REPO / "benchmarks").glob("*.py") if not p.name.startswith("_"))


def run_benchmark(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                          cwd=REPO, timeout=300, check=False)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_runs_at_tiny_sizes(script: Path, helm4: str) -> None:
    proc = run_benchmark(script, "--sizes", "2,4", "--runs", "1")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def test_render_benchmark_objects_grow_with_components(helm4: str) -> None:
    proc = run_benchmark(REPO / "benchmarks" / "render.py", "--sizes", "10,20", "--runs", "1",
                         "--helm", helm4)
    assert proc.returncode == 0, proc.stderr
    rows = {int(m[1]): int(m[2]) for m in
            re.finditer(r"^\s+(\d+)\s+(\d+)\s+[\d.]+\s+[\d.]+\s", proc.stdout, re.M)}
    assert set(rows) == {10, 20}
    # Features recur every few components, so objects grow in step with the components.
    assert 1.7 * rows[10] <= rows[20] <= 2.3 * rows[10]
    assert rows[10] >= 40  # workloads, Services, policies, ingresses, autoscalers, …


def test_render_benchmark_floor_renders_the_charts_output(helm4: str, tmp_path: Path) -> None:
    """The floor is only a floor if Helm prints exactly what the chart printed from it."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import render
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    values = tmp_path / "values.json"
    values.write_text(json.dumps(render.synthetic_values(12)))
    _, manifests = render.render_once(helm4, values)
    notes = render.notes_of(helm4, render.chart_dir(), values, tmp_path)
    assert "svc-0011" in notes
    floor = render.static_chart(render.chart_dir(), tmp_path / "floor", manifests, notes)
    assert not (floor / "values.schema.json").exists()
    static = [f.read_text() for f in (floor / "templates").rglob("*") if f.is_file()]
    assert static and not any('include "svcgen.' in text for text in static)
    _, static_out = render.helm_run(render.template_args(helm4, floor, values), tmp_path)
    assert static_out == manifests


@pytest.mark.parametrize("name, column", [("update.py", "ratio"), ("lint_render.py", "ratio"),
                                          ("diff.py", "ratio")])
def test_command_benchmarks_print_their_ratio_to_the_reference_and_state_a_target(
        helm4: str, name: str, column: str) -> None:
    """update / new file, lint --render / helm template, diff / helm template: each benchmark
    states its target in its docstring and prints the ratio of every size it ran."""
    script = REPO / "benchmarks" / name
    assert "Target" in script.read_text().split('"""')[1]
    proc = run_benchmark(script, "--sizes", "3", "--runs", "2")
    assert proc.returncode == 0, proc.stderr
    header, row = next((lines[i], lines[i + 1]) for lines in [proc.stdout.splitlines()]
                       for i, line in enumerate(lines) if column in line.split())
    end = header.index(f" {column}") + len(column) + 1  # the columns are right-aligned
    ratio = float(row[:end].split()[-1])
    assert row.split()[0] == "3" and ratio > 0
