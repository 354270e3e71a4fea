"""`svcgen graph`: the real CLI in a subprocess, rendering with the real helm, draws components,
entry points, admitted and refused calls, in Mermaid, Markdown, DOT, JSON and (with graphviz)
SVG; `graph BASE -- NEW` draws what a change does."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from chartutil import CHART, REPO

from svcgen.graph.draw import mermaid_text

SHOP = REPO / "values-examples" / "shop-values.yaml"
POLICIES = """\
global:
  networkPolicy:
    enabled: true
    ingressNamespace: traefik
"""


def svcgen(*args: str | Path, helm: str, env: dict[str, str] | None = None,
           cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "SVCGEN_HELM": helm, **(env or {})}
    return subprocess.run([sys.executable, "-m", "svcgen", *map(str, args)],
                          capture_output=True, text=True, env=full_env, cwd=cwd, check=False)


def graph_json(*args: str | Path, helm: str) -> dict[str, Any]:
    proc = svcgen("graph", "--format", "json", *args, helm=helm)
    assert proc.returncode == 0, proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def nodes(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in data["nodes"]}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_node_per_component_with_kind_replicas_images_service_ports_and_claims(
        helm4: str) -> None:
    found = nodes(graph_json(SHOP, helm=helm4))
    assert found["web"]["kind"] == "Deployment" and found["web"]["replicas"] == "2"
    assert found["web"]["images"] == ["nginxinc/nginx-unprivileged:1.27.2"]
    assert found["web"]["service_ports"] == ["web:80→http"]
    assert found["api"]["replicas"] == "2-6 (HPA)"
    assert "HorizontalPodAutoscaler/api" in found["api"]["source"]
    assert found["api"]["scraped_by"] == ["ServiceMonitor/api"]
    assert found["postgres"]["kind"] == "StatefulSet"
    assert found["postgres"]["claims"] == ["data (20Gi, ReadWriteOnce, per replica)"]
    assert found["postgres"]["source"][0] == "StatefulSet/postgres"


@pytest.mark.parametrize(("case", "component", "kind", "shape"), [
    ("kinds-cronjob-values.yaml", "report", "CronJob", '{{"'),
    ("kinds-daemonset-values.yaml", None, "DaemonSet", '[/"'),
    ("kinds-job-values.yaml", None, "Job", '[/"'),
])
def test_jobs_cronjobs_and_daemonsets_are_drawn_as_such(
        case: str, component: str | None, kind: str, shape: str, helm4: str) -> None:
    values = CHART / "ci" / case
    data = graph_json(values, helm=helm4)
    chosen = [n for n in data["nodes"] if n["kind"] == kind]
    assert chosen, data["nodes"]
    if component:
        assert nodes(data)[component]["schedule"] == "30 2 * * *"
    proc = svcgen("graph", values, helm=helm4)
    assert proc.returncode == 0, proc.stderr
    assert any(line.strip().startswith(f"n_{chosen[0]['id'].replace('-', '_')}{shape}")
               for line in proc.stdout.splitlines()), proc.stdout


def test_entry_points_are_ingress_hosts_and_paths_node_ports_and_load_balancers(
        helm4: str) -> None:
    data = graph_json(CHART / "ci" / "core-ingress-values.yaml", helm=helm4)
    entries = {e["label"]: e for e in data["entries"]}
    admin = entries["https://api.example.com/admin (exact)"]
    assert admin["kind"] == "Ingress" and admin["via"] == "Ingress class internal"
    assert admin["backends"] == [{"to": "api", "port": "admin"}]
    assert entries["https://web.apps.example.com/"]["backends"] == [{"to": "web", "port": "http"}]
    assert entries["node port 30080"]["kind"] == "NodePort"
    assert entries["node port 30080"]["backends"][0]["to"] == "web"
    assert {e["label"] for e in data["entries"] if e["kind"] == "LoadBalancer"} == {
        "load balancer :80", "load balancer :8081"}


def test_gateway_routes_are_entry_points_with_their_weights(helm4: str) -> None:
    data = graph_json(CHART / "ci" / "gateway-canary-values.yaml", helm=helm4)
    routes = {e["label"]: e for e in data["entries"] if e["kind"] == "HTTPRoute"}
    assert routes["api.example.com/"]["backends"] == [
        {"to": "api", "port": "80", "weight": 90}, {"to": "api-canary", "port": "80", "weight": 10}]
    assert routes["api.example.com/always-canary [X-Canary=always]"]["via"] == \
        "Gateway gateway-system/public"
    assert routes["api.example.com/"]["source"] == ["HTTPRoute/api-api.example.com rules[0]"]


def test_without_policies_every_pod_may_call_every_pod_and_no_edge_is_invented(
        helm4: str) -> None:
    data = graph_json(SHOP, helm=helm4)
    assert data["open"] is True and data["policies"] == [] and data["edges"] == []
    assert data["refused"] == []
    proc = svcgen("graph", "--format", "markdown", SHOP, helm=helm4)
    assert "every pod may call every pod" in proc.stdout
    assert "**Policies:** none." in proc.stdout


def test_peers_outside_the_release_are_named_for_their_role(helm4: str, tmp_path: Path) -> None:
    data = graph_json(SHOP, write(tmp_path / "np.yaml", POLICIES), helm=helm4)
    found = nodes(data)
    assert found["peer:ns:traefik"]["role"] == "ingress controller"
    assert found["peer:ns:monitoring"]["role"] == "monitoring"
    assert found["peer:ns:kube-system/k8s-app=kube-dns"]["role"] == "DNS"
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert edges[("peer:ns:monitoring", "api")]["ports"] == ["9102/TCP (metrics)"]
    assert edges[("peer:ns:traefik", "web")]["source"] == ["NetworkPolicy/web ingress[0]"]
    assert edges[("web", "api")]["source"] == ["NetworkPolicy/web egress[0]",
                                               "NetworkPolicy/api ingress[0]"]


def test_a_call_in_env_that_no_policy_admits_is_drawn_refused_and_listed(
        helm4: str, tmp_path: Path) -> None:
    """api keeps DATABASE_HOST=postgres.shop.svc.cluster.local but loses its upstream."""
    overlay = write(tmp_path / "np.yaml", POLICIES + """\
components:
  api:
    upstreams:
      - component: redis
""")
    data = graph_json("-n", "shop", SHOP, overlay, helm=helm4)
    refused = {(r["from"], r["to"], r["port"]): r for r in data["refused"]}
    call = refused[("api", "postgres", "5432/TCP (postgres)")]
    assert call["evidence"] == ["env DATABASE_HOST of container app"]
    assert call["refused_by"] == ["NetworkPolicy/api"]
    assert ("api", "postgres") not in {(e["from"], e["to"]) for e in data["edges"]}
    proc = svcgen("graph", "--format", "markdown", "-n", "shop", SHOP, overlay, helm=helm4)
    assert "- `api` → `postgres` on 5432/TCP (postgres): refused by NetworkPolicy/api " \
           "(stated in env DATABASE_HOST of container app)" in proc.stdout
    assert re.search(r'n_api -\.-x\|"refused 5432/TCP \(postgres\)"\| n_postgres', proc.stdout)


def test_a_call_to_a_port_the_service_lacks_is_refused(helm4: str, tmp_path: Path) -> None:
    overlay = write(tmp_path / "np.yaml", POLICIES + """\
components:
  worker:
    containers:
      worker:
        env:
          REDIS_URL: redis://redis.shop.svc.cluster.local:6380/0
""")
    data = graph_json("-n", "shop", SHOP, overlay, helm=helm4)
    refused = {(r["from"], r["to"], r["port"]): r for r in data["refused"]}
    assert refused[("worker", "redis", "6380/TCP")]["reason"] == \
        "Service redis has no port 6380: the call cannot connect"


def test_istio_authorization_policies_admit_and_refuse(helm4: str) -> None:
    data = graph_json(CHART / "ci" / "policy-istio-values.yaml", helm=helm4)
    edges = {(e["from"], e["to"]): e for e in data["edges"]}
    assert "AuthorizationPolicy/api rules[0]" in edges[("web", "api")]["source"]
    assert "Sidecar/web egress[0]" in edges[("web", "api")]["source"]
    assert data["policies"] == ["NetworkPolicy", "AuthorizationPolicy", "Sidecar"]
    refused = {(r["from"], r["to"]): r for r in data["refused"]}
    assert refused[("batch", "api")]["refused_by"] == ["NetworkPolicy/api",
                                                       "AuthorizationPolicy/api"]


def test_a_change_is_drawn_in_markdown_ready_for_a_pull_request_comment(
        helm4: str, tmp_path: Path) -> None:
    base = write(tmp_path / "np.yaml", POLICIES)
    new = write(tmp_path / "new.yaml", """\
components:
  redis:
    whitelists:
      - component: api
  web:
    ingress:
      hosts:
        www.shop.example.com:
          paths:
            /:
              port: http
""")
    proc = svcgen("graph", "-n", "shop", SHOP, base, "--", SHOP, base, new, helm=helm4)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("### Topology change: release svcgen · namespace shop")
    assert "```mermaid\nflowchart LR\n" in text
    assert "**Calls no longer admitted**\n\n- worker → redis on 6379/TCP (redis)\n" in text
    assert "**Calls newly refused**\n\n- worker → redis on 6379/TCP (redis): refused by " \
           "NetworkPolicy/redis\n" in text
    assert "**Entry points added**\n\n- Ingress https://www.shop.example.com/\n" in text
    removed = re.search(r"^  n_worker -\.->\|.*\| n_redis$", text, re.M)
    assert removed is not None
    links = [ln for ln in text.splitlines() if re.match(r"  \S+ (-->|==>|-\.->|-\.-x|---)[ |]", ln)]
    index = links.index(removed[0])
    assert f"  linkStyle {index} stroke:#cf222e,color:#cf222e" in text
    data = json.loads(svcgen("graph", "--format", "json", "-n", "shop", SHOP, base, "--", SHOP,
                             base, new, helm=helm4).stdout)
    assert {"kind": "call", "action": "removed",
            "text": "worker → redis on 6379/TCP (redis)"} in data["changes"]


def test_an_unchanged_topology_says_so(helm4: str) -> None:
    proc = svcgen("graph", SHOP, "--", SHOP, helm=helm4)
    assert proc.returncode == 0, proc.stderr
    assert "leaves the topology as it is" in proc.stdout
    assert "```mermaid" not in proc.stdout


def test_svg_without_graphviz_says_how_to_get_it_and_writes_nothing(
        helm4: str, tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "shop.svg"
    proc = svcgen("graph", SHOP, "-o", out, helm=helm4, env={"PATH": str(empty)})
    assert proc.returncode == 2
    assert "needs graphviz's `dot`, which is not installed" in proc.stderr
    assert "apt-get install graphviz" in proc.stderr and "--format dot" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_dot_declares_every_node_an_edge_names(helm4: str) -> None:
    proc = svcgen("graph", "--format", "dot", CHART / "ci" / "policy-istio-values.yaml",
                  helm=helm4)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("digraph svcgen {") and text.rstrip().endswith("}")
    declared = set(re.findall(r"^\s+(\w+) \[shape=", text, re.M))
    ends = re.findall(r"^\s+(\w+) -> (\w+) \[", text, re.M)
    assert ends and {n for pair in ends for n in pair} <= declared
    assert 'label="refused 8080/TCP (http)", style=dashed' in text


def test_mermaid_labels_are_quoted_with_what_mermaid_reads_escaped(helm4: str) -> None:
    assert mermaid_text('a "b" #c <d>|e `f`') == "a #quot;b#quot; #35;c #lt;d#gt;#124;e #96;f#96;"
    proc = svcgen("graph", CHART / "ci" / "gateway-canary-values.yaml", helm=helm4)
    for line in proc.stdout.splitlines()[1:]:
        labels = re.findall(r'"([^"]*)"', line)
        assert labels or line.strip() in ("end",) or line.lstrip().startswith(
            ("linkStyle", "classDef")) or " --- " in line, line
        for label in labels:
            assert not set(label) & set('<>`|') or "<br/>" in label, line
            assert "#" not in label.replace("#35;", "").replace("#quot;", "").replace(
                "#lt;", "").replace("#gt;", "").replace("#124;", "").replace("#96;", ""), line


def test_output_file_suffix_chooses_the_format_and_bad_input_is_a_message(
        helm4: str, tmp_path: Path) -> None:
    out = tmp_path / "graph.json"
    proc = svcgen("graph", SHOP, "-o", out, helm=helm4)
    assert proc.returncode == 0 and proc.stdout == ""
    assert json.loads(out.read_text())["namespace"] == "default"
    bad = svcgen("graph", "--format", "png", SHOP, helm=helm4)
    assert bad.returncode == 2 and "unknown format `png`" in bad.stderr
    broken = write(tmp_path / "broken.yaml", "components:\n  api:\n    replicas: many\n")
    failed = svcgen("graph", broken, helm=helm4)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert "broken.yaml" in failed.stderr and "replicas" in failed.stderr


def test_the_gateway_named_by_pod_labels_and_by_service_account_is_one_peer(helm4: str) -> None:
    """policy-gateway: the NetworkPolicy admits the Gateway's pods by label, the
    AuthorizationPolicy by ServiceAccount; the routes through the KEDA interceptor go to its
    Service in its namespace, and the policies admit that namespace."""
    data = graph_json(CHART / "ci" / "policy-gateway-values.yaml", helm=helm4)
    gateway = ("peer:ns:gateway-system/svc:public-istio/"
               "gateway.networking.k8s.io/gateway-name=public")
    found = nodes(data)
    assert found[gateway]["role"] == "gateway"
    callers = {e["from"]: e for e in data["edges"] if e["to"] == "web"}
    assert [c for c in callers if c.startswith("peer:ns:gateway-system")] == [gateway]
    assert callers[gateway]["source"] == ["NetworkPolicy/web ingress[0]",
                                          "AuthorizationPolicy/web rules[0]"]
    interceptor = "service:keda/keda-add-ons-http-interceptor-proxy"
    assert found[interceptor]["role"] == "KEDA interceptor"
    routes = {e["label"]: e for e in data["entries"]}
    assert routes["reports.example.com/"]["backends"] == [{"to": interceptor, "port": "8080"}]
    assert ("peer:ns:keda", "report") in {(e["from"], e["to"]) for e in data["edges"]}


def test_a_change_of_route_weights_is_a_changed_entry_point(helm4: str, tmp_path: Path) -> None:
    base = CHART / "ci" / "gateway-canary-values.yaml"
    text = base.read_text()
    assert "              weight: 90\n" in text and "                  weight: 10\n" in text
    shifted = write(tmp_path / "shifted.yaml", text.replace(
        "              weight: 90\n", "              weight: 50\n", 1).replace(
        "                  weight: 10\n", "                  weight: 50\n", 1))
    proc = svcgen("graph", base, "--", shifted, helm=helm4)
    assert proc.returncode == 0, proc.stderr
    assert "**Entry points changed**\n\n- HTTPRoute api.example.com/: Gateway " \
           "gateway-system/public → api:80 weight 90; api-canary:80 weight 10 → Gateway " \
           "gateway-system/public → api:80 weight 50; api-canary:80 weight 50\n" in proc.stdout
    assert "e_httproute_api_example_com_0>" in proc.stdout
    assert ":::changed" in proc.stdout and "classDef changed stroke:#bf8700" in proc.stdout


def test_values_read_from_standard_input(helm4: str) -> None:
    full_env = {**os.environ, "SVCGEN_HELM": helm4}
    proc = subprocess.run([sys.executable, "-m", "svcgen", "graph", "--format", "json", "-"],
                          input=SHOP.read_text(), capture_output=True, text=True, env=full_env,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "postgres" in {n["id"] for n in json.loads(proc.stdout)["nodes"]}


@pytest.mark.parametrize(("after", "message"), [
    ([], "`--` is followed by no NEW values files"),
    (["--format", "json", str(SHOP)], "`--format` follows `--`, where only NEW values files go"),
])
def test_a_change_needs_new_files_after_the_double_dash(
        after: list[str], message: str, helm4: str) -> None:
    proc = svcgen("graph", SHOP, "--", *after, helm=helm4)
    assert proc.returncode == 2 and message in proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr


def test_a_call_to_another_namespace_that_egress_does_not_admit_is_refused(
        helm4: str, tmp_path: Path) -> None:
    """policy-networkpolicy: web may call auth/sessions (an upstream); db is given a URL to it
    but no upstream, so its egress refuses the call; web's own reference passes."""
    overlay = write(tmp_path / "refs.yaml", """\
components:
  db:
    containers:
      app:
        env:
          AUTH_URL: http://sessions.auth.svc.cluster.local/verify
  web:
    containers:
      app:
        env:
          SESSIONS: sessions.auth.svc.cluster.local:8443
""")
    data = graph_json(CHART / "ci" / "policy-networkpolicy-values.yaml", overlay, helm=helm4)
    refused = {(r["from"], r["to"], r["port"]): r for r in data["refused"]}
    call = refused[("db", "peer:ns:auth/svc:sessions", "80/TCP")]
    assert call["refused_by"] == ["NetworkPolicy/db"]
    assert call["evidence"] == ["env AUTH_URL of container app"]
    assert not [r for r in data["refused"] if r["from"] == "web"]
    assert nodes(data)["peer:ns:auth/svc:sessions"]["name"] == "namespace auth: service sessions"
