"""Names: uniqueness and the DNS limits of the names the chart derives."""

from __future__ import annotations

from collections.abc import Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, Path, rule
from svcgen.lint.rules._common import base, most_replicas, prefix, service_name, service_ports
from svcgen.model import Component

#: A StatefulSet's pods carry ``controller-revision-hash: <name>-<hash>``; the hash takes up to
#: 11 characters of the 63 a label value may have. A CronJob's Jobs are named
#: ``<name>-<minutes since epoch>`` (11 characters), so the API server holds CronJob names to 52.
STATEFULSET_NAME_LIMIT = 52
CRONJOB_NAME_LIMIT = 52


@rule("SVC201", "duplicate-service-name", Severity.ERROR,
      "Two components' Services would get the same name")
def duplicate_service_name(ctx: Context) -> Iterator[Finding]:
    """A Service is named after its component, or ``service.name`` when set, so two components
    can end up with one Service name (and a StatefulSet's ``<name>-headless`` can meet another
    component's name). Names are unique in a namespace: the chart refuses to render, and a
    reader of the values cannot tell which component ``<name>.<namespace>.svc`` reaches.

    Example fix: give one component another ``service.name`` (or none).

        api:   {service: {name: backend}}
        admin: {service: {name: admin}}   # was backend
    """
    owners: dict[str, str] = {}
    # As the chart's own check: every enabled component of a kind with a Service counts, with
    # ports or not (a Job's pods come and go: it has no Service).
    for cid, comp in ctx.components():
        if not comp.serves:
            continue
        name = service_name(cid, comp)
        names = [name, f"{name}-headless"] if comp.kind == "StatefulSet" else [name]
        where: Path = ((*base(cid), "service", "name") if comp.service.name
                       else (*base(cid),))
        for n in names:
            owner = owners.setdefault(n, cid)
            if owner != cid:
                yield Finding(where, f"the Service name `{n}` is also used by component "
                              f"`{owner}`", "set a distinct `service.name`",
                              key=not comp.service.name)


def derived_names(cid: str, comp: Component, pre: str) -> list[tuple[Path, str, str, int]]:
    """(where, name, what, limit) for each object name the chart derives from this component."""
    here = base(cid)
    cname = pre + cid
    sname = pre + service_name(cid, comp)
    sname_at: Path = (*here, "service", "name") if comp.service.name else here
    statefulset = comp.kind == "StatefulSet"
    names: list[tuple[Path, str, str, int]] = [
        (here, cname, f"the {comp.kind}",
         STATEFULSET_NAME_LIMIT if statefulset
         else CRONJOB_NAME_LIMIT if comp.kind == "CronJob" else 63),
    ]
    if service_ports(comp) is not None:
        names.append((sname_at, sname, "the Service", 63))
        if statefulset:
            names.append((sname_at, f"{sname}-headless", "the headless Service", 63))
    if any(s.value is not None for c in comp.containers.values() for s in c.secretEnv.values()):
        names.append((here, f"{cname}-env", "the Secret of inline secretEnv values", 253))
    if comp.ingress is not None and comp.ingress.enabled and comp.ingress.tls is not None \
            and comp.ingress.tls.enabled and not comp.ingress.tls.secretName:
        names.append(((*here, "ingress", "tls"), f"{cname}-tls", "the TLS Secret", 253))
    last = max(most_replicas(comp) - 1, 0)
    for vname, vol in comp.volumes.items():
        where = (*here, "volumes", vname)
        if vol.kind == "files":
            names.append((where, f"{cname}-{vname}", "the ConfigMap of the files", 253))
        elif vol.kind == "persistent" and vol.existingClaim is None:
            if statefulset and not vol.shared:
                names.append((where, f"{vname}-{cname}-{last}",
                              f"the claim of replica {last}", 253))
            else:
                names.append((where, f"{cname}-{vname}", "the PersistentVolumeClaim", 253))
    return names


@rule("SVC202", "name-too-long", Severity.ERROR,
      "A name the chart derives is too long for Kubernetes")
def name_too_long(ctx: Context) -> Iterator[Finding]:
    """Object names are derived from the component id: ``<id>`` for the workload and Service,
    ``<service>-headless`` for a StatefulSet, ``<id>-<volume>`` for claims and ConfigMaps,
    ``<volume>-<id>-<ordinal>`` for a StatefulSet's claims, all with ``<release>-`` in front under
    ``global.prefixWithRelease``. A Service name is a DNS label (63 characters); a StatefulSet
    name must leave room for the revision hash its pods carry in a label (52); other objects
    take 253. Too long a name fails at install time, long after review. Without ``--release``
    the release prefix is assumed to be 16 characters long.

    Example fix: shorten the component id, or set a short ``service.name``.

        components:
          orders-rebuild:   # was orders-projection-rebuild-worker-for-the-eu-region-ab,
            kind: StatefulSet   # 53 characters: one too many for a StatefulSet
    """
    pre, assumed = prefix(ctx)
    for cid, comp in ctx.components():
        for where, name, what, limit in derived_names(cid, comp, pre):
            if len(name) > limit:
                note = (f" (with a release name of {len(pre) - 1} characters, assumed; pass "
                        "--release to check the real one)" if assumed else "")
                yield Finding(
                    where,
                    f"{what} would be named `{name}`: {len(name)} characters, more than "
                    f"{limit}{note}",
                    "shorten what it is built from: the component id, `service.name` or the "
                    "volume name",
                    key=True,
                    severity=Severity.WARNING if assumed else None,
                )


@rule("SVC203", "dns-name-invalid", Severity.ERROR,
      "A host or prefixed name breaks DNS rules")
def dns_name_invalid(ctx: Context) -> Iterator[Finding]:
    """Each dot-separated label of a host name has at most 63 characters, the whole name at most
    253 (the schema's pattern cannot count per label). A Service name must also start with a
    letter (DNS-1035): with ``global.prefixWithRelease`` a release name that starts with a digit
    breaks every Service name. Default hosts ``<component>.<global.domain>`` are checked too.

    Example fix: shorten the label, or give the host explicitly.

        ingress: {hosts: {shop.example.com: {}}}
    """
    if ctx.values is None:
        return
    domain = ctx.values.global_.domain
    if domain:
        problem = _host_problem(domain)
        if problem:
            yield Finding(("global", "domain"), f"global.domain {problem}", "shorten the domain")
    pre, assumed = prefix(ctx)
    if pre and not assumed and not pre[0].isalpha():
        yield Finding(("global", "prefixWithRelease"),
                      f"the release name `{pre[:-1]}` starts with a digit, so prefixed Service "
                      "names are not valid DNS-1035 labels", "choose a release name that starts "
                      "with a letter")
    for cid, comp in ctx.components():
        ing = comp.ingress
        if ing is None or not ing.enabled:
            continue
        hosts = list(ing.hosts) or ([f"{cid}.{domain}"] if domain else [])
        for host in hosts:
            problem = _host_problem(host)
            if problem:
                where = ((*base(cid), "ingress", "hosts", host) if ing.hosts
                         else (*base(cid), "ingress"))
                yield Finding(where, f"host `{host}` {problem}",
                              "shorten the host name", key=True)


def _host_problem(host: str) -> str:
    if len(host) > 253:
        return f"has {len(host)} characters, more than 253"
    for label in host.split("."):
        if len(label) > 63:
            return f"has a label of {len(label)} characters (`{label[:20]}…`), more than 63"
    return ""
