"""What a diff prints: the changed objects (with their changed fields) and the findings.

Text for people (coloured on a terminal), JSON for programs, GitHub workflow commands and SARIF
for CI; the findings use lint's formatters, so they read and parse the same. Secret data is never
printed: a changed value under a Secret's ``data`` shows as ``(secret value)``. Names and field
paths come from the values (an annotation key may hold a newline or an escape sequence): text
lines show them through :func:`svcgen.diagnostics.clean`, values as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from svcgen import output
from svcgen.diagnostics import Diagnostic, clean
from svcgen.diff.objects import MISSING, Action, Change, FieldChange
from svcgen.lint.registry import Rule

JSON_VERSION = 1
#: Longest value shown in a text field line; the JSON output has them whole.
MAX_VALUE = 120

_MARK = {Action.ADDED: "+", Action.REMOVED: "-", Action.REPLACED: "±", Action.CHANGED: "~"}
_COLOUR = {Action.ADDED: "32", Action.REMOVED: "31", Action.REPLACED: "35", Action.CHANGED: "33"}
_SAYS = {
    Action.ADDED: "added",
    Action.REMOVED: "removed",
    Action.REPLACED: "replaced (delete + create)",
    Action.CHANGED: "changed in place",
}
SECRET = "(secret value)"
HOOK = "changed (a Helm hook: helm creates it anew at its phases, it is not patched)"


def _secret(change: Change, f: FieldChange) -> bool:
    return change.obj.kind == "Secret" and f.path[:1] in (("data",), ("stringData",),
                                                          ("binaryData",))


def _value(value: Any, secret: bool) -> Any:
    if value is MISSING:
        return None
    return SECRET if secret else value


def _text(value: Any, secret: bool) -> str:
    if value is MISSING:
        return "(none)"
    if secret:
        return SECRET
    text = json.dumps(value, sort_keys=True, separators=(", ", ": "))
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _shown(c: Change, f: FieldChange) -> tuple[str, str, str]:
    """(field, before, after) as a text line shows them; for a multi-line text, its first line
    that differs (a script, a config file)."""
    secret = _secret(c, f)
    before, after = f.before, f.after
    if not secret and isinstance(before, str) and isinstance(after, str) and \
            "\n" in before + after:
        old, new = before.splitlines(), after.splitlines()
        line = next((i for i, (b, a) in enumerate(zip(old, new, strict=False)) if b != a),
                    min(len(old), len(new)))
        return (f"{f.text} (line {line + 1})", _text(_line(old, line), False),
                _text(_line(new, line), False))
    return f.text, _text(before, secret), _text(after, secret)


def _line(lines: list[str], index: int) -> Any:
    return lines[index] if index < len(lines) else MISSING


def counts(changes: Sequence[Change]) -> dict[str, int]:
    found = {a.value: 0 for a in Action}
    for c in changes:
        found[c.action.value] += 1
    return found


def lead(changes: Sequence[Change]) -> str:
    """The start of the summary line: how many objects change, and how."""
    if not changes:
        return "no object changes; "
    n = counts(changes)
    parts = [f"{n[a.value]} {_SAYS[a].split(' (')[0]}" for a in Action if n[a.value]]
    return f"{len(changes)} object{'s' if len(changes) != 1 else ''} change ({', '.join(parts)}); "


def format_changes(changes: Sequence[Change], *, colour: bool = False) -> str:
    """Each changed object on a line (``~ Deployment api: changed in place``), then for changed
    and replaced objects each field: ``spec.replicas: 2 → 3``."""
    out: list[str] = []
    for c in changes:
        says = HOOK if c.obj.hook and c.action is Action.CHANGED else _SAYS[c.action]
        out.append(output.paint(f"{_MARK[c.action]} {clean(str(c))}: {says}", _COLOUR[c.action],
                                colour))
        for reason in c.reasons:
            out.append(output.paint(f"    because {clean(reason)}", "2", colour))
        if c.action in (Action.CHANGED, Action.REPLACED):
            for f in c.fields:
                where, before, after = _shown(c, f)
                out.append(f"    {clean(where)}: {output.paint(before, '31', colour)} → "
                           f"{output.paint(after, '32', colour)}")
    if not out:
        return "no changes: the upgrade leaves every object as it is\n"
    return "\n".join(out) + "\n"


def format_text(changes: Sequence[Change], diagnostics: Sequence[Diagnostic],
                files: Sequence[str], *, colour: bool = False, suppressed: int = 0) -> str:
    return format_changes(changes, colour=colour) + "\n" + output.format_text(
        diagnostics, files, colour=colour, suppressed=suppressed, lead=lead(changes))


def format_json(changes: Sequence[Change], diagnostics: Sequence[Diagnostic],
                base: Sequence[str], new: Sequence[str], *, suppressed: int = 0) -> str:
    doc = {
        "version": JSON_VERSION,
        "tool": output.TOOL,
        "base": list(base),
        "new": list(new),
        "summary": {**counts(changes), **output.summary(diagnostics), "suppressed": suppressed},
        "changes": [
            {
                "action": c.action.value,
                "kind": c.obj.kind,
                "name": c.obj.name,
                "apiVersion": c.obj.api_version,
                "component": c.obj.component,
                "baseKind": c.base.kind if c.base else None,
                "hook": c.obj.hook,
                "reasons": c.reasons,
                "fields": [
                    {"path": f.text, "before": _value(f.before, _secret(c, f)),
                     "after": _value(f.after, _secret(c, f))}
                    for f in c.fields
                ],
            }
            for c in changes
        ],
        "findings": output.findings_json(diagnostics),
    }
    return json.dumps(doc, indent=2) + "\n"


def format_github(changes: Sequence[Change], diagnostics: Sequence[Diagnostic],
                  files: Sequence[str]) -> str:
    """Annotations for the findings, then the changes as plain log lines."""
    return output.format_github(diagnostics, files) + format_changes(changes)


def format_sarif(diagnostics: Sequence[Diagnostic], rules: Sequence[Rule]) -> str:
    return output.format_sarif(diagnostics, rules)
