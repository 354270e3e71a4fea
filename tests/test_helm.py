"""svcgen.helm: which helm is used, where the chart is, and helm's findings as diagnostics."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from chartutil import parse

from svcgen import helm
from svcgen.diagnostics import Severity, SvcgenError

REPO = Path(__file__).resolve().parents[1]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def fake_helm(directory: Path, version: str, name: str = "helm") -> Path:
    return write(directory, name, f"#!/bin/sh\necho {version}\n")


@pytest.fixture(autouse=True)
def _no_helm_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(helm.HELM_ENV, raising=False)


# --- versions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "supported"),
    [
        ("v4.1.4", True),
        ("v4.0.0", True),
        ("v3.17.3", True),
        ("v3.17.0", True),
        ("v3.18.0", False),
        ("v3.18.2", False),
        ("v3.16.4", False),
        ("v2.17.0", False),
        ("not a version", False),
    ],
)
def test_supported_versions_are_helm_4_and_3_17(version: str, supported: bool) -> None:
    assert (helm.unsupported_reason(version) is None) is supported


def test_helm_3_18_0_is_refused_for_its_regression() -> None:
    assert "formats numbers wrongly" in (helm.unsupported_reason("v3.18.0") or "")


# --- finding the binary -------------------------------------------------------------------------


def test_option_wins_over_environment_and_venv(helm3: str, helm4: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(helm.HELM_ENV, helm4)
    found = helm.find_helm(helm3)
    assert (found.path, found.version, found.major) == (helm3, "v3.17.3", 3)


def test_environment_wins_over_venv(helm3: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(helm.HELM_ENV, helm3)
    assert helm.find_helm().path == helm3


def test_venv_helm_wins_over_path(helm4: str, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fake_helm(tmp_path, "v4.0.0").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    found = helm.find_helm()
    assert found.path == str(Path(sys.executable).parent / "helm")
    assert found.version == "v4.1.4"


def test_bare_name_is_looked_up_next_to_the_interpreter(helm3: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert helm.find_helm("helm3").version == "v3.17.3"


def test_explicit_helm_that_is_not_executable(tmp_path: Path) -> None:
    plain = fake_helm(tmp_path, "v4.1.4")  # mode 0644
    with pytest.raises(SvcgenError) as caught:
        helm.find_helm(str(plain))
    assert caught.value.exit_code == 2
    assert "not an executable file" in caught.value.diagnostics[0].message


def test_explicit_file_that_is_not_helm(tmp_path: Path) -> None:
    broken = write(tmp_path, "helm", "#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    with pytest.raises(SvcgenError) as caught:
        helm.find_helm(str(broken))
    assert caught.value.exit_code == 2
    assert "does not run as helm" in caught.value.diagnostics[0].message


# --- the chart --------------------------------------------------------------------------------


def test_chart_is_the_repository_chart_in_a_source_checkout() -> None:
    assert helm.chart_dir() == REPO / "chart"


def test_chart_is_found_inside_an_installed_package(tmp_path: Path) -> None:
    """A wheel puts the chart at svcgen/chart (pyproject's force-include); that copy is used."""
    site = tmp_path / "site-packages"
    shutil.copytree(REPO / "generator" / "svcgen", site / "svcgen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "chart", site / "svcgen" / "chart")
    out = subprocess.run(
        [sys.executable, "-c", "from svcgen.helm import chart_dir; print(chart_dir())"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(site)}, cwd=tmp_path,
    ).stdout.strip()
    assert out == str(site / "svcgen" / "chart")
    assert "svcgen/chart" in (REPO / "pyproject.toml").read_text()


# --- template and lint through the API --------------------------------------------------------

GOOD = """\
components:
  api:
    containers:
      app:
        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        ports:
          http: {containerPort: 8080}
"""


def test_template_renders_the_values(tmp_path: Path, each_helm: str) -> None:
    values = write(tmp_path, "good-values.yaml", GOOD)
    objects = parse(helm.template([values], helm=each_helm, namespace="team-a"))
    assert {(o["kind"], o["metadata"]["name"]) for o in objects} >= {
        ("Deployment", "api"), ("Service", "api")}


def test_lint_passes_good_values_on_both_helms(tmp_path: Path, each_helm: str) -> None:
    values = write(tmp_path, "good-values.yaml", GOOD)
    report = helm.lint([values], helm=each_helm)
    assert report.ok, report.output
    assert not [d for d in report.diagnostics if d.severity is not Severity.INFO]
    assert "1 chart(s) linted, 0 chart(s) failed" in report.output


def test_lint_turns_schema_violations_into_one_positioned_diagnostic(
    tmp_path: Path, each_helm: str
) -> None:
    values = write(tmp_path, "bad-values.yaml", GOOD.replace("8080", '"eighty"'))
    report = helm.lint([values], helm=each_helm)
    assert not report.ok
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    # helm names the violation under values.yaml and again under templates/: reported once.
    assert len(errors) == 1, errors
    (problem,) = errors
    assert (problem.file, problem.line, problem.column) == (str(values), 7, 33)
    assert problem.path == "components.api.containers.app.ports.http.containerPort"
    assert problem.rule == "helm-schema"


def test_strict_lint_fails_on_warnings_and_lenient_lint_reports_them(tmp_path: Path,
                                                                     helm4: str) -> None:
    chart = write(tmp_path, "tw/Chart.yaml", "apiVersion: v2\nname: tw\nversion: 0.1.0\n").parent
    strict = helm.lint(chart=chart, helm=helm4)
    lenient = helm.lint(chart=chart, helm=helm4, strict=False)
    assert not strict.ok and lenient.ok
    warning = next(d for d in lenient.diagnostics if d.severity is Severity.WARNING)
    assert (warning.file, warning.message) == ("tw/templates/", "directory does not exist")


def test_later_file_is_blamed_for_a_value_it_overrides(tmp_path: Path, helm4: str) -> None:
    base = write(tmp_path, "base-values.yaml", GOOD)
    override = write(tmp_path, "prod-values.yaml", "components:\n  api:\n    replicas: -1\n")
    with pytest.raises(SvcgenError) as caught:
        helm.template([base, override], helm=helm4)
    (problem,) = [d for d in caught.value.diagnostics if d.path == "components.api.replicas"]
    assert (problem.file, problem.line) == (str(override), 3)
    assert caught.value.exit_code == 1


def test_stdin_values_are_located_too(helm4: str) -> None:
    with pytest.raises(SvcgenError) as caught:
        helm.template(["-"], helm=helm4, stdin=GOOD.replace("8080", "0"))
    problem = caught.value.diagnostics[0]
    assert (problem.file, problem.line) == ("<stdin>", 7)


# --- the namespace of global.project -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("global:\n  project: shop\n", "shop"),
        ("components: {}\n# the project\nglobal:\n  # its id\n  domain: x.io\n\n  project: two\n"
         "nameOverride: y\n", "two"),
        ("global: {project: flow}\n", "flow"),
        ('{"global": {"project": "from-json"}}', "from-json"),
        ("components:\n  a:\n    upstreams:\n      - project: billing\n", None),
        ("global:\n  project: null\n", None),
        ("global:\n  domain: x.io\nproject: not-global\n", None),
    ],
    ids=["block", "comments-and-blank-lines", "flow", "json", "peer-project", "null", "top-level"],
)
def test_project_namespace_reads_global_project(tmp_path: Path, text: str,
                                               expected: str | None) -> None:
    values = write(tmp_path, "p-values.yaml", text)
    assert helm.project_namespace([values]) == expected


def test_project_namespace_last_file_that_sets_it_wins(tmp_path: Path) -> None:
    first = write(tmp_path, "a-values.yaml", "global:\n  project: first\n")
    second = write(tmp_path, "b-values.yaml", "global:\n  project: second\n")
    unrelated = write(tmp_path, "c-values.yaml", "components: {}\n")
    assert helm.project_namespace([first, second, unrelated]) == "second"
    assert helm.project_namespace(["-"], stdin="global:\n  project: piped\n") == "piped"
