"""``svcgen diff``'s upgrade findings confirmed by the real kube-apiserver: for each upgrade case
of the diff tests, the base values are installed with the real helm and upgraded to the new ones.
The objects whose changes the diff calls refused (immutable selector, StatefulSet serviceName and
volumeClaimTemplates, Job template, Service clusterIP, claim storage class and size) must be
exactly the objects the server refuses, and an upgrade the diff lets through must be accepted,
with the effect the diff describes where the server keeps the old value or defaults a field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from apiserverutil import (
    RELEASE,
    Cluster,
    diff_refused,
    helm_step,
    install,
    namespace_name,
    server_refused,
    uninstall,
)
from chartutil import CHART
from test_diff_rules import API, DB, JOB, VOLUME

CASES: dict[str, tuple[str, str]] = {
    "statefulset-service-name": (DB, DB + "    service: {name: database}\n"),
    "claim-template-rename": (DB, DB.replace("data", "pgdata")),
    "name-override-selectors": (API + DB[len("components:\n"):],
                                "nameOverride: shop\n" + API + DB[len("components:\n"):]),
    "cluster-ip-to-headless": (API, API + "    service: {type: Headless}\n"),
    "headless-to-cluster-ip": (API + "    service: {type: Headless}\n",
                               API + "    service: {type: ClusterIP}\n"),
    "claim-class-and-shrink": (VOLUME, VOLUME.replace("size: 2Gi, storageClassName: standard",
                                                      "size: 1Gi, storageClassName: fast")),
    "claim-grows": (VOLUME, VOLUME.replace("2Gi", "4Gi")),
    "job-template": (JOB, JOB.replace("1.0.0", "1.1.0")),
    "image-change": (API, API.replace("1.4.2", "1.5.0")),
    "scaling-on-drops-replicas": (API + "    replicas: 3\n",
                                  API + "    scaling: {minReplicas: 2, maxReplicas: 6, "
                                  "targetCPU: 70}\n"),
}


def stored(cluster: Cluster, api_version: str, kind: str, name: str, ns: str) -> Any:
    return cluster.get({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}, ns)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("helm_name", ["helm4", "helm3"])
def test_server_refuses_exactly_the_upgrades_the_diff_calls_refused(
        cluster: Cluster, helm_name: str, case: str, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    helm: str = request.getfixturevalue(helm_name)
    base_text, new_text = CASES[case]
    base, new = tmp_path / "base.yaml", tmp_path / "new.yaml"
    base.write_text(base_text)
    new.write_text(new_text)
    namespace = namespace_name(f"upgrade-{case}-{helm_name}")
    expected = diff_refused(helm, [base], [new], namespace)
    cluster.create_namespace(namespace, "restricted")
    if case.startswith("claim-"):
        claim_storage_classes(cluster)
    installed = install(cluster, helm, RELEASE, namespace, [base])
    try:
        assert installed.ok and installed.problems == [], installed.problems
        if case.startswith("claim-"):
            bind_claims(cluster, namespace)
        upgraded = helm_step(cluster, helm, "upgrade", RELEASE, str(CHART), "-n", namespace,
                             "-f", str(new), "--no-hooks")
        assert server_refused(upgraded.output) == expected, upgraded.output
        assert upgraded.ok == (not expected), upgraded.output
        if case == "headless-to-cluster-ip":
            # Accepted, and the change is lost: the diff's "stays headless".
            service = stored(cluster, "v1", "Service", "api", namespace)
            assert service["spec"]["clusterIP"] == "None"
        if case == "scaling-on-drops-replicas":
            # The diff: "Kubernetes runs 1 replica until the autoscaler scales up".
            deployment = stored(cluster, "apps/v1", "Deployment", "api", namespace)
            assert deployment["spec"]["replicas"] == 1
    finally:
        uninstall(cluster, helm, RELEASE, namespace)


def claim_storage_classes(cluster: Cluster) -> None:
    """The storage classes the claim case names, expandable as a cloud's default class is."""
    for name in ("standard", "fast"):
        cluster.attempt("POST", "/apis/storage.k8s.io/v1/storageclasses", {
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": name}, "provisioner": "example.com/disk",
            "allowVolumeExpansion": True})


def bind_claims(cluster: Cluster, namespace: str) -> None:
    """Mark the release's claims bound, as the volume controller would once a disk exists: the
    server allows a bound claim to grow, never an unbound one to change."""
    claims = cluster.call("GET", f"/api/v1/namespaces/{namespace}/persistentvolumeclaims")
    for claim in claims["items"]:
        name = claim["metadata"]["name"]
        claim["status"] = {"phase": "Bound", "capacity": claim["spec"]["resources"]["requests"]}
        cluster.call("PUT", f"/api/v1/namespaces/{namespace}/persistentvolumeclaims/{name}/status",
                     claim)
