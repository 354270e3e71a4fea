"""The edges of `svcgen graph` are the calls the rendered policies admit, on every chart-testing
scenario (chart/ci) and every bundled example (values-examples), read back from the rendered
objects themselves:

* every edge between two components cites, for each policy that governs either end, a rule of
  that rendered object which names the caller (its pods or its namespace, or everyone) and the port;
* every pair of components that the rendered rules name on both sides (an egress rule of the
  caller towards the callee's pods, an ingress rule of the callee from the caller's pods, and,
  with Istio, an AuthorizationPolicy rule for the caller's ServiceAccount and a Sidecar host of
  the callee's Service) is an edge on that port;
* every edge from or to something outside the release cites a rule that exists;
* with no policy rendered, the graph says every pod may call every pod and draws no edge.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import yaml
from chartutil import CHART, REPO, render_text
from ruamel.yaml import YAML

from svcgen.diff.objects import parse
from svcgen.graph.model import Graph, build

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CASES = [str(p.relative_to(REPO)) for p in sorted(CHART.glob("ci/*values.yaml"))]
CASES += [str(p.relative_to(REPO)) for p in sorted(REPO.glob("values-examples/**/*values.yaml"))]
COMPONENT = "app.kubernetes.io/component"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"}


def namespace_for(case: str) -> str:
    data = YAML(typ="safe", pure=True).load((REPO / case).read_text(encoding="utf-8")) or {}
    project = (data.get("global") or {}).get("project")
    return str(project) if project else "demo"


@functools.cache
def rendered(case: str) -> tuple[str, str]:
    namespace = namespace_for(case)
    return render_text(files=[REPO / case], release="svcgen", namespace=namespace), namespace


def graph_and_objects(case: str) -> tuple[Graph, list[dict[str, Any]], str]:
    text, namespace = rendered(case)
    values = YAML(typ="safe", pure=True).load((REPO / case).read_text(encoding="utf-8")) or {}
    graph = build(parse(text), release="svcgen", namespace=namespace, values=values)
    objects = [d for d in yaml.load_all(text, Loader=SafeLoader) if d]
    return graph, objects, namespace


def template_of(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] == "Pod":
        return obj
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]
    return obj["spec"]["template"]


def workloads(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """component (or name) -> {labels, sa, ports: {(number, protocol)}}"""
    found = {}
    for obj in objects:
        if obj["kind"] not in WORKLOADS:
            continue
        tpl = template_of(obj)
        labels = tpl["metadata"].get("labels") or {}
        ports = {(p["containerPort"], p.get("protocol", "TCP"))
                 for c in tpl["spec"]["containers"] for p in c.get("ports") or []}
        found[labels.get(COMPONENT) or obj["metadata"]["name"]] = {
            "labels": labels, "sa": tpl["spec"].get("serviceAccountName", "default"),
            "ports": ports}
    return found


def by_selector(objects: list[dict[str, Any]], kind: str, pod: dict[str, Any],
                key: str) -> list[dict[str, Any]]:
    """Objects of a kind whose selector's matchLabels all hold on the pod."""
    chosen = []
    for obj in objects:
        if obj["kind"] != kind:
            continue
        selector = obj["spec"].get(key) or {}
        labels = selector.get("matchLabels", selector.get("labels")) or {}
        if all(pod["labels"].get(k) == v for k, v in labels.items()):
            chosen.append(obj)
    return chosen


def names_pod(peers: list[dict[str, Any]] | None, pod: dict[str, Any], namespace: str) -> bool:
    """Whether a rule's peers (in the chart's shapes) name the pods of a component."""
    if not peers:
        return True
    for peer in peers:
        pods = (peer.get("podSelector") or {}).get("matchLabels") or {}
        if "namespaceSelector" in peer:
            ns = (peer["namespaceSelector"] or {}).get("matchLabels") or {}
            if ns and ns != {"kubernetes.io/metadata.name": namespace}:
                continue
        if all(pod["labels"].get(k) == v for k, v in pods.items()) and not peer.get("ipBlock"):
            return True
    return False


def port_in(rule_ports: list[dict[str, Any]] | None, port: tuple[int, str]) -> bool:
    return not rule_ports or any((p.get("port"), p.get("protocol", "TCP")) == port
                                 for p in rule_ports)


def cited(edge: dict[str, Any], prefix: str) -> list[tuple[str, int]]:
    """(object name, rule index) of the sources an edge cites of one kind and direction."""
    found = []
    for source in edge["source"]:
        head, _, where = source.partition(" ")
        if head.startswith(prefix.split(" ")[0] + "/") and where.startswith(
                prefix.partition(" ")[2] or where):
            found.append((head.partition("/")[2], int(where.partition("[")[2].rstrip("]"))))
    return found


def edge_port(text: str) -> tuple[int, str] | None:
    if text == "any port":
        return None
    number, _, rest = text.partition("/")
    return int(number), rest.split(" ")[0]


@pytest.mark.parametrize("case", CASES)
def test_graph_edges_between_components_cite_rendered_rules_that_name_caller_and_port(
        case: str) -> None:
    graph, objects, namespace = graph_and_objects(case)
    data = graph.as_json()
    pods = workloads(objects)
    policy_kinds = {"NetworkPolicy", "AuthorizationPolicy", "Sidecar"}
    if not any(o["kind"] in policy_kinds for o in objects):
        assert data["open"] is True and data["edges"] == []
        assert "every pod may call every pod" in data["notes"][0]
        return
    assert data["open"] is False and data["edges"], f"{case}: policies rendered, no edge drawn"
    by_name = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    for edge in data["edges"]:
        caller, callee = pods.get(edge["from"]), pods.get(edge["to"])
        for text in edge["ports"]:
            port = edge_port(text)
            if callee is not None:
                governing = by_selector(objects, "NetworkPolicy", callee, "podSelector")
                rules = [by_name[("NetworkPolicy", n)]["spec"]["ingress"][i]
                         for n, i in cited(edge, "NetworkPolicy ingress")]
                assert bool(governing) == bool(rules), (case, edge)
                if rules and port is not None:
                    assert any(port_in(r.get("ports"), port) for r in rules), (case, edge)
                elif rules:  # any port: a cited rule names no port
                    assert any(not r.get("ports") for r in rules), (case, edge)
                if caller is not None and port is not None:
                    assert any(names_pod(r.get("from"), caller, namespace)
                               and port_in(r.get("ports"), port) for r in rules), (case, edge)
                allowing = [o for o in by_selector(objects, "AuthorizationPolicy", callee,
                                                   "selector")
                            if o["spec"].get("action", "ALLOW") == "ALLOW"]
                assert bool(allowing) == bool(cited(edge, "AuthorizationPolicy")), (case, edge)
            if caller is not None:
                governing = by_selector(objects, "NetworkPolicy", caller, "podSelector")
                rules = [by_name[("NetworkPolicy", n)]["spec"]["egress"][i]
                         for n, i in cited(edge, "NetworkPolicy egress")]
                assert bool(governing) == bool(rules), (case, edge)
                if callee is not None and port is not None:
                    assert any(names_pod(r.get("to"), callee, namespace)
                               and port_in(r.get("ports"), port) for r in rules), (case, edge)
        for name, index in cited(edge, "AuthorizationPolicy"):
            rule = (by_name[("AuthorizationPolicy", name)]["spec"].get("rules") or [])[index]
            if caller is not None and rule.get("from"):
                principal = f"cluster.local/ns/{namespace}/sa/{caller['sa']}"
                sources = [f["source"] for f in rule["from"]]
                assert any(principal in s.get("principals", []) or
                           namespace in s.get("namespaces", []) for s in sources), (case, edge)


def _sidecar_reaches(objects: list[dict[str, Any]], caller: dict[str, Any], callee_name: str,
                     namespace: str) -> bool:
    sidecars = [o for o in by_selector(objects, "Sidecar", caller, "workloadSelector")
                if (o["spec"].get("outboundTrafficPolicy") or {}).get("mode") == "REGISTRY_ONLY"]
    if not sidecars:
        return True
    services = [o["metadata"]["name"] for o in objects if o["kind"] == "Service"
                and (o["spec"].get("selector") or {}).get(COMPONENT) == callee_name]
    hosts = {h for s in sidecars for e in s["spec"].get("egress") or [] for h in e["hosts"]}
    return "*/*" in hosts or any(f"./{s}.{namespace}.svc.cluster.local" in hosts
                                 for s in services)


@pytest.mark.parametrize("case", CASES)
def test_graph_draws_every_call_the_rendered_rules_name_on_both_sides(case: str) -> None:
    graph, objects, namespace = graph_and_objects(case)
    if graph.open:
        return  # the other test holds the open graph to its note
    pods = workloads(objects)
    drawn = {(e.source_node, e.target_node): {p.text.split(" ")[0] for p in e.ports}
             for e in graph.edges}
    expected = 0
    for a_name, a in pods.items():
        egress = by_selector(objects, "NetworkPolicy", a, "podSelector")
        for b_name, b in pods.items():
            if a_name == b_name:
                continue
            ingress = by_selector(objects, "NetworkPolicy", b, "podSelector")
            authz = by_selector(objects, "AuthorizationPolicy", b, "selector")
            for port in b["ports"]:
                out_ok = not egress or any(
                    names_pod(r.get("to"), b, namespace) and port_in(r.get("ports"), port)
                    for p in egress for r in p["spec"].get("egress") or [])
                in_ok = not ingress or any(
                    names_pod(r.get("from"), a, namespace) and port_in(r.get("ports"), port)
                    for p in ingress for r in p["spec"].get("ingress") or [])
                principal = f"cluster.local/ns/{namespace}/sa/{a['sa']}"
                authz_ok = not authz or any(
                    (not r.get("from") and not r.get("to")) or any(
                        principal in (f["source"].get("principals") or []) for f in
                        r.get("from") or [])
                    for p in authz for r in p["spec"].get("rules") or [])
                sidecar_ok = _sidecar_reaches(objects, a, b_name, namespace)
                if out_ok and in_ok and authz_ok and sidecar_ok and (egress or ingress or authz):
                    expected += 1
                    text = f"{port[0]}/{port[1]}"
                    ports = drawn.get((a_name, b_name), set())
                    assert text in ports or "any" in ports, \
                        f"{case}: {a_name} -> {b_name} on {text} is admitted but not drawn"
    for edge in graph.edges:
        if edge.source_node not in pods or edge.target_node not in pods:
            for source in edge.source:
                kind, _, rest = source.partition("/")
                name = rest.split(" ")[0]
                assert any(o["kind"] == kind and o["metadata"]["name"] == name
                           for o in objects), (case, source)
    if any(o["kind"] == "NetworkPolicy" and (o["spec"].get("ingress") or []) for o in objects):
        assert expected or graph.edges


def _change(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def _edges(text: str, namespace: str = "demo") -> set[tuple[str, str, str]]:
    graph = build(parse(render_text(files=[Path(text)], release="svcgen", namespace=namespace)),
                  release="svcgen", namespace=namespace)
    return {(e.source_node, e.target_node, e.ports_text) for e in graph.edges}


def test_removing_one_whitelist_entry_removes_exactly_that_edge(tmp_path: Path) -> None:
    """policy-networkpolicy: api stops whitelisting cron; cron still names api as an upstream,
    so the call is no longer drawn as admitted but as refused, and nothing else moves."""
    source = (CHART / "ci" / "policy-networkpolicy-values.yaml").read_text()
    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    before.write_text(source)
    after.write_text(_change(source, "      - component: cron\n", ""))
    old, new = _edges(str(before)), _edges(str(after))
    assert old - new == {("cron", "api", "8080/TCP (http), 9090/TCP (grpc), 9125/UDP (statsd)")}
    assert new - old == set()
    graph = build(parse(render_text(files=[after], release="svcgen")), release="svcgen",
                  namespace="demo")
    refused = {(r.source_node, r.target_node, r.port) for r in graph.refused}
    assert ("cron", "api", "8080/TCP (http)") in refused
    assert all(r.refused_by == ["NetworkPolicy/api"] for r in graph.refused
               if r.source_node == "cron")


def test_adding_one_port_to_a_callee_changes_exactly_that_edge(tmp_path: Path) -> None:
    """db gets a second container port: every edge into db carries it; no other edge changes."""
    source = (CHART / "ci" / "policy-networkpolicy-values.yaml").read_text()
    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    before.write_text(source)
    after.write_text(_change(source, "          pg:\n            containerPort: 5432\n",
                             "          pg:\n            containerPort: 5432\n"
                             "          replication:\n            containerPort: 5433\n"))
    old, new = _edges(str(before)), _edges(str(after))
    assert {(a, b) for a, b, _ in old - new} == {("api", "db"), ("helm-test", "db")}
    assert ("api", "db", "5432/TCP (pg), 5433/TCP (replication)") in new
    assert {(a, b) for a, b, _ in new - old} == {("api", "db"), ("helm-test", "db")}
