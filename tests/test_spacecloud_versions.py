"""Several versions of one Space Cloud service, converted the way its runner ran them
(runner/utils/driver/istio): a Deployment ``<id>-<version>`` and a Service
``<id>-<version>-internal`` per version, the general Service ``<id>`` selecting ``app: <id>`` (every
version), one ServiceAccount ``<id>``, and a VirtualService for ``<id>`` whose routes share each
port between the versions by weight. The fixture is a real-shaped project: ``orders`` v1 and v2
with their service routes, a ``storefront`` calling ``orders``, and an ingress route to it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from chartutil import find, one, render

from svcgen.diagnostics import SvcgenError
from svcgen.kube import validate_objects
from svcgen.model import Values
from svcgen.readers.base import ReadOptions, ReadResult
from svcgen.readers.spacecloud import READER
from svcgen.yamlio import load_documents

PROJECT = Path(__file__).parent / "spacecloud_fixtures" / "versions.yaml"


def read(text: str | None = None, **options: Any) -> ReadResult:
    docs = (load_documents(PROJECT) if text is None
            else READER.loader("services.yaml", textwrap.dedent(text)))
    return READER.read(docs, ReadOptions(**options))


def without(kind: str) -> str:
    """The project's text without the documents of one type."""
    docs = PROJECT.read_text().split("\n---\n")
    return "\n---\n".join(d for d in docs if f"\ntype: {kind}\n" not in f"\n{d}\n")


def messages(result: ReadResult, rule: str) -> list[str]:
    return [d.message for d in result.report if d.rule == rule]


def test_each_version_is_a_component_with_its_own_service() -> None:
    result = read()
    components = result.values["components"]
    assert list(components) == ["orders-v1", "orders-v2", "storefront"]
    for tag, image in (("v1", "1.9.4"), ("v2", "2.0.0-rc.2")):
        comp = components[f"orders-{tag}"]
        assert comp["service"]["name"] == f"orders-{tag}-internal"
        assert comp["podLabels"] == {"app": "orders", "version": tag}
        assert comp["containers"]["orders"]["image"]["tag"] == image
    assert components["orders-v1"]["replicas"] == 2
    assert "replicas" not in components["orders-v2"]
    Values.model_validate(result.values)


def test_the_service_id_names_one_service_over_every_version() -> None:
    shared = read().values["services"]["orders"]
    assert shared["selector"] == {"app": "orders"}
    assert shared["ports"] == {
        "http": {"port": 8080, "targetPort": "http", "appProtocol": "http"},
        "grpc": {"port": 9000, "targetPort": "grpc"}}


def test_service_routes_become_the_weighted_split_per_port() -> None:
    result = read()
    assert result.values["services"]["orders"]["split"] == {
        "http": {"orders-v1": {"weight": 80}, "orders-v2": {"weight": 20}},
        "grpc": {"orders-v1": {"weight": 100}}}
    assert ("service route of orders port 8080: orders-v1 80%, orders-v2 20% "
            "(services.orders.split.http)") in messages(result, "R002")


def test_the_versions_run_as_one_service_account_created_once() -> None:
    components = read().values["components"]
    assert components["orders-v1"]["serviceAccount"] == {"create": True, "name": "orders"}
    assert components["orders-v2"]["serviceAccount"] == {"create": False, "name": "orders"}


def test_callers_of_the_service_reach_every_version() -> None:
    storefront = read().values["components"]["storefront"]
    assert storefront["upstreams"] == [{"component": "orders-v1"}, {"component": "orders-v2"}]


def test_an_ingress_route_to_the_service_is_split_like_its_routes() -> None:
    routed = read(exposure="gateway", gateway={"namespace": "gw", "name": "public"})
    path = routed.values["components"]["orders-v1"]["ingress"]["hosts"][
        "api.store.example.com"]["paths"]["/orders"]
    assert (path["weight"], path["backends"]) == (80, {"orders-v2": {"port": 8080, "weight": 20}})
    # An Ingress has no weights: all to the heaviest version, and the report says so.
    plain = read()
    assert "backends" not in plain.values["components"]["orders-v1"]["ingress"]["hosts"][
        "api.store.example.com"]["paths"]["/orders"]
    assert any("an Ingress sends it all to orders-v1" in m for m in messages(plain, "R100"))


def test_without_service_routes_requests_are_reported_where_they_go() -> None:
    result = read(without("service-route"))
    assert "split" not in result.values["services"]["orders"]
    assert any("has no service routes: Space Cloud's VirtualService sent every request to the "
               "version applied first" in m for m in messages(result, "R002"))
    assert any("the ingress route goes to orders-v1, the version applied first" in m
               for m in messages(result, "R002"))


def test_the_report_names_what_the_weights_need() -> None:
    assert any("with global.mesh.istio a VirtualService orders splits each routed port by weight"
               in m and "without the mesh the Service orders spreads requests over the pods of "
               "every version" in m for m in messages(read(), "R002"))


@pytest.mark.parametrize(("change", "message"), [
    (("version: v2\n          port: 8080", "version: v3\n          port: 8080"),
     "version 'v3' not found for service orders"),
    (("protocol: tcp\n        port: 9000", "protocol: tcp\n        port: 9001"),
     "port 9001 is no port of service orders"),
])
def test_a_route_to_what_the_service_lacks_is_an_error(
        change: tuple[str, str], message: str) -> None:
    text = PROJECT.read_text()
    assert change[0] in text
    with pytest.raises(SvcgenError) as info:
        read(text.replace(*change))
    assert info.value.diagnostics[0].message == message


def test_weights_that_do_not_sum_to_100_are_reported_and_the_rest_converts() -> None:
    text = PROJECT.read_text().replace("weight: 20\n", "weight: 30\n")
    result = read(text)
    assert result.values["services"]["orders"]["split"] == {"grpc": {"orders-v1": {"weight": 100}}}
    assert any("sum to 110, not 100" in m for m in messages(result, "R100"))
    assert "storefront" in result.values["components"]


def test_an_external_target_is_reported() -> None:
    text = PROJECT.read_text().replace(
        "        - type: version\n          version: v1\n          port: 9000\n"
        "          weight: 100",
        "        - type: external\n          host: legacy.example.com\n          port: 9000\n"
        "          weight: 100")
    result = read(text)
    assert "grpc" not in result.values["services"]["orders"]["split"]
    assert any("an external target of orders port 9000" in m for m in messages(result, "R100"))


def test_the_converted_project_renders_as_space_cloud_ran_it(each_helm: str) -> None:
    values = read(exposure="gateway", gateway={"namespace": "gw", "name": "public"}).values
    # What `svcgen values --exposure gateway --gateway gw/public` adds, and the mesh.
    values["global"].update(exposure="gateway", gateway={"namespace": "gw", "name": "public"},
                            mesh={"istio": True})
    objects = render(values, helm=each_helm, namespace="store")
    assert [d["metadata"]["name"] for d in find(objects, "Deployment")] == [
        "orders-v1", "orders-v2", "storefront"]
    assert [s["metadata"]["name"] for s in find(objects, "ServiceAccount")] == [
        "orders", "storefront"]
    general = one(objects, "Service", "orders")
    selected = [d["metadata"]["name"] for d in find(objects, "Deployment")
                if all(d["spec"]["template"]["metadata"]["labels"].get(k) == v
                       for k, v in general["spec"]["selector"].items())]
    assert selected == ["orders-v1", "orders-v2"]
    for tag in ("v1", "v2"):
        internal = one(objects, "Service", f"orders-{tag}-internal")
        assert internal["spec"]["selector"]["app.kubernetes.io/component"] == f"orders-{tag}"
    http = one(objects, "VirtualService", "orders")["spec"]["http"][0]
    assert [(r["destination"]["host"], r["weight"]) for r in http["route"]] == [
        ("orders-v1-internal.store.svc.cluster.local", 80),
        ("orders-v2-internal.store.svc.cluster.local", 20)]
    backends = one(objects, "HTTPRoute", "orders-v1-api.store.example.com")["spec"]["rules"][0][
        "backendRefs"]
    assert [(b["name"], b["weight"]) for b in backends] == [
        ("orders-v1-internal", 80), ("orders-v2-internal", 20)]
    # The caller's proxy knows orders itself, so its calls take the VirtualService's split.
    hosts = one(objects, "Sidecar", "storefront")["spec"]["egress"][0]["hosts"]
    assert "./orders.store.svc.cluster.local" in hosts
    assert validate_objects(objects, "1.35.0") == []
