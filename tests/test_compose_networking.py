"""Compose networking after conversion: every service a stack calls by name is reachable there.

Under Compose (docker compose, compose-go) services on a shared network reach each other by
service name on any port. These tests convert small real-looking stacks and check that each
reference becomes a Service on the port the caller uses, admitted by the NetworkPolicies.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chartutil import find, render
from composeutil import Converted, convert


def _said(out: Converted, path: str, rule: str = "R002") -> str:
    """Every message of one rule at one path, joined."""
    return "\n".join(d.message for d in out.notes(rule) if d.path == path)


def _policy(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [policy] = find(objects, "NetworkPolicy", name)
    return policy


WEB_STACK = """
    services:
      web:
        image: ghcr.io/acme/shop-web:2.1
        ports: ["8080:3000"]
        environment:
          DATABASE_URL: postgres://shop@db/shop
          REDIS_URL: redis://cache:6379/0
          AMQP_HOST: queue
          SEARCH: http://search:9200
        depends_on: [db, cache, queue]
      worker:
        image: ghcr.io/acme/shop-web:2.1
        command: ["celery", "-A", "shop", "worker", "--broker", "amqp://queue:5672"]
      db:
        image: postgres:16
      cache:
        image: redis:7
      queue:
        image: rabbitmq:3.13
      search:
        image: ghcr.io/acme/search:1
      mailer:
        image: ghcr.io/acme/mailer:1
      notifier:
        image: ghcr.io/acme/notifier:1
        depends_on: [mailer]
    """


def test_called_services_get_a_service_on_the_ports_callers_use(tmp_path: Path) -> None:
    out = convert(tmp_path, WEB_STACK)

    def ports(cid: str) -> set[int]:
        return {p["port"] for p in out.component(cid)["service"]["ports"].values()}
    assert ports("db") == {5432}      # the URL's scheme default
    assert ports("cache") == {6379}   # written in the URL
    assert ports("queue") == {5672}   # worker's command
    assert ports("search") == {9200}  # written in the URL
    assert "(web calls it on 9200)" in _said(out, "services.search")
    assert "queue is called by web, worker" in _said(out, "services.queue")


def test_a_called_service_without_ports_uses_its_images_well_known_port(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          api:
            image: ghcr.io/acme/api:1
            environment: {DB_HOST: db}
            depends_on: [cache]
          db: {image: "bitnami/postgresql:16"}
          cache: {image: "valkey/valkey:8"}
        """)
    assert out.component("db")["service"]["ports"]["tcp-5432"]["port"] == 5432
    assert out.component("cache")["service"]["ports"]["tcp-6379"]["port"] == 6379
    assert "well-known port of the valkey image" in _said(out, "services.cache")


def test_a_called_service_with_no_evidence_is_a_warning_naming_callers_and_fix(
        tmp_path: Path) -> None:
    out = convert(tmp_path, WEB_STACK)
    assert "service" not in out.component("mailer")
    note = out.note_at("services.mailer", "R101")
    assert "called by notifier" in note.message and "cannot reach it" in note.message
    assert "expose: [PORT]" in note.hint and "x-svcgen.ports" in note.hint


def test_x_svcgen_ports_gives_the_service_its_ports(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          notifier: {image: "ghcr.io/acme/notifier:1", depends_on: [mailer]}
          mailer:
            image: ghcr.io/acme/mailer:1
            x-svcgen: {ports: [2525]}
        """)
    assert out.component("mailer")["service"]["ports"]["tcp-2525"] == {
        "port": 2525, "targetPort": "tcp-2525"}
    assert "x-svcgen.ports" in _said(out, "services.mailer")


def test_a_proxy_publishing_80_is_reported_with_the_ingress_to_write(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          proxy:
            image: nginx:1.27
            ports: ["80:80", "443:443"]
            depends_on: [app]
          app: {image: "ghcr.io/acme/app:3", expose: ["8000"]}
        """)
    note = out.note_at("services.proxy.ports", "R101")
    assert "80, 443" in note.message and "cluster-internal" in note.message
    assert note.hint == "add x-svcgen.ingress: {host: proxy.example.com, port: 80} to proxy"


def test_policies_admit_every_reference_and_only_across_shared_networks(
        tmp_path: Path, helm4: str) -> None:
    out = convert(tmp_path, """
        services:
          proxy:
            image: nginx:1.27
            environment: {NGINX_UPSTREAM: "app:8000"}
            networks: [front]
          app:
            image: ghcr.io/acme/app:3
            environment:
              DATABASE_URL: postgres://app@db:5432/app
              AUDIT_URL: http://audit:9000/events
            networks: [front, back]
          db:
            image: postgres:16
            networks: [back]
            labels:
              traefik.http.routers.db.rule: Host(`db.example.com`)
          audit:
            image: ghcr.io/acme/audit:1
            networks: [audit]
        networks:
          front: {}
          back: {internal: true}
          audit: {}
        """)
    assert out.component("proxy")["upstreams"] == [{"component": "app"}]
    assert out.component("app")["upstreams"] == [{"component": "db"}]
    assert out.component("db")["whitelists"] == [{"component": "app"}]
    blocked = out.note_at("services.app.environment.AUDIT_URL", "R101")
    assert "share no Compose network" in blocked.message
    assert "internal" in _said(out, "networks.back")
    assert "ingress" not in out.component("db")
    assert "internal networks only" in _said(out, "services.db.labels")
    objects = render(out.values, helm=helm4, extra_args=[
        "--set", "global.networkPolicy.enabled=true",
        "--set", "global.networkPolicy.ingressNamespace=traefik"])
    db_in = _policy(objects, "db")["spec"]["ingress"][0]
    assert db_in["ports"] == [{"port": 5432, "protocol": "TCP"}]
    assert [p["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
            for p in db_in["from"]] == ["app", "helm-test"]
    assert "ingress" not in _policy(objects, "audit")["spec"] or not _policy(
        objects, "audit")["spec"]["ingress"]


def test_a_secret_in_an_x_anchor_block_converts_like_the_same_line_under_services(
        tmp_path: Path) -> None:
    """compose-go resolves anchors and merge keys before anything reads the services: the
    x- block itself is never converted, only the services that use it."""
    out = convert(tmp_path, """
        x-db-env: &db-env
          POSTGRES_USER: shop
          POSTGRES_PASSWORD: ${PG_PASSWORD}
        services:
          db:
            image: postgres:16
            environment: *db-env
          api:
            image: ghcr.io/acme/api:1
            environment:
              <<: *db-env
              LOG_LEVEL: info
        """, environ={"PG_PASSWORD": "s3cret"})
    for cid in ("db", "api"):
        container = out.container(cid)
        assert container["secretEnv"]["POSTGRES_PASSWORD"] == {
            "secret": f"{cid}-env", "key": "POSTGRES_PASSWORD"}
        assert "s3cret" not in str(container)


def test_a_healthcheck_calling_its_own_name_probes_localhost(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          web:
            image: ghcr.io/acme/web:2
            expose: ["8000"]
            healthcheck:
              test: ["CMD", "curl", "-f", "http://web:8000/healthz"]
          events:
            image: nats:2.10
            container_name: nats-main
            healthcheck:
              test: ["CMD-SHELL", "wget -qO- http://nats-main:8222/healthz || exit 1"]
        """)
    probes = out.container("web")["probes"]
    assert probes["liveness"]["exec"]["command"] == [
        "curl", "-f", "http://localhost:8000/healthz"]
    assert probes["readiness"] == probes["liveness"]
    assert out.container("events")["probes"]["liveness"]["exec"]["command"][-1] == (
        "wget -qO- http://localhost:8222/healthz || exit 1")
    assert "localhost" in _said(out, "services.web.healthcheck.test")
    # the port its own healthcheck uses is a port it listens on
    assert out.component("events")["service"]["ports"]["tcp-8222"]["port"] == 8222
    assert "its own healthcheck uses it" in _said(out, "services.events")


def test_a_healthcheck_running_a_script_from_an_unshipped_bind_mount_is_no_probe(
        tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          api: {image: "ghcr.io/acme/api:1", environment: {DB: "mysql:3306"}}
          mysql:
            image: mariadb:11
            volumes: ["./scripts:/scripts:ro"]
            healthcheck:
              test: ["CMD", "/scripts/healthcheck.sh"]
        """)
    assert "probes" not in out.container("mysql")
    note = out.note_at("services.mysql.healthcheck", "R101")
    assert "restart the container forever" in note.message and "TCP probe" in note.message
    assert "x-svcgen.configFiles" in note.hint


def test_no_memory_limit_is_invented_for_a_service_compose_does_not_limit(
        tmp_path: Path, helm4: str) -> None:
    out = convert(tmp_path, """
        services:
          search:
            image: elasticsearch:8.15.0
            environment: {discovery.type: single-node, ES_JAVA_OPTS: -Xms1g -Xmx1g}
          api:
            image: ghcr.io/acme/api:1
            deploy: {resources: {limits: {memory: 512m}}}
        """)
    assert out.container("search")["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"}}
    assert "no limit" in _said(out, "services.search")
    [search] = find(render(out.values, helm=helm4), "StatefulSet", "search") or find(
        render(out.values, helm=helm4), "Deployment", "search")
    resources = search["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert "limits" not in resources
    assert out.container("api")["resources"] == {"limits": {"memory": "512Mi"}}


def test_a_named_volume_shared_by_several_services_is_one_read_write_many_claim(
        tmp_path: Path, helm4: str) -> None:
    out = convert(tmp_path, """
        services:
          web:
            image: ghcr.io/acme/shop:4
            volumes: [media:/srv/media]
          worker:
            image: ghcr.io/acme/shop:4
            volumes: ["media:/srv/media"]
          thumbs:
            image: ghcr.io/acme/thumbs:1
            volumes: [{type: volume, source: media, target: /data, read_only: true}]
        volumes:
          media: {}
        """)
    assert out.component("web")["volumes"]["media"] == {
        "size": "1Gi", "accessModes": ["ReadWriteMany"], "shared": True}
    assert out.component("worker")["volumes"]["media"] == {"existingClaim": "web-media"}
    assert out.component("thumbs")["volumes"]["media"] == {"existingClaim": "web-media"}
    note = out.note_at("volumes.media", "R101")
    assert "one claim web-media" in note.message and "ReadWriteMany" in note.message
    objects = render(out.values, helm=helm4)
    [claim] = find(objects, "PersistentVolumeClaim")
    assert claim["metadata"]["name"] == "web-media"
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    for obj in objects:
        if obj["kind"] in ("Deployment", "StatefulSet"):
            volumes = obj["spec"]["template"]["spec"]["volumes"]
            assert {"name": "media", "persistentVolumeClaim": {"claimName": "web-media"}} in volumes


def test_names_kubernetes_cannot_carry_are_renamed_and_every_reference_rewritten(
        tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          wazuh.indexer:
            image: wazuh/wazuh-indexer:4.9.0
            expose: ["9200"]
          my_db:
            image: postgres:16
            container_name: shop-postgres
          dashboard:
            image: wazuh/wazuh-dashboard:4.9.0
            environment:
              INDEXER_URL: https://wazuh.indexer:9200
              DB_HOST: my_db
              PG_CONNINFO: host=shop-postgres port=5432
              DB_PASSWORD_URL: postgres://u:${DB_PASS}@my_db:5432/app
            command: ["--opensearch.hosts", "wazuh.indexer:9200", "--note", "my_db-backup"]
            depends_on: [wazuh.indexer, my_db]
        """, environ={"DB_PASS": "pw"})
    env = out.container("dashboard")["env"]
    assert env["INDEXER_URL"] == "https://wazuh-indexer:9200"
    assert env["DB_HOST"] == "my-db"
    assert out.container("dashboard")["args"][:2] == ["--opensearch.hosts", "wazuh-indexer:9200"]
    assert {"wazuh-indexer", "my-db"} <= set(out.values["components"])
    rewritten = _said(out, "services.dashboard.environment.INDEXER_URL")
    assert "wazuh.indexer → wazuh-indexer" in rewritten
    # not a URL, host:port or host variable: left as written, with a warning at its line
    assert env["PG_CONNINFO"] == "host=shop-postgres port=5432"
    unsafe = out.note_at("services.dashboard.environment.PG_CONNINFO", "R101")
    assert "cannot be rewritten safely" in unsafe.message and "db" in unsafe.message
    secret = out.note_at("services.dashboard.environment.DB_PASSWORD_URL", "R101")
    assert "goes into a Secret" in secret.message
    assert out.component("my-db")["service"]["ports"]["tcp-5432"]["port"] == 5432


def test_traefik_router_labels_become_the_components_ingress(tmp_path: Path, helm4: str) -> None:
    out = convert(tmp_path, """
        services:
          traefik:
            image: traefik:v3.1
            command: ["--providers.docker=true"]
            ports: ["80:80"]
          api:
            image: ghcr.io/acme/relay-api:0.9
            labels:
              traefik.enable: "true"
              traefik.http.routers.api.rule: Host(`relay.example.com`) && PathPrefix(`/api`)
              traefik.http.routers.api.tls.certresolver: letsencrypt
              traefik.http.services.api.loadbalancer.server.port: "9000"
        """)
    api = out.component("api")
    assert api["ingress"] == {
        "hosts": {"relay.example.com": {"paths": {"/api": {"port": "tcp-9000"}}}},
        "tls": {"enabled": True}}
    assert api["service"]["ports"]["tcp-9000"] == {"port": 9000, "targetPort": "tcp-9000"}
    assert "traefik.http.routers.api.rule" not in api.get("annotations", {})
    note = _said(out, "services.api.labels.traefik.http.routers.api.rule")
    assert "relay.example.com/api on port 9000" in note
    objects = render(out.values, helm=helm4)
    [ingress] = find(objects, "Ingress", "api")
    [rule] = ingress["spec"]["rules"]
    assert rule["host"] == "relay.example.com"
    assert rule["http"]["paths"][0]["path"] == "/api"
    assert rule["http"]["paths"][0]["backend"]["service"] == {
        "name": "api", "port": {"name": "tcp-9000"}}


def test_network_mode_service_makes_a_container_in_that_services_pod(
        tmp_path: Path, helm4: str) -> None:
    out = convert(tmp_path, """
        services:
          vpn:
            image: ghcr.io/acme/tunnel:1
            expose: ["51820"]
            volumes: [state:/var/lib/tunnel]
          tunnel-agent:
            image: ghcr.io/acme/agent:1
            network_mode: service:vpn
            depends_on: [vpn, api]
            environment: {TARGET: "api:9000"}
            volumes: [state:/state]
          api:
            image: ghcr.io/acme/api:1
            environment: {AGENT_URL: "http://tunnel-agent:7000"}
        volumes:
          state: {}
        """)
    assert "tunnel-agent" not in out.values["components"]
    vpn = out.component("vpn")
    assert set(vpn["containers"]) == {"app", "tunnel-agent"}
    assert vpn["containers"]["tunnel-agent"]["env"]["TARGET"] == "api:9000"
    assert vpn["upstreams"] == [{"component": "api"}]
    assert out.component("api")["whitelists"] == [{"component": "vpn"}]
    # callers of the joined service reach the pod it joined
    assert out.container("api")["env"]["AGENT_URL"] == "http://vpn:7000"
    assert not [d for d in out.notes("R100") if d.path.endswith("network_mode")]
    assert "container tunnel-agent of its pod" in out.note_at(
        "services.tunnel-agent", "R001").message
    [deployment] = [o for o in render(out.values, helm=helm4)
                    if o["kind"] in ("Deployment", "StatefulSet")
                    and o["metadata"]["name"] == "vpn"]
    names = [c["name"] for c in deployment["spec"]["template"]["spec"]["containers"]]
    assert sorted(names) == ["app", "tunnel-agent"]


def test_a_service_naming_itself_outside_its_healthcheck_is_admitted_by_its_own_policy(
        tmp_path: Path, helm4: str) -> None:
    """A cluster member advertising its own name (Kafka, Elasticsearch seeds) calls its own
    Service: its policy admits it, as Compose's network did."""
    out = convert(tmp_path, """
        services:
          redpanda:
            image: redpandadata/redpanda:v24.2.4
            command: ["redpanda", "start", "--advertise-kafka-addr", "redpanda:9092"]
          producer:
            image: ghcr.io/acme/producer:1
            environment: {BROKERS: "redpanda:9092"}
        """)
    assert out.component("redpanda")["upstreams"] == [{"component": "redpanda"}]
    assert out.component("redpanda")["whitelists"] == [
        {"component": "redpanda"}, {"component": "producer"}]
    objects = render(out.values, helm=helm4, extra_args=[
        "--set", "global.networkPolicy.enabled=true"])
    policy = _policy(objects, "redpanda")["spec"]
    peers = [p["podSelector"]["matchLabels"]["app.kubernetes.io/component"]
             for p in policy["ingress"][0]["from"]]
    assert "redpanda" in peers and "producer" in peers
