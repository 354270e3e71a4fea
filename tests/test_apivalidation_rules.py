"""Each API-server rule of ``lint --render`` (SVC910-SVC927) on one object it refuses and the
same object corrected: the refusal is what the upstream validation function named in the rule's
docstring answers for that object, the correction what it accepts."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from svcgen.lint.registry import find_rule
from svcgen.lint.render_rules import API_RULES, validate

Obj = dict[str, Any]


def container(**fields: Any) -> Obj:
    return {"name": "app", "image": "ghcr.io/acme/api:1.4.2", **fields}


def deployment(*containers_: Obj, kind: str = "Deployment", **pod: Any) -> Obj:
    spec = {"containers": list(containers_) or [container()], **pod}
    return {"apiVersion": "apps/v1", "kind": kind,
            "metadata": {"name": "api", "labels": {"app.kubernetes.io/component": "api"}},
            "spec": {"selector": {"matchLabels": {"app": "api"}},
                     "template": {"metadata": {"labels": {"app": "api"}}, "spec": spec}}}


def service(*ports: Obj) -> Obj:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"},
            "spec": {"ports": list(ports)}}


def with_labels(labels: dict[str, str]) -> Obj:
    obj = deployment()
    obj["metadata"]["labels"].update(labels)
    return obj


def cronjob(name: str = "nightly", schedule: str = "0 3 * * *", **spec: Any) -> Obj:
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"schedule": schedule, **spec, "jobTemplate": {"spec": {"template": {
                "spec": {"containers": [container()], "restartPolicy": "OnFailure"}}}}}}


def route(path: str, timeouts: dict[str, str] | None = None) -> Obj:
    rule: Obj = {"matches": [{"path": {"type": "PathPrefix", "value": path}}],
                 "backendRefs": [{"name": "api", "port": 80}]}
    if timeouts:
        rule["timeouts"] = timeouts
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "api"}, "spec": {"rules": [rule]}}


def scaled(trigger: str, requests: dict[str, str], name: str = "api",
           min_replicas: int = 1) -> list[Obj]:
    workload = deployment(container(resources={"requests": requests}))
    workload["metadata"]["name"] = name
    return [workload, {
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": {"name": name},
        "spec": {"scaleTargetRef": {"name": name}, "minReplicaCount": min_replicas,
                 "triggers": [{"type": trigger, "metricType": "Utilization",
                               "metadata": {"value": "70"}}]}}]


def claim(size: str) -> Obj:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "api-data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests":
                                                                     {"storage": size}}}}


def config_map(key: str) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "api-files"},
            "data": {key: "x"}}


def rollout(kind: str, **update: Any) -> Obj:
    obj = deployment(kind=kind)
    field = "strategy" if kind == "Deployment" else "updateStrategy"
    obj["spec"][field] = {"type": "RollingUpdate", "rollingUpdate": update}
    return obj


def preferred(weight: int) -> Obj:
    return {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": weight, "preference": {"matchExpressions": [
            {"key": "zone", "operator": "In", "values": ["a"]}]}}]}}


def spread(skew: int) -> list[Obj]:
    return [{"maxSkew": skew, "topologyKey": "topology.kubernetes.io/zone",
             "whenUnsatisfiable": "DoNotSchedule"}]


#: rule id → (refused render, the accepted correction, words of the refusal), one line per case.
CASES: list[tuple[str, Callable[[], list[Obj]], Callable[[], list[Obj]], str]] = [
    ("SVC910", lambda: [with_labels({"team": "platform engineering"})],
     lambda: [with_labels({"team": "platform-engineering"})], "label value"),
    ("SVC910", lambda: [with_labels({"acme.com/a/b": "x"})],
     lambda: [with_labels({"acme.com/a-b": "x"})], "at most one '/'"),
    ("SVC910", lambda: [deployment(nodeSelector={"disk": "x" * 64})],
     lambda: [deployment(nodeSelector={"disk": "ssd"})], "no more than 63"),
    ("SVC911", lambda: [{**deployment(), "metadata": {"name": "api", "annotations": {
        "acme com/owner": "a"}}}],
     lambda: [{**deployment(), "metadata": {"name": "api", "annotations": {
         "acme.com/owner": "a b c"}}}], "annotation key"),
    ("SVC912", lambda: [service(), copy.deepcopy(service())],
     lambda: [service(), {**service(), "metadata": {"name": "web"}}], "rendered twice"),
    ("SVC913", lambda: [deployment(container(envFrom=[{"configMapRef": {"name": "c"},
                                                       "prefix": "X="}]))],
     lambda: [deployment(container(envFrom=[{"configMapRef": {"name": "c"},
                                             "prefix": "X_"}]))], "prefix"),
    ("SVC913", lambda: [config_map("..data")], lambda: [config_map("data.yaml")],
     "must not start with '..'"),
    ("SVC913", lambda: [deployment(container(env=[{"name": "DB", "valueFrom": {
        "secretKeyRef": {"name": "db", "key": "pass word"}}}]))],
     lambda: [deployment(container(env=[{"name": "DB", "valueFrom": {
         "secretKeyRef": {"name": "db", "key": "password"}}}]))], "key 'pass word'"),
    ("SVC914", lambda: [deployment(container(resources={"requests": {"cpu": "-250m"}}))],
     lambda: [deployment(container(resources={"requests": {"cpu": "250m"}}))],
     "greater than or equal to 0"),
    ("SVC914", lambda: [deployment(container(resources={"requests": {"nvidia.com/gpu": 1}}))],
     lambda: [deployment(container(resources={"requests": {"nvidia.com/gpu": 1},
                                              "limits": {"nvidia.com/gpu": 1}}))],
     "limit must be set"),
    ("SVC914", lambda: [deployment(container(resources={"limits": {"gpu": 1}}))],
     lambda: [deployment(container(resources={"limits": {"acme.com/gpu": 1}}))],
     "standard resource"),
    ("SVC914", lambda: [deployment(container(resources={"requests": {"memory": "2Gi"},
                                                        "limits": {"memory": "1Gi"}}))],
     lambda: [deployment(container(resources={"requests": {"memory": "1Gi"},
                                              "limits": {"memory": "1Gi"}}))],
     "less than or equal to"),
    ("SVC915", lambda: [deployment(container(livenessProbe={
        "tcpSocket": {"port": 80}, "successThreshold": 2}))],
     lambda: [deployment(container(readinessProbe={
         "tcpSocket": {"port": 80}, "successThreshold": 2}))], "must be 1"),
    ("SVC915", lambda: [deployment(container(readinessProbe={"httpGet": {
        "path": "/", "port": 80, "httpHeaders": [{"name": "X Trace", "value": "1"}]}}))],
     lambda: [deployment(container(readinessProbe={"httpGet": {
         "path": "/", "port": 80, "httpHeaders": [{"name": "X-Trace", "value": "1"}]}}))],
     "HTTP header"),
    ("SVC916", lambda: [deployment(container(ports=[{"name": "8080", "containerPort": 8080}]))],
     lambda: [deployment(container(ports=[{"name": "http", "containerPort": 8080}]))],
     "at least one letter"),
    ("SVC916", lambda: [service({"name": "grpc--web", "port": 80})],
     lambda: [service({"name": "grpc-web", "port": 80})], "consecutive hyphens"),
    ("SVC917", lambda: [deployment(container(volumeMounts=[
        {"name": "data", "mountPath": "/d", "subPath": "../etc"}]))],
     lambda: [deployment(container(volumeMounts=[
         {"name": "data", "mountPath": "/d", "subPath": "etc"}]))], "'..'"),
    ("SVC917", lambda: [claim("0")], lambda: [claim("1Gi")], "greater than zero"),
    ("SVC917", lambda: [deployment(volumes=[{"name": "t", "emptyDir": {"sizeLimit": "-1Gi"}}])],
     lambda: [deployment(volumes=[{"name": "t", "emptyDir": {"sizeLimit": "1Gi"}}])],
     "greater than or equal to 0"),
    ("SVC918", lambda: [deployment(container(lifecycle={"preStop": {"sleep": {"seconds": 45}}}))],
     lambda: [deployment(container(lifecycle={"preStop": {"sleep": {"seconds": 45}}}),
                         terminationGracePeriodSeconds=60)], "terminationGracePeriodSeconds"),
    ("SVC919", lambda: [deployment(container(securityContext={"runAsUser": 2**31}))],
     lambda: [deployment(container(securityContext={"runAsUser": 2**31 - 1}))],
     "between 0 and"),
    ("SVC919", lambda: [deployment(container(securityContext={
        "allowPrivilegeEscalation": False, "privileged": True}))],
     lambda: [deployment(container(securityContext={"privileged": True}))], "privileged"),
    ("SVC919", lambda: [deployment(container(securityContext={
        "allowPrivilegeEscalation": False, "capabilities": {"add": ["CAP_SYS_ADMIN"]}}))],
     lambda: [deployment(container(securityContext={
         "allowPrivilegeEscalation": False, "capabilities": {"add": ["NET_BIND_SERVICE"]}}))],
     "CAP_SYS_ADMIN"),
    ("SVC920", lambda: [deployment(affinity=preferred(0))],
     lambda: [deployment(affinity=preferred(1))], "1-100"),
    ("SVC920", lambda: [deployment(tolerations=[{"key": "", "operator": "Equal"}])],
     lambda: [deployment(tolerations=[{"operator": "Exists"}])], "operator Exists"),
    ("SVC920", lambda: [deployment(topologySpreadConstraints=spread(0))],
     lambda: [deployment(topologySpreadConstraints=spread(1))], "maxSkew"),
    ("SVC921", lambda: [deployment(hostAliases=[{"ip": "db", "hostnames": ["db.internal"]}])],
     lambda: [deployment(hostAliases=[{"ip": "10.0.0.5", "hostnames": ["db.internal"]}])],
     "IP address"),
    ("SVC922", lambda: [deployment(priorityClassName="High")],
     lambda: [deployment(priorityClassName="high")], "priorityClassName"),
    ("SVC922", lambda: [service({"name": "h", "port": 80, "appProtocol": "grpc web"})],
     lambda: [service({"name": "h", "port": 80, "appProtocol": "kubernetes.io/h2c"})],
     "appProtocol"),
    ("SVC923", lambda: [cronjob(name="n" * 53)], lambda: [cronjob(name="n" * 52)],
     "no more than 52"),
    ("SVC923", lambda: [cronjob(schedule="0 25 * * *")], lambda: [cronjob(schedule="0 23 * * *")],
     "schedule"),
    ("SVC923", lambda: [cronjob(timeZone="Mars/Olympus")],
     lambda: [cronjob(timeZone="Europe/Berlin")], "time zone"),
    ("SVC924", lambda: [rollout("DaemonSet", maxSurge=1, maxUnavailable=1)],
     lambda: [rollout("DaemonSet", maxSurge=1, maxUnavailable=0)], "maxSurge"),
    ("SVC924", lambda: [rollout("Deployment", maxSurge="150%", maxUnavailable="120%")],
     lambda: [rollout("Deployment", maxSurge="150%", maxUnavailable="100%")], "100%"),
    ("SVC924", lambda: [rollout("Deployment", maxSurge=0, maxUnavailable=0)],
     lambda: [rollout("Deployment", maxSurge=1, maxUnavailable=0)], "may not be 0"),
    ("SVC925", lambda: [service({"name": "a", "port": 80}, {"name": "b", "port": 80})],
     lambda: [service({"name": "a", "port": 80}, {"name": "b", "port": 80,
                                                   "protocol": "UDP"})], "two Service ports"),
    ("SVC925", lambda: [deployment(imagePullSecrets=[{"name": "reg"}, {"name": "reg"}])],
     lambda: [deployment(imagePullSecrets=[{"name": "reg"}])], "imagePullSecrets"),
    ("SVC926", lambda: [route("/api//v1")], lambda: [route("/api/v1")], "'//'"),
    ("SVC926", lambda: [route("/a b")], lambda: [route("/a%20b")], "RFC 3986"),
    ("SVC926", lambda: [route("/", {"request": "10s", "backendRequest": "1m"})],
     lambda: [route("/", {"request": "1m", "backendRequest": "10s"})], "cannot be longer"),
    ("SVC927", lambda: scaled("cpu", {"memory": "1Gi"}),
     lambda: scaled("cpu", {"cpu": "250m"}), "no cpu request"),
    ("SVC927", lambda: scaled("cpu", {"cpu": "250m"}, min_replicas=0),
     lambda: scaled("cpu", {"cpu": "250m"}, min_replicas=1), "scales from zero"),
    ("SVC927", lambda: scaled("cpu", {"cpu": "250m"}, name="a" * 55),
     lambda: scaled("cpu", {"cpu": "250m"}, name="a" * 54), "HPA name"),
]


def found(objects: list[Obj], rule: str, version: str = "1.35.0") -> list[str]:
    return [p.message for p in validate(objects, version) if p.rule.id == rule]


@pytest.mark.parametrize(("rule", "refused", "accepted", "words"), CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_api_rule_refuses_what_the_server_refuses_and_accepts_the_correction(
    rule: str, refused: Callable[[], list[Obj]], accepted: Callable[[], list[Obj]], words: str
) -> None:
    messages = found(refused(), rule)
    assert messages and any(words in m for m in messages), messages
    assert validate(accepted(), "1.35.0") == []


def test_every_api_rule_has_a_refused_and_an_accepted_case_and_names_its_upstream() -> None:
    assert {r.rule.id for r in API_RULES} == {c[0] for c in CASES}
    for r in API_RULES:
        listed = find_rule(r.rule.id)
        assert listed is r.rule and "Example fix" in listed.rationale
        assert any(w in r.rule.rationale for w in ("kubernetes/kubernetes", "Gateway API",
                                                   "kedacore/keda"))


def test_env_var_names_are_relaxed_from_1_32_as_the_feature_gate_is() -> None:
    obj = [deployment(container(envFrom=[{"configMapRef": {"name": "c"}, "prefix": "1X"}]))]
    assert found(obj, "SVC913", "1.31.0") and not found(obj, "SVC913", "1.32.0")


def test_zero_second_sleep_is_refused_before_1_33_only() -> None:
    obj = [deployment(container(lifecycle={"preStop": {"sleep": {"seconds": 0}}}))]
    assert found(obj, "SVC918", "1.32.0") and not found(obj, "SVC918", "1.33.0")


def test_selected_rules_only_run() -> None:
    objects = [with_labels({"team": "a b"}), deployment(priorityClassName="High")]
    assert {p.rule.id for p in validate(objects, "1.35.0", {"SVC922"})} == {"SVC922"}
