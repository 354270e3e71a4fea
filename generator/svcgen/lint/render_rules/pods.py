"""What the API server checks in containers: env, resources, probes, ports, mounts, hooks."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from svcgen.lint.render_rules import (
    POD_KINDS,
    ValuesPath,
    Version,
    Violation,
    api_rule,
    container_values,
    containers,
    mapping,
    pod_spec,
    sequence,
)
from svcgen.lint.render_rules.formats import (
    config_map_key,
    env_var_name,
    http_header_name,
    non_negative_quantity,
    port_name,
    positive_quantity,
    qualified_name,
)
from svcgen.units import quantity

_STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
_DEFAULT_GRACE = 30


@api_rule("SVC913", "env-name-or-key", "An environment variable name, envFrom prefix or "
          "ConfigMap/Secret key the API server refuses",
          kinds=(*POD_KINDS, "ConfigMap", "Secret"))
def env_and_keys(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``validateEnv`` and ``validateEnvFrom`` (kubernetes/kubernetes,
    pkg/apis/core/validation/validation.go) check variable names and envFrom prefixes with
    ``IsEnvVarName`` (before 1.32 a C-identifier-like name; since then any printable ASCII but
    ``=``), and the keys a pod reads from a ConfigMap or Secret (``secretKeyRef.key``,
    ``items[].key``) with ``IsConfigMapKey``, as ``ValidateConfigMap``/``ValidateSecret`` check
    the keys of the chart's own ConfigMaps and Secrets (the ``files`` of a volume): alphanumerics,
    ``-``, ``_`` and ``.``, not ``.`` or ``..``, not starting with ``..``.

    Example fix: name the file without a leading ``..`` and without spaces:

        volumes: {config: {files: {app.yaml: "..."}}}
    """
    relaxed = version.at_least(32)
    if obj.get("kind") in ("ConfigMap", "Secret"):
        for section in ("data", "binaryData", "stringData"):
            for key in mapping(obj, section):
                why = config_map_key(str(key))
                if why:
                    yield Violation(f"{section}.{key}", f"key {key!r}: {why}",
                                    (("volumes",), ("containers",)))
        return
    for at, ckey, c in containers(obj):
        for i, e in enumerate(sequence(c, "env")):
            name = str(e.get("name", "")) if isinstance(e, dict) else ""
            why = env_var_name(name, relaxed)
            if why:
                yield Violation(f"{at}.env[{i}].name", f"variable {name!r}: {why}",
                                (container_values(ckey, c, "env", name),
                                 container_values(ckey, c, "secretEnv", name)))
            for ref in ("secretKeyRef", "configMapKeyRef"):
                ref_key = mapping(e, "valueFrom", ref).get("key")
                why = config_map_key(str(ref_key)) if ref_key is not None else ""
                if why:
                    yield Violation(f"{at}.env[{i}].valueFrom.{ref}.key",
                                    f"key {ref_key!r}: {why}",
                                    (container_values(ckey, c, "secretEnv", name, "key"),))
        for i, source in enumerate(sequence(c, "envFrom")):
            prefix = source.get("prefix") if isinstance(source, dict) else None
            why = env_var_name(str(prefix), relaxed) if prefix else ""
            if why:
                yield Violation(f"{at}.envFrom[{i}].prefix", f"prefix {prefix!r}: {why}",
                                (container_values(ckey, c, "envFrom"),))
    found = pod_spec(obj)
    if found is not None:
        at, spec = found
        for i, vol in enumerate(sequence(spec, "volumes")):
            for kind in ("configMap", "secret"):
                for j, item in enumerate(sequence(vol, kind, "items")):
                    item_key = item.get("key") if isinstance(item, dict) else None
                    why = config_map_key(str(item_key)) if item_key is not None else ""
                    if why:
                        yield Violation(f"{at}.volumes[{i}].{kind}.items[{j}].key",
                                        f"key {item_key!r}: {why}",
                                        (("volumes", str(vol.get("name")), kind, "items", j,
                                          "key"),))


def _resource_name(name: str) -> str:
    """validateContainerResourceName: a standard name, or a fully qualified extended one."""
    why = qualified_name(name)
    if why:
        return why
    if "/" not in name:
        if name not in _STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
            return "must be a standard resource for containers (cpu, memory, " \
                   "ephemeral-storage, hugepages-<size>) or a qualified extended resource"
        return ""
    if "kubernetes.io/" in name:
        return ""
    if qualified_name("requests." + name):
        return "does not follow the extended resource name standard"
    return ""


def _extended(name: str) -> bool:
    """IsExtendedResourceName: outside the kubernetes.io domain, with a domain."""
    return "/" in name and "kubernetes.io/" not in name and not name.startswith("requests.")


@api_rule("SVC914", "resource-requirements", "A container's resources the API server refuses: "
          "a name, a negative amount, an extended resource without its limit, a request above "
          "its limit", kinds=POD_KINDS)
def resources(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``ValidateResourceRequirements`` (kubernetes/kubernetes, pkg/apis/core/validation/
    validation.go) checks each resource name (``validateContainerResourceName``: ``cpu``,
    ``memory``, ``ephemeral-storage``, ``hugepages-*`` or a domain-qualified extended resource
    such as ``nvidia.com/gpu``), each amount (``ValidateResourceQuantityValue``: not negative,
    a whole number for extended resources), that a request is not above its limit, and that an
    extended resource (which cannot be overcommitted) has a limit equal to its request.

    Example fix: give the GPU as a limit (the request then defaults to it):

        resources: {limits: {nvidia.com/gpu: 1}}
    """
    for at, ckey, c in containers(obj):
        req = mapping(c, "resources", "requests")
        lim = mapping(c, "resources", "limits")
        for section, amounts in (("requests", req), ("limits", lim)):
            for name, value in amounts.items():
                where = f"{at}.resources.{section}.{name}"
                places = (container_values(ckey, c, "resources", section, str(name)),
                          ("global", "defaultResources", section, str(name)))
                why = _resource_name(str(name))
                if why:
                    yield Violation(where, f"resource name {name!r}: {why}", places)
                    continue
                why = non_negative_quantity(value)
                if why:
                    yield Violation(where, f"{name} {value}: {why}", places)
                    continue
                amount = quantity(value) if isinstance(value, str | int | float) else None
                if _extended(str(name)) and amount is not None and amount != int(amount):
                    yield Violation(where, f"{name} {value}: must be an integer", places)
        for name, value in req.items():
            places = (container_values(ckey, c, "resources", "requests", str(name)),
                      ("global", "defaultResources", "requests", str(name)))
            wanted = quantity(value) if isinstance(value, str | int | float) else None
            limit = lim.get(name)
            top = quantity(limit) if isinstance(limit, str | int | float) else None
            if _extended(str(name)) and limit is None:
                yield Violation(f"{at}.resources.requests.{name}",
                                f"{name}: a limit must be set for a resource that cannot be "
                                "overcommitted", places)
            elif wanted is not None and top is not None:
                if _extended(str(name)) and wanted != top:
                    yield Violation(f"{at}.resources.requests.{name}",
                                    f"{name} {value}: must be equal to the {name} limit", places)
                elif wanted > top:
                    yield Violation(f"{at}.resources.requests.{name}",
                                    f"{name} {value}: must be less than or equal to the "
                                    f"{name} limit of {limit}", places)


_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


@api_rule("SVC915", "probe", "A probe the API server refuses: a successThreshold other than 1 "
          "on a liveness or startup probe, a header name, not exactly one handler",
          kinds=POD_KINDS)
def probes(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``validateLivenessProbe``, ``validateStartupProbe`` and ``validateProbe``
    (kubernetes/kubernetes, pkg/apis/core/validation/validation.go): a liveness or startup probe
    must have ``successThreshold: 1`` (only readiness may ask for more successes), every
    ``httpHeaders[].name`` must pass ``IsHTTPHeaderName`` (letters, digits, ``-``) and a probe
    has exactly one handler.

    Example fix: drop successThreshold from the liveness probe:

        probes: {liveness: {httpGet: {path: /livez, port: http}}}
    """
    for at, ckey, c in containers(obj):
        for field, kind in (("livenessProbe", "liveness"), ("readinessProbe", "readiness"),
                            ("startupProbe", "startup")):
            probe = mapping(c, field)
            if not probe:
                continue
            places = (container_values(ckey, c, "probes", kind),)
            threshold = probe.get("successThreshold")
            if kind != "readiness" and threshold not in (None, 1):
                yield Violation(f"{at}.{field}.successThreshold",
                                f"{kind} probe successThreshold {threshold}: must be 1",
                                (container_values(ckey, c, "probes", kind, "successThreshold"),))
            handlers = [h for h in _HANDLERS if probe.get(h) is not None]
            if len(handlers) != 1:
                yield Violation(f"{at}.{field}", f"{kind} probe: must have exactly one handler, "
                                f"has {len(handlers)}", places)
            for i, header in enumerate(sequence(probe, "httpGet", "httpHeaders")):
                name = str(header.get("name", "")) if isinstance(header, dict) else ""
                why = http_header_name(name)
                if why:
                    yield Violation(f"{at}.{field}.httpGet.httpHeaders[{i}].name",
                                    f"header {name!r}: {why}",
                                    (container_values(ckey, c, "probes", kind, "httpGet",
                                                      "httpHeaders", i, "name"),))


@api_rule("SVC916", "port-name", "A port name the API server refuses (all digits, '--', too "
          "long) or used twice", kinds=(*POD_KINDS, "Service"))
def port_names(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``validateContainerPorts`` and ``ValidateService`` (kubernetes/kubernetes,
    pkg/apis/core/validation/validation.go) check port names with ``IsValidPortName`` (an IANA
    service name: at most 15 lowercase alphanumerics and ``-``, at least one letter, no ``--``,
    no ``-`` at either end) and refuse two ports of one name in a pod or a Service. A name of
    digits only reads as a port number where a probe or a Service targets it.

    Example fix: give the port a name with a letter:

        ports: {http-8080: {containerPort: 8080}}
    """
    if obj.get("kind") == "Service":
        yield from _port_names(sequence(obj, "spec", "ports"), "spec", set(),
                               lambda name: ("service", "ports", name))
        return
    seen: set[str] = set()  # the containers of a pod share one set of port names
    for at, ckey, c in containers(obj):
        yield from _port_names(sequence(c, "ports"), at, seen,
                               functools.partial(container_values, ckey, c, "ports"))


def _port_names(ports: list[Any], at: str, seen: set[str],
                place: Callable[[str], ValuesPath]) -> Iterator[Violation]:
    for i, port in enumerate(ports):
        name = str(port.get("name", "")) if isinstance(port, dict) else ""
        if not name:
            continue
        why = port_name(name) if name not in seen else "is used by two ports"
        seen.add(name)
        if why:
            yield Violation(f"{at}.ports[{i}].name", f"port name {name!r}: {why}",
                            (place(name),))


def _local_descending(path: str) -> str:
    """validateLocalDescendingPath: relative, and no element ``..``."""
    if path.startswith("/"):
        return "must be a relative path"
    if ".." in path.replace("\\", "/").split("/"):
        return "must not contain '..'"
    return ""


@api_rule("SVC917", "volume-mount", "A volume mount or volume the API server refuses: an "
          "absolute subPath or one with '..', a non-positive claim size, a negative size limit",
          kinds=(*POD_KINDS, "PersistentVolumeClaim"))
def volume_mounts(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``ValidateVolumeMounts`` (kubernetes/kubernetes, pkg/apis/core/validation/validation.go)
    checks a ``subPath`` with ``validateLocalDescendingPath`` (relative, no ``..`` element);
    ``validateVolumes`` a non-negative ``emptyDir.sizeLimit``; and
    ``ValidatePersistentVolumeClaimSpec`` a storage request greater than zero (``size: 0`` on a
    volume renders a claim no server accepts, and a StatefulSet's volumeClaimTemplates the same).

    Example fix: mount a path inside the volume, and give a real size:

        volumeMounts: {data: {mountPath: /var/lib/app, subPath: app}}
        volumes: {data: {size: 1Gi}}
    """
    if obj.get("kind") == "PersistentVolumeClaim":
        name = str(mapping(obj, "metadata").get("name", ""))
        yield from _claim(mapping(obj, "spec"), "spec", name)
        return
    for i, template in enumerate(sequence(obj, "spec", "volumeClaimTemplates")):
        name = str(mapping(template, "metadata").get("name", ""))
        yield from _claim(mapping(template, "spec"), f"spec.volumeClaimTemplates[{i}].spec", name)
    for at, ckey, c in containers(obj):
        for i, mount in enumerate(sequence(c, "volumeMounts")):
            sub = mount.get("subPath") if isinstance(mount, dict) else None
            why = _local_descending(str(sub)) if sub else ""
            if why:
                key = str(mount.get("name", ""))
                yield Violation(f"{at}.volumeMounts[{i}].subPath", f"subPath {sub!r}: {why}",
                                (container_values(ckey, c, "volumeMounts", key, "subPath"),))
    found = pod_spec(obj)
    if found is not None:
        at, spec = found
        for i, vol in enumerate(sequence(spec, "volumes")):
            limit = mapping(vol, "emptyDir").get("sizeLimit")
            why = non_negative_quantity(limit) if limit is not None else ""
            if why:
                yield Violation(f"{at}.volumes[{i}].emptyDir.sizeLimit",
                                f"sizeLimit {limit}: {why}",
                                (("volumes", str(vol.get("name")), "emptyDir", "sizeLimit"),))


def _claim(spec: dict[str, Any], at: str, name: str) -> Iterator[Violation]:
    """A claim's storage request must be positive; the claim is named after the volume (a
    prefix may come before it)."""
    size = mapping(spec, "resources", "requests").get("storage")
    why = positive_quantity(size) if size is not None else ""
    if why:
        yield Violation(f"{at}.resources.requests.storage", f"storage {size}: {why}",
                        (*(("volumes", tail, "size") for tail in _suffixes(name)), ("volumes",)))


def _suffixes(name: str) -> list[str]:
    """``shop-api-data`` → itself, ``api-data``, ``data``: the volume key is one of them."""
    parts = name.split("-")
    return ["-".join(parts[i:]) for i in range(len(parts))]


@api_rule("SVC918", "prestop-sleep", "A sleep hook longer than the pod's grace period, or "
          "negative", kinds=POD_KINDS)
def sleep_hooks(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``validateSleepAction`` (kubernetes/kubernetes, pkg/apis/core/validation/validation.go)
    refuses a ``lifecycle.*.sleep.seconds`` that is negative or longer than the pod's
    ``terminationGracePeriodSeconds`` (30 when unset): the kubelet would kill the container
    before the hook ends.

    Example fix: sleep less than the grace period, or raise it:

        terminationGracePeriodSeconds: 60
        containers: {app: {lifecycle: {preStop: {sleep: {seconds: 45}}}}}
    """
    found = pod_spec(obj)
    if found is None:
        return
    grace = found[1].get("terminationGracePeriodSeconds")
    grace = grace if isinstance(grace, int) and not isinstance(grace, bool) else _DEFAULT_GRACE
    for at, ckey, c in containers(obj):
        for hook in ("preStop", "postStart"):
            seconds = mapping(c, "lifecycle", hook, "sleep").get("seconds")
            if not isinstance(seconds, int) or isinstance(seconds, bool):
                continue
            # Zero became valid with AllowPodLifecycleSleepActionZeroValue, on since 1.33.
            least = 0 if version.at_least(33) else 1
            if seconds < least or seconds > grace:
                yield Violation(f"{at}.lifecycle.{hook}.sleep.seconds",
                                f"{hook} sleep of {seconds}s: must be at least {least} and at most "
                                f"terminationGracePeriodSeconds ({grace})",
                                (container_values(ckey, c, "lifecycle", hook, "sleep",
                                                  "seconds"),
                                 ("terminationGracePeriodSeconds",)))
