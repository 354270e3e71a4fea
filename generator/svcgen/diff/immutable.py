"""What Kubernetes will not change in place, per kind.

``helm upgrade`` patches each object; for these fields the API server answers ``field is
immutable`` (or ``Forbidden: updates to statefulset spec for fields other than …``) and the whole
upgrade fails, or, for a Service's ``clusterIP``, quietly keeps the old value. The knowledge here
is per Kubernetes kind, not per chart template, so it holds for every kind the chart renders:

- Deployment, ReplicaSet, DaemonSet: ``spec.selector``.
- StatefulSet: only ``replicas``, ``ordinals``, ``template``, ``updateStrategy``,
  ``revisionHistoryLimit``, ``persistentVolumeClaimRetentionPolicy`` and ``minReadySeconds`` may
  change; ``selector``, ``serviceName``, ``volumeClaimTemplates``, ``podManagementPolicy`` and
  the rest may not.
- Job: ``selector``, the pod ``template``, ``completions`` (but for an Indexed Job whose
  completions follow its parallelism, the "elastic" Job), ``completionMode``,
  ``podFailurePolicy``, ``successPolicy``, ``backoffLimitPerIndex`` and ``managedBy``. Any Helm
  hook is exempt: helm deletes and creates it at its phases. CronJob: everything may change (a
  new schedule or template applies to the next run).
- Service: ``clusterIP`` once allocated (a ClusterIP Service cannot become headless; a headless
  one keeps ``None``: the change is silently lost).
- PersistentVolumeClaim: only ``resources`` (and a volume attributes class) may change, and the
  requested storage only grows.
- ConfigMap and Secret marked ``immutable: true``: their data; a Secret's ``type`` always.
- RoleBinding and ClusterRoleBinding: ``roleRef``.

The other kinds the chart renders (ConfigMap, ServiceAccount, Role, Ingress, Gateway API routes,
NetworkPolicy, PodDisruptionBudget, autoscalers, monitors) may change in place. An object entering
or leaving Helm hook management is judged by its own rule (DIFF103), not here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from svcgen.diff.objects import MISSING, Action, Change, FieldPath, Obj, path_text, under
from svcgen.units import quantity


@dataclass(frozen=True)
class Refusal:
    """One field an upgrade cannot change in place."""

    field: FieldPath
    before: object
    after: object
    #: What happens: "helm upgrade fails: field is immutable", or the change is lost.
    effect: str
    #: The safe way to make the change.
    fix: str
    #: False when the API server accepts the patch but keeps the old value.
    refused: bool = True


Judge = Callable[[Change], list[Refusal]]

_REFUSED = "helm upgrade fails: field is immutable"


def _fields(*paths: FieldPath, fix: Callable[[Obj], str]) -> Judge:
    """Refuse any change at or under these fields."""

    def judge(change: Change) -> list[Refusal]:
        found: dict[FieldPath, Refusal] = {}
        assert change.base is not None and change.new is not None
        for f in change.fields:
            for p in paths:
                if under(f.path, p) and p not in found:
                    found[p] = Refusal(p, change.base.get(p), change.new.get(p), _REFUSED,
                                       fix(change.new))
        return list(found.values())

    return judge


def _spec_except(mutable: frozenset[str], fix: Callable[[Obj], str],
                 effect: str = _REFUSED) -> Judge:
    """Refuse a change to any top-level spec field but these."""

    def judge(change: Change) -> list[Refusal]:
        found: dict[FieldPath, Refusal] = {}
        assert change.base is not None and change.new is not None
        for f in change.fields:
            if len(f.path) >= 2 and f.path[0] == "spec" and f.path[1] not in mutable:
                p = f.path[:2]
                if p not in found:
                    found[p] = Refusal(p, change.base.get(p), change.new.get(p), effect,
                                       fix(change.new))
        return list(found.values())

    return judge


def _job_completions(change: Change) -> list[Refusal]:
    """``completions`` is immutable unless the Job is "elastic": Indexed, with completions equal
    to parallelism before and after (Kubernetes 1.27+)."""
    assert change.base is not None and change.new is not None
    path: FieldPath = ("spec", "completions")
    before, after = change.base.get(path), change.new.get(path)
    if before == after:
        return []

    def elastic(obj: Obj) -> bool:
        return bool(obj.get(("spec", "completionMode")) == "Indexed"
                    and obj.get(path) == obj.get(("spec", "parallelism")))

    if elastic(change.base) and elastic(change.new):
        return []
    return [Refusal(path, before, after, _REFUSED, _job_fix(change.new))]


def _both(*judges: Judge) -> Judge:
    return lambda change: [r for j in judges for r in j(change)]


def _selector_fix(obj: Obj) -> str:
    return (f"keep the selector labels as they were (they follow the release, nameOverride and "
            f"the component id); to change them, delete the {obj.kind} first "
            f"(`kubectl delete {obj.kind.lower()} {obj.name}`) and accept the downtime until the "
            "new one is ready")


def _statefulset_fix(obj: Obj) -> str:
    return (f"delete the StatefulSet but keep its pods and claims (`kubectl delete statefulset "
            f"{obj.name} --cascade=orphan`), then upgrade: the new StatefulSet adopts the running "
            "pods; existing claims keep their old spec, only new replicas get the new template")


def _job_fix(obj: Obj) -> str:
    return (f"delete the Job before the upgrade (`kubectl delete job {obj.name}`), or run it as a "
            "Helm hook so that each upgrade creates it anew")


def _binding_fix(obj: Obj) -> str:
    return (f"delete the {obj.kind} before the upgrade (`kubectl delete {obj.kind.lower()} "
            f"{obj.name}`): its role cannot change in place")


def _claim_fix(obj: Obj) -> str:
    return ("a claim keeps its storage class and access modes: add a volume under a new name, "
            "copy the data over, then remove the old one")


def _frozen_data_fix(obj: Obj) -> str:
    return (f"delete the {obj.kind} before the upgrade (`kubectl delete {obj.kind.lower()} "
            f"{obj.name}`), or put the changed data under a new name")


def _service_cluster_ip(change: Change) -> list[Refusal]:
    assert change.base is not None and change.new is not None
    path: FieldPath = ("spec", "clusterIP")
    before, after = change.base.get(path), change.new.get(path)
    if before == after:
        return []
    name = change.new.name
    fix = (f"keep the Service's type; or delete the Service before the upgrade (`kubectl delete "
           f"service {name}`: clients find no address until it is created again), or add the "
           "other variant under a new name (`service.name`)")
    if before == "None" and after is MISSING:
        return [Refusal(path, before, after, "Kubernetes keeps clusterIP None: the Service stays "
                        "headless and the change is silently lost", fix, refused=False)]
    if before is MISSING and after == "None":
        return [Refusal(path, "(allocated)", after,
                        "helm upgrade fails: a ClusterIP Service cannot become headless "
                        "(clusterIP is immutable)", fix)]
    return [Refusal(path, before, after, _REFUSED, fix)]


def _claim_shrink(change: Change) -> list[Refusal]:
    assert change.base is not None and change.new is not None
    path: FieldPath = ("spec", "resources", "requests", "storage")
    before, after = change.base.get(path), change.new.get(path)
    if before is MISSING or after is MISSING or before == after:
        return []
    old, now = quantity(before), quantity(after)
    if old is None or now is None or now >= old:
        return []
    return [Refusal(path, before, after,
                    "helm upgrade fails: a claim's storage request can only grow",
                    f"keep the size at {before}; to shrink, add a smaller volume under a new "
                    "name and copy the data")]


def _frozen_data(*fields: str) -> Judge:
    def judge(change: Change) -> list[Refusal]:
        assert change.base is not None and change.new is not None
        if change.base.body.get("immutable") is not True:
            return []
        return _fields(*((f,) for f in (*fields, "immutable")), fix=_frozen_data_fix)(change)

    return judge


KINDS: dict[tuple[str, str], Judge] = {
    ("apps", "Deployment"): _fields(("spec", "selector"), fix=_selector_fix),
    ("apps", "ReplicaSet"): _fields(("spec", "selector"), fix=_selector_fix),
    ("apps", "DaemonSet"): _fields(("spec", "selector"), fix=_selector_fix),
    ("apps", "StatefulSet"): _spec_except(
        frozenset({"replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                   "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}),
        _statefulset_fix,
        "helm upgrade fails: updates to a StatefulSet's spec other than replicas, template, "
        "updateStrategy and a few more are forbidden"),
    ("batch", "Job"): _both(
        _fields(("spec", "selector"), ("spec", "template"), ("spec", "completionMode"),
                ("spec", "podFailurePolicy"), ("spec", "successPolicy"),
                ("spec", "backoffLimitPerIndex"), ("spec", "managedBy"), fix=_job_fix),
        _job_completions),
    ("rbac.authorization.k8s.io", "RoleBinding"): _fields(("roleRef",), fix=_binding_fix),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _fields(("roleRef",),
                                                                 fix=_binding_fix),
    ("", "Service"): _service_cluster_ip,
    ("", "PersistentVolumeClaim"): _both(
        _spec_except(frozenset({"resources", "volumeAttributesClassName"}), _claim_fix),
        _claim_shrink),
    ("", "ConfigMap"): _frozen_data("data", "binaryData"),
    ("", "Secret"): _both(_frozen_data("data", "binaryData", "stringData"),
                          _fields(("type",), fix=_frozen_data_fix)),
}


def refusals(change: Change) -> list[Refusal]:
    """The fields of a changed object that the upgrade cannot change in place."""
    if change.base is None or change.new is None or change.base.kind != change.new.kind \
            or change.new.hook or change.base.hook:
        return []
    judge = KINDS.get((change.new.group, change.new.kind))
    return judge(change) if judge is not None else []


def mark_replacements(changes: list[Change]) -> None:
    """A change the API server refuses can only be made by deleting and creating the object:
    mark it replaced, with the fields that make it so."""
    for change in changes:
        if change.action is not Action.CHANGED:
            continue
        refused = [r for r in refusals(change) if r.refused]
        if refused:
            change.action = Action.REPLACED
            change.reasons = [f"{', '.join(path_text(r.field) for r in refused)} cannot change "
                              "in place (helm upgrade alone fails)"]
