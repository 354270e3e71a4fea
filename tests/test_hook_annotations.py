"""Users cannot make chart objects into Helm hooks by accident: `helm.sh/hook*` and
`helm.sh/resource-policy` in values annotations are lint errors (SVC005) at the key, the chart's
own hook model (`job.hook`) is not, and the chart refuses a value helm would not understand with
the values path — helm itself skips an object with an unknown hook phase without an error."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from chartutil import ONE_COMPONENT
from typer.testing import CliRunner

from svcgen.cli import app
from svcgen.lint import Linter

CHART = Path(__file__).parent.parent / "chart"

API = ONE_COMPONENT
MIGRATE = """\
  migrate:
    kind: Job
    job:
      hook: {phases: [pre-install, pre-upgrade]}
    containers:
      app:
        image: {repository: ghcr.io/acme/migrate, tag: "1.4.2"}
"""


def lint(tmp_path: Path, text: str) -> list[tuple[int, int, str, str]]:
    values = tmp_path / "values.yaml"
    values.write_text(text)
    result = Linter().lint_files([str(values)], select=["SVC005"])
    return [(d.line, d.column, d.rule, d.path) for d in result.diagnostics]


@pytest.mark.parametrize(("extra", "position", "path"), [
    ("    annotations: {helm.sh/hook: post-install}\n", (7, 19),
     "components.api.annotations.helm.sh/hook"),
    ("    annotations: {helm.sh/hook-weight: '5'}\n", (7, 19),
     "components.api.annotations.helm.sh/hook-weight"),
    ("    annotations: {helm.sh/resource-policy: keep}\n", (7, 19),
     "components.api.annotations.helm.sh/resource-policy"),
    ("    service: {annotations: {helm.sh/hook: pre-instal}}\n", (7, 29),
     "components.api.service.annotations.helm.sh/hook"),
    ("    serviceAccount: {create: true, annotations: {helm.sh/hook-delete-policy: x}}\n",
     (7, 50), "components.api.serviceAccount.annotations.helm.sh/hook-delete-policy"),
    ("    ingress: {annotations: {helm.sh/hook: test}}\n", (7, 29),
     "components.api.ingress.annotations.helm.sh/hook"),
])
def test_helm_managed_annotation_in_component_values_is_an_error_at_its_key(
        tmp_path: Path, extra: str, position: tuple[int, int], path: str) -> None:
    assert lint(tmp_path, API + extra) == [(*position, "SVC005", path)]


def test_helm_managed_annotation_in_global_is_an_error(tmp_path: Path) -> None:
    text = "global:\n  annotations: {helm.sh/hook: pre-upgrade}\n" + API
    #                      ^ (2, 17)
    assert lint(tmp_path, text) == [(2, 17, "SVC005", "global.annotations.helm.sh/hook")]


def test_hook_through_the_chart_job_model_is_not_reported(tmp_path: Path) -> None:
    assert lint(tmp_path, API + MIGRATE) == []


def test_hook_annotation_is_reported_even_when_the_values_fail_the_schema(
        tmp_path: Path) -> None:
    text = API + "    replicas: three\n    annotations: {helm.sh/hook: post-install}\n"
    values = tmp_path / "values.yaml"
    values.write_text(text)
    rules = {d.rule for d in Linter().lint_files([str(values)]).diagnostics}
    assert {"SVC001", "SVC005"} <= rules


def render(helm: str, tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    values = tmp_path / "values.yaml"
    values.write_text(text)
    return subprocess.run([helm, "template", "r", str(CHART), "-f", str(values),
                           "--kube-version", "1.35.0"], capture_output=True, text=True,
                          check=False)


@pytest.mark.parametrize(("extra", "message"), [
    ("    annotations: {helm.sh/hook: pre-instal}\n",
     'components.api.annotations: helm.sh/hook "pre-instal" is not a Helm hook phase'),
    ("    annotations: {helm.sh/hook: 'pre-install,post-upgade'}\n",
     'components.api.annotations: helm.sh/hook "post-upgade" is not a Helm hook phase'),
    ("    service: {annotations: {helm.sh/hook-delete-policy: hook-succeded}}\n",
     'components.api.service.annotations: helm.sh/hook-delete-policy "hook-succeded" is not'),
    ("    ingress: {annotations: {helm.sh/hook-weight: high}}\n",
     'components.api.ingress.annotations: helm.sh/hook-weight "high" is not a whole number'),
    ("    serviceAccount: {create: true, annotations: {helm.sh/resource-policy: Keeep}}\n",
     'components.api.serviceAccount.annotations: helm.sh/resource-policy "Keeep" means nothing'),
])
def test_chart_refuses_a_value_helm_would_not_understand_with_its_path(
        tmp_path: Path, each_helm: str, extra: str, message: str) -> None:
    done = render(each_helm, tmp_path, "global: {domain: example.com}\n" + API + extra)
    assert done.returncode == 1 and done.stdout == ""
    assert message in done.stderr


def test_chart_refuses_an_unknown_hook_in_global_annotations(tmp_path: Path,
                                                             each_helm: str) -> None:
    done = render(each_helm, tmp_path, "global: {annotations: {helm.sh/hook: postinstall}}\n" + API)
    assert done.returncode == 1
    assert 'global.annotations: helm.sh/hook "postinstall" is not a Helm hook phase' in done.stderr


def test_known_hook_values_and_the_job_hook_still_render(tmp_path: Path, each_helm: str) -> None:
    done = render(each_helm, tmp_path, API + MIGRATE)
    assert done.returncode == 0, done.stderr
    assert "helm.sh/hook: pre-install,pre-upgrade" in done.stdout


def test_misspelt_hook_fails_lint_with_render(tmp_path: Path, helm4: str) -> None:
    """The typo that used to drop the component from the render now fails lint, with --render
    and without it."""
    values = tmp_path / "values.yaml"
    values.write_text(API + "    annotations: {helm.sh/hook: pre-instal}\n")
    for extra in ([], ["--render", "--helm", helm4]):
        result = CliRunner().invoke(app, ["lint", *extra, str(values)])
        assert result.exit_code == 1, result.output
        assert "SVC005" in result.stdout
