"""The lint merges values files exactly as Helm does: checked against what the real helm binaries
hand to a chart's templates (`toJson .Values`) for the same files and chart defaults."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from chartutil import helm_binary

from svcgen.lint.source import parse_values
from svcgen.merge import merge

DEFAULTS = """\
global:
  domain: null
  flag: true
  nested: {keep: 1, drop: 2}
components: {}
tests: {enabled: true}
"""
FILES = [
    """\
global:
  flag: false
  nested: {drop: 3}
components:
  api:
    replicas: 2
    env: {A: "1", B: "2"}
    list: [1, 2, 3]
    scaling: {minReplicas: 1}
    gone: {x: 1}
tests: {enabled: false}
""",
    """\
global:
  flag: null
  nested: {drop: null}
components:
  api:
    env: {B: null, C: "3"}
    list: [9]
    scaling: 5
    gone: null
    fresh: {z: 1, w: null}
  web: null
tests: null
""",
    """\
components:
  api:
    gone: {again: true}
  web: {replicas: 1}
""",
    """\
scalars: {a: on, b: "on", g: n, h: 12:30, i: 1_000, j: 0o17, k: 017, l: 0b101, m: +12,
          p: 1e3, q: 2024-01-01, r: 0x1F, s: 1.10, t: ~, u: Off, v: "012", y: 1, 7: 7,
          1.5: x, 2.0: z}
""",
]

TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: merged
data:
  values: {{ toJson .Values | quote }}
"""


@pytest.fixture(scope="module")
def chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mergecheck")
    (root / "templates").mkdir()
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: mergecheck\nversion: 0.1.0\n")
    (root / "values.yaml").write_text(DEFAULTS)
    (root / "templates" / "values.yaml").write_text(TEMPLATE)
    return root


def helm_values(helm: str, chart: Path, files: list[Path]) -> Any:
    args = [helm_binary(helm), "template", "r", str(chart)]
    for f in files:
        args += ["-f", str(f)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("values:"))
    return json.loads(json.loads(line.split(":", 1)[1]))


def without_defaults_only(helm: Any, defaults: Any, written: list[Any]) -> Any:
    """Helm also fills in the chart's defaults where no file wrote the key; the lint leaves that
    to the model. Drop exactly those keys (a key any file wrote is always compared)."""
    if not isinstance(helm, dict) or not isinstance(defaults, dict):
        return helm
    out = {}
    for key, value in helm.items():
        below = [w[key] for w in written if isinstance(w, dict) and key in w]
        if not below and key in defaults:
            assert value == defaults[key]
            continue
        out[key] = without_defaults_only(value, defaults.get(key), below)
    return out


@pytest.mark.parametrize("helm", ["helm", "helm3"])
@pytest.mark.parametrize("order", [(0, 1, 2), (0, 1), (1, 0), (2, 1, 0), (1,), (3,)])
def test_merge_matches_helm(chart: Path, tmp_path: Path, helm: str,
                            order: tuple[int, ...]) -> None:
    paths = []
    for i in order:
        path = tmp_path / f"f{i}-values.yaml"
        path.write_text(FILES[i])
        paths.append(path)
    defaults = parse_values("values.yaml", DEFAULTS).data
    sources = [parse_values(str(p), p.read_text()) for p in paths]
    merged = merge(sources, defaults).data
    expected = without_defaults_only(helm_values(helm, chart, paths), defaults,
                                     [s.data for s in sources])
    assert merged == expected
