"""Where pods run and what classes objects name: affinity, tolerations, spread, host aliases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svcgen.lint.render_rules import (
    POD_KINDS,
    Version,
    Violation,
    api_rule,
    mapping,
    pod_spec,
    sequence,
)
from svcgen.lint.render_rules.formats import (
    dns1123_subdomain,
    ip_address,
    qualified_name,
)

_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


@api_rule("SVC920", "scheduling", "Affinity, tolerations or topology spread the API server "
          "refuses", kinds=POD_KINDS)
def scheduling(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``validateAffinity``, ``ValidateTolerations`` and ``validateTopologySpreadConstraints``
    (kubernetes/kubernetes, pkg/apis/core/validation/validation.go): a preferred scheduling
    term's ``weight`` is 1 to 100; a pod (anti-)affinity term needs a ``topologyKey``; a
    toleration with an empty key must use ``operator: Exists``, one with ``Exists`` has no
    value, a key is a qualified name, ``tolerationSeconds`` only goes with ``NoExecute``; a
    spread constraint has ``maxSkew`` of at least 1, a topology key, ``whenUnsatisfiable`` of
    ``DoNotSchedule`` or ``ScheduleAnyway``, and no two constraints share key and action.
    The values pass these fields through unchecked.

    Example fix: tolerate every taint of a key with Exists:

        tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]
    """
    found = pod_spec(obj)
    if found is None:
        return
    at, spec = found
    affinity = mapping(spec, "affinity")
    preferred = [("nodeAffinity", t) for t in sequence(
        affinity, "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution")]
    for kind in ("podAffinity", "podAntiAffinity"):
        preferred += [(kind, t) for t in sequence(
            affinity, kind, "preferredDuringSchedulingIgnoredDuringExecution")]
        for i, term in enumerate(sequence(affinity, kind,
                                          "requiredDuringSchedulingIgnoredDuringExecution")):
            if isinstance(term, dict) and not term.get("topologyKey"):
                yield Violation(f"{at}.affinity.{kind}.requiredDuringSchedulingIgnoredDuring"
                                f"Execution[{i}].topologyKey", "a topologyKey is required",
                                (("affinity", kind, "requiredDuringSchedulingIgnoredDuring"
                                  "Execution", i),))
        for i, term in enumerate(sequence(affinity, kind,
                                          "preferredDuringSchedulingIgnoredDuringExecution")):
            inner = mapping(term, "podAffinityTerm")
            if isinstance(term, dict) and not inner.get("topologyKey"):
                yield Violation(f"{at}.affinity.{kind}.preferredDuringSchedulingIgnoredDuring"
                                f"Execution[{i}].podAffinityTerm.topologyKey",
                                "a topologyKey is required",
                                (("affinity", kind, "preferredDuringSchedulingIgnoredDuring"
                                  "Execution", i),))
    counters: dict[str, int] = {}
    for kind, term in preferred:
        i = counters.get(kind, 0)
        counters[kind] = i + 1
        weight = term.get("weight") if isinstance(term, dict) else None
        if isinstance(weight, int) and not 1 <= weight <= 100:
            yield Violation(f"{at}.affinity.{kind}.preferredDuringSchedulingIgnoredDuring"
                            f"Execution[{i}].weight", f"weight {weight}: must be in the range "
                            "1-100",
                            (("affinity", kind, "preferredDuringSchedulingIgnoredDuringExecution",
                              i, "weight"),))
    for i, tol in enumerate(sequence(spec, "tolerations")):
        if isinstance(tol, dict):
            for why in _toleration(tol):
                yield Violation(f"{at}.tolerations[{i}]", why, (("tolerations", i),))
    seen: set[tuple[str, str]] = set()
    for i, tsc in enumerate(sequence(spec, "topologySpreadConstraints")):
        if not isinstance(tsc, dict):
            continue
        place = (("topologySpreadConstraints", i),)
        skew = tsc.get("maxSkew")
        if isinstance(skew, int) and skew < 1:
            yield Violation(f"{at}.topologySpreadConstraints[{i}].maxSkew",
                            f"maxSkew {skew}: must be greater than zero", place)
        key = str(tsc.get("topologyKey") or "")
        why = qualified_name(key) if key else "a topologyKey is required"
        if why:
            yield Violation(f"{at}.topologySpreadConstraints[{i}].topologyKey",
                            f"topologyKey {key!r}: {why}", place)
        action = str(tsc.get("whenUnsatisfiable", ""))
        if action not in ("DoNotSchedule", "ScheduleAnyway"):
            yield Violation(f"{at}.topologySpreadConstraints[{i}].whenUnsatisfiable",
                            f"whenUnsatisfiable {action!r}: must be DoNotSchedule or "
                            "ScheduleAnyway", place)
        minimum = tsc.get("minDomains")
        if isinstance(minimum, int) and (minimum < 1 or action != "DoNotSchedule"):
            yield Violation(f"{at}.topologySpreadConstraints[{i}].minDomains",
                            f"minDomains {minimum}: must be at least 1, with "
                            "whenUnsatisfiable DoNotSchedule", place)
        if (key, action) in seen:
            yield Violation(f"{at}.topologySpreadConstraints[{i}]",
                            f"two constraints for ({key}, {action})", place)
        seen.add((key, action))


def _toleration(tol: dict[str, Any]) -> Iterator[str]:
    key = str(tol.get("key") or "")
    operator = str(tol.get("operator") or "Equal")
    if key:
        why = qualified_name(key)
        if why:
            yield f"toleration key {key!r}: {why}"
    elif operator != "Exists":
        yield "a toleration with an empty key must use operator Exists"
    if operator not in ("Equal", "Exists"):
        yield f"operator {operator!r}: must be Equal or Exists"
    elif operator == "Exists" and tol.get("value"):
        yield "a toleration with operator Exists must have no value"
    effect = tol.get("effect")
    if effect and effect not in _EFFECTS:
        yield f"effect {effect!r}: must be one of {', '.join(_EFFECTS)}"
    if tol.get("tolerationSeconds") is not None and effect != "NoExecute":
        yield "tolerationSeconds goes only with effect NoExecute"


@api_rule("SVC921", "host-alias", "A hostAliases entry whose key is not an IP address or whose "
          "hostname is not a DNS name", kinds=POD_KINDS)
def host_aliases(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``ValidateHostAliases`` (kubernetes/kubernetes, pkg/apis/core/validation/validation.go)
    checks each entry's ``ip`` with ``IsValidIP`` and each hostname with ``IsDNS1123Subdomain``;
    ``hostAliases`` is keyed by IP in the values, so a key like ``db`` renders an entry the
    server refuses.

    Example fix: key the entry by the address:

        hostAliases: {10.0.0.5: [db.internal]}
    """
    found = pod_spec(obj)
    if found is None:
        return
    at, spec = found
    for i, alias in enumerate(sequence(spec, "hostAliases")):
        if not isinstance(alias, dict):
            continue
        ip = str(alias.get("ip", ""))
        why = ip_address(ip)
        if why:
            yield Violation(f"{at}.hostAliases[{i}].ip", f"ip {ip!r}: {why}",
                            (("hostAliases", ip),))
        for j, host in enumerate(sequence(alias, "hostnames")):
            why = dns1123_subdomain(str(host))
            if why:
                yield Violation(f"{at}.hostAliases[{i}].hostnames[{j}]",
                                f"hostname {host!r}: {why}", (("hostAliases", ip, j),))


@api_rule("SVC922", "class-name", "A priority, runtime, storage or ingress class, or a Service "
          "appProtocol, of a form the API server refuses",
          kinds=(*POD_KINDS, "Service", "PersistentVolumeClaim", "StatefulSet", "Ingress"))
def class_names(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    Class names are object names: ``ValidatePodSpec`` checks ``priorityClassName`` and
    ``runtimeClassName``, ``ValidatePersistentVolumeClaimSpec`` ``storageClassName`` and
    ``ValidateIngressSpec`` ``ingressClassName`` as DNS subdomains (kubernetes/kubernetes,
    pkg/apis/core/validation and pkg/apis/networking/validation); ``ValidateService`` checks a
    port's ``appProtocol`` with ``IsQualifiedName`` (``http``, ``kubernetes.io/h2c``).

    Example fix: write the class as its object is named:

        priorityClassName: high-priority
    """
    found = pod_spec(obj)
    if found is not None:
        at, spec = found
        for field in ("priorityClassName", "runtimeClassName"):
            value = spec.get(field)
            why = dns1123_subdomain(str(value)) if value else ""
            if why:
                yield Violation(f"{at}.{field}", f"{field} {value!r}: {why}", ((field,),))
    claims = [("spec", mapping(obj, "spec"))] if obj.get("kind") == "PersistentVolumeClaim" \
        else [(f"spec.volumeClaimTemplates[{i}].spec", mapping(t, "spec"))
              for i, t in enumerate(sequence(obj, "spec", "volumeClaimTemplates"))]
    for at, spec in claims:
        value = spec.get("storageClassName")
        why = dns1123_subdomain(str(value)) if value else ""
        if why:
            yield Violation(f"{at}.storageClassName", f"storageClassName {value!r}: {why}",
                            (("volumes",),))
    if obj.get("kind") == "Ingress":
        value = mapping(obj, "spec").get("ingressClassName")
        why = dns1123_subdomain(str(value)) if value else ""
        if why:
            yield Violation("spec.ingressClassName", f"ingressClassName {value!r}: {why}",
                            (("ingress", "className"), ("global", "ingressClassName")))
    if obj.get("kind") == "Service":
        for i, port in enumerate(sequence(obj, "spec", "ports")):
            value = port.get("appProtocol") if isinstance(port, dict) else None
            why = qualified_name(str(value)) if value else ""
            if why:
                yield Violation(f"spec.ports[{i}].appProtocol", f"appProtocol {value!r}: {why}",
                                (("service", "ports", str(port.get("name")), "appProtocol"),))
