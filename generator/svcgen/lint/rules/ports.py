"""Ports, Services and ingress: references a schema cannot check."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, rule
from svcgen.lint.rules._common import base, container_ports, service_name, service_ports
from svcgen.model import IngressPath


@rule("SVC101", "duplicate-container-port", Severity.ERROR,
      "Two containers of one pod listen on the same port")
def duplicate_container_port(ctx: Context) -> Iterator[Finding]:
    """Containers of one pod share its network namespace, so two of them cannot bind the same
    port and protocol: the second one fails to start (``address already in use``) or, worse, the
    Service sends traffic to whichever bound first.

    Example fix: give one container another port.

        containers:
          app:   {ports: {http: {containerPort: 8080}}}
          proxy: {ports: {proxy: {containerPort: 8081}}}   # was 8080
    """
    for cid, comp in ctx.components():
        seen: dict[tuple[int, str], tuple[str, str]] = {}
        for name, c in comp.containers.items():
            for pname, port in c.ports.items():
                key = (port.containerPort, str(port.protocol))
                if key in seen:
                    other, other_port = seen[key]
                    who = (f"port `{other_port}` of the same container" if other == name
                           else f"container `{other}`")
                    yield Finding(
                        (*base(cid), "containers", name, "ports", pname, "containerPort"),
                        f"{port.containerPort}/{key[1]} is already used by {who}; the containers "
                        "of a pod share one network",
                        "give one of them another port",
                    )
                else:
                    seen[key] = (name, pname)


@rule("SVC102", "service-target-missing", Severity.ERROR,
      "A Service port targets no container port")
def service_target_missing(ctx: Context) -> Iterator[Finding]:
    """A Service port forwards to a container port, by name or number; without ``targetPort``,
    to the container port of the same name. A name that no container declares makes the chart
    fail (rendered by hand, the Service would have no endpoints for that port).
    A number that no container declares is reported as a warning: the process may listen there
    anyway, but probes and the NetworkPolicy only know the declared ports.

    Example fix: point ``targetPort`` at a declared container port name.

        containers: {app: {ports: {http: {containerPort: 8080}}}}
        service: {ports: {web: {port: 80, targetPort: http}}}   # was targetPort: htpp
    """
    for cid, comp in ctx.components():
        if not comp.service.enabled:
            continue
        cports = container_ports(comp)
        numbers = {port.containerPort for _, port in cports.values()}
        for name, sp in comp.service.ports.items():
            where = (*base(cid), "service", "ports", name)
            if sp.targetPort is None:
                if name not in cports:
                    yield Finding(
                        where,
                        f"Service port `{name}` has no targetPort and no container port is "
                        f"named `{name}`",
                        f"set targetPort to one of: {_names(cports)}" if cports
                        else "declare the port under a container's `ports`",
                        key=True,
                    )
            elif isinstance(sp.targetPort, str):
                if sp.targetPort not in cports:
                    yield Finding(
                        (*where, "targetPort"),
                        f"targetPort `{sp.targetPort}` names no container port",
                        f"use one of: {_names(cports)}" if cports
                        else "declare the port under a container's `ports`",
                    )
            elif sp.targetPort not in numbers:
                yield Finding(
                    (*where, "targetPort"),
                    f"targetPort {sp.targetPort} is not a declared container port",
                    "declare it under the container's `ports` and target it by name",
                    severity=Severity.WARNING,
                )


def _names(ports: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in sorted(ports)) or "(none)"


@rule("SVC103", "ingress-port-missing", Severity.ERROR,
      "An ingress path or route backend points at a Service port that does not exist")
def ingress_port_missing(ctx: Context) -> Iterator[Finding]:
    """An ingress path is routed to a port of the component's own Service, and a route's
    weighted `backends` to ports of other components' Services. When the Service has no such
    port (or no Service is rendered, because it is disabled or no container has a port, or the
    component does not exist), the ingress controller or Gateway answers 503 for that path.

    Example fix: route the path to a port the Service has.

        service: {ports: {http: {port: 80}}}
        ingress: {hosts: {api.example.com: {paths: {/: {port: http}}}}}   # was port: web
    """
    yield from _backend_ports_missing(ctx)
    for cid, comp in ctx.components():
        ing = comp.ingress
        if ing is None or not ing.enabled:
            continue
        sports = service_ports(comp)
        if sports is None:
            yield Finding((*base(cid), "ingress"),
                          "the ingress routes to this component's Service, but no Service is "
                          "rendered (disabled, or no container declares a port)",
                          "declare a container port and keep `service.enabled` on", key=True)
            continue
        for host, h in ing.hosts.items():
            for path, p in h.paths.items():
                if p.port is None:
                    continue
                ok = p.port in sports if isinstance(p.port, str) else p.port in sports.values()
                if not ok:
                    yield Finding(
                        (*base(cid), "ingress", "hosts", host, "paths", path, "port"),
                        f"path {path} of {host} routes to Service port {p.port!r}, which "
                        f"`{service_name(cid, comp)}` does not have",
                        f"use one of: {_names(sports)}",
                    )


def _backend_ports_missing(ctx: Context) -> Iterator[Finding]:
    if ctx.values is None:
        return
    components = ctx.values.components
    for cid, comp in ctx.components():
        if comp.ingress is None or not comp.ingress.enabled:
            continue
        for host, h in comp.ingress.hosts.items():
            for path, p in h.paths.items():
                for bid, b in p.backends.items():
                    where = (*base(cid), "ingress", "hosts", host, "paths", path, "backends", bid)
                    peer = components.get(bid)
                    sports = service_ports(peer) if peer is not None and peer.enabled else None
                    if peer is None or sports is None:
                        yield Finding(where, f"backend `{bid}` of {host}{path} is no enabled "
                                      "component with a Service",
                                      "name a component of `components` that has ports", key=True)
                    elif b.port is not None and not (
                        b.port in sports if isinstance(b.port, str) else b.port in sports.values()
                    ):
                        yield Finding((*where, "port"),
                                      f"backend `{bid}` of {host}{path} routes to Service port "
                                      f"{b.port!r}, which `{service_name(bid, peer)}` does not "
                                      "have", f"use one of: {_names(sports)}")


@rule("SVC104", "duplicate-ingress-route", Severity.ERROR,
      "Two components claim the same host, path and match")
def duplicate_ingress_route(ctx: Context) -> Iterator[Finding]:
    """Two Ingress objects with the same host and path leave the choice to the ingress
    controller: NGINX merges them by age, others reject the second one. Two Gateway API routes
    with the same host and match (path, method, headers) leave it to the Gateway's precedence
    rules, which pick the oldest route. Traffic ends up at one component at random from a
    reader's point of view. A component without hosts uses the default
    ``<component>.<global.domain>``, which is counted too. Ingresses and routes are counted
    apart: the same host and path on an Ingress and on a route is a migration in progress
    (`exposure: both`), each rendering with its own controller.

    Example fix: give each component its own host or path.

        web: {ingress: {hosts: {example.com: {paths: {/: {}}}}}}
        api: {ingress: {hosts: {example.com: {paths: {/api: {}}}}}}   # was /
    """
    if ctx.values is None:
        return
    g = ctx.values.global_
    domain = g.domain
    claimed: dict[tuple[object, ...], str] = {}
    for cid, comp in ctx.components():
        ing = comp.ingress
        if ing is None or not ing.enabled:
            continue
        ingress, routes = comp.exposure(g)
        if ing.hosts:
            paths = [((*base(cid), "ingress", "hosts", host, "paths", path), host, path, p)
                     for host, h in ing.hosts.items() for path, p in h.paths.items()]
        elif domain:
            paths = [((*base(cid), "ingress"), f"{cid}.{domain}", "/", IngressPath())]
        else:
            continue
        for where, host, path, p in paths:
            keys: list[tuple[object, ...]] = []
            if ingress or not routes:
                keys.append(("Ingress", host, path))
            if routes:
                headers = tuple(sorted((n.lower(), m.type, m.value) for n, m in p.headers.items()))
                keys.append((comp.route_kind(p), host, path, p.pathType, p.method, headers))
            for key in keys:
                owner = claimed.setdefault(key, cid)
                if owner != cid:
                    what = "routed" if key[0] != "Ingress" else "routed by an Ingress"
                    yield Finding(where, f"{host}{path} is already {what} to component "
                                  f"`{owner}`", "give this component another host or path",
                                  key=True)
                    break


@rule("SVC105", "probe-port-missing", Severity.ERROR,
      "A probe names a port its container does not declare")
def probe_port_missing(ctx: Context) -> Iterator[Finding]:
    """A probe that names a port (``port: http``) is resolved against the ports of its own
    container. Kubernetes rejects the pod when the name is unknown, so the rollout fails.

    Example fix: name a port of the same container, or give the number.

        ports: {http: {containerPort: 8080}}
        probes: {readiness: {httpGet: {path: /healthz, port: http}}}   # was port: web
    """
    for cid, comp in ctx.components():
        for name, c in comp.containers.items():
            for kind in ("liveness", "readiness", "startup"):
                probe = getattr(c.probes, kind)
                if probe is None:
                    continue
                for handler in ("httpGet", "tcpSocket"):
                    action = getattr(probe, handler)
                    if action is not None and isinstance(action.port, str) \
                            and action.port not in c.ports:
                        yield Finding(
                            (*base(cid), "containers", name, "probes", kind, handler, "port"),
                            f"the {kind} probe names port `{action.port}`, which container "
                            f"`{name}` does not declare",
                            f"use one of: {_names(c.ports)}" if c.ports
                            else "declare the port, or give its number",
                        )


@rule("SVC106", "ingress-without-host", Severity.ERROR,
      "An ingress has no hosts and there is no global.domain")
def ingress_without_host(ctx: Context) -> Iterator[Finding]:
    """An ingress without ``hosts`` gets ``<component>.<global.domain>``. Without a domain there
    is no host to route, and an Ingress rule without a host matches every host of the
    controller: it would capture traffic meant for other applications.

    Example fix: name the host, or set the default domain.

        global: {domain: example.com}
        components: {api: {ingress: {}}}   # → api.example.com
    """
    if ctx.values is None or ctx.values.global_.domain:
        return
    for cid, comp in ctx.components():
        if comp.ingress is not None and comp.ingress.enabled and not comp.ingress.hosts:
            yield Finding((*base(cid), "ingress"), "the ingress has no hosts and global.domain "
                          "is not set", "add `hosts:` or set `global.domain`", key=True)


@rule("SVC107", "node-port-misuse", Severity.ERROR,
      "A nodePort on a ClusterIP Service, or one nodePort used twice")
def node_port_misuse(ctx: Context) -> Iterator[Finding]:
    """``nodePort`` only exists on NodePort and LoadBalancer Services; the API server rejects it
    on a ClusterIP or headless Service. A node port is also cluster-wide: two Services cannot
    claim the same one, and the second install fails.

    Example fix: make the Service a NodePort, or drop the nodePort.

        service: {type: NodePort, ports: {http: {port: 80, nodePort: 30080}}}
    """
    used: dict[int, str] = {}
    for cid, comp in ctx.components():
        if not comp.service.enabled:
            continue
        for name, sp in comp.service.ports.items():
            if sp.nodePort is None:
                continue
            where = (*base(cid), "service", "ports", name, "nodePort")
            if comp.service.type not in ("NodePort", "LoadBalancer"):
                yield Finding(where, f"nodePort is set, but the Service type is "
                              f"{comp.service.type}", "set `service.type: NodePort`, or remove "
                              "the nodePort")
            owner = used.setdefault(sp.nodePort, f"{cid}.{name}")
            if owner != f"{cid}.{name}":
                yield Finding(where, f"nodePort {sp.nodePort} is already used by "
                              f"`components.{owner.split('.')[0]}`", "choose another node port")
