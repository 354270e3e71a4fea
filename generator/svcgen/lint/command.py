"""What the ``lint``, ``rules`` and ``explain`` commands do, behind the CLI's argument parsing."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from svcgen import output
from svcgen.diagnostics import error
from svcgen.lint.config import LintConfig, find_config, load_config
from svcgen.lint.engine import Linter, LintResult, RenderOptions
from svcgen.lint.registry import LintOptions, Rule, all_rules, find_rule, rule_ids


@dataclass(frozen=True)
class LintRequest:
    files: tuple[str, ...]
    format: str = "text"
    render: bool = False
    kube_version: str = "1.35.0"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False
    release: str | None = None
    helm: str | None = None
    config: str | None = None
    #: Lint each file on its own (independent files, as pre-commit passes them) instead of merged.
    each: bool = False
    #: Also dry-run the render on the cluster of the kubeconfig context (implies ``render``).
    server: bool = False
    kubeconfig: str | None = None
    kube_context: str | None = None


def run_lint(req: LintRequest, stream: TextIO | None = None) -> int:
    """Lint, print in the requested format, and return the exit status."""
    out = stream or sys.stdout
    if req.format not in output.FORMATS:
        raise error(f"unknown format `{req.format}`", exit_code=2,
                    hint=f"use one of: {', '.join(output.FORMATS)}")
    if not req.files:
        raise error("name at least one values file", exit_code=2)
    if req.release is not None:
        from svcgen.helm import check_release

        check_release(req.release)
    config: LintConfig = load_config(Path(req.config)) if req.config else find_config()
    select, ignore = rule_ids(req.select, "--select"), rule_ids(req.ignore, "--ignore")
    options = LintOptions(release=req.release or config.release,
                          assumed_release_length=config.assumed_release_length)
    linter = Linter(config, options)
    render = None
    if req.render or req.server:
        from svcgen import kube
        from svcgen.helm import check_kube_version

        kube.schema_version(check_kube_version(req.kube_version))  # unknown: a usage error
        render = RenderOptions(kube_version=req.kube_version,
                               release=options.release or "svcgen", helm=req.helm)
        if req.server:
            from svcgen import cluster

            # Before any lint work: an unreachable cluster is a usage problem (exit 2).
            render.server = cluster.connect(req.kubeconfig, req.kube_context)
    groups = [[f] for f in req.files] if req.each else [list(req.files)]
    results = [linter.lint_files(g, select=select, ignore=ignore, render=render) for g in groups]
    result = LintResult(
        diagnostics=[d for r in results for d in r.diagnostics],
        files=[f for r in results for f in r.files],
        rules=linter.rules,
        suppressed=sum(r.suppressed for r in results),
    )
    out.write(render_result(result, req.format, out))
    return result.exit_status(req.strict or config.strict)


def render_result(result: LintResult, fmt: str, stream: TextIO) -> str:
    if fmt == "json":
        return output.format_json(result.diagnostics, result.files, suppressed=result.suppressed)
    if fmt == "github":
        return output.format_github(result.diagnostics, result.files)
    if fmt == "sarif":
        return output.format_sarif(result.diagnostics, result.rules.values())
    return output.format_text(result.diagnostics, result.files,
                              colour=output.use_colour(stream), suppressed=result.suppressed)


def rules_table(rules: Sequence[Rule] | None = None) -> str:
    """Every rule, one line each, grouped by category."""
    lines: list[str] = []
    category = None
    for r in rules or all_rules():
        if r.category != category:
            category = r.category
            lines.append(("" if not lines else "\n") + category)
        lines.append(f"  {r.id}  {r.severity.value:<7}  {r.name:<30}  {r.summary}")
    return "\n".join(lines) + "\n"


def explain(key: str) -> str:
    r = find_rule(key)
    if r is None:
        raise error(f"no rule `{key}`", exit_code=2, hint="`svcgen rules` lists them")
    head = f"{r.id} {r.name} ({r.severity.value}, {r.category})\n{r.summary}.\n\n"
    return head + textwrap.dedent(r.rationale).strip() + "\n"


def rules_markdown() -> str:
    """The README's rule list: generated from the rule objects, checked for drift by a test."""
    lines = ["| Rule | Name | Severity | What it finds |", "| --- | --- | --- | --- |"]
    for r in all_rules():
        lines.append(f"| `{r.id}` | `{r.name}` | {r.severity.value} | {r.summary} |")
    return "\n".join(lines) + "\n"
