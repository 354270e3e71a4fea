"""Every values file the project ships renders alike with Helm 4 and Helm 3, into objects that are
valid for the Kubernetes API (strict: unknown fields are errors) at 1.29 and at 1.35.

The files are the chart-testing scenarios ``chart/ci/*values.yaml`` and the generated examples
``values-examples/**/*values.yaml``, found when the tests are collected; the chart's own defaults
are always a case too. Each (file, helm, Kubernetes version) is rendered once per test process.
"""

from __future__ import annotations

import concurrent.futures
import functools
from pathlib import Path
from typing import Any

import pytest
import yaml
from chartutil import CHART, REPO, RenderError, render_text
from ruamel.yaml import YAML

from svcgen import kube

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KUBE_VERSIONS = ["1.29.0", "1.35.0"]
HELMS = ("helm", "helm3")
DEFAULTS = "defaults"


def value_files() -> list[str]:
    files = sorted(CHART.glob("ci/*values.yaml"))
    files += sorted(REPO.glob("values-examples/**/*values.yaml"))
    return [str(path.relative_to(REPO)) for path in files]


CASES = [DEFAULTS, *value_files()]

Objects = list[dict[str, Any]]


def namespace_for(case: str) -> str:
    """The release namespace: ``global.project`` when the file sets one (the chart insists)."""
    if case == DEFAULTS:
        return "demo"
    data = YAML(typ="safe", pure=True).load((REPO / case).read_text(encoding="utf-8")) or {}
    project = (data.get("global") or {}).get("project")
    return str(project) if project else "demo"


def render(case: str, helm: str, kube_version: str) -> Objects | str:
    """The parsed objects, or helm's error text. ``case`` is relative to the repository."""
    files = [] if case == DEFAULTS else [REPO / case]
    try:
        text = render_text(files=files, helm=helm, kube_version=kube_version,
                           namespace=namespace_for(case))
    except RenderError as exc:
        return exc.stderr
    # libyaml parses a render about 15 times faster than the pure-Python loader, and reads it with
    # the YAML 1.1 rules that the Kubernetes tooling (go-yaml) applies too.
    return [doc for doc in yaml.load_all(text, Loader=SafeLoader) if doc]


@functools.cache
def rendered(case: str, kube_version: str) -> dict[str, Objects | str]:
    """Both Helms' results, run side by side; cached, so a failure is reported by every test."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(HELMS)) as pool:
        futures = {helm: pool.submit(render, case, helm, kube_version) for helm in HELMS}
        return {helm: future.result() for helm, future in futures.items()}


def objects_of(case: str, helm: str, kube_version: str) -> Objects:
    result = rendered(case, kube_version)[helm]
    if isinstance(result, str):
        pytest.fail(f"{helm} template failed for {case} at {kube_version}:\n{result}",
                    pytrace=False)
    return result


def identity(obj: dict[str, Any]) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return str(obj.get("kind")), str(meta.get("namespace", "")), str(meta.get("name"))


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("case", CASES)
def test_helm4_and_helm3_render_the_same_objects(case: str, kube_version: str) -> None:
    helm4 = sorted(objects_of(case, "helm", kube_version), key=identity)
    helm3 = sorted(objects_of(case, "helm3", kube_version), key=identity)
    assert [identity(o) for o in helm4] == [identity(o) for o in helm3]
    for ours, theirs in zip(helm4, helm3, strict=True):
        assert ours == theirs, f"{identity(ours)} differs between Helm 4 and Helm 3"


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("case", CASES)
def test_rendered_objects_are_valid_for_the_kubernetes_api(case: str, kube_version: str) -> None:
    objects = objects_of(case, "helm", kube_version)
    problems = kube.validate_objects(objects, kube_version)
    assert not problems, "\n".join(str(p) for p in problems)


def test_a_failing_file_fails_its_tests(tmp_path: Path) -> None:
    # The same path a listed file takes: a file helm refuses must fail, never pass or skip.
    broken = tmp_path / "broken-values.yaml"
    broken.write_text("components:\n  api:\n    replicas: -1\n", encoding="utf-8")
    with pytest.raises(pytest.fail.Exception, match="components/api/replicas"):
        objects_of(str(broken), "helm", "1.35.0")
