"""Autoscaling objects rendered by the chart (hpa.yaml, scaledobject.yaml, httpscaledobject.yaml).

Each scenario file in chart/ci is rendered once per module with the real helm; expectations come
from the scenario's values, so a change to either side that breaks the mapping fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from chartutil import CHART, KUBE_VERSION, RenderError, find, one, render
from ruamel.yaml import YAML

from svcgen.kube import validate_objects
from svcgen.model import Values

CI = CHART / "ci"
HPA_FILE = CI / "scaling-hpa-values.yaml"
KEDA_FILE = CI / "scaling-keda-values.yaml"
HTTP_FILE = CI / "scaling-keda-http-values.yaml"
SCALING_FILES = [HPA_FILE, KEDA_FILE, HTTP_FILE]

AUTOSCALER_KINDS = {
    "hpa": "HorizontalPodAutoscaler",
    "keda": "ScaledObject",
    "keda-http": "HTTPScaledObject",
}
WORKLOAD_KINDS = ("Deployment", "StatefulSet")

Objects = list[dict[str, Any]]


def load_values(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe", pure=True).load(path.read_text())
    return data


def component(scaling: dict[str, Any], ports: dict[str, int] | None = None) -> dict[str, Any]:
    """A one-container component with the given scaling and container ports (name → number)."""
    container: dict[str, Any] = {"image": {"repository": "nginx", "tag": "1.27"}}
    if ports:
        container["ports"] = {name: {"containerPort": n} for name, n in ports.items()}
    return {"containers": {"app": container}, "scaling": scaling}


def utilization(resource: str, percent: int) -> dict[str, Any]:
    """An HPA metric holding a resource at a percentage of requests."""
    target = {"type": "Utilization", "averageUtilization": percent}
    return {"type": "Resource", "resource": {"name": resource, "target": target}}


def target_ref(kind: str, name: str) -> dict[str, str]:
    return {"apiVersion": "apps/v1", "kind": kind, "name": name}


@pytest.fixture(scope="module")
def hpa_objects() -> Objects:
    return render(files=[HPA_FILE])


@pytest.fixture(scope="module")
def keda_objects() -> Objects:
    return render(files=[KEDA_FILE])


@pytest.fixture(scope="module")
def http_objects() -> Objects:
    return render(files=[HTTP_FILE])


@pytest.fixture(scope="module")
def rendered(
    hpa_objects: Objects, keda_objects: Objects, http_objects: Objects
) -> dict[Path, Objects]:
    return {HPA_FILE: hpa_objects, KEDA_FILE: keda_objects, HTTP_FILE: http_objects}


def autoscalers(objects: Objects) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] in AUTOSCALER_KINDS.values()]


def workload(objects: Objects, ref: dict[str, Any]) -> dict[str, Any]:
    """The rendered workload a scaleTargetRef points to; fails when there is none."""
    assert ref["apiVersion"] == "apps/v1"
    assert ref["kind"] in WORKLOAD_KINDS
    return one(objects, ref["kind"], ref["name"])


# --- engine selection -------------------------------------------------------------------------


@pytest.mark.parametrize("path", SCALING_FILES, ids=lambda p: p.name)
def test_each_scaling_component_gets_exactly_the_autoscaler_the_model_names(
    path: Path, rendered: dict[Path, Objects]
) -> None:
    model = Values.model_validate(load_values(path))
    objects = rendered[path]
    expected = {
        (AUTOSCALER_KINDS[c.scaling.engine], cid)
        for cid, c in model.components.items()
        if c.enabled and c.scaling is not None and c.scaling.enabled
    }
    assert expected, "the scenario must scale something"
    assert {(o["kind"], o["metadata"]["name"]) for o in autoscalers(objects)} == expected


@pytest.mark.parametrize("path", SCALING_FILES, ids=lambda p: p.name)
def test_scale_target_ref_points_at_the_rendered_workload(
    path: Path, rendered: dict[Path, Objects]
) -> None:
    values = load_values(path)
    for scaler in autoscalers(rendered[path]):
        component = values["components"][scaler["metadata"]["name"]]
        target = workload(rendered[path], scaler["spec"]["scaleTargetRef"])
        assert target["kind"] == component.get("kind", "Deployment")
        labels = target["metadata"]["labels"]
        assert labels["app.kubernetes.io/component"] == scaler["metadata"]["name"]


@pytest.mark.parametrize("path", SCALING_FILES, ids=lambda p: p.name)
def test_autoscaled_workloads_leave_replicas_to_the_autoscaler(
    path: Path, rendered: dict[Path, Objects]
) -> None:
    """A fixed spec.replicas would reset the scaled count on every `helm upgrade`."""
    objects = rendered[path]
    scaled = {o["spec"]["scaleTargetRef"]["name"] for o in autoscalers(objects)}
    for o in objects:
        if o["kind"] in WORKLOAD_KINDS:
            name = o["metadata"]["name"]
            assert ("replicas" in o["spec"]) == (name not in scaled), name


# --- HorizontalPodAutoscaler ------------------------------------------------------------------


def test_hpa_carries_min_max_and_both_utilization_targets(hpa_objects: Objects) -> None:
    hpa = one(hpa_objects, "HorizontalPodAutoscaler", "api")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == target_ref("Deployment", "api")
    assert hpa["spec"]["minReplicas"] == 2
    assert hpa["spec"]["maxReplicas"] == 10
    assert hpa["spec"]["metrics"] == [utilization("cpu", 70), utilization("memory", 85)]


def test_hpa_without_targets_holds_cpu_at_80_percent(hpa_objects: Objects) -> None:
    hpa = one(hpa_objects, "HorizontalPodAutoscaler", "search")
    assert hpa["spec"]["scaleTargetRef"]["kind"] == "StatefulSet"
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 6)
    assert hpa["spec"]["metrics"] == [utilization("cpu", 80)]


def test_hpa_scales_down_gently_after_the_cooldown(hpa_objects: Objects) -> None:
    api = one(hpa_objects, "HorizontalPodAutoscaler", "api")["spec"]["behavior"]
    search = one(hpa_objects, "HorizontalPodAutoscaler", "search")["spec"]["behavior"]
    assert "scaleUp" not in api, "scaling up keeps Kubernetes' default pace"
    assert api["scaleDown"]["stabilizationWindowSeconds"] == 600  # scaling.cooldownPeriod
    assert search["scaleDown"]["stabilizationWindowSeconds"] == 300  # default
    assert api["scaleDown"]["selectPolicy"] == "Max"
    assert api["scaleDown"]["policies"] == [
        {"type": "Pods", "value": 1, "periodSeconds": 60},
        {"type": "Percent", "value": 10, "periodSeconds": 60},
    ]


def test_disabled_scaling_renders_no_autoscaler_and_keeps_replicas(hpa_objects: Objects) -> None:
    assert not [o for o in autoscalers(hpa_objects) if o["metadata"]["name"] == "cache"]
    assert one(hpa_objects, "Deployment", "cache")["spec"]["replicas"] == 2


@pytest.mark.parametrize("path", SCALING_FILES, ids=lambda p: p.name)
def test_rendered_objects_match_their_api_schemas(
    path: Path, rendered: dict[Path, Objects]
) -> None:
    """HPA against Kubernetes' own schema; KEDA's kinds against schemas written after their CRDs."""
    assert validate_objects(rendered[path], KUBE_VERSION) == []


def test_hpa_window_stays_within_the_api_limit() -> None:
    values = {"components": {"api": component({"maxReplicas": 3, "cooldownPeriod": 7200})}}
    hpa = one(render(values), "HorizontalPodAutoscaler", "api")
    assert hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 3600


# --- KEDA ScaledObject ------------------------------------------------------------------------


def test_scaledobject_scales_to_zero_on_user_triggers_plus_cpu(keda_objects: Objects) -> None:
    so = one(keda_objects, "ScaledObject", "worker")
    assert so["apiVersion"] == "keda.sh/v1alpha1"
    spec = so["spec"]
    assert spec["scaleTargetRef"] == target_ref("Deployment", "worker")
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (0, 20)
    assert (spec["pollingInterval"], spec["cooldownPeriod"]) == (15, 120)
    user = load_values(KEDA_FILE)["components"]["worker"]["scaling"]["triggers"]
    assert spec["triggers"] == [
        *user,
        {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "75"}},
    ]


def test_scaledobject_keeps_trigger_fields_and_adds_memory(keda_objects: Objects) -> None:
    spec = one(keda_objects, "ScaledObject", "reports")["spec"]
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (1, 4)
    assert "pollingInterval" not in spec and "cooldownPeriod" not in spec, "KEDA's defaults apply"
    user = load_values(KEDA_FILE)["components"]["reports"]["scaling"]["triggers"]
    assert spec["triggers"] == [
        *user,
        {"type": "memory", "metricType": "Utilization", "metadata": {"value": "80"}},
    ]
    # Scaler metadata is strings in KEDA's API, numbers included.
    assert spec["triggers"][0]["metadata"]["desiredReplicas"] == "3"


def test_unset_trigger_fields_are_left_out() -> None:
    cron = {"start": "0 8 * * *", "end": "0 9 * * *", "timezone": "UTC", "desiredReplicas": "1"}
    trigger = {"type": "cron", "name": None, "metricType": None, "metadata": cron}
    scaling = {"minReplicas": 0, "maxReplicas": 3, "triggers": [trigger]}
    values = {"components": {"worker": component(scaling)}}
    trigger = one(render(values), "ScaledObject", "worker")["spec"]["triggers"][0]
    assert set(trigger) == {"type", "metadata"}


@pytest.mark.parametrize(
    "scaling",
    [
        {"minReplicas": 0, "maxReplicas": 3, "targetCPU": 60},
        {"minReplicas": 0, "maxReplicas": 3,
         "triggers": [{"type": "memory", "metadata": {"value": "60"}}]},
    ],
    ids=["cpu-target-only", "memory-trigger-only"],
)
def test_scale_to_zero_without_an_event_trigger_fails(scaling: dict[str, Any]) -> None:
    with pytest.raises(RenderError) as err:
        render({"components": {"worker": component(scaling)}})
    assert "components.worker.scaling: minReplicas 0" in err.value.stderr
    assert "other than cpu or memory" in err.value.stderr


# --- KEDA HTTP add-on -------------------------------------------------------------------------


def test_httpscaledobject_scales_on_concurrency_with_ingress_hosts(http_objects: Objects) -> None:
    hso = one(http_objects, "HTTPScaledObject", "web")
    assert hso["apiVersion"] == "http.keda.sh/v1alpha1"
    spec = hso["spec"]
    assert spec["hosts"] == ["example.com", "www.example.com"]
    assert spec["replicas"] == {"min": 0, "max": 15}
    assert spec["scaledownPeriod"] == 180
    assert spec["scalingMetric"] == {"concurrency": {"targetValue": 40}}
    expected_ref = {**target_ref("Deployment", "web"), "service": "web", "port": 8080}
    assert spec["scaleTargetRef"] == expected_ref


def test_httpscaledobject_scales_on_request_rate(http_objects: Objects) -> None:
    spec = one(http_objects, "HTTPScaledObject", "api")["spec"]
    rate = {"targetValue": 25, "granularity": "1s", "window": "1m"}
    assert spec["scalingMetric"] == {"requestRate": rate}
    assert spec["replicas"] == {"min": 1, "max": 8}
    assert "scaledownPeriod" not in spec, "the add-on's default applies"
    # No hosts in values: the ingress serves <id>.<global.domain>, and so does the interceptor.
    assert spec["hosts"] == ["api.example.com"]
    ingress = one(http_objects, "Ingress", "api")
    assert spec["hosts"] == [rule["host"] for rule in ingress["spec"]["rules"]]


def test_httpscaledobject_keeps_hosts_of_a_disabled_ingress(http_objects: Objects) -> None:
    """Hosts routed to the interceptor by the user's own Ingress or HTTPRoute still reach it."""
    assert not find(http_objects, "Ingress", "docs")
    spec = one(http_objects, "HTTPScaledObject", "docs")["spec"]
    assert spec["hosts"] == ["docs.example.com"]
    assert spec["scaleTargetRef"]["kind"] == "StatefulSet"
    assert spec["scalingMetric"]["requestRate"]["targetValue"] == 5


def test_httpscaledobject_without_any_ingress_has_no_hosts() -> None:
    values = {"components": {"web": component({"maxReplicas": 3, "requestsPerSecond": 10},
                                               {"http": 8080})}}
    assert "hosts" not in one(render(values), "HTTPScaledObject", "web")["spec"]


def test_httpscaledobject_routes_to_a_port_of_the_rendered_service(http_objects: Objects) -> None:
    for hso in find(http_objects, "HTTPScaledObject"):
        ref = hso["spec"]["scaleTargetRef"]
        service = one(http_objects, "Service", ref["service"])
        ports = service["spec"]["ports"]
        assert ref["port"] in [p["port"] for p in ports]
        # The port named http when the Service has one, else its first port.
        named = [p["port"] for p in ports if p["name"] == "http"]
        assert ref["port"] == (named[0] if named else ports[0]["port"])
        pods = workload(http_objects, ref)["spec"]["selector"]["matchLabels"]
        assert service["spec"]["selector"] == pods


def test_http_metrics_alone_drive_scaling_when_cpu_targets_are_also_set() -> None:
    """The add-on owns the ScaledObject (and HPA) of its target: no second autoscaler."""
    scaling = {
        "maxReplicas": 5, "concurrency": 10, "targetCPU": 70, "targetMemory": 80,
        "triggers": [{"type": "cron", "metadata": {"start": "0 8 * * *"}}],
    }
    objects = render({"components": {"web": component(scaling, {"http": 8080})}})
    kinds = [(o["kind"], o["metadata"]["name"]) for o in autoscalers(objects)]
    assert kinds == [("HTTPScaledObject", "web")]
    metric = one(objects, "HTTPScaledObject", "web")["spec"]["scalingMetric"]
    assert metric == {"concurrency": {"targetValue": 10}}


@pytest.mark.parametrize(
    ("web", "message"),
    [
        (
            component({"maxReplicas": 3, "concurrency": 10, "requestsPerSecond": 5}, {"http": 80}),
            "components.web.scaling: concurrency and requestsPerSecond are alternatives",
        ),
        (
            component({"maxReplicas": 3, "concurrency": 10}),
            "components.web.scaling: concurrency and requestsPerSecond scale on HTTP traffic",
        ),
    ],
    ids=["both-http-metrics", "no-service-port"],
)
def test_inconsistent_http_scaling_fails(web: dict[str, Any], message: str) -> None:
    with pytest.raises(RenderError) as err:
        render({"components": {"web": web}})
    assert message in err.value.stderr


def test_release_prefix_reaches_target_and_service_names() -> None:
    values = {
        "global": {"prefixWithRelease": True},
        "components": {"web": component({"maxReplicas": 3, "requestsPerSecond": 10}, {"http": 80})},
    }
    objects = render(values, release="shop")
    ref = one(objects, "HTTPScaledObject", "shop-web")["spec"]["scaleTargetRef"]
    assert (ref["name"], ref["service"]) == ("shop-web", "shop-web")
    workload(objects, ref)
    one(objects, "Service", ref["service"])


# --- Helm 3 and Helm 4 (test_chart_testing.py runs `helm lint --strict` on every scenario) ---


@pytest.mark.parametrize("path", SCALING_FILES, ids=lambda p: p.name)
def test_helm3_renders_the_same_objects(path: Path, rendered: dict[Path, Objects]) -> None:
    assert render(files=[path], helm="helm3") == rendered[path]
