"""The topology of one render: what runs, how the outside reaches it, and who may call whom.

Everything here is read from the rendered objects (``helm template``'s output), so the picture
is what a cluster would get. The values are consulted only to name the namespaces they give a
role (the ingress controller's, the monitoring namespace, the KEDA interceptor's): a rendered
NetworkPolicy says ``namespace traefik``, not why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from svcgen.diff.objects import HOOK_ANNOTATION, Obj
from svcgen.graph.policy import (
    ANY_PORT,
    LabelIndex,
    Peer,
    Pod,
    PodIndex,
    Policies,
    Port,
    compatible,
    istio_peer,
    peer_of,
)

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod")
OPEN_NOTE = ("No NetworkPolicy, AuthorizationPolicy or restricting Sidecar is rendered: every pod "
             "may call every pod on any port, and anything that reaches the cluster network may "
             "call them.")


@dataclass
class Node:
    """A workload of the release, or a peer outside it."""

    id: str
    kind: str  # a workload kind, or "External"
    name: str
    source: list[str] = field(default_factory=list)
    replicas: str = ""
    images: list[str] = field(default_factory=list)
    service_ports: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    schedule: str = ""
    hook: str = ""
    scraped_by: list[str] = field(default_factory=list)
    #: For peers: what the namespace is to the release (DNS, ingress controller, …).
    role: str = ""

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "kind": self.kind, "name": self.name}
        for key in ("replicas", "images", "service_ports", "claims", "schedule", "hook",
                    "scraped_by", "role"):
            value = getattr(self, key)
            if value:
                data[key] = value
        data["source"] = self.source
        return data


@dataclass
class Edge:
    """Calls from one node to another that every rendered policy on the way admits."""

    source_node: str
    target_node: str
    ports: list[Port]
    #: The policy rules that admit the call (``NetworkPolicy/api ingress[0]``).
    source: list[str]

    @property
    def key(self) -> tuple[str, str]:
        return (self.source_node, self.target_node)

    @property
    def ports_text(self) -> str:
        return ", ".join(p.text for p in self.ports)

    def as_json(self) -> dict[str, Any]:
        return {"from": self.source_node, "to": self.target_node,
                "ports": [p.text for p in self.ports], "source": self.source}


@dataclass
class Backend:
    node: str
    port: str
    weight: int | None = None


@dataclass
class Entry:
    """A way in from outside: an Ingress host and path, a route match, a node port."""

    id: str
    kind: str  # Ingress, HTTPRoute, GRPCRoute, NodePort, LoadBalancer
    label: str
    via: str
    backends: list[Backend]
    source: list[str]

    @property
    def signature(self) -> str:
        return "; ".join(f"{b.node}:{b.port}" + (f" weight {b.weight}" if b.weight is not None
                                                 else "") for b in self.backends)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "via": self.via,
                "backends": [{"to": b.node, "port": b.port,
                              **({"weight": b.weight} if b.weight is not None else {})}
                             for b in self.backends],
                "source": self.source}


@dataclass
class Refused:
    """A call a component makes (or its policies state it means to make) that is not admitted."""

    source_node: str
    target_node: str
    port: str
    #: Where the call is made or stated: ``env REDIS_URL of container app``, an egress rule.
    evidence: list[str]
    refused_by: list[str]
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"from": self.source_node, "to": self.target_node, "port": self.port,
                "evidence": self.evidence, "refused_by": self.refused_by,
                "reason": self.reason}


@dataclass
class Graph:
    release: str
    namespace: str
    policies: list[str]
    nodes: dict[str, Node]
    edges: list[Edge]
    entries: list[Entry]
    refused: list[Refused] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return not self.policies

    def as_json(self) -> dict[str, Any]:
        return {
            "release": self.release, "namespace": self.namespace,
            "policies": self.policies, "open": self.open, "notes": self.notes,
            "nodes": [n.as_json() for n in self.nodes.values()],
            "entries": [e.as_json() for e in self.entries],
            "edges": [e.as_json() for e in self.edges],
            "refused": [r.as_json() for r in self.refused],
        }


# --- building ----------------------------------------------------------------------------------


def pod_template(obj: Obj) -> dict[str, Any]:
    if obj.kind == "Pod":
        return obj.body
    if obj.kind == "CronJob":
        return ((obj.spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
    return obj.spec.get("template") or {}


def _labels(template: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in
            ((template.get("metadata") or {}).get("labels") or {}).items()}


def node_id(obj: Obj) -> str:
    """Stable across a change of kind: the component the chart rendered it for."""
    return obj.component or obj.name


def ref(obj: Obj) -> str:
    return f"{obj.kind}/{obj.name}"


@dataclass
class Roles:
    """Namespaces the values give a role, to name the peers that policies admit from them."""

    by_namespace: dict[str, list[str]] = field(default_factory=dict)

    def add(self, namespace: object, role: str) -> None:
        if isinstance(namespace, str) and namespace:
            names = self.by_namespace.setdefault(namespace, [])
            if role not in names:
                names.append(role)

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Roles:
        g = values.get("global") or {}
        roles = cls()
        np = g.get("networkPolicy") or {}
        mesh = g.get("mesh") or {}
        roles.add(np.get("ingressNamespace"), "ingress controller")
        if mesh.get("istio"):
            roles.add(np.get("ingressNamespace") or mesh.get("ingressGatewayNamespace")
                      or "istio-system", "ingress gateway")
        roles.add((g.get("metrics") or {}).get("monitoringNamespace") or "monitoring",
                  "monitoring")
        roles.add((g.get("kedaInterceptor") or {}).get("namespace"), "KEDA interceptor")
        return roles


class _Builder:
    def __init__(self, objects: dict[Any, Obj], release: str, namespace: str,
                 roles: Roles) -> None:
        self.objects = list(objects.values())
        self.release = release
        self.namespace = namespace
        self.roles = roles
        self.nodes: dict[str, Node] = {}
        self.pods: dict[str, Pod] = {}
        self.services = [o for o in self.objects if o.kind == "Service"]
        self.service_pods: dict[str, list[str]] = {}

    def of_kind(self, *kinds: str) -> list[Obj]:
        return [o for o in self.objects if o.kind in kinds]

    def build(self) -> Graph:
        for obj in self.of_kind(*WORKLOADS):
            self._workload(obj)
        self.index = PodIndex(self.pods.values())
        self._services()
        self._scaling()
        self._monitors()
        self._claims()
        for role_ns in self._gateway_namespaces():
            self.roles.add(role_ns, "gateway")
        entries = self._entries()
        policies = Policies(self.objects, self.namespace)
        policies.index(self.pods.values())
        graph = Graph(self.release, self.namespace, policies.layers, self.nodes, [], entries)
        if policies.open:
            graph.notes.append(OPEN_NOTE)
        else:
            graph.edges = self._edges(policies)
            from svcgen.graph.calls import refused_calls

            graph.refused = refused_calls(self.objects, self.pods, self.services, policies,
                                          graph, self.add_peer)
        return graph

    # --- nodes -------------------------------------------------------------------------------

    def _workload(self, obj: Obj) -> None:
        template = pod_template(obj)
        spec = template.get("spec") or {}
        labels = _labels(template)
        nid = node_id(obj)
        if nid in self.nodes:  # two workloads for one component: keep both apart
            nid = f"{nid}/{obj.kind.lower()}"
        node = Node(nid, obj.kind, obj.name, [ref(obj)])
        containers = spec.get("containers") or []
        node.images = sorted({str(c.get("image", "")) for c in containers if c.get("image")})
        if obj.kind in ("Deployment", "StatefulSet"):
            node.replicas = str(obj.spec.get("replicas", 1))
        elif obj.kind == "DaemonSet":
            node.replicas = "one per node"
        elif obj.kind == "CronJob":
            node.schedule = str(obj.spec.get("schedule", ""))
        elif obj.kind == "Job":
            node.replicas = f"completions {obj.spec.get('completions', 1)}"
        hook = obj.annotations.get(HOOK_ANNOTATION)
        if hook:
            node.hook = str(hook)
        self.nodes[nid] = node
        ports = tuple(sorted({Port(int(p["containerPort"]), str(p.get("protocol") or "TCP"),
                                   str(p.get("name") or ""))
                              for c in containers for p in c.get("ports") or []
                              if isinstance(p.get("containerPort"), int)}))
        self.pods[nid] = Pod(nid, self.namespace, labels,
                             str(spec.get("serviceAccountName") or "default"), ports)

    def _services(self) -> None:
        for svc in self.services:
            selector = svc.spec.get("selector") or {}
            if not selector:
                continue
            targets = sorted(self.index.selected({"matchLabels": selector}))
            self.service_pods[svc.name] = targets
            host = f"{svc.name}.{self.namespace}.svc.cluster.local"
            kind = svc.spec.get("type") or "ClusterIP"
            headless = svc.spec.get("clusterIP") == "None"
            for nid in targets:
                pod = self.pods[nid]
                self.pods[nid] = Pod(pod.node, pod.namespace, pod.labels, pod.service_account,
                                     pod.ports, (*pod.hosts, host))
                node = self.nodes[nid]
                node.source.append(ref(svc))
                for p in svc.spec.get("ports") or []:
                    text = f"{svc.name}:{p.get('port')}→{p.get('targetPort', p.get('port'))}"
                    if p.get("protocol", "TCP") != "TCP":
                        text += f"/{p['protocol']}"
                    if kind != "ClusterIP":
                        text += f" ({kind})"
                    elif headless:
                        text += " (headless)"
                    node.service_ports.append(text)

    def _by_target(self, kind: str, name: str) -> Node | None:
        for obj in self.of_kind(kind):
            if obj.name == name:
                nid = node_id(obj)
                return self.nodes.get(nid)
        return None

    def _scaling(self) -> None:
        for hpa in self.of_kind("HorizontalPodAutoscaler"):
            target = hpa.spec.get("scaleTargetRef") or {}
            node = self._by_target(str(target.get("kind")), str(target.get("name")))
            if node is not None:
                node.replicas = f"{hpa.spec.get('minReplicas', 1)}-{hpa.spec.get('maxReplicas')}"\
                    " (HPA)"
                node.source.append(ref(hpa))
        for so in self.of_kind("ScaledObject"):
            target = so.spec.get("scaleTargetRef") or {}
            node = self._by_target(str(target.get("kind") or "Deployment"),
                                   str(target.get("name")))
            if node is not None:
                node.replicas = (f"{so.spec.get('minReplicaCount', 0)}-"
                                 f"{so.spec.get('maxReplicaCount', 100)} (KEDA)")
                node.source.append(ref(so))
        for hso in self.of_kind("HTTPScaledObject"):
            target = hso.spec.get("scaleTargetRef") or {}
            node = self._by_target(str(target.get("kind") or "Deployment"),
                                   str(target.get("name")))
            replicas = hso.spec.get("replicas") or {}
            if node is not None:
                node.replicas = (f"{replicas.get('min', 0)}-{replicas.get('max', '?')} "
                                 "(KEDA HTTP)")
                node.source.append(ref(hso))

    def _monitors(self) -> None:
        services = LabelIndex({s.name: {str(k): str(v) for k, v in s.labels.items()}
                               for s in self.services})
        for sm in self.of_kind("ServiceMonitor"):
            for name in sorted(services.selected(sm.spec.get("selector") or {})):
                for nid in self.service_pods.get(name, []):
                    self.nodes[nid].scraped_by.append(ref(sm))
        for pm in self.of_kind("PodMonitor"):
            for nid in sorted(self.index.selected(pm.spec.get("selector"))):
                self.nodes[nid].scraped_by.append(ref(pm))
        for obj in self.of_kind(*WORKLOADS):
            annotations = (pod_template(obj).get("metadata") or {}).get("annotations") or {}
            if str(annotations.get("prometheus.io/scrape")) == "true":
                nid = node_id(obj)
                if nid in self.nodes:
                    port = annotations.get("prometheus.io/port", "")
                    self.nodes[nid].scraped_by.append(f"annotations :{port}".rstrip(" :"))

    def _claims(self) -> None:
        claims = {o.name: o for o in self.of_kind("PersistentVolumeClaim")}
        for obj in self.of_kind(*WORKLOADS):
            node = self.nodes.get(node_id(obj))
            if node is None:
                continue
            for tpl in obj.spec.get("volumeClaimTemplates") or [] if obj.kind == "StatefulSet" \
                    else []:
                node.claims.append(_claim_text((tpl.get("metadata") or {}).get("name", ""),
                                               tpl.get("spec") or {}, "per replica"))
            for vol in (pod_template(obj).get("spec") or {}).get("volumes") or []:
                claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
                if claim:
                    pvc = claims.get(str(claim))
                    node.claims.append(_claim_text(str(claim), pvc.spec if pvc else {}, "shared"))
                    if pvc is not None:
                        node.source.append(ref(pvc))

    # --- entry points ------------------------------------------------------------------------

    def _gateway_namespaces(self) -> list[str]:
        found = []
        for route in self.of_kind("HTTPRoute", "GRPCRoute"):
            for parent in route.spec.get("parentRefs") or []:
                found.append(str(parent.get("namespace") or self.namespace))
        return found

    def _backend(self, service: str, port: object, weight: int | None = None,
                 namespace: object = None) -> list[Backend]:
        ns = str(namespace or self.namespace)
        if ns == self.namespace and service in self.service_pods:
            return [Backend(nid, str(port), weight) for nid in self.service_pods[service]]
        # A Service the release does not render (the KEDA interceptor's): drawn as a peer.
        nid = f"service:{ns}/{service}"
        if nid not in self.nodes:
            self.nodes[nid] = Node(nid, "External", f"Service {service} in namespace {ns}",
                                   role=", ".join(self.roles.by_namespace.get(ns, [])))
        return [Backend(nid, str(port), weight)]

    def _entries(self) -> list[Entry]:
        entries: list[Entry] = []
        for ing in self.of_kind("Ingress"):
            tls_hosts = {str(h) for t in ing.spec.get("tls") or [] for h in t.get("hosts") or []}
            via = f"Ingress class {ing.spec.get('ingressClassName') or '(default)'}"
            for rule in ing.spec.get("rules") or []:
                host = str(rule.get("host") or "*")
                scheme = "https" if host in tls_hosts else "http"
                for path in (rule.get("http") or {}).get("paths") or []:
                    svc = ((path.get("backend") or {}).get("service") or {})
                    port = (svc.get("port") or {}).get("number") or (svc.get("port") or {}).get(
                        "name")
                    label = f"{scheme}://{host}{path.get('path', '/')}"
                    if path.get("pathType") == "Exact":
                        label += " (exact)"
                    entries.append(Entry(f"ingress:{host}{path.get('path', '/')}", "Ingress",
                                         label, via, self._backend(str(svc.get("name")), port),
                                         [ref(ing)]))
        for route in self.of_kind("HTTPRoute", "GRPCRoute"):
            parents = ", ".join(
                f"{p.get('namespace') or self.namespace}/{p.get('name')}"
                + (f"/{p['sectionName']}" if p.get("sectionName") else "")
                for p in route.spec.get("parentRefs") or [])
            hosts = [str(h) for h in route.spec.get("hostnames") or []] or ["*"]
            for i, rule in enumerate(route.spec.get("rules") or []):
                backends = [b for ref_ in rule.get("backendRefs") or []
                            for b in self._backend(str(ref_.get("name")), ref_.get("port"),
                                                   ref_.get("weight"), ref_.get("namespace"))]
                if len(backends) == 1 and backends[0].weight is not None and \
                        len(rule.get("backendRefs") or []) == 1:
                    backends[0].weight = None  # one backend: its weight says nothing
                for host in hosts:
                    match = _route_match(route.kind, rule)
                    entries.append(Entry(f"{route.kind.lower()}:{host}{match}#{i}", route.kind,
                                         f"{host}{match}", f"Gateway {parents}", backends,
                                         [f"{ref(route)} rules[{i}]"]))
        for svc in self.services:
            kind = svc.spec.get("type")
            if kind not in ("NodePort", "LoadBalancer"):
                continue
            for p in svc.spec.get("ports") or []:
                label = (f"node port {p['nodePort']}" if p.get("nodePort") else
                         f"{kind} port {p.get('port')}")
                if kind == "LoadBalancer":
                    label = f"load balancer :{p.get('port')}"
                entries.append(Entry(f"{kind.lower()}:{svc.name}:{p.get('port')}", kind, label,
                                     f"Service {svc.name}",
                                     self._backend(svc.name, p.get("port")), [ref(svc)]))
        entries.sort(key=lambda e: e.id)
        return entries

    # --- edges -------------------------------------------------------------------------------

    def add_peer(self, peer: Peer, ports: Iterable[Port] = ()) -> str:
        if peer.id not in self.nodes:
            self.nodes[peer.id] = Node(peer.id, "External", peer_label(peer, self.namespace),
                                       role=self._role(peer, list(ports)))
        return peer.id

    def _role(self, peer: Peer, ports: list[Port]) -> str:
        numbers = {p.number for p in ports}
        if numbers == {53}:
            return "DNS"
        if numbers == {15012}:
            return "istiod"
        if peer.namespace is None:
            return ""
        return ", ".join(self.roles.by_namespace.get(peer.namespace, []))

    def _edges(self, policies: Policies) -> list[Edge]:
        edges: list[Edge] = []
        pods = list(self.pods.values())
        callees = {p.node: policies.reachable(p, "egress") for p in pods}
        callers = {p.node: policies.reachable(p, "ingress") for p in pods}
        for caller in pods:
            out = callees[caller.node]
            # Only the pods some rule admits on some port are judged port by port.
            for callee in pods if out is None else [self.pods[n] for n in sorted(out)]:
                if caller is callee:
                    continue
                into = callers[callee.node]
                if into is not None and caller.node not in into:
                    continue
                edge = _admitted(policies, caller, callee, callee.ports, caller.node,
                                 callee.node)
                if edge is not None:
                    edges.append(edge)
        edges += self._peer_edges(policies)
        edges.sort(key=lambda e: e.key)
        return edges

    def _peer_edges(self, policies: Policies) -> list[Edge]:
        """Calls from and to the peers that the policies name, each checked by every layer."""
        callers: dict[str, dict[Peer, set[str]]] = {}  # callee -> peer -> layers naming it
        callees: dict[str, list[tuple[Peer, list[Port]]]] = {}
        principals = {p.principal for p in self.pods.values()}
        for np in policies.netpols:
            targets = [self.pods[n] for n in sorted(self.index.selected(
                np.spec.get("podSelector")))]
            for rule in np.spec.get("ingress") or []:
                for peer in _rule_peers(rule.get("from"), self.namespace, self.index):
                    for pod in targets:
                        callers.setdefault(pod.node, {}).setdefault(peer, set()).add("np")
            for rule in np.spec.get("egress") or []:
                ports = _rule_ports(rule.get("ports"))
                for peer in _rule_peers(rule.get("to"), self.namespace, self.index):
                    for pod in targets:
                        callees.setdefault(pod.node, []).append((peer, ports))
        for ap in policies.authz:
            targets = [self.pods[n] for n in sorted(self.index.selected(
                ap.spec.get("selector")))]
            for rule in ap.spec.get("rules") or []:
                froms = rule.get("from") or [{"source": {}}]
                for f in froms:
                    source = f.get("source") or {}
                    named = [str(p) for p in source.get("principals") or []]
                    if named and all(p in principals for p in named):
                        continue  # names pods of the release: an edge between components
                    peer = istio_peer(source) or Peer()
                    for pod in targets:
                        callers.setdefault(pod.node, {}).setdefault(peer, set()).add("istio")
        edges: list[Edge] = []
        for nid, layers in callers.items():
            pod = self.pods[nid]
            for peer in sorted(_one_per_identity(layers), key=lambda p: p.id):
                edge = _admitted(policies, peer, pod, pod.ports, peer.id, nid)
                if edge is not None:
                    self.add_peer(peer, edge.ports)
                    edges.append(edge)
        for nid, wanted in callees.items():
            pod = self.pods[nid]
            merged: dict[Peer, list[Port]] = {}
            for peer, ports in wanted:
                merged.setdefault(peer, []).extend(ports)
            for peer, ports in sorted(merged.items(), key=lambda item: item[0].id):
                edge = _admitted(policies, pod, peer, sorted(set(ports), key=_port_key), nid,
                                 peer.id)
                if edge is not None:
                    self.add_peer(peer, ports)  # the rule's ports say what the peer is (DNS)
                    edges.append(edge)
        return edges


def _admitted(policies: Policies, caller: Pod | Peer, callee: Pod | Peer,
              ports: Iterable[Port], caller_id: str, callee_id: str) -> Edge | None:
    """The edge of the ports every layer admits, with the rules that do; None when none."""
    admitted: list[Port] = []
    sources: list[str] = []
    for port in [*ports, ANY_PORT]:
        verdicts = policies.call(caller, callee, port)
        if all(v.admitted for _, v in verdicts) and any(v.governed for _, v in verdicts):
            if port.number is None:
                admitted = [ANY_PORT]
            else:
                admitted.append(port)
            for _, v in verdicts:
                sources += [s for s in v.sources if s not in sources]
    if not admitted:
        return None
    if ANY_PORT in admitted:
        admitted = [ANY_PORT]
    return Edge(caller_id, callee_id, admitted, sources)


def _one_per_identity(named: dict[Peer, set[str]]) -> list[Peer]:
    """The callers of one pod, where a NetworkPolicy and an AuthorizationPolicy name the same
    pods in two ways (the Gateway's by its pod labels and by its ServiceAccount): one peer that
    carries both names, when each has exactly one counterpart in the other layer."""
    only_np = [p for p, layers in named.items() if layers == {"np"}]
    only_istio = [p for p, layers in named.items() if layers == {"istio"}]
    peers = [p for p, layers in named.items() if len(layers) > 1]
    paired: set[Peer] = set()
    for a in only_np:
        matches = [b for b in only_istio if compatible(a, b)]
        if len(matches) == 1 and [x for x in only_np if compatible(x, matches[0])] == [a]:
            b = matches[0]
            peers.append(Peer(a.namespace or b.namespace, a.service or b.service,
                              tuple(sorted({*a.labels, *b.labels}))))
            named[peers[-1]] = {"np", "istio"}
            paired |= {a, b}
    return peers + [p for p in [*only_np, *only_istio] if p not in paired]


def _port_key(port: Port) -> tuple[int, str]:
    return (-1 if port.number is None else port.number, port.protocol)


def _rule_ports(ports: list[Mapping[str, Any]] | None) -> list[Port]:
    if not ports:
        return [ANY_PORT]
    return [Port(int(p["port"]), str(p.get("protocol") or "TCP")) if isinstance(p.get("port"), int)
            else ANY_PORT for p in ports]


def _rule_peers(specs: list[Mapping[str, Any]] | None, namespace: str,
                index: PodIndex) -> list[Peer]:
    """The peers outside the release a rule names; a rule without peers names everyone."""
    if not specs:
        return [Peer(cidr="0.0.0.0/0")]
    found = []
    for spec in specs:
        peer = peer_of(spec, namespace)
        if not peer.cidr and "namespaceSelector" not in spec and index.peers(spec, namespace):
            continue  # pods of the release: edges between components
        found.append(peer)
    return found


def peer_label(peer: Peer, namespace: str) -> str:
    if peer.cidr:
        if peer.cidr == "0.0.0.0/0" and not peer.excepted:
            return "anyone (every address)"
        extra = f" except {', '.join(peer.excepted)}" if peer.excepted else ""
        return f"addresses {peer.cidr}{extra}"
    if peer.namespace is None:
        where = "every namespace"
    elif peer.namespace == namespace:
        where = f"namespace {peer.namespace} (outside the release)"
    else:
        where = f"namespace {peer.namespace}"
    pods = []
    if peer.service is not None:
        pods.append(f"service {peer.service}")
    pods += [f"{k}={v}" for k, v in peer.labels]
    return where + (": " + ", ".join(pods) if pods else "")


def _claim_text(name: str, spec: Mapping[str, Any], how: str) -> str:
    size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "")
    modes = ",".join(str(m) for m in spec.get("accessModes") or [])
    parts = [p for p in (str(size), modes, how) if p]
    return f"{name} ({', '.join(parts)})"


def _route_match(kind: str, rule: Mapping[str, Any]) -> str:
    texts = []
    for m in rule.get("matches") or []:
        if kind == "GRPCRoute":
            method = m.get("method") or {}
            texts.append("/" + "/".join(str(x) for x in (method.get("service"),
                                                         method.get("method")) if x))
            continue
        path = m.get("path") or {}
        text = str(path.get("value", "/"))
        if path.get("type") == "Exact":
            text += " (exact)"
        headers = [f"{h.get('name')}={h.get('value')}" for h in m.get("headers") or []]
        if headers:
            text += " [" + ", ".join(headers) + "]"
        texts.append(text)
    return " | ".join(texts) if texts else "/"


def build(objects: dict[Any, Obj], *, release: str, namespace: str,
          values: Mapping[str, Any] | None = None) -> Graph:
    """The graph of one render (objects as :func:`svcgen.diff.objects.parse` returns them)."""
    return _Builder(objects, release, namespace, Roles.from_values(values or {})).build()
