"""Every diff rule fires on a real change: both sides rendered by Helm 4 and by Helm 3, each
finding placed at the line and column of the value that causes it (in NEW, or in BASE for what NEW
no longer has), and stays quiet once the change is made the safe way its hint names."""

from __future__ import annotations

from pathlib import Path

from chartutil import ONE_COMPONENT

from svcgen.diagnostics import Diagnostic
from svcgen.diff.command import DiffRequest, DiffResult, diff
from svcgen.diff.objects import Action
from svcgen.lint.config import LintConfig

Found = tuple[str, int, int, str, str]


def run(tmp_path: Path, helm: str, base: str, new: str, **options: object) -> DiffResult:
    (tmp_path / "base.yaml").write_text(base)
    (tmp_path / "new.yaml").write_text(new)
    request = DiffRequest(base=(str(tmp_path / "base.yaml"),), new=(str(tmp_path / "new.yaml"),),
                          helm=helm, **options)  # type: ignore[arg-type]
    return diff(request, LintConfig())


def found(result: DiffResult, rule: str | None = None) -> list[Found]:
    return [(Path(d.file).name, d.line, d.column, d.rule, d.severity.value)
            for d in result.diagnostics if rule is None or d.rule == rule]


def only(result: DiffResult, rule: str) -> Diagnostic:
    matching = [d for d in result.diagnostics if d.rule == rule]
    assert len(matching) == 1, found(result)
    return matching[0]


def actions(result: DiffResult) -> dict[str, str]:
    """What happens to each object the upgrade itself patches, creates or deletes (hooks, such as
    the chart's test pod, are created anew by helm at their phases)."""
    return {str(c): c.action.value for c in result.changes if not c.obj.hook}


API = ONE_COMPONENT

DB = """\
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


# --- DIFF101 immutable-field --------------------------------------------------------------------


def test_statefulset_service_name_change_is_refused_at_the_new_name(
        tmp_path: Path, each_helm: str) -> None:
    """Kubernetes: a StatefulSet's spec.serviceName cannot change after creation."""
    new = DB + "    service: {name: database}\n"
    #                       ^ (11, 21)
    result = run(tmp_path, each_helm, DB, new)
    assert found(result, "DIFF101") == [("new.yaml", 11, 21, "DIFF101", "error")]
    d = only(result, "DIFF101")
    assert "spec.serviceName cannot change in place" in d.message
    assert '"db-headless" → "database-headless"' in d.message
    assert "--cascade=orphan" in d.hint
    assert actions(result)["StatefulSet db"] == Action.REPLACED


def test_claim_template_rename_is_refused_and_loses_the_data(
        tmp_path: Path, each_helm: str) -> None:
    """Kubernetes: volumeClaimTemplates are immutable; the old claims stay but are not mounted."""
    new = DB.replace("data", "pgdata")
    result = run(tmp_path, each_helm, DB, new)
    assert found(result) == [
        ("new.yaml", 10, 7, "DIFF101", "error"),     # pgdata: {size: 5Gi}
        ("base.yaml", 10, 7, "DIFF201", "error"),    # data: {size: 5Gi}, no longer in NEW
    ]
    assert "spec.volumeClaimTemplates cannot change in place" in only(result, "DIFF101").message
    loss = only(result, "DIFF201").message
    assert "claim template `data` is removed" in loss and "data-db-N" in loss
    assert "the new volume `pgdata` starts empty" in loss


def test_name_override_changes_every_selector_and_is_refused_at_name_override(
        tmp_path: Path, each_helm: str) -> None:
    """Kubernetes: apps/v1 selectors are immutable; the chart's selector has the chart name."""
    new = "nameOverride: shop\n" + API + DB[len("components:\n"):]
    result = run(tmp_path, each_helm, API + DB[len("components:\n"):], new)
    # The selectors, and the StatefulSet's claim templates (labelled with the selector labels).
    assert found(result, "DIFF101") == [("new.yaml", 1, 15, "DIFF101", "error")] * 3
    messages = sorted(d.message for d in result.diagnostics if d.rule == "DIFF101")
    assert messages[0].startswith("Deployment api: spec.selector cannot change in place")
    assert messages[1].startswith("StatefulSet db: spec.selector cannot change in place")
    assert messages[2].startswith("StatefulSet db: spec.volumeClaimTemplates cannot change")


def test_cluster_ip_service_cannot_become_headless(tmp_path: Path, each_helm: str) -> None:
    """Kubernetes: spec.clusterIP is immutable once allocated."""
    new = API + "    service: {type: Headless}\n"
    #                                 ^ (7, 21)
    result = run(tmp_path, each_helm, API, new)
    assert found(result) == [("new.yaml", 7, 21, "DIFF101", "error")]
    assert "a ClusterIP Service cannot become headless" in result.diagnostics[0].message


def test_headless_service_asked_to_allocate_an_ip_stays_headless(
        tmp_path: Path, each_helm: str) -> None:
    """Kubernetes keeps clusterIP None when an update leaves it empty: the change is lost."""
    base = API + "    service: {type: Headless}\n"
    new = API + "    service: {type: ClusterIP}\n"
    result = run(tmp_path, each_helm, base, new)
    assert found(result) == [("new.yaml", 7, 21, "DIFF101", "error")]
    assert "stays headless" in result.diagnostics[0].message
    # Not refused, so an upgrade changes it in place (and keeps None).
    assert actions(result)["Service api"] == Action.CHANGED


VOLUME = API + """\
        volumeMounts: {data: {mountPath: /data}}
    volumes:
      data: {size: 2Gi, storageClassName: standard}
"""


def test_claim_storage_class_and_shrink_are_refused(tmp_path: Path, each_helm: str) -> None:
    """Kubernetes: a claim's storageClassName is immutable and its storage request only grows."""
    new = VOLUME.replace("size: 2Gi, storageClassName: standard",
                         "size: 1Gi, storageClassName: fast")
    result = run(tmp_path, each_helm, VOLUME, new)
    assert found(result) == [
        ("new.yaml", 9, 20, "DIFF101", "error"),   # size: 1Gi
        ("new.yaml", 9, 43, "DIFF101", "error"),   # storageClassName: fast
    ]
    shrink, klass = (d.message for d in result.diagnostics)
    assert "can only grow" in shrink and '"2Gi" → "1Gi"' in shrink
    assert '"standard" → "fast"' in klass
    grow = run(tmp_path, each_helm, VOLUME, VOLUME.replace("2Gi", "4Gi"))
    assert found(grow) == []
    assert actions(grow)["PersistentVolumeClaim api-data"] == Action.CHANGED


# --- DIFF201 claim-removed ---------------------------------------------------------------------


def test_removed_volume_deletes_its_claim_reported_where_base_wrote_it(
        tmp_path: Path, each_helm: str) -> None:
    """Helm deletes an object the new release no longer has, a claim included."""
    new = API
    result = run(tmp_path, each_helm, VOLUME, new)
    assert found(result) == [("base.yaml", 9, 7, "DIFF201", "error")]
    assert "helm upgrade deletes it, and the data on it" in result.diagnostics[0].message
    assert result.exit_status(strict=False) == 1


def test_removed_claim_is_acknowledged_on_the_nearest_line_new_still_has(
        tmp_path: Path, each_helm: str) -> None:
    new = API.replace("  api:\n", "  api:  # svcgen: ignore[DIFF201]\n")
    result = run(tmp_path, each_helm, VOLUME, new)
    assert found(result) == []
    assert result.suppressed == 1
    assert result.exit_status(strict=False) == 0


def test_claim_kept_by_resource_policy_is_not_lost(tmp_path: Path, each_helm: str) -> None:
    """Helm leaves an object annotated helm.sh/resource-policy: keep in place when it leaves."""
    base = VOLUME + "    annotations: {helm.sh/resource-policy: keep}\n"
    result = run(tmp_path, each_helm, base, API)
    assert found(result, "DIFF201") == []


def test_renamed_statefulset_component_starts_with_empty_claims(
        tmp_path: Path, each_helm: str) -> None:
    new = DB.replace("  db:", "  database:")
    result = run(tmp_path, each_helm, DB, new)
    assert found(result) == [
        ("new.yaml", 2, 3, "DIFF301", "warning"),   # database: (the rename)
        ("new.yaml", 2, 3, "DIFF302", "warning"),   # and of its Service
        ("base.yaml", 10, 7, "DIFF201", "error"),   # data: claims data-db-N left behind
    ]
    assert "component `db` is now `database`" in only(result, "DIFF201").message


# --- DIFF301 workload-replaced ------------------------------------------------------------------


def test_renamed_component_replaces_its_deployment(tmp_path: Path, each_helm: str) -> None:
    new = API.replace("  api:", "  backend:")
    result = run(tmp_path, each_helm, API, new)
    assert found(result, "DIFF301") == [("new.yaml", 2, 3, "DIFF301", "warning")]
    d = only(result, "DIFF301")
    assert "component `api` is renamed to `backend`" in d.message
    assert "keep the id `api`" in d.hint
    assert actions(result) == {
        "Deployment api": "removed", "Deployment backend": "added",
        "Service api": "removed", "Service backend": "added",
    }


def test_kind_change_replaces_the_workload_at_kind(tmp_path: Path, each_helm: str) -> None:
    new = API + "    kind: StatefulSet\n"
    #                 ^ (7, 11)
    result = run(tmp_path, each_helm, API, new)
    assert found(result) == [("new.yaml", 7, 11, "DIFF301", "warning")]
    assert actions(result)["Deployment → StatefulSet api"] == Action.REPLACED


def test_removed_component_is_reported_in_base(tmp_path: Path, each_helm: str) -> None:
    base = API + DB[len("components:\n"):]
    result = run(tmp_path, each_helm, base, API)
    assert ("base.yaml", 7, 3, "DIFF301", "warning") in found(result)  # db:


# --- DIFF302 service-renamed --------------------------------------------------------------------


def test_service_name_change_breaks_callers_of_the_old_name(
        tmp_path: Path, each_helm: str) -> None:
    new = API + "    service: {name: api-v2}\n"
    #                              ^ (7, 21)
    result = run(tmp_path, each_helm, API, new)
    assert found(result) == [("new.yaml", 7, 21, "DIFF302", "warning")]
    assert "Service api is renamed to api-v2" in result.diagnostics[0].message


def test_renamed_component_keeps_its_service_with_service_name(
        tmp_path: Path, each_helm: str) -> None:
    renamed = API.replace("  api:", "  backend:")
    result = run(tmp_path, each_helm, API, renamed)
    assert "keep the old name with `service.name: api`" in only(result, "DIFF302").hint
    fixed = run(tmp_path, each_helm, API, renamed + "    service: {name: api}\n")
    assert found(fixed, "DIFF302") == []
    # The Service stays, selecting the renamed component's pods from now on.
    assert actions(fixed)["Service api"] == Action.CHANGED


# --- DIFF401 service-exposure-lost, DIFF402 node-port-changed ----------------------------------


def test_load_balancer_to_cluster_ip_releases_the_address(tmp_path: Path, each_helm: str) -> None:
    base = API + "    service: {type: LoadBalancer}\n"
    new = API + "    service: {type: ClusterIP}\n"
    result = run(tmp_path, each_helm, base, new)
    assert found(result) == [("new.yaml", 7, 21, "DIFF401", "warning")]
    assert "releases its load balancer address and node ports" in \
        result.diagnostics[0].message


def test_changed_node_port_is_reported_at_the_node_port(tmp_path: Path, each_helm: str) -> None:
    base = API + "    service: {type: NodePort, ports: {http: {port: 80, nodePort: 30080}}}\n"
    new = base.replace("30080", "30081")
    result = run(tmp_path, each_helm, base, new)
    assert found(result) == [("new.yaml", 7, 66, "DIFF402", "warning")]
    assert "node port 30080 of port `http` becomes 30081" in result.diagnostics[0].message
    assert "keep `nodePort: 30080`" in result.diagnostics[0].hint


# --- DIFF501 no-ready-replicas ------------------------------------------------------------------


def test_replicas_to_zero_without_autoscaler(tmp_path: Path, each_helm: str) -> None:
    base = API + "    replicas: 2\n"
    new = API + "    replicas: 0\n"
    result = run(tmp_path, each_helm, base, new)
    assert found(result) == [("new.yaml", 7, 15, "DIFF501", "warning")]
    assert "replicas 2 → 0 and no autoscaler" in result.diagnostics[0].message


def test_turning_scaling_on_drops_replicas_from_the_workload(
        tmp_path: Path, each_helm: str) -> None:
    """Helm 3's three-way patch deletes a field the new manifest leaves out; Kubernetes then
    defaults spec.replicas to 1."""
    base = API + "    replicas: 3\n"
    new = API + "    scaling: {minReplicas: 2, maxReplicas: 6, targetCPU: 70}\n"
    #                ^ (7, 5)
    result = run(tmp_path, each_helm, base, new)
    assert found(result) == [("new.yaml", 7, 5, "DIFF501", "warning")]
    assert "Kubernetes runs 1 replica until the autoscaler scales up" in \
        result.diagnostics[0].message
    assert "`scaling.minReplicas` to at least 3" in result.diagnostics[0].hint


PROBED = API + """\
        probes:
          readiness: {httpGet: {path: /ready, port: http}}
          liveness: {httpGet: {path: /live, port: http}}
"""


def test_every_probe_changed_at_once(tmp_path: Path, each_helm: str) -> None:
    new = PROBED.replace("/ready", "/v2/ready").replace("/live", "/v2/live")
    result = run(tmp_path, each_helm, PROBED, new)
    assert found(result) == [("new.yaml", 7, 9, "DIFF501", "warning")]  # probes:
    assert "every probe of the pod changes at once" in result.diagnostics[0].message
    one_at_a_time = run(tmp_path, each_helm, PROBED, PROBED.replace("/ready", "/v2/ready"))
    assert found(one_at_a_time) == []


# --- DIFF601 removed-port-in-use ----------------------------------------------------------------


CALLED = """\
components:
  api:
    containers:
      app:
        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        ports: {http: {containerPort: 8080}, admin: {containerPort: 9000}}
  web:
    containers:
      app:
        image: {repository: ghcr.io/acme/web, tag: "2.0.1"}
        ports: {http: {containerPort: 8080}}
    upstreams: [{component: api}]
"""


def test_removed_port_of_a_called_component_is_reported_where_base_declared_it(
        tmp_path: Path, each_helm: str) -> None:
    new = CALLED.replace(", admin: {containerPort: 9000}", "")
    result = run(tmp_path, each_helm, CALLED, new)
    assert found(result) == [("base.yaml", 6, 46, "DIFF601", "warning")]
    assert "component `web` calls `api`" in result.diagnostics[0].message
    uncalled = CALLED.replace("    upstreams: [{component: api}]\n", "")
    assert found(run(tmp_path, each_helm, uncalled, uncalled.replace(
        ", admin: {containerPort: 9000}", ""))) == []


# --- Jobs: the pod template is fixed once the Job exists ---------------------------------------

JOB = """\
components:
  migrate:
    kind: Job
    containers:
      app:
        image: {repository: ghcr.io/acme/migrate, tag: "1.0.0"}
"""


def test_job_pod_template_change_is_refused_unless_helm_runs_it_as_a_hook(
        tmp_path: Path, each_helm: str) -> None:
    """Kubernetes: a Job's spec.template is immutable; Helm deletes and re-creates a hook Job
    instead of patching it."""
    result = run(tmp_path, each_helm, JOB, JOB.replace("1.0.0", "1.1.0"))
    assert found(result) == [("new.yaml", 6, 9, "DIFF101", "error")]  # image:
    d = only(result, "DIFF101")
    assert d.message.startswith("Job migrate: spec.template cannot change in place")
    assert "kubectl delete job migrate" in d.hint
    assert actions(result)["Job migrate"] == Action.REPLACED
    hook = JOB + "    job: {hook: {phases: [pre-upgrade]}}\n"
    assert found(run(tmp_path, each_helm, hook, hook.replace("1.0.0", "1.1.0"))) == []
