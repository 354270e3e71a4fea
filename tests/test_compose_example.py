"""The committed Compose example: its values are up to date (golden), it renders with the real helm
into objects the Kubernetes API accepts (strict), and the conversion keeps its promises there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from chartutil import REPO, find, one, render
from golden import assert_golden

from svcgen.diagnostics import Diagnostic
from svcgen.kube import validate_objects
from svcgen.readers.base import ReadOptions
from svcgen.values_cmd import generate, render_new

EXAMPLE = REPO / "values-examples" / "compose"
INPUTS = [str(EXAMPLE / "compose.yaml"), str(EXAMPLE / "compose.prod.yaml")]
VALUES = EXAMPLE / "values.yaml"
OPTIONS = ReadOptions(project="shop", registry="ghcr.io/acme", environ={})
KUBE_VERSION = "1.35.0"


@pytest.fixture(scope="module")
def converted() -> tuple[dict[str, Any], list[Diagnostic]]:
    values, report, _ = generate(INPUTS, OPTIONS)
    return values, report


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return render(files=[VALUES], namespace="shop")


@pytest.mark.golden
def test_example_values_are_up_to_date(converted: tuple[dict[str, Any], list[Diagnostic]]) -> None:
    text = render_new(converted[0], INPUTS)
    assert_golden(VALUES, text)


def test_example_renders_and_validates_strictly(objects: list[dict[str, Any]]) -> None:
    assert validate_objects(objects, KUBE_VERSION) == []
    kinds = {(o["kind"], o["metadata"]["name"]) for o in objects}
    assert {("Deployment", "web"), ("Deployment", "api"), ("Deployment", "worker"),
            ("StatefulSet", "postgres"), ("StatefulSet", "redis"), ("Ingress", "web"),
            ("HorizontalPodAutoscaler", "web"), ("ConfigMap", "web-file-default-conf")} <= kinds
    assert not find(objects, "Secret")  # secret material stays out of the release


def test_example_postgres_keeps_its_data_and_reads_its_password_from_a_secret(
        objects: list[dict[str, Any]]) -> None:
    postgres = one(objects, "StatefulSet", "postgres")["spec"]
    claim = postgres["volumeClaimTemplates"][0]
    assert claim["metadata"]["name"] == "pgdata"
    assert claim["spec"]["resources"]["requests"]["storage"] == "20Gi"
    pod = postgres["template"]["spec"]
    secret_volume = next(v for v in pod["volumes"] if "secret" in v)
    assert secret_volume["secret"]["secretName"] == "db-password"
    mounts = {m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
    assert {"/var/lib/postgresql/data", "/run/secrets/db_password"} <= mounts
    readiness = pod["containers"][0]["readinessProbe"]
    assert readiness["exec"]["command"][:2] == ["/bin/sh", "-c"]
    assert readiness["periodSeconds"] == 10 and readiness["failureThreshold"] == 5


def test_example_api_gets_secret_references_not_secret_values(
        objects: list[dict[str, Any]]) -> None:
    api = one(objects, "Deployment", "api")["spec"]
    assert api["replicas"] == 3  # compose.prod.yaml wins
    container = api["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert env["LOG_LEVEL"]["value"] == "warn"
    for name in ("DATABASE_URL", "PAYMENT_API_KEY", "SESSION_SECRET"):
        assert env[name]["valueFrom"]["secretKeyRef"] == {"name": "api-env", "key": name}
    assert container["image"] == "ghcr.io/acme/shop-api:1.4.2"
    text = VALUES.read_text(encoding="utf-8")
    assert "changeme" not in text and "test-key-not-for-production" not in text


def test_example_security_profiles_follow_the_declared_users(
        objects: list[dict[str, Any]]) -> None:
    web = one(objects, "Deployment", "web")["spec"]["template"]["spec"]
    assert web["containers"][0]["securityContext"]["runAsUser"] == 101
    assert web["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True
    postgres = one(objects, "StatefulSet", "postgres")["spec"]["template"]["spec"]
    assert postgres["containers"][0]["securityContext"].get("runAsNonRoot") is not True


def test_example_report_names_every_action_and_locates_every_note(
        converted: tuple[dict[str, Any], list[Diagnostic]]) -> None:
    report = converted[1]
    actions = [d.message for d in report if d.rule == "R101"]
    assert any("create Secret db-password" in m for m in actions)
    assert any("create Secret api-env" in m for m in actions)
    # api and worker are built from source under a pinned name: push that, never `latest`.
    assert any("builds ghcr.io/acme/shop-api:1.4.2" in m and "push" in m for m in actions)
    assert not any(":latest" in m for m in actions)
    for d in report:
        assert Path(d.file).parent == EXAMPLE and d.line > 0, d


def test_example_migration_runs_as_a_hook_after_install_and_before_upgrades(
        objects: list[dict[str, Any]],
        converted: tuple[dict[str, Any], list[Diagnostic]]) -> None:
    """api waits for migrate with service_completed_successfully (docker compose starts api
    once migrate exited 0); migrate needs the release's PostgreSQL, so Helm runs it right after
    the first install and before every upgrade rolls out the new api."""
    job = one(objects, "Job", "migrate")
    annotations = job["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "post-install,pre-upgrade"
    assert job["spec"]["backoffLimit"] == 3  # restart: on-failure:3
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    assert not find(objects, "Service", "migrate")
    api = converted[0]["components"]["api"]
    assert {"component": "migrate"} not in api.get("upstreams", [])
    assert {"component": "migrate"} in converted[0]["components"]["postgres"]["whitelists"]
