"""The documented CI use of `svcgen diff` works: the workflow step in docs/ci.md, run as GitHub
Actions runs it in a pull request (a git checkout, the target branch as `origin/<base ref>`),
annotates the pull request's lines and fails on an error-level finding."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]

VALUES = """\
components:
  api:
    containers:
      app:
        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        ports: {http: {containerPort: 8080}}
        volumeMounts: {cache: {mountPath: /cache}}
    service: {type: LoadBalancer}
    volumes:
      cache: {size: 1Gi}
"""
PROD = "components:\n  api:\n    replicas: 3\n"
#: The pull request: a cheaper Service type, and the volume gone.
CHANGED = VALUES.replace("LoadBalancer", "ClusterIP") \
    .replace("        volumeMounts: {cache: {mountPath: /cache}}\n", "") \
    .replace("    volumes:\n      cache: {size: 1Gi}\n", "")


def documented_workflow() -> dict[str, Any]:
    text = (REPO / "docs" / "ci.md").read_text()
    section = text.split("## Upgrade safety on pull requests", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    workflow: dict[str, Any] = yaml.safe_load(block.group(1))
    return workflow


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=ci", "-c", "user.email=ci@example.com",
                    *args], check=True, capture_output=True)


def test_documented_step_diffs_the_pull_request_against_its_target_branch(
        tmp_path: Path, helm4: str) -> None:
    workflow = documented_workflow()
    # PyYAML reads the key `on` as YAML 1.1 does: true.
    assert "pull_request" in workflow.get("on", workflow.get(True))  # type: ignore[call-overload]
    steps = workflow["jobs"]["svcgen-diff"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    step = next(s for s in steps if "svcgen diff" in s.get("run", ""))
    assert "--format github" in step["run"]

    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "deploy" / "values.yaml").write_text(VALUES)
    (repo / "deploy" / "prod-values.yaml").write_text(PROD)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "the release as it runs")
    git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")
    (repo / "deploy" / "values.yaml").write_text(CHANGED)
    git(repo, "commit", "-qam", "the pull request")
    runner = tmp_path / "runner"
    runner.mkdir()
    env = {**os.environ, "GITHUB_BASE_REF": "main", "RUNNER_TEMP": str(runner),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "SVCGEN_HELM": helm4}
    proc = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=repo, env=env,
                          capture_output=True, text=True, check=False)

    assert proc.returncode == 1, proc.stderr  # the claim would be deleted: an error
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    assert any(line.startswith("::warning file=deploy/values.yaml,line=7,col=21,"
                               "title=DIFF401 service-exposure-lost::") for line in annotations)
    assert any(line.startswith(f"::error file={runner}/base/values.yaml,line=10,col=7,"
                               "title=DIFF201 claim-removed::") for line in annotations)
    assert "- PersistentVolumeClaim api-cache: removed" in proc.stdout
