"""The DevSpace reader: one test per mapping rule, bad input, and the committed example.

Inputs are small component-chart values (one file per component) or devspace.yaml files written
inline; each test reads them through the reader interface (``READER.read``). The example in
values-examples/devspace is converted, compared with its committed values (golden), rendered with
the real helm and validated strictly against the Kubernetes schemas.
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

from svcgen.diagnostics import Diagnostic, SvcgenError, format_text
from svcgen.kube import validate_objects
from svcgen.model import Values
from svcgen.readers.base import ReadOptions, ReadResult
from svcgen.readers.devspace import READER
from svcgen.yamlio import load_documents

EXAMPLE_DIR = REPO / "values-examples" / "devspace"
EXAMPLE_INPUT = EXAMPLE_DIR / "devspace.yaml"
EXAMPLE_VALUES = EXAMPLE_DIR / "values.yaml"
KUBE_VERSION = "1.35.0"


def read_files(*files: tuple[str, str], **options: Any) -> ReadResult:
    docs = [doc for name, text in files for doc in READER.loader(name, textwrap.dedent(text))]
    return READER.read(docs, ReadOptions(**{"environ": {}, **options}))


def read(text: str, name: str = "api.yaml", **options: Any) -> ReadResult:
    return read_files((name, text), **options)


def failure(text: str, name: str = "api.yaml") -> Diagnostic:
    with pytest.raises(SvcgenError) as info:
        read(text, name)
    return info.value.diagnostics[0]


def comp(result: ReadResult, cid: str = "api") -> dict[str, Any]:
    c: dict[str, Any] = result.values["components"][cid]
    return c


def notes(result: ReadResult, rule: str) -> list[Diagnostic]:
    return [d for d in result.report if d.rule == rule]


WEB = """\
containers:
  - image: nginx:1.27
"""


# --- detection and component names ---------------------------------------------------------------


def test_detects_component_values_and_devspace_configs_only() -> None:
    assert READER.detect(load_documents("api.yaml", WEB)[0])
    assert READER.detect(load_documents("devspace.yaml", "version: v2beta1\ndeployments: {}\n")[0])
    assert not READER.detect(load_documents("c.yaml", "services: {web: {image: nginx}}\n")[0])
    assert not READER.detect(load_documents("v.yaml", "components: {api: {}}\n")[0])


@pytest.mark.parametrize(
    ("file", "cid"),
    [
        ("api.yaml", "api"),
        ("api-values.yaml", "api"),
        ("billing/values.yaml", "billing"),
        ("Order_Service.yml", "order-service"),
    ],
)
def test_a_values_file_names_its_component(file: str, cid: str) -> None:
    assert list(read(WEB, file).values["components"]) == [cid]


# --- containers ----------------------------------------------------------------------------------


def test_the_container_list_becomes_keyed_containers_named_as_the_component_chart_does() -> None:
    result = read("""\
        containers:
          - name: app
            image: ghcr.io/acme/api:1.4.2
            command: ["/app/api"]
            args: ["--port", "8080"]
          - image: prom/statsd-exporter:v0.27.1
        """)
    containers = comp(result)["containers"]
    assert list(containers) == ["app", "container-1"]
    assert containers["app"] == {
        "image": {"repository": "ghcr.io/acme/api", "tag": "1.4.2"},
        "command": ["/app/api"],
        "args": ["--port", "8080"],
    }


def test_env_values_and_secret_references_become_env_and_secret_env() -> None:
    result = read("""\
        containers:
          - image: nginx:1.27
            env:
              - {name: LOG_LEVEL, value: info}
              - {name: WORKERS, value: 4}
              - name: DB_PASSWORD
                valueFrom: {secretKeyRef: {name: db-credentials, key: password}}
              - name: FEATURE_FLAGS
                valueFrom: {configMapKeyRef: {name: flags, key: all}}
        """)
    container = comp(result)["containers"]["container-0"]
    assert container["env"] == {"LOG_LEVEL": "info", "WORKERS": 4}
    assert container["secretEnv"] == {
        "DB_PASSWORD": {"secret": "db-credentials", "key": "password"}
    }
    skipped = notes(result, "R100")
    assert len(skipped) == 1 and "FEATURE_FLAGS" in skipped[0].message and skipped[0].line == 9


def test_resources_and_probes_are_kept_with_kubernetes_names() -> None:
    result = read("""\
        containers:
          - image: nginx:1.27
            resources:
              requests: {cpu: 100m, memory: 128Mi, ephemeralStorage: 1Gi}
              limits: {memory: 256Mi}
            livenessProbe:
              httpGet: {path: /healthz, port: 8080}
              periodSeconds: 10
            startupProbe:
              tcpSocket: {port: 8080}
        """)
    container = comp(result)["containers"]["container-0"]
    assert container["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi", "ephemeral-storage": "1Gi"},
        "limits": {"memory": "256Mi"},
    }
    assert container["probes"] == {
        "liveness": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
        "startup": {"tcpSocket": {"port": 8080}},
    }


def test_pull_secrets_become_global_image_pull_secrets() -> None:
    result = read_files(
        ("a.yaml", WEB + "pullSecrets: [regcred]\n"),
        ("b.yaml", WEB + "pullSecrets: [regcred, ghcr]\n"),
    )
    assert result.values["global"]["imagePullSecrets"] == ["regcred", "ghcr"]


def test_security_profile_is_baseline_and_the_report_says_why() -> None:
    result = read(WEB)
    assert comp(result)["securityProfile"] == "baseline"
    assert any(
        "securityProfile baseline" in d.message and "non-root" in d.message
        for d in notes(result, "R002")
    )


# --- service ports -------------------------------------------------------------------------------


def test_service_ports_give_the_service_and_the_first_containers_ports() -> None:
    result = read(
        WEB
        + textwrap.dedent("""\
        service:
          ports:
            - {name: http, port: 80, containerPort: 8080}
            - {port: 9102}
            - {name: dns, port: 53, protocol: udp}
        """)
    )
    assert comp(result)["containers"]["container-0"]["ports"] == {
        "http": {"containerPort": 8080},
        "port-1": {"containerPort": 9102},
        "dns": {"containerPort": 53, "protocol": "UDP"},
    }
    assert comp(result)["service"] == {
        "ports": {
            "http": {"port": 80, "targetPort": "http"},
            "port-1": {"port": 9102, "targetPort": "port-1"},
            "dns": {"port": 53, "targetPort": "dns", "protocol": "UDP"},
        }
    }


def test_the_older_external_port_means_the_service_port() -> None:
    result = read(WEB + "service:\n  ports: [{externalPort: 80, containerPort: 3000}]\n")
    assert comp(result)["service"]["ports"] == {"port-0": {"port": 80, "targetPort": "port-0"}}
    assert comp(result)["containers"]["container-0"]["ports"] == {
        "port-0": {"containerPort": 3000},
    }


def test_port_and_external_port_together_are_an_error() -> None:
    diag = failure(WEB + "service:\n  ports: [{port: 80, externalPort: 80}]\n")
    assert "port or externalPort, not both" in diag.message
    assert (diag.line, diag.column) == (4, 22)


def test_service_names_are_unique_across_components() -> None:
    with pytest.raises(SvcgenError) as info:
        read_files(
            ("a.yaml", WEB + "service: {name: shared, ports: [{port: 80}]}\n"),
            ("b.yaml", WEB + "service: {name: shared, ports: [{port: 80}]}\n"),
        )
    diag = info.value.diagnostics[0]
    assert diag.file == "b.yaml" and "'shared' is already used (a.yaml:3)" in diag.message


# --- ingress and the external service ------------------------------------------------------------


INGRESS = """\
service:
  ports: [{name: http, port: 80, containerPort: 8080}, {name: admin, port: 9000}]
ingress:
  tls: true
  ingressClassName: nginx
  rules:
    - host: api.example.com
    - {host: api.example.com, path: /admin, servicePort: 9000, pathType: Prefix}
"""


def test_ingress_rules_become_hosts_and_paths_routed_to_the_first_listed_port() -> None:
    """component-chart: a rule without servicePort goes to ``service.ports[0].port`` (80 here,
    although ``admin`` sorts first), and ``tls: true`` names the Secret ``tls-<name>``; without
    ``certmanager`` no cert-manager annotation is rendered."""
    result = read(WEB + INGRESS)
    assert comp(result)["ingress"] == {
        "className": "nginx",
        "tls": {"secretName": "tls-api"},
        "hosts": {
            "api.example.com": {
                "paths": {
                    "/": {"port": 80, "pathType": "ImplementationSpecific"},
                    "/admin": {"port": 9000, "pathType": "Prefix"},
                }
            }
        },
    }
    objects = render(result.values)
    paths = one(objects, "Ingress", "api")["spec"]["rules"][0]["http"]["paths"]
    root = next(p for p in paths if p["path"] == "/")
    assert root["backend"]["service"]["port"] == {"name": "http"}  # port 80, not admin


def test_certmanager_asks_cert_manager_with_the_component_charts_issuer() -> None:
    """component-chart: ``certmanager: true`` with tls adds the cluster issuer
    (``lets-encrypt-http-issuer`` unless ``tlsClusterIssuer``) and the HTTP-01 ingress class."""
    result = read(WEB + INGRESS.replace("  tls: true\n", "  tls: true\n  certmanager: true\n"))
    ingress = comp(result)["ingress"]
    assert ingress["tls"] == {
        "secretName": "tls-api",
        "certManager": {"clusterIssuer": "lets-encrypt-http-issuer"},
    }
    assert ingress["annotations"] == {"acme.cert-manager.io/http01-ingress-class": "nginx"}


def test_a_rule_for_another_components_service_moves_to_that_component() -> None:
    result = read_files(
        (
            "web.yaml",
            WEB + "service: {ports: [{port: 80}]}\n"
            "ingress: {rules: [{host: shop.example.com}, {host: shop.example.com, path: /api, "
            "serviceName: backend}]}\n",
        ),
        ("backend.yaml", WEB + "service: {name: backend, ports: [{port: 8080}]}\n"),
    )
    assert comp(result, "web")["ingress"]["hosts"] == {
        "shop.example.com": {"paths": {"/": {"port": 80, "pathType": "ImplementationSpecific"}}},
    }
    assert comp(result, "backend")["ingress"]["hosts"] == {
        "shop.example.com": {"paths": {"/api": {"pathType": "ImplementationSpecific"}}},
    }
    assert any("no such port" in d.message for d in notes(result, "R101"))


def test_the_external_service_keeps_the_domains_ingress_on_port_80() -> None:
    result = read(WEB + "service: {name: external, ports: [{port: 80, containerPort: 3000}]}\n")
    component = comp(result)
    assert component["service"]["name"] == "external"
    assert component["ingress"] == {}
    action = notes(result, "R101")
    assert action and "global.domain" in action[0].hint
    objects = render({**result.values, "global": {"domain": "example.com"}})
    rule = one(objects, "Ingress", "api")["spec"]["rules"][0]
    assert rule["host"] == "api.example.com"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "external", "port": {"name": "port-0"}}
    service = one(objects, "Service", "external")
    assert service["spec"]["ports"][0]["port"] == 80


def test_an_external_service_whose_port_80_is_not_the_default_route_needs_an_action() -> None:
    result = read(
        WEB
        + textwrap.dedent("""\
        service:
          name: external
          ports: [{name: admin, port: 9000}, {name: web, port: 80, containerPort: 3000}]
        """)
    )
    hints = [d.hint for d in notes(result, "R101")]
    assert "set components.api.ingress.hosts.<domain>.paths./.port: web" in hints


# --- volumes and workload kind -------------------------------------------------------------------


def test_a_writable_persistent_mount_makes_a_stateful_set() -> None:
    result = read("""\
        containers:
          - image: postgres:16.4
            volumeMounts:
              - containerPath: /var/lib/postgresql/data
                volume: {name: data}
              - containerPath: /etc/init
                volume: {name: init, readOnly: true, subPath: /scripts/}
        volumes:
          - {name: data, size: 10Gi, storageClassName: fast, accessModes: [ReadWriteOnce]}
          - {name: init, configMap: {name: pg-init}}
        """)
    component = comp(result)
    assert component["kind"] == "StatefulSet"
    assert component["volumes"] == {
        "data": {"size": "10Gi", "storageClassName": "fast", "accessModes": ["ReadWriteOnce"]},
        "init": {"configMap": {"name": "pg-init"}},
    }
    assert component["containers"]["container-0"]["volumeMounts"] == {
        "data": {"mountPath": "/var/lib/postgresql/data"},
        "init": {"mountPath": "/etc/init", "subPath": "scripts", "readOnly": True},
    }


def test_a_read_only_persistent_mount_stays_a_deployment() -> None:
    result = read("""\
        containers:
          - image: nginx:1.27
            volumeMounts: [{containerPath: /data, volume: {name: data, readOnly: true}}]
        volumes: [{name: data, size: 1Gi}]
        """)
    assert "kind" not in comp(result)


def test_mounting_an_undefined_volume_is_an_error() -> None:
    diag = failure("""\
        containers:
          - image: nginx:1.27
            volumeMounts: [{containerPath: /data, volume: {name: dta}}]
        volumes: [{name: data, size: 1Gi}]
        """)
    assert "volume 'dta' is not defined" in diag.message and diag.line == 3


# --- replicas and rollouts -----------------------------------------------------------------------


def test_replicas_and_horizontal_autoscaling_become_scaling() -> None:
    result = read(
        WEB
        + textwrap.dedent("""\
        replicas: 2
        autoScaling:
          horizontal: {maxReplicas: 6, averageRelativeCPU: 70, averageRelativeMemory: 80}
        """)
    )
    assert comp(result)["scaling"] == {
        "minReplicas": 2,
        "maxReplicas": 6,
        "targetCPU": 70,
        "targetMemory": 80,
    }


def test_no_autoscaler_when_max_replicas_is_not_above_replicas() -> None:
    result = read(WEB + "replicas: 3\nautoScaling: {horizontal: {maxReplicas: 3}}\n")
    assert comp(result)["replicas"] == 3 and "scaling" not in comp(result)
    assert any("rendered no autoscaler" in d.message for d in notes(result, "R100"))


def test_rolling_update_settings_become_the_strategy() -> None:
    result = read(WEB + 'rollingUpdate: {enabled: true, maxSurge: "50%", maxUnavailable: 0}\n')
    assert comp(result)["strategy"] == {"maxSurge": "50%", "maxUnavailable": 0}
    recreate = read(WEB)
    assert "strategy" not in comp(recreate)
    assert any("Recreate" in d.message for d in notes(recreate, "R002"))


# --- devspace.yaml -------------------------------------------------------------------------------


def test_devspace_v1_deployments_with_the_component_chart_are_read() -> None:
    result = read(
        """\
        version: v1beta10
        images:
          app: {image: ghcr.io/acme/app, tags: ["2.0.1"]}
        deployments:
          - name: app
            helm:
              componentChart: true
              values:
                containers: [{image: "image(app):tag(app)"}]
          - name: legacy
            component:
              containers: [{image: "busybox:1.36"}]
          - name: monitoring
            helm:
              chart: {name: prometheus, repo: https://prometheus-community.github.io/helm-charts}
          - name: manifests
            kubectl: {manifests: [k8s/]}
        dev:
          sync: [{imageSelector: ghcr.io/acme/app}]
        """,
        "devspace.yaml",
    )
    assert list(result.values["components"]) == ["app", "legacy"]
    assert comp(result, "app")["containers"]["container-0"]["image"] == {
        "repository": "ghcr.io/acme/app",
        "tag": "2.0.1",
    }
    skipped = {d.path for d in notes(result, "R100")}
    assert skipped == {"deployments[2]", "deployments[3]", "dev"}


def test_devspace_v2_deployments_use_the_component_chart_by_default() -> None:
    result = read(
        """\
        version: v2beta1
        images:
          api: {image: ghcr.io/acme/api}
        deployments:
          api:
            helm:
              values:
                containers: [{image: "${runtime.images.api.image}:${runtime.images.api.tag}"}]
          redis:
            helm:
              chart: {name: redis, repo: https://charts.bitnami.com/bitnami}
        """,
        "devspace.yaml",
    )
    assert list(result.values["components"]) == ["api"]
    image = comp(result)["containers"]["container-0"]["image"]
    assert image == {"repository": "ghcr.io/acme/api"}
    action = [d for d in notes(result, "R101") if "chooses this image's tag" in d.message]
    assert action and action[0].hint.startswith("pass --image api=ghcr.io/acme/api:<tag>")


def test_image_option_replaces_a_components_image() -> None:
    result = read(WEB, images={"api": "ghcr.io/acme/api:9.9.9"})
    assert comp(result)["containers"]["container-0"]["image"] == {
        "repository": "ghcr.io/acme/api",
        "tag": "9.9.9",
    }


def test_values_files_are_read_next_to_devspace_yaml_and_values_win(tmp_path: Path) -> None:
    (tmp_path / "api-values.yaml").write_text(
        "containers: [{image: 'ghcr.io/acme/api:1.0.0'}]\nreplicas: 3\n"
    )
    config = tmp_path / "devspace.yaml"
    config.write_text(
        textwrap.dedent("""\
        version: v2beta1
        deployments:
          api:
            helm:
              valuesFiles: [api-values.yaml]
              values:
                replicas: 2
        """)
    )
    result = READER.read(load_documents(config), ReadOptions(environ={}))
    assert comp(result)["replicas"] == 2
    assert comp(result)["containers"]["container-0"]["image"]["tag"] == "1.0.0"


# --- bad input -----------------------------------------------------------------------------------


def test_an_unknown_key_is_an_error_with_a_suggestion() -> None:
    diag = failure(WEB + "replica: 2\n")
    assert diag.message == "unknown key 'replica' in component-chart values"
    assert diag.hint == "did you mean 'replicas'?"
    assert (diag.file, diag.line, diag.column) == ("api.yaml", 3, 1)


def test_a_wrong_type_is_an_error_at_its_position() -> None:
    diag = failure("containers:\n  image: nginx\n")
    assert diag.message == "containers must be a list, not a mapping"
    assert (diag.line, diag.column) == (1, 1)


def test_no_containers_is_an_error() -> None:
    diag = failure("containers: []\nreplicas: 2\n")
    assert "no containers" in diag.message and diag.line == 1


def test_malformed_yaml_is_an_error_with_a_position() -> None:
    with pytest.raises(SvcgenError) as info:
        load_documents("api.yaml", "containers:\n  - image: [nginx\n")
    diag = info.value.diagnostics[0]
    assert diag.file == "api.yaml" and diag.line > 0 and "invalid YAML" in diag.message


# --- the committed example -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> ReadResult:
    text = EXAMPLE_INPUT.read_text(encoding="utf-8")
    return READER.read(READER.loader(str(EXAMPLE_INPUT), text), ReadOptions(environ={}))


@pytest.fixture(scope="module")
def example_objects() -> list[dict[str, Any]]:
    return render(files=[EXAMPLE_VALUES], namespace="storefront")


def test_example_renders_alike_with_helm_3(example_objects: list[dict[str, Any]]) -> None:
    assert render(files=[EXAMPLE_VALUES], namespace="storefront", helm="helm3") == example_objects


@pytest.mark.golden
def test_example_values_are_what_svcgen_values_writes() -> None:
    code, text, _ = svcgen_values(str(EXAMPLE_INPUT))
    assert code == 0
    assert_golden(EXAMPLE_VALUES, text)


def test_example_values_are_the_readers_values(example: ReadResult) -> None:
    committed = YAML(typ="safe", pure=True).load(EXAMPLE_VALUES.read_text())
    assert committed == json.loads(json.dumps(example.values))
    Values.model_validate(committed)


def test_example_renders_and_validates_strictly(example_objects: list[dict[str, Any]]) -> None:
    assert validate_objects(example_objects, KUBE_VERSION) == []
    ingress = one(example_objects, "Ingress", "web")
    assert ingress["spec"]["tls"][0]["secretName"] == "tls-external"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == "external"
    external = one(example_objects, "Service", "external")
    assert [p["port"] for p in external["spec"]["ports"]] == [80]
    postgres = one(example_objects, "StatefulSet", "postgres")
    assert [t["metadata"]["name"] for t in postgres["spec"]["volumeClaimTemplates"]] == ["data"]
    api = one(example_objects, "Deployment", "api")["spec"]["template"]["spec"]
    assert api["containers"][0]["image"] == "ghcr.io/acme-shop/storefront-api:1.8.0"
    assert api["imagePullSecrets"] == [{"name": "ghcr-acme"}]


def test_example_report_locates_every_note_in_the_input(example: ReadResult) -> None:
    assert example.report
    for d in example.report:
        assert Path(d.file) == EXAMPLE_INPUT and d.line > 0, format_text(d)


# --- through the command line --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("containers:\n  - image: [nginx\n", "api.yaml:3:1", "invalid YAML"),
        ("containers:\n  - image: nginx:1\nreplicas: many\n", "api.yaml:3:11", "an integer"),
        ("containers:\n  - image: nginx:1\nreplica: 2\n", "api.yaml:3:1", "unknown key"),
    ],
    ids=["malformed-yaml", "wrong-type", "unknown-key"],
)
def test_bad_input_exits_1_with_a_position_and_no_traceback(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    from typer.testing import CliRunner

    from svcgen.cli import app

    (tmp_path / "api.yaml").write_text(text)
    result = CliRunner().invoke(app, ["values", "--format", "devspace", str(tmp_path / "api.yaml")])
    assert result.exit_code == 1
    assert f"{tmp_path}/{where}: error: " in result.output and message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_auto_detection_sends_component_values_to_this_reader(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(WEB)
    code, text, _ = svcgen_values(str(tmp_path / "api.yaml"))
    assert code == 0
    assert YAML(typ="safe", pure=True).load(text)["components"]["api"]["containers"] == {
        "container-0": {"image": {"repository": "nginx", "tag": "1.27"}},
    }


# --- the whole component-chart values surface ----------------------------------------------------

EVERY_KEY = Path(__file__).parent / "devspace_fixtures" / "every-key-values.yaml"

#: Every key the component chart's templates read (loft-sh/component-chart 18fc6a0,
#: templates/*.yaml: ``$.Values.*``, ``$container.*``, ``$volume.*``, ``$volumeMount.*``,
#: ``$portMap.*``, ``$ingressRule.*``). Refreshing this list from a newer chart makes the tests
#: below name every key the reader does not know yet.
UPSTREAM_KEYS: dict[str, set[str]] = {
    "component": {
        "activeDeadlineSeconds", "affinity", "annotations", "autoScaling",
        "automountServiceAccountToken", "containers", "dnsConfig", "dnsPolicy",
        "enableServiceLinks", "ephemeralContainers", "hostAliases", "hostIPC", "hostNetwork",
        "hostPID", "hostname", "ingress", "initContainers", "labels", "nodeName", "nodeSelector",
        "overhead", "podManagementPolicy", "preemptionPolicy", "priority", "priorityClassName",
        "pullSecrets", "readinessGates", "replicas", "restartPolicy", "rollingUpdate",
        "runtimeClassName", "schedulerName", "securityContext", "service", "serviceAccount",
        "serviceAccountName", "serviceName", "setHostnameAsFQDN", "shareProcessNamespace",
        "subdomain", "terminationGracePeriodSeconds", "tolerations", "topologySpreadConstraints",
        "volumes",
    },
    "container": {
        "args", "command", "env", "envFrom", "image", "imagePullPolicy", "lifecycle",
        "livenessProbe", "name", "ports", "readinessProbe", "resources", "securityContext",
        "startupProbe", "stdin", "stdinOnce", "terminationMessagePath",
        "terminationMessagePolicy", "tty", "volumeDevices", "volumeMounts", "workingDir",
    },
    "service": {
        "annotations", "clusterIP", "externalIPs", "externalName", "externalTrafficPolicy",
        "healthCheckNodePort", "ipFamily", "labels", "loadBalancerIP",
        "loadBalancerSourceRanges", "name", "ports", "publishNotReadyAddresses",
        "sessionAffinity", "sessionAffinityConfig", "topologyKeys", "type",
    },
    "service port": {"containerPort", "name", "nodePort", "port", "protocol"},
    "ingress": {
        "annotations", "certmanager", "defaultBackend", "disabled", "ingressClass",
        "ingressClassName", "labels", "name", "rules", "serviceName", "tls", "tlsClusterIssuer",
    },
    "ingress rule": {"host", "path", "pathType", "serviceName", "servicePort"},
    "volume": {
        "accessModes", "annotations", "configMap", "dataSource", "emptyDir", "hostPath", "labels",
        "name", "secret", "size", "storageClassName", "volumeMode", "volumeName",
    },
    "volume mount": {"containerPath", "volume"},
    "volume mount volume": {"name", "readOnly", "shared", "subPath"},
    "autoScaling.horizontal": {
        "averageCPU", "averageMemory", "averageRelativeCPU", "averageRelativeMemory",
        "maxReplicas",
    },
    "rollingUpdate": {"enabled", "maxSurge", "maxUnavailable", "partition"},
}


def test_the_reader_knows_every_key_the_component_chart_reads() -> None:
    from svcgen.readers import devspace

    known = {
        "component": set(devspace.COMPONENT_KEYS),
        "container": set(devspace.CONTAINER_KEYS),
        "service": set(devspace.SERVICE_KEYS),
        "service port": devspace.SERVICE_PORT_KEYS - {"externalPort"},
        "ingress": set(devspace.INGRESS_KEYS),
        "ingress rule": devspace.RULE_KEYS,
        "volume": set(devspace.VOLUME_KEYS),
        "volume mount": devspace.MOUNT_KEYS,
        "volume mount volume": devspace.MOUNT_VOLUME_KEYS,
        "autoScaling.horizontal": devspace.HPA_KEYS,
        "rollingUpdate": devspace.ROLLING_KEYS,
    }
    for section, keys in UPSTREAM_KEYS.items():
        assert keys - known[section] == set(), f"{section}: keys the reader does not know"
        assert known[section] - keys == set(), f"{section}: keys the component chart never read"


@pytest.fixture(scope="module")
def every_key() -> ReadResult:
    text = EVERY_KEY.read_text(encoding="utf-8")
    return READER.read(READER.loader("api.yaml", text), ReadOptions(environ={}))


def test_values_using_every_component_chart_key_convert_instead_of_being_refused(
    every_key: ReadResult,
) -> None:
    """Each key the component chart renders is converted, or reported (R100) at its own
    position with the reason; none makes the reader refuse the file."""
    from svcgen.readers import devspace

    Values.model_validate(every_key.values)
    reported = {d.path for d in notes(every_key, "R100")}
    sections = (
        ("", devspace.COMPONENT_KEYS),
        ("containers[0].", devspace.CONTAINER_KEYS),
        ("service.", devspace.SERVICE_KEYS),
        ("ingress.", devspace.INGRESS_KEYS),
        ("volumes[0].", devspace.VOLUME_KEYS),
    )
    for prefix, table in sections:
        for key, reason in table.items():
            path = f"{prefix}{key}"
            if reason is None:
                assert path not in reported, path
            elif key not in ("certmanager", "tlsClusterIssuer", "ingressClass", "hostPath"):
                assert path in reported, path
    assert "volumes[5].hostPath" in reported
    assert all(d.line > 0 and d.column > 0 for d in notes(every_key, "R100"))


def test_container_and_pod_settings_of_the_component_chart_are_converted(
    every_key: ReadResult,
) -> None:
    api = comp(every_key)
    app = api["containers"]["app"]
    assert app["image"] == {"repository": "ghcr.io/acme/api", "tag": "1.4.2",
                            "pullPolicy": "IfNotPresent"}
    assert app["workingDir"] == "/srv"
    assert app["ports"] == {"http": {"containerPort": 8080}, "port-1": {"containerPort": 9090}}
    assert app["envFrom"] == [{"secret": "api-env"}, {"configMap": "api-config",
                                                       "prefix": "CFG_"}]
    assert app["securityContext"] == {"runAsUser": 1000}
    assert app["lifecycle"] == {"preStop": {"exec": {"command": ["/bin/sleep", "5"]}}}
    assert app["stdin"] is True and app["tty"] is True
    assert api["podSecurityContext"] == {"fsGroup": 2000}
    assert api["serviceAccount"] == {"name": "api", "automountToken": False}
    assert api["terminationGracePeriodSeconds"] == 45
    assert api["priorityClassName"] == "high" and api["hostname"] == "api-host"
    assert api["hostAliases"] == {"10.0.0.5": ["db.internal"]}
    assert api["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
    assert api["service"]["type"] == "NodePort"
    assert api["service"]["ports"]["http"] == {"port": 80, "targetPort": "http",
                                               "nodePort": 30080}
    # The second Service port targets the port the container declares, by its name.
    assert api["service"]["ports"]["metrics"] == {"port": 9090, "targetPort": "port-1"}
    assert api["volumes"]["cache"] == {"emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}}
    assert api["ingress"]["tls"]["certManager"] == {"clusterIssuer": "letsencrypt-prod"}
    assert "host" not in api["volumes"] and "host" not in app["volumeMounts"]


def test_every_key_values_render_and_validate_strictly(every_key: ReadResult) -> None:
    objects = render(every_key.values)
    assert validate_objects(objects, KUBE_VERSION) == []
    sts = one(objects, "StatefulSet", "api")
    pod = sts["spec"]["template"]
    assert pod["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
    (app,) = [c for c in pod["spec"]["containers"] if c["name"] == "app"]
    assert app["resources"]["limits"]["nvidia.com/gpu"] == 1


def test_scalars_are_read_as_go_yaml_v2_reads_them() -> None:
    """Helm and DevSpace read values with go-yaml v2 (YAML 1.1): ``0400`` is octal 256, ``on``
    is true; go-yaml v2 has no base-60 numbers, so ``10:30`` stays a string."""
    result = read("""\
        containers:
          - image: nginx:1.27
            env:
              - {name: OPENS, value: 10:30}
            volumeMounts:
              - {containerPath: /etc/app, volume: {name: config, readOnly: on}}
        volumes:
          - name: config
            secret: {secretName: app, defaultMode: 0400}
        """)
    api = comp(result)
    assert api["volumes"]["config"]["secret"]["defaultMode"] == 256
    assert api["containers"]["container-0"]["env"] == {"OPENS": "10:30"}
    assert api["containers"]["container-0"]["volumeMounts"]["config"]["readOnly"] is True


def test_shared_and_read_only_persistent_mounts_are_one_claim_for_every_replica() -> None:
    """component-chart: a writable mount makes a StatefulSet; volumes whose mounts are all
    read-only or ``shared`` get one PersistentVolumeClaim for every replica, the others a claim
    per replica."""
    result = read("""\
        replicas: 3
        containers:
          - image: ghcr.io/acme/media:2.0
            volumeMounts:
              - {containerPath: /data, volume: {name: data}}
              - {containerPath: /media, volume: {name: media, shared: true}}
              - {containerPath: /models, volume: {name: models, readOnly: true}}
        volumes:
          - {name: data, size: 1Gi}
          - {name: media, size: 10Gi, accessModes: [ReadWriteMany]}
          - {name: models, size: 5Gi, accessModes: [ReadOnlyMany]}
        """)
    api = comp(result)
    assert api["kind"] == "StatefulSet"
    assert "shared" not in api["volumes"]["data"]
    assert api["volumes"]["media"]["shared"] is True
    assert api["volumes"]["models"]["shared"] is True
    assert not any("accessModes" in d.message + d.hint for d in result.report)
    objects = render(result.values)
    sts = one(objects, "StatefulSet", "api")
    assert [t["metadata"]["name"] for t in sts["spec"]["volumeClaimTemplates"]] == ["data"]
    assert {c["metadata"]["name"] for c in find(objects, "PersistentVolumeClaim")} == {
        "api-media", "api-models"}


def test_two_mounts_of_one_volume_with_different_sub_paths_are_both_kept() -> None:
    result = read("""\
        containers:
          - image: nginx:1.27
            volumeMounts:
              - containerPath: /etc/nginx/nginx.conf
                volume: {name: conf, subPath: nginx.conf, readOnly: true}
              - containerPath: /etc/nginx/conf.d/default.conf
                volume: {name: conf, subPath: default.conf, readOnly: true}
        volumes:
          - {name: conf, configMap: {name: nginx}}
        """)
    mounts = comp(result)["containers"]["container-0"]["volumeMounts"]
    assert mounts == {
        "conf": {"mountPath": "/etc/nginx/nginx.conf", "subPath": "nginx.conf",
                 "readOnly": True},
        "conf-default-conf": {"volume": "conf", "mountPath": "/etc/nginx/conf.d/default.conf",
                              "subPath": "default.conf", "readOnly": True},
    }
    rendered = one(render(result.values), "Deployment", "api")
    (ctr,) = rendered["spec"]["template"]["spec"]["containers"]
    assert {m["subPath"] for m in ctr["volumeMounts"] if m["name"] == "conf"} == {
        "nginx.conf", "default.conf"}


def test_annotations_reach_the_pods_as_the_component_chart_rendered_them() -> None:
    """component-chart: ``annotations`` are on the workload and on the pod template; the
    ``prometheus.io/*`` ones arrive there through ``metrics``."""
    result = read(WEB + textwrap.dedent("""\
        service: {ports: [{port: 80}]}
        annotations:
          prometheus.io/scrape: 'true'
          prometheus.io/port: '9102'
          linkerd.io/inject: enabled
        """))
    api = comp(result)
    assert api["podAnnotations"] == {"linkerd.io/inject": "enabled"}
    pod = one(render(result.values), "Deployment", "api")["spec"]["template"]
    assert pod["metadata"]["annotations"]["linkerd.io/inject"] == "enabled"
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == "9102"
    assert pod["metadata"]["annotations"]["prometheus.io/scrape"] == "true"


def test_a_gpu_limit_becomes_the_nvidia_device_plugin_resource() -> None:
    """component-chart: ``resources.limits.gpu`` renders as ``nvidia.com/gpu`` (containers
    only; init containers never got it)."""
    result = read("""\
        containers:
          - image: ghcr.io/acme/trainer:3.1
            resources: {limits: {gpu: 2, memory: 8Gi}}
        initContainers:
          - image: ghcr.io/acme/trainer:3.1
            resources: {limits: {gpu: 1}}
        """)
    api = comp(result)
    limits = api["containers"]["container-0"]["resources"]["limits"]
    assert limits == {"nvidia.com/gpu": 2, "memory": "8Gi"}
    assert "resources" not in api["initContainers"]["init-container-0"]
    assert [d.path for d in notes(result, "R100")] == ["initContainers[0].resources.limits.gpu"]


def test_the_component_charts_grace_period_is_kept_when_none_is_given() -> None:
    """component-chart: ``terminationGracePeriodSeconds`` defaults to 5, not Kubernetes' 30."""
    assert comp(read(WEB))["terminationGracePeriodSeconds"] == 5
