"""Where in the values a field of a rendered object comes from.

The chart labels every object with the component it renders (``app.kubernetes.io/component``);
below that, the fields the chart renders from a named values entry map back to it: a container's
image, ports, env and probes, a volume or claim template, a Service's type and ports. Anything
else is placed at the component. The values path is then located in the values files by the
merge provenance, the same way lint places its findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from svcgen.diff.objects import FieldPath, Obj, PathPart

ValuesPath = tuple[str | int, ...]

#: Where each kind keeps its pod spec.
POD_SPEC: dict[str, FieldPath] = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
_CONTAINER_FIELDS = {
    "image": ("image",), "imagePullPolicy": ("image", "pullPolicy"), "ports": ("ports",),
    "env": ("env",), "envFrom": ("envFrom",), "resources": ("resources",),
    "command": ("command",), "args": ("args",), "volumeMounts": ("volumeMounts",),
    "readinessProbe": ("probes", "readiness"), "livenessProbe": ("probes", "liveness"),
    "startupProbe": ("probes", "startup"), "securityContext": ("securityContext",),
    "lifecycle": ("lifecycle",),
}
#: Fields of a Job's spec the chart renders from the same keys under ``job``.
JOB_FIELDS = frozenset({"backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished",
                        "completions", "parallelism"})
_CLAIM_FIELDS: dict[PathPart, tuple[str, ...]] = {
    "storageClassName": ("storageClassName",), "accessModes": ("accessModes",),
    "resources": ("size",),
}


def component_path(component: str | None) -> ValuesPath:
    return ("components", component) if component else ()


def values_path(obj: Obj, field: Sequence[PathPart], values: dict[str, Any]) -> ValuesPath:
    """The values path the field ``field`` of ``obj`` was rendered from (as far as known)."""
    comp = obj.component
    if comp is None:
        return ()
    base: ValuesPath = ("components", comp)
    field = tuple(field)
    if obj.kind == "Service":
        return base + _service_part(field)
    if obj.kind == "PersistentVolumeClaim":
        volume = claim_volume(obj.name, comp, values)
        if volume is None:
            return base
        return (*base, "volumes", volume, *_claim_part(field[1:] if field[:1] == ("spec",)
                                                       else ()))
    if obj.kind == "StatefulSet":
        if field[:2] == ("spec", "serviceName"):
            return (*base, "service", "name")
        if field[:2] == ("spec", "volumeClaimTemplates") and len(field) > 2:
            name = field[2]
            if isinstance(name, tuple):
                return (*base, "volumes", name[0], *_claim_part(field[4:] if field[3:4] ==
                                                                 ("spec",) else ()))
            return (*base, "volumes")
    if field[:2] == ("spec", "replicas"):
        return (*base, "replicas")
    if obj.kind == "Job" and len(field) >= 2 and field[0] == "spec" and field[1] in JOB_FIELDS:
        return (*base, "job", str(field[1]))
    pod = POD_SPEC.get(obj.kind)
    if pod is not None and field[: len(pod)] == pod:
        return base + _pod_part(field[len(pod):], values.get("components", {}).get(comp))
    return base


def _service_part(field: FieldPath) -> ValuesPath:
    if field[:2] in (("spec", "type"), ("spec", "clusterIP")):
        return ("service", "type")
    if field[:2] == ("spec", "ports") and len(field) > 2 and isinstance(field[2], tuple):
        tail: ValuesPath = ("nodePort",) if field[3:4] == ("nodePort",) else ()
        return ("service", "ports", field[2][0], *tail)
    if field[:2] == ("metadata", "name"):
        return ("service", "name")
    return ("service",)


def _claim_part(field: FieldPath) -> ValuesPath:
    return _CLAIM_FIELDS.get(field[0], ()) if field else ()


def _pod_part(field: FieldPath, comp: Any) -> ValuesPath:
    if len(field) < 2 or not isinstance(field[1], tuple):
        return ()
    section, name = field[0], field[1][0]
    if section == "volumes":
        return ("volumes", name)
    if section not in ("containers", "initContainers"):
        return ()
    part = _CONTAINER_FIELDS.get(field[2], ()) if len(field) > 2 and isinstance(field[2], str) \
        else ()
    if part == ("env",) and len(field) > 3 and isinstance(field[3], tuple):
        variable = field[3][0]
        written = (((comp or {}).get(section) or {}).get(name) or {})
        part = ("secretEnv", variable) if variable in (written.get("secretEnv") or {}) \
            else ("env", variable)
    elif part == ("ports",) and len(field) > 3 and isinstance(field[3], tuple):
        part = ("ports", field[3][0])
    return (section, name, *part)


def claim_volume(claim: str, component: str, values: dict[str, Any]) -> str | None:
    """The volume of ``component`` a chart-owned claim ``<component name>-<volume>`` is for."""
    volumes = ((values.get("components") or {}).get(component) or {}).get("volumes") or {}
    matches = [v for v in volumes if claim.endswith(f"-{v}")]
    return max(matches, key=len) if matches else None
