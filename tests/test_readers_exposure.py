"""Readers and Gateway API: `svcgen values --exposure/--gateway` chooses how every reader's exposure
renders; Compose asks for routes in `x-svcgen`; DevSpace's ImplementationSpecific paths become
prefixes for routes; Space Cloud's ingress routes (its gateway's `ingress-route` documents, after
gateway/config/routing.go) become the exposure of the service they target."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from chartutil import find, one, render
from ruamel.yaml import YAML
from valuesutil import svcgen_values

from svcgen.kube import validate_objects


def values_of(tmp_path: Path, name: str, text: str, *, exposure: str | None = None,
              gateway: str | None = None) -> tuple[int, dict[str, Any], str]:
    """`svcgen values FILE [--exposure E] [--gateway G]` in process: exit code, values, report."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    code, out, err = svcgen_values(str(path), exposure=exposure, gateway=gateway)
    values: dict[str, Any] = YAML(typ="safe").load(out) or {}
    return code, values, err


COMPOSE = """\
    services:
      api:
        image: ghcr.io/acme/api:1.4.2
        user: "1000"
        ports: ["8080:8080"]
        x-svcgen:
          route:
            host: api.example.com
            path: /orders
            method: POST
            weight: 90
            backends: {api-next: {weight: 10}}
            timeouts: {request: 10s}
      api-next:
        image: ghcr.io/acme/api:1.5.0
        user: "1000"
        ports: ["8080:8080"]
    """


def test_exposure_and_gateway_options_set_the_release_rendering(tmp_path: Path) -> None:
    code, values, _ = values_of(tmp_path, "compose.yaml", COMPOSE, exposure="both",
                                gateway="gateway-system/public/https")
    assert code == 0
    assert values["global"]["exposure"] == "both"
    assert values["global"]["gateway"] == {"namespace": "gateway-system", "name": "public",
                                           "sectionName": "https"}


@pytest.mark.parametrize(("exposure", "gateway", "expected"), [
    ("sideways", None, "--exposure 'sideways' is not one of ingress, gateway, both"),
    (None, "public", "--gateway 'public' is not NAMESPACE/NAME"),
    (None, "a/b/c/d", "--gateway 'a/b/c/d' is not NAMESPACE/NAME"),
])
def test_bad_exposure_options_are_usage_errors(tmp_path: Path, exposure: str | None,
                                               gateway: str | None, expected: str) -> None:
    code, _, report = values_of(tmp_path, "compose.yaml", COMPOSE, exposure=exposure,
                                gateway=gateway)
    assert code == 2 and expected in report


def test_compose_route_is_an_ingress_rendered_as_gateway_routes(tmp_path: Path) -> None:
    code, values, _ = values_of(tmp_path, "compose.yaml", COMPOSE,
                                gateway="gateway-system/public")
    assert code == 0
    ingress = values["components"]["api"]["ingress"]
    assert ingress["exposure"] == "gateway"
    assert ingress["hosts"]["api.example.com"]["paths"]["/orders"] == {
        "port": "tcp-8080", "method": "POST", "weight": 90,
        "backends": {"api-next": {"weight": 10}}, "timeouts": {"request": "10s"}}
    objects = render(values)
    rule = one(objects, "HTTPRoute", "api-api.example.com")["spec"]["rules"][0]
    assert rule["backendRefs"] == [{"name": "api", "port": 8080, "weight": 90},
                                   {"name": "api-next", "port": 8080, "weight": 10}]
    assert not find(objects, "Ingress")
    assert validate_objects(objects, "1.35") == []


def test_compose_route_and_ingress_together_are_an_error(tmp_path: Path) -> None:
    text = COMPOSE.replace("      route:\n", "      ingress: {host: www.example.com}\n"
                           "          route:\n")
    code, _, report = values_of(tmp_path, "compose.yaml", text)
    assert code == 1
    assert "x-svcgen.ingress and x-svcgen.route both describe the exposure" in report


def test_compose_route_field_errors_point_at_the_service(tmp_path: Path) -> None:
    code, _, report = values_of(tmp_path, "compose.yaml",
                                COMPOSE.replace("request: 10s", "request: soon"))
    assert code == 1
    assert "compose.yaml:6:5: error" in report  # the service's x-svcgen
    assert "timeouts.request" in report


DEVSPACE = """\
    version: v2beta1
    name: shop
    deployments:
      web:
        helm:
          chart: {name: component-chart, repo: https://charts.devspace.sh}
          values:
            containers:
              - image: ghcr.io/acme/web:2.0.0
            service:
              ports:
                - port: 8080
            ingress:
              rules:
                - host: web.example.com
                  path: /shop
    """


def test_devspace_implementation_specific_paths_become_prefixes_for_routes(
    tmp_path: Path,
) -> None:
    code, values, report = values_of(tmp_path, "devspace.yaml", DEVSPACE, exposure="gateway",
                                     gateway="gw/public")
    assert code == 0
    path = values["components"]["web"]["ingress"]["hosts"]["web.example.com"]["paths"]["/shop"]
    assert path["pathType"] == "Prefix"
    assert "ImplementationSpecific → Prefix, as ingress-nginx matched it" in report
    objects = render(values, namespace="demo")
    rule = one(objects, "HTTPRoute", "web-web.example.com")["spec"]["rules"][0]
    assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": "/shop"}}]


def test_devspace_keeps_implementation_specific_for_an_ingress(tmp_path: Path) -> None:
    code, values, report = values_of(tmp_path, "devspace.yaml", DEVSPACE)
    assert code == 0
    path = values["components"]["web"]["ingress"]["hosts"]["web.example.com"]["paths"]["/shop"]
    assert path["pathType"] == "ImplementationSpecific"
    assert "→ Prefix" not in report


SPACECLOUD = """\
    api: /v1/runner/{project}/services/{id}/{version}
    type: service
    meta: {project: shop, id: api, version: v1}
    spec:
      tasks:
        - id: app
          ports: [{name: http, protocol: http, port: 8080}]
          resources: {cpu: 100, memory: 128}
          docker: {image: "ghcr.io/acme/api:1.0.0"}
          runtime: image
      whitelists: [{projectId: "*", service: "*"}]
    ---
    api: /v1/runner/{project}/services/{id}/{version}
    type: service
    meta: {project: shop, id: api-next, version: v2}
    spec:
      tasks:
        - id: app
          ports: [{name: http, protocol: http, port: 8080}]
          resources: {cpu: 100, memory: 128}
          docker: {image: "ghcr.io/acme/api:2.0.0"}
          runtime: image
      whitelists: [{projectId: "*", service: "*"}]
    ---
    api: /v1/config/projects/{project}/routing/ingress/{id}
    type: ingress-routes
    meta: {project: shop, id: 2Dfwk3}
    spec:
      source:
        hosts: [api.example.com]
        methods: [GET]
        url: /v1
        type: exact
        port: 0
        rewriteURL: ""
      targets:
        - {host: api.shop.svc.cluster.local, port: "8080", schema: HTTP, weight: 90}
        - {host: api-next.shop.svc.cluster.local, port: "8080", schema: HTTP, weight: 10}
        - {host: legacy.example.net, port: 443, type: external, weight: 0}
      modify:
        headers: [{key: X-Env, value: prod, op: set}, {key: X-Debug, op: del}]
        resHeaders: [{key: X-Served-By, value: shop, op: add}]
      rule: {rule: allow}
    """


def test_spacecloud_ingress_route_becomes_a_weighted_gateway_route(tmp_path: Path) -> None:
    code, values, report = values_of(tmp_path, "services.yaml", SPACECLOUD, exposure="gateway",
                                     gateway="gateway-system/public")
    assert code == 0
    path = values["components"]["api"]["ingress"]["hosts"]["api.example.com"]["paths"]["/v1"]
    assert path == {
        "port": 8080, "pathType": "Exact", "method": "GET", "weight": 90,
        "backends": {"api-next": {"port": 8080, "weight": 10}},
        "requestHeaders": {"set": {"X-Env": "prod"}, "remove": ["X-Debug"]},
        "responseHeaders": {"add": {"X-Served-By": "shop"}},
    }
    assert "target legacy.example.net is not a service of this input" in report
    assert "the gateway's rule for /v1 has no equivalent" in report
    objects = render(values, namespace="shop")
    rule = one(objects, "HTTPRoute", "api-api.example.com")["spec"]["rules"][0]
    assert rule["backendRefs"] == [{"name": "api", "port": 8080, "weight": 90},
                                   {"name": "api-next", "port": 8080, "weight": 10}]
    assert rule["matches"] == [{"path": {"type": "Exact", "value": "/v1"}, "method": "GET"}]
    # Space Cloud enforced whitelists; the NetworkPolicy now admits the Gateway's namespace.
    peers = one(objects, "NetworkPolicy", "api")["spec"]["ingress"][0]["from"]
    assert {"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "gateway-system"}}} in peers
    assert validate_objects(objects, "1.29") == []


def test_spacecloud_ingress_route_for_an_ingress_reports_what_it_cannot_carry(
    tmp_path: Path,
) -> None:
    code, values, report = values_of(tmp_path, "services.yaml", SPACECLOUD)
    assert code == 0
    path = values["components"]["api"]["ingress"]["hosts"]["api.example.com"]["paths"]["/v1"]
    assert path == {"port": 8080, "pathType": "Exact"}
    for note in ("the weights split /v1 between services; an Ingress sends it all to api",
                 "/v1 answers only GET", "header changes of /v1 need Gateway API routes",
                 "set global.networkPolicy.ingressNamespace"):
        assert note in report, note


def test_spacecloud_route_without_hosts_is_reported(tmp_path: Path) -> None:
    text = SPACECLOUD.replace("hosts: [api.example.com]", "hosts: []")
    code, values, report = values_of(tmp_path, "services.yaml", text)
    assert code == 0
    assert "ingress" not in values["components"]["api"]
    assert "the route matches every host" in report
