"""Metrics rendered by the chart: ServiceMonitor, PodMonitor and prometheus.io pod annotations from
one `metrics` declaration, and the policies that let the scraper in (chart README, "Metrics").

The chart/ci scenarios metrics-*-values.yaml are rendered once per module; that Helm 3 and Helm 4
render them alike, strictly valid at 1.29 and 1.35, is proven (with the shop example) by
test_examples_render.py.
"""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest
from chartutil import (
    CHART,
    REPO,
    WORKLOAD_KINDS,
    RenderError,
    find,
    helm_binary,
    one,
    pod_template,
    render,
)
from ruamel.yaml import YAML

from svcgen.kube import validate_objects
from svcgen.model import Values

CI = CHART / "ci"
SERVICE_MONITOR_FILE = CI / "metrics-servicemonitor-values.yaml"
POD_MONITOR_FILE = CI / "metrics-podmonitor-values.yaml"
ANNOTATIONS_FILE = CI / "metrics-annotations-values.yaml"
SHOP = REPO / "values-examples" / "shop-values.yaml"
NAMESPACE = "demo"
ISTIO_MERGED_PORT = 15020

Obj = dict[str, Any]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(path.read_text())
    return data


@pytest.fixture(scope="module")
def sm_objects() -> list[Obj]:
    return render(files=[SERVICE_MONITOR_FILE], namespace=NAMESPACE)


@pytest.fixture(scope="module")
def pm_objects() -> list[Obj]:
    return render(files=[POD_MONITOR_FILE], namespace=NAMESPACE)


@pytest.fixture(scope="module")
def ann_objects() -> list[Obj]:
    return render(files=[ANNOTATIONS_FILE], namespace=NAMESPACE)


def app(**ports: int) -> dict[str, Any]:
    return {"image": {"repository": "ghcr.io/acme/app", "tag": "1.0.0"},
            "ports": {name: {"containerPort": number} for name, number in ports.items()}}


def workload(objects: list[Obj], component: str) -> Obj:
    (found,) = [o for o in objects if o["kind"] in WORKLOAD_KINDS
                and o["metadata"]["name"] == component]
    return found


def pod_annotations(objects: list[Obj], component: str) -> dict[str, str]:
    meta = pod_template(workload(objects, component))["metadata"]
    return dict(meta.get("annotations") or {})


def selects(selector: Obj, labels: dict[str, str]) -> bool:
    """A LabelSelector (matchLabels, and matchExpressions with Exists/DoesNotExist) as Kubernetes
    evaluates it."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        present = expr["key"] in labels
        if (expr["operator"] == "DoesNotExist") == present:
            return False
    return True


def scrape_ingress(netpol: Obj, namespace: str = "monitoring") -> list[Obj]:
    """The ingress rules of a NetworkPolicy that admit the given namespace."""
    want = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}
    return [r for r in netpol["spec"]["ingress"] if want in r["from"]]


# --- ServiceMonitor ---------------------------------------------------------------------------


def test_service_monitor_selects_exactly_the_components_service_not_the_headless_one(
    sm_objects: list[Obj],
) -> None:
    for monitor in find(sm_objects, "ServiceMonitor"):
        selected = [s["metadata"]["name"] for s in find(sm_objects, "Service")
                    if selects(monitor["spec"]["selector"], s["metadata"]["labels"])]
        assert selected == [monitor["metadata"]["name"]]
    # The StatefulSet's governing Service selects the same pods: it would double every series.
    assert find(sm_objects, "Service", "db-headless")


def test_service_monitor_scrapes_the_service_port_that_forwards_to_the_metrics_port(
    sm_objects: list[Obj],
) -> None:
    values = load(SERVICE_MONITOR_FILE)["components"]
    expected = {"api": ("telemetry", 9090), "web": ("https", 8443), "db": ("metrics", 9187)}
    assert {m["metadata"]["name"] for m in find(sm_objects, "ServiceMonitor")} == set(expected)
    for name, (port_name, number) in expected.items():
        (endpoint,) = one(sm_objects, "ServiceMonitor", name)["spec"]["endpoints"]
        assert endpoint["port"] == port_name
        (svc_port,) = [p for p in one(sm_objects, "Service", name)["spec"]["ports"]
                       if p["name"] == port_name]
        containers = workload(sm_objects, name)["spec"]["template"]["spec"]["containers"]
        target = {p["name"]: p["containerPort"] for c in containers for p in c.get("ports", [])}
        assert target.get(svc_port["targetPort"], svc_port["targetPort"]) == number
        assert endpoint["path"] == values[name]["metrics"].get("path", "/metrics")


def test_service_monitor_carries_interval_timeout_scheme_and_tls(sm_objects: list[Obj]) -> None:
    (api,) = one(sm_objects, "ServiceMonitor", "api")["spec"]["endpoints"]
    assert (api["interval"], api["scrapeTimeout"], api["scheme"]) == ("30s", "10s", "http")
    (web,) = one(sm_objects, "ServiceMonitor", "web")["spec"]["endpoints"]
    assert web["scheme"] == "https"
    assert web["tlsConfig"] == {"ca": {"secret": {"name": "web-ca", "key": "ca.crt"}},
                                "serverName": "web.internal"}
    assert "interval" not in web and "scrapeTimeout" not in web


def test_monitors_carry_the_labels_prometheus_selects_them_by(sm_objects: list[Obj]) -> None:
    for monitor in find(sm_objects, "ServiceMonitor"):
        labels = monitor["metadata"]["labels"]
        assert labels["release"] == "kube-prometheus-stack"
        assert labels["app.kubernetes.io/component"] == monitor["metadata"]["name"]


def test_monitor_labels_never_replace_the_standard_labels() -> None:
    objects = render({"global": {"metrics": {"monitor": "auto", "monitorLabels": {
        "app.kubernetes.io/name": "other", "team": "x"}}},
        "components": {"api": {"containers": {"app": app(http=8080)},
                                "metrics": {"port": "http"}}}})
    labels = one(objects, "ServiceMonitor", "api")["metadata"]["labels"]
    assert labels["app.kubernetes.io/name"] == "svcgen" and labels["team"] == "x"


# --- PodMonitor --------------------------------------------------------------------------------


def test_auto_chooses_a_pod_monitor_when_the_service_does_not_carry_the_metrics_port(
    pm_objects: list[Obj],
) -> None:
    # api: the Service has only `http`; worker: no Service; gateway: PodMonitor asked for.
    assert {m["metadata"]["name"] for m in find(pm_objects, "PodMonitor")} == {
        "api", "worker", "gateway"}
    assert find(pm_objects, "ServiceMonitor") == []
    assert find(pm_objects, "Service", "worker") == []


def test_pod_monitor_selects_the_pods_and_names_a_port_they_declare(pm_objects: list[Obj]) -> None:
    for monitor in find(pm_objects, "PodMonitor"):
        name = monitor["metadata"]["name"]
        template = workload(pm_objects, name)["spec"]["template"]
        assert selects(monitor["spec"]["selector"], template["metadata"]["labels"])
        ports = {p["name"] for c in template["spec"]["containers"] for p in c.get("ports", [])}
        (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
        assert endpoint["port"] in ports
    (api,) = one(pm_objects, "PodMonitor", "api")["spec"]["podMetricsEndpoints"]
    assert api == {"port": "admin", "path": "/stats/prometheus", "scheme": "http",
                   "interval": "15s", "scrapeTimeout": "5s"}


def test_a_metrics_port_given_by_number_resolves_to_the_container_port_name() -> None:
    objects = render({"global": {"metrics": {"monitor": "PodMonitor"}},
                      "components": {"api": {"containers": {"app": app(http=8080, admin=9000)},
                                             "metrics": {"port": 9000}}}})
    (endpoint,) = one(objects, "PodMonitor", "api")["spec"]["podMetricsEndpoints"]
    assert endpoint["port"] == "admin"
    assert pod_annotations(objects, "api")["prometheus.io/port"] == "9000"


# --- annotations -------------------------------------------------------------------------------


def test_annotations_announce_port_path_and_scheme_on_the_pods(ann_objects: list[Obj]) -> None:
    assert pod_annotations(ann_objects, "api") == {
        "prometheus.io/scrape": "true", "prometheus.io/port": "9090",
        "prometheus.io/path": "/metrics"}
    web = pod_annotations(ann_objects, "web")
    assert web["prometheus.io/scheme"] == "https" and web["prometheus.io/port"] == "8443"
    assert find(ann_objects, "ServiceMonitor") == find(ann_objects, "PodMonitor") == []


def test_pod_annotations_written_by_hand_win_over_the_derived_ones(ann_objects: list[Obj]) -> None:
    assert pod_annotations(ann_objects, "web")["prometheus.io/path"] == "/custom"


def test_disabled_metrics_render_nothing(ann_objects: list[Obj]) -> None:
    assert not any(k.startswith("prometheus.io/") for k in pod_annotations(ann_objects, "batch"))
    assert scrape_ingress(one(ann_objects, "NetworkPolicy", "batch")) == []


def test_component_overrides_the_global_choice() -> None:
    objects = render({
        "global": {"metrics": {"monitor": "ServiceMonitor", "annotations": False}},
        "components": {
            "api": {"containers": {"app": app(http=8080)},
                    "metrics": {"port": "http", "monitor": "none", "annotations": True}},
            "web": {"containers": {"app": app(http=8080)}, "metrics": {"port": "http"}},
        }})
    assert [m["metadata"]["name"] for m in find(objects, "ServiceMonitor")] == ["web"]
    assert pod_annotations(objects, "api")["prometheus.io/scrape"] == "true"
    assert pod_annotations(objects, "web") == {}


# --- refusals ----------------------------------------------------------------------------------


def test_chart_refuses_a_metrics_port_that_names_no_container_port(each_helm: str) -> None:
    values = {"components": {"api": {"containers": {"app": app(http=8080)},
                                     "metrics": {"port": "metric"}}}}
    with pytest.raises(RenderError) as caught:
        render(values, helm=Path(each_helm).name)
    assert "components.api.metrics.port: metric names no container port" in caught.value.stderr
    assert "(its container ports: http)" in caught.value.stderr


def test_chart_refuses_a_service_monitor_without_a_service_port_to_scrape(each_helm: str) -> None:
    values = {"components": {"worker": {"containers": {"app": app(metrics=9100)},
                                        "service": {"enabled": False},
                                        "metrics": {"port": "metrics",
                                                    "monitor": "ServiceMonitor"}}}}
    with pytest.raises(RenderError) as caught:
        render(values, helm=Path(each_helm).name)
    assert "components.worker.metrics.monitor: a ServiceMonitor scrapes through" in (
        caught.value.stderr)


# --- policies ----------------------------------------------------------------------------------


def test_network_policy_admits_the_monitoring_namespace_on_the_metrics_port_only(
    sm_objects: list[Obj],
) -> None:
    for name, number in {"api": 9090, "web": 8443, "db": 9187}.items():
        netpol = one(sm_objects, "NetworkPolicy", name)
        assert scrape_ingress(netpol) == []  # the namespace is global.metrics.monitoringNamespace
        (rule,) = scrape_ingress(netpol, "observability")
        assert rule["ports"] == [{"port": number, "protocol": "TCP"}]
        # the callers' rule is left as it was: the scraper is not a caller.
        assert all("observability" not in str(r["from"]) for r in netpol["spec"]["ingress"]
                   if r is not rule)


def test_network_policy_admits_the_annotated_port_without_istio(ann_objects: list[Obj]) -> None:
    (rule,) = scrape_ingress(one(ann_objects, "NetworkPolicy", "api"))
    assert rule["ports"] == [{"port": 9090, "protocol": "TCP"}]


def test_under_istio_every_pod_admits_the_scraper_to_the_sidecars_merged_metrics(
    pm_objects: list[Obj],
) -> None:
    """Istio's injector points every injected pod's prometheus.io annotations at the agent port
    15020, where it serves Envoy's metrics merged with the application's: NetworkPolicies must
    let Prometheus reach it, or Istio's own metrics disappear."""
    for name, number in {"api": 9901, "worker": 9100, "gateway": 8080}.items():
        (rule,) = scrape_ingress(one(pm_objects, "NetworkPolicy", name))
        assert rule["ports"] == [{"port": number, "protocol": "TCP"},
                                 {"port": ISTIO_MERGED_PORT, "protocol": "TCP"}]


def test_under_istio_annotations_are_left_for_metrics_merging() -> None:
    """Istio's metrics merging reads the application's prometheus.io annotations and scrapes its
    port from inside the pod: the annotations keep naming the application port, and the scraper
    is admitted only to the merged port."""
    objects = render({"global": {"mesh": {"istio": True}, "networkPolicy": {"enabled": True}},
                      "components": {"api": {"containers": {"app": app(http=8080, metrics=9090)},
                                             "metrics": {"port": "metrics"}}}})
    annotations = pod_annotations(objects, "api")
    assert annotations["prometheus.io/port"] == "9090"
    assert "prometheus.istio.io/merge-metrics" not in annotations
    (rule,) = scrape_ingress(one(objects, "NetworkPolicy", "api"))
    assert rule["ports"] == [{"port": ISTIO_MERGED_PORT, "protocol": "TCP"}]
    rules = one(objects, "AuthorizationPolicy", "api")["spec"].get("rules", [])
    assert all("monitoring" not in str(r) for r in rules)


def test_authorization_policy_admits_the_scraper_on_the_metrics_port(pm_objects: list[Obj]) -> None:
    for name, number in {"api": 9901, "worker": 9100, "gateway": 8080}.items():
        rules = one(pm_objects, "AuthorizationPolicy", name)["spec"]["rules"]
        assert {"from": [{"source": {"namespaces": ["monitoring"]}}],
                "to": [{"operation": {"ports": [str(number)]}}]} in rules
    # The callers' rules stay: api still admits gateway, and only it.
    api_rules = one(pm_objects, "AuthorizationPolicy", "api")["spec"]["rules"]
    assert len(api_rules) == 2


def test_no_scraper_rule_without_metrics_or_istio() -> None:
    objects = render({"global": {"networkPolicy": {"enabled": True}},
                      "components": {"api": {"containers": {"app": app(http=8080)}}}})
    assert scrape_ingress(one(objects, "NetworkPolicy", "api")) == []


# --- NOTES -------------------------------------------------------------------------------------


def notes(files: list[Path]) -> str:
    proc = subprocess.run(
        [helm_binary("helm"), "install", "rel", str(CHART), "--dry-run=client",
         "--namespace", NAMESPACE, *[a for f in files for a in ("-f", str(f))]],
        capture_output=True, text=True, check=True)
    return proc.stdout.split("\nNOTES:\n", 1)[1]


def test_notes_say_where_each_components_metrics_are_scraped() -> None:
    sm = notes([SERVICE_MONITOR_FILE])
    assert ("Metrics: http port 9090 (metrics), path /metrics, every 30s; scraped through "
            "ServiceMonitor api on Service port telemetry") in sm
    assert "Metrics: https port 8443 (https), path /internal/metrics; scraped through " \
           "ServiceMonitor web on Service port https" in sm
    pm = notes([POD_MONITOR_FILE])
    assert "scraped through PodMonitor worker on pod port metrics" in pm
    ann = notes([ANNOTATIONS_FILE])
    assert "Metrics: http port 9090 (metrics), path /metrics; scraped through pod annotations " \
           "prometheus.io/*" in ann
    assert ann.count("Metrics:") == 2  # batch's metrics are disabled


# --- the model agrees with the chart -----------------------------------------------------------

FILES = [*sorted(CI.glob("*values.yaml")), *sorted(REPO.glob("values-examples/**/*values.yaml"))]


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(REPO)) for f in FILES])
def test_model_predicts_the_monitors_and_annotations_the_chart_renders(path: Path) -> None:
    data = load(path)
    namespace = (data.get("global") or {}).get("project") or NAMESPACE
    objects = render(files=[path], namespace=namespace)
    values = Values.model_validate(data)
    defaults = values.global_.metrics
    for cid, comp in values.components.items():
        if not comp.enabled:
            continue
        kinds = {o["kind"] for o in objects if o["kind"] in ("ServiceMonitor", "PodMonitor")
                 and o["metadata"]["name"] == cid}
        expected = comp.metrics_monitor(defaults)
        assert kinds == ({expected} if expected else set()), cid
        if expected == "ServiceMonitor":
            (endpoint,) = one(objects, "ServiceMonitor", cid)["spec"]["endpoints"]
            assert endpoint["port"] == comp.metrics_service_port()
        annotated = "prometheus.io/scrape" in pod_annotations(objects, cid)
        assert annotated == (comp.metrics_annotations(defaults)
                             or "prometheus.io/scrape" in comp.podAnnotations), cid


def test_metrics_scenarios_render_every_way_of_scraping() -> None:
    kinds = set()
    for path in (SERVICE_MONITOR_FILE, POD_MONITOR_FILE, ANNOTATIONS_FILE):
        objects = render(files=[path])
        kinds |= {o["kind"] for o in objects}
        assert validate_objects(objects, "1.29.0") == []
    assert {"ServiceMonitor", "PodMonitor", "NetworkPolicy", "AuthorizationPolicy"} <= kinds


def test_shop_example_exposes_the_api_metrics() -> None:
    objects = render(files=[SHOP], namespace="shop")
    (endpoint,) = one(objects, "ServiceMonitor", "api")["spec"]["endpoints"]
    assert endpoint["port"] == "metrics"
    svc_ports = {p["name"]: p for p in one(objects, "Service", "api")["spec"]["ports"]}
    assert svc_ports["metrics"]["targetPort"] == "metrics"
    assert [m["metadata"]["name"] for m in find(objects, "ServiceMonitor")] == ["api"]


def test_invalid_monitor_objects_fail_the_strict_schema() -> None:
    objects = render(files=[SERVICE_MONITOR_FILE])
    broken = copy.deepcopy(one(objects, "ServiceMonitor", "api"))
    broken["spec"]["endpoints"][0]["intervall"] = "30s"
    broken["spec"]["endpoints"][0]["scheme"] = "tcp"
    problems = {(p.path, p.message.split(":")[0]) for p in validate_objects([broken], "1.35.0")}
    assert ("spec.endpoints[0].intervall", "unknown field 'intervall'") in problems
    assert any(path == "spec.endpoints[0].scheme" for path, _ in problems)
