"""Scaling and availability: replicas, autoscalers, disruption budgets, rollouts."""

from __future__ import annotations

import math
from collections.abc import Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, rule
from svcgen.lint.rules._common import base, fewest_replicas, scaled


@rule("SVC301", "min-above-max", Severity.ERROR, "scaling.minReplicas is above maxReplicas")
def min_above_max(ctx: Context) -> Iterator[Finding]:
    """An autoscaler with more minimum than maximum replicas is rejected by the API server
    (HorizontalPodAutoscaler) or never settles (KEDA).

    Example fix: raise the maximum, or lower the minimum.

        scaling: {minReplicas: 2, maxReplicas: 10}
    """
    for cid, comp in ctx.components():
        s = comp.scaling
        if s is not None and s.enabled and s.minReplicas > s.maxReplicas:
            yield Finding((*base(cid), "scaling", "minReplicas"),
                          f"minReplicas ({s.minReplicas}) is above maxReplicas ({s.maxReplicas})",
                          "make minReplicas at most maxReplicas")


@rule("SVC302", "replicas-with-scaling", Severity.WARNING,
      "replicas is set, but scaling decides the replica count")
def replicas_with_scaling(ctx: Context) -> Iterator[Finding]:
    """With ``scaling`` enabled the workload is rendered without ``replicas`` (otherwise every
    ``helm upgrade`` would reset what the autoscaler chose), so a ``replicas`` value has no
    effect and misleads whoever reads the values.

    Example fix: drop ``replicas`` and set ``scaling.minReplicas`` instead.

        scaling: {minReplicas: 3, maxReplicas: 10, targetCPU: 70}
    """
    for cid, comp in ctx.components():
        if scaled(comp) and ctx.is_set((*base(cid), "replicas")):
            yield Finding((*base(cid), "replicas"),
                          "replicas has no effect while scaling is enabled",
                          "remove `replicas`; use `scaling.minReplicas`", key=True)


@rule("SVC303", "pdb-blocks-drain", Severity.WARNING,
      "A PodDisruptionBudget allows no pod to be evicted")
def pdb_blocks_drain(ctx: Context) -> Iterator[Finding]:
    """A PodDisruptionBudget that must keep every replica up (``maxUnavailable: 0``, or
    ``minAvailable`` at or above the replica count, or ``100%``) blocks ``kubectl drain`` and
    node upgrades forever: the cluster operator has to delete it by hand. With scaling, the
    budget is checked against ``minReplicas``, the count the component can run at. Percentages
    round up, as Kubernetes rounds them. Setting both fields is an error: the chart takes one.

    Example fix: allow one pod to go.

        podDisruptionBudget: {maxUnavailable: 1}
    """
    for cid, comp in ctx.components():
        pdb = comp.podDisruptionBudget
        replicas = fewest_replicas(comp)
        enabled = pdb.enabled if pdb.enabled is not None else replicas >= 2
        if not enabled or replicas == 0:
            continue
        here = (*base(cid), "podDisruptionBudget")
        if pdb.minAvailable is not None and pdb.maxUnavailable is not None:
            yield Finding(here, "minAvailable and maxUnavailable are both set; the chart takes "
                          "one", "keep one of them", key=True, severity=Severity.ERROR)
        elif pdb.minAvailable is not None:
            if _pods(pdb.minAvailable, replicas) >= replicas:
                yield Finding((*here, "minAvailable"),
                              f"minAvailable {pdb.minAvailable} with {replicas} replica(s) "
                              "lets no pod be evicted: node drains hang",
                              "lower minAvailable, or use maxUnavailable: 1")
        elif pdb.maxUnavailable is not None and _pods(pdb.maxUnavailable, replicas) == 0:
            yield Finding((*here, "maxUnavailable"),
                          f"maxUnavailable {pdb.maxUnavailable} lets no pod be evicted: node "
                          "drains hang", "use maxUnavailable: 1")


def _pods(value: int | str, replicas: int) -> int:
    """Pods an int-or-percent budget stands for; percentages round up, as Kubernetes does."""
    if isinstance(value, str):
        return math.ceil(int(value.rstrip("%")) * replicas / 100)
    return value


@rule("SVC304", "cpu-target-ignored", Severity.WARNING,
      "CPU/memory targets or triggers are ignored next to concurrency or requestsPerSecond")
def cpu_target_ignored(ctx: Context) -> Iterator[Finding]:
    """With ``concurrency`` or ``requestsPerSecond`` the chart renders a KEDA HTTPScaledObject,
    which scales on HTTP traffic only: ``targetCPU``, ``targetMemory`` and ``triggers`` are not
    used (the add-on owns the target's ScaledObject; a second autoscaler would fight it). Leaving
    them in the values suggests a safety net that does not exist.

    Example fix: keep one kind of target.

        scaling: {minReplicas: 1, maxReplicas: 10, concurrency: 50}   # targetCPU removed
    """
    for cid, comp in ctx.components():
        s = comp.scaling
        if s is None or not s.enabled or s.engine != "keda-http":
            continue
        for field in ("targetCPU", "targetMemory"):
            if getattr(s, field) is not None:
                yield Finding((*base(cid), "scaling", field),
                              f"{field} is ignored: concurrency/requestsPerSecond render a KEDA "
                              "HTTPScaledObject, which scales on requests only",
                              f"remove `{field}`", key=True)
        if s.triggers:
            yield Finding((*base(cid), "scaling", "triggers"),
                          "triggers are ignored: concurrency/requestsPerSecond render a KEDA "
                          "HTTPScaledObject, which scales on requests only",
                          "remove `triggers`, or drop concurrency/requestsPerSecond to scale on "
                          "the triggers", key=True)


@rule("SVC305", "scale-to-zero-without-trigger", Severity.ERROR,
      "Scale to zero with only CPU/memory targets")
def scale_to_zero_without_trigger(ctx: Context) -> Iterator[Finding]:
    """``minReplicas: 0`` renders a KEDA ScaledObject. CPU and memory are measured on running
    pods, so with only those targets nothing can ever wake the component from zero: KEDA does
    not scale cpu/memory triggers to zero. It needs an event source: ``triggers`` (queue length,
    cron, Prometheus), or ``concurrency``/``requestsPerSecond`` (KEDA HTTP add-on).

    Example fix: add a trigger that sees work while no pod runs.

        scaling:
          minReplicas: 0
          maxReplicas: 5
          triggers: [{type: rabbitmq, metadata: {queueName: jobs, value: "20"}}]
    """
    for cid, comp in ctx.components():
        s = comp.scaling
        if s is None or not s.enabled or s.minReplicas != 0 or s.engine == "keda-http":
            continue
        # cpu and memory triggers are measured on running pods: they cannot wake a component.
        if not any(t.type not in ("cpu", "memory") for t in s.triggers):
            what = ("only CPU/memory targets" if (s.targetCPU or s.targetMemory or s.triggers)
                    else "no trigger")
            yield Finding((*base(cid), "scaling", "minReplicas"),
                          f"minReplicas 0 with {what}: nothing can wake the component from zero",
                          "add `triggers`, or `concurrency`, or set minReplicas to 1")


@rule("SVC306", "rollout-cannot-progress", Severity.ERROR,
      "strategy.maxUnavailable and maxSurge are both 0")
def rollout_cannot_progress(ctx: Context) -> Iterator[Finding]:
    """A rolling update must either start a new pod first (``maxSurge``) or stop an old one
    first (``maxUnavailable``). With both at 0 the API server rejects the Deployment.

    Example fix: keep the zero-downtime default.

        strategy: {maxUnavailable: 0, maxSurge: 1}
    """
    for cid, comp in ctx.components():
        st = comp.strategy
        if comp.kind == "Deployment" and st.maxUnavailable in (0, "0%") \
                and st.maxSurge in (0, "0%"):
            yield Finding((*base(cid), "strategy"), "maxUnavailable and maxSurge are both 0: "
                          "no rollout can proceed", "set maxSurge: 1", key=True)
