"""What the lint documents about itself stays true: the README's rule list is generated from the
rule objects, and the pre-commit hook and the CI workflow call the command that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from golden import assert_golden

from svcgen.lint import all_rules
from svcgen.lint.command import rules_markdown

REPO = Path(__file__).resolve().parents[1]
START, END = "<!-- lint-rules:start -->\n", "<!-- lint-rules:end -->"


@pytest.mark.golden
def test_readme_rule_list_is_generated_from_the_rules() -> None:
    readme = REPO / "README.md"
    text = readme.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    fresh = head + START + rules_markdown() + END + tail
    assert_golden(readme, fresh, "its rule list; run with SVCGEN_UPDATE_GOLDENS=1")
    for r in all_rules():
        assert f"| `{r.id}` | `{r.name}` | {r.severity.value} |" in fresh


def test_pre_commit_hook_runs_svcgen_lint_on_values_files() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "svcgen-lint")
    assert hook["entry"].split()[:2] == ["svcgen", "lint"]
    assert "--each" in hook["entry"].split()
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    for name in ("values.yaml", "chart/ci/core-deployment-values.yaml", "deploy/prod.values.yaml",
                 "values-examples/compose/values.yaml"):
        assert files.search(name), name
    for name in ("values.yml.bak", "chart/Chart.yaml", "docs/values.md", "myvalues.json"):
        assert not files.search(name), name


def _documented_workflow() -> str:
    block = re.search(r"```yaml\n(.*?)```", (REPO / "docs" / "ci.md").read_text(), re.S)
    assert block is not None
    return block.group(1)


@pytest.mark.parametrize("source", ["docs/ci.md", ".github/workflows/ci.yaml"])
def test_workflow_runs_chart_testing_and_svcgen_lint(source: str) -> None:
    text = (_documented_workflow() if source.endswith(".md")
            else (REPO / source).read_text())
    workflow = yaml.safe_load(text)
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    runs = "\n".join(s.get("run", "") for s in steps)
    uses = [s.get("uses", "") for s in steps]
    assert "ct lint" in runs
    assert re.search(r"svcgen lint .*--format (sarif|github)", runs)
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    assert any(u.startswith("helm/chart-testing-action") for u in uses)
    assert workflow["permissions"]["security-events"] == "write"


def test_repository_workflow_is_the_documented_one_for_this_checkout() -> None:
    documented = yaml.safe_load(_documented_workflow())
    ours = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yaml").read_text())
    assert ours["jobs"]["chart-testing"] == documented["jobs"]["chart-testing"]
    ours_steps = [s.get("name", s.get("uses")) for s in ours["jobs"]["svcgen-lint"]["steps"]]
    assert ours_steps == [s.get("name", s.get("uses"))
                          for s in documented["jobs"]["svcgen-lint"]["steps"]]
    runs = "\n".join(s.get("run", "") for s in ours["jobs"]["svcgen-lint"]["steps"])
    assert "pip install ." in runs
    for path in ("chart/ci/", "values-examples"):
        assert path in runs
