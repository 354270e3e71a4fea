"""The Compose reader's mapping: one test per rule of the README's mapping table.

Each test writes a small Compose project to a temporary directory, converts it through
``svcgen values``' own pipeline (which validates the result against the values model) and asserts
on the values and on the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from composeutil import convert, write_project

from svcgen.diagnostics import Severity, SvcgenError
from svcgen.readers.base import ReadOptions
from svcgen.values_cmd import generate

# --- image ----------------------------------------------------------------------------------------


def test_image_reference_is_split_into_repository_tag_and_digest(tmp_path: Path) -> None:
    digest = "sha256:" + "a" * 64
    out = convert(tmp_path, f"""
        services:
          api: {{image: "ghcr.io/acme/api:1.4.2"}}
          pinned: {{image: "localhost:5000/tools/x@{digest}"}}
        """)
    assert out.container("api")["image"] == {"repository": "ghcr.io/acme/api", "tag": "1.4.2"}
    assert out.container("pinned")["image"] == {"repository": "localhost:5000/tools/x",
                                                "digest": digest}


def test_untagged_image_gets_latest_and_a_note(tmp_path: Path) -> None:
    out = convert(tmp_path, "services: {api: {image: nginx}}")
    assert out.container("api")["image"] == {"repository": "nginx", "tag": "latest"}
    assert "no tag" in out.note_at("services.api.image", "R002").message


def test_build_only_service_gets_the_image_name_compose_builds(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        name: shop
        services:
          api: {build: ./api}
        """)
    assert out.container("api")["image"] == {"repository": "shop-api", "tag": "latest"}
    note = out.note_at("services.api.build", "R101")
    assert note.severity is Severity.WARNING and "pushed" in note.message


def test_build_only_image_goes_under_the_registry_with_a_push_hint(tmp_path: Path) -> None:
    out = convert(tmp_path, "name: shop\nservices: {api: {build: .}}", registry="ghcr.io/acme/")
    assert out.container("api")["image"]["repository"] == "ghcr.io/acme/shop-api"
    assert "docker push ghcr.io/acme/shop-api:latest" in out.note_at("services.api.build").hint


def test_project_name_defaults_to_the_directory_name_normalised(tmp_path: Path) -> None:
    out = convert(tmp_path / "My Shop", "services: {api: {build: .}}")
    assert out.container("api")["image"]["repository"] == "myshop-api"


def test_image_option_sets_a_service_image_explicitly(tmp_path: Path) -> None:
    out = convert(tmp_path, "services: {api: {build: ., image: local/api}}",
                  images={"api": "ghcr.io/acme/api:2.0.0"})
    assert out.container("api")["image"] == {"repository": "ghcr.io/acme/api", "tag": "2.0.0"}
    assert not out.notes("R100")


def test_pull_policy_maps_to_kubernetes_names(tmp_path: Path) -> None:
    out = convert(tmp_path, "services: {a: {image: x:1, pull_policy: always}}")
    assert out.container("a")["image"]["pullPolicy"] == "Always"


# --- ports ----------------------------------------------------------------------------------------


def test_service_answers_on_the_container_port_callers_use_not_the_published_one(
        tmp_path: Path) -> None:
    """Compose: inside the network a `8080:80` service is reached on 80; 8080 is the host's."""
    out = convert(tmp_path, """
        services:
          web: {image: "nginx:1", ports: ["8080:80"]}
        """)
    assert out.container("web")["ports"] == {"tcp-80": {"containerPort": 80}}
    assert out.component("web")["service"]["ports"] == {
        "tcp-80": {"port": 80, "targetPort": "tcp-80"}}
    [note] = [d for d in out.notes("R101") if "publishes" in d.message]
    assert note.path == "services.web.ports" and "8080→80" in note.message
    assert "x-svcgen.ingress: {host: web.example.com, port: 80}" in note.hint


def test_short_port_forms_ranges_udp_and_host_addresses(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          dns:
            image: "coredns:1"
            ports:
              - "53:53/udp"
              - "127.0.0.1:9153:9153"
              - "[::1]:8181:8181"
              - "7000-7001:8000-8001"
              - "9000"
        """)
    ports = out.container("dns")["ports"]
    assert ports["udp-53"] == {"containerPort": 53, "protocol": "UDP"}
    assert {p["containerPort"] for p in ports.values()} == {53, 9153, 8181, 8000, 8001, 9000}
    service = out.component("dns")["service"]["ports"]
    assert service["udp-53"] == {"port": 53, "targetPort": "udp-53", "protocol": "UDP"}
    assert service["tcp-8000"]["port"] == 8000 and service["tcp-8001"]["port"] == 8001
    assert service["tcp-9000"]["port"] == 9000
    host_notes = [d for d in out.notes("R002") if "host" in d.message]
    assert {d.path for d in host_notes} == {"services.dns.ports[1]", "services.dns.ports[2]"}


def test_long_port_syntax_with_name_and_app_protocol(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          api:
            image: "api:1"
            ports:
              - {target: 8080, published: "80", name: web, app_protocol: http}
              - {target: 9090, protocol: udp}
        """)
    assert out.container("api")["ports"]["web"] == {"containerPort": 8080}
    service = out.component("api")["service"]["ports"]
    assert service["web"] == {"port": 8080, "targetPort": "web", "appProtocol": "http"}
    assert service["udp-9090"]["port"] == 9090


def test_expose_makes_an_in_cluster_service_port(tmp_path: Path) -> None:
    out = convert(tmp_path, "services: {db: {image: 'pg:1', expose: ['5432', '6000-6001/udp']}}")
    service = out.component("db")["service"]["ports"]
    assert service["tcp-5432"] == {"port": 5432, "targetPort": "tcp-5432"}
    assert service["udp-6001"]["protocol"] == "UDP"


def test_mismatched_port_ranges_are_an_error_at_the_port(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError) as exc:
        convert(tmp_path, "services:\n  a:\n    image: x:1\n    ports: ['7000-7002:8000-8001']\n")
    d = exc.value.diagnostics[0]
    assert (d.line, d.path) == (4, "services.a.ports[0]") and "ranges" in d.message


# --- environment and secrets ----------------------------------------------------------------------


def test_environment_list_and_map_forms_and_env_file_precedence(tmp_path: Path) -> None:
    write_project(tmp_path, "services: {}", **{"app.env": "A=from-file\nB=file\nexport C='x y'\n"})
    out = convert(tmp_path, """
        services:
          l: {image: "x:1", env_file: app.env, environment: ["A=list", "D"]}
          m: {image: "x:1", environment: {A: 1, B: true, C: null}}
        """, environ={"D": "from-shell", "C": "shell-c"})
    assert out.container("l")["env"] == {"A": "list", "B": "file", "C": "x y", "D": "from-shell"}
    assert out.container("m")["env"] == {"A": "1", "B": "true", "C": "shell-c"}


def test_environment_without_value_and_unset_is_reported_not_dropped(tmp_path: Path) -> None:
    out = convert(tmp_path, "services: {a: {image: 'x:1', environment: [MISSING]}}")
    assert "env" not in out.container("a")
    assert "MISSING" in out.note_at("services.a.environment.MISSING", "R100").message


def test_secret_looking_variables_become_secret_references(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          api:
            image: "api:1"
            environment:
              DB_PASSWORD: hunter2-very-secret
              STRIPE_API_KEY: sk_live_abc123
              DATABASE_URL: postgres://app:s3cr3t-pw@db/app
              POSTGRES_PASSWORD_FILE: /run/secrets/db
              LOG_LEVEL: info
        """)
    container = out.container("api")
    assert container["env"] == {"POSTGRES_PASSWORD_FILE": "/run/secrets/db", "LOG_LEVEL": "info"}
    assert container["secretEnv"] == {
        name: {"secret": "api-env", "key": name}
        for name in ("DB_PASSWORD", "STRIPE_API_KEY", "DATABASE_URL")}
    note = out.note_at("services.api.environment.DB_PASSWORD", "R101")
    assert "api-env" in note.message and "kubectl create secret generic api-env" in note.hint
    everything = repr(out.values) + out.text()
    for material in ("hunter2-very-secret", "sk_live_abc123", "s3cr3t-pw"):
        assert material not in everything


def test_x_svcgen_overrides_secret_detection_and_names_the_secret(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          api:
            image: "api:1"
            environment: {TOKEN_TTL_HINT: "30", SESSION_COOKIE: abc, INTERNAL_KEY_ID: k1}
            x-svcgen: {plainEnv: [TOKEN_TTL_HINT], secretEnv: [SESSION_COOKIE], secretName: api-s}
        """)
    assert out.container("api")["env"] == {"TOKEN_TTL_HINT": "30", "INTERNAL_KEY_ID": "k1"}
    assert out.container("api")["secretEnv"] == {
        "SESSION_COOKIE": {"secret": "api-s", "key": "SESSION_COOKIE"}}


def test_kubernetes_variable_references_are_escaped(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a: {image: "x:1", environment: {X: "$$(not-expanded)"}, command: ["echo", "$$(HOME)"]}
        """)
    assert out.container("a")["env"]["X"] == "$$(not-expanded)"
    assert out.container("a")["args"] == ["echo", "$$(HOME)"]


def test_compose_secrets_are_mounted_from_a_secret_the_user_creates(tmp_path: Path) -> None:
    write_project(tmp_path, "services: {}", **{"secrets__db.txt": "top-secret-value\n"})
    out = convert(tmp_path, """
        services:
          db:
            image: "pg:16"
            secrets:
              - db_password
              - {source: api_key, target: keys/api, mode: 0400}
        secrets:
          db_password: {file: ./secrets/db.txt}
          api_key: {environment: API_KEY}
        """, environ={"API_KEY": "abc-secret"})
    comp = out.component("db")
    assert comp["volumes"]["secret-db-password"] == {"secret": {
        "secretName": "db-password", "items": [{"key": "db_password", "path": "db_password"}]}}
    assert comp["volumes"]["secret-api-key"]["secret"]["defaultMode"] == 0o400
    mounts = out.container("db")["volumeMounts"]
    assert mounts["secret-db-password"] == {"mountPath": "/run/secrets/db_password",
                                            "subPath": "db_password", "readOnly": True}
    assert mounts["secret-api-key"]["mountPath"] == "/run/secrets/keys/api"
    hints = {d.message: d.hint for d in out.notes("R101")}
    assert ("kubectl create secret generic db-password --from-file=db_password=./secrets/db.txt"
            in hints["create Secret db-password with key(s) db_password"])
    everything = repr(out.values) + out.text()
    assert "top-secret-value" not in everything and "abc-secret" not in everything


def test_configs_are_shipped_as_files(tmp_path: Path) -> None:
    write_project(tmp_path, "services: {}", **{"conf__app.ini": "[main]\nworkers = 4\n"})
    out = convert(tmp_path, """
        services:
          a:
            image: "x:1"
            configs:
              - {source: app_ini, target: /etc/app/app.ini}
              - inline
        configs:
          app_ini: {file: ./conf/app.ini}
          inline: {content: "hello"}
        """)
    volumes = out.component("a")["volumes"]
    assert volumes["config-app-ini"] == {"files": {"app.ini": "[main]\nworkers = 4\n"}}
    assert volumes["config-inline"] == {"files": {"inline": "hello"}}
    assert out.container("a")["volumeMounts"]["config-inline"]["mountPath"] == "/inline"


# --- healthcheck ----------------------------------------------------------------------------------


def test_healthcheck_cmd_becomes_exec_probes_with_compose_timings(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a:
            image: "x:1"
            healthcheck:
              test: ["CMD", "curl", "-f", "http://localhost/"]
              interval: 1m30s
              timeout: 1500ms
              retries: 5
              start_period: 40s
              start_interval: 10s
        """)
    probes = out.container("a")["probes"]
    expected = {"exec": {"command": ["curl", "-f", "http://localhost/"]}, "periodSeconds": 90,
                "timeoutSeconds": 2, "failureThreshold": 5}
    assert probes["readiness"] == expected and probes["liveness"] == expected
    assert probes["startup"] == {**expected, "periodSeconds": 10, "failureThreshold": 4}


@pytest.mark.parametrize("test", ['["CMD-SHELL", "pg_isready -U app"]', '"pg_isready -U app"'])
def test_healthcheck_shell_forms_run_through_sh(tmp_path: Path, test: str) -> None:
    out = convert(tmp_path, f"services: {{a: {{image: 'x:1', healthcheck: {{test: {test}}}}}}}")
    readiness = out.container("a")["probes"]["readiness"]
    assert readiness["exec"]["command"] == ["/bin/sh", "-c", "pg_isready -U app"]
    assert (readiness["periodSeconds"], readiness["timeoutSeconds"],
            readiness["failureThreshold"]) == (30, 30, 3)
    assert "startup" not in out.container("a")["probes"]


@pytest.mark.parametrize("healthcheck", ['{test: ["NONE"]}', "{disable: true}"])
def test_disabled_healthcheck_turns_probes_off(tmp_path: Path, healthcheck: str) -> None:
    out = convert(tmp_path, f"services: {{a: {{image: 'x:1', healthcheck: {healthcheck}}}}}")
    assert out.container("a")["probes"] == {"liveness": {"enabled": False},
                                            "readiness": {"enabled": False}}


# --- deploy ---------------------------------------------------------------------------------------


def test_deploy_replicas_and_resources(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a:
            image: "x:1"
            deploy:
              replicas: 3
              resources:
                limits: {cpus: "1.5", memory: 1g}
                reservations:
                  cpus: "0.25"
                  memory: 256M
                  devices: [{capabilities: [gpu], count: 2, driver: nvidia}]
        """)
    assert out.component("a")["replicas"] == 3
    assert out.container("a")["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "1500m", "memory": "1Gi", "nvidia.com/gpu": 2}}


def test_deploy_keys_without_equivalent_are_reported(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a:
            image: "x:1"
            deploy: {mode: global-job, placement: {constraints: [node.role==manager]}}
        """)
    assert {d.path for d in out.notes("R100")} == {"services.a.deploy.mode",
                                                   "services.a.deploy.placement"}


# --- volumes --------------------------------------------------------------------------------------


def test_named_volumes_make_a_statefulset_with_per_replica_claims(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          db:
            image: "pg:16"
            volumes: ["pg_data:/var/lib/postgresql/data", "cache:/cache:ro"]
        volumes:
          pg_data: {x-svcgen: {size: 20Gi, storageClassName: fast}}
          cache:
        """)
    comp = out.component("db")
    assert comp["kind"] == "StatefulSet"
    assert comp["volumes"] == {"pg-data": {"size": "20Gi", "storageClassName": "fast"},
                               "cache": {"size": "1Gi"}}
    assert out.container("db")["volumeMounts"] == {
        "pg-data": {"mountPath": "/var/lib/postgresql/data"},
        "cache": {"mountPath": "/cache", "readOnly": True}}
    assert "1Gi" in out.note_at("services.db.volumes[1]", "R002").message


def test_external_volume_uses_the_existing_claim(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a: {image: "x:1", volumes: [{type: volume, source: shared, target: /srv}]}
        volumes:
          shared: {external: true, name: team_share}
        """)
    assert out.component("a")["volumes"] == {"shared": {"existingClaim": "team-share"}}
    assert out.component("a")["kind"] == "Deployment"


def test_tmpfs_becomes_a_memory_emptydir(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a:
            image: "x:1"
            tmpfs: ["/run:size=64m"]
            volumes: [{type: tmpfs, target: /cache, tmpfs: {size: 1g}}]
        """)
    volumes = out.component("a")["volumes"]
    assert volumes["tmpfs-run"] == {"emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}
    assert volumes["tmpfs-cache"] == {"emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}


def test_bind_mount_is_reported_with_the_config_file_way_out(tmp_path: Path) -> None:
    out = convert(tmp_path, "services: {a: {image: 'x:1', volumes: ['./data:/data']}}")
    note = out.note_at("services.a.volumes[0]", "R100")
    assert "bind mount" in note.message and "x-svcgen.configFiles" in note.hint
    assert "volumes" not in out.component("a")


def test_config_file_bind_mount_becomes_a_configmap(tmp_path: Path) -> None:
    write_project(tmp_path, "services: {}", **{"nginx.conf": "events {}\n",
                                               "conf.d__a.conf": "a\n", "conf.d__b.conf": "b\n"})
    out = convert(tmp_path, """
        services:
          web:
            image: "nginx:1"
            volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro", "./conf.d:/etc/nginx/conf.d"]
            x-svcgen: {configFiles: [/etc/nginx/nginx.conf, /etc/nginx/conf.d]}
        """)
    volumes = out.component("web")["volumes"]
    assert volumes["file-nginx-conf"] == {"files": {"nginx.conf": "events {}\n"}}
    assert volumes["file-conf-d"] == {"files": {"a.conf": "a\n", "b.conf": "b\n"}}
    mounts = out.container("web")["volumeMounts"]
    assert mounts["file-nginx-conf"]["subPath"] == "nginx.conf"
    assert mounts["file-conf-d"] == {"mountPath": "/etc/nginx/conf.d", "readOnly": True}
    assert not out.notes("R100")


def test_anonymous_volume_becomes_scratch_space_with_a_note(tmp_path: Path) -> None:
    out = convert(tmp_path, "services: {a: {image: 'x:1', volumes: ['/var/scratch']}}")
    assert out.component("a")["volumes"] == {"scratch-var-scratch": {"emptyDir": {}}}
    assert "emptyDir" in out.note_at("services.a.volumes[0]", "R002").message


# --- command, security, misc ----------------------------------------------------------------------


def test_entrypoint_becomes_command_and_command_becomes_args(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a: {image: "x:1", entrypoint: "/bin/tini --", command: 'sh -c "echo hi"'}
          b: {image: "x:1", command: [run, --fast]}
        """)
    assert out.container("a")["command"] == ["/bin/tini", "--"]
    assert out.container("a")["args"] == ["sh", "-c", "echo hi"]
    assert out.container("b")["args"] == ["run", "--fast"] and "command" not in out.container("b")


def test_non_root_user_chooses_restricted_and_says_why(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a: {image: "x:1", user: "1000:2000", read_only: true}
        """)
    assert out.component("a")["securityProfile"] == "restricted"
    assert out.container("a")["securityContext"] == {
        "runAsUser": 1000, "runAsGroup": 2000, "readOnlyRootFilesystem": True}
    assert "non-root user 1000" in out.note_at("services.a.user", "R002").message


@pytest.mark.parametrize(("user", "why"), [(None, "declares no user"), ("0", "root"),
                                           ("root", "root"), ("node", "is a name")])
def test_other_users_choose_baseline_and_say_why(tmp_path: Path, user: str | None,
                                                 why: str) -> None:
    line = f", user: '{user}'" if user else ""
    out = convert(tmp_path, f"services: {{a: {{image: 'x:1'{line}}}}}")
    assert out.component("a")["securityProfile"] == "baseline"
    note = next(d for d in out.notes("R002") if "security profile baseline" in d.message)
    assert why in note.message


def test_restricted_keeps_a_writable_root_unless_read_only(tmp_path: Path) -> None:
    out = convert(tmp_path, "services: {a: {image: 'x:1', user: '1000'}}")
    assert out.container("a")["securityContext"]["readOnlyRootFilesystem"] is False


def test_capabilities_follow_the_profile(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          web: {image: "x:1", user: "101", cap_add: [NET_BIND_SERVICE], cap_drop: [ALL]}
          vpn: {image: "x:1", cap_add: [CHOWN, NET_ADMIN], cap_drop: [MKNOD]}
        """)
    assert out.component("web")["securityProfile"] == "restricted"
    assert out.container("web")["securityContext"]["capabilities"] == {"add": ["NET_BIND_SERVICE"]}
    assert out.container("vpn")["securityContext"]["capabilities"] == {"add": ["CHOWN"],
                                                                        "drop": ["MKNOD"]}
    assert "NET_ADMIN" in out.note_at("services.vpn.cap_add[1]", "R100").message


def test_working_dir_grace_period_hostname_and_extra_hosts(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a:
            image: "x:1"
            working_dir: /srv/app
            stop_grace_period: 1m30s
            hostname: api-1
            extra_hosts: ["db.internal:10.0.0.5", "cache.internal=10.0.0.6", "h:host-gateway"]
        """)
    comp = out.component("a")
    assert out.container("a")["workingDir"] == "/srv/app"
    assert comp["terminationGracePeriodSeconds"] == 90 and comp["hostname"] == "api-1"
    assert comp["hostAliases"] == {"10.0.0.5": ["db.internal"], "10.0.0.6": ["cache.internal"]}
    assert "host-gateway" in out.note_at("services.a.extra_hosts.h", "R100").message


def test_labels_become_labels_or_annotations(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a:
            image: "x:1"
            labels: ["com.example.team=shop", "traefik.http.routers.a.rule=Host(`a.example.com`)"]
        """)
    comp = out.component("a")
    assert comp["labels"] == {"com.example.team": "shop"}
    assert comp["annotations"] == {"traefik.http.routers.a.rule": "Host(`a.example.com`)"}


def test_depends_on_makes_upstreams_and_the_dependency_whitelists_its_callers(
        tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          web: {image: "x:1", depends_on: [api]}
          api: {image: "x:1", depends_on: {db: {condition: service_healthy}}, links: ["cache"]}
          db: {image: "x:1"}
          cache: {image: "x:1"}
        """)
    assert out.component("web")["upstreams"] == [{"component": "api"}]
    assert out.component("api")["upstreams"] == [{"component": "db"}, {"component": "cache"}]
    assert out.component("api")["whitelists"] == [{"component": "web"}]
    assert out.component("db")["whitelists"] == [{"component": "api"}]
    assert "service_healthy" in out.note_at("services.api.depends_on.db.condition", "R100").message


def test_service_names_are_normalised_to_dns_labels_and_reported(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          Web_Frontend: {image: "x:1", depends_on: [2fa.service]}
          2fa.service: {image: "x:1"}
          "y": {image: "x:1"}
        """)
    # The chart quotes every name, so ids YAML 1.1 reads as booleans stay as they are.
    assert set(out.values["components"]) == {"web-frontend", "s-2fa-service", "y"}
    assert out.component("web-frontend")["upstreams"] == [{"component": "s-2fa-service"}]
    assert "'web-frontend'" in out.note_at("services.Web_Frontend", "R002").message


def test_x_svcgen_carries_ingress_scaling_volume_size_and_raw_values(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        x-svcgen:
          volumeSize: 5Gi
          global: {domain: example.com}
        services:
          web:
            image: "x:1"
            ports: ["80:8080"]
            volumes: [data:/data]
            x-svcgen:
              component: storefront
              ingress: {host: shop.example.com, port: 80, tls: true}
              scaling: {minReplicas: 2, maxReplicas: 5, targetCPU: 60}
              serviceType: LoadBalancer
              values: {nodeSelector: {disk: ssd}}
        volumes: {data: {}}
        """)
    comp = out.component("storefront")
    route = {"paths": {"/": {"port": "tcp-8080"}}}
    assert comp["ingress"] == {"hosts": {"shop.example.com": route}, "tls": {"enabled": True}}
    assert comp["scaling"] == {"minReplicas": 2, "maxReplicas": 5, "targetCPU": 60}
    assert comp["service"]["type"] == "LoadBalancer"
    assert comp["volumes"]["data"] == {"size": "5Gi"}
    assert comp["nodeSelector"] == {"disk": "ssd"}
    assert out.values["global"] == {"domain": "example.com"}


def test_invalid_x_svcgen_values_are_an_error_at_the_service(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError) as exc:
        convert(tmp_path,
                "services:\n  a:\n    image: x:1\n    x-svcgen: {values: {replicas: -1}}\n")
    d = exc.value.diagnostics[0]
    assert d.line == 4 and "components.a.replicas" in d.message


def test_project_option_sets_global_project(tmp_path: Path) -> None:
    out = convert(tmp_path, "services: {api: {build: .}}", project="shop")
    assert out.values["global"] == {"project": "shop"}
    assert out.container("api")["image"]["repository"] == "shop-api"


def test_unconverted_keys_are_reported_with_path_and_reason(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a:
            image: "x:1"
            stop_signal: SIGINT
            logging: {driver: syslog}
            privileged: true
            sysctls: {net.core.somaxconn: 1024}
            container_name: my-a
        """)
    paths = {d.path: d for d in out.notes("R100")}
    assert set(paths) == {f"services.a.{k}" for k in
                          ("stop_signal", "logging", "privileged", "sysctls", "container_name")}
    assert all(d.message.startswith("not converted: ") and d.line > 0 for d in paths.values())


def test_every_key_is_converted_or_reported(tmp_path: Path) -> None:
    """The summary lists what was converted; R100 notes name the rest: no key is missing."""
    compose = """
        services:
          a:
            image: "x:1"
            ports: ["80"]
            environment: {A: "1"}
            healthcheck: {test: "true"}
            deploy: {replicas: 2}
            user: "1000"
            restart: always
            dns: [1.1.1.1]
            init: true
            stop_signal: SIGINT
            x-note: ignored extension
        """
    out = convert(tmp_path, compose)
    summary = out.note_at("services.a", "R001").message
    converted = summary.split("converted ", 1)[1].split(", ")
    reported = {d.path.split(".")[2] for d in out.notes("R100")}
    written = {"image", "ports", "environment", "healthcheck", "deploy", "user", "restart", "dns",
               "init", "stop_signal"}
    assert set(converted) | reported == written
    assert not set(converted) & reported


def test_profiles_skip_services_unless_enabled(tmp_path: Path) -> None:
    compose = """
        services:
          app: {image: "x:1", depends_on: [debug]}
          debug: {image: "x:1", profiles: [dev]}
        """
    out = convert(tmp_path, compose)
    assert set(out.values["components"]) == {"app"}
    assert "not enabled" in out.note_at("services.app.depends_on[0]", "R100").message
    enabled = convert(tmp_path, compose, profiles=("dev",))
    assert set(enabled.values["components"]) == {"app", "debug"}
    from_env = convert(tmp_path, compose, environ={"COMPOSE_PROFILES": "dev"})
    assert set(from_env.values["components"]) == {"app", "debug"}


def test_anchors_merge_keys_and_extension_fields_are_accepted(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        x-defaults: &defaults
          image: "x:1"
          environment: {A: "1"}
        services:
          a:
            <<: *defaults
            environment: {B: "2"}
            x-owner: team-a
          b: *defaults
        """)
    assert out.container("a")["env"] == {"B": "2"}
    assert out.container("b")["env"] == {"A": "1"}
    assert not out.notes("R100")


def test_reading_a_round_trip_document_gives_the_same_values(tmp_path: Path) -> None:
    """The reader accepts ruamel Documents too (the interface's type), with positions."""
    from svcgen.readers.compose import READER
    from svcgen.yamlio import load_documents

    path = write_project(tmp_path, "services:\n  a:\n    image: x:1\n    stop_signal: SIGINT\n")
    result = READER.read(load_documents(path), ReadOptions(environ={}))
    fast, _, _ = generate([str(path)], ReadOptions(environ={}))
    assert result.values == fast
    stop_signal = next(d for d in result.report if d.rule == "R100")
    assert (stop_signal.line, stop_signal.column) == (4, 5)


def test_values_of_secret_variables_stay_out_of_plain_env(tmp_path: Path) -> None:
    write_project(tmp_path, "services: {}", **{"app.env": "CONN=${DB_PASSWORD}\n"})
    out = convert(tmp_path, """
        services:
          a:
            image: "x:1"
            env_file: app.env
            environment: {DSN_PARTS: "user=app pw=${DB_PASSWORD}", PLAIN: "${LOG_LEVEL}"}
        """, environ={"DB_PASSWORD": "pa55-word", "LOG_LEVEL": "debug"})
    assert out.container("a")["env"] == {"PLAIN": "debug"}
    assert set(out.container("a")["secretEnv"]) == {"CONN", "DSN_PARTS"}
    assert "pa55-word" not in repr(out.values) + out.text()


def test_secret_variable_outside_environment_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError) as exc:
        convert(tmp_path, "services:\n  a:\n    image: x:1\n"
                "    command: [redis-server, --requirepass, '${REDIS_PASSWORD}']\n",
                environ={"REDIS_PASSWORD": "s3cret"})
    d = exc.value.diagnostics[0]
    assert (d.line, d.path) == (4, "services.a.command[2]")
    assert "REDIS_PASSWORD" in d.message and "$${REDIS_PASSWORD}" in d.hint
    assert "s3cret" not in d.message + d.hint


def test_scaling_takes_over_the_replica_count(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a: {image: "x:1", deploy: {replicas: 3}, x-svcgen: {scaling: {maxReplicas: 9}}}
          b: {image: "x:1", x-svcgen: {scaling: {minReplicas: 2, maxReplicas: 4}}}
        """)
    assert "replicas" not in out.component("a")
    assert out.component("a")["scaling"] == {"maxReplicas": 9, "minReplicas": 3}
    assert out.component("b")["scaling"] == {"minReplicas": 2, "maxReplicas": 4}
    assert "3-9 replicas" in out.note_at("services.a", "R001").message


def test_report_is_grouped_per_service_with_its_summary_first(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          a: {image: "x:1", restart: always}
          b: {image: "x:1", restart: always, profiles: [dev]}
          c: {image: "x:1", secrets: [s]}
        secrets: {s: {file: ./s.txt}}
        """)
    order = [(d.rule, d.path) for d in out.report]
    assert order[0] == ("R001", "services.a")
    a_notes = [p for _, p in order[:order.index(("R002", "services.b"))]]
    assert all(p.startswith("services.a") for p in a_notes)
    assert order.index(("R001", "services.c")) < order.index(("R101", "secrets.s"))
    assert order[-1] == ("R101", "secrets.s")
