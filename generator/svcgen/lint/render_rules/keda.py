"""KEDA's admission webhook for ScaledObjects."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from svcgen.lint.render_rules import (
    Version,
    Violation,
    api_rule,
    containers,
    mapping,
    sequence,
)

#: ``maxK8sLabelValueLength``: KEDA puts both names into label values.
NAME_MAX = 63


@api_rule("SVC927", "keda-scaledobject", "A ScaledObject KEDA's admission webhook refuses: a "
          "cpu/memory trigger on containers without requests, only such triggers with "
          "minReplicaCount 0, a name or HPA name over 63 characters", render=True)
def scaled_objects(objects: Sequence[dict[str, Any]], version: Version) -> Iterator[Violation]:
    """
    KEDA's validating webhook (kedacore/keda, ``apis/keda/v1alpha1/scaledobject_webhook.go``)
    runs at admission: ``verifyCPUMemoryScalers`` refuses a ``cpu`` or ``memory`` trigger when a
    container of the scaled Deployment or StatefulSet has no request (or limit) for that
    resource, and a ScaledObject whose triggers are all cpu/memory with ``minReplicaCount`` 0
    (they never scale from zero); ``verifyName`` refuses a name, or the derived HPA name
    ``keda-hpa-<name>``, longer than 63 characters (they become label values).

    Example fix: request the resource the trigger measures, in every container:

        resources: {requests: {cpu: 250m, memory: 256Mi}}
    """
    workloads = {(str(o.get("kind")), str(mapping(o, "metadata").get("name"))): o
                 for o in objects if o.get("kind") in ("Deployment", "StatefulSet")}
    for index, obj in enumerate(objects):
        if obj.get("kind") != "ScaledObject":
            continue
        spec = mapping(obj, "spec")
        name = str(mapping(obj, "metadata").get("name", ""))
        hpa = str(mapping(spec, "advanced", "horizontalPodAutoscalerConfig").get("name")
                  or f"keda-hpa-{name}")
        if len(name) > NAME_MAX:
            yield Violation("metadata.name", f"ScaledObject name {name!r} is {len(name)} "
                            f"characters long; must be no more than {NAME_MAX}", ((),), index)
        elif len(hpa) > NAME_MAX:
            yield Violation("metadata.name", f"HPA name {hpa!r} derived from the ScaledObject "
                            f"is {len(hpa)} characters long; must be no more than {NAME_MAX}",
                            ((),), index)
        triggers = [t for t in sequence(spec, "triggers") if isinstance(t, dict)]
        measured = [t for t in triggers if t.get("type") in ("cpu", "memory")]
        if not measured:
            continue
        target = mapping(spec, "scaleTargetRef")
        workload = workloads.get((str(target.get("kind", "Deployment")), str(target.get("name"))))
        if workload is not None:
            yield from _requests(workload, measured, index)
        if len(measured) == len(triggers) and not spec.get("minReplicaCount"):
            yield Violation("spec.minReplicaCount", "only cpu/memory triggers and "
                            "minReplicaCount 0: such a ScaledObject never scales from zero",
                            (("scaling", "minReplicas"), ("scaling",)), index)


def _requests(workload: dict[str, Any], triggers: list[dict[str, Any]],
              index: int) -> Iterator[Violation]:
    for trigger in triggers:
        resource = str(trigger["type"])
        only = mapping(trigger, "metadata").get("containerName")
        for _, ckey, c in containers(workload):
            if ckey != "containers" or (only and c.get("name") != only):
                continue
            if resource in mapping(c, "resources", "requests") or \
                    resource in mapping(c, "resources", "limits"):
                continue
            cname = str(c.get("name"))
            yield Violation("spec.triggers", f"a {resource} trigger but container {cname!r} "
                            f"has no {resource} request", (
                                ("containers", cname, "resources", "requests"),
                                ("containers", cname, "resources"), ("containers", cname),
                                ("scaling",)), index)
