"""What the rendered traffic policies admit, with the semantics of the objects themselves.

Three layers, each consulted only where it selects a pod (a pod no policy of a layer selects is
open in that layer, as Kubernetes and Istio treat it):

* NetworkPolicy (``networking.k8s.io/v1``), both directions: a call from A to B on port P passes
  when some egress rule of a policy selecting A admits (B, P) and some ingress rule of a policy
  selecting B admits (A, P). Peers are pod and namespace selectors (``matchLabels`` and
  ``matchExpressions``; a namespace is known by its ``kubernetes.io/metadata.name`` label) and
  ip blocks; ports by number, range (``endPort``) or the destination's port name.
* Istio AuthorizationPolicy, on the called pod: with an ALLOW policy selecting it, a request
  passes only when a rule matches its source (principal ``cluster.local/ns/N/sa/S`` or
  namespace, with Istio's one leading or trailing ``*``) and its port; a DENY rule that matches
  refuses it first.
* Istio Sidecar with ``outboundTrafficPolicy.mode: REGISTRY_ONLY``, on the calling pod: only the
  ``namespace/host`` entries of its egress listeners are reachable.

A caller or callee outside the release is a :class:`Peer`, the identity a policy rule names:
a namespace (or every namespace), the pods of one service in it (the ``app`` or
``app.kubernetes.io/component`` label, which the chart treats as the ServiceAccount of the same
name, as the Istio policy it renders beside the NetworkPolicy does), other pod labels, or an
address range.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from svcgen.diff.objects import Obj

NAMESPACE_LABEL = "kubernetes.io/metadata.name"
#: Labels that name a service: the chart's component label and Space Cloud's ``app``.
SERVICE_LABELS = ("app.kubernetes.io/component", "app")


@dataclass(frozen=True, order=True)
class Port:
    """A port of a pod, or (``number`` None) any port."""

    number: int | None
    protocol: str = "TCP"
    name: str = field(default="", compare=False)

    @property
    def text(self) -> str:
        if self.number is None:
            return "any port"
        return f"{self.number}/{self.protocol}" + (f" ({self.name})" if self.name else "")


ANY_PORT = Port(None)


@dataclass(frozen=True)
class Pod:
    """The pods of one workload of the release."""

    node: str
    namespace: str
    labels: Mapping[str, str]
    service_account: str
    ports: tuple[Port, ...]
    #: Host names its Services answer to (``name.namespace.svc.cluster.local``).
    hosts: tuple[str, ...] = ()

    @property
    def principal(self) -> str:
        return f"cluster.local/ns/{self.namespace}/sa/{self.service_account}"


@dataclass(frozen=True)
class Peer:
    """Something outside the release a policy names; None means every namespace or pod."""

    namespace: str | None = None
    service: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    cidr: str = ""
    excepted: tuple[str, ...] = ()
    #: Named by its ServiceAccount (an Istio principal): its pods' labels are not known.
    by_account: bool = field(default=False, compare=False)

    @property
    def id(self) -> str:
        if self.cidr:
            return "ip:" + self.cidr + "".join(f"-{e}" for e in self.excepted)
        parts = [f"ns:{self.namespace or '*'}"]
        if self.service is not None:
            parts.append(f"svc:{self.service}")
        parts += [f"{k}={v}" for k, v in self.labels]
        return "peer:" + "/".join(parts)


@dataclass
class Verdict:
    """One layer's answer for one call: the rules that admit it, or the policies that refuse."""

    admitted: bool
    sources: list[str] = field(default_factory=list)
    refused_by: list[str] = field(default_factory=list)
    #: True when a policy of the layer selects the pod (False: the layer leaves it open).
    governed: bool = False


Endpoint = Pod | Peer


class LabelIndex:
    """Labelled things by label, to find those a selector names without trying each one."""

    def __init__(self, labels: Mapping[str, Mapping[str, str]]) -> None:
        self.labels = labels
        self.all = set(labels)
        self.by_label: dict[tuple[str, str], set[str]] = {}
        for key, these in labels.items():
            for item in these.items():
                self.by_label.setdefault(item, set()).add(key)

    def selected(self, selector: Mapping[str, Any] | None) -> set[str]:
        """The keys whose labels a label selector (``matchLabels``, ``matchExpressions``) names."""
        if not selector:
            return set(self.all)
        chosen: set[str] | None = None
        for key, value in (selector.get("matchLabels") or {}).items():
            these = self.by_label.get((str(key), str(value)), set())
            chosen = set(these) if chosen is None else chosen & these
        if chosen is None:
            chosen = set(self.all)
        if selector.get("matchExpressions"):
            chosen = {n for n in chosen if selects(selector, self.labels[n])}
        return chosen


class PodIndex(LabelIndex):
    """The release's pods by label."""

    def __init__(self, pods: Iterable[Pod]) -> None:
        self.pods = {p.node: p for p in pods}
        super().__init__({n: p.labels for n, p in self.pods.items()})

    def peers(self, spec: Mapping[str, Any], policy_namespace: str) -> set[str]:
        """The pods of the release a NetworkPolicy peer names."""
        if spec.get("ipBlock"):
            return set()
        chosen = self.selected(spec.get("podSelector"))
        if "namespaceSelector" in spec:
            return {n for n in chosen if selects(spec.get("namespaceSelector"),
                                                 {NAMESPACE_LABEL: self.pods[n].namespace})}
        return {n for n in chosen if self.pods[n].namespace == policy_namespace}


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A label selector (``matchLabels`` and ``matchExpressions``) against a set of labels."""
    if not selector:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != str(value):
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op = expr.get("key"), expr.get("operator")
        values = [str(v) for v in expr.get("values") or []]
        present = key in labels
        if op == "In" and not (present and labels[key] in values):
            return False
        if op == "NotIn" and present and labels[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def peer_of(spec: Mapping[str, Any], policy_namespace: str) -> Peer:
    """The identity a NetworkPolicy peer names."""
    block = spec.get("ipBlock")
    if block:
        return Peer(cidr=str(block.get("cidr", "")),
                    excepted=tuple(str(e) for e in block.get("except") or []))
    if "namespaceSelector" in spec:
        ns_labels = (spec.get("namespaceSelector") or {}).get("matchLabels") or {}
        namespace = ns_labels.get(NAMESPACE_LABEL)
        namespace = str(namespace) if namespace is not None else None
    else:
        namespace = policy_namespace
    return _pods_peer(namespace, (spec.get("podSelector") or {}).get("matchLabels") or {})


def _pods_peer(namespace: str | None, labels: Mapping[str, Any]) -> Peer:
    service = next((str(labels[k]) for k in SERVICE_LABELS if k in labels), None)
    rest = tuple(sorted((str(k), str(v)) for k, v in labels.items() if k not in SERVICE_LABELS))
    return Peer(namespace, service, rest)


def istio_peer(source: Mapping[str, Any]) -> Peer | None:
    """The identity an AuthorizationPolicy source names (its first principal or namespace)."""
    for principal in source.get("principals") or []:
        text = str(principal)
        if text == "*":
            return Peer()
        ns, _, sa = text.partition("/sa/")
        namespace = ns.removeprefix("cluster.local/ns/") if ns.startswith("cluster.local/ns/") \
            else None
        return Peer(namespace, sa or None, by_account=bool(sa))
    for namespace in source.get("namespaces") or []:
        return Peer(None if str(namespace) == "*" else str(namespace))
    return None


def compatible(a: Peer, b: Peer) -> bool:
    """Whether two identities outside the release can be the same pods.

    Rules of different layers name a peer differently (a NetworkPolicy by pod labels, an
    AuthorizationPolicy by ServiceAccount): an unknown attribute on one side is no conflict, so an
    edge from a peer means that some of its pods may call.
    """
    if a.cidr or b.cidr:
        return a == b
    if None not in (a.namespace, b.namespace) and a.namespace != b.namespace:
        return False
    if None not in (a.service, b.service) and a.service != b.service:
        return False
    labels = dict(a.labels)
    return all(labels.get(k, v) == v for k, v in b.labels)


def _wildcard(pattern: str, text: str) -> bool:
    """Istio's string match: exact, ``*``, a ``*`` prefix or a ``*`` suffix."""
    if pattern == "*":
        return True
    if pattern.startswith("*"):
        return text.endswith(pattern[1:])
    if pattern.endswith("*"):
        return text.startswith(pattern[:-1])
    return pattern == text


def ports_admit(rule_ports: Sequence[Mapping[str, Any]] | None, port: Port) -> bool:
    if not rule_ports:
        return True
    if port.number is None:
        return False
    for rp in rule_ports:
        if str(rp.get("protocol") or "TCP") != port.protocol:
            continue
        number = rp.get("port")
        if number is None:
            return True
        if isinstance(number, int):
            end = rp.get("endPort")
            if number == port.number or (isinstance(end, int) and number <= port.number <= end):
                return True
        elif str(number) == port.name:
            return True
    return False


class Policies:
    """The policies of one render, by layer."""

    def __init__(self, objects: Iterable[Obj], namespace: str) -> None:
        self.namespace = namespace
        self.netpols: list[Obj] = []
        self.authz: list[Obj] = []
        self.sidecars: list[Obj] = []
        self._governed: dict[tuple[str, str], list[tuple[Obj, str]]] = {}
        self._indexed: set[str] = set()
        self._pod_index = PodIndex([])
        self._named: dict[tuple[str, str], dict[str, list[int]]] = {}
        self._peers: dict[int, Peer] = {}
        for obj in objects:
            if obj.kind == "NetworkPolicy":
                self.netpols.append(obj)
            elif obj.kind == "AuthorizationPolicy":
                self.authz.append(obj)
            elif obj.kind == "Sidecar" and ((obj.spec.get("outboundTrafficPolicy") or {})
                                            .get("mode") == "REGISTRY_ONLY"):
                self.sidecars.append(obj)

    @property
    def open(self) -> bool:
        """No policy of any layer is rendered: every pod may call every pod."""
        return not (self.netpols or self.authz or self.sidecars)

    @property
    def layers(self) -> list[str]:
        found = [("NetworkPolicy", self.netpols), ("AuthorizationPolicy", self.authz),
                 ("Sidecar", self.sidecars)]
        return [name for name, objs in found if objs]

    def index(self, pods: Iterable[Pod]) -> PodIndex:
        """Bind the release's pods: which policy governs which pod is found once, by label."""
        index = PodIndex([*self._pod_index.pods.values(), *pods])
        self._pod_index, self._named, self._governed = index, {}, {}
        self._indexed = set(index.all)
        for np in self.netpols:
            ns = str((np.body.get("metadata") or {}).get("namespace") or self.namespace)
            for node in sorted(index.selected(np.spec.get("podSelector"))):
                if index.pods[node].namespace == ns:
                    for direction in _directions(np):
                        self._governed.setdefault((node, direction), []).append((np, ns))
        return index

    def _governing(self, pod: Pod, direction: str) -> list[tuple[Obj, str]]:
        """The NetworkPolicies (with their namespace) that govern one direction of a pod.

        Found once for the pods given to :meth:`index`: every call to or from a pod asks again,
        and scanning every policy each time made a graph of a large release cubic in its size.
        """
        if pod.node not in self._indexed:
            self.index([pod])
        return self._governed.get((pod.node, direction), [])

    def reachable(self, pod: Pod, direction: str) -> set[str] | None:
        """The pods a pod's NetworkPolicies admit in one direction on some port (None: the
        direction is open): a cheap first pass, so that ports are judged only for those pairs."""
        governing = self._governing(pod, direction)
        if not governing:
            return None
        found: set[str] = set()
        for np, ns in governing:
            found.update(self._rules_naming(np, direction, ns))
        return found

    # --- NetworkPolicy ---------------------------------------------------------------------

    def _netpol_peer_admits(self, spec: Mapping[str, Any], policy_ns: str,
                            other: Endpoint) -> bool:
        if isinstance(other, Pod):
            if spec.get("ipBlock"):
                # Pod addresses are the cluster's private ones, which the chart's blocks keep out.
                return False
            if "namespaceSelector" in spec:
                ns_ok = selects(spec.get("namespaceSelector"), {NAMESPACE_LABEL: other.namespace})
            else:
                ns_ok = other.namespace == policy_ns
            return ns_ok and selects(spec.get("podSelector"), other.labels)
        # The same rule is asked about for every caller: its identity is read once (the render's
        # objects outlive this, so their ids stay theirs).
        cached = self._peers.get(id(spec))
        if cached is None:
            cached = self._peers[id(spec)] = peer_of(spec, policy_ns)
        wanted = cached
        if wanted.cidr or other.cidr:
            return wanted == other
        if wanted.namespace is not None and wanted.namespace != other.namespace:
            return False
        if wanted.service is not None and wanted.service != other.service:
            return False
        # A peer named by its ServiceAccount has pod labels no rule tells.
        return other.by_account or set(wanted.labels) <= set(other.labels)

    def _rules_naming(self, np: Obj, direction: str, ns: str) -> dict[str, list[int]]:
        """For each indexed pod, the rules of one direction of a policy whose peers name it.

        Kept per policy: the `helm test` pod's policy has a rule per component, and every call
        from it would otherwise match each of them against every peer.
        """
        key = (np.name, direction)
        found = self._named.get(key)
        if found is None:
            found = {}
            peers_key = "from" if direction == "ingress" else "to"
            for i, rule in enumerate(np.spec.get(direction) or []):
                peers = rule.get(peers_key)
                named: set[str] = set()
                if not peers:
                    named = set(self._pod_index.all)
                for spec in peers or []:
                    named |= self._pod_index.peers(spec, ns)
                for node in named:
                    found.setdefault(node, []).append(i)
            self._named[key] = found
        return found

    def netpol(self, pod: Pod, other: Endpoint, port: Port, direction: str) -> Verdict:
        """``direction`` "ingress": ``other`` calls ``pod``; "egress": ``pod`` calls ``other``."""
        peers_key = "from" if direction == "ingress" else "to"
        verdict = Verdict(admitted=False)
        for np, ns in self._governing(pod, direction):
            verdict.governed = True
            verdict.refused_by.append(f"NetworkPolicy/{np.name}")
            rules = np.spec.get(direction) or []
            if isinstance(other, Pod) and other.node in self._indexed:
                chosen = self._rules_naming(np, direction, ns).get(other.node, [])
            else:
                chosen = [i for i, rule in enumerate(rules) if not rule.get(peers_key) or any(
                    self._netpol_peer_admits(p, ns, other) for p in rule[peers_key])]
            for i in chosen:
                if ports_admit(rules[i].get("ports"), port):
                    verdict.sources.append(f"NetworkPolicy/{np.name} {direction}[{i}]")
        verdict.admitted = not verdict.governed or bool(verdict.sources)
        if verdict.admitted:
            verdict.refused_by = []
        return verdict

    # --- Istio AuthorizationPolicy ---------------------------------------------------------

    @staticmethod
    def source_admits(source: Mapping[str, Any], caller: Endpoint) -> bool:
        principals = [str(p) for p in source.get("principals") or []]
        namespaces = [str(n) for n in source.get("namespaces") or []]
        if isinstance(caller, Pod):
            principal_ok = any(_wildcard(p, caller.principal) for p in principals)
            namespace_ok = any(_wildcard(n, caller.namespace) for n in namespaces)
        elif caller.cidr:
            return not principals and not namespaces
        else:
            principal_ok = any(_peer_principal(p, caller) for p in principals)
            namespace_ok = any(n == "*" or (caller.namespace is not None
                                            and _wildcard(n, caller.namespace))
                               for n in namespaces)
        return (principal_ok or not principals) and (namespace_ok or not namespaces)

    def _rule_matches(self, rule: Mapping[str, Any], caller: Endpoint, port: Port) -> bool:
        froms = rule.get("from")
        if froms and not any(self.source_admits(f.get("source") or {}, caller) for f in froms):
            return False
        tos = rule.get("to")
        if tos:
            ports = [str(p) for t in tos for p in ((t.get("operation") or {}).get("ports") or [])]
            if ports and (port.number is None or str(port.number) not in ports):
                return False
        return True

    def authorization(self, pod: Pod, caller: Endpoint, port: Port) -> Verdict:
        verdict = Verdict(admitted=False)
        denied: list[str] = []
        for ap in self.authz:
            ns = str((ap.body.get("metadata") or {}).get("namespace") or self.namespace)
            selector = ap.spec.get("selector")
            if ns != pod.namespace or not selects(selector, pod.labels):
                continue
            action = ap.spec.get("action") or "ALLOW"
            rules = ap.spec.get("rules") or []
            if action == "DENY":
                denied += [f"AuthorizationPolicy/{ap.name} rules[{i}]" for i, r in enumerate(rules)
                           if self._rule_matches(r, caller, port)]
                continue
            if action != "ALLOW":
                continue
            verdict.governed = True
            verdict.refused_by.append(f"AuthorizationPolicy/{ap.name}")
            verdict.sources += [f"AuthorizationPolicy/{ap.name} rules[{i}]"
                                for i, r in enumerate(rules) if self._rule_matches(r, caller, port)]
        verdict.admitted = not denied and (not verdict.governed or bool(verdict.sources))
        if denied:
            verdict.governed, verdict.refused_by, verdict.sources = True, denied, []
        elif verdict.admitted:
            verdict.refused_by = []
        return verdict

    # --- Istio Sidecar ---------------------------------------------------------------------

    def sidecar(self, pod: Pod, callee: Endpoint) -> Verdict:
        verdict = Verdict(admitted=False)
        for sc in self.sidecars:
            ns = str((sc.body.get("metadata") or {}).get("namespace") or self.namespace)
            labels = (sc.spec.get("workloadSelector") or {}).get("labels")
            if ns != pod.namespace or not selects({"matchLabels": labels or {}}, pod.labels):
                continue
            verdict.governed = True
            verdict.refused_by.append(f"Sidecar/{sc.name}")
            for i, listener in enumerate(sc.spec.get("egress") or []):
                if any(_host_admits(str(h), ns, callee) for h in listener.get("hosts") or []):
                    verdict.sources.append(f"Sidecar/{sc.name} egress[{i}]")
        verdict.admitted = not verdict.governed or bool(verdict.sources)
        if verdict.admitted:
            verdict.refused_by = []
        return verdict

    def call(self, caller: Endpoint, callee: Endpoint, port: Port) -> list[tuple[str, Verdict]]:
        """Every layer's verdict on one call, in the order the traffic meets them."""
        verdicts: list[tuple[str, Verdict]] = []
        if isinstance(caller, Pod):
            verdicts.append(("Sidecar", self.sidecar(caller, callee)))
            verdicts.append(("NetworkPolicy egress", self.netpol(caller, callee, port, "egress")))
        if isinstance(callee, Pod):
            verdicts.append(("NetworkPolicy ingress",
                             self.netpol(callee, caller, port, "ingress")))
            verdicts.append(("AuthorizationPolicy", self.authorization(callee, caller, port)))
        return verdicts


def _directions(np: Obj) -> list[str]:
    """The directions a NetworkPolicy governs; without policyTypes, egress only with rules."""
    types = np.spec.get("policyTypes") or (["Ingress", "Egress"] if np.spec.get("egress")
                                           else ["Ingress"])
    return [str(t).lower() for t in types]


def _peer_principal(pattern: str, peer: Peer) -> bool:
    """Whether an AuthorizationPolicy principal pattern admits a peer's pods.

    A peer named by a service label is taken to run as the ServiceAccount of that name (the
    chart's convention); one named by other pod labels runs as an account no rule tells, so a
    principal of its namespace admits it; a whole namespace needs a principal for every account.
    """
    if pattern == "*":
        return True
    ns_part, _, sa = pattern.partition("/sa/")
    if peer.namespace is not None:
        ns_ok = _wildcard(ns_part, f"cluster.local/ns/{peer.namespace}") or \
            _wildcard(pattern, f"cluster.local/ns/{peer.namespace}/sa/{peer.service or ''}")
    else:
        ns_ok = ns_part.startswith("*")
    if peer.service is not None:
        return _wildcard(pattern, f"cluster.local/ns/{peer.namespace}/sa/{peer.service}") if \
            peer.namespace is not None else \
            pattern.startswith("*") and f"/sa/{peer.service}".endswith(pattern[1:])
    if peer.labels:
        return ns_ok
    return ns_ok and sa == "*"


def _host_admits(entry: str, sidecar_ns: str, callee: Endpoint) -> bool:
    """A Sidecar egress host ``namespace/dnsName`` (``.`` the Sidecar's namespace, ``*`` any)."""
    ns_part, _, host_part = entry.partition("/")
    ns_part = sidecar_ns if ns_part == "." else ns_part
    if isinstance(callee, Pod):
        if ns_part not in ("*", "~") and ns_part != callee.namespace:
            return False
        return any(_dns_match(host_part, h) for h in callee.hosts)
    if callee.cidr:
        return ns_part == "*" and host_part == "*"
    if ns_part != "*" and ns_part != callee.namespace:
        return False
    if host_part == "*":
        return True
    if callee.service is None:
        return False
    ns = callee.namespace or "*"
    return _dns_match(host_part, f"{callee.service}.{ns}.svc.cluster.local")


def _dns_match(pattern: str, host: str) -> bool:
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return pattern == host
