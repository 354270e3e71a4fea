"""The lint run: merge the values files, check the schema, run the rules, place every finding.

Each finding a rule makes carries a values path; the merge provenance says which file wrote the
value at that path and the file's positions say where. Findings are then filtered by the
configuration (select, ignore, per-file ignores) and by inline comments on the offending line::

    replicas: 3   # svcgen: ignore[SVC302]
    replicas: 3   # svcgen: ignore          (every rule on this line)
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from svcgen.diagnostics import Diagnostic, Severity, SvcgenError
from svcgen.lint import schema_errors
from svcgen.lint.config import LintConfig, active_rules
from svcgen.lint.registry import Context, Finding, LintOptions, Rule, all_rules
from svcgen.lint.render_rules import ApiProblem, api_rule_ids
from svcgen.lint.render_rules import validate as api_validate
from svcgen.lint.rules.builtin import HELM_LINT, HELM_RENDER, KUBE_SCHEMA, KUBE_SERVER, SCHEMA
from svcgen.lint.silencing import silence
from svcgen.lint.source import SourceDoc, chart_defaults, load_or_exit2, no_gc_pauses
from svcgen.merge import Merged, merge
from svcgen.model import Values


@dataclass
class LintResult:
    diagnostics: list[Diagnostic]
    files: list[str]
    rules: dict[str, Rule]
    timings: dict[str, float] = field(default_factory=dict)
    suppressed: int = 0

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def exit_status(self, strict: bool) -> int:
        """0 clean; 1 on an error (on any finding with ``strict``)."""
        if strict and self.diagnostics:
            return 1
        return 1 if self.count(Severity.ERROR) else 0


@dataclass
class RenderOptions:
    kube_version: str
    release: str
    namespace: str | None = None
    helm: str | None = None
    #: A connection to a cluster (``--server``): the render is also dry-run there.
    server: Any = None


class Linter:
    """One lint run over a list of values files, applied in order as ``helm -f`` applies them."""

    def __init__(
        self, config: LintConfig | None = None, options: LintOptions | None = None
    ) -> None:
        self.config = config or LintConfig()
        self.options = options or LintOptions(
            release=self.config.release,
            assumed_release_length=self.config.assumed_release_length,
        )
        self.rules = {r.id: r for r in all_rules("lint")}

    def selected(
        self, extra_select: Sequence[str] = (), extra_ignore: Sequence[str] = ()
    ) -> set[str]:
        select = tuple(s.upper() for s in extra_select) or self.config.select
        ignore = self.config.ignore + tuple(s.upper() for s in extra_ignore)
        return active_rules(self.rules, select, ignore)

    def lint_files(
        self,
        files: Sequence[str],
        *,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        render: RenderOptions | None = None,
    ) -> LintResult:
        timings: dict[str, float] = {}
        with no_gc_pauses():
            start = time.perf_counter()
            sources = [load_or_exit2(f) for f in files]
            timings["load"] = time.perf_counter() - start
            return self.lint_sources(sources, select=select, ignore=ignore, render=render,
                                     timings=timings)

    def lint_sources(
        self,
        sources: Sequence[SourceDoc],
        *,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        render: RenderOptions | None = None,
        timings: dict[str, float] | None = None,
    ) -> LintResult:
        timings = timings if timings is not None else {}
        active = self.selected(select, ignore)
        t = time.perf_counter()
        merged = merge(sources, chart_defaults())
        timings["merge"] = time.perf_counter() - t

        t = time.perf_counter()
        values: Values | None = None
        raw_findings: list[tuple[Rule, Finding]] = []
        try:
            values = Values.model_validate(merged.data)
        except ValidationError as exc:
            raw_findings += [(SCHEMA, f) for f in schema_errors.translate(exc, merged.data)]
        timings["schema"] = time.perf_counter() - t

        t = time.perf_counter()
        ctx = Context(values, merged.data, self.options)
        for r in self.rules.values():
            if r.check is None or r.id not in active or (values is None and not r.raw_only):
                continue
            raw_findings += [(r, f) for f in r.check(ctx)]
        if values is None:
            # A rule that explains a key (hostPath) says more than "unknown key" at the same place.
            explained = {f.path for r, f in raw_findings if r is not SCHEMA}
            raw_findings = [(r, f) for r, f in raw_findings
                            if r is not SCHEMA or f.path not in explained]
            # Say so, or a report with only schema errors reads like a full check.
            skipped = sum(1 for r in self.rules.values()
                          if r.check is not None and r.id in active and not r.raw_only)
            first = next((f for r, f in raw_findings if r is SCHEMA), None)
            if skipped and first is not None:
                raw_findings.append((SCHEMA, Finding(
                    first.path,
                    f"{skipped} cross-reference rules did not run: they need values that fit "
                    "the schema",
                    "fix the schema errors, then lint again", key=first.key,
                    severity=Severity.INFO)))
        timings["rules"] = time.perf_counter() - t

        diagnostics = [self._place(r, f, merged) for r, f in raw_findings
                       if r.id in active]
        if SCHEMA.id in active:
            diagnostics += _nulled_sections(sources, chart_defaults())
        kept, suppressed = self._filter(diagnostics, sources)
        # Helm would only repeat an error the values already have: render clean values only.
        render_rules = (
            {HELM_RENDER.id, HELM_LINT.id, KUBE_SCHEMA.id, KUBE_SERVER.id} | api_rule_ids()
        ) & active
        if render is not None and values is not None and render_rules and not any(
                d.severity is Severity.ERROR for d in kept):
            t = time.perf_counter()
            stdin = next(("\n".join(s.lines) + "\n" for s in sources if s.file == "-"), None)
            rendered = self._render(render, [s.file for s in sources], values, active,
                                    merged, stdin)
            timings["render"] = time.perf_counter() - t
            more, silenced = self._filter(rendered, sources)
            kept += more
            suppressed += silenced
        kept.sort(key=_order([s.file for s in sources]))
        return LintResult(kept, [s.file for s in sources], self.rules, timings, suppressed)

    def _place(self, r: Rule, f: Finding, merged: Merged) -> Diagnostic:
        file, line, col = merged.locate(f.path, key=f.key)
        return Diagnostic(
            file=file, line=line, column=col,
            path=".".join(str(p) for p in f.path),
            rule=r.id, severity=f.severity or r.severity,
            message=f.message, hint=f.hint,
            extra=(("name", r.name),),
        )

    def _filter(
        self, diagnostics: Iterable[Diagnostic], sources: Sequence[SourceDoc]
    ) -> tuple[list[Diagnostic], int]:
        return silence(diagnostics, sources, self.config)

    def _render(
        self, opts: RenderOptions, files: list[str], values: Values, active: set[str],
        merged: Merged, stdin: str | None = None,
    ) -> list[Diagnostic]:
        from svcgen import helm

        namespace = opts.namespace or values.global_.project or helm.DEFAULT_NAMESPACE
        label = files[-1] if files else ""
        found: list[Diagnostic] = []
        binary = helm.find_helm(opts.helm)
        with ThreadPoolExecutor(max_workers=1) as pool:
            # helm lint renders the chart again and takes longest: it runs beside the template
            # render and the schema validation, so --render costs about one helm call.
            linting = (pool.submit(helm.lint, files, namespace=namespace,
                                   kube_version=opts.kube_version, helm=binary, stdin=stdin)
                       if HELM_LINT.id in active else None)
            try:
                manifests = helm.template(files, release=opts.release, namespace=namespace,
                                          kube_version=opts.kube_version, helm=binary,
                                          stdin=stdin)
            except SvcgenError as exc:
                if exc.exit_code != 1:
                    raise
                return [_as(d, HELM_RENDER) for d in exc.diagnostics if HELM_RENDER.id in active]
            found += self._kube_problems(opts, manifests, merged, label, active)
            if opts.server is not None and KUBE_SERVER.id in active:
                found += _server_problems(opts.server, manifests, namespace, merged, label)
            if linting is not None:
                found += [_as(d, HELM_LINT, keep_severity=True)
                          for d in linting.result().diagnostics
                          if d.severity is not Severity.INFO]
        return found

    def _kube_problems(
        self, opts: RenderOptions, manifests: str, merged: Merged, label: str, active: set[str]
    ) -> list[Diagnostic]:
        from svcgen import kube

        found: list[Diagnostic] = []
        api_active = api_rule_ids() & active
        objects = _objects(manifests) if KUBE_SCHEMA.id in active or api_active else []
        broken: set[tuple[Any, Any]] = set()
        if KUBE_SCHEMA.id in active:
            owners = _owners(objects)
            for p in kube.validate_objects(objects, opts.kube_version):
                broken.add((p.kind, p.name))
                where = _values_path(owners.get((p.kind, p.name)), p.path)
                file, line, col = merged.locate(where) if where else (label, 0, 0)
                found.append(Diagnostic(
                    file=file or label, line=line, column=col, path=p.path,
                    rule=KUBE_SCHEMA.id,
                    severity=KUBE_SCHEMA.severity,
                    message=f"{p.kind} {p.name} ({p.api_version}): {p.path or '(object)'}: "
                            f"{p.message}",
                    hint="correct the values this field is rendered from",
                    extra=(("name", KUBE_SCHEMA.name), ("object", f"{p.kind}/{p.name}")),
                ))
        if api_active:
            # The server decodes an object against its schema before it validates the meaning:
            # an object SVC903 refuses gets no further findings.
            sound = [o for o in objects if (str(o.get("kind", "")), str(
                (o.get("metadata") or {}).get("name", ""))) not in broken]
            found += _api_diagnostics(api_validate(sound, opts.kube_version, api_active),
                                      merged, label)
        return found


def _owners(objects: list[dict[str, Any]]) -> dict[tuple[Any, Any], Any]:
    """(kind, name) of each rendered object -> the component that renders it."""
    return {(o.get("kind"), (o.get("metadata") or {}).get("name")):
            ((o.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/component")
            for o in objects}


def _server_problems(connection: Any, manifests: str, namespace: str, merged: Merged,
                     label: str) -> list[Diagnostic]:
    """The cluster's dry-run verdict on each object, placed at the values it comes from: at the
    passed-through field the server names, else at the component."""
    from svcgen import cluster

    objects = _objects(manifests)
    owners = _owners(objects)
    found: list[Diagnostic] = []
    for p in cluster.dry_run(connection, objects, namespace):
        fields = [f for f, _ in p.causes if f] or [""]
        where = _values_path(owners.get((p.kind, p.name)), fields[0])
        file, line, col = merged.locate(where) if where else (label, 0, 0)
        found.append(Diagnostic(
            file=file or label, line=line, column=col, path=fields[0],
            rule=KUBE_SERVER.id,
            severity=KUBE_SERVER.severity if p.refused else Severity.WARNING,
            message=f"{p.kind} {p.name} ({p.api_version}): the server "
                    f"({connection.context}) {'refuses it' if p.refused else 'warns'}: "
                    f"{p.message}",
            hint="correct the values this object is rendered from",
            extra=(("name", KUBE_SERVER.name), ("object", f"{p.kind}/{p.name}")),
        ))
    return found


#: Pod spec fields the chart passes through from a component's values unchecked: where a schema
#: problem in the rendered object was written.
_PASSED_THROUGH = {
    "affinity": "affinity", "tolerations": "tolerations", "nodeSelector": "nodeSelector",
    "topologySpreadConstraints": "topologySpreadConstraints", "securityContext":
    "podSecurityContext", "hostAliases": "hostAliases",
}


def _values_path(component: str | None, object_path: str) -> tuple[str | int, ...] | None:
    """The values path a rendered field most likely came from: the passed-through field when
    the problem is inside one, else the component; None when no component owns the object."""
    if not component:
        return None
    parts: list[str | int] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", object_path):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    prefix = ["spec", "template", "spec"]
    if parts[:3] == prefix and len(parts) > 3 and parts[3] in _PASSED_THROUGH:
        field = _PASSED_THROUGH[str(parts[3])]
        rest = parts[4:] if field != "hostAliases" else []
        return ("components", component, field, *rest)
    return ("components", component)


def _api_diagnostics(problems: list[ApiProblem], merged: Merged, label: str) -> list[Diagnostic]:
    """One finding per values line and problem: a global label breaks every object it is on."""
    first: dict[tuple[str, str, int, int, str], tuple[Diagnostic, int]] = {}
    for p in problems:
        d = _api_diagnostic(p, merged, label)
        key = (d.rule, d.file, d.line, d.column, p.message)
        seen = first.get(key)
        first[key] = (d, 0) if seen is None else (seen[0], seen[1] + 1)
    return [d if more == 0 else replace(d, message=f"{d.message} (and {more} other "
                                        f"object{'s' if more > 1 else ''})")
            for d, more in first.values()]


def _api_diagnostic(p: ApiProblem, merged: Merged, label: str) -> Diagnostic:
    """A predicted API refusal, at the first of its candidate values paths that was written."""
    where: tuple[str | int, ...] | None = None
    written = Context(None, merged.data)
    for candidate in p.values:
        full = candidate if candidate[:1] in (("global",), ("components",)) else (
            ("components", p.component, *candidate) if p.component else None)
        if full is not None and written.is_set(full):
            where = full
            break
    if where is None:
        where = _values_path(p.component, p.path)
    file, line, col = merged.locate(where) if where else (label, 0, 0)
    return Diagnostic(
        file=file or label, line=line, column=col, path=p.path, rule=p.rule.id,
        severity=p.rule.severity,
        message=f"{p.kind} {p.name} ({p.api_version}): {p.path}: {p.message}",
        hint="correct the values this field is rendered from (svcgen explain "
             f"{p.rule.id})",
        extra=(("name", p.rule.name), ("object", f"{p.kind}/{p.name}")),
    )


def _nulled_sections(sources: Sequence[SourceDoc], defaults: dict[str, Any]) -> list[Diagnostic]:
    """``global: null`` (or ``tests: null``) as the last word on a section the chart's templates
    read: Helm deletes the section and its templates then fail on a nil pointer."""
    found = []
    for key, default in defaults.items():
        if not (isinstance(default, dict) and default):
            continue
        last = next((s for s in reversed(sources)
                     if isinstance(s.data, dict) and key in s.data), None)
        if last is None or last.data[key] is not None:
            continue
        line, col = last.position((key,), key=True)
        found.append(Diagnostic(
            file=last.file, line=line, column=col, path=key, rule=SCHEMA.id,
            severity=Severity.ERROR,
            message=f"`{key}: null` deletes every default of `{key}`; the chart cannot render "
            "without them",
            hint=f"remove the line, or set only the keys of `{key}` you mean to change",
            extra=(("name", SCHEMA.name),)))
    return found


def _objects(manifests: str) -> list[dict[str, Any]]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return [doc for doc in yaml.load_all(manifests, Loader=loader) if isinstance(doc, dict)]


def _as(d: Diagnostic, r: Rule, *, keep_severity: bool = False) -> Diagnostic:
    return Diagnostic(
        file=d.file, line=d.line, column=d.column, path=d.path, rule=r.id,
        severity=d.severity if keep_severity else r.severity,
        message=d.message, hint=d.hint, extra=(("name", r.name),),
    )


def _order(files: list[str]) -> Any:
    rank = {f: i for i, f in enumerate(files)}

    def key(d: Diagnostic) -> tuple[int, str, int, int, str, str]:
        return (rank.get(d.file, len(files)), d.file, d.line, d.column, d.rule, d.message)

    return key
