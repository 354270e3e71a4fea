"""What ``svcgen diff`` does, behind the CLI's argument parsing: render both sides, compare,
judge, place, silence, print."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from svcgen import helm, output
from svcgen.diagnostics import Diagnostic, Severity, SvcgenError, dotted_path, error
from svcgen.diff import report
from svcgen.diff.immutable import mark_replacements
from svcgen.diff.objects import Change, compare, parse
from svcgen.diff.rules import DiffContext, DiffFinding
from svcgen.diff.rules import run as run_rules
from svcgen.lint.config import LintConfig, active_rules, find_config, load_config
from svcgen.lint.registry import Rule, all_rules, rule_ids
from svcgen.lint.silencing import inline_ignores, silence
from svcgen.lint.source import (
    SourceDoc,
    chart_defaults,
    load_or_exit2,
    no_gc_pauses,
    parse_values,
)
from svcgen.merge import Merged, merge
from svcgen.yamlio import read_text


@dataclass(frozen=True)
class DiffRequest:
    base: tuple[str, ...]
    new: tuple[str, ...]
    format: str = "text"
    kube_version: str = helm.DEFAULT_KUBE_VERSION
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False
    release: str | None = None
    namespace: str | None = None
    helm: str | None = None
    config: str | None = None


@dataclass
class DiffResult:
    changes: list[Change]
    diagnostics: list[Diagnostic]
    base: list[str]
    new: list[str]
    rules: dict[str, Rule]
    suppressed: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def exit_status(self, strict: bool) -> int:
        """0 clean; 1 on an error finding (on any finding with ``strict``), as lint."""
        if strict and self.diagnostics:
            return 1
        return 1 if any(d.severity is Severity.ERROR for d in self.diagnostics) else 0


@dataclass
class _Side:
    files: list[str]
    sources: list[SourceDoc]
    merged: Merged


def run_diff(req: DiffRequest, stream: TextIO | None = None) -> int:
    """Diff, print in the requested format, and return the exit status."""
    out = stream or sys.stdout
    config = _config(req)
    result = diff(req, config)
    fmt = req.format
    files = [*result.new, *(f for f in result.base if f not in result.new)]
    if fmt == "json":
        text = report.format_json(result.changes, result.diagnostics, result.base, result.new,
                                  suppressed=result.suppressed)
    elif fmt == "github":
        text = report.format_github(result.changes, result.diagnostics, files)
    elif fmt == "sarif":
        text = report.format_sarif(result.diagnostics, list(result.rules.values()))
    else:
        text = report.format_text(result.changes, result.diagnostics, files,
                                  colour=output.use_colour(out), suppressed=result.suppressed)
    out.write(text)
    return result.exit_status(req.strict or config.strict)


def _config(req: DiffRequest) -> LintConfig:
    if req.format not in output.FORMATS:
        raise error(f"unknown format `{req.format}`", exit_code=2,
                    hint=f"use one of: {', '.join(output.FORMATS)}")
    if not req.base or not req.new:
        raise error("name the BASE values files, then `--`, then the NEW ones", exit_code=2,
                    hint="svcgen diff old-values.yaml -- values.yaml")
    option = next((f for f in req.new if f.startswith("--")), None)
    if option is not None:
        raise error(f"`{option}` follows `--`, where only NEW values files go", exit_code=2,
                    hint="put options before the BASE files: svcgen diff --format json "
                    "old.yaml -- new.yaml")
    if [*req.base, *req.new].count("-") > 1:
        raise error("standard input ('-') can be read only once", exit_code=2,
                    hint="git show main:values.yaml | svcgen diff - -- values.yaml")
    return load_config(Path(req.config), "diff") if req.config else find_config(section="diff")


def diff(req: DiffRequest, config: LintConfig | None = None) -> DiffResult:
    """Render BASE and NEW, compare them, and judge the change with the selected rules."""
    with no_gc_pauses():  # the values and both renders are many small objects and no cycles
        return _diff(req, config)


def _diff(req: DiffRequest, config: LintConfig | None) -> DiffResult:
    config = config or _config(req)
    rules = {r.id: r for r in all_rules("diff")}
    select = rule_ids(req.select, "--select", "diff") or config.select
    ignore = config.ignore + rule_ids(req.ignore, "--ignore", "diff")
    active = active_rules(rules, select, ignore, "diff")
    if not active:  # a diff that judges nothing would pass every change
        raise error("--select and --ignore leave no diff rule to run", exit_code=2,
                    hint="`svcgen rules` lists the DIFF rules")
    stdin = _read_stdin() if "-" in (*req.base, *req.new) else None
    release = req.release or config.release or helm.DEFAULT_RELEASE
    with ThreadPoolExecutor(max_workers=3) as pool:
        # helm runs in other processes: the lookup of the binary and the two renders (about
        # equal cost, side by side) overlap with loading the values for positions here.
        binary = pool.submit(helm.find_helm, req.helm)
        jobs = [pool.submit(lambda files: helm.template(
            files, release=release, namespace=req.namespace, kube_version=req.kube_version,
            helm=binary.result(), stdin=stdin if "-" in files else None), files)
            for files in (req.base, req.new)]
        try:
            base, new = _load(req.base, stdin), _load(req.new, stdin)
        finally:
            for job in jobs:
                job.exception()  # let helm finish before leaving: no stray processes
        documents: dict[str, object] = {}
        base_objects, new_objects = (parse(j.result(), documents) for j in jobs)
    changes = compare(base_objects, new_objects)
    mark_replacements(changes)
    ctx = DiffContext(changes, base.merged.data, new.merged.data, base_objects, new_objects)
    placed = [(_place(r, f, base, new), f) for r, f in run_rules(ctx, active)]
    kept, suppressed = _silence(placed, base, new, config)
    order = {f: i for i, f in enumerate([*new.files, *base.files])}
    kept.sort(key=lambda d: (order.get(d.file, len(order)), d.file, d.line, d.column, d.rule,
                             d.message))
    return DiffResult(changes, kept, base.files, new.files, rules, suppressed)


def _load(files: Sequence[str], stdin: str | None) -> _Side:
    sources = [_source(f, stdin) for f in files]
    return _Side(list(files), sources, merge(sources, chart_defaults()))


def _read_stdin() -> str:
    try:
        return read_text("-")
    except SvcgenError as exc:
        raise SvcgenError(*exc.diagnostics, exit_code=2) from None


def _source(file: str, stdin: str | None) -> SourceDoc:
    if file != "-":
        return load_or_exit2(file)
    try:
        return parse_values(file, stdin or "")
    except SvcgenError as exc:
        raise SvcgenError(*exc.diagnostics, exit_code=2) from None


def _place(r: Rule, f: DiffFinding, base: _Side, new: _Side) -> Diagnostic:
    side = base if f.in_base else new
    file, line, col = side.merged.locate(f.path, key=f.key)
    return Diagnostic(
        file=file, line=line, column=col, path=dotted_path(f.path), rule=r.id,
        severity=f.severity or r.severity, message=f.message, hint=f.hint,
        extra=(("name", r.name),),
    )


def _silence(placed: list[tuple[Diagnostic, DiffFinding]], base: _Side, new: _Side,
             config: LintConfig) -> tuple[list[Diagnostic], int]:
    """Settings and inline comments, as lint applies them. A finding about something NEW no
    longer has is placed in BASE, which a change cannot edit: a comment on the line of the
    nearest key NEW still has acknowledges it as well."""
    in_new = [d for d, f in placed if not f.in_base]
    in_base = []
    acknowledged = 0
    lines = {s.file: s.lines for s in new.sources}
    for d, f in placed:
        if not f.in_base:
            continue
        file, line, _ = new.merged.locate(f.path, key=True)
        if inline_ignores(lines.get(file, []), line, d.rule):
            acknowledged += 1
        else:
            in_base.append(d)
    kept_new, silenced_new = silence(in_new, new.sources, config)
    kept_base, silenced_base = silence(in_base, base.sources, config)
    return kept_new + kept_base, silenced_new + silenced_base + acknowledged
