"""Workload controllers: CronJob schedules and names, rollout strategies, disruption budgets,
and the list entries server-side apply merges by key."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
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
from svcgen.lint.render_rules.formats import not_more_than_100_percent
from svcgen.lint.rules.workloads import cron_problem
from svcgen.model import time_zone_known

#: ValidateCronJobCreate: the controller appends an 11-character suffix to Job names.
CRONJOB_NAME_MAX = 52
_TZ_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")


@functools.cache
def _time_zone(name: str) -> str:
    if name == "":
        return "must be unset or a non-empty name"
    if name.lower() == "local":
        return "must be an explicit IANA time zone, not Local"
    if not all(_TZ_PART.match(p) for p in name.split("/")):
        return "is not a valid IANA time zone name"
    return "" if time_zone_known(name) else "is not a time zone of the IANA database"


@api_rule("SVC923", "cronjob", "A CronJob whose name, schedule or time zone the API server "
          "refuses", kinds=("CronJob",))
def cronjob(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``ValidateCronJobCreate`` and ``validateCronJobSpec`` (kubernetes/kubernetes,
    pkg/apis/batch/validation/validation.go): the name is at most 52 characters (the controller
    appends a suffix for each Job), the schedule parses with the standard cron parser and holds
    no ``TZ=``/``CRON_TZ=``, and ``timeZone`` is a zone of the IANA database (``Local`` is
    refused). The chart names a CronJob after its component, with the release prefix when set.

    Example fix: a shorter component id, and the zone in its own field:

        cronJob: {schedule: "0 3 * * *", timeZone: Europe/Berlin}
    """
    name = str(mapping(obj, "metadata").get("name", ""))
    if len(name) > CRONJOB_NAME_MAX:
        yield Violation("metadata.name", f"CronJob name {name!r} ({len(name)} characters): must "
                        f"be no more than {CRONJOB_NAME_MAX} characters", ((),))
    spec = mapping(obj, "spec")
    schedule = spec.get("schedule")
    problem = cron_problem(str(schedule)) if schedule is not None else "a schedule is required"
    if problem:
        yield Violation("spec.schedule", f"schedule {schedule!r}: {problem}",
                        (("cronJob", "schedule"),))
    zone = spec.get("timeZone")
    why = _time_zone(str(zone)) if zone is not None else ""
    if why:
        yield Violation("spec.timeZone", f"timeZone {zone!r}: {why}", (("cronJob", "timeZone"),))


def _zero(value: Any) -> bool:
    return value in (0, "0%") or value is None


def _int_or_percent(value: Any, field: str, places: tuple[ValuesPath, ...],
                    at: str) -> Iterator[Violation]:
    """ValidatePositiveIntOrPercent, and IsNotMoreThan100Percent but for a surge (a rollout
    may double a Deployment and more)."""
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        yield Violation(at, f"{field} {value}: must be greater than or equal to 0", places)
    why = not_more_than_100_percent(value) if field != "maxSurge" else ""
    if why:
        yield Violation(at, f"{field} {value}: {why}", places)


@api_rule("SVC924", "rollout-budget", "A rollout strategy or disruption budget the API server "
          "refuses: a percentage above 100%, a DaemonSet with both maxSurge and maxUnavailable, "
          "both zero", kinds=("Deployment", "DaemonSet", "StatefulSet", "PodDisruptionBudget"))
def rollout(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``ValidateRollingUpdateDeployment``, ``ValidateRollingUpdateDaemonSet``
    (kubernetes/kubernetes, pkg/apis/apps/validation/validation.go) and
    ``ValidatePodDisruptionBudgetSpec`` (pkg/apis/policy/validation): ``maxUnavailable`` (and
    a budget's ``minAvailable``) is not above 100%; ``maxUnavailable`` and ``maxSurge`` are not
    both zero; a DaemonSet may set only one of them (surging adds a pod on the node before the
    old one goes); a budget sets ``minAvailable`` or ``maxUnavailable``, not both.

    Example fix: a DaemonSet rolls one node at a time without surge:

        strategy: {maxUnavailable: 1, maxSurge: 0}
    """
    kind = obj.get("kind")
    if kind == "PodDisruptionBudget":
        spec = mapping(obj, "spec")
        for field in ("minAvailable", "maxUnavailable"):
            if field in spec:
                yield from _int_or_percent(spec[field], field,
                                           (("podDisruptionBudget", field),), f"spec.{field}")
        if "minAvailable" in spec and "maxUnavailable" in spec:
            yield Violation("spec", "minAvailable and maxUnavailable cannot be both set",
                            (("podDisruptionBudget",),))
        return
    strategy_field = "strategy" if kind == "Deployment" else "updateStrategy"
    update = mapping(obj, "spec", strategy_field, "rollingUpdate")
    if not update:
        return
    at = f"spec.{strategy_field}.rollingUpdate"
    for field in ("maxUnavailable", "maxSurge"):
        if field in update:
            yield from _int_or_percent(update[field], field, (("strategy", field),),
                                       f"{at}.{field}")
    if kind == "StatefulSet":
        return
    unavailable, surge = update.get("maxUnavailable", 1 if kind == "DaemonSet" else "25%"), \
        update.get("maxSurge", 0 if kind == "DaemonSet" else "25%")
    if _zero(unavailable) and _zero(surge):
        yield Violation(f"{at}.maxUnavailable", "maxUnavailable may not be 0 when maxSurge is 0",
                        (("strategy", "maxUnavailable"), ("strategy",)))
    if kind == "DaemonSet" and not _zero(unavailable) and not _zero(surge):
        yield Violation(f"{at}.maxSurge", "a DaemonSet's maxSurge may not be set when "
                        "maxUnavailable is non-zero", (("strategy", "maxSurge"), ("strategy",)))


def _keys(items: list[Any], *fields: str, defaults: tuple[Any, ...] = ()) -> Iterator[
        tuple[int, tuple[Any, ...]]]:
    """(index, key) of each entry whose key was seen before."""
    if len(items) < 2:
        return
    seen: set[tuple[Any, ...]] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        key = tuple(str(item.get(f, defaults[n] if n < len(defaults) else None))
                    for n, f in enumerate(fields))
        if key in seen:
            yield i, key
        seen.add(key)


@api_rule("SVC925", "duplicate-list-key", "Two entries of a keyed list share their key "
          "(containers, env, ports, volumes, mounts, pull secrets, Service ports)",
          kinds=(*POD_KINDS, "Service"))
def list_keys(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    Lists the API declares as maps (``+listType=map``) are merged by their keys: server-side
    apply (Helm 4's default) refuses a list with two entries of one key (``duplicate entries for
    key``, kubernetes/kubernetes staging/src/k8s.io/apimachinery managedfields), and
    ``ValidatePodSpec``/``ValidateService`` (pkg/apis/core/validation/validation.go) refuse
    duplicate container, volume and Service port (port, protocol) entries and two mounts at one
    path. The keys: containers and env by ``name``, container ports by (``containerPort``,
    ``protocol``), volumes and pull secrets by ``name``, mounts by ``mountPath``, host aliases by
    ``ip``.

    Example fix: list a pull secret once (global and component lists are joined):

        global: {imagePullSecrets: [regcred]}
    """
    if obj.get("kind") == "Service":
        for i, key in _keys(sequence(obj, "spec", "ports"), "port", "protocol",
                            defaults=(None, "TCP")):
            yield Violation(f"spec.ports[{i}]", f"two Service ports {key[0]}/{key[1]}",
                            (("service", "ports"),))
        return
    found = pod_spec(obj)
    if found is None:
        return
    at, spec = found
    for field, key_fields, place in (
            ("containers", ("name",), ("containers",)),
            ("initContainers", ("name",), ("initContainers",)),
            ("volumes", ("name",), ("volumes",)),
            ("imagePullSecrets", ("name",), ("imagePullSecrets",)),
            ("hostAliases", ("ip",), ("hostAliases",))):
        for i, key in _keys(sequence(spec, field), *key_fields):
            yield Violation(f"{at}.{field}[{i}]", f"two {field} entries of {key[0]!r}",
                            (place, ("global", "imagePullSecrets")))
    for cat, ckey, c in containers(obj):
        for i, key in _keys(sequence(c, "env"), "name"):
            yield Violation(f"{cat}.env[{i}]", f"variable {key[0]!r} is set twice",
                            (container_values(ckey, c, "env", str(key[0])),
                             container_values(ckey, c, "secretEnv", str(key[0]))))
        for i, key in _keys(sequence(c, "ports"), "containerPort", "protocol",
                            defaults=(None, "TCP")):
            yield Violation(f"{cat}.ports[{i}]", f"port {key[0]}/{key[1]} is listed twice",
                            (container_values(ckey, c, "ports"),))
        for i, key in _keys(sequence(c, "volumeMounts"), "mountPath"):
            yield Violation(f"{cat}.volumeMounts[{i}].mountPath",
                            f"two volumes are mounted at {key[0]!r}",
                            (container_values(ckey, c, "volumeMounts"),))
