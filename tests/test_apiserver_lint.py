"""``svcgen lint --render --server``: the render is also dry-run on the cluster of a kubeconfig
context (here the real kube-apiserver of scripts/apiserver.py), and what the server refuses comes
back as SVC904 findings at the values that render the object; nothing is created. Without a
reachable server lint says so and exits 2."""

from __future__ import annotations

import base64
import json
import socket
from pathlib import Path

from apiserverutil import RELEASE, Cluster, install, uninstall
from typer.testing import CliRunner

from svcgen.cli import app

WEB = """\
global: {project: %s}
components:
  web:
    securityProfile: %s
    containers:
      app:
        image: {repository: ghcr.io/acme/web, tag: "2.0.1"}
        ports: {http: {containerPort: 8080}}
"""

DB = """\
global: {project: %s}
components:
  db:
    kind: StatefulSet
    containers:
      pg:
        image: {repository: postgres, tag: "16.4"}
        ports: {pg: {containerPort: 5432}}
        volumeMounts: {data: {mountPath: /var/lib/postgresql}}
    volumes:
      data: {size: 5Gi}
"""


def lint(cluster: Cluster, values: Path, *extra: str) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(app, [
        "lint", str(values), "--server", "--kubeconfig", str(cluster.kubeconfig),
        "--release", RELEASE, "--format", "json", "--select", "SVC9", *extra])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def found(diagnostics: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(d["line"], d["column"], d["rule"], d["severity"]) for d in diagnostics]


def test_server_accepts_what_the_offline_checks_accept(cluster: Cluster, tmp_path: Path) -> None:
    cluster.create_namespace("lint-clean", "restricted")
    values = tmp_path / "values.yaml"
    values.write_text(WEB % ("lint-clean", "restricted"))
    assert lint(cluster, values) == (0, [])
    # A dry run: nothing was created.
    assert cluster.call("GET", "/apis/apps/v1/namespaces/lint-clean/deployments")["items"] == []


def test_pods_the_namespace_pod_security_refuses_are_errors_at_the_component(
        cluster: Cluster, tmp_path: Path) -> None:
    """Offline, `securityProfile: baseline` is a valid choice; a namespace that enforces
    `restricted` refuses its pods, which only the server knows."""
    cluster.create_namespace("lint-restricted", "restricted")
    values = tmp_path / "values.yaml"
    values.write_text(WEB % ("lint-restricted", "baseline"))
    code, diagnostics = lint(cluster, values)
    assert code == 1
    assert found(diagnostics) == [(3, 3, "SVC904", "error")]  # web:
    message = str(diagnostics[0]["message"])
    assert message.startswith("Deployment web (apps/v1): the server (svcgen-apiserver) refuses")
    assert 'would violate PodSecurity "restricted:latest"' in message


def test_installed_release_is_checked_as_the_upgrade_would_change_it(
        cluster: Cluster, helm4: str, tmp_path: Path) -> None:
    """The dry run of an existing object is the update: an immutable field is refused."""
    cluster.create_namespace("lint-upgrade", "restricted")
    base = tmp_path / "base.yaml"
    base.write_text(DB % "lint-upgrade")
    installed = install(cluster, helm4, RELEASE, "lint-upgrade", [base])
    assert installed.ok and installed.problems == [], installed.problems
    try:
        new = tmp_path / "values.yaml"
        new.write_text(DB % "lint-upgrade" + "    service: {name: database}\n")
        code, diagnostics = lint(cluster, new)
        assert code == 1
        assert found(diagnostics) == [(3, 3, "SVC904", "error")]  # db:
        assert "StatefulSet db (apps/v1): the server (svcgen-apiserver) refuses it: " \
            'StatefulSet.apps "db" is invalid: spec: Forbidden: updates to statefulset spec ' \
            "for fields other than" in str(diagnostics[0]["message"])
        assert lint(cluster, base) == (0, [])
    finally:
        uninstall(cluster, helm4, RELEASE, "lint-upgrade")


def test_missing_namespace_is_reported_not_created(cluster: Cluster, tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(WEB % ("lint-nowhere", "restricted"))
    code, diagnostics = lint(cluster, values)
    assert code == 1
    assert {d["rule"] for d in diagnostics} == {"SVC904"}
    assert "namespace lint-nowhere does not exist on the server" in str(diagnostics[0]["message"])
    assert cluster.attempt("GET", "/api/v1/namespaces/lint-nowhere").status == 404


def test_no_reachable_server_says_so_and_exits_2(cluster: Cluster, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = json.loads(cluster.kubeconfig.read_text())
    config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(json.dumps(config))
    values = tmp_path / "values.yaml"
    values.write_text(WEB % ("lint-clean", "restricted"))
    result = CliRunner().invoke(app, ["lint", str(values), "--server", "--kubeconfig",
                                      str(kubeconfig)])
    assert result.exit_code == 2
    assert f"no reachable Kubernetes API server at https://127.0.0.1:{port}" in result.output
    assert "context `svcgen-apiserver`" in result.output
    unknown = CliRunner().invoke(app, ["lint", str(values), "--server", "--kubeconfig",
                                       str(kubeconfig), "--kube-context", "prod"])
    assert unknown.exit_code == 2
    assert "no context `prod` in the kubeconfig" in unknown.output


def test_exec_credential_plugin_and_certificate_files_authenticate(
        cluster: Cluster, tmp_path: Path) -> None:
    """Cloud kubeconfigs get their credentials from a plugin (`exec`); others name files."""
    config = json.loads(cluster.kubeconfig.read_text())
    user = config["users"][0]["user"]
    cert = base64.b64decode(user.pop("client-certificate-data")).decode()
    key = base64.b64decode(user.pop("client-key-data")).decode()
    plugin = tmp_path / "credential-plugin"
    credential = {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
                  "status": {"clientCertificateData": cert, "clientKeyData": key}}
    plugin.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(credential)}\nEOF\n")
    plugin.chmod(0o755)
    user["exec"] = {"apiVersion": "client.authentication.k8s.io/v1", "command": str(plugin)}
    kubeconfig = tmp_path / "exec-kubeconfig"
    kubeconfig.write_text(json.dumps(config))
    cluster.create_namespace("lint-clean", "restricted")
    values = tmp_path / "values.yaml"
    values.write_text(WEB % ("lint-clean", "restricted"))
    assert lint(cluster, values, "--kubeconfig", str(kubeconfig)) == (0, [])
    # Files named relative to the kubeconfig, as kubectl resolves them.
    (tmp_path / "admin.crt").write_text(cert)
    (tmp_path / "admin.key").write_text(key)
    del user["exec"]
    user.update({"client-certificate": "admin.crt", "client-key": "admin.key"})
    kubeconfig.write_text(json.dumps(config))
    assert lint(cluster, values, "--kubeconfig", str(kubeconfig)) == (0, [])
