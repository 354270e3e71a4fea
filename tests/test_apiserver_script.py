"""scripts/apiserver.py: the cached build is verified before use, the server it starts is the
pinned Kubernetes with PodSecurity enforcing and every CRD the chart renders served (Gateway
API's CEL rules included), a second start finds it running, and stop removes its data.

The server under test is the session's (tests/conftest.py); the stop and restart test runs a
second server in a directory of its own, from the same cache.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from apiserverutil import REPO, Cluster, Refusal, install, pod_of, script

SCRIPT = REPO / "scripts" / "apiserver.py"

#: (group/version, plural) of every kind the chart can render that is not Kubernetes' own.
CUSTOM = {
    ("gateway.networking.k8s.io/v1", "httproutes"), ("gateway.networking.k8s.io/v1", "grpcroutes"),
    ("gateway.networking.k8s.io/v1beta1", "referencegrants"),
    ("keda.sh/v1alpha1", "scaledobjects"), ("keda.sh/v1alpha1", "triggerauthentications"),
    ("http.keda.sh/v1alpha1", "httpscaledobjects"),
    ("monitoring.coreos.com/v1", "servicemonitors"), ("monitoring.coreos.com/v1", "podmonitors"),
    ("security.istio.io/v1", "authorizationpolicies"), ("networking.istio.io/v1", "sidecars"),
}


def test_server_is_the_pinned_version_and_serves_every_custom_kind(cluster: Cluster) -> None:
    version = cluster.call("GET", "/version")
    assert version["gitVersion"] == script.KUBERNETES_VERSION
    for group_version, plural in sorted(CUSTOM):
        listing = cluster.call("GET", f"/apis/{group_version}")
        assert plural in {r["name"] for r in listing["resources"]}, (group_version, plural)


def test_gateway_api_crds_enforce_their_cel_rules(cluster: Cluster) -> None:
    """The upstream CRD's x-kubernetes-validations run: a PathPrefix path must start with /."""
    cluster.create_namespace("cel", "restricted")
    route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
             "metadata": {"name": "r"},
             "spec": {"rules": [{"matches": [{"path": {"type": "PathPrefix", "value": "api"}}]}]}}
    refused = cluster.dry_run_create(route, "cel")
    assert isinstance(refused, Refusal) and refused.status == 422
    assert "value must be an absolute path" in refused.message
    route["spec"]["rules"][0]["matches"][0]["path"]["value"] = "/api"
    assert cluster.dry_run_create(route, "cel") is None


def test_restricted_namespace_refuses_pods_of_a_baseline_component(
        cluster: Cluster, helm4: str, tmp_path: Path) -> None:
    """The check is not vacuous: PodSecurity enforces the namespace label on the Pods that the
    install helpers dry-run, and helm relays the warning on the workload."""
    cluster.create_namespace("psa-restricted", "restricted")
    values = tmp_path / "values.yaml"
    values.write_text("components:\n  web:\n    securityProfile: baseline\n    containers:\n"
                      "      app:\n        image: {repository: nginx, tag: '1.27'}\n")
    step = install(cluster, helm4, "psa", "psa-restricted", [values])
    assert step.ok
    assert any('would violate PodSecurity "restricted:latest"' in p for p in step.problems)
    assert any(p.startswith("the Pod of Deployment/web: 403 Forbidden") for p in step.problems)
    manifest = cluster.helm(helm4, "get", "manifest", "psa", "-n", "psa-restricted").stdout
    assert "kind: Deployment" in manifest
    cluster.helm(helm4, "uninstall", "psa", "-n", "psa-restricted")
    cluster.create_namespace("psa-baseline", "baseline")
    assert install(cluster, helm4, "psa", "psa-baseline", [values]).problems == []
    cluster.helm(helm4, "uninstall", "psa", "-n", "psa-baseline")


def test_stateful_set_pod_mounts_the_claim_of_its_template() -> None:
    sts = {"kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {
        "volumeClaimTemplates": [{"metadata": {"name": "data"}}],
        "template": {"spec": {"containers": [{"name": "pg"}]}}}}
    pod = pod_of(sts)
    assert pod is not None
    assert pod["spec"]["volumes"] == [
        {"name": "data", "persistentVolumeClaim": {"claimName": "data-db-0"}}]


def ended(pid: int) -> bool:
    """Gone, or a zombie waiting for an init process to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_start_reuses_a_running_server_and_stop_removes_its_data(
        cluster: Cluster, tmp_path: Path) -> None:
    directory = tmp_path / "server"
    first = run("start", "--dir", str(directory))
    assert first.returncode == 0, first.stderr
    assert "ready in" in first.stderr
    kubeconfig = Path(first.stdout.strip())
    assert kubeconfig == directory / "kubeconfig"
    config = json.loads(kubeconfig.read_text())
    assert config["current-context"] == "svcgen-apiserver"
    assert config["clusters"][0]["cluster"]["server"].startswith("https://127.0.0.1:")
    assert config["users"][0]["user"]["client-certificate-data"]
    again = run("start", "--dir", str(directory))
    assert again.returncode == 0 and "already running" in again.stderr
    state = json.loads((directory / "state.json").read_text())
    stopped = run("stop", "--dir", str(directory))
    assert stopped.returncode == 0 and "stopped; data removed" in stopped.stderr
    assert not directory.exists()
    for pid in (state["apiserver_pid"], state["etcd_pid"]):
        assert ended(pid), pid
    assert run("status", "--dir", str(directory)).returncode == 1
    assert "was not running" in run("stop", "--dir", str(directory)).stderr


def test_altered_cache_is_refused_until_rebuilt(cluster: Cluster, tmp_path: Path) -> None:
    """Every start checks the sha256 the build recorded; a changed file is not run."""
    cache = script.Cache(tmp_path / "cache")
    source = script.Cache(script.default_cache())
    shutil.copytree(source.dir, cache.dir, ignore=shutil.ignore_patterns(".lock", ".build-*"))
    assert script.verify(cache) == []
    with (cache.binary("etcd")).open("ab") as handle:
        handle.write(b"\0")
    assert script.verify(cache) == [f"etcd {script.ETCD_VERSION}"]
    with pytest.raises(script.ApiServerError, match=r"not built yet \(or the cache was altered\)"):
        script.start(tmp_path / "server", cache)


def test_staging_modules_are_pinned_to_their_release() -> None:
    go_mod = ("replace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n"
              "\tk8s.io/client-go => ./staging/src/k8s.io/client-go\n)\n")
    assert script.staging_replaces(go_mod, "v1.35.4") == [
        "\tk8s.io/api => k8s.io/api v0.35.4", "\tk8s.io/client-go => k8s.io/client-go v0.35.4"]
    with pytest.raises(script.ApiServerError, match="names no staging modules"):
        script.staging_replaces("module k8s.io/kubernetes\n", "v1.35.4")
