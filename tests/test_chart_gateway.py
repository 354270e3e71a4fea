"""Gateway API exposure: one description of a component's exposure rendered as HTTPRoutes and
GRPCRoutes (and/or an Ingress), the policies that admit the Gateway, and what each rendering
refuses. Rendered with the real helm; the objects are checked strictly by the chart/ci tests and
here where a test builds its own values."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from chartutil import CHART, REPO, RenderError, find, helm_binary, one, parse, render, render_text
from ruamel.yaml import YAML

from svcgen.kube import validate_objects
from svcgen.model import IngressPath, Values

CI = CHART / "ci"
SHOP = REPO / "values-examples" / "shop-values.yaml"
Objects = list[dict[str, Any]]


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load(path.read_text())
    return data


def app(port: int = 8080, name: str = "http", **extra: Any) -> dict[str, Any]:
    return {"containers": {"app": {"image": {"repository": "ghcr.io/acme/app", "tag": "1.0.0"},
                                   "ports": {name: {"containerPort": port}}}}, **extra}


def gateway_values(components: dict[str, Any], **global_: Any) -> dict[str, Any]:
    return {
        "global": {"exposure": "gateway",
                   "gateway": {"name": "public", "namespace": "gateway-system"}, **global_},
        "components": components,
    }


def routed(paths: dict[str, Any], host: str = "api.example.com", **ingress: Any) -> dict[str, Any]:
    return app(ingress={"hosts": {host: {"paths": paths}}, **ingress})


def rules_of(objects: Objects, kind: str = "HTTPRoute",
             name: str = "api-api.example.com") -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = one(objects, kind, name)["spec"]["rules"]
    return rules


def render_error(values: dict[str, Any]) -> str:
    with pytest.raises(RenderError) as err:
        render(values)
    return str(err.value)


GATEWAY_FILES = [*sorted(CI.glob("gateway-*-values.yaml")), CI / "policy-gateway-values.yaml"]


@pytest.mark.parametrize("kube_version", ["1.29.0", "1.35.0"])
@pytest.mark.parametrize("values_file", GATEWAY_FILES, ids=lambda p: p.name)
def test_gateway_scenarios_render_alike_and_validate_strictly_on_helm3_and_helm4(
    values_file: Path, kube_version: str,
) -> None:
    rendered = {h: parse(render_text(files=[values_file], helm=h, kube_version=kube_version))
                for h in ("helm", "helm3")}
    assert rendered["helm"] == rendered["helm3"]
    kinds = {o["kind"] for o in rendered["helm"]}
    assert kinds & {"HTTPRoute", "GRPCRoute"}, values_file.name
    assert validate_objects(rendered["helm"], kube_version) == []


# --- routes ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def routes_objects() -> Objects:
    return render(files=[CI / "gateway-routes-values.yaml"])


def test_one_route_per_host_named_after_component_and_host(routes_objects: Objects) -> None:
    names = sorted(r["metadata"]["name"] for r in find(routes_objects, "HTTPRoute"))
    assert names == ["api-api.example.com", "api-https-redirect", "report-reports.example.com",
                     "web-https-redirect", "web-web.apps.example.com"]
    web = one(routes_objects, "HTTPRoute", "web-web.apps.example.com")["spec"]
    assert web["hostnames"] == ["web.apps.example.com"]
    assert web["parentRefs"] == [{"name": "public", "namespace": "gateway-system",
                                  "sectionName": "https"}]
    assert web["rules"] == [{"matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                             "backendRefs": [{"name": "web", "port": 80}]}]
    assert not find(routes_objects, "Ingress")


def test_adding_a_host_renames_no_route_and_wildcards_are_spelled_out() -> None:
    one_host = render(gateway_values({"api": routed({"/": {}})}))
    two_hosts = render(gateway_values({"api": app(ingress={"hosts": {
        "api.example.com": {}, "*.example.com": {}}})}))
    assert [r["metadata"]["name"] for r in find(one_host, "HTTPRoute")] == ["api-api.example.com"]
    assert sorted(r["metadata"]["name"] for r in find(two_hosts, "HTTPRoute")) == [
        "api-api.example.com", "api-wildcard.example.com"]
    wildcard = one(two_hosts, "HTTPRoute", "api-wildcard.example.com")
    assert wildcard["spec"]["hostnames"] == ["*.example.com"]


def test_route_name_over_253_characters_is_cut_with_a_hash() -> None:
    host = ".".join(["a" * 60] * 4)
    objects = render(gateway_values({"api": routed({"/": {}}, host=host)}))
    (route,) = find(objects, "HTTPRoute")
    name = route["metadata"]["name"]
    assert len(name) <= 253 and name.startswith("api-aaaa")
    assert route["spec"]["hostnames"] == [host]


def test_matches_filters_redirect_and_timeouts_map_to_gateway_api(routes_objects: Objects) -> None:
    rules = {r["matches"][0]["path"]["value"]: r for r in rules_of(routes_objects)}
    assert rules["/"] == {
        "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
        "filters": [
            {"type": "RequestHeaderModifier", "requestHeaderModifier": {
                "set": [{"name": "X-Forwarded-Prefix", "value": "/"}],
                "remove": ["X-Internal-Token"]}},
            {"type": "ResponseHeaderModifier", "responseHeaderModifier": {
                "add": [{"name": "Strict-Transport-Security", "value": "max-age=31536000"}]}},
        ],
        "timeouts": {"request": "30s", "backendRequest": "10s"},
        "backendRefs": [{"name": "api", "port": 8080}],
    }
    assert rules["/v2/orders"]["matches"] == [{
        "path": {"type": "Exact", "value": "/v2/orders"}, "method": "POST",
        "headers": [{"name": "X-Api-Version", "value": "2", "type": "Exact"}]}]
    assert rules["/v[0-9]+/legacy"]["matches"][0]["path"]["type"] == "RegularExpression"
    assert rules["/docs"] == {
        "matches": [{"path": {"type": "PathPrefix", "value": "/docs"}}],
        "filters": [{"type": "RequestRedirect", "requestRedirect": {
            "hostname": "docs.example.com", "statusCode": 301,
            "path": {"type": "ReplaceFullPath", "replaceFullPath": "/api"}}}],
    }


def test_https_redirect_route_attaches_to_the_plain_http_listener(routes_objects: Objects) -> None:
    spec = one(routes_objects, "HTTPRoute", "api-https-redirect")["spec"]
    assert spec["parentRefs"] == [{"name": "public", "namespace": "gateway-system",
                                   "sectionName": "http"}]
    assert spec["hostnames"] == ["api.example.com"]
    assert spec["rules"] == [{"filters": [{"type": "RequestRedirect", "requestRedirect": {
        "scheme": "https", "statusCode": 301}}]}]


def test_https_redirect_needs_the_plain_http_listener() -> None:
    message = render_error(gateway_values({"api": routed({"/": {}}, httpsRedirect=True)}))
    assert "components.api.ingress.httpsRedirect" in message
    assert "global.gateway.httpSectionName" in message


def test_routes_need_a_gateway_name() -> None:
    values = gateway_values({"api": routed({"/": {}})})
    del values["global"]["gateway"]
    message = render_error(values)
    assert "components.api.ingress" in message and "global.gateway.name" in message


def test_component_gateway_overrides_the_global_one_field_by_field() -> None:
    values = gateway_values({"api": routed({"/": {}}, gateway={"name": "internal",
                                                              "sectionName": "https"})})
    spec = one(render(values, namespace="shop"), "HTTPRoute", "api-api.example.com")["spec"]
    assert spec["parentRefs"] == [{"name": "internal", "namespace": "gateway-system",
                                   "sectionName": "https"}]
    values["global"]["gateway"] = {"name": "public"}
    spec = one(render(values, namespace="shop"), "HTTPRoute", "api-api.example.com")["spec"]
    assert spec["parentRefs"][0]["namespace"] == "shop"  # the release namespace when unset


# --- weighted backends ----------------------------------------------------------------------


def test_canary_weights_split_between_two_components_services() -> None:
    objects = render(files=[CI / "gateway-canary-values.yaml"])
    rules = {r["matches"][0]["path"]["value"]: r for r in rules_of(objects)}
    assert rules["/"]["backendRefs"] == [{"name": "api", "port": 80, "weight": 90},
                                         {"name": "api-canary", "port": 80, "weight": 10}]
    assert rules["/always-canary"]["backendRefs"] == [
        {"name": "api", "port": 80, "weight": 0}, {"name": "api-canary", "port": 80, "weight": 1}]
    assert rules["/always-canary"]["matches"][0]["headers"] == [
        {"name": "X-Canary", "value": "always", "type": "Exact"}]


def test_weights_summing_to_zero_fail() -> None:
    values = gateway_values({"api": routed({"/": {"weight": 0, "backends": {"b": {"weight": 0}}}}),
                             "b": app()})
    message = render_error(values)
    assert "components.api.ingress.hosts.api.example.com.paths./" in message
    assert "sum to 0" in message


@pytest.mark.parametrize(("backends", "expected"), [
    ({"ghost": {}}, "paths./.backends.ghost: no enabled component"),
    ({"b": {"port": "admin"}}, "paths./.backends.b.port: admin is not a port of the Service b"),
])
def test_backend_naming_no_component_or_port_fails(backends: dict[str, Any], expected: str) -> None:
    message = render_error(gateway_values({"api": routed({"/": {"backends": backends}}),
                                           "b": app()}))
    assert expected in message


# --- gRPC -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def grpc_objects() -> Objects:
    return render(files=[CI / "gateway-grpc-values.yaml"])


def test_grpc_ports_get_grpc_routes_beside_http_routes(grpc_objects: Objects) -> None:
    orders = one(grpc_objects, "GRPCRoute", "orders-orders.example.com")["spec"]
    assert orders["rules"] == [
        {"backendRefs": [{"name": "orders", "port": 9090}]},
        {"matches": [{"method": {"type": "Exact", "service": "acme.orders.v1.Admin",
                                 "method": "Purge"},
                      "headers": [{"name": "X-Admin", "value": "true", "type": "Exact"}]}],
         "backendRefs": [{"name": "orders", "port": 9090}]},
    ]
    http = one(grpc_objects, "HTTPRoute", "orders-orders.example.com")["spec"]
    assert http["rules"] == [{"matches": [{"path": {"type": "PathPrefix", "value": "/healthz"}}],
                              "backendRefs": [{"name": "orders", "port": 80}]}]
    search = one(grpc_objects, "GRPCRoute", "search-search.example.com")["spec"]
    assert search["rules"][0]["matches"] == [{"method": {"type": "Exact",
                                                          "service": "acme.search.v1.Search"}}]


@pytest.mark.parametrize(("path", "spec", "expected"), [
    ("/", {"protocol": "grpc", "timeouts": {"request": "5s"}}, "a GRPCRoute cannot carry timeouts"),
    ("/", {"protocol": "grpc", "method": "GET"}, "a GRPCRoute cannot carry method"),
    ("/a/b/c", {"protocol": "grpc"}, "a gRPC path is / or /<service>"),
    ("/svc", {"protocol": "grpc", "pathType": "Exact"}, "a gRPC path is / or /<service>"),
])
def test_what_a_grpc_route_cannot_carry_fails(path: str, spec: dict[str, Any],
                                              expected: str) -> None:
    message = render_error(gateway_values({"api": routed({path: spec})}))
    assert expected in message and f"paths.{path}" in message


# --- the KEDA HTTP add-on's interceptor ----------------------------------------------------


def test_interceptor_route_and_reference_grant(routes_objects: Objects) -> None:
    rules = rules_of(routes_objects, name="report-reports.example.com")
    assert rules[0]["backendRefs"] == [{"name": "keda-add-ons-http-interceptor-proxy",
                                        "namespace": "keda", "port": 8080}]
    (grant,) = find(routes_objects, "ReferenceGrant")
    assert grant["metadata"]["namespace"] == "keda"
    assert grant["spec"] == {
        "from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute",
                  "namespace": "demo"}],
        "to": [{"group": "", "kind": "Service", "name": "keda-add-ons-http-interceptor-proxy"}],
    }
    scaled = one(routes_objects, "HTTPScaledObject", "report")
    assert scaled["spec"]["hosts"] == ["reports.example.com"]


def test_interceptor_needs_http_scaling() -> None:
    message = render_error(gateway_values({"api": routed({"/": {}}, throughInterceptor=True)}))
    assert "components.api.ingress.throughInterceptor" in message
    assert "scaling.concurrency" in message


def test_no_reference_grant_without_the_interceptor(grpc_objects: Objects) -> None:
    assert not find(grpc_objects, "ReferenceGrant")


# --- one description, two renderings -------------------------------------------------------


def test_both_renders_ingress_and_routes_and_components_override() -> None:
    objects = render(files=[CI / "gateway-both-values.yaml"])
    assert sorted(o["metadata"]["name"] for o in find(objects, "Ingress")) == ["legacy", "web"]
    assert sorted(o["metadata"]["name"] for o in find(objects, "HTTPRoute")) == [
        "admin-admin.example.com", "web-web.apps.example.com"]
    admin = one(objects, "HTTPRoute", "admin-admin.example.com")["spec"]
    assert admin["parentRefs"] == [{"name": "internal", "namespace": "gateway-system",
                                    "sectionName": "https"}]


@pytest.mark.parametrize("field", [
    {"method": "GET"}, {"headers": {"X-A": {"value": "1"}}}, {"weight": 3},
    {"redirect": {"scheme": "https"}}, {"timeouts": {"request": "1s"}}, {"protocol": "grpc"},
    {"requestHeaders": {"set": {"X-A": "1"}}}, {"pathType": "RegularExpression"},
])
def test_an_ingress_refuses_what_only_routes_carry(field: dict[str, Any]) -> None:
    message = render_error({"components": {"api": routed({"/": field})}})
    assert "components.api.ingress.hosts.api.example.com.paths./" in message
    assert "exposure: gateway" in message


def test_routes_refuse_implementation_specific_paths() -> None:
    message = render_error(gateway_values({"api": routed({"/": {
        "pathType": "ImplementationSpecific"}})}))
    assert "paths./.pathType: ImplementationSpecific" in message


def test_shop_example_switches_to_a_gateway_with_one_setting() -> None:
    values = load(SHOP)
    exposed = sorted(cid for cid, c in values["components"].items() if c.get("ingress"))
    assert exposed
    before = render(files=[SHOP], namespace="shop")
    assert find(before, "Ingress") and not find(before, "HTTPRoute")
    after = render(files=[SHOP], namespace="shop", extra_args=["--set", "global.exposure=gateway"])
    assert not find(after, "Ingress")
    routes = find(after, "HTTPRoute") + find(after, "GRPCRoute")
    components = {r["metadata"]["labels"]["app.kubernetes.io/component"] for r in routes}
    assert sorted(components) == exposed
    ingress_hosts = sorted(h["host"] for i in find(before, "Ingress") for h in i["spec"]["rules"])
    route_hosts = sorted(h for r in routes for h in r["spec"]["hostnames"])
    assert route_hosts == ingress_hosts
    for version in ("1.29", "1.35"):
        assert validate_objects(after, version) == []


def test_a_wrong_field_in_a_route_fails_strict_validation(routes_objects: Objects) -> None:
    route = dict(one(routes_objects, "HTTPRoute", "web-web.apps.example.com"))
    route["spec"] = {**route["spec"], "rules": [{"backendRefs": [{"name": "web", "prot": 80}]}]}
    problems = validate_objects([route], "1.35")
    assert [p for p in problems if "unknown field 'prot'" in str(p)]


def test_model_agrees_with_every_render_on_what_is_exposed_and_how() -> None:
    """Component.exposure and Component.route_kind say what the chart renders, for every ci file
    and example: lint reads them instead of deriving them again."""
    files = [*sorted(CI.glob("*-values.yaml")), SHOP]
    for path in files:
        values = Values.model_validate(load(path))
        objects = render(files=[path])
        for cid, comp in values.components.items():
            if not comp.enabled:
                continue
            ingress, routes = comp.exposure(values.global_)
            mine = [o for o in objects if o["metadata"].get("labels", {}).get(
                "app.kubernetes.io/component") == cid]
            assert bool([o for o in mine if o["kind"] == "Ingress"]) == ingress, (path, cid)
            rendered = {(h, o["kind"]) for o in mine if o["kind"] in ("HTTPRoute", "GRPCRoute")
                        and not o["metadata"]["name"].endswith("-https-redirect")
                        for h in o["spec"]["hostnames"]}
            expected: set[tuple[str, str]] = set()
            if routes and comp.ingress is not None:
                hosts = comp.ingress.hosts or {f"{cid}.{values.global_.domain}": None}
                for host, spec in hosts.items():
                    paths = spec.paths if spec is not None else {"/": None}
                    for p in paths.values():
                        expected.add((host, comp.route_kind(p or IngressPath())))
            assert rendered == expected, (path, cid)


# --- NOTES ----------------------------------------------------------------------------------


def _notes(path: Path) -> str:
    proc = subprocess.run(
        [helm_binary("helm"), "install", "shop", str(CHART), "--dry-run=client",
         "--namespace", "shop", "-f", str(path)],
        capture_output=True, text=True, check=True,
    )
    return proc.stdout.split("NOTES:", 1)[1]


def test_notes_print_each_route_url() -> None:
    notes = _notes(CI / "gateway-routes-values.yaml")
    assert "Route URLs (Gateway gateway-system/public):" in notes
    for url in ("https://api.example.com/", "https://api.example.com/v2/orders (POST)",
                "https://web.apps.example.com/", "http://reports.example.com/",
                "http://api.example.com/ redirects to https"):
        assert f"    {url}\n" in notes, url
    assert "Ingress URLs" not in notes
    grpc = _notes(CI / "gateway-grpc-values.yaml")
    assert "grpcs://orders.example.com acme.orders.v1.Admin/Purge (gRPC)" in grpc


# --- policies -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def policy_objects() -> Objects:
    return render(files=[CI / "policy-gateway-values.yaml"])


def _from(objects: Objects, name: str) -> list[dict[str, Any]]:
    peers: list[dict[str, Any]] = one(objects, "NetworkPolicy", name)["spec"]["ingress"][0]["from"]
    return peers


def test_network_policy_admits_the_gateway_data_plane_pods(policy_objects: Objects) -> None:
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "gateway-system"}},
            "podSelector": {"matchLabels": {"gateway.networking.k8s.io/gateway-name": "public"}}
            } in _from(policy_objects, "web")
    # Not routed: no Gateway and no ingress controller.
    assert all("namespaceSelector" not in peer for peer in _from(policy_objects, "api"))


def test_interceptor_routed_component_admits_the_add_on_not_the_gateway(
    policy_objects: Objects,
) -> None:
    peers = _from(policy_objects, "report")
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keda"}}} in peers
    assert "gateway-system" not in str(peers)


def test_gateway_namespace_is_admitted_whole_without_pod_labels() -> None:
    values = gateway_values({"api": routed({"/": {}})}, networkPolicy={"enabled": True})
    peers = _from(render(values), "api")
    assert {"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "gateway-system"}}} in peers


def test_istio_admits_the_gateway_service_account_or_namespace(policy_objects: Objects) -> None:
    web = one(policy_objects, "AuthorizationPolicy", "web")["spec"]["rules"]
    assert {"from": [{"source": {"principals": [
        "cluster.local/ns/gateway-system/sa/public-istio"]}}]} in web
    report = one(policy_objects, "AuthorizationPolicy", "report")["spec"]["rules"]
    assert {"from": [{"source": {"namespaces": ["keda"]}}]} in report
    # A component on another Gateway is admitted by that Gateway's namespace.
    values = gateway_values({"api": routed({"/": {}}, gateway={"name": "internal",
                                                              "namespace": "internal-gw"})},
                            mesh={"istio": True})
    values["global"]["gateway"]["serviceAccount"] = "public-istio"
    rules = one(render(values), "AuthorizationPolicy", "api")["spec"]["rules"]
    assert rules == [{"from": [{"source": {"namespaces": ["internal-gw"]}}]}]
