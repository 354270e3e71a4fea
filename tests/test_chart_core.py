"""The chart's core templates, rendered with the real helm: workloads, pods, Services, ingress,
storage, config and secret objects, PodDisruptionBudgets, NOTES and the helm test hook.

Each scenario is rendered once per module (renders take ~60 ms); tests assert on the parsed objects.
"""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from chartutil import (
    CHART,
    REPO,
    RenderError,
    find,
    helm_binary,
    one,
    parse,
    pod_template,
    render,
    render_text,
)
from chartutil import WORKLOAD_KINDS as EVERY_WORKLOAD_KIND
from ruamel.yaml import YAML

from svcgen.kube import validate_objects
from svcgen.model import Container, Values

CI = CHART / "ci"
EXAMPLES = REPO / "values-examples"
SHOP = EXAMPLES / "shop-values.yaml"
MINIMAL = EXAMPLES / "minimal-values.yaml"
CORE_FILES = [*sorted(CI.glob("core-*-values.yaml")), SHOP, MINIMAL]

Obj = dict[str, Any]

SELECTOR_KEYS = {
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
}
WORKLOAD_KINDS = ("Deployment", "StatefulSet")


def workloads(objects: list[Obj]) -> list[Obj]:
    return [o for o in objects if o["kind"] in WORKLOAD_KINDS]


def pod_spec(objects: list[Obj], name: str) -> Obj:
    (workload,) = [o for o in workloads(objects) if o["metadata"]["name"] == name]
    spec: Obj = workload["spec"]["template"]["spec"]
    return spec


def containers(spec: Obj) -> list[Obj]:
    return list(spec.get("initContainers", [])) + list(spec["containers"])


def container(spec: Obj, name: str) -> Obj:
    (found,) = [c for c in containers(spec) if c["name"] == name]
    return found


def app(image: str = "ghcr.io/acme/api", **extra: Any) -> Obj:
    """A container with one http port: the smallest real-looking container values."""
    ctr: Obj = {
        "image": {"repository": image, "tag": "1.4.2"},
        "ports": {"http": {"containerPort": 8080}},
    }
    ctr.update(extra)
    return ctr


def render_error(values: Obj, **kw: Any) -> str:
    with pytest.raises(RenderError) as excinfo:
        render(values, **kw)
    return excinfo.value.stderr


@pytest.fixture(scope="module")
def shop() -> list[Obj]:
    return render(files=[SHOP], namespace="shop", release="shop")


@pytest.fixture(scope="module")
def deploy() -> list[Obj]:
    return render(files=[CI / "core-deployment-values.yaml"])


@pytest.fixture(scope="module")
def sts() -> list[Obj]:
    return render(files=[CI / "core-statefulset-values.yaml"])


@pytest.fixture(scope="module")
def ingress() -> list[Obj]:
    return render(files=[CI / "core-ingress-values.yaml"])


@pytest.fixture(scope="module")
def baseline() -> list[Obj]:
    return render(files=[CI / "core-baseline-values.yaml"])


@pytest.fixture(scope="module")
def minimal() -> list[Obj]:
    return render(files=[MINIMAL])


@pytest.fixture(scope="module")
def all_renders(
    shop: list[Obj],
    deploy: list[Obj],
    sts: list[Obj],
    ingress: list[Obj],
    baseline: list[Obj],
    minimal: list[Obj],
) -> dict[str, list[Obj]]:
    return {
        "shop": shop,
        "deployment": deploy,
        "statefulset": sts,
        "ingress": ingress,
        "baseline": baseline,
        "minimal": minimal,
    }


# --- selectors and labels --------------------------------------------------------------------


def test_selectors_hold_only_the_stable_selector_labels(all_renders: dict[str, list[Obj]]) -> None:
    checked = 0
    for objects in all_renders.values():
        for o in objects:
            if o["kind"] in WORKLOAD_KINDS or o["kind"] == "PodDisruptionBudget":
                selector = o["spec"]["selector"]["matchLabels"]
            elif o["kind"] == "Service":
                selector = o["spec"]["selector"]
            else:
                continue
            assert set(selector) == SELECTOR_KEYS, (o["kind"], o["metadata"]["name"], selector)
            checked += 1
    assert checked > 20


def test_user_labels_reach_objects_and_pods_but_never_selectors(deploy: list[Obj]) -> None:
    workload = one(deploy, "Deployment", "api")
    assert workload["metadata"]["labels"]["team"] == "payments"
    assert workload["metadata"]["labels"]["tier"] == "backend"
    assert workload["metadata"]["annotations"] == {
        "owner": "payments@example.com",
        "docs": "https://wiki.example.com/api",
    }
    service_annotations = one(deploy, "Service", "api")["metadata"]["annotations"]
    assert service_annotations["service.beta.kubernetes.io/description"] == "API"
    assert service_annotations["owner"] == "payments@example.com"
    pod_labels = workload["spec"]["template"]["metadata"]["labels"]
    assert pod_labels["version"] == "1.4.2"
    assert pod_labels["team"] == "payments"
    selector = workload["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod_labels.items()
    assert not {"team", "tier", "version"} & set(selector)
    service = one(deploy, "Service", "api")
    assert service["metadata"]["labels"]["exposure"] == "internal"
    assert "exposure" not in service["spec"]["selector"]


def test_pod_labels_cannot_override_selector_labels() -> None:
    objects = render(
        {
            "components": {
                "api": {
                    "podLabels": {"app.kubernetes.io/component": "other"},
                    "containers": {"app": app()},
                }
            }
        }
    )
    workload = one(objects, "Deployment", "api")
    assert (
        workload["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] == "api"
    )


# --- workloads -------------------------------------------------------------------------------


def test_zero_downtime_rollout_by_default(minimal: list[Obj]) -> None:
    spec = one(minimal, "Deployment", "hello")["spec"]
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
    }
    assert spec["replicas"] == 1
    assert 1 <= spec["revisionHistoryLimit"] <= 10


def test_strategy_values_are_honoured(deploy: list[Obj]) -> None:
    rolling = one(deploy, "Deployment", "api")["spec"]["strategy"]["rollingUpdate"]
    assert rolling == {"maxUnavailable": 0, "maxSurge": "25%"}


def test_replicas_are_left_to_the_autoscaler_when_scaling(shop: list[Obj]) -> None:
    assert "replicas" not in one(shop, "Deployment", "api")["spec"]
    assert one(shop, "Deployment", "web")["spec"]["replicas"] == 2


def test_disabled_component_renders_nothing() -> None:
    objects = render(
        {
            "components": {
                "api": {"containers": {"app": app()}},
                "old": {
                    "enabled": False,
                    "containers": {"app": app()},
                    "volumes": {"d": {"size": "1Gi"}},
                },
            }
        }
    )
    assert not [o for o in objects if o["metadata"]["name"].startswith("old")]


# --- security --------------------------------------------------------------------------------


def _assert_restricted(spec: Obj, where: str) -> None:
    assert spec["securityContext"]["runAsNonRoot"] is True, where
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
    for ctr in containers(spec):
        sc = ctr["securityContext"]
        at = f"{where}/{ctr['name']}"
        assert sc["allowPrivilegeEscalation"] is False, at
        assert sc["capabilities"]["drop"] == ["ALL"], at
        assert sc["readOnlyRootFilesystem"] is True, at
        assert sc["runAsNonRoot"] is True, at
        _assert_writable_tmp(spec, ctr, at)
        assert ctr["resources"].get("requests") or ctr["resources"].get("limits"), at


def _assert_writable_tmp(spec: Obj, ctr: Obj, at: str) -> None:
    (tmp,) = [m for m in ctr["volumeMounts"] if m["mountPath"] == "/tmp"]
    (volume,) = [v for v in spec["volumes"] if v["name"] == tmp["name"]]
    assert "emptyDir" in volume, at
    assert not tmp.get("readOnly"), at


def test_restricted_profile_on_every_container(
    shop: list[Obj], deploy: list[Obj], sts: list[Obj]
) -> None:
    checked = 0
    for objects in (shop, deploy, sts):
        for w in workloads(objects):
            spec = w["spec"]["template"]["spec"]
            if w["metadata"]["name"] in {"redis", "cache"}:  # baseline in these files
                continue
            _assert_restricted(spec, w["metadata"]["name"])
            checked += len(containers(spec))
    assert checked >= 8


def test_baseline_profile_keeps_root_and_capabilities_but_not_escalation(
    shop: list[Obj], baseline: list[Obj]
) -> None:
    for objects, name in ((shop, "redis"), (baseline, "proxy")):
        spec = pod_spec(objects, name)
        assert "runAsNonRoot" not in spec["securityContext"]
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for ctr in containers(spec):
            sc = ctr["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False
            assert "runAsNonRoot" not in sc
            assert "readOnlyRootFilesystem" not in sc
            assert "drop" not in sc.get("capabilities", {})
            _assert_writable_tmp(spec, ctr, name)
    haproxy = container(pod_spec(baseline, "proxy"), "haproxy")
    assert haproxy["securityContext"]["capabilities"] == {"add": ["NET_BIND_SERVICE"]}


def test_own_tmp_mount_replaces_the_scratch_volume(baseline: list[Obj], deploy: list[Obj]) -> None:
    spec = pod_spec(baseline, "proxy")
    assert [m for m in container(spec, "haproxy")["volumeMounts"] if m["mountPath"] == "/tmp"] == [
        {"name": "scratch", "mountPath": "/tmp"}
    ]
    # No container needs the chart's scratch volume, so it is not declared.
    assert "svcgen-tmp" not in {v["name"] for v in spec["volumes"]}
    mixed = pod_spec(deploy, "api")
    assert {"name": "scratch", "mountPath": "/tmp"} in container(mixed, "log-shipper")[
        "volumeMounts"
    ]
    assert {"name": "svcgen-tmp", "mountPath": "/tmp"} in container(mixed, "app")["volumeMounts"]


@pytest.fixture(scope="module")
def overrides() -> list[Obj]:
    return render(
        {
            "components": {
                "api": {
                    "podSecurityContext": {"runAsUser": 1000, "fsGroup": 2000},
                    "containers": {
                        "app": app(
                            securityContext={
                                "runAsUser": 1001,
                                "readOnlyRootFilesystem": False,
                                "capabilities": {"add": ["NET_BIND_SERVICE"]},
                            }
                        ),
                        "sidecar": app(
                            "ghcr.io/acme/sidecar",
                            ports={"admin": {"containerPort": 9000}},
                            securityContext={"capabilities": {"drop": ["NET_RAW"]}},
                        ),
                    },
                },
                "legacy": {
                    "securityProfile": "baseline",
                    "containers": {"app": app(securityContext={"privileged": True})},
                },
            }
        }
    )


def test_security_context_overrides_the_profile_field_by_field(overrides: list[Obj]) -> None:
    spec = pod_spec(overrides, "api")
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 1000,
        "fsGroup": 2000,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    sc = container(spec, "app")["securityContext"]
    assert sc == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": False,
        "runAsNonRoot": True,
        "runAsUser": 1001,
        "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
    }
    assert container(spec, "sidecar")["securityContext"]["capabilities"] == {"drop": ["NET_RAW"]}


def test_privileged_container_drops_the_conflicting_escalation_default(
    overrides: list[Obj],
) -> None:
    sc = container(pod_spec(overrides, "legacy"), "app")["securityContext"]
    assert sc == {"privileged": True}
    assert not validate_objects(overrides, "1.35.0")


def test_service_account_token_is_not_mounted_by_default(minimal: list[Obj]) -> None:
    spec = pod_spec(minimal, "hello")
    assert spec["automountServiceAccountToken"] is False
    assert spec["serviceAccountName"] == "default"
    assert spec["enableServiceLinks"] is False
    assert not find(minimal, "ServiceAccount")


def test_service_account_created_with_annotations_and_token(deploy: list[Obj]) -> None:
    sa = one(deploy, "ServiceAccount", "api")
    assert sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith("arn:aws:iam::")
    assert sa["automountServiceAccountToken"] is True
    spec = pod_spec(deploy, "api")
    assert spec["serviceAccountName"] == "api"
    assert spec["automountServiceAccountToken"] is True


def test_istio_mesh_injects_the_sidecar_and_gives_each_component_an_identity() -> None:
    objects = render(
        {"global": {"mesh": {"istio": True}}, "components": {"api": {"containers": {"app": app()}}}}
    )
    workload = one(objects, "Deployment", "api")
    assert workload["spec"]["template"]["metadata"]["labels"]["sidecar.istio.io/inject"] == "true"
    assert workload["spec"]["template"]["spec"]["serviceAccountName"] == "api"
    assert one(objects, "ServiceAccount", "api")["automountServiceAccountToken"] is False


# --- containers ------------------------------------------------------------------------------


def test_env_is_sorted_and_every_value_is_a_string(deploy: list[Obj]) -> None:
    env = container(pod_spec(deploy, "api"), "app")["env"]
    plain = [e for e in env if "value" in e]
    assert [e["name"] for e in plain] == sorted(e["name"] for e in plain)
    assert {e["name"]: e["value"] for e in plain} == {
        "FEATURE_X": "true",
        "LOG_LEVEL": "info",
        "MAX_BODY_BYTES": "10000000",
        "WORKERS": "4",
    }


def test_env_lists_every_referenced_variable_before_the_variables_that_use_it() -> None:
    """Kubernetes expands ``$(VAR)`` only from variables listed earlier in ``env``: secret
    references come first, then each plain value after the ones it refers to, whatever the
    names' order; ``$$(VAR)`` is an escape, and a cycle cannot resolve (it comes last)."""
    ctr = app(
        env={
            "A_URL": "postgres://app:$(DB_PASSWORD)@$(Z_HOST):5432/app",
            "Z_HOST": "db.$(NAMESPACE).svc",
            "NAMESPACE": "shop",
            "LITERAL": "$$(A_URL)",
            "LOOP_A": "$(LOOP_B)",
            "LOOP_B": "$(LOOP_A)",
        },
        secretEnv={"DB_PASSWORD": {"secret": "db", "key": "password"}},
    )
    objects = render({"components": {"api": {"containers": {"app": ctr}}}})
    env = container(pod_spec(objects, "api"), "app")["env"]
    names = [e["name"] for e in env]
    assert names == ["DB_PASSWORD", "LITERAL", "NAMESPACE", "Z_HOST", "A_URL", "LOOP_A",
                     "LOOP_B"]
    model = Container.model_validate(ctr)
    assert names == model.env_order()


def _env_orders(objects: list[Obj]) -> list[list[str]]:
    """The env order of every container of every workload, of whatever kind."""
    return [[e["name"] for e in c.get("env", [])]
            for w in objects if w["kind"] in EVERY_WORKLOAD_KIND
            for c in containers(pod_template(w)["spec"])]


@pytest.mark.parametrize(
    "values_file",
    [*sorted(CI.glob("*-values.yaml")), *sorted(EXAMPLES.rglob("values.yaml")), SHOP, MINIMAL],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_the_chart_and_the_model_order_env_alike(values_file: Path) -> None:
    """The chart derives the env order in its template and the model in Container.env_order
    (which lint reads): on every shipped values file they agree."""
    values = Values.model_validate(YAML(typ="safe", pure=True).load(values_file.read_text()))
    expected = [
        c.env_order()
        for comp in values.components.values() if comp.enabled
        for c in [*comp.initContainers.values(), *comp.containers.values()]
    ]
    namespace = values.global_.project or "demo"
    rendered = _env_orders(render(files=[values_file], namespace=namespace))
    assert sorted(rendered) == sorted(expected)


def test_secret_env_references_existing_secrets(deploy: list[Obj]) -> None:
    env = {e["name"]: e for e in container(pod_spec(deploy, "api"), "app")["env"]}
    assert env["DATABASE_URL"]["valueFrom"] == {"secretKeyRef": {"name": "api-db", "key": "url"}}
    assert env["OPTIONAL_TOKEN"]["valueFrom"]["secretKeyRef"]["optional"] is True
    init_env = container(pod_spec(deploy, "api"), "migrate")["env"]
    assert init_env == [
        {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "api-db", "key": "url"}}}
    ]


def test_inline_secret_values_live_only_in_the_chart_owned_secret(deploy: list[Obj]) -> None:
    secret = one(deploy, "Secret", "api-env")
    assert base64.b64decode(secret["data"]["app.SIGNING_KEY"]).decode() == "not-a-real-key"
    env = {e["name"]: e for e in container(pod_spec(deploy, "api"), "app")["env"]}
    assert env["SIGNING_KEY"] == {
        "name": "SIGNING_KEY",
        "valueFrom": {"secretKeyRef": {"name": "api-env", "key": "app.SIGNING_KEY"}},
    }
    for o in deploy:
        if o["kind"] != "Secret":
            assert "not-a-real-key" not in repr(o), o["kind"]


def test_env_from_sources(deploy: list[Obj]) -> None:
    assert container(pod_spec(deploy, "api"), "app")["envFrom"] == [
        {"configMapRef": {"name": "api-settings"}},
        {"secretRef": {"name": "api-extra", "optional": True}, "prefix": "EXTRA_"},
    ]


def test_image_ports_command_and_lifecycle(deploy: list[Obj]) -> None:
    spec = pod_spec(deploy, "api")
    main = container(spec, "app")
    assert main["image"].startswith("ghcr.io/acme/api:1.4.2@sha256:2c26b46b")
    assert main["imagePullPolicy"] == "IfNotPresent"
    assert main["workingDir"] == "/app"
    assert {p["name"]: (p["containerPort"], p["protocol"]) for p in main["ports"]} == {
        "http": (8080, "TCP"),
        "grpc": (9000, "TCP"),
        "metrics": (9102, "TCP"),
    }
    assert main["lifecycle"] == {"preStop": {"sleep": {"seconds": 5}}}
    migrate = container(spec, "migrate")
    assert migrate["command"] == ["/app/migrate"] and migrate["args"] == ["--wait", "60"]
    assert spec["imagePullSecrets"] == [{"name": "regcred"}]


def test_resources_default_to_global_default_resources(deploy: list[Obj]) -> None:
    spec = pod_spec(deploy, "api")
    assert container(spec, "app")["resources"] == {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"memory": "1Gi"},
    }
    defaults = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
    assert container(spec, "log-shipper")["resources"] == defaults
    assert container(spec, "migrate")["resources"] == defaults


def test_pod_scheduling_fields(deploy: list[Obj]) -> None:
    spec = pod_spec(deploy, "api")
    assert spec["hostAliases"] == [{"ip": "10.0.0.5", "hostnames": ["db.internal", "db"]}]
    assert spec["hostname"] == "api"
    assert spec["terminationGracePeriodSeconds"] == 45
    assert spec["priorityClassName"] == "high"
    assert spec["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert spec["tolerations"][0]["key"] == "dedicated"
    assert "nodeAffinity" in spec["affinity"]
    (tsc,) = spec["topologySpreadConstraints"]
    assert tsc["labelSelector"] == {
        "matchLabels": one(deploy, "Deployment", "api")["spec"]["selector"]["matchLabels"]
    }
    assert tsc["topologyKey"] == "topology.kubernetes.io/zone"


# --- probes ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def probes() -> list[Obj]:
    return render(
        {
            "components": {
                "api": {
                    "initContainers": {"init": app()},
                    "containers": {
                        "web": app(
                            ports={
                                "admin": {"containerPort": 9000},
                                "http": {"containerPort": 8080},
                            }
                        ),
                        "named": app(
                            ports={
                                "metrics": {"containerPort": 9102},
                                "debug": {"containerPort": 9001},
                            },
                            probes={
                                "readiness": {"periodSeconds": 3},
                                "liveness": {"enabled": False},
                                "startup": {"failureThreshold": 30},
                            },
                        ),
                        "udp": app(ports={"dns": {"containerPort": 53, "protocol": "UDP"}}),
                        "custom": app(
                            ports={"grpc": {"containerPort": 7000}},
                            probes={"readiness": {"httpGet": {"path": "/ready", "port": "grpc"}}},
                        ),
                        "quiet": app(ports={}),
                    },
                }
            }
        }
    )


def test_probes_are_derived_from_the_http_port_first(probes: list[Obj]) -> None:
    web = container(pod_spec(probes, "api"), "web")
    assert web["readinessProbe"] == {"tcpSocket": {"port": "http"}}
    assert web["livenessProbe"] == {"tcpSocket": {"port": "http"}}
    assert "startupProbe" not in web


def test_probes_are_derived_from_the_first_port_by_name_keeping_timings(probes: list[Obj]) -> None:
    named = container(pod_spec(probes, "api"), "named")
    assert named["readinessProbe"] == {"tcpSocket": {"port": "debug"}, "periodSeconds": 3}
    assert named["startupProbe"] == {"tcpSocket": {"port": "debug"}, "failureThreshold": 30}
    assert "livenessProbe" not in named  # enabled: false


def test_no_probe_is_derived_without_a_tcp_port_or_for_init_containers(probes: list[Obj]) -> None:
    spec = pod_spec(probes, "api")
    for name in ("udp", "quiet", "init"):
        ctr = container(spec, name)
        assert not {"readinessProbe", "livenessProbe", "startupProbe"} & set(ctr), name


def test_given_probe_handler_wins_and_the_other_probe_is_still_derived(probes: list[Obj]) -> None:
    custom = container(pod_spec(probes, "api"), "custom")
    assert custom["readinessProbe"] == {"httpGet": {"path": "/ready", "port": "grpc"}}
    assert custom["livenessProbe"] == {"tcpSocket": {"port": "grpc"}}


def test_every_probe_handler_kind_renders(deploy: list[Obj]) -> None:
    spec = pod_spec(deploy, "api")
    main = container(spec, "app")
    assert main["startupProbe"] == {
        "grpc": {"port": 9000},
        "failureThreshold": 30,
        "periodSeconds": 2,
    }
    assert main["readinessProbe"]["httpGet"]["httpHeaders"] == [
        {"name": "X-Probe", "value": "readiness"}
    ]
    assert main["livenessProbe"] == {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 10}
    shipper = container(spec, "log-shipper")
    assert shipper["livenessProbe"]["exec"]["command"][0] == "/fluent-bit/bin/fluent-bit"
    assert "readinessProbe" not in shipper


# --- checksums -------------------------------------------------------------------------------


def _checksum_values(conf: str, secret: str) -> Obj:
    return {
        "components": {
            "api": {
                "containers": {
                    "app": app(
                        secretEnv={"TOKEN": {"value": secret}},
                        volumeMounts={"conf": {"mountPath": "/etc/app"}},
                    )
                },
                "volumes": {"conf": {"files": {"app.conf": conf}}},
            }
        }
    }


def _pod_annotations(values: Obj) -> dict[str, str]:
    annotations: dict[str, str] = one(render(values), "Deployment", "api")["spec"]["template"][
        "metadata"
    ]["annotations"]
    return annotations


def test_checksums_change_when_config_or_secret_content_changes() -> None:
    base = _pod_annotations(_checksum_values("level=info", "one"))
    same = _pod_annotations(_checksum_values("level=info", "one"))
    conf = _pod_annotations(_checksum_values("level=debug", "one"))
    secret = _pod_annotations(_checksum_values("level=info", "two"))
    assert base == same
    assert len(base["checksum/config"]) == 64 and len(base["checksum/secret"]) == 64
    assert conf["checksum/config"] != base["checksum/config"]
    assert conf["checksum/secret"] == base["checksum/secret"]
    assert secret["checksum/secret"] != base["checksum/secret"]
    assert secret["checksum/config"] == base["checksum/config"]


def test_no_checksum_without_generated_config(minimal: list[Obj]) -> None:
    annotations = one(minimal, "Deployment", "hello")["spec"]["template"]["metadata"].get(
        "annotations", {}
    )
    assert not [k for k in annotations if k.startswith("checksum/")]


def test_files_volume_becomes_a_chart_owned_configmap(deploy: list[Obj]) -> None:
    cm = one(deploy, "ConfigMap", "api-config")
    assert cm["data"]["app.yaml"] == "listen: 0.0.0.0:8080\ngrpc: 0.0.0.0:9000\n"
    assert cm["data"]["limits.json"] == '{"maxConnections": 100}'
    volumes = {v["name"]: v for v in pod_spec(deploy, "api")["volumes"]}
    assert volumes["config"] == {"name": "config", "configMap": {"name": "api-config"}}


# --- volumes ---------------------------------------------------------------------------------


def test_every_volume_kind_of_a_deployment(deploy: list[Obj]) -> None:
    volumes = {v["name"]: v for v in pod_spec(deploy, "api")["volumes"]}
    assert volumes["uploads"]["persistentVolumeClaim"] == {"claimName": "api-uploads"}
    assert volumes["shared"]["persistentVolumeClaim"] == {"claimName": "shared-data"}
    assert volumes["cache"]["emptyDir"] == {"medium": "Memory", "sizeLimit": "64Mi"}
    assert volumes["scratch"]["emptyDir"] == {}
    assert volumes["tls"]["secret"]["secretName"] == "api-tls"
    assert volumes["tls"]["secret"]["defaultMode"] == 288
    assert volumes["settings"]["configMap"] == {"name": "api-settings"}
    pvc = one(deploy, "PersistentVolumeClaim", "api-uploads")
    assert pvc["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "storageClassName": "fast",
        "resources": {"requests": {"storage": "5Gi"}},
    }
    assert len(find(deploy, "PersistentVolumeClaim")) == 1


def test_statefulset_claim_templates_and_governing_headless_service(sts: list[Obj]) -> None:
    db = one(sts, "StatefulSet", "db")
    assert db["spec"]["serviceName"] == "db-headless"
    assert db["spec"]["replicas"] == 3
    assert db["spec"]["updateStrategy"] == {"type": "RollingUpdate"}
    claims = {t["metadata"]["name"]: t for t in db["spec"]["volumeClaimTemplates"]}
    assert set(claims) == {"data", "wal"}
    assert claims["data"]["spec"] == {
        "accessModes": ["ReadWriteOnce"],
        "storageClassName": "standard-rwo",
        "resources": {"requests": {"storage": "10Gi"}},
    }
    assert claims["wal"]["spec"]["accessModes"] == ["ReadWriteOncePod"]
    # Claim templates are immutable: no label that changes on chart upgrade.
    assert set(claims["data"]["metadata"]["labels"]) == SELECTOR_KEYS
    pod_volumes = {v["name"] for v in db["spec"]["template"]["spec"]["volumes"]}
    assert "data" not in pod_volumes and "run" in pod_volumes
    assert not find(sts, "PersistentVolumeClaim")
    headless = one(sts, "Service", "db-headless")
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["publishNotReadyAddresses"] is True
    assert headless["spec"]["selector"] == db["spec"]["selector"]["matchLabels"]
    assert one(sts, "Service", "db")["spec"]["type"] == "ClusterIP"


def test_a_shared_volume_of_a_statefulset_is_one_claim_for_every_replica() -> None:
    objects = render({"components": {"db": {
        "kind": "StatefulSet",
        "replicas": 2,
        "containers": {"app": app(volumeMounts={"data": {"mountPath": "/data"},
                                                "media": {"mountPath": "/media"}})},
        "volumes": {"data": {"size": "1Gi"},
                    "media": {"size": "5Gi", "shared": True, "accessModes": ["ReadWriteMany"]}},
    }}})
    db = one(objects, "StatefulSet", "db")
    assert [t["metadata"]["name"] for t in db["spec"]["volumeClaimTemplates"]] == ["data"]
    claim = one(objects, "PersistentVolumeClaim", "db-media")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    pod_volumes = {v["name"]: v for v in db["spec"]["template"]["spec"]["volumes"]}
    assert pod_volumes["media"]["persistentVolumeClaim"] == {"claimName": "db-media"}
    assert "data" not in pod_volumes
    assert validate_objects(objects, "1.35.0") == []


def test_one_volume_mounted_twice_under_two_keys() -> None:
    objects = render({"components": {"web": {
        "containers": {"app": app(volumeMounts={
            "conf": {"mountPath": "/etc/nginx/nginx.conf", "subPath": "nginx.conf"},
            "conf-default": {"volume": "conf", "mountPath": "/etc/nginx/conf.d/default.conf",
                             "subPath": "default.conf", "readOnly": True},
        })},
        "volumes": {"conf": {"configMap": {"name": "nginx"}}},
    }}})
    mounts = container(pod_spec(objects, "web"), "app")["volumeMounts"]
    assert [m for m in mounts if m["name"] == "conf"] == [
        {"name": "conf", "mountPath": "/etc/nginx/nginx.conf", "subPath": "nginx.conf"},
        {"name": "conf", "mountPath": "/etc/nginx/conf.d/default.conf",
         "subPath": "default.conf", "readOnly": True},
    ]
    assert validate_objects(objects, "1.35.0") == []


def test_headless_service_type(sts: list[Obj]) -> None:
    cache = one(sts, "Service", "cache")
    assert cache["spec"]["clusterIP"] == "None" and cache["spec"]["type"] == "ClusterIP"
    assert one(sts, "StatefulSet", "cache")["spec"]["serviceName"] == "cache-headless"


def test_mount_of_an_undeclared_volume_fails_naming_the_path() -> None:
    stderr = render_error(
        {
            "components": {
                "api": {"containers": {"app": app(volumeMounts={"data": {"mountPath": "/data"}})}}
            }
        }
    )
    assert "components.api.containers.app.volumeMounts.data" in stderr
    assert "components.api.volumes" in stderr


# --- services --------------------------------------------------------------------------------


def _container_ports(objects: list[Obj], selector: dict[str, str]) -> dict[str, tuple[int, str]]:
    (w,) = [w for w in workloads(objects) if w["spec"]["selector"]["matchLabels"] == selector]
    return {
        p["name"]: (p["containerPort"], p.get("protocol", "TCP"))
        for c in w["spec"]["template"]["spec"]["containers"]
        for p in c.get("ports", [])
    }


def test_every_service_port_targets_an_existing_container_port(
    all_renders: dict[str, list[Obj]],
) -> None:
    checked = 0
    for objects in all_renders.values():
        for svc in find(objects, "Service"):
            ports = _container_ports(objects, svc["spec"]["selector"])
            for p in svc["spec"].get("ports", []):
                target = p["targetPort"]
                if isinstance(target, str):
                    assert target in ports, (svc["metadata"]["name"], p)
                    assert ports[target][1] == p["protocol"]
                else:
                    assert target in {n for n, _ in ports.values()}
                checked += 1
    assert checked > 15


def test_service_ports_default_to_every_container_port(
    baseline: list[Obj], shop: list[Obj]
) -> None:
    ports = one(baseline, "Service", "proxy")["spec"]["ports"]
    assert ports == [
        {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"},
        {"name": "stats", "port": 8404, "targetPort": "stats", "protocol": "TCP"},
        {"name": "syslog", "port": 514, "targetPort": "syslog", "protocol": "UDP"},
    ]
    api = {p["name"]: p for p in one(shop, "Service", "api")["spec"]["ports"]}
    assert api["http"] == {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}
    assert api["metrics"]["port"] == 9102


def test_service_types_node_port_and_app_protocol(ingress: list[Obj], deploy: list[Obj]) -> None:
    web = one(ingress, "Service", "web")["spec"]
    assert web["type"] == "NodePort" and web["ports"][0]["nodePort"] == 30080
    assert one(ingress, "Service", "api")["spec"]["type"] == "LoadBalancer"
    grpc = {p["name"]: p for p in one(deploy, "Service", "api")["spec"]["ports"]}["grpc"]
    assert grpc == {
        "name": "grpc",
        "port": 9000,
        "targetPort": "grpc",
        "protocol": "TCP",
        "appProtocol": "grpc",
    }


def test_no_service_without_ports_or_when_disabled(shop: list[Obj]) -> None:
    assert not find(shop, "Service", "worker")
    objects = render(
        {"components": {"api": {"service": {"enabled": False}, "containers": {"app": app()}}}}
    )
    assert not find(objects, "Service")


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ({"ports": {"web": {"port": 80}}}, "components.api.service.ports.web"),
        ({"ports": {"http": {"targetPort": "metrics"}}}, "components.api.service.ports.http"),
        ({"ports": {"http": {"nodePort": 30080}}}, "components.api.service.ports.http.nodePort"),
    ],
    ids=["unknown-name", "unknown-target", "node-port-on-cluster-ip"],
)
def test_inconsistent_service_ports_fail_naming_the_path(service: Obj, path: str) -> None:
    stderr = render_error(
        {"components": {"api": {"service": service, "containers": {"app": app()}}}}
    )
    assert path in stderr


def test_service_port_of_an_init_container_is_not_a_target() -> None:
    stderr = render_error(
        {
            "components": {
                "api": {
                    "service": {"ports": {"setup": {"port": 80}}},
                    "initContainers": {"init": app(ports={"setup": {"containerPort": 9999}})},
                    "containers": {"app": app()},
                }
            }
        }
    )
    assert "components.api.service.ports.setup" in stderr


def test_duplicate_service_names_fail() -> None:
    stderr = render_error(
        {
            "components": {
                "api": {"containers": {"app": app()}},
                "api2": {"service": {"name": "api"}, "containers": {"app": app()}},
            }
        }
    )
    assert "components.api2.service.name" in stderr and "unique" in stderr


def test_a_port_name_used_by_two_containers_fails() -> None:
    stderr = render_error(
        {"components": {"api": {"containers": {"a": app(), "b": app("ghcr.io/acme/sidecar")}}}}
    )
    assert "components.api.containers.b.ports.http" in stderr
    assert "unique in a pod" in stderr


def test_a_statefulset_headless_name_collision_fails() -> None:
    stderr = render_error(
        {
            "components": {
                "db": {"kind": "StatefulSet", "containers": {"pg": app()}},
                "db-headless": {"containers": {"app": app()}},
            }
        }
    )
    assert "db-headless" in stderr and "unique" in stderr


def test_the_scratch_volume_name_is_reserved() -> None:
    stderr = render_error(
        {
            "components": {
                "api": {"containers": {"app": app()}, "volumes": {"svcgen-tmp": {"emptyDir": {}}}}
            }
        }
    )
    assert "components.api.volumes.svcgen-tmp" in stderr


# --- ingress ---------------------------------------------------------------------------------


def test_ingress_defaults_its_host_from_the_global_domain(ingress: list[Obj]) -> None:
    web = one(ingress, "Ingress", "web")
    assert web["spec"]["ingressClassName"] == "nginx"
    (rule,) = web["spec"]["rules"]
    assert rule["host"] == "web.apps.example.com"
    assert rule["http"]["paths"] == [
        {
            "path": "/",
            "pathType": "Prefix",
            "backend": {"service": {"name": "web", "port": {"name": "http"}}},
        }
    ]


def test_ingress_tls_through_cert_manager(ingress: list[Obj]) -> None:
    web = one(ingress, "Ingress", "web")
    assert web["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt"
    assert web["spec"]["tls"] == [{"secretName": "web-tls", "hosts": ["web.apps.example.com"]}]
    docs = one(ingress, "Ingress", "docs")
    assert docs["metadata"]["annotations"]["cert-manager.io/issuer"] == "internal-ca"
    assert docs["spec"]["tls"] == [{"secretName": "docs-tls", "hosts": ["docs.example.com"]}]


def test_ingress_hosts_paths_ports_and_existing_tls_secret(ingress: list[Obj]) -> None:
    api = one(ingress, "Ingress", "api")
    assert api["spec"]["ingressClassName"] == "internal"
    assert api["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "8m"
    assert not [k for k in api["metadata"]["annotations"] if k.startswith("cert-manager.io/")]
    rules = {r["host"]: r["http"]["paths"] for r in api["spec"]["rules"]}
    assert set(rules) == {"api.example.com", "*.api.example.com"}
    by_path = {p["path"]: p for p in rules["api.example.com"]}
    assert by_path["/"]["backend"]["service"]["port"] == {"name": "http"}
    assert by_path["/admin"]["backend"]["service"]["port"] == {"name": "admin"}  # given as 8081
    assert by_path["/admin"]["pathType"] == "Exact"
    assert rules["*.api.example.com"][0]["backend"]["service"]["port"] == {
        "name": "admin"
    }  # first port
    assert api["spec"]["tls"] == [
        {"secretName": "api-example-com-tls", "hosts": ["*.api.example.com", "api.example.com"]}
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"components": {"api": {"ingress": {}, "containers": {"app": app()}}}},
            "components.api.ingress.hosts: no hosts and no global.domain",
        ),
        (
            {
                "components": {
                    "api": {
                        "ingress": {"hosts": {"a.example.com": {"paths": {"/": {"port": "grpc"}}}}},
                        "containers": {"app": app()},
                    }
                }
            },
            "components.api.ingress.hosts.a.example.com.paths./.port",
        ),
        (
            {
                "global": {"domain": "example.com"},
                "components": {
                    "api": {
                        "ingress": {},
                        "service": {"enabled": False},
                        "containers": {"app": app()},
                    }
                },
            },
            "components.api.ingress: an ingress routes to the component's Service",
        ),
    ],
    ids=["no-host", "unknown-port", "no-service"],
)
def test_inconsistent_ingress_fails_naming_the_path(values: Obj, message: str) -> None:
    assert message in render_error(values)


def test_empty_tls_block_turns_tls_on_with_the_default_secret() -> None:
    objects = render(
        {
            "components": {
                "api": {
                    "ingress": {"hosts": {"api.example.com": {}}, "tls": {}},
                    "containers": {"app": app()},
                }
            }
        }
    )
    spec = one(objects, "Ingress", "api")["spec"]
    assert spec["tls"] == [{"secretName": "api-tls", "hosts": ["api.example.com"]}]
    assert "ingressClassName" not in spec


def test_disabled_ingress_renders_nothing() -> None:
    objects = render(
        {
            "global": {"domain": "example.com"},
            "components": {"api": {"ingress": {"enabled": False}, "containers": {"app": app()}}},
        }
    )
    assert not find(objects, "Ingress")


# --- disruption budgets ----------------------------------------------------------------------


def test_pdb_by_default_only_when_two_or_more_replicas_run(
    shop: list[Obj], minimal: list[Obj]
) -> None:
    budgets = {p["metadata"]["name"]: p["spec"] for p in find(shop, "PodDisruptionBudget")}
    # web: replicas 2; api: scaling.minReplicas 2; worker: 2 replicas but disabled; the rest run 1.
    assert set(budgets) == {"web", "api"}
    assert budgets["web"]["maxUnavailable"] == 1
    assert "minAvailable" not in budgets["web"]
    assert not find(minimal, "PodDisruptionBudget")


def test_pdb_min_available_and_percent(deploy: list[Obj], baseline: list[Obj]) -> None:
    spec = one(deploy, "PodDisruptionBudget", "api")["spec"]
    assert spec["minAvailable"] == 2 and "maxUnavailable" not in spec
    assert one(baseline, "PodDisruptionBudget", "proxy")["spec"]["maxUnavailable"] == "50%"


def test_pdb_forced_on_for_a_single_replica() -> None:
    objects = render(
        {
            "components": {
                "api": {"podDisruptionBudget": {"enabled": True}, "containers": {"app": app()}}
            }
        }
    )
    assert one(objects, "PodDisruptionBudget", "api")["spec"]["maxUnavailable"] == 1


# --- release-wide guard ----------------------------------------------------------------------


def test_project_must_equal_the_release_namespace() -> None:
    values = {"global": {"project": "shop"}, "components": {"api": {"containers": {"app": app()}}}}
    stderr = render_error(values, namespace="demo")
    assert "global.project must equal the release namespace" in stderr
    assert '"shop"' in stderr and '"demo"' in stderr
    assert one(render(values, namespace="shop"), "Deployment", "api")["metadata"]["name"] == "api"


def test_release_prefix_renames_every_object_consistently() -> None:
    objects = render(
        {
            "global": {"prefixWithRelease": True},
            "components": {
                "db": {
                    "kind": "StatefulSet",
                    "containers": {"pg": app(secretEnv={"P": {"value": "x"}})},
                    "volumes": {"data": {"size": "1Gi"}},
                }
            },
        },
        release="blue",
    )
    names = {(o["kind"], o["metadata"]["name"]) for o in objects}
    assert {
        ("StatefulSet", "blue-db"),
        ("Service", "blue-db"),
        ("Service", "blue-db-headless"),
        ("Secret", "blue-db-env"),
    } <= names
    assert one(objects, "StatefulSet", "blue-db")["spec"]["serviceName"] == "blue-db-headless"


# --- NOTES and helm test ---------------------------------------------------------------------


def _notes(files: list[Path], namespace: str) -> str:
    """NOTES.txt as `helm install --dry-run=client` prints it (Helm 4 needs no cluster for it)."""
    proc = subprocess.run(
        [
            helm_binary("helm"),
            "install",
            "shop",
            str(CHART),
            "--dry-run=client",
            "--namespace",
            namespace,
            *[a for f in files for a in ("-f", str(f))],
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.split("\nNOTES:\n", 1)[1]


@pytest.fixture(scope="module")
def shop_notes() -> str:
    return _notes([SHOP], "shop")


def test_notes_list_every_service_dns_name_with_its_ports(shop_notes: str, shop: list[Obj]) -> None:
    for svc in find(shop, "Service"):
        name = svc["metadata"]["name"]
        if name.endswith("-headless"):
            continue
        for p in svc["spec"]["ports"]:
            assert f"{name}.shop.svc.cluster.local:{p['port']}" in shop_notes
    assert "postgres-<ordinal>.postgres-headless.shop.svc.cluster.local" in shop_notes


def test_notes_list_ingress_urls_with_their_scheme(shop_notes: str) -> None:
    assert "https://shop.example.com/" in shop_notes
    plain = _notes([CI / "core-ingress-values.yaml"], "demo")
    assert "https://api.example.com/admin" in plain
    assert "https://web.apps.example.com/" in plain
    assert "web.demo.svc.cluster.local:80 (TCP, node port 30080)" in plain


def test_notes_use_http_for_an_ingress_without_tls(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        json.dumps(
            {
                "global": {"domain": "example.com"},
                "components": {"api": {"ingress": {}, "containers": {"app": app()}}},
            }
        )
    )
    notes = _notes([values], "demo")
    assert "http://api.example.com/" in notes
    assert "https://" not in notes
    assert "api.demo.svc.cluster.local:8080" in notes


@pytest.fixture(scope="module")
def test_pod(baseline: list[Obj]) -> Obj:
    (pod,) = find(baseline, "Pod")
    return pod


def test_helm_test_hook_checks_every_tcp_service_port(test_pod: Obj) -> None:
    assert test_pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert "hook-succeeded" in test_pod["metadata"]["annotations"]["helm.sh/hook-delete-policy"]
    (ctr,) = test_pod["spec"]["containers"]
    assert ctr["image"] == "busybox:1.36.1"
    script = ctr["command"][-1]
    assert "nc -z -w 5" in script
    assert "check proxy.demo.svc.cluster.local 80\n" in script
    assert "check proxy.demo.svc.cluster.local 8404\n" in script
    assert "514" not in script  # UDP cannot be checked by a connect


def test_helm_test_hook_is_restricted_and_bounded(test_pod: Obj) -> None:
    spec = test_pod["spec"]
    assert spec["restartPolicy"] == "Never"
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["automountServiceAccountToken"] is False
    sc = spec["containers"][0]["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False and sc["capabilities"]["drop"] == ["ALL"]
    assert sc["readOnlyRootFilesystem"] is True
    assert spec["containers"][0]["resources"]["limits"]["memory"]


def test_helm_test_hook_reaches_headless_services_on_the_container_port(
    sts: list[Obj], shop: list[Obj]
) -> None:
    (pod,) = find(sts, "Pod")
    script = pod["spec"]["containers"][0]["command"][-1]
    assert "check cache.demo.svc.cluster.local 6379\n" in script
    assert "db-headless" not in script
    (shop_pod,) = find(shop, "Pod")
    shop_script = shop_pod["spec"]["containers"][0]["command"][-1]
    assert "check api.shop.svc.cluster.local 80\n" in shop_script
    assert "worker" not in shop_script


def test_helm_test_hook_can_be_turned_off() -> None:
    objects = render(
        {"tests": {"enabled": False}, "components": {"api": {"containers": {"app": app()}}}}
    )
    assert not find(objects, "Pod")


# --- whole-chart properties ------------------------------------------------------------------


def test_default_values_render_install_and_lint() -> None:
    assert parse(render_text()) == []
    helm = helm_binary("helm")
    subprocess.run([helm, "lint", "--strict", str(CHART)], check=True, capture_output=True)
    proc = subprocess.run(
        [helm, "install", "rel", str(CHART), "--dry-run=client", "--namespace", "demo"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "No components are defined yet" in proc.stdout


@pytest.mark.parametrize("values_file", CORE_FILES, ids=lambda p: p.name)
def test_core_values_render_alike_on_helm3_and_helm4(values_file: Path) -> None:
    rendered = {h: parse(render_text(files=[values_file], helm=h)) for h in ("helm", "helm3")}
    assert rendered["helm"] == rendered["helm3"]
    assert rendered["helm"]


@pytest.mark.parametrize("values_file", [SHOP, MINIMAL], ids=lambda p: p.name)
def test_examples_lint_strict_on_helm3_and_helm4(values_file: Path) -> None:
    """chart/ci files are linted by test_chart_testing.py, the way `ct lint` does."""
    for h in ("helm", "helm3"):
        proc = subprocess.run(
            [helm_binary(h), "lint", "--strict", str(CHART), "-f", str(values_file)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("kube_version", ["1.29.0", "1.35.0"])
def test_core_renders_validate_strictly(
    all_renders: dict[str, list[Obj]], probes: list[Obj], overrides: list[Obj], kube_version: str
) -> None:
    for name, objects in {**all_renders, "probes": probes, "overrides": overrides}.items():
        problems = validate_objects(objects, kube_version)
        assert not problems, (name, [str(p) for p in problems])
