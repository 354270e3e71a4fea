"""The workload kinds beyond Deployment and StatefulSet: Job (optionally a Helm hook), CronJob
and DaemonSet, rendered with the real helm. Everything a pod has works the same for every kind;
what differs is asserted here: the kind's own spec, which objects come with it (a Service, a
PodDisruptionBudget, an autoscaler) and how the policies and the `helm test` hook treat it.
"""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest
from chartutil import (
    CHART,
    REPO,
    WORKLOAD_KINDS,
    RenderError,
    find,
    helm_binary,
    one,
    pod_template,
    render,
)
from ruamel.yaml import YAML

from svcgen.lint.rules._common import service_ports
from svcgen.model import Values

Obj = dict[str, Any]
CI = CHART / "ci"
IMAGE = {"repository": "ghcr.io/acme/api", "tag": "1.4.2"}


def workload(objects: list[Obj], name: str) -> Obj:
    (found,) = [o for o in objects if o["kind"] in WORKLOAD_KINDS
                and o["metadata"]["name"] == name]
    return found


def a_component(kind: str, **extra: Any) -> Obj:
    """A component with every pod feature: init container, volumes, secret env (inline and by
    reference), a security profile, placement and its own ServiceAccount."""
    comp: Obj = {
        "kind": kind,
        "securityProfile": "baseline",
        "podSecurityContext": {"fsGroup": 2000},
        "serviceAccount": {"create": True},
        "nodeSelector": {"disk": "ssd"},
        "tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}],
        "priorityClassName": "batch",
        "podLabels": {"team": "data"},
        "initContainers": {"wait": {"image": {"repository": "busybox", "tag": "1.36.1"},
                                    "command": ["sh", "-c", "true"]}},
        "containers": {"app": {
            "image": IMAGE,
            "env": {"LOG_LEVEL": "info"},
            "secretEnv": {"DB_PASSWORD": {"secret": "db", "key": "password"},
                          "API_TOKEN": {"value": "not-a-real-token"}},
            "volumeMounts": {"config": {"mountPath": "/etc/app"},
                             "scratch": {"mountPath": "/var/tmp/app"}},
            "securityContext": {"runAsUser": 1000},
        }},
        "volumes": {"config": {"files": {"app.toml": "workers = 2\n"}},
                    "scratch": {"emptyDir": {"sizeLimit": "1Gi"}}},
    }
    if kind == "CronJob":
        comp["cronJob"] = {"schedule": "@daily"}
    comp.update(extra)
    return comp


@pytest.fixture(scope="module")
def every_kind() -> list[Obj]:
    return render({"components": {kind.lower(): a_component(kind) for kind in WORKLOAD_KINDS}})


# --- one kind, one template -------------------------------------------------------------------


@pytest.mark.parametrize("kind", WORKLOAD_KINDS)
def test_a_component_renders_exactly_its_own_kind(kind: str) -> None:
    objects = render({"components": {"x": a_component(kind)}})
    assert [o["kind"] for o in objects if o["kind"] in WORKLOAD_KINDS] == [kind]
    assert workload(objects, "x")["apiVersion"] == ("batch/v1" if "Job" in kind else "apps/v1")


@pytest.mark.parametrize("kind", ["StatefulSet", "Job", "CronJob", "DaemonSet"])
def test_every_pod_feature_works_the_same_for_every_kind(kind: str, every_kind: list[Obj]) -> None:
    """The pod template is shared: apart from what the kind itself decides (a Job's
    restartPolicy), each kind's pod equals the Deployment's with its own component id."""
    reference = copy.deepcopy(pod_template(workload(every_kind, "deployment")))
    pod = pod_template(workload(every_kind, kind.lower()))
    expected = _renamed(reference, "deployment", kind.lower())
    if kind in ("Job", "CronJob"):
        expected["spec"]["restartPolicy"] = "OnFailure"
    assert pod == expected


def _renamed(node: Any, old: str, new: str) -> Any:
    """``node`` with every string equal to or prefixed by ``old`` given ``new`` instead."""
    if isinstance(node, dict):
        return {k: _renamed(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_renamed(v, old, new) for v in node]
    if isinstance(node, str) and (node == old or node.startswith(f"{old}-")):
        return new + node[len(old):]
    return node


def test_the_pod_checksums_follow_the_kind(every_kind: list[Obj]) -> None:
    for kind in WORKLOAD_KINDS:
        annotations = pod_template(workload(every_kind, kind.lower()))["metadata"]["annotations"]
        assert {"checksum/config", "checksum/secret"} <= set(annotations)


# --- Job ----------------------------------------------------------------------------------------


def test_a_job_runs_to_completion_with_its_settings_and_no_selector() -> None:
    objects = render({"components": {"seed": a_component("Job", job={
        "restartPolicy": "Never", "backoffLimit": 0, "activeDeadlineSeconds": 300,
        "ttlSecondsAfterFinished": 3600, "completions": 2, "parallelism": 2})}})
    job = one(objects, "Job", "seed")
    spec = job["spec"]
    assert {k: spec[k] for k in ("backoffLimit", "activeDeadlineSeconds",
                                 "ttlSecondsAfterFinished", "completions", "parallelism")} == {
        "backoffLimit": 0, "activeDeadlineSeconds": 300, "ttlSecondsAfterFinished": 3600,
        "completions": 2, "parallelism": 2}
    assert "selector" not in spec  # Kubernetes generates a unique one per Job
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert "annotations" not in job["metadata"] or "helm.sh/hook" not in job["metadata"][
        "annotations"]


def test_a_job_without_settings_leaves_kubernetes_defaults_and_restarts_on_failure() -> None:
    objects = render({"components": {"once": {"kind": "Job", "containers": {
        "app": {"image": IMAGE}}}}})
    spec = one(objects, "Job", "once")["spec"]
    assert set(spec) == {"template"}
    assert spec["template"]["spec"]["restartPolicy"] == "OnFailure"


def test_a_job_gets_no_service_pdb_or_derived_probes_even_with_ports() -> None:
    comp = {"kind": "Job", "containers": {"app": {"image": IMAGE, "ports": {
        "http": {"containerPort": 8080}}}}}
    objects = render({"components": {"task": comp}})
    assert not find(objects, "Service") and not find(objects, "PodDisruptionBudget")
    (ctr,) = pod_template(one(objects, "Job", "task"))["spec"]["containers"]
    assert ctr["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert not {"readinessProbe", "livenessProbe", "startupProbe"} & set(ctr)


def test_a_job_keeps_the_probes_it_states() -> None:
    comp = {"kind": "Job", "containers": {"app": {"image": IMAGE, "probes": {
        "liveness": {"exec": {"command": ["cat", "/tmp/alive"]}, "periodSeconds": 30}}}}}
    (ctr,) = pod_template(one(render({"components": {"task": comp}}), "Job", "task"))["spec"][
        "containers"]
    assert ctr["livenessProbe"] == {"exec": {"command": ["cat", "/tmp/alive"]},
                                    "periodSeconds": 30}


@pytest.fixture(scope="module")
def hook_objects() -> list[Obj]:
    return render(files=[CI / "kinds-job-values.yaml"])


def test_a_hook_job_carries_its_phases_weight_and_delete_policy(hook_objects: list[Obj]) -> None:
    annotations = one(hook_objects, "Job", "migrate")["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "post-install,pre-upgrade"
    assert annotations["helm.sh/hook-weight"] == "5"
    assert annotations["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"


def test_what_a_hook_job_needs_is_a_hook_one_weight_earlier(hook_objects: list[Obj]) -> None:
    """A pre-upgrade hook runs before the release's ordinary objects are updated, so its
    ConfigMap, Secret and ServiceAccount must be hooks of the same phases to be current."""
    for kind, name in (("ConfigMap", "migrate-config"), ("Secret", "migrate-env"),
                       ("ServiceAccount", "migrate")):
        annotations = one(hook_objects, kind, name)["metadata"]["annotations"]
        assert annotations["helm.sh/hook"] == "post-install,pre-upgrade", kind
        assert annotations["helm.sh/hook-weight"] == "4", kind
        assert annotations["helm.sh/hook-delete-policy"] == (
            "before-hook-creation,hook-succeeded"), kind


def test_objects_of_other_components_are_no_hooks(hook_objects: list[Obj]) -> None:
    hooks = {(o["kind"], o["metadata"]["name"]) for o in hook_objects
             if "helm.sh/hook" in (o["metadata"].get("annotations") or {})}
    assert hooks == {("Job", "migrate"), ("ConfigMap", "migrate-config"),
                     ("Secret", "migrate-env"), ("ServiceAccount", "migrate"),
                     ("Pod", "rel-test-connection")}


def test_helm_runs_the_hook_job_after_the_install_and_before_upgrades(tmp_path: Path) -> None:
    """`helm install --dry-run` lists hooks apart from the release's manifest: the migration
    Job and what it needs are hooks, the database is an ordinary object."""
    proc = subprocess.run(
        [helm_binary("helm"), "install", "rel", str(CHART), "--dry-run=client", "--namespace",
         "demo", "-f", str(CI / "kinds-job-values.yaml")],
        capture_output=True, text=True, check=True)
    hooks, manifest = proc.stdout.split("HOOKS:", 1)[1].split("MANIFEST:", 1)
    assert "kind: Job\nmetadata:\n  name: \"migrate\"" in hooks
    assert "name: \"migrate-config\"" in hooks
    assert "kind: StatefulSet" in manifest and "name: \"migrate\"" not in manifest
    assert "kind: Job\nmetadata:\n  name: \"seed\"" in manifest


# --- CronJob ------------------------------------------------------------------------------------


def test_a_cronjob_schedules_a_job_and_forbids_overlapping_runs_by_default() -> None:
    objects = render({"components": {"report": a_component("CronJob", cronJob={
        "schedule": "30 2 * * *", "timeZone": "Europe/Berlin", "startingDeadlineSeconds": 60,
        "successfulJobsHistoryLimit": 2, "failedJobsHistoryLimit": 0},
        job={"backoffLimit": 1, "restartPolicy": "Never"})}})
    cron = one(objects, "CronJob", "report")
    spec = cron["spec"]
    assert spec["schedule"] == "30 2 * * *" and spec["timeZone"] == "Europe/Berlin"
    assert spec["concurrencyPolicy"] == "Forbid" and spec["suspend"] is False
    assert (spec["startingDeadlineSeconds"], spec["successfulJobsHistoryLimit"],
            spec["failedJobsHistoryLimit"]) == (60, 2, 0)
    job = spec["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 1
    assert job["template"]["spec"]["restartPolicy"] == "Never"
    assert spec["jobTemplate"]["metadata"]["labels"]["app.kubernetes.io/component"] == "report"
    assert not find(objects, "Service") and not find(objects, "Job")


def test_a_cronjob_without_schedule_is_refused_by_the_schema() -> None:
    with pytest.raises(RenderError, match="cronJob"):
        render({"components": {"c": {"kind": "CronJob", "containers": {"app": {
            "image": IMAGE}}}}})


# --- DaemonSet ----------------------------------------------------------------------------------


def test_a_daemonset_rolls_out_node_by_node_with_a_surge_pod_and_has_its_service() -> None:
    objects = render({"components": {"agent": {"kind": "DaemonSet", "containers": {"app": {
        "image": IMAGE, "ports": {"http": {"containerPort": 2020}}}}}}})
    spec = one(objects, "DaemonSet", "agent")["spec"]
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {
        "maxUnavailable": 0, "maxSurge": 1}}
    assert "replicas" not in spec
    assert spec["selector"]["matchLabels"]["app.kubernetes.io/component"] == "agent"
    assert one(objects, "Service", "agent")["spec"]["ports"][0]["port"] == 2020
    (ctr,) = pod_template(one(objects, "DaemonSet", "agent"))["spec"]["containers"]
    assert ctr["readinessProbe"] == {"tcpSocket": {"port": "http"}}
    assert not find(objects, "PodDisruptionBudget")


def test_a_daemonset_takes_its_strategy_from_the_values() -> None:
    objects = render({"components": {"agent": {"kind": "DaemonSet", "strategy": {
        "maxUnavailable": "25%", "maxSurge": 0}, "containers": {"app": {"image": IMAGE}}}}})
    assert one(objects, "DaemonSet", "agent")["spec"]["updateStrategy"]["rollingUpdate"] == {
        "maxUnavailable": "25%", "maxSurge": 0}


@pytest.mark.parametrize(("kind", "field", "value"), [
    ("DaemonSet", "replicas", 3),
    ("DaemonSet", "scaling", {"maxReplicas": 3}),
    ("Job", "scaling", {"maxReplicas": 3}),
    ("Job", "service", {"ports": {"http": {"port": 80}}}),
    ("CronJob", "ingress", {"hosts": {"a.example.com": {}}}),
    ("Deployment", "job", {"backoffLimit": 1}),
])
def test_what_a_kind_cannot_have_is_refused_by_helm(kind: str, field: str, value: Any) -> None:
    comp = a_component(kind, **{field: value})
    with pytest.raises(RenderError, match="schema"):
        render({"components": {"x": comp}})


# --- policies, NOTES and helm test --------------------------------------------------------------


@pytest.fixture(scope="module")
def policy_objects() -> list[Obj]:
    return render(files=[CI / "kinds-policy-values.yaml"])


def test_jobs_reach_their_upstream_and_admit_no_caller(policy_objects: list[Obj]) -> None:
    for name in ("migrate", "vacuum"):
        policy = one(policy_objects, "NetworkPolicy", name)["spec"]
        # Only the mesh's own metrics scrape (the sidecar's port) may reach a Job's pods.
        assert all(port["port"] == 15020 for rule in policy["ingress"] for port in rule["ports"])
        assert not any("podSelector" in peer for rule in policy["ingress"]
                       for peer in rule["from"])
        (to_db, _dns, _istiod) = policy["egress"]
        assert to_db["to"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "db"
        assert to_db["ports"] == [{"port": 5432, "protocol": "TCP"}]
    db = one(policy_objects, "NetworkPolicy", "db")["spec"]["ingress"][0]["from"]
    callers = {p["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for p in db}
    assert {"api", "migrate", "vacuum"} <= callers


def test_job_pods_get_native_istio_sidecars_so_they_can_complete(
    policy_objects: list[Obj],
) -> None:
    for name in ("migrate", "vacuum"):
        annotations = pod_template(workload(policy_objects, name))["metadata"]["annotations"]
        assert annotations["sidecar.istio.io/nativeSidecar"] == "true"
    for name in ("api", "db", "node-exporter"):
        metadata = pod_template(workload(policy_objects, name))["metadata"]
        annotations = metadata.get("annotations", {})
        assert "sidecar.istio.io/nativeSidecar" not in annotations


def test_istio_policies_cover_every_kind(policy_objects: list[Obj]) -> None:
    for name in ("db", "api", "migrate", "vacuum", "node-exporter"):
        assert one(policy_objects, "Sidecar", name)
        assert one(policy_objects, "AuthorizationPolicy", name)


def test_helm_test_checks_the_daemonset_service_and_no_job(policy_objects: list[Obj]) -> None:
    (pod,) = find(policy_objects, "Pod")
    script = pod["spec"]["containers"][0]["command"][-1]
    assert "check node-exporter.demo.svc.cluster.local 9100\n" in script
    assert "migrate" not in script and "vacuum" not in script
    assert {o["metadata"]["name"] for o in find(policy_objects, "PodDisruptionBudget")} == {"api"}


def test_notes_say_how_each_kind_runs() -> None:
    proc = subprocess.run(
        [helm_binary("helm"), "install", "rel", str(CHART), "--dry-run=client", "--namespace",
         "demo", "-f", str(CI / "kinds-policy-values.yaml")],
        capture_output=True, text=True, check=True)
    notes = proc.stdout.split("\nNOTES:\n", 1)[1]
    assert "migrate (Job):\n  Runs as a Helm hook (post-install,pre-upgrade)" in notes
    assert "kubectl logs -n demo job/migrate" in notes
    assert "vacuum (CronJob):\n  Schedule: 0 4 * * 0\n" in notes
    assert "kubectl create job -n demo --from=cronjob/vacuum vacuum-manual" in notes
    assert "node-exporter (DaemonSet):\n  Service (in-cluster DNS)" in notes
    assert "One pod per node" in notes
    assert "migrate (Job):\n  No Service" not in notes


# --- the model's facts and the chart agree ------------------------------------------------------


def _shipped() -> list[Path]:
    return [*sorted(CI.glob("*values.yaml")), *sorted(REPO.glob("values-examples/**/*values.yaml"))]


@pytest.mark.parametrize("path", _shipped(), ids=lambda p: str(p.relative_to(REPO)))
def test_the_model_and_the_chart_agree_on_what_each_kind_gets(path: Path) -> None:
    """Component.serves/replicated/claims and the lint's service_ports say what the chart
    renders: the workload of its kind, a Service exactly when it serves with ports, a
    PodDisruptionBudget only for replicated kinds, and a PVC per persistent volume exactly
    when its pods share claims."""
    raw = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")) or {}
    model = Values.model_validate(raw)
    namespace = str(model.global_.project or "demo")
    try:
        objects = render(files=[path], namespace=namespace)
    except RenderError as exc:  # pragma: no cover - a shipped file must render
        pytest.fail(exc.stderr)
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    for cid, comp in model.components.items():
        if not comp.enabled or model.global_.prefixWithRelease:
            continue
        assert (comp.kind, cid) in names
        has_service = (("Service", comp.service.name or cid) in names)
        assert has_service == bool(comp.serves and service_ports(comp)), cid
        if not comp.replicated:
            assert ("PodDisruptionBudget", cid) not in names, cid
        for vname, vol in comp.volumes.items():
            if vol.kind == "persistent" and vol.size is not None:
                assert (("PersistentVolumeClaim", f"{cid}-{vname}") in names) == (
                    comp.claims == "shared"), f"{cid}.{vname}"
