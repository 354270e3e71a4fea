"""Project and peers: upstreams, whitelists and global.project."""

from __future__ import annotations

from collections.abc import Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, rule
from svcgen.lint.rules._common import service_ports
from svcgen.model import Peer

_SIDES = ("upstreams", "whitelists")


def _peers(ctx: Context) -> Iterator[tuple[str, str, int, Peer]]:
    for cid, comp in ctx.components():
        for side in _SIDES:
            for i, peer in enumerate(getattr(comp, side)):
                yield cid, side, i, peer


@rule("SVC701", "unknown-peer", Severity.ERROR,
      "An upstream or whitelist names no component of this release")
def unknown_peer(ctx: Context) -> Iterator[Finding]:
    """``{component: X}`` in ``upstreams`` or ``whitelists`` must name a component of the same
    values. A typo silently turns into a NetworkPolicy or AuthorizationPolicy that admits nobody
    (a disabled component is reported as a warning: the reference is right, but points at
    nothing now). A service of another project is written ``{project: P, service: S}``.

    Example fix: name an existing component, or the other project's service.

        upstreams: [{component: db}, {project: billing, service: invoices}]
    """
    if ctx.values is None:
        return
    comps = ctx.values.components
    for cid, side, i, peer in _peers(ctx):
        if peer.component is None or peer.component == "*":
            continue
        where = ("components", cid, side, i, "component")
        target = comps.get(peer.component)
        if target is None:
            yield Finding(where, f"{side[:-1]} `{peer.component}` names no component",
                          "name a component of these values, or use {project: P, service: S} "
                          "for another project's service")
        elif not target.enabled:
            yield Finding(where, f"{side[:-1]} `{peer.component}` is a disabled component",
                          f"enable `{peer.component}`, or remove the entry",
                          severity=Severity.WARNING)


@rule("SVC702", "external-peer", Severity.INFO, "An upstream or whitelist names another project")
def external_peer(ctx: Context) -> Iterator[Finding]:
    """A peer in another project (``{project: billing, service: invoices}``) is allowed, but
    the lint cannot see that project: whether the service exists, and whether its whitelist
    admits this one, is for that project's values to say. Noted so a reviewer checks it.

    Example fix: none needed; make sure the other project admits the call.

        upstreams: [{project: billing, service: invoices}]
    """
    if ctx.values is None:
        return
    own = ctx.values.global_.project
    for cid, side, i, peer in _peers(ctx):
        if peer.project is None or peer.project == own:
            continue
        what = ("every project" if peer.project == "*" else f"project `{peer.project}`")
        service = "every service" if peer.service in (None, "*") else f"service `{peer.service}`"
        yield Finding(("components", cid, side, i),
                      f"{side[:-1]} is {service} of {what}: not checked here",
                      "check that it exists there and admits this component")


@rule("SVC703", "own-project-peer", Severity.WARNING,
      "A peer names this project by name instead of a component")
def own_project_peer(ctx: Context) -> Iterator[Finding]:
    """``{project: <global.project>, service: api}`` means a component of these very values;
    written as ``{component: api}`` the lint can check it and the chart renders the selector
    directly. When no such component exists, the reference is broken (an error). The whole own
    project (``{project: shop}``) is fine: nothing else says "every component here".

    Example fix: refer to the component.

        upstreams: [{component: api}]   # was {project: shop, service: api}
    """
    if ctx.values is None or not ctx.values.global_.project:
        return
    own = ctx.values.global_.project
    comps = ctx.values.components
    for cid, side, i, peer in _peers(ctx):
        if peer.project != own:
            continue
        where = ("components", cid, side, i, "project")
        if peer.service in (None, "*"):
            continue  # "every component of this project": nothing else says that
        if peer.service in comps:
            yield Finding(where, f"{side[:-1]} names component `{peer.service}` through the "
                          f"project `{own}`", f"write {{component: {peer.service}}}")
        else:
            yield Finding(where, f"{side[:-1]} names service `{peer.service}` of this project "
                          f"(`{own}`), but there is no such component",
                          "name an existing component", severity=Severity.ERROR)


_RESERVED = {"default", "kube-system", "kube-public", "kube-node-lease"}


@rule("SVC704", "project-namespace", Severity.WARNING,
      "global.project is a reserved namespace")
def project_namespace(ctx: Context) -> Iterator[Finding]:
    """``global.project`` must equal the release namespace (the chart fails otherwise), so the
    project id becomes a namespace. ``default`` and the ``kube-*`` namespaces belong to the
    cluster: installing an application there mixes it with system components and their
    policies.

    Example fix: a namespace of its own.

        global: {project: shop}
    """
    if ctx.values is None:
        return
    project = ctx.values.global_.project
    if project and (project in _RESERVED or project.startswith("kube-")):
        yield Finding(("global", "project"), f"project `{project}` is a namespace reserved for "
                      "the cluster", "choose a project id of its own")


@rule("SVC705", "peers-not-enforced", Severity.INFO,
      "upstreams/whitelists are set but no policy enforces them")
def peers_not_enforced(ctx: Context) -> Iterator[Finding]:
    """Upstreams and whitelists become NetworkPolicies (``global.networkPolicy.enabled``) or
    Istio policies (``global.mesh.istio``). With both off they are documentation only: every
    pod can still call every other.

    Example fix: turn on one of them.

        global: {networkPolicy: {enabled: true}}
    """
    if ctx.values is None:
        return
    g = ctx.values.global_
    if g.networkPolicy.enabled or g.mesh.istio:
        return
    for cid, comp in ctx.components():
        for side in _SIDES:
            if getattr(comp, side):
                yield Finding(("components", cid, side),
                              f"{side} of `{cid}` are not enforced: no NetworkPolicy or mesh "
                              "policy is rendered", "set global.networkPolicy.enabled or "
                              "global.mesh.istio", key=True)
                break


def _admits(whitelist: list[Peer], caller: str, own: str | None) -> bool:
    for peer in whitelist:
        if peer.component in (caller, "*"):
            return True
        project_ok = peer.project == "*" or (own is not None and peer.project == own)
        if project_ok and peer.service in (None, "*", caller):
            return True
    return False


@rule("SVC706", "upstream-not-admitted", Severity.WARNING,
      "A component calls another whose whitelist does not admit it")
def upstream_not_admitted(ctx: Context) -> Iterator[Finding]:
    """With policies enforced, a call needs both sides: the caller's ``upstreams`` let traffic
    out, the callee's ``whitelists`` let it in. An upstream that the callee does not whitelist
    is dropped at the callee, which looks like a network outage at run time. A component with a
    Service, no whitelists and no ingress admits nobody at all.

    Example fix: whitelist the caller on the callee.

        api: {upstreams: [{component: db}]}
        db:  {whitelists: [{component: api}]}
    """
    if ctx.values is None:
        return
    g = ctx.values.global_
    if not (g.networkPolicy.enabled or g.mesh.istio):
        return
    comps = ctx.values.components
    for cid, comp in ctx.components():
        for i, peer in enumerate(comp.upstreams):
            target = comps.get(peer.component or "")
            if target is None or not target.enabled:
                continue
            if not _admits(target.whitelists, cid, g.project):
                yield Finding(("components", cid, "upstreams", i, "component"),
                              f"`{cid}` calls `{peer.component}`, whose whitelists do not admit "
                              f"it: the policy drops the traffic",
                              f"add {{component: {cid}}} to components.{peer.component}."
                              "whitelists")
        has_ingress = comp.ingress is not None and comp.ingress.enabled
        if not comp.whitelists and not has_ingress and service_ports(comp) is not None:
            yield Finding(("components", cid, "whitelists"),
                          f"`{cid}` has a Service but whitelists nobody: no pod can call it",
                          "whitelist its callers", key=True)
