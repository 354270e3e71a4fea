"""The Compose reader's workload kinds: run-once tasks become Jobs (a task others wait for, a
Helm hook), `x-svcgen.schedule` a CronJob, `deploy.mode: global` a DaemonSet, and the restart
settings the Job's restart policy and back-off. One test per row of the README's table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from chartutil import find, render
from composeutil import convert

from svcgen.diagnostics import SvcgenError

if TYPE_CHECKING:
    from composeutil import Converted

MIGRATION = """
    services:
      db:
        image: "postgres:16.4"
        volumes: ["pgdata:/var/lib/postgresql/data"]
        healthcheck: {test: ["CMD", "pg_isready"], interval: 5s}
      migrate:
        image: "ghcr.io/acme/api:1.4.2"
        command: ["/app/migrate"]
        restart: "no"
        depends_on: {db: {condition: service_healthy}}
      api:
        image: "ghcr.io/acme/api:1.4.2"
        ports: ["8080:8080"]
        depends_on:
          db: {condition: service_healthy}
          migrate: {condition: service_completed_successfully}
    volumes:
      pgdata:
    """


def messages_at(out: Converted, path: str) -> list[str]:
    return [d.message for d in out.notes() if d.path == path]


def test_restart_no_makes_a_job_that_runs_once(tmp_path: Path) -> None:
    """docker compose does not start a `restart: "no"` container again, whatever its exit."""
    out = convert(tmp_path, 'services: {seed: {image: "x:1", restart: "no"}}')
    comp = out.component("seed")
    assert comp["kind"] == "Job"
    assert comp["job"] == {"restartPolicy": "Never", "backoffLimit": 0}
    assert "replicas" not in comp and "service" not in comp
    assert "→ a Job" in out.note_at("services.seed.restart", "R002").message


def test_on_failure_with_a_count_sets_the_back_off_limit(tmp_path: Path) -> None:
    """`on-failure:N` restarts a failing container at most N times (compose-go keeps the count
    after the colon)."""
    out = convert(tmp_path, 'services: {seed: {image: "x:1", restart: "on-failure:3"}}')
    assert out.component("seed")["job"] == {"restartPolicy": "OnFailure", "backoffLimit": 3}


def test_on_failure_without_a_count_keeps_kubernetes_limit_and_says_so(tmp_path: Path) -> None:
    out = convert(tmp_path, 'services: {seed: {image: "x:1", restart: on-failure}}')
    assert out.component("seed")["job"] == {"restartPolicy": "OnFailure"}
    assert any("6 retries" in message for message in messages_at(out, "services.seed.restart"))


def test_deploy_restart_policy_decides_over_restart(tmp_path: Path) -> None:
    """docker compose takes deploy.restart_policy over `restart` when both are set."""
    out = convert(tmp_path, """
        services:
          task:
            image: "x:1"
            restart: always
            deploy: {restart_policy: {condition: on-failure, max_attempts: 2, delay: 5s}}
        """)
    comp = out.component("task")
    assert comp["kind"] == "Job"
    assert comp["job"] == {"restartPolicy": "OnFailure", "backoffLimit": 2}
    assert "superseded" in out.note_at("services.task.restart", "R002").message
    assert "back-off" in out.note_at("services.task.deploy.restart_policy.delay",
                                     "R100").message


def test_restart_policy_none_is_a_single_attempt(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          task: {image: "x:1", deploy: {restart_policy: {condition: none}}}
        """)
    assert out.component("task")["job"] == {"restartPolicy": "Never", "backoffLimit": 0}


def test_restart_policy_any_keeps_a_long_running_service(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          web: {image: "x:1", deploy: {restart_policy: {condition: any, max_attempts: 5}}}
        """)
    assert out.component("web")["kind"] == "Deployment"
    assert out.note_at("services.web.deploy.restart_policy.max_attempts", "R100")


@pytest.mark.parametrize(("extra", "why"), [
    ('ports: ["8080:8080"]', "publishes ports"),
    ("healthcheck: {test: [CMD, /bin/true]}", "has a healthcheck"),
])
def test_restart_on_failure_on_a_serving_service_stays_a_deployment(
    tmp_path: Path, extra: str, why: str,
) -> None:
    out = convert(tmp_path, f"""
        services:
          proxy:
            image: "x:1"
            restart: on-failure
            {extra}
        """)
    assert out.component("proxy")["kind"] == "Deployment"
    note = out.note_at("services.proxy.restart", "R002")
    assert why in note.message and "x-svcgen.kind: Job" in note.hint


def test_a_service_others_call_is_no_job_even_with_restart_no(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          cache: {image: "redis:7", restart: "no"}
          api: {image: "x:1", depends_on: [cache]}
        """)
    assert out.component("cache")["kind"] == "Deployment"
    assert "is called by api" in out.note_at("services.cache.restart", "R002").message


def test_x_svcgen_kind_overrides_the_choice(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          proxy: {image: "x:1", restart: "no", ports: ["80:80"], x-svcgen: {kind: Job}}
        """)
    comp = out.component("proxy")
    assert comp["kind"] == "Job" and comp["job"]["restartPolicy"] == "Never"
    assert "service" not in comp
    assert "no Service" in out.note_at("services.proxy.ports", "R002").message


# --- a task the others wait for -------------------------------------------------------------------


def test_a_task_waited_for_runs_as_a_hook_after_install_and_before_upgrades(
    tmp_path: Path,
) -> None:
    """`service_completed_successfully`: docker compose starts the dependent only once the task
    exited 0. The migration needs the release's database, so on the first install it runs right
    after the release's objects exist (post-install), and before every upgrade rolls out the new
    api (pre-upgrade)."""
    out = convert(tmp_path, MIGRATION)
    migrate = out.component("migrate")
    assert migrate["kind"] == "Job"
    assert migrate["job"] == {"restartPolicy": "Never", "backoffLimit": 0,
                              "hook": {"phases": ["post-install", "pre-upgrade"]}}
    (note,) = [m for m in messages_at(out, "services.migrate") if "complete" in m]
    assert "api waits for migrate to complete" in note
    assert "pre-upgrade" in note and "component db" in note


def test_the_dependent_does_not_call_the_task_and_the_readiness_note_is_gone(
    tmp_path: Path,
) -> None:
    out = convert(tmp_path, MIGRATION)
    assert out.component("api")["upstreams"] == [{"component": "db"}]
    assert out.component("migrate")["upstreams"] == [{"component": "db"}]
    assert {"component": "migrate"} in out.component("db")["whitelists"]
    note = out.note_at("services.api.depends_on.migrate.condition")
    assert note.rule == "R002" and "hook" in note.message
    assert "readiness" not in note.message


def test_a_task_that_needs_nothing_of_the_release_runs_before_the_install(
    tmp_path: Path,
) -> None:
    out = convert(tmp_path, """
        services:
          migrate: {image: "x:1", command: ["/app/migrate"]}
          api:
            image: "x:1"
            depends_on: {migrate: {condition: service_completed_successfully}}
        """)
    assert out.component("migrate")["job"] == {"restartPolicy": "OnFailure", "hook": {
        "phases": ["pre-install", "pre-upgrade"]}}


def test_the_hook_values_pass_the_model_and_render(tmp_path: Path) -> None:
    out = convert(tmp_path, MIGRATION)
    objects = render(out.values)
    (job,) = find(objects, "Job")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"
    assert not find(objects, "Service", "migrate")


# --- schedules and per-node agents ----------------------------------------------------------------


def test_x_svcgen_schedule_makes_a_cronjob(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          report:
            image: "x:1"
            restart: on-failure:2
            x-svcgen: {schedule: "30 2 * * *", timeZone: Europe/Berlin}
        """)
    comp = out.component("report")
    assert comp["kind"] == "CronJob"
    assert comp["cronJob"] == {"schedule": "30 2 * * *", "timeZone": "Europe/Berlin"}
    assert comp["job"] == {"restartPolicy": "OnFailure", "backoffLimit": 2}
    assert "CronJob" in out.note_at("services.report.x-svcgen.schedule", "R002").message


def test_a_time_zone_without_a_schedule_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SvcgenError, match=r"time zone needs x-svcgen\.schedule"):
        convert(tmp_path, 'services: {a: {image: "x:1", x-svcgen: {timeZone: UTC}}}')


def test_deploy_mode_global_makes_a_daemonset(tmp_path: Path) -> None:
    """Swarm's global mode runs one container per node: a DaemonSet."""
    out = convert(tmp_path, """
        services:
          agent:
            image: "fluent/fluent-bit:3.1.9"
            ports: ["2020:2020"]
            deploy: {mode: global, replicas: 2}
        """)
    comp = out.component("agent")
    assert comp["kind"] == "DaemonSet"
    assert "replicas" not in comp
    assert comp["service"]["ports"]
    assert "DaemonSet" in out.note_at("services.agent.deploy.mode", "R002").message
    assert out.note_at("services.agent.deploy.replicas", "R100")


def test_replicated_job_makes_a_job_with_completions(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        services:
          batch: {image: "x:1", deploy: {mode: replicated-job, replicas: 4}}
        """)
    assert out.component("batch")["job"] == {"restartPolicy": "OnFailure", "completions": 4}


@pytest.mark.parametrize(("x", "message"), [
    ('{ingress: {host: a.example.com}}', "no Service to route to"),
    ("{scaling: {maxReplicas: 3}}", "not autoscaled"),
])
def test_what_a_job_cannot_have_is_an_error_at_the_setting(
    tmp_path: Path, x: str, message: str,
) -> None:
    with pytest.raises(SvcgenError, match=message):
        convert(tmp_path, f"""
            services:
              seed: {{image: "x:1", restart: "no", x-svcgen: {x}}}
            """)
