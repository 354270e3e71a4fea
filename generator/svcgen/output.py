"""Lint findings for people and for CI: text, json, GitHub workflow commands, SARIF 2.1.0.

Each formatter takes the diagnostics (already placed and sorted) and returns the whole text to
print. Every string that came from an input (a message quoting a key, a path, a file name) is
made inert for its medium: control characters shown as escapes in text, workflow-command escaping
for GitHub, the JSON encoder's for JSON and SARIF. The JSON shape is documented in the README
("svcgen lint", "JSON output") and kept stable: new keys may be added, none renamed or removed
without a new ``version``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from svcgen import __version__
from svcgen.diagnostics import Diagnostic, Severity, clean, shown_file
from svcgen.lint.registry import Rule

FORMATS = ("text", "json", "github", "sarif")
JSON_VERSION = 1
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/svcgen/svcgen#svcgen-lint"

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def use_colour(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    """Colour on a terminal unless NO_COLOR is set (no-color.org); FORCE_COLOR forces it."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and env.get("TERM") != "dumb"


def paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _name(d: Diagnostic) -> str:
    return dict(d.extra).get("name", "")


def summary(diagnostics: Sequence[Diagnostic]) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for d in diagnostics:
        counts[d.severity.value] += 1
    return counts


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def format_text(diagnostics: Sequence[Diagnostic], files: Sequence[str], *,
                colour: bool = False, suppressed: int = 0, lead: str = "") -> str:
    """Findings grouped by file, one line each (``line:col severity id message``) plus the fix;
    the summary line last (after ``lead``, when given)."""
    out: list[str] = []
    groups: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        groups.setdefault(d.file, []).append(d)
    for file, items in groups.items():
        out.append(paint(shown_file(file) if file else "(values)", "1;4", colour))
        width = max(len(f"{d.line}:{d.column}") for d in items)
        for d in items:
            where = f"{d.line}:{d.column}" if d.line else "-"
            sev = paint(f"{d.severity.value:<7}", _COLOURS[d.severity], colour)
            rule = paint(d.rule, "1", colour)
            out.append(f"  {where:>{width}}  {sev}  {rule}  {clean(d.message)}")
            extra = []
            if d.path:
                extra.append(f"at {clean(d.path)}")
            if _name(d):
                extra.append(_name(d))
            pad = " " * (width + 4)
            if d.hint:
                line = f"{pad}{paint('fix:', '32', colour)} {clean(d.hint)}"
                if extra:
                    line += paint(f"  ({'; '.join(extra)})", "2", colour)
                out.append(line)
            elif extra:
                out.append(pad + paint(f"({'; '.join(extra)})", "2", colour))
        out.append("")
    counts = summary(diagnostics)
    if diagnostics:
        parts = [_plural(counts["error"], "error"), _plural(counts["warning"], "warning"),
                 _plural(counts["info"], "info")]
        line = f"{', '.join(parts)} in {_plural(len(files), 'file')}"
    else:
        line = f"no problems in {_plural(len(files), 'file')}"
    if suppressed:
        line += f" ({suppressed} silenced by configuration or comments)"
    out.append(paint(lead + line, "1", colour))
    return "\n".join(out) + "\n"


def format_json(diagnostics: Sequence[Diagnostic], files: Sequence[str], *,
                suppressed: int = 0) -> str:
    doc = {
        "version": JSON_VERSION,
        "tool": TOOL,
        "files": list(files),
        "summary": {**summary(diagnostics), "suppressed": suppressed},
        "findings": findings_json(diagnostics),
    }
    return json.dumps(doc, indent=2) + "\n"


TOOL = {"name": "svcgen", "version": __version__}


def findings_json(diagnostics: Sequence[Diagnostic]) -> list[dict[str, Any]]:
    """The ``findings`` of the JSON output: one object per diagnostic."""
    return [
        {
            "file": d.file,
            "line": d.line,
            "column": d.column,
            "path": d.path,
            "rule": d.rule,
            "name": _name(d),
            "severity": d.severity.value,
            "message": d.message,
            "hint": d.hint,
        }
        for d in diagnostics
    ]


def _escape_data(text: str) -> str:
    """The message of a workflow command: GitHub turns %25, %0D and %0A back into the text."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A property (``file=``, ``title=``): as data, and ``:`` and ``,``, which end it."""
    return _escape_data(clean(text)).replace(":", "%3A").replace(",", "%2C")


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def format_github(diagnostics: Sequence[Diagnostic], files: Sequence[str]) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on its line."""
    out = []
    for d in diagnostics:
        props = []
        if d.file:
            props.append(f"file={_escape_property(d.file)}")
        if d.line:
            props.append(f"line={d.line}")
            if d.column:
                props.append(f"col={d.column}")
        title = f"{d.rule} {_name(d)}".strip()
        if title:
            props.append(f"title={_escape_property(title)}")
        text = clean(d.message) + (f" (at {clean(d.path)})" if d.path else "") + (
            f"\nfix: {clean(d.hint)}" if d.hint else "")
        out.append(f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{_escape_data(text)}")
    return "\n".join(out) + ("\n" if out else "")


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(file: str, base: Path) -> tuple[str, bool]:
    """A SARIF artifact URI: relative to ``base`` (with uriBaseId) when the file is under it;
    percent-encoded either way, so any file name is a valid URI reference."""
    from urllib.parse import quote

    path = Path(file)
    try:
        return quote(path.resolve().relative_to(base.resolve()).as_posix()), True
    except ValueError:
        return path.resolve().as_uri(), False


def sarif(diagnostics: Sequence[Diagnostic], rules: Iterable[Rule], *,
          base: Path | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run: each rule in ``tool.driver.rules``, each finding a result."""
    root = base or Path.cwd()
    rule_list = sorted(rules, key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rule_list)}
    driver_rules = [
        {
            "id": r.id,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.rationale.split("\n\n")[0].replace("\n", " ")},
            "help": {"text": r.rationale, "markdown": _help_markdown(r)},
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
            "properties": {"tags": [r.category]},
        }
        for r in rule_list
    ]
    results = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.rule,
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message + (f" Fix: {d.hint}" if d.hint else "")},
        }
        if d.rule in index:
            result["ruleIndex"] = index[d.rule]
        if d.file:
            uri, relative = _uri(d.file, root)
            artifact: dict[str, Any] = {"uri": uri}
            if relative:
                artifact["uriBaseId"] = "%SRCROOT%"
            physical: dict[str, Any] = {"artifactLocation": artifact}
            if d.line:
                physical["region"] = {"startLine": d.line, "startColumn": d.column or 1}
            location: dict[str, Any] = {"physicalLocation": physical}
            if d.path:
                location["logicalLocations"] = [{"fullyQualifiedName": d.path, "kind": "member"}]
            result["locations"] = [location]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "svcgen",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": driver_rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}},
                "results": results,
            }
        ],
    }


def _help_markdown(r: Rule) -> str:
    why, _, fix = r.rationale.partition("Example fix:")
    text = f"**{r.id} {r.name}** ({r.severity.value}): {r.summary}.\n\n{why.strip()}\n"
    if fix:
        head, _, example = fix.strip().partition("\n")
        text += f"\n**Example fix:** {head.strip()}\n\n```yaml\n{_dedent(example)}\n```\n"
    return text


def _dedent(block: str) -> str:
    import textwrap

    return textwrap.dedent(block).strip("\n")


def format_sarif(diagnostics: Sequence[Diagnostic], rules: Iterable[Rule]) -> str:
    return json.dumps(sarif(diagnostics, rules), indent=2) + "\n"
