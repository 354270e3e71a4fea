"""Storage: volumes, claims and mounts."""

from __future__ import annotations

from collections.abc import Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, rule
from svcgen.lint.rules._common import base, containers, most_replicas, scaled

_SINGLE_NODE = {"ReadWriteOnce", "ReadWriteOncePod"}


@rule("SVC501", "rwo-volume-shared", Severity.ERROR,
      "A ReadWriteOnce volume shared by several replicas, or by a DaemonSet's pods")
def rwo_volume_shared(ctx: Context) -> Iterator[Finding]:
    """All replicas of a Deployment share its one PersistentVolumeClaim, and so do the pods a
    DaemonSet runs on every node (and all replicas of a StatefulSet share a volume marked
    ``shared``). A ReadWriteOnce volume attaches to one node only, so pods scheduled elsewhere
    hang in ContainerCreating; two replicas on one node would share the files without any
    locking the application expects. A StatefulSet gives each replica its own claim.

    Example fix: a StatefulSet (a volume per replica), or a ReadWriteMany storage class.

        kind: StatefulSet
        volumes: {data: {size: 10Gi}}
    """
    for cid, comp in ctx.components():
        if comp.kind == "DaemonSet":
            why = "one pod per node"
        elif comp.replicated and most_replicas(comp) > 1:
            why = (f"scaling up to {comp.scaling.maxReplicas} replicas"
                   if scaled(comp) and comp.scaling is not None else f"{comp.replicas} replicas")
        else:
            continue
        for vname, vol in comp.volumes.items():
            if comp.claims == "template" and not vol.shared:
                continue  # one claim per replica
            # An existing claim's modes are the claim's business unless the values state them.
            stated = vol.existingClaim is None or ctx.is_set(
                (*base(cid), "volumes", vname, "accessModes"))
            if vol.kind == "persistent" and stated and set(vol.accessModes) <= _SINGLE_NODE:
                yield Finding((*base(cid), "volumes", vname),
                              f"volume `{vname}` is {'/'.join(vol.accessModes)} but the "
                              f"{comp.kind} runs {why} that share one claim",
                              "use `kind: StatefulSet`, or accessModes [ReadWriteMany]", key=True)


@rule("SVC502", "rwop-blocks-rollout", Severity.ERROR,
      "A ReadWriteOncePod volume with a surging rollout")
def rwop_blocks_rollout(ctx: Context) -> Iterator[Finding]:
    """A ReadWriteOncePod volume can be used by one pod at a time. A rolling update with
    ``maxSurge`` (of a Deployment, or of a DaemonSet on each node) starts the new pod before the
    old one stops, and the new pod waits for the volume forever: the rollout never finishes.

    Example fix: replace the pod instead of surging.

        strategy: {maxSurge: 0, maxUnavailable: 1}
    """
    for cid, comp in ctx.components():
        if comp.kind not in ("Deployment", "DaemonSet") or comp.strategy.maxSurge in (0, "0%"):
            continue
        for vname, vol in comp.volumes.items():
            if vol.kind == "persistent" and "ReadWriteOncePod" in vol.accessModes:
                yield Finding((*base(cid), "volumes", vname, "accessModes"),
                              f"volume `{vname}` is ReadWriteOncePod but a rollout surges "
                              f"(maxSurge {comp.strategy.maxSurge}): the new pod never gets it",
                              "set strategy maxSurge: 0 and maxUnavailable: 1", key=True)


@rule("SVC503", "unused-volume", Severity.WARNING, "A volume that no container mounts")
def unused_volume(ctx: Context) -> Iterator[Finding]:
    """A volume nobody mounts still costs: a claim is provisioned (and billed), a ConfigMap or
    Secret must exist before the pod starts. Usually a ``volumeMounts`` entry was forgotten or
    misspelled.

    Example fix: mount it, or remove it.

        containers: {app: {volumeMounts: {data: {mountPath: /var/lib/app}}}}
    """
    for cid, comp in ctx.components():
        mounted = {m.volume_name(k) for _, _, c in containers(comp)
                   for k, m in c.volumeMounts.items()}
        for vname in comp.volumes:
            if vname not in mounted:
                yield Finding((*base(cid), "volumes", vname),
                              f"volume `{vname}` is not mounted by any container",
                              "add it to a container's `volumeMounts`, or remove it", key=True)


@rule("SVC504", "mount-missing-volume", Severity.ERROR, "A volumeMount names no volume")
def mount_missing_volume(ctx: Context) -> Iterator[Finding]:
    """``volumeMounts`` are keyed by the name of a volume of the same component (or name it in
    ``volume``). A name that is not in ``volumes`` makes the chart fail (or, rendered by hand,
    the API server reject the pod).

    Example fix: declare the volume, or fix the name.

        volumes: {cache: {emptyDir: {}}}
        containers: {app: {volumeMounts: {cache: {mountPath: /cache}}}}
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            for key, mount in c.volumeMounts.items():
                vname = mount.volume_name(key)
                if vname not in comp.volumes:
                    known = ", ".join(f"`{v}`" for v in sorted(comp.volumes)) or "none"
                    at = () if vname == key else ("volume",)
                    yield Finding((*base(cid), section, name, "volumeMounts", key, *at),
                                  f"volumeMount `{key}`"
                                  f"{'' if vname == key else f' (volume `{vname}`)'} "
                                  f"names no volume of component `{cid}` "
                                  f"(volumes: {known})",
                                  f"add `volumes.{vname}`, or mount an existing volume", key=True)


@rule("SVC505", "duplicate-mount-path", Severity.ERROR,
      "Two mounts of one container use the same path")
def duplicate_mount_path(ctx: Context) -> Iterator[Finding]:
    """Kubernetes rejects a container with two volume mounts at one ``mountPath``: the pod is
    never created and the rollout stalls.

    Example fix: give each mount its own path.

        volumeMounts: {data: {mountPath: /data}, cache: {mountPath: /cache}}
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            seen: dict[str, str] = {}
            for vname, m in c.volumeMounts.items():
                path = m.mountPath.rstrip("/") or "/"
                if path in seen:
                    yield Finding((*base(cid), section, name, "volumeMounts", vname, "mountPath"),
                                  f"mountPath {m.mountPath} is also used by `{seen[path]}`",
                                  "mount each volume at its own path")
                seen.setdefault(path, vname)
