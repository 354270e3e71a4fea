"""The workload rules beyond their fixtures: which CronJob schedules Kubernetes accepts, and the
rules that must stay quiet for the kinds they do not concern."""

from __future__ import annotations

from pathlib import Path

import pytest

from svcgen.lint import Linter
from svcgen.lint.rules.workloads import cron_problem


@pytest.mark.parametrize("schedule", [
    "30 2 * * *", "*/15 * * * *", "0 9-17/2 * * mon-fri", "0 0 1,15 * *", "0 0 ? * SUN",
    "5 4 * jan,jul *", "@daily", "@hourly", "@every 1h30m", "0 0 * * 0-6",
])
def test_schedules_kubernetes_accepts_pass(schedule: str) -> None:
    """Kubernetes validates with robfig/cron's standard parser: five fields with lists, ranges,
    steps, `?`, month and weekday names (any case), or a descriptor including @every."""
    assert cron_problem(schedule) is None


@pytest.mark.parametrize(("schedule", "problem"), [
    ("30 2 * *", "4 field(s)"),
    ("0 0 0 * * *", "6 field(s)"),
    ("60 * * * *", "minute `60`: 60 is outside 0-59"),
    ("0 0 0 * *", "day of month `0`: 0 is outside 1-31"),
    ("0 0 * 13 *", "month `13`"),
    ("0 0 * * 7", "day of week `7`: 7 is outside 0-6"),
    ("0 0 * * funday", "`funday` is not a number or a name"),
    ("*/0 * * * *", "step `0` is not a positive whole number"),
    ("0 17-9 * * *", "runs backwards"),
    ("@fortnightly", "unknown descriptor"),
    ("TZ=UTC 0 3 * * *", "TZ=/CRON_TZ="),
])
def test_schedules_kubernetes_refuses_are_named(schedule: str, problem: str) -> None:
    found = cron_problem(schedule)
    assert found is not None and problem in found


def _rules(tmp_path: Path, text: str, *rules: str) -> list[str]:
    path = tmp_path / "values.yaml"
    path.write_text(text, encoding="utf-8")
    return [d.rule for d in Linter().lint_files([str(path)], select=list(rules)).diagnostics]


def test_a_job_needs_no_health_check_and_gets_no_derived_probe_notes(tmp_path: Path) -> None:
    text = ("components:\n  once:\n    kind: Job\n    containers:\n      app:\n"
            "        image: {repository: ghcr.io/acme/seed, tag: '2.0.1'}\n"
            "        ports: {http: {containerPort: 8080}}\n")
    assert _rules(tmp_path, text, "SVC403", "SVC404", "SVC201") == []


def test_a_daemonset_sharing_a_read_write_once_claim_is_an_error(tmp_path: Path) -> None:
    text = ("components:\n  agent:\n    kind: DaemonSet\n    containers:\n      app:\n"
            "        image: {repository: ghcr.io/acme/agent, tag: '1.0.0'}\n"
            "        volumeMounts: {state: {mountPath: /var/lib/agent}}\n"
            "    volumes:\n      state: {size: 1Gi}\n")
    assert _rules(tmp_path, text, "SVC501") == ["SVC501"]


def test_a_cronjob_name_over_52_characters_is_too_long(tmp_path: Path) -> None:
    name = "nightly-" + "r" * 45
    text = (f"components:\n  {name}:\n    kind: CronJob\n    cronJob: {{schedule: '@daily'}}\n"
            "    containers:\n      app: {image: {repository: ghcr.io/acme/r, tag: '1.0.0'}}\n")
    assert _rules(tmp_path, text, "SVC202") == ["SVC202"]
