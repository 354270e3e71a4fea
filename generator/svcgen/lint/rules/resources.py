"""Resources, health checks and images."""

from __future__ import annotations

from collections.abc import Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, Path, rule
from svcgen.lint.rules._common import base, containers
from svcgen.model import Container, Resources
from svcgen.units import quantity


def _over(res: Resources, where: Path) -> Iterator[Finding]:
    for name, req in res.requests.items():
        if name not in res.limits:
            continue
        r, lim = quantity(req), quantity(res.limits[name])
        if r is not None and lim is not None and r > lim:
            yield Finding((*where, "requests", name),
                          f"the {name} request ({req}) is above its limit ({res.limits[name]})",
                          f"lower requests.{name} or raise limits.{name}")


@rule("SVC401", "requests-above-limits", Severity.ERROR, "A resource request is above its limit")
def requests_above_limits(ctx: Context) -> Iterator[Finding]:
    """Kubernetes rejects a container whose request is larger than its limit, so the workload
    never gets a pod. ``global.defaultResources`` is checked too: it applies to every container
    that sets no resources.

    Example fix: request at most the limit.

        resources: {requests: {memory: 512Mi}, limits: {memory: 1Gi}}
    """
    if ctx.values is None:
        return
    yield from _over(ctx.values.global_.defaultResources, ("global", "defaultResources"))
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            if c.resources is not None:
                yield from _over(c.resources, (*base(cid), section, name, "resources"))


@rule("SVC402", "no-resources", Severity.INFO, "A container sets no resources")
def no_resources(ctx: Context) -> Iterator[Finding]:
    """A container without ``resources`` gets ``global.defaultResources`` (100m CPU and 128Mi
    requested, 256Mi memory limit by default): a guess that schedules a JVM like a shell script.
    Requests decide where pods fit and what autoscaling percentages mean; a memory limit near
    the real use turns a leak into a restart instead of a noisy neighbour.

    Example fix: state what the container needs.

        resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {memory: 768Mi}}
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            if c.resources is None:
                yield Finding((*base(cid), section, name),
                              f"container `{name}` sets no resources; global.defaultResources "
                              "apply", "set `resources.requests` (and a memory limit)", key=True)


def _tcp_port(c: Container) -> str | None:
    tcp = [n for n, p in sorted(c.ports.items()) if p.protocol == "TCP"]
    return "http" if "http" in tcp else (tcp[0] if tcp else None)


def _handled(c: Container, kind: str) -> bool:
    probe = getattr(c.probes, kind)
    return probe is not None and (probe.has_handler or not probe.enabled)


@rule("SVC403", "derived-tcp-probes", Severity.INFO,
      "Health checks are only TCP checks derived from a port")
def derived_tcp_probes(ctx: Context) -> Iterator[Finding]:
    """A container with a TCP port and no readiness or liveness handler gets probes derived
    from that port: a TCP connect. That only proves the port is open: a deadlocked server, or
    one whose database is down, still passes, keeps receiving traffic and is never restarted.

    Example fix: check an endpoint that tells health.

        probes:
          readiness: {httpGet: {path: /ready, port: http}}
          liveness: {httpGet: {path: /healthz, port: http}}
    """
    for cid, comp in ctx.components():
        if not comp.serves:  # only serving kinds get probes derived from their ports
            continue
        for name, c in comp.containers.items():
            port = _tcp_port(c)
            if port is None:
                continue
            derived = [k for k in ("readiness", "liveness") if not _handled(c, k)]
            if derived:
                yield Finding((*base(cid), "containers", name),
                              f"{' and '.join(derived)} of container `{name}` "
                              f"{'are' if len(derived) > 1 else 'is'} a TCP check of port "
                              f"`{port}`, derived: it only proves the port is open",
                              "add an httpGet (or exec/grpc) probe that checks health", key=True)


@rule("SVC404", "no-health-check", Severity.INFO, "A container has no port and no probe")
def no_health_check(ctx: Context) -> Iterator[Finding]:
    """A container without TCP ports gets no derived probes, so nothing notices when it hangs:
    a stuck worker keeps its pod "Running" forever. An exec liveness probe that checks a
    heartbeat file or a queue connection restarts it. (A Job or CronJob ends: its exit status
    and `job.activeDeadlineSeconds` say whether it worked.)

    Example fix: add a liveness command.

        probes: {liveness: {exec: {command: [sh, -c, "test $(find /tmp/heartbeat -mmin -1)"]}}}
    """
    for cid, comp in ctx.components():
        if not comp.serves:  # a Job or CronJob ends; its exit status is its health
            continue
        for name, c in comp.containers.items():
            if _tcp_port(c) is None and not any(
                    getattr(c.probes, k) is not None and getattr(c.probes, k).has_handler
                    for k in ("liveness", "readiness", "startup")):
                yield Finding((*base(cid), "containers", name),
                              f"container `{name}` has no TCP port and no probe: nothing "
                              "checks that it works", "add a liveness probe (exec)", key=True)


@rule("SVC405", "image-tag-mutable", Severity.WARNING, "An image has no tag, or `latest`")
def image_tag_mutable(ctx: Context) -> Iterator[Finding]:
    """Without a tag (or with ``latest``) every node may pull a different image, a rollback
    brings back nothing, and a restart can silently upgrade. A version tag, or a digest, makes
    the deployed image a fact of the values.

    Example fix: pin a version (or a digest).

        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            img = c.image
            if img.digest:
                continue
            where = (*base(cid), section, name, "image")
            if img.tag is None or str(img.tag).strip() == "":
                yield Finding(where, f"image {img.repository} has no tag, so `latest` is pulled",
                              "set `image.tag` to a version, or `image.digest`", key=True)
            elif str(img.tag) == "latest":
                yield Finding((*where, "tag"), f"image {img.repository} uses the `latest` tag",
                              "pin a version tag, or `image.digest`")


@rule("SVC406", "tag-in-repository", Severity.ERROR,
      "image.repository carries a tag or digest")
def tag_in_repository(ctx: Context) -> Iterator[Finding]:
    """The chart builds ``repository:tag@digest``. A repository that already ends in ``:1.2``
    or ``@sha256:…`` gives a reference like ``nginx:1.25:1.25`` that no runtime can pull.
    (A colon before the first slash is a registry port and is fine.)

    Example fix: split the reference.

        image: {repository: nginx, tag: "1.25"}   # was repository: nginx:1.25
    """
    for cid, comp in ctx.components():
        for section, name, c in containers(comp):
            repo = c.image.repository
            last = repo.rsplit("/", 1)[-1]
            if "@" in repo or ("/" in repo and ":" in last) or ("/" not in repo and ":" in repo):
                yield Finding((*base(cid), section, name, "image", "repository"),
                              f"repository `{repo}` includes a tag or digest",
                              "move the tag to `image.tag` (a digest to `image.digest`)")
