"""Every destructive upgrade is an error (or, where the cluster decides, a warning with the
numbers) in `svcgen diff`, judged on the old object as well as the new: each change class of the
README's table, both sides rendered by Helm 4 and by Helm 3."""

from __future__ import annotations

from pathlib import Path

import pytest
from chartutil import ONE_COMPONENT
from test_diff_rules import DB

from svcgen.diff.command import DiffRequest, DiffResult, diff
from svcgen.diff.objects import Action
from svcgen.lint.config import LintConfig

API = ONE_COMPONENT
JOB = """\
components:
  migrate:
    kind: Job
    job: {completions: 1}
    containers:
      app:
        image: {repository: ghcr.io/acme/migrate, tag: "1.4.2"}
"""


def run(tmp_path: Path, helm: str, base: str, new: str) -> DiffResult:
    (tmp_path / "base.yaml").write_text(base)
    (tmp_path / "new.yaml").write_text(new)
    return diff(DiffRequest(base=(str(tmp_path / "base.yaml"),),
                            new=(str(tmp_path / "new.yaml"),), helm=helm), LintConfig())


def found(result: DiffResult) -> list[tuple[str, int, int, str, str]]:
    return [(Path(d.file).name, d.line, d.column, d.rule, d.severity.value)
            for d in result.diagnostics]


def message(result: DiffResult, rule: str) -> str:
    [d] = [d for d in result.diagnostics if d.rule == rule]
    return d.message


KIND_SETTINGS = {"Deployment": "", "DaemonSet": "", "Job": "",
                 "CronJob": '    cronJob: {schedule: "0 3 * * *"}\n'}


@pytest.mark.parametrize("kind", sorted(KIND_SETTINGS))
def test_statefulset_changing_kind_loses_its_claims(
        tmp_path: Path, each_helm: str, kind: str) -> None:
    """A StatefulSet's claims (data-db-N) outlive it: the workload of the new kind, under the
    same name, starts on empty storage. Judged on BASE's StatefulSet, whatever NEW's kind."""
    new = DB.replace("kind: StatefulSet", f"kind: {kind}\n" + KIND_SETTINGS[kind].rstrip("\n")
                     if KIND_SETTINGS[kind] else f"kind: {kind}")
    result = run(tmp_path, each_helm, DB, new)
    assert ("base.yaml", 10, 7, "DIFF201", "error") in found(result)
    assert ("new.yaml", 3, 11, "DIFF301", "warning") in found(result)  # kind: …
    assert message(result, "DIFF201") == (
        f"StatefulSet db becomes a {kind}: its claims data-db-N stay, unused, and the {kind} "
        "starts on empty storage")
    assert result.exit_status(strict=False) == 1


def test_component_annotated_as_a_hook_loses_its_objects(tmp_path: Path, each_helm: str) -> None:
    """helm upgrade deletes the release's Deployment and Service that became hooks."""
    new = API + "    annotations: {helm.sh/hook: post-install}\n"
    #                             ^ (7, 19)
    result = run(tmp_path, each_helm, API, new)
    assert found(result) == [("new.yaml", 7, 19, "DIFF103", "error")] * 2
    assert sorted(d.message.split(":")[0] for d in result.diagnostics) == [
        "Deployment api becomes a Helm hook (post-install)",
        "Service api becomes a Helm hook (post-install)"]


def test_objects_leaving_hook_management_collide_with_what_the_hook_left(
        tmp_path: Path, each_helm: str) -> None:
    base = API + "    annotations: {helm.sh/hook: post-install}\n"
    result = run(tmp_path, each_helm, base, API)
    assert found(result) == [("base.yaml", 7, 19, "DIFF103", "error")] * 2
    assert "stops being a Helm hook" in result.diagnostics[0].message


def test_job_hook_that_deletes_itself_on_success_leaving_hooks_is_a_warning(
        tmp_path: Path, each_helm: str) -> None:
    """The chart's job.hook deletes the Job once it succeeded: only a failed run is left."""
    base = JOB.replace("job: {completions: 1}", "job: {completions: 1, hook: {phases: "
                       "[pre-upgrade]}}")
    result = run(tmp_path, each_helm, base, JOB)
    assert ("base.yaml", 4, 27, "DIFF103", "warning") in found(result)  # hook:
    assert "fails if a failed hook run left one behind" in message(result, "DIFF103")


def test_job_completions_change_is_refused_at_the_value(tmp_path: Path, each_helm: str) -> None:
    """Kubernetes: a Job's completions are immutable unless the Job is Indexed and elastic."""
    result = run(tmp_path, each_helm, JOB, JOB.replace("completions: 1", "completions: 3"))
    #                                          job: {completions: 3} at (4, 24)
    assert found(result) == [("new.yaml", 4, 24, "DIFF101", "error")]
    assert message(result, "DIFF101").startswith(
        "Job migrate: spec.completions cannot change in place (1 → 3)")
    assert [c.action for c in result.changes if c.obj.kind == "Job"] == [Action.REPLACED]


def test_job_pod_template_change_is_refused(tmp_path: Path, each_helm: str) -> None:
    result = run(tmp_path, each_helm, JOB, JOB.replace('tag: "1.4.2"', 'tag: "1.5.0"'))
    assert found(result) == [("new.yaml", 7, 9, "DIFF101", "error")]  # image:
    assert "spec.template cannot change in place" in message(result, "DIFF101")


def test_job_run_as_hook_may_change_its_template(tmp_path: Path, each_helm: str) -> None:
    hook = JOB.replace("job: {completions: 1}", "job: {hook: {phases: [pre-upgrade]}}")
    result = run(tmp_path, each_helm, hook, hook.replace('tag: "1.4.2"', 'tag: "1.5.0"'))
    assert found(result) == []


def test_project_change_moves_the_release_namespace(tmp_path: Path, each_helm: str) -> None:
    """Each side renders in its own project's namespace and looks alike; helm upgrade cannot
    move a release, and the chart refuses a project other than the release namespace."""
    base = "global: {project: shop}\n" + API
    result = run(tmp_path, each_helm, base, base.replace("shop", "store"))
    #                                       ^ (1, 19)
    assert found(result) == [("new.yaml", 1, 19, "DIFF102", "error")]
    assert message(result, "DIFF102").startswith(
        '`global.project` "shop" → "store" moves the release to another namespace')


def test_project_set_or_removed_is_a_warning(tmp_path: Path, each_helm: str) -> None:
    with_project = "global: {project: shop}\n" + API
    assert found(run(tmp_path, each_helm, API, with_project)) == [
        ("new.yaml", 1, 19, "DIFF102", "warning")]
    assert found(run(tmp_path, each_helm, with_project, API)) == [
        ("base.yaml", 1, 10, "DIFF102", "warning")]


def test_removing_autoscaling_drops_replicas_with_the_numbers(
        tmp_path: Path, each_helm: str) -> None:
    base = API + "    scaling: {minReplicas: 6, maxReplicas: 12, targetCPU: 70}\n"
    result = run(tmp_path, each_helm, base, API)
    assert found(result) == [("new.yaml", 2, 3, "DIFF502", "warning")]
    assert message(result, "DIFF502") == (
        "Deployment api: HorizontalPodAutoscaler api is removed and replicas drop from at least "
        "6 (its minimum) to 1 at once, and its PodDisruptionBudget is removed")
    safe = API.replace("  api:\n", "  api:\n    replicas: 6\n")
    assert found(run(tmp_path, each_helm, base, safe)) == []


def test_removing_event_autoscaling_drops_replicas(tmp_path: Path, each_helm: str) -> None:
    base = API + ("    scaling:\n      minReplicas: 3\n      maxReplicas: 9\n      triggers:\n"
                  "        - {type: rabbitmq, metadata: {queueName: jobs, value: '5'}}\n")
    result = run(tmp_path, each_helm, base, API)
    assert "ScaledObject api is removed and replicas drop from at least 3 (its minimum) to 1" \
        in message(result, "DIFF502")


def test_readme_change_class_table_names_tests_that_exist() -> None:
    """Each row of the README's change-class table points at tests that are there."""
    import re

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    table = readme.split("| Change | Finding | Test |", 1)[1].split("\n\n", 1)[0]
    rows = [line for line in table.splitlines()[2:] if line.startswith("|")]
    assert len(rows) >= 14
    for row in rows:
        refs = re.findall(r"`(test_\w+\.py)(?:::(\w+))?`|`…::(\w+)`", row)
        assert refs, row
        current = ""
        for file, name, more in refs:
            current = file or current
            text = (Path(__file__).parent / current).read_text()
            wanted = name or more
            assert not wanted or f"def {wanted}(" in text, (current, wanted)
