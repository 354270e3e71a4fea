"""How the chart's templates are organised, so that a kind stays one unit:

- every helper is named ``svcgen.<prefix>.<thing>`` and defined in ``_<prefix>.tpl``;
- every helper a template includes exists;
- facts about a component (enabled, kind, replicas) are read through ``svcgen.component.*``
  only, and templates select kinds positively (``eq ... "StatefulSet"``, never ``ne``);
- each workload kind of the model has its template, named after the kind;
- control flow is indented: an action that opens or continues a block nested in another
  block never starts at column 0.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from chartutil import CHART

from svcgen.model import WorkloadKind

TEMPLATES = CHART / "templates"
DEFINE = re.compile(r'\{\{-?\s*define\s+"([^"]+)"')
INCLUDE = re.compile(r'include\s+"([^"]+)"')
ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
OPENS = re.compile(r"^(if|range|with|define)\b")


def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file())


def helper_files() -> list[Path]:
    return sorted(TEMPLATES.glob("_*.tpl"))


def test_every_helper_lives_in_the_file_named_after_its_prefix() -> None:
    misplaced = []
    for path in helper_files():
        for name in DEFINE.findall(path.read_text(encoding="utf-8")):
            parts = name.split(".")
            if len(parts) != 3 or parts[0] != "svcgen" or path.name != f"_{parts[1]}.tpl":
                misplaced.append(f"{name} in {path.name}")
    assert not misplaced, misplaced


def test_templates_define_no_helpers_and_include_only_defined_ones() -> None:
    defined = {name for p in helper_files() for name in DEFINE.findall(p.read_text())}
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        if not path.name.startswith("_"):
            assert not DEFINE.findall(text), f"{path.name} defines a helper"
        unknown = set(INCLUDE.findall(text)) - defined
        assert not unknown, f"{path.name} includes undefined helpers {sorted(unknown)}"


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(\$c|\.c)\.enabled", "a component's enabled flag is read by svcgen.component.enabled"),
        (r"(\$c|\.c)\.kind", "a component's kind is read by svcgen.component.kind"),
        (r'ne\s+\(?[^)]*kind[^)]*\)?\s+"', "kinds are selected positively (eq), never by ne"),
        (r"(\$c|\.c)\.replicas", "replicas are read by svcgen.component.replicas"),
    ],
)
def test_component_facts_have_one_helper(pattern: str, why: str) -> None:
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{n}"
        for path in template_files()
        if path.name != "_component.tpl"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(pattern, line) and "svcgen.component." not in line
    ]
    assert not offenders, f"{why}: {offenders}"


@pytest.mark.parametrize("kind", [k.value for k in WorkloadKind])
def test_each_workload_kind_has_its_own_template(kind: str) -> None:
    template = TEMPLATES / f"{kind.lower()}.yaml"
    assert template.is_file(), f"no template {template.name} for kind {kind}"
    text = template.read_text(encoding="utf-8")
    assert f'(eq (include "svcgen.component.kind" $c) "{kind}")' in text
    assert f"\nkind: {kind}\n" in text


def nested_actions_at_column_zero(text: str) -> list[int]:
    """Lines whose first thing is a trimmed action at column 0 although it sits inside a block
    (a `define` body does not count as nesting)."""
    stack: list[str] = []
    found = []
    in_comment = False
    for number, line in enumerate(text.splitlines(), 1):
        if in_comment:
            in_comment = "*/" not in line
            continue
        actions = [a for a in ACTION.findall(line) if not a.startswith("/*")]
        first = actions[0] if actions and line.lstrip().startswith("{{") else ""
        depth = sum(1 for kind in stack if kind != "define")
        if first.startswith(("end", "else")) and stack and stack[-1] != "define":
            depth -= 1
        if line.startswith("{{-") and depth > 0:
            found.append(number)
        opening = re.search(r"\{\{-?\s*/\*", line)
        in_comment = bool(opening) and "*/" not in line[opening.end():] if opening else False
        for action in actions:
            match = OPENS.match(action)
            if match:
                stack.append(match.group(1))
            elif action.startswith("end") and stack:
                stack.pop()
    return found


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_control_flow_is_indented(path: Path) -> None:
    lines = nested_actions_at_column_zero(path.read_text(encoding="utf-8"))
    assert not lines, f"{path.name}: nested actions at column 0 on lines {lines}"


def test_the_indentation_check_finds_a_flush_nested_action() -> None:
    flush = "{{- range .Values.components }}\n{{- if . }}\n{{- end }}\n{{- end }}\n"
    assert nested_actions_at_column_zero(flush) == [2, 3]
    indented = "{{- range .Values.components }}\n  {{- if . }}\n  {{- end }}\n{{- end }}\n"
    assert nested_actions_at_column_zero(indented) == []
