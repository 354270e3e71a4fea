"""Readers and metrics: Compose `x-svcgen.metrics` and prometheus.io labels, DevSpace prometheus.io
pod annotations, and Space Cloud services, whose metrics proxy the chart replaces (README, "Space
Cloud", "Metrics")."""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from chartutil import REPO, find, one, render
from composeutil import convert

from svcgen.diagnostics import SvcgenError
from svcgen.kube import validate_objects
from svcgen.readers.base import ReadOptions
from svcgen.readers.devspace import READER as DEVSPACE
from svcgen.readers.spacecloud import READER as SPACECLOUD
from svcgen.yamlio import load_documents

ISTIO_MERGED_PORT = 15020


def rendered(values: dict[str, Any], tmp_path: Path, **global_: Any) -> list[dict[str, Any]]:
    values = json.loads(json.dumps(values))
    for key, value in global_.items():
        values.setdefault("global", {})[key] = value
    namespace = values.get("global", {}).get("project") or "demo"
    return render(values, namespace=namespace)


def template_annotations(objects: list[dict[str, Any]], name: str) -> dict[str, str]:
    (workload,) = [o for o in objects if o["kind"] in ("Deployment", "StatefulSet")
                   and o["metadata"]["name"] == name]
    return dict(workload["spec"]["template"]["metadata"].get("annotations") or {})


# --- Compose ----------------------------------------------------------------------------------


def test_compose_prometheus_labels_become_the_metrics_declaration(tmp_path: Path) -> None:
    """Many Compose files carry the labels Prometheus' docker_sd and the kubernetes-pods job read:
    prometheus.io/scrape, port and path. They declare the endpoint instead of becoming labels."""
    out = convert(tmp_path, """\
        services:
          api:
            image: ghcr.io/acme/api:1.2.3
            ports: ["8080:8080"]
            labels:
              prometheus.io/scrape: "true"
              prometheus.io/port: "8080"
              prometheus.io/path: /internal/metrics
              com.example.team: shop
        """)
    comp = out.component("api")
    assert comp["metrics"] == {"port": "tcp-8080", "path": "/internal/metrics"}
    assert comp["labels"] == {"com.example.team": "shop"}
    assert "annotations" not in comp
    note = out.note_at("services.api.labels.prometheus.io/scrape", "R002")
    assert "metrics" in note.message
    annotations = template_annotations(rendered(out.values, tmp_path), "api")
    assert annotations["prometheus.io/port"] == "8080"
    assert annotations["prometheus.io/path"] == "/internal/metrics"


def test_compose_unpublished_metrics_port_is_declared_as_a_container_port(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          api:
            image: ghcr.io/acme/api:1.2.3
            ports: ["8080:8080"]
            labels: ["prometheus.io/scrape=true", "prometheus.io/port=9102"]
        """)
    assert out.container("api")["ports"]["tcp-9102"] == {"containerPort": 9102}
    assert out.component("api")["metrics"] == {"port": "tcp-9102"}
    assert "tcp-9102" not in out.component("api")["service"]["ports"]
    note = out.note_at("services.api.labels.prometheus.io/port", "R002")
    assert "not published" in note.message
    objects = rendered(out.values, tmp_path, metrics={"monitor": "auto"})
    # Not on the Service, so `auto` scrapes the pods.
    (endpoint,) = one(objects, "PodMonitor", "api")["spec"]["podMetricsEndpoints"]
    assert endpoint["port"] == "tcp-9102"
    # The probes derived from the ports still check the service's own port, which sorts first.
    (container,) = one(objects, "Deployment", "api")["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["tcpSocket"]["port"] == "tcp-8080"


def test_compose_x_svcgen_metrics_wins_over_the_labels(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          web:
            image: ghcr.io/acme/web:1.2.3
            ports: ["80:8080"]
            labels:
              prometheus.io/scrape: "true"
              prometheus.io/path: /metrics
            x-svcgen:
              metrics: {port: 8080, path: /stats, interval: 30s, scrapeTimeout: 10s,
                        monitor: ServiceMonitor}
        """)
    assert out.component("web")["metrics"] == {
        "port": "tcp-8080", "path": "/stats", "interval": "30s", "scrapeTimeout": "10s",
        "monitor": "ServiceMonitor"}
    (endpoint,) = one(rendered(out.values, tmp_path), "ServiceMonitor", "web")["spec"]["endpoints"]
    assert endpoint["port"] == "tcp-8080" and endpoint["path"] == "/stats"


def test_compose_labels_without_scrape_true_declare_nothing(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          api:
            image: ghcr.io/acme/api:1.2.3
            ports: ["8080:8080"]
            labels:
              prometheus.io/scrape: "false"
              prometheus.io/port: "8080"
        """)
    assert "metrics" not in out.component("api")
    assert "labels" not in out.component("api")
    assert "declare no metrics" in out.note_at(
        "services.api.labels.prometheus.io/port", "R002").message


def test_compose_scrape_label_alone_scrapes_the_first_port(tmp_path: Path) -> None:
    out = convert(tmp_path, """\
        services:
          api:
            image: ghcr.io/acme/api:1.2.3
            expose: ["9000"]
            labels: {prometheus.io/scrape: "true", prometheus.io/scheme: HTTPS}
        """)
    assert out.component("api")["metrics"] == {"port": "tcp-9000", "scheme": "https"}


def test_compose_metrics_port_name_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError) as caught:
        convert(tmp_path, """\
            services:
              api:
                image: ghcr.io/acme/api:1.2.3
                ports: ["8080:8080"]
                x-svcgen:
                  metrics: {port: admin}
            """)
    (diag,) = caught.value.diagnostics
    assert diag.path == "services.api.x-svcgen.metrics.port"
    assert (diag.line, diag.column) == (6, 17)  # the `port` key
    assert "not a port of the service" in diag.message and "tcp-8080" in (diag.hint or "")


# --- DevSpace ---------------------------------------------------------------------------------

DEVSPACE_API = """\
containers:
  - image: ghcr.io/acme/api:1.2.3
service:
  ports:
    - port: 80
      containerPort: 8080
annotations:
  prometheus.io/scrape: "true"
  prometheus.io/port: "9090"
  prometheus.io/path: /metrics
  example.com/owner: shop
"""


def read_devspace(text: str) -> dict[str, Any]:
    docs = load_documents("api.yaml", textwrap.dedent(text))
    values: dict[str, Any] = DEVSPACE.read(docs, ReadOptions(environ={})).values
    return values


def test_devspace_prometheus_pod_annotations_reach_the_pods_as_metrics(tmp_path: Path) -> None:
    """The component chart copies `annotations` onto the pod template, where Prometheus' pod
    discovery reads prometheus.io/*: they become the metrics declaration, which the chart puts on
    the pods (or turns into a ServiceMonitor/PodMonitor), never on the Deployment alone."""
    values = read_devspace(DEVSPACE_API)
    comp = values["components"]["api"]
    assert comp["metrics"] == {"port": "tcp-9090", "path": "/metrics"}
    assert comp["annotations"] == {"example.com/owner": "shop"}
    assert comp["containers"]["container-0"]["ports"]["tcp-9090"] == {"containerPort": 9090}
    objects = rendered(values, tmp_path)
    annotations = template_annotations(objects, "api")
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "9090"
    deployment = one(objects, "Deployment", "api")
    assert "prometheus.io/scrape" not in deployment["metadata"].get("annotations", {})


def test_devspace_metrics_on_a_service_port_use_its_container_port() -> None:
    values = read_devspace(DEVSPACE_API.replace('"9090"', '"8080"'))
    comp = values["components"]["api"]
    assert comp["metrics"]["port"] == "port-0"
    assert list(comp["containers"]["container-0"]["ports"]) == ["port-0"]


@pytest.mark.parametrize("port", ["metrics", '"²"', '"70000"', '"0"'])
def test_devspace_bad_prometheus_port_is_an_error_at_its_line(port: str) -> None:
    with pytest.raises(SvcgenError) as caught:
        read_devspace(DEVSPACE_API.replace('"9090"', port))
    (diag,) = caught.value.diagnostics
    assert (diag.line, diag.column) == (9, 23)
    assert "not a port number" in diag.message


# --- Space Cloud ------------------------------------------------------------------------------

SPACECLOUD_EXAMPLE = REPO / "values-examples" / "spacecloud" / "services.yaml"


def test_spacecloud_ports_keep_working_with_istio_metrics_in_place_of_its_proxy(
    tmp_path: Path,
) -> None:
    """Space Cloud's driver put a `metric-proxy` container beside every HTTP service's tasks,
    reading Envoy's request counters for its autoscaler. The chart adds no container: scaling on
    requests goes to the KEDA HTTP add-on and Envoy's metrics to Istio's merged endpoint, so
    every task port, Service port and policy stays as converted, and only the sidecar's
    merged-metrics port is opened to the monitoring namespace."""
    docs = load_documents(str(SPACECLOUD_EXAMPLE), SPACECLOUD_EXAMPLE.read_text())
    values = SPACECLOUD.read(docs, ReadOptions(environ={})).values
    plain = rendered(values, tmp_path)
    meshed = rendered(values, tmp_path, mesh={"istio": True})
    assert validate_objects(meshed, "1.35.0") == []
    for cid, comp in values["components"].items():
        workload = one(meshed, "Deployment", cid) if find(meshed, "Deployment", cid) else one(
            meshed, "StatefulSet", cid)
        containers = workload["spec"]["template"]["spec"]["containers"]
        assert [c["name"] for c in containers] == sorted(comp["containers"])
        before = one(plain, workload["kind"], cid)["spec"]["template"]["spec"]["containers"]
        assert [c.get("ports") for c in containers] == [c.get("ports") for c in before]
        for svc in find(plain, "Service"):
            assert one(meshed, "Service", svc["metadata"]["name"])["spec"]["ports"] == (
                svc["spec"]["ports"])
        rules = one(meshed, "NetworkPolicy", cid)["spec"]["ingress"]
        callers = [r for r in one(plain, "NetworkPolicy", cid)["spec"]["ingress"]]
        assert rules[: len(callers)] == callers
        scrape = {"namespaceSelector": {"matchLabels": {
            "kubernetes.io/metadata.name": "monitoring"}}}
        (rule,) = [r for r in rules if scrape in r["from"]]
        assert rule["ports"] == [{"port": ISTIO_MERGED_PORT, "protocol": "TCP"}]


def test_compose_update_keeps_a_hand_written_metrics_declaration(tmp_path: Path) -> None:
    """`metrics` is not owned: like ingress and scaling it follows the input when the input
    declares it, and is otherwise left as the user wrote it."""
    from svcgen.values_cmd import run_values

    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  api:\n    image: ghcr.io/acme/api:1.2.3\n"
                       "    ports: ['8080:8080']\n")
    target = tmp_path / "values.yaml"

    def update() -> None:
        code = run_values([str(compose)], output=str(target), fmt="auto", env_file=None,
                          profiles=(), project=None, registry=None, images=(), strict=False,
                          stdout=io.StringIO(), stderr=io.StringIO())
        assert code == 0

    update()
    target.write_text(target.read_text().replace(
        "    service:\n", "    metrics:  # scraped by the platform team's Prometheus\n"
        "      port: tcp-8080\n      path: /stats\n    service:\n", 1))
    update()
    assert "metrics:  # scraped by the platform team's Prometheus\n      port: tcp-8080\n" \
           "      path: /stats\n" in target.read_text()
    compose.write_text(compose.read_text() + "    labels: {prometheus.io/scrape: 'true'}\n")
    update()
    # Now the input declares metrics: the declaration follows it.
    text = target.read_text()
    assert "    metrics:  # scraped by the platform team's Prometheus\n      port: tcp-8080\n" \
           "    service:" in text
    assert "/stats" not in text
