"""The chart as a dependency of an umbrella chart: the parent's globals reach it, and so do the
chart's own global settings set in the parent's values."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from chartutil import CHART, KUBE_VERSION, helm_binary, one, parse

PARENT_VALUES: dict[str, Any] = {
    "global": {"storageClass": "fast", "imageRegistry": "registry.example.com",
               "domain": "example.com"},
    "svcgen": {"components": {"api": {
        "containers": {"app": {"image": {"repository": "ghcr.io/acme/api", "tag": "1.4.2"},
                               "ports": {"http": {"containerPort": 8080}}}},
        "ingress": {},
    }}},
}


@pytest.fixture(scope="module")
def umbrella(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("umbrella") / "platform"
    (parent / "charts").mkdir(parents=True)
    (parent / "Chart.yaml").write_text(
        "apiVersion: v2\nname: platform\nversion: 1.0.0\ntype: application\n")
    shutil.copytree(CHART, parent / "charts" / "svcgen")
    (parent / "values.yaml").write_text(json.dumps(PARENT_VALUES))
    return parent


@pytest.mark.parametrize("helm", ["helm", "helm3"])
def test_parent_globals_do_not_break_the_chart_and_its_own_globals_apply(
    umbrella: Path, helm: str
) -> None:
    proc = subprocess.run(
        [helm_binary(helm), "template", "rel", str(umbrella), "--namespace", "demo",
         "--kube-version", KUBE_VERSION],
        capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    objects = parse(proc.stdout)
    one(objects, "Deployment", "api")
    ingress = one(objects, "Ingress", "api")
    assert [r["host"] for r in ingress["spec"]["rules"]] == ["api.example.com"]


def test_unknown_keys_below_the_top_of_global_are_still_refused(umbrella: Path) -> None:
    values = umbrella / "typo-values.yaml"
    values.write_text(json.dumps({"global": {"networkPolicy": {"enabeld": True}}}))
    proc = subprocess.run(
        [helm_binary("helm"), "template", "rel", str(umbrella), "-f", str(values),
         "--kube-version", KUBE_VERSION],
        capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    assert "enabeld" in proc.stderr
