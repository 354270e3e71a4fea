"""Strict validation of rendered objects (svcgen.kube): Kubernetes kinds, CRD kinds, the cache."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from svcgen import kube
from svcgen.diagnostics import SvcgenError

VERSIONS = ["1.29.0", "1.35.0"]


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "labels": {"app.kubernetes.io/name": "svcgen"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app.kubernetes.io/component": "api"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/component": "api"}},
                "spec": {
                    "containers": [{
                        "name": "app",
                        "image": "ghcr.io/acme/api:1.4.2",
                        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                        "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}},
                    }],
                },
            },
        },
    }


def scaled_object() -> dict[str, Any]:
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": "worker", "labels": {"app.kubernetes.io/component": "worker"}},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"},
            "minReplicaCount": 0,
            "maxReplicaCount": 5,
            "triggers": [{"type": "cron", "metadata": {"start": "0 8 * * *", "end": "0 18 * * *",
                                                        "timezone": "UTC",
                                                        "desiredReplicas": "2"}}],
        },
    }


def http_scaled_object() -> dict[str, Any]:
    return {
        "apiVersion": "http.keda.sh/v1alpha1",
        "kind": "HTTPScaledObject",
        "metadata": {"name": "web"},
        "spec": {
            "hosts": ["web.example.com"],
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                               "service": "web", "port": 80},
            "replicas": {"min": 0, "max": 10},
            "scalingMetric": {"concurrency": {"targetValue": 50}},
        },
    }


def authorization_policy() -> dict[str, Any]:
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "AuthorizationPolicy",
        "metadata": {"name": "api"},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/component": "api"}},
            "action": "ALLOW",
            "rules": [{"from": [{"source": {"principals": [
                "cluster.local/ns/shop/sa/web"]}}]}],
        },
    }


def sidecar() -> dict[str, Any]:
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Sidecar",
        "metadata": {"name": "api"},
        "spec": {
            "workloadSelector": {"labels": {"app.kubernetes.io/component": "api"}},
            "egress": [{"hosts": ["./db.shop.svc.cluster.local", "istio-system/*"]}],
            "outboundTrafficPolicy": {"mode": "REGISTRY_ONLY"},
        },
    }


def service_monitor() -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": "api", "labels": {"release": "kube-prometheus-stack"}},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/component": "api"},
                         "matchExpressions": [{"key": "svcgen.io/headless",
                                               "operator": "DoesNotExist"}]},
            "endpoints": [{"port": "metrics", "path": "/metrics", "scheme": "https",
                           "interval": "30s", "scrapeTimeout": "10s",
                           "tlsConfig": {"ca": {"secret": {"name": "api-ca", "key": "ca.crt"}},
                                         "serverName": "api.internal"}}],
        },
    }


def pod_monitor() -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": {"name": "worker"},
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/component": "worker"}},
            "podMetricsEndpoints": [{"port": "metrics", "path": "/metrics", "interval": "1m30s"}],
        },
    }


VALID = [deployment, scaled_object, http_scaled_object, authorization_policy, sidecar,
         service_monitor, pod_monitor]


def paths_and_messages(problems: list[kube.KubeProblem]) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in problems]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("make", VALID, ids=[f.__name__ for f in VALID])
def test_valid_object_passes(make: Any, version: str) -> None:
    assert kube.validate_objects([make()], version) == []


def test_unknown_field_fails_in_strict_mode_with_its_path() -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["containers"][0]["ports"][0]["hostPortt"] = 80
    (problem,) = kube.validate_objects([obj], "1.35.0")
    assert problem == kube.KubeProblem(
        kind="Deployment", name="api", api_version="apps/v1",
        path="spec.template.spec.containers[0].ports[0].hostPortt",
        message="unknown field 'hostPortt'",
    )


def test_each_unknown_field_is_its_own_problem() -> None:
    obj = deployment()
    obj["spec"]["strategyy"] = {}
    obj["spec"]["replica"] = 1
    assert sorted(p.path for p in kube.validate_objects([obj], "1.29.0")) == [
        "spec.replica", "spec.strategyy"]


def test_wrong_type_fails_with_the_field_path() -> None:
    obj = deployment()
    obj["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "8080"
    (problem,) = kube.validate_objects([obj], "1.35.0")
    assert problem.path == "spec.template.spec.containers[0].ports[0].containerPort"
    assert "'8080' is not of type 'integer'" in problem.message


def test_missing_required_field_fails() -> None:
    obj = deployment()
    del obj["spec"]["template"]["spec"]["containers"][0]["name"]
    assert paths_and_messages(kube.validate_objects([obj], "1.35.0")) == [
        ("spec.template.spec.containers[0]", "'name' is a required property")]


def test_we_agree_with_kubernetes_validate_on_core_kinds() -> None:
    good, bad = deployment(), deployment()
    bad["spec"]["template"]["spec"]["containers"][0]["bogus"] = True
    kubernetes_validate.validate(good, "1.35.0", strict=True)
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, "1.35.0", strict=True)
    assert kube.validate_objects([good], "1.35.0") == []
    assert kube.validate_objects([bad], "1.35.0") != []


def test_field_added_in_a_later_kubernetes_is_unknown_to_an_earlier_one() -> None:
    # Pod-level resources (spec.resources) arrived in Kubernetes 1.32.
    obj = deployment()
    obj["spec"]["template"]["spec"]["resources"] = {"requests": {"cpu": "1"}}
    assert kube.validate_objects([obj], "1.35.0") == []
    assert paths_and_messages(kube.validate_objects([obj], "1.29.0")) == [
        ("spec.template.spec.resources", "unknown field 'resources'")]


# --- CRD kinds -------------------------------------------------------------------------------


def test_scaled_object_needs_a_target_name_and_triggers() -> None:
    no_name, no_triggers = scaled_object(), scaled_object()
    del no_name["spec"]["scaleTargetRef"]["name"]
    del no_triggers["spec"]["triggers"]
    assert paths_and_messages(kube.validate_objects([no_name, no_triggers], "1.35.0")) == [
        ("spec.scaleTargetRef", "'name' is a required property"),
        ("spec", "'triggers' is a required property"),
    ]


def test_scaled_object_trigger_needs_type_and_string_metadata() -> None:
    obj = scaled_object()
    obj["spec"]["triggers"] = [{"metadata": {"value": 80}}, {"type": "cpu"}]
    assert paths_and_messages(kube.validate_objects([obj], "1.35.0")) == [
        ("spec.triggers[0]", "'type' is a required property"),
        ("spec.triggers[0].metadata.value", "80 is not of type 'string'"),
        ("spec.triggers[1]", "'metadata' is a required property"),
    ]


def test_http_scaled_object_needs_service_and_exactly_one_port() -> None:
    no_service, no_port, both = http_scaled_object(), http_scaled_object(), http_scaled_object()
    del no_service["spec"]["scaleTargetRef"]["service"]
    del no_port["spec"]["scaleTargetRef"]["port"]
    both["spec"]["scaleTargetRef"]["portName"] = "http"
    problems = kube.validate_objects([no_service], "1.35.0")
    assert paths_and_messages(problems) == [("spec.scaleTargetRef",
                                             "'service' is a required property")]
    assert paths_and_messages(kube.validate_objects([no_port, both], "1.35.0")) == [
        ("spec.scaleTargetRef", "needs exactly one of 'port' and 'portName', has none"),
        ("spec.scaleTargetRef", "needs exactly one of 'port' and 'portName', has more than one"),
    ]


def test_http_scaled_object_port_must_be_a_number() -> None:
    obj = http_scaled_object()
    obj["spec"]["scaleTargetRef"]["port"] = "http"
    problems = kube.validate_objects([obj], "1.35.0")
    assert [p.path for p in problems] == ["spec.scaleTargetRef.port"]


def test_authorization_policy_action_and_condition_key_are_checked() -> None:
    obj = authorization_policy()
    obj["spec"]["action"] = "PERMIT"
    obj["spec"]["rules"][0]["when"] = [{"values": ["GET"]}]
    assert paths_and_messages(kube.validate_objects([obj], "1.35.0")) == [
        ("spec.action", "'PERMIT' is not one of ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']"),
        ("spec.rules[0].when[0]", "'key' is a required property"),
    ]


def test_sidecar_egress_needs_namespaced_hosts() -> None:
    no_hosts, bare_host = sidecar(), sidecar()
    no_hosts["spec"]["egress"] = [{"bind": "127.0.0.1"}]
    bare_host["spec"]["egress"][0]["hosts"] = ["db"]
    assert paths_and_messages(kube.validate_objects([no_hosts], "1.35.0")) == [
        ("spec.egress[0]", "'hosts' is a required property")]
    assert [p.path for p in kube.validate_objects([bare_host], "1.35.0")] == [
        "spec.egress[0].hosts[0]"]


def test_service_monitor_is_strict_at_every_level() -> None:
    """After the operator's Go types: Endpoint and TLSConfig have no other fields, the scheme is
    http or https (either case), durations are Prometheus durations, and a selector and the
    endpoints are required."""
    obj = service_monitor()
    endpoint = obj["spec"]["endpoints"][0]
    endpoint["intervall"] = "30s"
    endpoint["scheme"] = "tcp"
    endpoint["scrapeTimeout"] = "10 seconds"
    endpoint["tlsConfig"]["caa"] = {}
    assert [p for p, _ in paths_and_messages(kube.validate_objects([obj], "1.35.0"))] == [
        "spec.endpoints[0].intervall", "spec.endpoints[0].scheme",
        "spec.endpoints[0].scrapeTimeout", "spec.endpoints[0].tlsConfig.caa"]
    obj = service_monitor()
    del obj["spec"]["endpoints"]
    (problem,) = kube.validate_objects([obj], "1.35.0")
    assert "'endpoints' is a required property" in problem.message


def test_pod_monitor_tls_has_no_file_fields_and_ports_are_bounded() -> None:
    """A PodMonitor endpoint's tlsConfig is the operator's SafeTLSConfig: no caFile/certFile,
    which would read files from the Prometheus pod."""
    obj = pod_monitor()
    endpoint = obj["spec"]["podMetricsEndpoints"][0]
    endpoint["tlsConfig"] = {"caFile": "/etc/ca.pem"}
    endpoint["portNumber"] = 70000
    assert [p for p, _ in paths_and_messages(kube.validate_objects([obj], "1.29.0"))] == [
        "spec.podMetricsEndpoints[0].portNumber", "spec.podMetricsEndpoints[0].tlsConfig.caFile"]


def test_crd_metadata_is_checked_like_any_object_metadata() -> None:
    obj = sidecar()
    obj["metadata"]["label"] = {"a": "b"}
    assert paths_and_messages(kube.validate_objects([obj], "1.29.0")) == [
        ("metadata.label", "unknown field 'label'")]


def test_unknown_kind_is_a_problem() -> None:
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    (problem,) = kube.validate_objects([obj], "1.35.0")
    assert problem.message.startswith("no schema for kind Widget")


def test_a_group_sharing_a_first_label_is_not_mistaken_for_kubernetes() -> None:
    # networking.istio.io is not networking.k8s.io: no Kubernetes Ingress schema for it.
    obj = {"apiVersion": "networking.istio.io/v1", "kind": "Ingress", "metadata": {"name": "x"}}
    (problem,) = kube.validate_objects([obj], "1.35.0")
    assert problem.message.startswith("no schema for kind Ingress")


def test_object_without_kind_is_a_problem() -> None:
    (problem,) = kube.validate_objects([{"metadata": {"name": "x"}}], "1.35.0")
    assert "apiVersion and kind" in problem.message


# --- versions --------------------------------------------------------------------------------


def test_required_versions_are_bundled() -> None:
    assert {"1.29.0", "1.35.0"} <= set(kube.supported_versions())


@pytest.mark.parametrize(("asked", "used"), [("1.29.0", "1.29.0"), ("v1.29.7", "1.29.0"),
                                             ("1.35", "1.35.0")])
def test_patch_releases_use_their_minor_versions_schemas(asked: str, used: str) -> None:
    assert kube.schema_version(asked) == used


@pytest.mark.parametrize("asked", ["1.99.0", "1.2.0", "latest"])
def test_unsupported_version_is_a_usage_error(asked: str) -> None:
    with pytest.raises(SvcgenError) as caught:
        kube.validate_objects([deployment()], asked)
    assert caught.value.exit_code == 2
    assert caught.value.diagnostics[0].hint


# --- the cache -------------------------------------------------------------------------------


@pytest.fixture()
def cold_cache() -> Iterator[None]:
    def clear() -> None:
        for cached in (kube._validator, kube._registry, kube._crd_schema, kube._definitions,
                   kube._rs_registry, kube._compiled):
            cached.cache_clear()
        kube.loads.clear()

    clear()
    yield
    clear()


def test_each_schema_file_is_loaded_once_per_run(cold_cache: None) -> None:
    objects = [make() for make in VALID for _ in range(20)]
    for version in VERSIONS:
        for _ in range(3):
            assert kube.validate_objects(objects, version) == []
    assert kube.loads, "nothing was loaded"
    assert set(kube.loads.values()) == {1}, kube.loads
    definitions = [p for p in kube.loads if p.endswith("_definitions.json")]
    assert len(definitions) == len(VERSIONS)
    # One Kubernetes schema per kind and version, and each CRD schema once for all versions.
    assert len(kube.loads) == len(VERSIONS) * 2 + 6


def test_invalid_objects_do_not_bypass_the_cache(cold_cache: None) -> None:
    bad = deployment()
    bad["spec"]["replicas"] = "two"
    for _ in range(10):
        assert kube.validate_objects([copy.deepcopy(bad)], "1.35.0")
    assert set(kube.loads.values()) == {1}


def test_the_compiled_validator_agrees_with_the_reference_on_every_golden_object() -> None:
    """jsonschema-rs only answers "valid?" in front of the reference validator: on every object
    the chart renders in its goldens, and on each of them broken, both must give one answer."""
    import yaml

    objects = [doc for path in sorted((Path(__file__).parent / "chart_golden").glob("*.yaml"))
               for doc in yaml.safe_load_all(path.read_text()) if isinstance(doc, dict)]
    assert len(objects) > 100
    kinds = set()
    for obj in objects:
        api_version, kind = obj["apiVersion"], obj["kind"]
        kinds.add(kind)
        reference = kube._validator("1.35.0", api_version, kind)
        compiled = kube._compiled("1.35.0", api_version, kind)
        assert reference is not None and compiled is not None, kind
        broken = copy.deepcopy(obj)
        broken["metadata"]["nmae"] = "typo"
        assert reference.is_valid(obj) and not reference.is_valid(broken), kind
        for candidate in (obj, broken):
            assert compiled.is_valid(candidate) == reference.is_valid(candidate), (kind, candidate)
    assert {"Deployment", "Service", "NetworkPolicy", "HTTPRoute"} <= kinds
