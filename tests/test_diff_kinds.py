"""What Kubernetes will not change in place, per kind, including kinds the chart may render later
(Job, DaemonSet, CronJob): checked on objects as the API server receives them, and the field paths
of rendered objects mapped back to the values they come from."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from svcgen.diff.immutable import refusals
from svcgen.diff.objects import Action, Change, Obj, compare, diff_fields, parse
from svcgen.diff.places import values_path
from svcgen.diff.report import format_changes
from svcgen.diff.rules import DiffContext, removed_port_in_use

POD = {"containers": [{"name": "app", "image": "ghcr.io/acme/job:1"}]}
LABELS = {"app.kubernetes.io/component": "migrate"}


def obj(api_version: str, kind: str, spec: dict[str, Any], **top: Any) -> Obj:
    body = {"apiVersion": api_version, "kind": kind,
            "metadata": {"name": "migrate", "labels": LABELS}, "spec": spec, **top}
    return Obj(api_version, kind, "migrate", body)


def change(before: Obj, edit: dict[str, Any]) -> Change:
    after_body = copy.deepcopy(before.body)
    for dotted, value in edit.items():
        node = after_body
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    after = Obj(before.api_version, before.kind, before.name, after_body)
    return Change(Action.CHANGED, before, after, diff_fields(before.body, after.body))


def refused(c: Change) -> list[str]:
    return [".".join(str(p) for p in r.field) for r in refusals(c) if r.refused]


JOB = obj("batch/v1", "Job", {"backoffLimit": 2, "template": {"spec": POD}})


def test_job_pod_template_is_immutable() -> None:
    """Kubernetes: a Job's spec.template is immutable (field is immutable on update)."""
    c = change(JOB, {"spec.template.spec": {"containers": [
        {"name": "app", "image": "ghcr.io/acme/job:2"}]}})
    assert refused(c) == ["spec.template"]
    assert "kubectl delete job migrate" in refusals(c)[0].fix
    assert refused(change(JOB, {"spec.backoffLimit": 5})) == []


def test_job_run_as_a_helm_hook_is_changed_not_refused() -> None:
    """Helm deletes and re-creates hooks at their phases instead of patching them."""
    manifest = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  annotations: {helm.sh/hook: pre-upgrade}
spec: {template: {spec: {containers: [{name: app, image: a}]}}}
"""
    changes = compare(parse(manifest), parse(manifest.replace("image: a", "image: b")))
    assert [(c.action, refusals(c)) for c in changes] == [(Action.CHANGED, [])]
    assert format_changes(changes) == (
        "~ Job migrate: changed (a Helm hook: helm creates it anew at its phases, it is not "
        "patched)\n    spec.template.spec.containers[app].image: \"a\" → \"b\"\n")


def test_multi_line_text_shows_its_first_changed_line() -> None:
    before = Obj("v1", "ConfigMap", "cfg", {"data": {"app.toml": "a = 1\nb = 2\nc = 3\n"}})
    after = Obj("v1", "ConfigMap", "cfg", {"data": {"app.toml": "a = 1\nb = 20\nc = 3\n"}})
    change = Change(Action.CHANGED, before, after, diff_fields(before.body, after.body))
    assert format_changes([change]).splitlines()[1] == \
        '    data.app.toml (line 2): "b = 2" → "b = 20"'


@pytest.mark.parametrize("kind", ["Deployment", "DaemonSet", "StatefulSet"])
def test_workload_selector_is_immutable(kind: str) -> None:
    """Kubernetes apps/v1: spec.selector is immutable for Deployments, DaemonSets and
    StatefulSets."""
    w = obj("apps/v1", kind, {"selector": {"matchLabels": {"a": "1"}}, "template": {"spec": POD}})
    assert refused(change(w, {"spec.selector": {"matchLabels": {"a": "2"}}})) == ["spec.selector"]
    assert refused(change(w, {"spec.template.spec": {"containers": []}})) == []


def test_statefulset_spec_outside_the_updatable_fields_is_refused() -> None:
    """Kubernetes: updates to statefulset spec for fields other than 'replicas', 'ordinals',
    'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy'
    and 'minReadySeconds' are forbidden."""
    sts = obj("apps/v1", "StatefulSet", {"replicas": 1, "podManagementPolicy": "OrderedReady",
                                         "serviceName": "db", "template": {"spec": POD}})
    assert refused(change(sts, {"spec.podManagementPolicy": "Parallel"})) == [
        "spec.podManagementPolicy"]
    assert refused(change(sts, {"spec.replicas": 3, "spec.minReadySeconds": 5})) == []


def test_cronjob_may_change_everything() -> None:
    """Kubernetes: a CronJob's schedule and job template apply to the next run."""
    cron = obj("batch/v1", "CronJob", {"schedule": "0 * * * *",
                                       "jobTemplate": {"spec": {"template": {"spec": POD}}}})
    assert refused(change(cron, {"spec.schedule": "5 * * * *"})) == []


def test_immutable_config_map_data_is_refused_and_mutable_one_is_not() -> None:
    """Kubernetes: a ConfigMap or Secret with immutable: true cannot change its data."""
    frozen = Obj("v1", "ConfigMap", "cfg", {"metadata": {"name": "cfg"}, "immutable": True,
                                           "data": {"a": "1"}})
    c = change(frozen, {"data": {"a": "2"}})
    assert refused(c) == ["data"]
    loose = Obj("v1", "ConfigMap", "cfg", {"metadata": {"name": "cfg"}, "data": {"a": "1"}})
    assert refused(change(loose, {"data": {"a": "2"}})) == []


def test_secret_type_is_immutable() -> None:
    secret = Obj("v1", "Secret", "s", {"metadata": {"name": "s"}, "type": "Opaque"})
    assert refused(change(secret, {"type": "kubernetes.io/tls"})) == ["type"]


def test_named_list_items_are_compared_by_name() -> None:
    before = {"containers": [{"name": "app", "image": "a"}, {"name": "log", "image": "l"}]}
    after = {"containers": [{"name": "init", "image": "i"}, {"name": "app", "image": "b"},
                            {"name": "log", "image": "l"}]}
    assert [(f.text, f.after) for f in diff_fields(before, after)] == [
        ("containers[app].image", "b"), ("containers[init]", {"name": "init", "image": "i"})]


def test_cronjob_container_field_maps_to_the_component_container() -> None:
    cron = obj("batch/v1", "CronJob", {})
    path = ("spec", "jobTemplate", "spec", "template", "spec", "containers", ("app",), "env",
            ("TOKEN",))
    values = {"components": {"migrate": {"containers": {"app": {"secretEnv": {"TOKEN": {}}}}}}}
    assert values_path(cron, path, values) == ("components", "migrate", "containers", "app",
                                               "secretEnv", "TOKEN")


ROUTED = """\
apiVersion: v1
kind: Service
metadata: {name: api, labels: {app.kubernetes.io/component: api}}
spec: {ports: [{name: http, port: 80}, {name: grpc, port: 9000}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, labels: {app.kubernetes.io/component: web}}
spec: {rules: [{backendRefs: [{name: api, port: 9000}]}]}
"""


def test_route_still_pointing_at_a_removed_port_is_an_error() -> None:
    """A Gateway API backendRef names a Service port by number; without it the route has no
    backend."""
    base = parse(ROUTED)
    new = parse(ROUTED.replace(", {name: grpc, port: 9000}", ""))
    ctx = DiffContext(compare(base, new), {}, {}, base, new)
    findings = list(removed_port_in_use(ctx))
    assert [(f.path, f.severity) for f in findings] == [(("components", "web"), None)]
    assert "HTTPRoute web still routes to port `grpc` (9000) of Service api" in \
        findings[0].message


def test_job_completions_are_immutable_unless_the_job_is_elastic() -> None:
    """Kubernetes 1.27+: completions may change only with parallelism, on an Indexed Job."""
    assert refused(change(JOB, {"spec.completions": 3})) == ["spec.completions"]
    elastic = obj("batch/v1", "Job", {"completionMode": "Indexed", "completions": 2,
                                      "parallelism": 2, "template": {"spec": POD}})
    assert refused(change(elastic, {"spec.completions": 4, "spec.parallelism": 4})) == []
    assert refused(change(elastic, {"spec.completions": 4})) == ["spec.completions"]


@pytest.mark.parametrize("field", ["managedBy", "successPolicy", "podFailurePolicy"])
def test_other_immutable_job_fields_are_refused(field: str) -> None:
    assert refused(change(JOB, {f"spec.{field}": {"x": 1}})) == [f"spec.{field}"]


@pytest.mark.parametrize("kind", ["RoleBinding", "ClusterRoleBinding"])
def test_binding_role_ref_is_immutable(kind: str) -> None:
    """Kubernetes: a binding's roleRef cannot change; its subjects can."""
    binding = Obj("rbac.authorization.k8s.io/v1", kind, "api", {
        "metadata": {"name": "api"}, "roleRef": {"kind": "Role", "name": "api"},
        "subjects": [{"kind": "ServiceAccount", "name": "api"}]})
    assert refused(change(binding, {"roleRef.name": "api-reader"})) == ["roleRef"]
    assert refused(change(binding, {"subjects": []})) == []
