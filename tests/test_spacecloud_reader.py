"""The Space Cloud reader: one test per mapping rule, bad input, and the committed example.

Inputs are small Space Cloud documents written inline; each test reads them through the reader
interface (``READER.read``) and asserts on the values and the report. The example project in
values-examples/spacecloud is converted, compared with its committed values (golden), rendered
with the real helm and validated strictly against the Kubernetes schemas.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from chartutil import REPO, find, one, render
from golden import assert_golden
from ruamel.yaml import YAML
from valuesutil import svcgen_values

from svcgen.diagnostics import Diagnostic, Severity, SvcgenError, format_text
from svcgen.kube import validate_objects
from svcgen.model import Values
from svcgen.readers.base import ReadOptions, ReadResult
from svcgen.readers.spacecloud import READER
from svcgen.yamlio import dump, load_documents

EXAMPLE_DIR = REPO / "values-examples" / "spacecloud"
EXAMPLE_INPUT = EXAMPLE_DIR / "services.yaml"
EXAMPLE_VALUES = EXAMPLE_DIR / "values.yaml"
KUBE_VERSION = "1.35.0"


def service(body: str, *, sid: str = "api", project: str = "shop", version: str = "v1") -> str:
    """A service document around ``body`` (the spec, written at spec's indentation)."""
    head = textwrap.dedent(f"""\
        api: /v1/runner/{{project}}/services/{{id}}/{{version}}
        type: service
        meta:
          project: {project}
          id: {sid}
          version: {version}
        spec:
        """)
    return head + textwrap.indent(textwrap.dedent(body), "  ")


def task(extra: str = "", *, tid: str = "app", image: str = "ghcr.io/acme/api:1.4.2") -> str:
    return textwrap.dedent(f"""\
        tasks:
          - id: {tid}
            docker:
              image: {image}
        """) + textwrap.indent(textwrap.dedent(extra), "    ")


def secret_doc(name: str, kind: str, data: dict[str, str], root_path: str | None = None) -> str:
    lines = [
        "api: /v1/runner/{project}/secrets/{id}",
        "type: secret",
        f"meta: {{project: shop, id: {name}}}",
        "spec:",
        f"  type: {kind}",
    ]
    if root_path:
        lines.append(f"  rootPath: {root_path}")
    lines.append("  data:")
    lines += [f"    {k}: {v}" for k, v in data.items()]
    return "\n".join(lines) + "\n"


def read(*docs: str, **options: Any) -> ReadResult:
    text = "---\n".join(docs)
    return READER.read(load_documents("services.yaml", text), ReadOptions(**options))


def component(result: ReadResult, cid: str = "api") -> dict[str, Any]:
    comp: dict[str, Any] = result.values["components"][cid]
    return comp


def container(result: ReadResult, cid: str = "api", name: str = "app") -> dict[str, Any]:
    c: dict[str, Any] = component(result, cid)["containers"][name]
    return c


def failure(*docs: str) -> Diagnostic:
    with pytest.raises(SvcgenError) as info:
        read(*docs)
    return info.value.diagnostics[0]


def notes(result: ReadResult, rule: str) -> list[Diagnostic]:
    return [d for d in result.report if d.rule == rule]


# --- detection -----------------------------------------------------------------------------------


def test_detects_service_and_secret_documents_but_not_compose() -> None:
    assert READER.detect(load_documents("a.yaml", service(task()))[0])
    assert READER.detect(load_documents("s.yaml", secret_doc("db", "env", {"A": "b"}))[0])
    assert not READER.detect(load_documents("compose.yaml", "services: {web: {image: nginx}}")[0])
    assert not READER.detect(load_documents("v.yaml", "components: {}")[0])


# --- tasks, ports, docker ------------------------------------------------------------------------


def test_each_task_becomes_a_container_of_one_pod() -> None:
    body = textwrap.dedent("""\
        tasks:
          - id: web
            docker: {image: "nginx:1.27"}
          - id: log_shipper
            docker: {image: "fluent/fluent-bit:3.1.9"}
        """)
    result = read(service(body))
    assert list(component(result)["containers"]) == ["web", "log-shipper"]
    assert container(result, name="log-shipper")["image"] == {
        "repository": "fluent/fluent-bit",
        "tag": "3.1.9",
        "pullPolicy": "Always",
    }
    assert any(
        "log_shipper" in d.message and "log-shipper" in d.message for d in notes(result, "R002")
    )


def test_ports_become_container_and_service_ports_with_http_app_protocol() -> None:
    result = read(
        service(
            task("""\
        ports:
          - {name: http, protocol: http, port: 8080}
          - {name: metrics-tcp, protocol: tcp, port: 9100}
        """)
        )
    )
    assert container(result)["ports"] == {
        "http": {"containerPort": 8080},
        "metrics-tcp": {"containerPort": 9100},
    }
    assert component(result)["service"]["ports"] == {
        "http": {"port": 8080, "targetPort": "http", "appProtocol": "http"},
        "metrics-tcp": {"port": 9100, "targetPort": "metrics-tcp"},
    }


def test_the_same_port_in_two_tasks_is_an_error_at_the_second() -> None:
    body = textwrap.dedent("""\
        tasks:
          - id: a
            docker: {image: "nginx:1"}
            ports: [{name: http, port: 8080}]
          - id: b
            docker: {image: "nginx:1"}
            ports: [{name: admin, port: 8080}]
        """)
    diag = failure(service(body))
    assert "port 8080 is already used" in diag.message
    assert (diag.file, diag.line, diag.column) == ("services.yaml", 14, 35)


def test_docker_cmd_first_item_is_the_command_and_the_rest_are_args() -> None:
    body = textwrap.dedent("""\
        tasks:
          - id: app
            docker:
              image: ghcr.io/acme/api:1.4.2
              cmd: ["/app/api", "--port", "8080"]
        """)
    result = read(service(body))
    assert container(result)["command"] == ["/app/api"]
    assert container(result)["args"] == ["--port", "8080"]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [("pull-if-not-exists", "IfNotPresent"), ("always", "Always"), (None, "Always")],
)
def test_image_pull_policy_keeps_space_clouds_meaning(policy: str | None, expected: str) -> None:
    line = f"\n      imagePullPolicy: {policy}" if policy else ""
    body = f"tasks:\n  - id: app\n    docker:\n      image: nginx:1.27{line}\n"
    image = container(read(service(body)))["image"]
    assert image == {"repository": "nginx", "tag": "1.27", "pullPolicy": expected}


def test_an_unknown_pull_policy_is_an_error_naming_the_choices() -> None:
    body = (
        "tasks:\n  - id: app\n    docker:\n      image: nginx:1.27\n      imagePullPolicy: never\n"
    )
    diag = failure(service(body))
    assert "imagePullPolicy 'never'" in diag.message and "pull-if-not-exists" in diag.hint
    assert (diag.line, diag.column) == (12, 26)


def test_registry_credentials_become_a_pull_secret_reference_never_the_password() -> None:
    body = textwrap.dedent("""\
        tasks:
          - id: app
            docker: {image: "ghcr.io/acme/api:1.4.2", secret: ghcr-creds}
        """)
    creds = secret_doc(
        "ghcr-creds",
        "docker",
        {"username": "acme-bot", "password": "hunter2-token", "url": "ghcr.io"},
    )
    result = read(service(body), creds)
    assert result.values["global"]["imagePullSecrets"] == ["ghcr-creds"]
    actions = notes(result, "R101")
    command = [d for d in actions if "docker-registry" in d.hint]
    assert len(command) == 1
    assert command[0].hint.startswith(
        "kubectl create secret docker-registry ghcr-creds --namespace shop"
    )
    assert "--docker-server=ghcr.io" in command[0].hint
    everything = dump(result.values) + "\n".join(format_text(d) for d in result.report)
    assert "hunter2-token" not in everything and "acme-bot" not in everything


# --- resources -----------------------------------------------------------------------------------


def test_cpu_millicores_and_memory_megabytes_become_quantities() -> None:
    result = read(service(task("resources: {cpu: 250, memory: 512}\n")))
    assert container(result)["resources"] == {"requests": {"cpu": "250m", "memory": "512Mi"}}


def test_whole_cores_and_gibibytes_are_written_short() -> None:
    result = read(service(task("resources: {cpu: 2000, memory: 2048}\n")))
    assert container(result)["resources"] == {"requests": {"cpu": "2", "memory": "2Gi"}}


def test_missing_cpu_or_memory_gets_space_clouds_defaults_for_both() -> None:
    result = read(service(task("resources: {cpu: 100}\n")))
    assert container(result)["resources"] == {"requests": {"cpu": "250m", "memory": "512Mi"}}
    assert any("defaults" in d.message for d in notes(result, "R002"))


def test_gpu_becomes_a_limit_on_the_vendor_resource() -> None:
    result = read(
        service(task("resources: {cpu: 1000, memory: 4096, gpu: {type: nvidia, value: 2}}\n"))
    )
    assert container(result)["resources"]["limits"] == {"nvidia.com/gpu": 2}


def test_a_wrong_type_names_the_position_and_the_expected_type() -> None:
    diag = failure(service(task("resources: {cpu: lots}\n")))
    assert diag.message == "spec.tasks[0].resources.cpu must be an integer, not a string"
    assert (diag.line, diag.column) == (12, 24)


# --- env and secrets -----------------------------------------------------------------------------


def test_env_is_kept_as_plain_variables() -> None:
    result = read(service(task("env: {LOG_LEVEL: info, WORKERS: 4}\n")))
    assert container(result)["env"] == {"LOG_LEVEL": "info", "WORKERS": "4"}


def test_env_secret_with_its_document_becomes_one_reference_per_key() -> None:
    result = read(
        service(task("secrets: [orders-db]\n")),
        secret_doc("orders-db", "env", {"DB_USER": "orders", "DB_PASSWORD": "pa55-w0rd"}),
    )
    assert container(result)["secretEnv"] == {
        "DB_USER": {"secret": "orders-db", "key": "DB_USER"},
        "DB_PASSWORD": {"secret": "orders-db", "key": "DB_PASSWORD"},
    }
    create = [d for d in notes(result, "R101") if "orders-db" in d.message]
    assert create and "--from-literal=DB_PASSWORD=..." in create[0].hint
    everything = dump(result.values) + "\n".join(format_text(d) for d in result.report)
    assert "pa55-w0rd" not in everything


def test_env_secret_without_its_document_becomes_env_from_and_an_action() -> None:
    result = read(service(task("secrets: [session-keys]\n")))
    assert container(result)["envFrom"] == [{"secret": "session-keys"}]
    assert any("session-keys" in d.message for d in notes(result, "R101"))


def test_file_secret_is_mounted_read_only_at_its_root_path() -> None:
    result = read(
        service(task("secrets: [tls-certs]\n")),
        secret_doc("tls-certs", "file", {"tls.crt": "x", "tls.key": "y"}, root_path="/etc/tls"),
    )
    assert component(result)["volumes"] == {"tls-certs": {"secret": {"secretName": "tls-certs"}}}
    assert container(result)["volumeMounts"] == {
        "tls-certs": {"mountPath": "/etc/tls", "readOnly": True},
    }


# --- scaling -------------------------------------------------------------------------------------


def scale(mode: str) -> str:
    return textwrap.dedent(f"""\
        scale: {{replicas: 2, minReplicas: 2, maxReplicas: 10, concurrency: 50, mode: {mode}}}
        """)


HTTP_PORT = "ports: [{name: http, protocol: http, port: 8080}]\n"


def test_scale_per_second_concurrency_is_requests_per_second() -> None:
    scaling = component(read(service(scale("per-second") + task(HTTP_PORT))))["scaling"]
    assert scaling == {
        "minReplicas": 2,
        "maxReplicas": 10,
        "requestsPerSecond": 50,
        "pollingInterval": 15,
        "cooldownPeriod": 120,
    }


def test_scale_parallel_concurrency_is_in_flight_requests() -> None:
    scaling = component(read(service(scale("parallel") + task(HTTP_PORT))))["scaling"]
    assert scaling["concurrency"] == 50 and "requestsPerSecond" not in scaling


def test_tcp_services_are_not_request_scaled_as_in_space_cloud() -> None:
    """Space Cloud counted HTTP requests through its runner: a service without an http port
    had nothing to count and ran minReplicas."""
    body = scale("per-second") + task("ports: [{name: redis, protocol: tcp, port: 6379}]\n")
    result = read(service(body))
    assert "scaling" not in component(result)
    assert component(result)["replicas"] == 2
    assert any("no http port" in d.message for d in notes(result, "R100"))


def test_a_service_with_http_and_tcp_ports_is_scaled_on_its_http_requests() -> None:
    """Space Cloud's driver created the autoscaler for request triggers whatever other ports the
    service had; only the HTTP requests are counted, and the interceptor forwards to the http
    port, not the first port by name."""
    ports = ("ports:\n  - {name: admin, protocol: tcp, port: 7000}\n"
             "  - {name: web, protocol: http, port: 8080}\n")
    result = read(service(scale("per-second") + task(ports)))
    scaling = component(result)["scaling"]
    assert scaling["requestsPerSecond"] == 50 and scaling["minReplicas"] == 2
    assert any("TCP connections add no replicas" in d.message for d in notes(result, "R002"))
    objects = render(result.values, namespace="shop")
    (http,) = find(objects, "HTTPScaledObject")
    assert http["spec"]["scaleTargetRef"]["port"] == 8080
    assert validate_objects(objects, KUBE_VERSION) == []


def test_scale_to_zero_on_requests_says_how_in_cluster_callers_wake_the_service() -> None:
    """Space Cloud routed mesh calls through its runner, which woke a service at zero; the KEDA
    HTTP add-on only counts (and holds) requests through its interceptor."""
    body = scale("per-second").replace("minReplicas: 2", "minReplicas: 0") + task(HTTP_PORT)
    result = read(service(body))
    assert component(result)["scaling"]["minReplicas"] == 0
    (wake,) = [d for d in notes(result, "R101") if "scale to zero" in d.message]
    assert "api.shop.svc.cluster.local" in wake.message
    assert "interceptor" in wake.hint and "minReplicas: 1" in wake.hint


def test_equal_min_and_max_replicas_is_a_fixed_replica_count() -> None:
    body = "scale: {replicas: 3, minReplicas: 3, maxReplicas: 3, concurrency: 10}\n" + task()
    comp = component(read(service(body)))
    assert comp["replicas"] == 3 and "scaling" not in comp


def test_auto_scale_triggers_map_to_scaling_targets_and_keda_triggers() -> None:
    body = (
        textwrap.dedent("""\
        autoScale:
          minReplicas: 1
          maxReplicas: 20
          pollingInterval: 10
          triggers:
            - {name: rps, type: requests-per-second, metadata: {target: "40"}}
            - {name: inflight, type: active-requests, metadata: {target: "5"}}
            - {name: cpu, type: cpu, metadata: {type: Utilization, value: "70"}}
            - name: queue
              type: rabbitmq
              metadata: {queueName: orders, mode: QueueLength, value: "20"}
              authRef:
                secretMapping: [{param: host, key: secrets.rabbit.url}]
        """)
        + task(HTTP_PORT)
    )
    result = read(service(body))
    assert component(result)["scaling"] == {
        "minReplicas": 1,
        "maxReplicas": 20,
        "requestsPerSecond": 40,
        "concurrency": 5,
        "targetCPU": 70,
        "pollingInterval": 10,
        "cooldownPeriod": 120,
        "triggers": [
            {
                "type": "rabbitmq",
                "name": "queue",
                "metadata": {"queueName": "orders", "mode": "QueueLength", "value": "20"},
                "secretTargetRef": [{"parameter": "host", "secret": "rabbit", "key": "url"}],
            }
        ],
    }


def test_trigger_authentication_is_rendered_and_referenced_by_the_scaled_object() -> None:
    """Space Cloud's driver created a TriggerAuthentication per trigger with an authRef (param ←
    secrets.<secret>.<key>) and referenced it from the ScaledObject; the reader used to reference
    a name nothing created."""
    body = (
        textwrap.dedent("""\
        autoScale:
          minReplicas: 0
          maxReplicas: 5
          triggers:
            - name: queue
              type: rabbitmq
              metadata: {queueName: orders, mode: QueueLength, value: "20"}
              authRef:
                secretMapping: [{param: host, key: secrets.rabbit.url}]
        """)
        + task()
    )
    result = read(service(body))
    objects = render(result.values, namespace="shop")
    (scaled,) = find(objects, "ScaledObject")
    (auth,) = find(objects, "TriggerAuthentication")
    assert scaled["spec"]["triggers"][0]["authenticationRef"] == {
        "name": auth["metadata"]["name"]}
    assert auth["spec"] == {"secretTargetRef": [
        {"parameter": "host", "name": "rabbit", "key": "url"}]}
    assert validate_objects(objects, KUBE_VERSION) == []


def test_auto_scale_without_triggers_runs_min_replicas() -> None:
    comp = component(read(service("autoScale: {minReplicas: 3, maxReplicas: 5}\n" + task())))
    assert comp["replicas"] == 3 and "scaling" not in comp


def test_min_above_max_is_an_error() -> None:
    diag = failure(service("autoScale: {minReplicas: 6, maxReplicas: 5}\n" + task()))
    assert "minReplicas 6 is above maxReplicas 5" in diag.message
    assert (diag.line, diag.column) == (8, 28)


# --- peers, affinity, labels, project ------------------------------------------------------------


def test_upstreams_and_whitelists_keep_their_meaning_as_peers() -> None:
    peers = textwrap.dedent("""\
        upstreams:
          - {projectId: shop, service: db}
          - {projectId: shop, service: search}
          - {projectId: billing, service: invoices}
        whitelists:
          - {projectId: shop, service: "*"}
          - {projectId: "*", service: "*"}
        """)
    db = service(task(), sid="db")
    result = read(service(peers + task()), db)
    assert component(result)["upstreams"] == [
        {"component": "db"},
        {"project": "shop", "service": "search"},
        {"project": "billing", "service": "invoices"},
    ]
    assert component(result)["whitelists"] == [{"project": "shop"}, {"project": "*"}]
    assert result.values["global"]["networkPolicy"] == {"enabled": True, "allEgress": True}
    Values.model_validate(result.values)


def test_affinity_rules_become_kubernetes_affinity() -> None:
    body = (
        textwrap.dedent("""\
        affinity:
          - id: spread
            type: service
            weight: -50
            operator: preferred
            topologyKey: kubernetes.io/hostname
            projects: [shop]
            matchExpressions: [{key: app, operator: In, values: [api]}]
          - id: gpu
            type: node
            operator: required
            matchExpressions: [{key: gpu, operator: Exists}]
        """)
        + task()
    )
    affinity = component(read(service(body)))["affinity"]
    assert affinity == {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}],
            }
        },
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 50,
                    "podAffinityTerm": {
                        "labelSelector": {
                            "matchExpressions": [
                                {"key": "app", "operator": "In", "values": ["api"]}
                            ]
                        },
                        "topologyKey": "kubernetes.io/hostname",
                        "namespaces": ["shop"],
                    },
                }
            ]
        },
    }


def test_labels_and_version_become_labels_and_pods_keep_app_and_version() -> None:
    comp = component(read(service("labels: {team: core}\n" + task(), version="v7")))
    assert comp["labels"] == {"team": "core", "version": "v7"}
    assert comp["podLabels"] == {"app": "api", "version": "v7"}


def test_project_becomes_global_project_and_projects_must_agree() -> None:
    result = read(service(task()))
    assert result.values["global"]["project"] == "shop"
    diag = failure(service(task()), service(task(), sid="web", project="other"))
    assert "project 'other' differs from project 'shop'" in diag.message
    assert diag.line == 16


def test_project_option_moves_the_release_and_keeps_same_project_peers() -> None:
    peers = "upstreams: [{projectId: shop, service: db}, {projectId: shop, service: search}]\n"
    result = read(service(peers + task()), service(task(), sid="db"), project="shop-staging")
    assert result.values["global"]["project"] == "shop-staging"
    assert component(result)["upstreams"] == [
        {"component": "db"},
        {"project": "shop-staging", "service": "search"},
    ]


def test_other_space_cloud_documents_are_reported_not_converted() -> None:
    other = textwrap.dedent("""\
        api: /v1/config/projects/{project}/database/{dbAlias}/config/{id}
        type: db-config
        meta: {project: shop, dbAlias: db, id: db-config}
        spec: {type: postgres, conn: "postgres://x", enabled: true}
        """)
    result = read(service(task()), other)
    skipped = notes(result, "R100")
    assert len(skipped) == 1 and "'db-config'" in skipped[0].message
    assert (skipped[0].line, skipped[0].column) == (14, 1)


def test_security_profile_is_baseline_and_the_report_says_why() -> None:
    result = read(service(task()))
    assert component(result)["securityProfile"] == "baseline"
    why = [d for d in notes(result, "R002") if "securityProfile baseline" in d.message]
    assert why and "non-root" in why[0].message


def test_every_service_gets_a_converted_summary() -> None:
    result = read(service(task()), service(task(), sid="web"))
    summaries = notes(result, "R001")
    assert [d.message.split(":")[0] for d in summaries] == [
        "service api → component api",
        "service web → component web",
    ]
    assert all(d.severity is Severity.INFO and d.line for d in summaries)


# --- bad input -----------------------------------------------------------------------------------


def test_an_unknown_key_is_an_error_with_a_suggestion() -> None:
    diag = failure(service(task("envs: {A: b}\n")))
    assert diag.message == "unknown key 'envs' in a Space Cloud task"
    assert diag.hint == "did you mean 'env'?"
    assert (diag.line, diag.column) == (12, 7)


def test_malformed_yaml_is_an_error_with_a_position() -> None:
    with pytest.raises(SvcgenError) as info:
        load_documents("services.yaml", service(task()) + "  tasks: [\n")
    diag = info.value.diagnostics[0]
    assert diag.file == "services.yaml" and diag.line > 0 and "invalid YAML" in diag.message


def test_a_task_without_docker_is_an_error() -> None:
    diag = failure(service("tasks:\n  - id: app\n"))
    assert "has no docker section" in diag.message
    assert (diag.line, diag.column) == (9, 7)


def test_code_runtime_is_an_error_because_there_is_no_image() -> None:
    diag = failure(service(task("runtime: code\n")))
    assert "runtime: code" in diag.message and "build an image" in diag.hint


def test_one_version_of_a_service_given_twice_is_an_error() -> None:
    diag = failure(service(task()), service(task()))
    assert "given twice" in diag.message
    assert diag.hint == "keep one document per version of each service"


# --- the committed example -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> ReadResult:
    return READER.read(load_documents(EXAMPLE_INPUT), ReadOptions())


@pytest.fixture(scope="module")
def example_objects() -> list[dict[str, Any]]:
    return render(files=[EXAMPLE_VALUES], namespace="shop")


def test_example_renders_alike_with_helm_3(example_objects: list[dict[str, Any]]) -> None:
    assert render(files=[EXAMPLE_VALUES], namespace="shop", helm="helm3") == example_objects


@pytest.mark.golden
def test_example_values_are_what_svcgen_values_writes() -> None:
    code, text, _ = svcgen_values(str(EXAMPLE_INPUT))
    assert code == 0
    assert_golden(EXAMPLE_VALUES, text)


def test_example_values_are_the_readers_values(example: ReadResult) -> None:
    committed = YAML(typ="safe", pure=True).load(EXAMPLE_VALUES.read_text())
    assert committed == json.loads(json.dumps(example.values))
    Values.model_validate(committed)


def test_example_has_what_the_issue_asks_for(example: ReadResult) -> None:
    comps = example.values["components"]
    assert len(comps) >= 3
    assert any(len(c["containers"]) > 1 for c in comps.values())
    assert example.values["global"]["imagePullSecrets"]
    assert any("scaling" in c for c in comps.values())
    assert any(c.get("upstreams") for c in comps.values())
    assert any(c.get("whitelists") for c in comps.values())


def test_example_renders_and_validates_strictly(example_objects: list[dict[str, Any]]) -> None:
    assert validate_objects(example_objects, KUBE_VERSION) == []
    deployment = one(example_objects, "Deployment", "gateway-api")
    pod = deployment["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["api", "log-shipper"]
    assert pod["imagePullSecrets"] == [{"name": "ghcr-acme"}, {"name": "acme-registry"}]
    api = pod["containers"][0]
    assert api["command"] == ["/app/gateway"] and api["args"][0] == "--listen"
    assert api["resources"]["requests"] == {"cpu": "500m", "memory": "512Mi"}
    assert {o["metadata"]["name"] for o in find(example_objects, "HTTPScaledObject")} == {
        "gateway-api",
        "orders",
    }
    orders = one(example_objects, "Deployment", "orders")["spec"]["template"]["spec"]
    env = {e["name"]: e for e in orders["containers"][0]["env"]}
    assert env["DB_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "orders-db",
        "key": "DB_PASSWORD",
    }
    assert one(example_objects, "Service", "inventory")["spec"]["ports"][0]["port"] == 9090


def test_example_secrets_never_reach_values_or_report(example: ReadResult) -> None:
    source = EXAMPLE_INPUT.read_text()
    secrets = ["s3cr3t-orders-pw", "ghp_not-a-real-token-0123456789", "MIIE"]
    assert all(s in source for s in secrets)
    output = EXAMPLE_VALUES.read_text() + "\n".join(format_text(d) for d in example.report)
    assert not [s for s in secrets if s in output]


def test_example_report_locates_every_note_in_the_input(example: ReadResult) -> None:
    assert example.report
    for d in example.report:
        assert Path(d.file) == EXAMPLE_INPUT and d.line > 0, format_text(d)


# --- through the command line --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        (service(task()) + "  tasks: [\n", "services.yaml:13:1", "invalid YAML"),
        (service(task("resources: {cpu: lots}\n")), "services.yaml:12:24", "must be an integer"),
        (service(task("envs: {A: b}\n")), "services.yaml:12:7", "unknown key 'envs'"),
    ],
    ids=["malformed-yaml", "wrong-type", "unknown-key"],
)
def test_bad_input_exits_1_with_a_position_and_no_traceback(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    from typer.testing import CliRunner

    from svcgen.cli import app

    (tmp_path / "services.yaml").write_text(text)
    result = CliRunner().invoke(app, ["values", str(tmp_path / "services.yaml")])
    assert result.exit_code == 1
    assert f"{tmp_path}/{where}: error: " in result.output and message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_negative_node_weight_avoids_the_nodes_with_the_opposite_operator() -> None:
    """Space Cloud: a negative weight means "avoid". Kubernetes weights are 1 to 100, so the
    preference is for nodes that do not match (NotIn / DoesNotExist) — never a preference for
    the nodes that were to be avoided."""
    body = (
        textwrap.dedent("""\
        affinity:
          - id: not-spot
            type: node
            weight: -40
            operator: preferred
            matchExpressions: [{key: lifecycle, operator: In, values: [spot]}]
          - id: not-tainted
            type: node
            weight: -10
            operator: preferred
            matchExpressions:
              - {key: maintenance, operator: Exists}
              - {key: zone, operator: NotIn, values: [a]}
        """)
        + task()
    )
    result = read(service(body))
    preferred = component(result)["affinity"]["nodeAffinity"][
        "preferredDuringSchedulingIgnoredDuringExecution"]
    assert preferred == [
        {"weight": 40, "preference": {"matchExpressions": [
            {"key": "lifecycle", "operator": "NotIn", "values": ["spot"]}]}},
        {"weight": 10, "preference": {"matchExpressions": [
            {"key": "maintenance", "operator": "DoesNotExist"}]}},
        {"weight": 10, "preference": {"matchExpressions": [
            {"key": "zone", "operator": "In", "values": ["a"]}]}},
    ]
    assert any("avoided" in d.message for d in result.report if d.rule == "R002")


def test_egress_stays_open_to_private_and_in_cluster_addresses_as_in_space_cloud() -> None:
    """Space Cloud's Sidecar lists the upstreams but sets outbound ALLOW_ANY: a task reaches a
    database on a private address or an unlisted in-cluster service. With NetworkPolicies on,
    the converted values keep that (one allow-all egress rule), and the report says how to
    tighten it."""
    body = "upstreams:\n  - {projectId: shop, service: db}\n" + task()
    result = read(service(body), service(task(), sid="db"))
    assert result.values["global"]["networkPolicy"] == {"enabled": True, "allEgress": True}
    choice = next(d for d in result.report if "egress" in d.message)
    assert "allEgress: false" in choice.hint and "externalEgress" in choice.hint
    objects = render(result.values, namespace="shop")
    policy = one(objects, "NetworkPolicy", "api")
    assert {} in policy["spec"]["egress"]
    assert validate_objects(objects, KUBE_VERSION) == []


def role_doc(role_id: str, service_id: str, kind: str, resources: str) -> str:
    return textwrap.dedent(f"""\
        api: /v1/runner/{{project}}/service-roles/{{serviceId}}/{{roleId}}
        type: service-role
        meta: {{roleId: {role_id}, project: shop, serviceId: {service_id}}}
        spec:
          type: {kind}
          rules:
            - {{apiGroups: [""], verbs: [get, list, watch], resources: [{resources}]}}
        """)


def test_each_service_runs_as_service_account_id_and_its_roles_are_bound_to_it() -> None:
    """Space Cloud's driver gave each service the ServiceAccount ``<id>`` and turned a service
    role into a Role (type project) or ClusterRole (type cluster) bound to it."""
    result = read(
        service(task(HTTP_PORT)),
        role_doc("config-reader", "api", "project", "configmaps"),
        role_doc("node-reader", "api", "cluster", "nodes"),
    )
    account = component(result)["serviceAccount"]
    assert account == {
        "create": True,
        "name": "api",
        "rules": [{"apiGroups": [""], "resources": ["configmaps"],
                   "verbs": ["get", "list", "watch"]}],
        "clusterRules": [{"apiGroups": [""], "resources": ["nodes"],
                          "verbs": ["get", "list", "watch"]}],
    }
    objects = render(result.values, namespace="shop")
    assert one(objects, "ServiceAccount", "api")
    role = one(objects, "Role", "api")
    assert role["rules"][0]["resources"] == ["configmaps"]
    binding = one(objects, "RoleBinding", "api")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "api", "namespace": "shop"}]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                  "name": "api"}
    cluster_binding = one(objects, "ClusterRoleBinding", "shop-api")
    assert cluster_binding["roleRef"]["name"] == one(objects, "ClusterRole", "shop-api")[
        "metadata"]["name"]
    deployment = one(objects, "Deployment", "api")
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "api"
    assert validate_objects(objects, KUBE_VERSION) == []


def test_peers_in_other_projects_are_matched_without_this_charts_labels() -> None:
    """Space Cloud matched callers by namespace and ServiceAccount
    (``cluster.local/ns/<project>/sa/<service>``): a peer in another project may not have been
    deployed by this chart. NetworkPolicies admit its pods by this chart's component label or
    Space Cloud's ``app`` label; Istio by the ServiceAccount; the report says which pins down
    what."""
    body = ("whitelists:\n  - {projectId: billing, service: invoices}\n" + task(HTTP_PORT))
    result = read(service(body))
    note = next(d for d in notes(result, "R002") if "another project" in d.message)
    assert "app=invoices" in note.message and "cluster.local/ns/billing/sa/invoices" in note.message
    objects = render(result.values, namespace="shop")
    sources = one(objects, "NetworkPolicy", "api")["spec"]["ingress"][0]["from"]
    billing = {"matchLabels": {"kubernetes.io/metadata.name": "billing"}}
    assert {"namespaceSelector": billing,
            "podSelector": {"matchLabels": {"app": "invoices"}}} in sources
    assert {"namespaceSelector": billing,
            "podSelector": {"matchLabels": {"app.kubernetes.io/component": "invoices"}}} in sources
    istio = render({**result.values, "global": {**result.values["global"],
                                                "mesh": {"istio": True}}}, namespace="shop")
    (policy,) = find(istio, "AuthorizationPolicy")
    principals = [p for r in policy["spec"]["rules"] for f in r.get("from", [])
                  for p in f["source"].get("principals", [])]
    assert "cluster.local/ns/billing/sa/invoices" in principals
