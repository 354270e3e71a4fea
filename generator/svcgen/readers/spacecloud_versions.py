"""Several versions of one Space Cloud service, as its runner ran them (runner/utils/driver/istio):
a Deployment per version ``<id>-<version>`` with its own Service ``<id>-<version>-internal``, the
service's general Service ``<id>`` selecting the pods of every version (``app: <id>``), and the
VirtualService of ``<id>``, whose routes (``space-cli get service-routes``: per source port,
targets ``{type: version, version, port, weight}``) share each port's requests between versions.

In values: a component per version, ``services.<id>`` for the general Service, and its ``split``
for the routes (a VirtualService with ``global.mesh.istio``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from svcgen.readers._common import Node

if TYPE_CHECKING:
    from svcgen.readers.spacecloud import _Conversion

SERVICE_ROUTE_SPEC_KEYS = {"routes"}
#: The API's route (runner/model/routing.go); `space-cli` leaves out id, project and version.
SERVICE_ROUTE_KEYS = {"id", "project", "version", "source", "targets", "matchers",
                      "requestRetries", "requestTimeout"}
SERVICE_ROUTE_SOURCE_KEYS = {"protocol", "port", "hosts", "methods", "url", "rewrite", "type"}
SERVICE_ROUTE_TARGET_KEYS = {"type", "version", "host", "port", "weight"}


def version_service(cid: str) -> str:
    """The per-version Service, named as the driver named it (``<id>-<version>-internal``)."""
    name = f"{cid}-internal"
    return name if len(name) <= 63 else cid


def shared_services(conv: _Conversion, components: dict[str, Any]) -> dict[str, Any]:
    """``services.<id>``: the general Service over every version, on the versions' ports."""
    out: dict[str, Any] = {}
    for sid, docs in conv.versions.items():
        name = conv.ids[sid]
        ports: dict[str, Any] = {}
        for doc in docs:
            own = components[doc.cid].get("service", {}).get("ports", {})
            for pname, sp in own.items():
                entry = {"port": sp["port"], "targetPort": pname}
                if sp.get("appProtocol"):
                    entry["appProtocol"] = sp["appProtocol"]
                if pname in ports and ports[pname] != entry:
                    conv.report.not_converted(
                        doc.spec.get("tasks"),
                        f"port {pname} of {sid} version {doc.version} differs from an earlier "
                        f"version's; the Service {name} keeps the earlier one",
                        hint="give the port one number in every version")
                    continue
                ports.setdefault(pname, entry)
        if not ports:
            conv.report.not_converted(docs[0].node, f"the versions of {sid} have no ports, so "
                                      f"there is no Service {name} to reach them")
            continue
        out[name] = {"selector": {"app": name}, "ports": ports}
    return out


def service_route(conv: _Conversion, doc: Node) -> None:
    """A service-route document → ``services.<id>.split``, port by port."""
    meta = doc.get("meta")
    sid_node = meta.get("id") if meta.has("id") else meta.get("serviceId")
    sid = sid_node.required_string("the service id")
    spec = doc.get("spec")
    spec.mapping(optional=False)
    spec.check_keys(SERVICE_ROUTE_SPEC_KEYS, "a service route spec")
    if sid not in conv.ids:
        conv.report.not_converted(doc, f"service {sid} is not in the input",
                                  hint="convert the service with its routes")
        return
    if sid not in conv.versions:
        conv.report.choice(doc, f"service routes of {sid}: the input has one version of it, "
                           "which gets every request")
        return
    name = conv.ids[sid]
    shared = conv.shared.get(name)
    if shared is None:
        return
    by_version = {d.version: d for d in conv.versions[sid]}
    split: dict[str, Any] = shared.setdefault("split", {})
    for route in spec.get("routes").elements():
        route.mapping(optional=False)
        route.check_keys(SERVICE_ROUTE_KEYS, "a service route")
        source = route.get("source")
        source.mapping(optional=False)
        source.check_keys(SERVICE_ROUTE_SOURCE_KEYS, "a service route source")
        protocol = (source.get("protocol").string("http") or "http").lower()
        if protocol not in ("http", "tcp"):
            raise source.get("protocol").error(f"protocol {protocol!r} is not http or tcp",
                                               hint="use http or tcp")
        port = source.get("port").integer(minimum=1, maximum=65535)
        if port is None:
            raise source.error("a service route needs source.port (Space Cloud refused port 0)",
                               hint="set source.port to a port of the service")
        pname = next((n for n, p in shared["ports"].items() if p["port"] == port), None)
        if pname is None:
            raise source.get("port").error(
                f"port {port} is no port of service {sid}",
                hint=f"use one of {', '.join(str(p['port']) for p in shared['ports'].values())}")
        if pname in split:
            raise source.get("port").error(f"port {port} of {sid} is routed twice",
                                           hint="keep one route per port")
        backends: dict[str, Any] = {}
        dropped = False
        for target in route.get("targets").elements():
            target.mapping(optional=False)
            target.check_keys(SERVICE_ROUTE_TARGET_KEYS, "a service route target")
            kind = (target.get("type").string("version") or "version").lower()
            if kind == "external":
                dropped = True
                conv.report.not_converted(
                    target, f"an external target of {sid} port {port}: the chart splits "
                    "requests between its own components only",
                    hint="route to an outside host from the service itself")
                continue
            if kind != "version":
                raise target.get("type").error(f"target type {kind!r} is not version or "
                                               "external", hint="use version or external")
            version = target.get("version").string(allow_numbers=True)
            if version not in by_version:
                raise target.get("version").error(
                    f"version {version!r} not found for service {sid}",
                    hint=f"use one of {', '.join(v for v in by_version if v)}")
            cid = by_version[version].cid
            if cid in backends:
                raise target.error(f"version {version} is a target twice",
                                   hint="give each version one target with its weight")
            entry: dict[str, Any] = {
                "weight": target.get("weight").integer(0, minimum=0, maximum=100) or 0}
            target_port = target.get("port").integer(minimum=1, maximum=65535)
            if target_port is not None and target_port != port:
                entry["port"] = target_port
            backends[cid] = entry
        total = sum(b["weight"] for b in backends.values())
        if not backends or total != 100:
            conv.report.not_converted(
                route, f"the weights of {sid} port {port} between its versions sum to {total}"
                + (" without its external targets" if dropped else "") + ", not 100",
                hint=f"set services.{name}.split.{pname} by hand")
            continue
        split[pname] = backends
        conv.report.choice(route, f"service route of {sid} port {port}: " + ", ".join(
            f"{cid} {b['weight']}%" for cid, b in backends.items())
            + f" (services.{name}.split.{pname})")
        if route.get("matchers").value:
            conv.report.not_converted(
                route.get("matchers"), f"the matchers of {sid} port {port} (by URL or header) "
                "are not rendered: the split applies to every request on the port",
                hint="write the VirtualService yourself if requests must be matched")
        for key in ("requestRetries", "requestTimeout"):
            if route.get(key).value not in (None, 0):
                conv.report.not_converted(route.get(key), f"{key} has no field in chart values: "
                                          "Istio's default retries apply")


def report_splits(conv: _Conversion) -> None:
    """What the general Service does with the versions' traffic, with and without the mesh."""
    for sid, docs in conv.versions.items():
        name = conv.ids[sid]
        shared = conv.shared.get(name)
        if shared is None:
            continue
        listed = ", ".join(d.version or "" for d in docs)
        if shared.get("split"):
            conv.report.choice(
                docs[0].node.get("meta"),
                f"service {sid} (versions {listed}): with global.mesh.istio a VirtualService "
                f"{name} splits each routed port by weight as Space Cloud's did (without its 3 "
                f"retries of up to 180 s); without the mesh the Service {name} spreads requests "
                "over the pods of every version, whatever the weights",
                hint="set global.mesh.istio: true (Space Cloud ran every service in Istio)")
        else:
            conv.report.choice(
                docs[0].node.get("meta"),
                f"service {sid} (versions {listed}) has no service routes: Space Cloud's "
                "VirtualService sent every request to the version applied first; the Service "
                f"{name} spreads requests over the pods of every version",
                hint=f"add its routes (space-cli get service-routes) or services.{name}.split")


def route_to_versions(conv: _Conversion, sid: str, target: Node, port: int | None,
                      weight: int) -> list[tuple[str, int | None, int]]:
    """An ingress route's target ``<id>`` of a service with versions: the versions, weighted
    by the service's split of that port; without one, the version applied first."""
    name = conv.ids[sid]
    shared = conv.shared.get(name, {})
    number = port if port is not None else next(
        (p["port"] for p in shared.get("ports", {}).values()), None)
    pname = next((n for n, p in shared.get("ports", {}).items() if p["port"] == number), None)
    backends = shared.get("split", {}).get(pname) if pname else None
    if backends:
        # The route's weight shared by the split's percentages (exact when it is a multiple
        # of 100, as Space Cloud's single targets are; relative weights either way).
        exact = all(weight * b["weight"] % 100 == 0 for b in backends.values())
        return [(cid, b.get("port", port), weight * b["weight"] // (100 if exact else 1))
                for cid, b in backends.items() if b["weight"]]
    first = conv.versions[sid][0]
    conv.report.choice(
        target, f"{sid} has several versions and no split of port {number}: the ingress route "
        f"goes to {first.cid}, the version applied first, as Space Cloud's VirtualService sent it",
        hint=f"add the service's routes or services.{name}.split")
    return [(first.cid, port, weight)]
