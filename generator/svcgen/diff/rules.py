"""The diff rules: what an upgrade from BASE to NEW values refuses, loses or interrupts.

Each rule is a small unit like a lint rule: an id (``DIFF101``), a name, a default severity, a
summary, and a check whose docstring is the rationale ``svcgen explain`` prints. A check reads the
compared renders (:class:`DiffContext`) and yields findings at values paths, in NEW, or in BASE
for what NEW no longer has (``in_base``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from svcgen.diagnostics import Severity
from svcgen.diff.immutable import Refusal, refusals
from svcgen.diff.objects import (
    MISSING,
    Action,
    Change,
    Key,
    Obj,
    changed_under,
    get,
    path_text,
)
from svcgen.diff.places import POD_SPEC, ValuesPath, claim_volume, component_path, values_path
from svcgen.lint.registry import Finding, Rule, declare


@dataclass(frozen=True)
class DiffFinding(Finding):
    """A finding placed in BASE (``in_base``: about something NEW no longer has) or in NEW."""

    in_base: bool = False


@dataclass
class DiffContext:
    """What a check sees: the changes, and the merged values and objects of both sides."""

    changes: list[Change]
    base_values: dict[str, Any]
    new_values: dict[str, Any]
    base_objects: dict[Key, Obj] = field(default_factory=dict)
    new_objects: dict[Key, Obj] = field(default_factory=dict)

    def of(self, *actions: Action, kinds: Iterable[str] = ()) -> Iterator[Change]:
        wanted = set(kinds)
        for c in self.changes:
            if c.action in actions and (not wanted or c.obj.kind in wanted):
                yield c

    @functools.cached_property
    def renames(self) -> dict[str, str]:
        """Components NEW seems to have renamed: old id → new id, matched by the image
        repositories of their containers (one candidate each way)."""
        before, after = _components(self.base_values), _components(self.new_values)
        gone = {cid: _images(c) for cid, c in before.items() if cid not in after}
        fresh = {cid: _images(c) for cid, c in after.items() if cid not in before}
        found: dict[str, str] = {}
        for old, images in gone.items():
            candidates = [new for new, imgs in fresh.items() if imgs == images and images]
            rivals = [o for o, imgs in gone.items() if imgs == images]
            if len(candidates) == 1 and len(rivals) == 1:
                found[old] = candidates[0]
        return found

    def component(self, cid: str | None, *, base: bool = False) -> dict[str, Any]:
        found = _components(self.base_values if base else self.new_values).get(cid or "")
        return found if isinstance(found, dict) else {}


def _components(values: dict[str, Any]) -> dict[str, Any]:
    comps = values.get("components")
    return {k: v for k, v in comps.items() if isinstance(v, dict) and v.get("enabled") is not
            False} if isinstance(comps, dict) else {}


def _images(comp: dict[str, Any]) -> frozenset[tuple[str, str]]:
    containers = comp.get("containers")
    if not isinstance(containers, dict):
        return frozenset()
    return frozenset((str(name), str(((c or {}).get("image") or {}).get("repository", "")))
                     for name, c in containers.items() if isinstance(c, dict))


DiffCheck = Callable[[DiffContext], Iterable[DiffFinding]]
CHECKS: list[tuple[Rule, DiffCheck]] = []


def diff_rule(id: str, name: str, severity: Severity, summary: str
              ) -> Callable[[DiffCheck], DiffCheck]:
    """Register a diff check as a rule; its docstring is the rationale."""

    def register(check: DiffCheck) -> DiffCheck:
        CHECKS.append((declare(id, name, severity, summary, check.__doc__ or "",
                               command="diff"), check))
        return check

    return register


def show(value: Any) -> str:
    """A field value in a message: JSON, so ``"80"`` and ``80`` differ; ``(none)`` when absent."""
    if value is MISSING:
        return "(none)"
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


# --- DIFF1: changes Kubernetes will not make in place ------------------------------------------


@diff_rule("DIFF101", "immutable-field", Severity.ERROR,
           "A field Kubernetes cannot change in place: helm upgrade fails (or drops the change)")
def immutable_field(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    Some fields are fixed once an object exists: a StatefulSet's ``volumeClaimTemplates``,
    ``serviceName`` and ``podManagementPolicy``, the ``selector`` of a Deployment, DaemonSet or
    StatefulSet, a Job's pod template and completions, a binding's ``roleRef``, a Service's
    ``clusterIP`` (so a ClusterIP Service cannot become headless), a claim's storage class and
    access modes (and its size only grows).
    ``helm upgrade`` patches the object, the API server answers ``field is immutable`` and the
    whole upgrade fails, half applied. A headless Service asked to become a ClusterIP one keeps
    ``clusterIP: None`` instead: the change is silently lost.

    Example fix: make the change the way Kubernetes allows; for a StatefulSet, delete it but keep
    its pods and claims, then upgrade (the new StatefulSet adopts the pods):

        kubectl delete statefulset db --cascade=orphan
        helm upgrade shop ./chart -f values.yaml
    """
    for change in ctx.of(Action.REPLACED, Action.CHANGED):
        assert change.base is not None and change.new is not None
        for r in refusals(change):
            yield DiffFinding(
                _refusal_path(change, r, ctx),
                f"{change.new}: {path_text(r.field)} cannot change in place"
                f"{_before_after(r)}; {r.effect}",
                r.fix,
            )


NAME_LABEL = "app.kubernetes.io/name"


def _before_after(r: Refusal) -> str:
    if isinstance(r.before, dict | list) or isinstance(r.after, dict | list):
        return ""
    return f" ({show(r.before)} → {show(r.after)})"


def _refusal_path(change: Change, r: Refusal, ctx: DiffContext) -> ValuesPath:
    assert change.base is not None and change.new is not None
    # Place it at what NEW wrote: a field NEW adds or changes before one it drops.
    fields = sorted(changed_under(change, r.field), key=lambda f: f.after is MISSING)
    if fields and all(f.path[-1] == NAME_LABEL for f in fields):
        return ("nameOverride",)  # the chart's name, in every selector and claim template label
    first = fields[0] if fields else None
    return values_path(change.new, first.path if first else r.field, ctx.new_values)


@diff_rule("DIFF102", "namespace-changed", Severity.ERROR,
           "`global.project` changes: the release would move to another namespace")
def namespace_changed(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    ``global.project`` is the release namespace (the chart fails unless they are equal), and a
    release lives in one namespace: ``helm upgrade`` cannot move it. With a new project the
    upgrade in the old namespace fails on the chart's check, and an install in the new one
    starts every object afresh (new claims, empty storage, new Service addresses) while the old
    release keeps running. When only one side sets the project, whether the namespace changes
    depends on where the release was installed, which the values do not say: a warning.

    Example fix: keep the project; to move, install the release in the new namespace, move the
    data and traffic, then uninstall the old one:

        global:
          project: shop   # as installed
    """
    before, after = _project(ctx.base_values), _project(ctx.new_values)
    if before == after:
        return
    if before and after:
        yield DiffFinding(
            ("global", "project"),
            f"`global.project` {show(before)} → {show(after)} moves the release to another "
            "namespace: helm upgrade cannot move a release (the chart refuses a project other "
            "than the release namespace), and a new install starts every object afresh",
            f"keep `project: {before}`; to move, install in namespace {after}, move the data and "
            "traffic, then uninstall the release in " + before)
    elif after:
        yield DiffFinding(
            ("global", "project"),
            f"`global.project` is set to {show(after)}: the upgrade fails unless the release "
            f"already runs in namespace {after}",
            f"set it only if the release is installed with `--namespace {after}`",
            severity=Severity.WARNING)
    else:
        yield DiffFinding(
            ("global", "project"),
            f"`global.project` {show(before)} is removed: the release namespace is no longer "
            "checked, and DNS names that named the project follow the release namespace",
            f"keep `project: {before}` while the release runs in namespace {before}",
            key=True, in_base=True, severity=Severity.WARNING)


def _project(values: dict[str, Any]) -> str | None:
    glob = values.get("global")
    project = glob.get("project") if isinstance(glob, dict) else None
    return str(project) if project else None


HOOK = "helm.sh/hook"


@diff_rule("DIFF103", "hook-management-changed", Severity.ERROR,
           "An object enters or leaves Helm hook management: helm deletes it or cannot adopt it")
def hook_management_changed(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    Helm keeps two kinds of objects apart: the release's own, which ``helm upgrade`` patches and
    deletes when they leave the release, and hooks (``helm.sh/hook``), which helm creates at
    their phases and otherwise leaves alone. An object that becomes a hook is no longer in the
    release: the upgrade deletes it (a Deployment with its pods, a Service, a claim with its
    data) and creates it only at the hook's phases. An object that stops being a hook is
    created as a release object, but the object of that name the hook left behind does not
    belong to the release: the upgrade fails (``invalid ownership metadata``), unless the hook's
    delete policy removed it.

    Example fix: keep hooks for what runs once per release (a migration Job with ``job.hook``),
    and never annotate a component's objects as hooks:

        migrate:
          kind: Job
          job: {hook: {phases: [pre-upgrade]}}
    """
    for change in ctx.changes:
        if change.base is None or change.new is None or change.base.hook == change.new.hook:
            continue
        if change.new.hook:
            phases = str(change.new.annotations.get(HOOK, ""))
            yield DiffFinding(
                _hook_path(ctx, change.new, base=False),
                f"{change.new} becomes a Helm hook ({phases}): helm upgrade deletes the "
                f"{change.new.kind} the release has and creates it only at the hook's phases",
                "remove the hook annotation; run once-per-release work as a Job with `job.hook`",
                key=True)
        else:
            phases = str(change.base.annotations.get(HOOK, ""))
            # helm deletes a hook that succeeded when its policy says so: then nothing is left
            # in the way, unless its last run failed.
            deleted = "hook-succeeded" in str(
                change.base.annotations.get("helm.sh/hook-delete-policy", ""))
            yield DiffFinding(
                _hook_path(ctx, change.base, base=True),
                f"{change.new} stops being a Helm hook ({phases}): helm upgrade creates it as a "
                "release object, and fails if " + (
                    "a failed hook run left one behind" if deleted else "the hook left one "
                    "behind") + " (it belongs to no release)",
                f"delete the hook's {change.base.kind} first (`kubectl delete "
                f"{change.base.kind.lower()} {change.base.name} --ignore-not-found`), or keep it "
                "a hook",
                key=True, in_base=True,
                severity=Severity.WARNING if deleted else None)


def _hook_path(ctx: DiffContext, obj: Obj, *, base: bool) -> ValuesPath:
    """Where the values make ``obj`` a hook: the chart's ``job.hook``, or an annotation."""
    comp = ctx.component(obj.component, base=base)
    values = ctx.base_values if base else ctx.new_values
    if isinstance(comp.get("job"), dict) and comp["job"].get("hook"):
        return (*component_path(obj.component), "job", "hook")
    from svcgen.lint.rules.hooks import annotation_maps

    for where, found in annotation_maps(values):
        if HOOK in found and (where[0] == "global" or where[1] == obj.component):
            return (*where, HOOK)
    return component_path(obj.component)


# --- DIFF2: data ---------------------------------------------------------------------------------


KEEP = ("helm.sh/resource-policy", "keep")


@diff_rule("DIFF201", "claim-removed", Severity.ERROR,
           "A chart-owned volume claim or claim template is removed or renamed: its data is lost")
def claim_removed(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    A persistent volume of a Deployment is a PersistentVolumeClaim the release owns, named
    ``<component>-<volume>``. When the volume (or its component) is removed or renamed, ``helm
    upgrade`` deletes the claim, and with the default reclaim policy the disk and its data go
    with it; the renamed volume starts empty. A StatefulSet's claims (``<volume>-<component>-N``)
    are not deleted, but a removed or renamed claim template leaves them unmounted, and a renamed
    StatefulSet starts with new, empty claims. This is an error unless acknowledged: put
    ``# svcgen: ignore[DIFF201]`` on the line of the nearest key NEW still has (the component,
    its ``volumes:``, or ``components:``). A claim BASE annotated ``helm.sh/resource-policy:
    keep`` is left in place by helm and not reported (lint refuses that annotation in values:
    given to a component it keeps every object of it, SVC005).

    Example fix: keep the volume under its old name:

        components:
          api:
            volumes:
              cache: {size: 1Gi}   # the claim api-cache keeps its data
    """
    for change in ctx.of(Action.REMOVED, kinds=["PersistentVolumeClaim"]):
        old = change.obj
        if (old.annotations.get(KEEP[0]) or "") == KEEP[1]:
            continue
        volume = claim_volume(old.name, old.component or "", ctx.base_values)
        yield DiffFinding(
            values_path(old, (), ctx.base_values),
            f"{old} is no longer in the release: helm upgrade deletes it, and the data on it"
            f"{_moved_to(ctx, old.component, volume)}",
            "keep the volume and its name; to retire it, back up its data, then acknowledge "
            "with `# svcgen: ignore[DIFF201]`",
            key=True, in_base=True)
    # Judged on the old object: a StatefulSet that becomes another kind is listed under its new
    # kind, and takes its claims with it all the same.
    for change in ctx.changes:
        if change.base is None or change.base.kind != "StatefulSet":
            continue
        old = change.base
        same = change.new is not None and change.new.kind == "StatefulSet"
        kept = _claim_templates(change.new) if same else set()
        for volume in sorted(_claim_templates(old) - kept):
            claims = f"{volume}-{old.name}-N"
            if same:
                what = (f"{old}: claim template `{volume}` is removed: the pods no longer mount "
                        f"their claims {claims}; the data stays there, unused")
            elif change.new is not None:
                what = (f"{old} becomes a {change.new.kind}: its claims {claims} stay, unused, "
                        f"and the {change.new.kind} starts on empty storage")
            else:
                what = (f"{old} is no longer in the release: its claims {claims} stay, unused, "
                        "and a StatefulSet under another name or kind starts with empty storage")
            yield DiffFinding(
                ("components", old.component or "", "volumes", volume),
                what + _moved_to(ctx, old.component, volume),
                "keep the claim template (volume) and the StatefulSet's name; to move the data, "
                "copy it into the new claims, then acknowledge with `# svcgen: ignore[DIFF201]`",
                key=True, in_base=True)


def _claim_templates(obj: Obj | None) -> set[str]:
    if obj is None:
        return set()
    return {str((t.get("metadata") or {}).get("name")) for t in
            obj.spec.get("volumeClaimTemplates") or [] if isinstance(t, dict)}


def _moved_to(ctx: DiffContext, component: str | None, volume: str | None) -> str:
    renamed = ctx.renames.get(component or "")
    if renamed:
        return f" (component `{component}` is now `{renamed}`: its volumes start empty)"
    if component and volume:
        before = set(ctx.component(component, base=True).get("volumes") or {})
        added = sorted(set(ctx.component(component).get("volumes") or {}) - before)
        if added:
            return f" (the new volume `{added[0]}` starts empty)"
    return ""


# --- DIFF3: downtime -----------------------------------------------------------------------------

#: Workloads whose removal stops serving pods (a Job or CronJob only stops running).
SERVING = ("Deployment", "StatefulSet", "DaemonSet")


@diff_rule("DIFF301", "workload-replaced", Severity.WARNING,
           "A workload is removed, renamed or changes kind: its pods are deleted, not rolled")
def workload_replaced(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    Objects are known to Kubernetes by kind and name. Renaming a component renames its
    Deployment (or StatefulSet), and changing its ``kind`` makes it another object: ``helm
    upgrade`` creates the new workload and deletes the old one, so every old pod stops at once
    instead of being replaced one at a time behind readiness checks (``maxUnavailable: 0`` does
    not apply across two objects). Until the new pods are ready, nothing serves.

    Example fix: keep the component id (and kind). To rename without downtime, add the new
    component beside the old one, move the traffic, and remove the old one in a later release:

        components:
          api: {...}        # still serving
          backend: {...}    # the new name; remove `api` once callers use `backend`
    """
    for change in ctx.of(Action.REPLACED):
        assert change.base is not None and change.new is not None
        if change.base.kind == change.new.kind or change.base.kind not in SERVING:
            continue
        yield DiffFinding(
            (*component_path(change.new.component), "kind"),
            f"{change.base} becomes a {change.new.kind}: helm upgrade deletes the "
            f"{change.base.kind} (every pod at once) and creates the {change.new.kind}",
            f"keep `kind: {change.base.kind}`; to move, add a component of the new kind beside it, "
            "move the traffic, then remove the old one")
    for change in ctx.of(Action.REMOVED, kinds=SERVING):
        old = change.obj
        renamed = ctx.renames.get(old.component or "")
        if renamed:
            yield DiffFinding(
                component_path(renamed),
                f"component `{old.component}` is renamed to `{renamed}`: helm upgrade deletes "
                f"{old} (every pod at once) and creates a {old.kind} for `{renamed}`",
                f"keep the id `{old.component}`; or add `{renamed}` beside it, move the traffic, "
                f"and remove `{old.component}` in a later release",
                key=True)
        else:
            yield DiffFinding(
                component_path(old.component), f"{old} is removed: its pods stop",
                "if callers still need it, keep the component; acknowledge an intended removal "
                "with `# svcgen: ignore[DIFF301]` on `components:` in NEW",
                key=True, in_base=True)


@diff_rule("DIFF302", "service-renamed", Severity.WARNING,
           "A Service is removed or renamed: its DNS name stops resolving")
def service_renamed(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    Callers reach a component by its Service's DNS name, ``<service>.<namespace>.svc``. A
    Service is named after its component (or ``service.name``), so renaming the component or the
    ``service.name`` deletes the old Service: every caller that still uses the old name fails,
    inside the release and out of it.

    Example fix: keep the old name while the component gets a new id:

        components:
          backend:                 # was `api`
            service: {name: api}   # callers keep using api.<namespace>.svc
    """
    governing = {str(o.spec.get("serviceName")) for o in ctx.base_objects.values()
                 if o.kind == "StatefulSet"}
    for change in ctx.of(Action.REMOVED, kinds=["Service"]):
        old = change.obj
        if old.name in governing:
            continue  # a StatefulSet's own headless Service goes with it (DIFF301)
        renamed = ctx.renames.get(old.component or "")
        now = _service_of(ctx, renamed or old.component)
        hint = (f"keep the old name with `service.name: {old.name}` under "
                f"`components.{renamed or old.component}`")
        if renamed:
            yield DiffFinding(
                component_path(renamed),
                f"{old} is renamed to {now or renamed} with its component: callers of "
                f"{old.name}.<namespace>.svc fail", hint, key=True)
        elif now is not None:
            yield DiffFinding(
                (*component_path(old.component), "service", "name"),
                f"{old} is renamed to {now}: callers of {old.name}.<namespace>.svc fail", hint)
        else:
            yield DiffFinding(
                (*component_path(old.component), "service"),
                f"{old} is removed: callers of {old.name}.<namespace>.svc fail",
                "keep the Service while anything calls it; acknowledge an intended removal with "
                "`# svcgen: ignore[DIFF302]` on the component's line in NEW",
                key=True, in_base=True)


def _service_of(ctx: DiffContext, component: str | None) -> str | None:
    """Name of the component's main Service in NEW, if it has one."""
    for o in ctx.new_objects.values():
        if o.kind == "Service" and o.component == component and o.spec.get("clusterIP") != "None":
            return o.name
    return None


# --- DIFF4: Services ----------------------------------------------------------------------------

_EXPOSURE = {"ClusterIP": 0, "NodePort": 1, "LoadBalancer": 2}


@diff_rule("DIFF401", "service-exposure-lost", Severity.WARNING,
           "A Service type change gives up its node ports or load balancer address")
def service_exposure_lost(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    A NodePort Service holds a port on every node and a LoadBalancer one an external address
    (both allocated by the cluster unless fixed). Changing the type to one with less exposure
    releases them at once: clients outside the cluster lose their way in, and a released load
    balancer address usually cannot be had back.

    Example fix: keep the type until every client uses the new way in:

        service: {type: LoadBalancer}
    """
    for change in ctx.of(Action.CHANGED, kinds=["Service"]):
        assert change.base is not None and change.new is not None
        before = str(change.base.spec.get("type", "ClusterIP"))
        after = str(change.new.spec.get("type", "ClusterIP"))
        if _EXPOSURE.get(after, 0) >= _EXPOSURE.get(before, 0):
            continue
        lost = "its node ports"
        if before == "LoadBalancer":
            lost = "its load balancer address" + (" and node ports" if after == "ClusterIP"
                                                  else "")
        yield DiffFinding(
            values_path(change.new, ("spec", "type"), ctx.new_values),
            f"{change.new}: type {before} → {after} releases {lost}",
            f"keep `type: {before}` until clients outside the cluster use the new way in")


@diff_rule("DIFF402", "node-port-changed", Severity.WARNING,
           "A Service's node port changes or is given back to the cluster")
def node_port_changed(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    A fixed ``nodePort`` is the address clients outside the cluster (and load balancers
    configured by hand) use. Changing it, or dropping it so the cluster allocates another,
    moves the Service to a new port on every node.

    Example fix: keep the node port:

        service:
          type: NodePort
          ports: {http: {port: 80, nodePort: 30080}}
    """
    for change in ctx.of(Action.CHANGED, kinds=["Service"]):
        assert change.base is not None and change.new is not None
        if str(change.new.spec.get("type", "ClusterIP")) not in ("NodePort", "LoadBalancer"):
            continue
        for f in change.fields:
            if len(f.path) == 4 and f.path[:2] == ("spec", "ports") and \
                    f.path[3] == "nodePort" and f.before is not MISSING:
                after = "a port the cluster allocates" if f.after is MISSING else show(f.after)
                yield DiffFinding(
                    values_path(change.new, f.path, ctx.new_values),
                    f"{change.new}: node port {show(f.before)} of port "
                    f"`{path_text(f.path[2:3]).strip('[]')}` becomes {after}",
                    f"keep `nodePort: {f.before}`")


# --- DIFF5: rollouts -----------------------------------------------------------------------------

_PROBES = ("readinessProbe", "livenessProbe", "startupProbe")


@diff_rule("DIFF501", "no-ready-replicas", Severity.WARNING,
           "A rollout that can leave no ready replica: replicas to 0, or every probe at once")
def no_ready_replicas(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    Three changes can take replicas out of service. ``replicas`` going to 0 without an
    autoscaler stops every pod of the workload. Turning ``scaling`` on takes ``replicas`` out of
    the rendered workload (the autoscaler owns the count from then on), and Helm 3's three-way
    patch deletes the field: Kubernetes sets the default, 1 replica, until the autoscaler scales
    up again. Changing every probe of a pod at once bets the rollout on all of them: if one is
    wrong (a path, a port, a too-short delay), no new pod becomes ready; a StatefulSet replaces
    its pods one by one without surge, and a Deployment with ``maxUnavailable`` above 0 removes
    old pods first, so both can end with none ready.

    Example fix: change probes one at a time, checked on a canary first; keep replicas at
    least 1, or let `scaling` decide (with a trigger that wakes the component):

        replicas: 2
    """
    for change in ctx.of(Action.CHANGED, kinds=POD_SPEC):
        assert change.base is not None and change.new is not None
        before, after = change.base.spec.get("replicas"), change.new.spec.get("replicas")
        if isinstance(before, int) and before > 0 and after == 0:
            yield DiffFinding(
                values_path(change.new, ("spec", "replicas"), ctx.new_values),
                f"{change.new}: replicas {before} → 0 and no autoscaler: every pod stops",
                "keep replicas at 1 or more, or set `enabled: false` to retire the component")
        elif isinstance(before, int) and before > 1 and after is None:
            yield DiffFinding(
                (*component_path(change.new.component), "scaling"),
                f"{change.new}: replicas {before} leaves the rendered object as the autoscaler "
                "takes over: helm's patch removes it and Kubernetes runs 1 replica until the "
                "autoscaler scales up",
                f"set `scaling.minReplicas` to at least {before}, so that the autoscaler restores "
                "the count at once")
        pod = POD_SPEC[change.new.kind]
        probes = [(c, p) for c in change.base.get((*pod, "containers")) or []
                  for p in _PROBES if isinstance(c, dict) and p in c]
        if len(probes) < 2:
            continue
        changed = [(c, p) for c, p in probes
                   if get(change.new.body, (*pod, "containers", (str(c.get("name")),), p)) != c[p]]
        still = any(p in c for c in change.new.get((*pod, "containers")) or [] for p in _PROBES
                    if isinstance(c, dict))
        if len(changed) == len(probes) and still:
            first = changed[0]
            where = (*pod, "containers", (str(first[0].get("name")),), first[1])
            listed = ", ".join(f"{c.get('name')}.{p}" for c, p in changed)
            yield DiffFinding(
                values_path(change.new, where, ctx.new_values)[:-1],
                f"{change.new}: every probe of the pod changes at once ({listed}): if one is "
                "wrong, no new pod becomes ready",
                "change one probe per release, checked on one replica first")


_AUTOSCALERS = {"HorizontalPodAutoscaler": ("spec", "minReplicas"),
                "ScaledObject": ("spec", "minReplicaCount"),
                "HTTPScaledObject": ("spec", "replicas", "min")}


@diff_rule("DIFF502", "autoscaler-removed", Severity.WARNING,
           "Removing autoscaling drops a workload to its `replicas` at once")
def autoscaler_removed(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    While an autoscaler owns a workload, the chart leaves ``replicas`` out of it and the
    autoscaler keeps at least its minimum running. Removing ``scaling`` puts ``replicas`` back
    (1 unless set), and the upgrade scales the workload down to it at once, whatever the load:
    ``minReplicas: 6`` becomes one pod, and the PodDisruptionBudget that came with several
    replicas goes too.

    Example fix: set ``replicas`` to what the autoscaler keeps running before removing it:

        replicas: 6   # was scaling: {minReplicas: 6, maxReplicas: 12}
    """
    for change in ctx.of(Action.CHANGED, Action.REPLACED, kinds=POD_SPEC):
        assert change.base is not None and change.new is not None
        after = change.new.spec.get("replicas")
        if "replicas" in change.base.spec or not isinstance(after, int):
            continue
        target = change.base.name
        for old in ctx.base_objects.values():
            place = _AUTOSCALERS.get(old.kind)
            ref = old.spec.get("scaleTargetRef") or {}
            if place is None or not isinstance(ref, dict) or ref.get("name") != target:
                continue
            if any(o.kind == old.kind and o.name == old.name for o in ctx.new_objects.values()):
                continue
            least = old.get(place)
            least = least if isinstance(least, int) else 1
            if after >= least:
                continue
            pdb = any(o.kind == "PodDisruptionBudget" and o.component == change.new.component
                      for o in ctx.base_objects.values()) and not any(
                o.kind == "PodDisruptionBudget" and o.component == change.new.component
                for o in ctx.new_objects.values())
            yield DiffFinding(
                (*component_path(change.new.component), "replicas"),
                f"{change.new}: {old} is removed and replicas drop from at least {least} (its "
                f"minimum) to {after} at once" + (", and its PodDisruptionBudget is removed"
                                                   if pdb else ""),
                f"set `replicas: {least}` (or more) when removing `scaling`")


# --- DIFF6: references ---------------------------------------------------------------------------


@diff_rule("DIFF601", "removed-port-in-use", Severity.ERROR,
           "A Service port is removed while an ingress, route or peer still uses it")
def removed_port_in_use(ctx: DiffContext) -> Iterator[DiffFinding]:
    """
    A Service port is a contract with its callers: an Ingress or HTTPRoute backend names it (by
    name or number), and components that call this one (``upstreams``) connect to it. Removing
    the port while a rendered route still points at it leaves that route without a backend (an
    error); a peer that declares this component as an upstream may still connect to it (a
    warning: what port it uses is not in the values).

    Example fix: keep the port until its callers have moved:

        service:
          ports:
            metrics: {port: 9090}   # still scraped by `monitor`
    """
    for change in ctx.of(Action.CHANGED, kinds=["Service"]):
        assert change.base is not None and change.new is not None
        gone = _removed_ports(change.base, change.new)
        if not gone:
            continue
        service = change.new.name
        comp = change.new.component
        for port in gone:
            where = _port_path(ctx, comp, str(port.get("name", "")))
            number = port.get("port")
            label = f"`{port.get('name')}` ({number})"
            for ref, obj in _route_references(ctx, service, port):
                yield DiffFinding(
                    component_path(obj.component) + (("ingress",) if obj.kind == "Ingress"
                                                      else ()),
                    f"{obj} still routes to port {label} of Service {service}, which is removed",
                    f"keep the port, or point {ref} at a port the Service keeps")
            for peer in _callers(ctx, comp):
                yield DiffFinding(
                    where,
                    f"port {label} of Service {service} is removed, and component `{peer}` calls "
                    f"`{comp}` (upstreams): it may still use the port",
                    f"keep the port until `{peer}` no longer uses it; acknowledge with "
                    "`# svcgen: ignore[DIFF601]` on the component's line in NEW",
                    key=True, in_base=True, severity=Severity.WARNING)


def _removed_ports(base: Obj, new: Obj) -> list[dict[str, Any]]:
    kept = new.spec.get("ports") or []
    names = {p.get("name") for p in kept if isinstance(p, dict)}
    numbers = {p.get("port") for p in kept if isinstance(p, dict)}
    return [p for p in base.spec.get("ports") or [] if isinstance(p, dict)
            and p.get("name") not in names and p.get("port") not in numbers]


def _port_path(ctx: DiffContext, comp: str | None, name: str) -> ValuesPath:
    """Where BASE wrote a Service port: under ``service.ports``, else the container port."""
    written = ctx.component(comp, base=True)
    if name in ((written.get("service") or {}).get("ports") or {}):
        return (*component_path(comp), "service", "ports", name)
    for section in ("containers", "initContainers"):
        for cname, ctr in (written.get(section) or {}).items():
            if isinstance(ctr, dict) and name in (ctr.get("ports") or {}):
                return (*component_path(comp), section, cname, "ports", name)
    return (*component_path(comp), "service")


def _route_references(ctx: DiffContext, service: str, port: dict[str, Any]
                      ) -> Iterator[tuple[str, Obj]]:
    """Ingress and Gateway API route backends in NEW naming this port of this Service."""
    for obj in ctx.new_objects.values():
        if obj.kind == "Ingress":
            for rule in obj.spec.get("rules") or []:
                for p in ((rule or {}).get("http") or {}).get("paths") or []:
                    backend = ((p or {}).get("backend") or {}).get("service") or {}
                    ref = backend.get("port") or {}
                    if backend.get("name") == service and (
                            ref.get("name") == port.get("name") or
                            ref.get("number") == port.get("port")):
                        yield f"path {p.get('path', '/')} of host {rule.get('host', '*')}", obj
        elif obj.kind in ("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"):
            for rule in obj.spec.get("rules") or []:
                for ref in (rule or {}).get("backendRefs") or []:
                    if (ref or {}).get("name") == service and ref.get("port") == port.get("port"):
                        yield "its backendRef", obj


def _callers(ctx: DiffContext, comp: str | None) -> list[str]:
    """Components of NEW that name ``comp`` among their upstreams."""
    found = []
    for cid, c in _components(ctx.new_values).items():
        for peer in c.get("upstreams") or []:
            if isinstance(peer, dict) and peer.get("component") in (comp, "*") and cid != comp:
                found.append(cid)
                break
    return sorted(found)


def run(ctx: DiffContext, active: set[str]) -> list[tuple[Rule, DiffFinding]]:
    """Every selected diff rule's findings."""
    return [(r, f) for r, check in CHECKS if r.id in active for f in check(ctx)]
