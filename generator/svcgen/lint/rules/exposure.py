"""Exposure: what an Ingress and Gateway API routes can carry, and what routes need to attach.

What renders (an Ingress, routes or both) and each path's route kind come from the model
(Component.exposure, Component.route_kind, Component.gateway_parent), as the chart derives them.
"""

from __future__ import annotations

from collections.abc import Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, Path, rule
from svcgen.lint.rules._common import base
from svcgen.model import Component, IngressPath, PathType, Values

#: Path fields only Gateway API routes carry (chart/templates/_ingress.tpl refuses them likewise).
ROUTE_ONLY_FIELDS = ("protocol", "method", "headers", "weight", "backends", "requestHeaders",
                     "responseHeaders", "redirect", "timeouts")
#: What a GRPCRoute cannot carry (chart/templates/_routes.tpl refuses them likewise).
NOT_FOR_GRPC = ("redirect", "timeouts", "method")
#: Service appProtocol values that speak gRPC (h2c: HTTP/2 without TLS, which gRPC runs on).
GRPC_APP_PROTOCOLS = ("grpc", "kubernetes.io/h2c")


def _paths(cid: str, comp: Component) -> Iterator[tuple[Path, str, IngressPath]]:
    """(values path, URL path, path) of every path the component's exposure lists."""
    if comp.ingress is None:
        return
    for host, h in comp.ingress.hosts.items():
        for path, p in h.paths.items():
            yield (*base(cid), "ingress", "hosts", host, "paths", path), path, p


def _exposed(ctx: Context) -> Iterator[tuple[str, Component, bool, bool]]:
    """(id, component, renders an Ingress, renders routes) of components that are exposed."""
    if ctx.values is None:
        return
    for cid, comp in ctx.components():
        ingress, routes = comp.exposure(ctx.values.global_)
        if ingress or routes:
            yield cid, comp, ingress, routes


def _is_set(p: IngressPath, field: str) -> bool:
    value: object = getattr(p, field)
    if field == "protocol":
        return value == "grpc"
    return value is not None and value != {}


@rule("SVC108", "exposure-unsupported", Severity.ERROR,
      "The exposure asks for something its rendering cannot carry")
def exposure_unsupported(ctx: Context) -> Iterator[Finding]:
    """One description of a component's exposure renders as an Ingress, as Gateway API routes, or
    both. Each rendering says less than the description can: an Ingress has no header or method
    matches, weights, header modifiers, redirects, timeouts, gRPC routes or regular-expression
    paths; a Gateway API route has no ``ImplementationSpecific`` paths (their meaning is whatever
    an ingress controller makes of them); a GRPCRoute has no redirects, timeouts or HTTP method
    matches, and matches gRPC services and methods, not arbitrary paths. The chart refuses such
    values rather than drop what was asked for; this rule says so before helm runs.

    Example fix: render routes for the component, or drop what an Ingress cannot say.

        global: {exposure: gateway, gateway: {name: public}}   # was exposure: ingress
        components: {api: {ingress: {hosts: {api.example.com: {paths: {/: {weight: 90}}}}}}}
    """
    for cid, comp, ingress, routes in _exposed(ctx):
        assert comp.ingress is not None
        if ingress:
            if comp.ingress.throughInterceptor:
                yield Finding((*base(cid), "ingress", "throughInterceptor"),
                              "an Ingress would go round the KEDA HTTP add-on's interceptor; "
                              "only Gateway API routes are sent through it",
                              "set `ingress.exposure: gateway` for this component")
            if comp.ingress.httpsRedirect and not routes:
                yield Finding((*base(cid), "ingress", "httpsRedirect"),
                              "the HTTPS redirect is a Gateway API route, and this component "
                              "renders only an Ingress",
                              "set `ingress.exposure: gateway` (or `both`), or let the ingress "
                              "controller redirect")
        for where, path, p in _paths(cid, comp):
            if ingress:
                if p.pathType == PathType.REGULAR_EXPRESSION:
                    yield Finding((*where, "pathType"),
                                  f"an Ingress has no RegularExpression paths ({path})",
                                  "use Prefix or Exact, or render routes (`exposure: gateway`)")
                for field in ROUTE_ONLY_FIELDS:
                    if _is_set(p, field):
                        yield Finding((*where, field),
                                      f"an Ingress cannot carry `{field}`; only Gateway API "
                                      "routes can", "render routes for this component "
                                      "(`exposure: gateway`), or remove it", key=True)
            if not routes:
                continue
            if p.pathType == PathType.IMPLEMENTATION_SPECIFIC:
                yield Finding((*where, "pathType"),
                              "a Gateway API route has no ImplementationSpecific paths",
                              "use Prefix, Exact or RegularExpression")
            if comp.route_kind(p) == "GRPCRoute":
                yield from _grpc_findings(where, path, p)


def _grpc_findings(where: Path, path: str, p: IngressPath) -> Iterator[Finding]:
    for field in NOT_FOR_GRPC:
        if getattr(p, field) is not None:
            yield Finding((*where, field), f"this path renders a GRPCRoute, which cannot carry "
                          f"`{field}`", "remove it, or set `protocol: http`", key=True)
    parts = path.strip("/").split("/") if path != "/" else []
    fits = (
        (p.pathType == PathType.PREFIX and len(parts) <= 1)
        or (p.pathType in (PathType.EXACT, PathType.REGULAR_EXPRESSION) and len(parts) == 2)
    )
    if not fits:
        yield Finding(where, f"{path} renders a GRPCRoute, whose paths are / or /<service> "
                      "(Prefix) or /<service>/<method> (Exact, RegularExpression)",
                      "write the gRPC service or method as the path", key=True)


@rule("SVC109", "gateway-missing", Severity.ERROR,
      "Routes or a listener name without a Gateway to attach to")
def gateway_missing(ctx: Context) -> Iterator[Finding]:
    """Gateway API routes attach to a Gateway through ``parentRefs``: without a Gateway name the
    chart cannot render them. A ``sectionName`` (a listener) or ``httpSectionName`` names a
    listener *of* a Gateway; written without the Gateway's name it points nowhere.

    Example fix: name the Gateway beside the listener.

        global: {exposure: gateway, gateway: {name: public, sectionName: https}}   # name added
    """
    if ctx.values is None:
        return
    g = ctx.values.global_
    for section in ("sectionName", "httpSectionName"):
        if getattr(g.gateway, section) is not None and g.gateway.name is None:
            yield Finding(("global", "gateway", section),
                          f"`{section}` names a listener, but `global.gateway.name` names no "
                          "Gateway", "set `global.gateway.name`", key=True)
    for cid, comp, _, routes in _exposed(ctx):
        assert comp.ingress is not None
        parent = comp.gateway_parent(g)
        own = comp.ingress.gateway
        if own is not None and own.sectionName is not None and parent.name is None:
            yield Finding((*base(cid), "ingress", "gateway", "sectionName"),
                          "`sectionName` names a listener, but no Gateway is named",
                          "set `ingress.gateway.name` or `global.gateway.name`", key=True)
        elif routes and parent.name is None:
            yield Finding((*base(cid), "ingress"),
                          "this component renders Gateway API routes, but no Gateway is named "
                          "for them to attach to",
                          "set `global.gateway.name` (or `ingress.gateway.name`)", key=True)


@rule("SVC110", "grpc-route-to-non-grpc-port", Severity.ERROR,
      "A path asks for a GRPCRoute to a Service port that declares another protocol")
def grpc_route_to_non_grpc_port(ctx: Context) -> Iterator[Finding]:
    """``protocol: grpc`` renders a GRPCRoute, which the Gateway sends over HTTP/2 as gRPC. A
    Service port whose ``appProtocol`` says something else (``http``, ``https``, a TCP protocol)
    does not speak gRPC: the Gateway's requests fail, or worse, reach a plain HTTP/1 server.

    Example fix: route to the gRPC port, or say the port speaks gRPC.

        service: {ports: {api: {port: 9090, appProtocol: grpc}}}   # was appProtocol: http
        ingress: {hosts: {api.example.com: {paths: {/: {port: api, protocol: grpc}}}}}
    """
    for cid, comp, _, routes in _exposed(ctx):
        if not routes:
            continue
        for where, path, p in _paths(cid, comp):
            if p.protocol != "grpc":
                continue
            target = comp.routed_service_port(p.port)
            if target is None:
                continue  # SVC103 reports the missing port
            name, app_protocol = target
            if app_protocol is not None and app_protocol.lower() not in GRPC_APP_PROTOCOLS:
                yield Finding((*where, "protocol"),
                              f"{path} asks for a GRPCRoute to Service port `{name}`, whose "
                              f"appProtocol is {app_protocol}",
                              "route to a gRPC port, or correct the port's appProtocol")


def _weighted(p: IngressPath) -> bool:
    return bool(p.backends) or p.weight is not None


@rule("SVC111", "route-weights-zero", Severity.ERROR,
      "The weights of a path's backends sum to 0")
def route_weights_zero(ctx: Context) -> Iterator[Finding]:
    """A route shares a path's requests between its backends by weight. When every weight is 0
    there is no backend to send a request to, and the Gateway answers every request with an
    error (500).

    Example fix: give one backend a share.

        paths: {/: {weight: 100, backends: {api-canary: {weight: 0}}}}   # was weight: 0
    """
    for cid, comp, _, routes in _exposed(ctx):
        if not routes:
            continue
        for where, path, p in _paths(cid, comp):
            if p.redirect is not None or not _weighted(p):
                continue
            own = 1 if p.weight is None else p.weight
            if own + sum(b.weight for b in p.backends.values()) == 0:
                yield Finding(where, f"every backend of {path} has weight 0, so every request "
                              "fails", "give one backend a weight above 0", key=True)


@rule("SVC112", "route-listener-or-scaler-missing", Severity.ERROR,
      "An HTTPS redirect without a plain-HTTP listener, or interceptor routing without HTTP "
      "scaling")
def route_listener_or_scaler_missing(ctx: Context) -> Iterator[Finding]:
    """``ingress.httpsRedirect`` renders a route on the Gateway's plain-HTTP listener, which
    ``global.gateway.httpSectionName`` names: without it the redirect has nowhere to attach.
    ``ingress.throughInterceptor`` sends requests to the KEDA HTTP add-on's interceptor, which
    only routes to workloads it scales (an HTTPScaledObject, from ``scaling.concurrency`` or
    ``scaling.requestsPerSecond``): without one, every request gets a 404 from the interceptor.

    Example fix: name the listener; scale the component on HTTP traffic.

        global: {gateway: {name: public, httpSectionName: http}}
        components: {report: {scaling: {minReplicas: 0, maxReplicas: 5, concurrency: 20}}}
    """
    if ctx.values is None:
        return
    g = ctx.values.global_
    for cid, comp, _, routes in _exposed(ctx):
        assert comp.ingress is not None
        if not routes:
            continue
        if comp.ingress.httpsRedirect and g.gateway.httpSectionName is None:
            yield Finding((*base(cid), "ingress", "httpsRedirect"),
                          "the HTTPS redirect attaches to the Gateway's plain-HTTP listener, "
                          "and `global.gateway.httpSectionName` names none",
                          "set `global.gateway.httpSectionName` (e.g. http)")
        scaling = comp.scaling
        http_scaled = scaling is not None and scaling.enabled and scaling.engine == "keda-http"
        if comp.ingress.throughInterceptor and not http_scaled:
            yield Finding((*base(cid), "ingress", "throughInterceptor"),
                          "the KEDA HTTP add-on's interceptor only routes to components it "
                          "scales, and this one has no HTTP scaling",
                          "set `scaling.concurrency` or `scaling.requestsPerSecond`")


def _istio(values: Values) -> bool:
    return bool(values.global_.mesh.istio)


@rule("SVC113", "ingress-controller-namespace-missing", Severity.ERROR,
      "NetworkPolicies are on and an Ingress renders, but no ingress controller namespace is "
      "named")
def ingress_controller_namespace_missing(ctx: Context) -> Iterator[Finding]:
    """With NetworkPolicies on, a component admits exactly its callers; for a component with an
    Ingress that includes the ingress controller, whose namespace the chart cannot guess. It used
    to assume ``ingress-nginx``, which was retired in March 2026: a policy admitting a namespace
    no controller runs in drops every request without a word. The chart fails the render; with
    Istio on, the mesh's ingress gateway namespace stands in.

    Example fix: name your controller's namespace.

        global: {networkPolicy: {enabled: true, ingressNamespace: traefik}}
    """
    if ctx.values is None:
        return
    np = ctx.values.global_.networkPolicy
    if not np.enabled or np.ingressNamespace is not None or _istio(ctx.values):
        return
    for cid, _, ingress, _ in _exposed(ctx):
        if ingress:
            yield Finding((*base(cid), "ingress"),
                          "this component renders an Ingress and NetworkPolicies are on, but "
                          "`global.networkPolicy.ingressNamespace` names no controller namespace",
                          "set `global.networkPolicy.ingressNamespace` (e.g. traefik), or render "
                          "routes (`global.exposure: gateway`)", key=True)


@rule("SVC114", "route-tls-settings-ignored", Severity.WARNING,
      "TLS settings that only an Ingress uses, on a component that renders only routes")
def route_tls_settings_ignored(ctx: Context) -> Iterator[Finding]:
    """A Gateway API route carries no TLS: the Gateway's listener holds the certificate
    (``certificateRefs``), and cert-manager issues it from annotations on the Gateway. On a
    component that renders only routes, ``ingress.tls.secretName`` and ``ingress.tls.certManager``
    are not rendered anywhere, so the certificate they ask for is never issued or used.

    Example fix: keep `tls: {}` (the hosts are served over https) and put the certificate on the
    Gateway's listener.

        ingress: {tls: {}}   # was tls: {certManager: {clusterIssuer: letsencrypt}}
    """
    for cid, comp, ingress, routes in _exposed(ctx):
        tls = comp.ingress.tls if comp.ingress is not None else None
        if ingress or not routes or tls is None or not tls.enabled:
            continue
        for field in ("secretName", "certManager"):
            if getattr(tls, field) is not None:
                yield Finding((*base(cid), "ingress", "tls", field),
                              f"`tls.{field}` is for an Ingress; this component renders only "
                              "routes, whose TLS is the Gateway listener's",
                              "put the certificate on the Gateway's listener (cert-manager: "
                              "annotate the Gateway), and remove it here", key=True)
