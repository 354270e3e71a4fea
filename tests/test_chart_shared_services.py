"""`services`: a Service over several components, and its weighted split as an Istio
VirtualService — what Space Cloud's driver made of a service with several versions (a Deployment
and a Service per version, the service's own Service `<id>` over every version, and a
VirtualService for `<id>` sharing each port's requests between the versions by weight)."""

from __future__ import annotations

from typing import Any

import pytest
from chartutil import RenderError, find, one, render

from svcgen.kube import validate_objects
from svcgen.model import Values


def version(tag: str, **extra: Any) -> dict[str, Any]:
    return {
        "podLabels": {"app": "orders", "version": tag},
        "containers": {"app": {"image": {"repository": "ghcr.io/acme/orders", "tag": tag},
                               "ports": {"http": {"containerPort": 8080},
                                         "grpc": {"containerPort": 9090}}}},
        **extra,
    }


def values(istio: bool = True, **shared: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "global": {"mesh": {"istio": istio}},
        "components": {
            "orders-v1": version("v1", service={"name": "orders-v1-internal"}),
            "orders-v2": version("v2"),
            "billing": {"containers": {"app": {"image": {"repository": "billing",
                                                         "tag": "1"}}}},
        },
        "services": {"orders": {
            "selector": {"app": "orders"},
            "ports": {"http": {"port": 8080, "targetPort": "http", "appProtocol": "http"},
                      "grpc": {"port": 9090, "targetPort": "grpc"}},
            "split": {"http": {"orders-v1": {"weight": 90}, "orders-v2": {"weight": 10}},
                      "grpc": {"orders-v1": {"weight": 50}, "orders-v2": {"weight": 50}}},
            **shared,
        }},
    }
    Values.model_validate(out)
    return out


def test_a_shared_service_selects_the_pods_of_every_matching_component(each_helm: str) -> None:
    objects = render(values(), helm=each_helm, namespace="shop")
    service = one(objects, "Service", "orders")
    assert service["spec"]["selector"] == {"app": "orders", "app.kubernetes.io/instance": "rel",
                                           "app.kubernetes.io/name": "svcgen"}
    assert [(p["name"], p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [
        ("grpc", 9090, "grpc"), ("http", 8080, "http")]
    # Its selector matches both versions' pods and no other component's.
    selected = []
    for deployment in find(objects, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if all(labels.get(k) == v for k, v in service["spec"]["selector"].items()):
            selected.append(deployment["metadata"]["name"])
    assert selected == ["orders-v1", "orders-v2"]
    # Each version keeps its own Service.
    assert one(objects, "Service", "orders-v1-internal")
    assert one(objects, "Service", "orders-v2")
    assert validate_objects(objects, "1.35.0") == []


def test_the_split_is_a_virtual_service_by_weight_with_the_mesh(each_helm: str) -> None:
    objects = render(values(), helm=each_helm, namespace="shop")
    spec = one(objects, "VirtualService", "orders")["spec"]
    assert spec["hosts"] == ["orders.shop.svc.cluster.local"]
    assert spec["http"] == [{"name": "http", "match": [{"port": 8080}], "route": [
        {"destination": {"host": "orders-v1-internal.shop.svc.cluster.local",
                         "port": {"number": 8080}}, "weight": 90},
        {"destination": {"host": "orders-v2.shop.svc.cluster.local",
                         "port": {"number": 8080}}, "weight": 10}]}]
    # A port that is not HTTP is split as TCP connections, as Space Cloud's TCP routes were.
    assert spec["tcp"] == [{"match": [{"port": 9090}], "route": [
        {"destination": {"host": "orders-v1-internal.shop.svc.cluster.local",
                         "port": {"number": 9090}}, "weight": 50},
        {"destination": {"host": "orders-v2.shop.svc.cluster.local",
                         "port": {"number": 9090}}, "weight": 50}]}]
    assert validate_objects(objects, "1.35.0") == []


def test_without_the_mesh_no_virtual_service_is_rendered(helm4: str) -> None:
    objects = render(values(istio=False), helm=helm4)
    assert not find(objects, "VirtualService")
    assert one(objects, "Service", "orders")


def test_the_release_prefix_names_the_shared_service_and_its_hosts(helm4: str) -> None:
    v = values()
    v["global"]["prefixWithRelease"] = True
    objects = render(v, helm=helm4, namespace="shop")
    assert one(objects, "Service", "rel-orders")
    route = one(objects, "VirtualService", "rel-orders")["spec"]["http"][0]["route"]
    assert route[1]["destination"]["host"] == "rel-orders-v2.shop.svc.cluster.local"


@pytest.mark.parametrize(("split", "message"), [
    ({"http": {"orders-v1": {"weight": 90}, "orders-v2": {"weight": 20}}},
     "services.orders.split.http: the weights sum to 110, not 100"),
    ({"http": {"orders-v3": {"weight": 100}}},
     "services.orders.split.http.orders-v3: there is no component orders-v3"),
    ({"admin": {"orders-v1": {"weight": 100}}},
     "services.orders.split.admin: the Service has no port admin"),
])
def test_an_inconsistent_split_fails_naming_the_value(
        split: dict[str, Any], message: str, helm4: str) -> None:
    with pytest.raises(RenderError) as err:
        render(values(split=split), helm=helm4)
    assert message in str(err.value)
