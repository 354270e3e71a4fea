"""svcgen lint --render: the real helm renders and lints the values, and every rendered object is
validated against the Kubernetes API schemas; problems come back as findings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from chartutil import helm_binary
from typer.testing import CliRunner

from svcgen import kube
from svcgen.cli import app
from svcgen.lint import Linter, RenderOptions

REPO = Path(__file__).resolve().parents[1]
BASE = """\
components:
  api:
    containers:
      app:
        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        ports:
          http: {containerPort: 8080}
"""


def render(files: list[str], **kw: str) -> list[tuple[str, int, int, str, str]]:
    opts = RenderOptions(kube_version="1.35.0", release="shop", helm=helm_binary("helm"), **kw)
    result = Linter().lint_files(files, select=["SVC9"], render=opts)
    return [(Path(d.file).name, d.line, d.column, d.rule, d.message) for d in result.diagnostics]


def test_rich_values_render_and_validate_clean_with_schemas_loaded_once() -> None:
    found = render([str(REPO / "values-examples" / "shop-values.yaml")])
    assert found == []
    # The counter covers the whole process (other tests may have loaded schemas first): every
    # schema file was read, and read once.
    assert kube.loads and set(kube.loads.values()) == {1}


def test_chart_refusal_is_reported_where_the_value_was_written(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(BASE + "        volumeMounts:\n          svcgen-tmp: {mountPath: /s}\n"
                      "    volumes:\n      svcgen-tmp: {emptyDir: {}}\n")
    [(file, line, col, rule, message)] = render([str(values)])
    assert (file, line, col, rule) == ("values.yaml", 11, 7, "SVC901")
    assert "reserved for the scratch volume" in message


def test_kube_schema_problems_name_object_and_field(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(BASE + "    affinity:\n      nodeAffinty: {}\n    tolerations:\n"
                      "      - {key: a, operator: Exists, tolerationSeconds: x}\n")
    found = render([str(values)])
    assert [(f, line, col, rule) for f, line, col, rule, _ in found] == [
        ("values.yaml", 9, 7, "SVC903"), ("values.yaml", 11, 55, "SVC903")]
    assert found[0][4] == ("Deployment api (apps/v1): spec.template.spec.affinity.nodeAffinty: "
                           "unknown field 'nodeAffinty'")
    assert "tolerations[0].tolerationSeconds" in found[1][4]


def test_render_is_skipped_when_the_values_have_errors(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(BASE + "    replicas: 2\n    scaling: {minReplicas: 3, maxReplicas: 2}\n")
    result = CliRunner().invoke(app, ["lint", "--render", "--helm", str(tmp_path / "no-helm"),
                                      "--format", "json", str(values)])
    # No helm is run (a missing one would be a usage error, exit 2): the values' own error stands.
    assert result.exit_code == 1
    assert '"rule": "SVC301"' in result.stdout


def test_unknown_kube_version_is_a_usage_error() -> None:
    for version in ("abc", "9.99.0"):
        result = CliRunner().invoke(app, ["lint", "--render", "--kube-version", version,
                                          str(REPO / "values-examples" / "minimal-values.yaml")])
        assert result.exit_code == 2
        assert "Kubernetes" in result.stderr and result.stdout == ""


def test_standard_input_is_linted_and_rendered() -> None:
    text = (REPO / "tests" / "lint_fixtures" / "rules" / "SVC101-bad.yaml").read_text()
    result = CliRunner().invoke(app, ["lint", "--render", "--helm", helm_binary("helm"),
                                      "--select", "SVC101,SVC9", "-"], input=text)
    assert result.exit_code == 1
    assert result.stdout.startswith("-\n  11:34  error    SVC101")
    assert "SVC9" not in result.stdout  # the values' own error stops the render


def test_standard_input_renders_through_helm(tmp_path: Path) -> None:
    text = BASE + "    affinity:\n      nodeAffinty: {}\n"
    result = CliRunner().invoke(app, ["lint", "--render", "--helm", helm_binary("helm"),
                                      "--select", "SVC9", "--format", "json", "-"], input=text)
    assert result.exit_code == 1
    assert '"file": "-"' in result.stdout and '"line": 9' in result.stdout


def test_helm_lint_findings_keep_their_severity(tmp_path: Path, monkeypatch: Any) -> None:
    """helm lint's own parsing is helm.py's (tested there); here: what lint makes of its report.
    Real `helm template` still runs; the lint report is one helm printed for a deprecated API."""
    from svcgen import helm
    from svcgen.diagnostics import Diagnostic, Severity

    printed = "[WARNING] templates/hpa.yaml: autoscaling/v2beta2 is deprecated"
    report = helm.LintReport(ok=True, output=printed, diagnostics=(
        Diagnostic(file="svcgen/templates/hpa.yaml", rule="helm-lint", severity=Severity.WARNING,
                   message="autoscaling/v2beta2 is deprecated", hint="fix what helm lint names"),
        Diagnostic(file="svcgen/Chart.yaml", rule="helm-lint", severity=Severity.INFO,
                   message="icon is recommended"),
    ))
    calls: list[dict[str, Any]] = []

    def fake_lint(files: list[str], **kw: Any) -> helm.LintReport:
        calls.append({"files": list(files), **kw})
        return report

    monkeypatch.setattr(helm, "lint", fake_lint)
    values = tmp_path / "values.yaml"
    values.write_text(BASE)
    opts = RenderOptions(kube_version="1.35.0", release="shop", helm=helm_binary("helm"))
    result = Linter().lint_files([str(values)], select=["SVC9"], render=opts)
    assert [(d.rule, d.severity, d.file, d.message) for d in result.diagnostics] == [
        ("SVC902", Severity.WARNING, "svcgen/templates/hpa.yaml",
         "autoscaling/v2beta2 is deprecated")]
    assert result.exit_status(strict=False) == 0 and result.exit_status(strict=True) == 1
    assert calls[0]["files"] == [str(values)] and calls[0]["kube_version"] == "1.35.0"


def test_render_validates_service_and_pod_monitors_against_our_crd_schemas(
    monkeypatch: Any,
) -> None:
    scenarios = [str(REPO / "chart" / "ci" / f"metrics-{name}-values.yaml")
                 for name in ("servicemonitor", "podmonitor")]
    assert [render([s]) for s in scenarios] == [[], []]
    # Without the bundled schemas the same objects are problems, never silently accepted. The
    # caches are emptied around the check (and the load counter kept apart) so that later tests
    # see the schemas as they are.
    without = {key: path for key, path in kube._crd_files().items()
               if key[0] != "monitoring.coreos.com/v1"}
    monkeypatch.setattr(kube, "loads", Counter())
    kube._validator.cache_clear()
    monkeypatch.setattr(kube, "_crd_files", lambda: without)
    try:
        messages = [m for s in scenarios for *_, m in render([s])]
    finally:
        kube._validator.cache_clear()
    assert ("ServiceMonitor api (monitoring.coreos.com/v1): (object): no schema for kind "
            "ServiceMonitor (monitoring.coreos.com/v1) in Kubernetes 1.35.0") in messages
    assert any(m.startswith("PodMonitor worker") for m in messages)


def test_render_validates_gateway_api_routes_against_our_crd_schemas(monkeypatch: Any) -> None:
    scenarios = [str(REPO / "chart" / "ci" / f"gateway-{name}-values.yaml")
                 for name in ("routes", "grpc")]
    assert [render([s]) for s in scenarios] == [[], []]
    # Without the bundled Gateway API schemas the routes and the grant are problems.
    without = {key: path for key, path in kube._crd_files().items()
               if not key[0].startswith("gateway.networking.k8s.io/")}
    monkeypatch.setattr(kube, "loads", Counter())
    kube._validator.cache_clear()
    monkeypatch.setattr(kube, "_crd_files", lambda: without)
    try:
        messages = [m for s in scenarios for *_, m in render([s])]
    finally:
        kube._validator.cache_clear()
    for kind, version in (("HTTPRoute", "v1"), ("GRPCRoute", "v1"), ("ReferenceGrant", "v1beta1")):
        assert any(f"no schema for kind {kind} (gateway.networking.k8s.io/{version})" in m
                   for m in messages), kind
