"""`svcgen template`: the real CLI in a subprocess renders the bundled chart with the real helm."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from chartutil import find, one, parse, render_text

VALUES = """\
global:
  domain: shop.example.com
components:
  api:
    replicas: 2
    containers:
      app:
        image:
          repository: ghcr.io/acme/api
          tag: "1.4.2"
        ports:
          http:
            containerPort: 8080
        env:
          LOG_LEVEL: info
  web:
    containers:
      app:
        image:
          repository: ghcr.io/acme/web
          tag: "2.0.1"
        ports:
          http:
            containerPort: 3000
    ingress:
      hosts:
        www.shop.example.com: {}
"""


def svcgen(
    *args: str,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    python: str = sys.executable,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "SVCGEN_HELM"}
    full_env.update(env or {})
    return subprocess.run(
        [python, "-m", "svcgen", *args],
        input=stdin if stdin is not None else "",
        capture_output=True, text=True, env=full_env, cwd=cwd, timeout=120, check=False,
    )


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def by_kind_and_name(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objects}


@pytest.fixture(scope="module")
def values_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("values"), "shop-values.yaml", VALUES)


@pytest.fixture(scope="module")
def rendered(values_file: Path, helm4: str) -> subprocess.CompletedProcess[str]:
    return svcgen("template", str(values_file), "--release", "shop", "--namespace", "shop")


# --- rendering --------------------------------------------------------------------------------


def test_prints_exactly_what_helm_template_prints(
    rendered: subprocess.CompletedProcess[str], values_file: Path
) -> None:
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout == render_text(files=[values_file], release="shop", namespace="shop")
    assert rendered.stderr == ""


def test_objects_are_named_after_components_and_labelled_with_the_release(
    rendered: subprocess.CompletedProcess[str],
) -> None:
    objects = parse(rendered.stdout)
    assert one(objects, "Deployment", "api")["spec"]["replicas"] == 2
    assert one(objects, "Service", "web")["spec"]["ports"][0]["targetPort"] == "http"
    hosts = [r["host"] for r in one(objects, "Ingress", "web")["spec"]["rules"]]
    assert hosts == ["www.shop.example.com"]
    for obj in find(objects, "Deployment"):
        assert obj["metadata"]["labels"]["app.kubernetes.io/instance"] == "shop"


def test_helm3_renders_the_same_objects(
    rendered: subprocess.CompletedProcess[str], values_file: Path, helm3: str
) -> None:
    proc = svcgen("template", str(values_file), "--release", "shop", "--namespace", "shop",
                  "--helm", helm3)
    assert proc.returncode == 0, proc.stderr
    assert by_kind_and_name(parse(proc.stdout)) == by_kind_and_name(parse(rendered.stdout))


def test_later_values_files_override_earlier_ones(values_file: Path, tmp_path: Path,
                                                  helm4: str) -> None:
    override = write(tmp_path, "prod-values.yaml", "components:\n  api:\n    replicas: 5\n")
    proc = svcgen("template", str(values_file), str(override))
    assert proc.returncode == 0, proc.stderr
    assert one(parse(proc.stdout), "Deployment", "api")["spec"]["replicas"] == 5


def test_dash_reads_values_from_standard_input(
    rendered: subprocess.CompletedProcess[str], helm4: str
) -> None:
    proc = svcgen("template", "-", "--release", "shop", "--namespace", "shop", stdin=VALUES)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == rendered.stdout


def test_passes_release_namespace_and_kube_version_to_helm(
    values_file: Path, tmp_path: Path, helm4: str
) -> None:
    log = tmp_path / "calls.log"
    wrapper = tmp_path / "helm-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {helm4} "$@"\n')
    wrapper.chmod(0o755)
    proc = svcgen("template", str(values_file), "--release", "r1", "-n", "team-a",
                  "--kube-version", "1.31.2", env={"SVCGEN_HELM": str(wrapper)})
    assert proc.returncode == 0, proc.stderr
    calls = log.read_text().splitlines()
    template_call = next(c for c in calls if c.startswith("template "))
    options, _, positionals = template_call.partition(" -- ")
    assert options.split()[0] == "template"
    assert positionals.split()[0] == "r1"
    assert "--namespace=team-a" in options
    assert "--kube-version=1.31.2" in options
    assert f"--values={values_file}" in options


def test_kube_version_below_the_chart_minimum_is_refused_by_helm(
    values_file: Path, helm4: str
) -> None:
    proc = svcgen("template", str(values_file), "--kube-version", "1.20.0")
    assert proc.returncode == 1
    assert "1.20.0" in proc.stderr and "kubeVersion" in proc.stderr
    assert proc.stdout == ""


# --- errors in the values ---------------------------------------------------------------------


def test_schema_error_names_file_line_column_and_values_path(
    tmp_path: Path, each_helm: str
) -> None:
    bad = write(tmp_path, "bad-values.yaml", """\
        components:
          api:
            replicas: two
            containers:
              app:
                image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        """)
    proc = svcgen("template", str(bad), "--helm", each_helm)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert f"{bad}:3:15: error[helm-schema]" in proc.stderr
    assert "(at components.api.replicas)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_chart_failure_points_at_the_value_it_names(tmp_path: Path, helm4: str) -> None:
    bad = write(tmp_path, "bad-values.yaml", """\
        components:
          api:
            containers:
              app:
                image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
                ports:
                  http: {containerPort: 8080}
            service:
              ports:
                http:
                  targetPort: web
        """)
    proc = svcgen("template", str(bad))
    assert proc.returncode == 1
    assert f"{bad}:10:" in proc.stderr  # the `http:` service port the message is about
    assert "components.api.service.ports.http" in proc.stderr
    assert "'web'" in proc.stderr or '"web"' in proc.stderr


def test_missing_values_file_is_a_usage_error(tmp_path: Path) -> None:
    proc = svcgen("template", str(tmp_path / "nope-values.yaml"))
    assert proc.returncode == 2
    assert "no such file" in proc.stderr
    assert proc.stdout == ""


def test_no_values_file_is_a_usage_error() -> None:
    proc = svcgen("template")
    assert proc.returncode == 2
    assert "VALUES" in proc.stderr


# --- no usable helm -----------------------------------------------------------------------------


def assert_says_how_to_install(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "make setup" in proc.stderr and "scripts/install_helm.py" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_helm_option_pointing_nowhere(values_file: Path, tmp_path: Path) -> None:
    proc = svcgen("template", str(values_file), "--helm", str(tmp_path / "no-helm"))
    assert_says_how_to_install(proc)
    assert "no-helm" in proc.stderr


def test_svcgen_helm_variable_pointing_nowhere(values_file: Path, tmp_path: Path) -> None:
    proc = svcgen("template", str(values_file), env={"SVCGEN_HELM": str(tmp_path / "gone")})
    assert_says_how_to_install(proc)
    assert "$SVCGEN_HELM" in proc.stderr


def test_helm_option_with_an_unsupported_version(values_file: Path, tmp_path: Path) -> None:
    old = tmp_path / "helm-old"
    old.write_text("#!/bin/sh\necho v3.16.4\n")
    old.chmod(0o755)
    proc = svcgen("template", str(values_file), "--helm", str(old))
    assert_says_how_to_install(proc)
    assert "v3.16.4" in proc.stderr and "Helm 4.x or Helm 3.17.x" in proc.stderr


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with svcgen importable but no helm next to its python: a plain pip install."""
    root = tmp_path_factory.mktemp("bare-venv")
    venv.EnvBuilder(with_pip=False).create(root)
    site_packages = next(root.glob("lib/python*/site-packages"))
    main_site = sysconfig.get_paths()["purelib"]
    (site_packages / "svcgen-dev.pth").write_text(f"import site; site.addsitedir({main_site!r})\n")
    python = root / "bin" / "python"
    assert not (root / "bin" / "helm").exists()
    return python


def test_no_helm_anywhere(values_file: Path, bare_venv: Path, tmp_path: Path) -> None:
    proc = svcgen("template", str(values_file), python=str(bare_venv),
                  env={"PATH": str(tmp_path)})
    assert_says_how_to_install(proc)
    assert "was not found" in proc.stderr


def test_helm_3_18_0_on_path_is_passed_over(values_file: Path, bare_venv: Path,
                                            tmp_path: Path) -> None:
    regressed = tmp_path / "helm"
    regressed.write_text("#!/bin/sh\necho v3.18.0\n")
    regressed.chmod(0o755)
    proc = svcgen("template", str(values_file), python=str(bare_venv),
                  env={"PATH": f"{tmp_path}:/bin:/usr/bin"})
    assert_says_how_to_install(proc)
    assert "3.18.0" in proc.stderr and "formats numbers wrongly" in proc.stderr


def test_supported_helm_on_path_is_used(values_file: Path, bare_venv: Path, tmp_path: Path,
                                        helm4: str) -> None:
    (tmp_path / "helm").symlink_to(helm4)
    proc = svcgen("template", str(values_file), python=str(bare_venv),
                  env={"PATH": f"{tmp_path}:/bin:/usr/bin"})
    assert proc.returncode == 0, proc.stderr
    assert one(parse(proc.stdout), "Deployment", "api")["spec"]["replicas"] == 2


# --- the namespace ------------------------------------------------------------------------------


def test_namespace_defaults_to_global_project(values_file: Path, tmp_path: Path,
                                              helm4: str) -> None:
    project = write(tmp_path, "project-values.yaml", "global:\n  project: shop\n")
    proc = svcgen("template", str(values_file), str(project))
    assert proc.returncode == 0, proc.stderr
    explicit = svcgen("template", str(values_file), str(project), "--namespace", "shop")
    assert explicit.returncode == 0, explicit.stderr
    assert proc.stdout == explicit.stdout


def test_another_namespace_than_global_project_is_refused_at_the_value(
    values_file: Path, tmp_path: Path, helm4: str
) -> None:
    project = write(tmp_path, "project-values.yaml", "global:\n  project: shop\n")
    proc = svcgen("template", str(values_file), str(project), "--namespace", "billing")
    assert proc.returncode == 1
    assert f"{project}:2:12:" in proc.stderr
    assert "global.project" in proc.stderr and '"billing"' in proc.stderr


def test_what_helm_says_while_succeeding_reaches_stderr_not_the_manifests(
    rendered: subprocess.CompletedProcess[str], values_file: Path, tmp_path: Path, helm4: str
) -> None:
    chatty = tmp_path / "helm-chatty"
    warning = "coalesce.go:298: warning: destination for x is a table"
    chatty.write_text(f'#!/bin/sh\necho "{warning}" >&2\nexec {helm4} "$@"\n')
    chatty.chmod(0o755)
    proc = svcgen("template", str(values_file), "--release", "shop", "--namespace", "shop",
                  "--helm", str(chatty))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == rendered.stdout
    assert f"helm: {warning}" in proc.stderr
