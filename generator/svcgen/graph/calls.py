"""Calls a component makes that no policy admits: the picture shows what will break.

A call is known from two kinds of evidence in the render:

* what the policies say a component means to call: a NetworkPolicy egress rule towards the pods
  of another component (its ``upstreams``) or a Sidecar egress host naming its Service, when the
  called side does not admit it;
* what the component's own configuration names: a Service of the release (or, spelled in full,
  ``name.namespace.svc…``, of another namespace) in an env value, the command or arguments of a
  container, or a ConfigMap it mounts or reads env from — as a URL (``http://api``), a
  ``host:port``, a DNS name in the namespace (``api.shop``, ``api.shop.svc.cluster.local``), or
  the whole value of a ``…_HOST``/``…_ADDR``/``…_URL`` variable.

The port of a reference is its explicit one, else the default of its URL scheme, else the
Service's only port; through the Service it becomes the pod's port, which is what the policies
govern. A reference to a port the Service does not have is refused as well: it cannot connect.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from svcgen.diff.objects import Obj
from svcgen.graph.model import WORKLOADS, Edge, Graph, Refused, node_id, pod_template
from svcgen.graph.policy import (
    ANY_PORT,
    Peer,
    Pod,
    PodIndex,
    Policies,
    Port,
    ports_admit,
)

#: Ports a URL scheme implies when it names none.
SCHEME_PORTS = {
    "http": 80, "ws": 80, "https": 443, "wss": 443, "grpc": 80, "redis": 6379, "rediss": 6379,
    "postgres": 5432, "postgresql": 5432, "mysql": 3306, "mongodb": 27017, "amqp": 5672,
    "amqps": 5671, "nats": 4222, "kafka": 9092, "memcached": 11211,
}
_LABEL = r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?"
_URL = re.compile(rf"\b([a-z][a-z0-9+.-]*)://(?:[^@/\s\"']*@)?({_LABEL}(?:\.{_LABEL})*)"
                  r"(?::(\d{1,5}))?")
_HOST_PORT = re.compile(rf"(?<![\w.:/@-])({_LABEL}(?:\.{_LABEL})*):(\d{{2,5}})\b")
_DNS_NAME = re.compile(rf"(?<![\w.-])({_LABEL})\.({_LABEL})(\.svc(?:\.cluster\.local)?)?"
                       r"(?![\w-])(?:\.?:(\d{1,5}))?")
_HOST_VARIABLE = re.compile(r"(HOST|HOSTNAME|ADDR|ADDRESS|SERVER|ENDPOINT|URL|URI)S?$")


@dataclass(frozen=True)
class Reference:
    host: str
    port: int | None
    scheme: str
    evidence: str


def refused_calls(objects: Sequence[Obj], pods: Mapping[str, Pod], services: Sequence[Obj],
                  policies: Policies, graph: Graph,
                  add_peer: Callable[[Peer], str]) -> list[Refused]:
    edges = {e.key: e for e in graph.edges}
    found: dict[tuple[str, str, str], Refused] = {}

    def refuse(caller: Pod, callee: Pod | Peer, port: Port, evidence: str) -> None:
        callee_id = callee.node if isinstance(callee, Pod) else callee.id
        if _admits(edges.get((caller.node, callee_id)), port):
            return
        verdicts = policies.call(caller, callee, port)
        refused_by = [r for _, v in verdicts if not v.admitted for r in v.refused_by]
        if not refused_by:
            return
        if isinstance(callee, Peer):
            add_peer(callee)
        key = (caller.node, callee_id, port.text)
        if key not in found:
            found[key] = Refused(caller.node, callee_id, port.text, [], refused_by,
                                 f"refused by {', '.join(refused_by)}")
        if evidence not in found[key].evidence:
            found[key].evidence.append(evidence)

    index = PodIndex(pods.values())
    for caller, callee, port, evidence in _stated(policies, pods, index):
        refuse(caller, callee, port, evidence)
    by_name = {s.name: s for s in services}
    configmaps = {o.name: o for o in objects if o.kind == "ConfigMap"}
    for obj in objects:
        if obj.kind not in WORKLOADS or node_id(obj) not in pods:
            continue
        caller = pods[node_id(obj)]
        for reference in _references(obj, configmaps):
            for target, target_port, problem in _resolve(reference, caller, pods, index, by_name):
                if problem:
                    key = (caller.node, target.node if isinstance(target, Pod) else target.id,
                           target_port.text)
                    found.setdefault(key, Refused(*key, [], [], problem))
                    if reference.evidence not in found[key].evidence:
                        found[key].evidence.append(reference.evidence)
                elif target is not caller:
                    refuse(caller, target, target_port, reference.evidence)
    return sorted(found.values(), key=lambda r: (r.source_node, r.target_node, r.port))


def _admits(edge: Edge | None, port: Port) -> bool:
    if edge is None:
        return False
    return any(p.number is None or (p.number, p.protocol) == (port.number, port.protocol)
               for p in edge.ports)


def _stated(policies: Policies, pods: Mapping[str, Pod],
            index: PodIndex) -> Iterator[tuple[Pod, Pod, Port, str]]:
    """The calls the egress side of the policies states: upstreams, as rendered."""
    for np in policies.netpols:
        ns = str((np.body.get("metadata") or {}).get("namespace") or policies.namespace)
        callers = [pods[n] for n in index.selected(np.spec.get("podSelector"))]
        for i, rule in enumerate(np.spec.get("egress") or []):
            for spec in rule.get("to") or []:
                if "namespaceSelector" in spec or spec.get("ipBlock"):
                    continue  # a namespace or addresses: not a call to one component
                for callee in (pods[n] for n in sorted(index.peers(spec, ns))):
                    for port in callee.ports:
                        if ports_admit(rule.get("ports"), port):
                            for caller in callers:
                                if caller is not callee:
                                    yield caller, callee, port, \
                                        f"NetworkPolicy/{np.name} egress[{i}]"
    for sc in policies.sidecars:
        labels = (sc.spec.get("workloadSelector") or {}).get("labels") or {}
        callers = [pods[n] for n in index.selected({"matchLabels": labels})]
        for i, listener in enumerate(sc.spec.get("egress") or []):
            for host in listener.get("hosts") or []:
                name = str(host).partition("/")[2]
                for callee in pods.values():
                    if name in callee.hosts:
                        for caller in callers:
                            for port in callee.ports or (ANY_PORT,):
                                if caller is not callee:
                                    yield caller, callee, port, f"Sidecar/{sc.name} egress[{i}]"


def _strings(obj: Obj, configmaps: Mapping[str, Obj]) -> Iterator[tuple[str, str, str]]:
    """(text, variable name or '', where) of everything a workload's containers are given."""
    spec = pod_template(obj).get("spec") or {}
    mounted: list[str] = []
    for vol in spec.get("volumes") or []:
        if (vol.get("configMap") or {}).get("name"):
            mounted.append(str(vol["configMap"]["name"]))
        for source in (vol.get("projected") or {}).get("sources") or []:
            if (source.get("configMap") or {}).get("name"):
                mounted.append(str(source["configMap"]["name"]))
    for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        cname = c.get("name", "")
        for env in c.get("env") or []:
            if isinstance(env.get("value"), str):
                yield env["value"], str(env.get("name", "")), \
                    f"env {env.get('name')} of container {cname}"
        for key in ("command", "args"):
            for i, arg in enumerate(c.get(key) or []):
                yield str(arg), "", f"{key}[{i}] of container {cname}"
        for source in c.get("envFrom") or []:
            name = (source.get("configMapRef") or {}).get("name")
            if name and name in configmaps:
                for key, value in (configmaps[name].body.get("data") or {}).items():
                    yield str(value), str(key), f"ConfigMap/{name} {key}"
    for name in dict.fromkeys(mounted):
        if name in configmaps:
            for key, value in (configmaps[name].body.get("data") or {}).items():
                yield str(value), "", f"ConfigMap/{name} {key}"


def _references(obj: Obj, configmaps: Mapping[str, Obj]) -> Iterator[Reference]:
    for text, variable, where in _strings(obj, configmaps):
        yield from _in_text(text, variable, where)


def _in_text(text: str, variable: str, where: str) -> Iterator[Reference]:
    """The host references in one string, each (host, port) once."""
    seen: set[tuple[str, int | None]] = set()
    found: list[Reference] = []

    def add(host: str, port: int | None, scheme: str = "") -> None:
        if (host, port) not in seen:
            seen.add((host, port))
            found.append(Reference(host, port, scheme, where))

    for m in _URL.finditer(text):
        add(m[2], int(m[3]) if m[3] else None, m[1])
    stripped = _URL.sub(" ", text)
    for m in _HOST_PORT.finditer(stripped):
        add(m[1], int(m[2]))
    for m in _DNS_NAME.finditer(stripped):
        host = m[0].partition(":")[0].rstrip(".")
        if (host, None) not in seen:
            add(host, int(m[4]) if m[4] else None)
    if variable and _HOST_VARIABLE.search(variable.upper()) and re.fullmatch(_LABEL, text):
        add(text, None)
    yield from found


def _split_host(host: str, namespace: str) -> tuple[str, str | None, bool]:
    """(service, namespace, spelled out in full) of a host name; namespace None: not a Service."""
    parts = host.split(".")
    if len(parts) == 1:
        return parts[0], namespace, False
    if parts[2:] in ([], ["svc"], ["svc", "cluster", "local"]):
        full = len(parts) > 2
        if parts[1] == namespace or full:
            return parts[0], parts[1], full
    return host, None, False


def _resolve(ref: Reference, caller: Pod, pods: Mapping[str, Pod], index: PodIndex,
             services: Mapping[str, Obj]) -> Iterator[tuple[Pod | Peer, Port, str]]:
    """What a reference calls: (callee, pod port, a problem that stops it, or '')."""
    name, namespace, full = _split_host(ref.host, caller.namespace)
    if namespace is None:
        return
    if namespace != caller.namespace:
        if full:
            number = ref.port or SCHEME_PORTS.get(ref.scheme)
            yield Peer(namespace, name), Port(number) if number else ANY_PORT, ""
        return
    svc = services.get(name)
    if svc is None:
        return  # a host outside the release's Services (an external name, a typo we cannot tell)
    targets = [pods[n] for n in sorted(index.selected({"matchLabels": svc.spec["selector"]}))] \
        if svc.spec.get("selector") else []
    headless = svc.spec.get("clusterIP") == "None"
    svc_ports = svc.spec.get("ports") or []
    wanted = ref.port or SCHEME_PORTS.get(ref.scheme)
    if headless:
        # DNS answers with the pods' addresses: the port is the pod's own.
        chosen: list[Any] = [{"port": wanted, "targetPort": wanted}] if wanted else svc_ports
    else:
        chosen = [p for p in svc_ports if p.get("port") == wanted]
        if not chosen and ref.port is None:
            chosen = svc_ports if len(svc_ports) == 1 or wanted is None else []
        if not chosen:
            for pod in targets:
                yield pod, Port(wanted), (f"Service {name} has no port {wanted}: the call "
                                          f"cannot connect")
            return
    for pod in targets:
        for sp in chosen:
            port = _pod_port(pod, sp.get("targetPort", sp.get("port")),
                             str(sp.get("protocol") or "TCP"))
            if port is not None:
                yield pod, port, ""


def _pod_port(pod: Pod, target: object, protocol: str) -> Port | None:
    for port in pod.ports:
        if (port.name == target or port.number == target) and port.protocol == protocol:
            return port
    return Port(target, protocol) if isinstance(target, int) else None
