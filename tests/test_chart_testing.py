"""The steps `ct lint` runs, with the same tools and the same configuration (ct.yaml):

yamale on Chart.yaml with chart_schema.yaml; yamllint with lintconf.yaml on Chart.yaml, values.yaml
and every chart/ci/*.yaml; `helm lint` with ct.yaml's extra arguments once per
chart/ci/*-values.yaml scenario (with the default values when there is none, as ct does), with
Helm 4 and with Helm 3. The ct binary itself is not installable here; these tests are its lint.
"""

from __future__ import annotations

import shlex
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yamale
from ruamel.yaml import YAML
from yamllint import linter
from yamllint.config import YamlLintConfig

REPO = Path(__file__).resolve().parents[1]


def load_ct_config() -> dict[str, Any]:
    config: dict[str, Any] = YAML(typ="safe", pure=True).load((REPO / "ct.yaml").read_text())
    return config


CT = load_ct_config()
CHARTS = [REPO / c for c in CT["charts"]]
CHART = CHARTS[0]
CI_VALUES: list[Path | None] = sorted((CHART / "ci").glob("*-values.yaml")) or [None]
YAML_FILES = [CHART / "Chart.yaml", CHART / "values.yaml", *sorted((CHART / "ci").glob("*.yaml"))]


def relative(path: Path | None) -> str:
    return "default-values" if path is None else str(path.relative_to(REPO))


# --- ct.yaml ------------------------------------------------------------------------------------


def test_ct_config_names_files_that_exist() -> None:
    assert CT["chart-dirs"] == ["."]
    assert CT["charts"] == ["chart"]
    assert (REPO / CT["lint-conf"]).is_file()
    assert (REPO / CT["chart-yaml-schema"]).is_file()
    assert CT["validate-maintainers"] is False
    for chart in CHARTS:
        assert (chart / "Chart.yaml").is_file()


def test_ct_lints_strictly_for_a_fixed_kubernetes_version() -> None:
    args = shlex.split(CT["helm-lint-extra-args"])
    assert "--strict" in args
    assert args[args.index("--kube-version") + 1].count(".") == 2


# --- yamale on Chart.yaml ----------------------------------------------------------------------

SCHEMA = yamale.make_schema(str(REPO / CT["chart-yaml-schema"]), parser="ruamel")


def test_chart_yaml_matches_the_chart_schema() -> None:
    data = yamale.make_data(str(CHART / "Chart.yaml"), parser="ruamel")
    yamale.validate(SCHEMA, data)


def test_chart_schema_rejects_what_helm_3_and_4_cannot_install(tmp_path: Path) -> None:
    broken = tmp_path / "Chart.yaml"
    broken.write_text("apiVersion: v1\nname: My_Chart\nversion: '1.0'\n")
    with pytest.raises(yamale.YamaleError) as caught:
        yamale.validate(SCHEMA, yamale.make_data(str(broken), parser="ruamel"))
    message = str(caught.value)
    for field in ("apiVersion", "name", "version", "description"):
        assert field in message


# --- yamllint ---------------------------------------------------------------------------------

LINT_CONFIG = YamlLintConfig(file=str(REPO / CT["lint-conf"]))


def yamllint_problems(text: str, name: str) -> list[str]:
    return [f"{name}:{p.line}:{p.column}: [{p.level}] {p.desc} ({p.rule})"
            for p in linter.run(text, LINT_CONFIG, name)]


@pytest.mark.parametrize("path", YAML_FILES, ids=relative)
def test_chart_yaml_files_pass_yamllint(path: Path) -> None:
    problems = yamllint_problems(path.read_text(), relative(path))
    assert not problems, "\n".join(problems)


def test_yamllint_config_catches_what_helm_reads_differently() -> None:
    text = textwrap.dedent("""\
        components:
          api:
            enabled: yes
            replicas: 1
            replicas: 2
        """)
    problems = "\n".join(yamllint_problems(text, "x-values.yaml"))
    assert "(truthy)" in problems and "(key-duplicates)" in problems


# --- helm lint per scenario ---------------------------------------------------------------------


def helm_lint(helm: str, values: Path | None) -> subprocess.CompletedProcess[str]:
    args = [helm, "lint", str(CHART), *shlex.split(CT["helm-lint-extra-args"])]
    if values is not None:
        args += ["--values", str(values)]
    return subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("values", CI_VALUES, ids=relative)
def test_helm_lint_passes_for_each_ci_scenario(values: Path | None, each_helm: str) -> None:
    proc = helm_lint(each_helm, values)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[ERROR]" not in proc.stdout and "[WARNING]" not in proc.stdout
    assert "1 chart(s) linted, 0 chart(s) failed" in proc.stdout


def test_helm_lint_step_fails_on_values_the_chart_refuses(tmp_path: Path, helm4: str) -> None:
    bad = tmp_path / "bad-values.yaml"
    bad.write_text("components:\n  api:\n    replicas: many\n")
    proc = helm_lint(helm4, bad)
    assert proc.returncode != 0
    assert "/components/api/replicas" in proc.stdout
