"""Every lint rule fires on a fixture that breaks it, at the line and column of the offending value,
and stays quiet on the fixture that applies its example fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from svcgen.diagnostics import Severity
from svcgen.lint import Linter, all_rules
from svcgen.lint.render_rules import api_rule_ids

FIXTURES = Path(__file__).parent / "lint_fixtures" / "rules"

#: (line, column) of each finding the rule makes on ``<ID>-bad.yaml``, in order.
EXPECTED: dict[str, list[tuple[int, int]]] = {
    "SVC001": [(3, 15), (6, 47), (8, 11), (9, 3), (10, 5)],
    "SVC002": [(3, 3), (5, 3)],
    "SVC003": [(7, 19), (10, 21)],
    "SVC004": [(7, 17), (8, 17), (9, 17)],
    "SVC005": [(2, 17), (6, 7), (7, 7), (13, 21)],
    "SVC006": [(4, 13), (10, 9)],
    "SVC101": [(11, 34)],
    "SVC102": [(12, 23), (13, 9), (14, 9)],
    "SVC103": [(12, 23), (18, 5), (35, 17), (36, 29)],
    "SVC104": [(20, 5), (31, 13), (71, 13)],
    "SVC105": [(9, 53), (12, 21)],
    "SVC106": [(8, 5)],
    "SVC107": [(10, 36), (20, 36)],
    "SVC108": [(15, 27), (16, 13), (16, 49), (28, 17), (29, 34)],
    "SVC109": [(4, 5), (12, 5), (22, 17)],
    "SVC110": [(18, 38)],
    "SVC111": [(15, 13)],
    "SVC112": [(12, 22), (13, 27)],
    "SVC113": [(10, 5)],
    "SVC114": [(15, 9), (16, 9)],
    "SVC201": [(17, 13), (18, 3), (29, 13)],
    "SVC202": [(2, 3), (18, 7)],
    "SVC203": [(12, 9)],
    "SVC301": [(7, 20)],
    "SVC302": [(3, 5)],
    "SVC303": [(8, 21), (14, 43), (20, 41), (26, 5)],
    "SVC304": [(11, 7), (21, 7)],
    "SVC305": [(7, 20), (15, 20)],
    "SVC306": [(6, 5)],
    "SVC307": [(4, 25), (10, 17)],
    "SVC308": [(16, 7), (18, 20)],
    "SVC309": [(5, 14)],
    "SVC310": [(4, 34)],
    "SVC401": [(3, 35), (12, 18)],
    "SVC402": [(4, 7)],
    "SVC403": [(4, 7)],
    "SVC404": [(4, 7)],
    "SVC405": [(5, 52), (7, 9), (11, 9)],
    "SVC406": [(5, 29), (7, 29)],
    "SVC501": [(10, 7), (22, 7)],
    "SVC502": [(11, 9)],
    "SVC503": [(7, 7), (16, 7)],
    "SVC504": [(8, 11), (18, 26)],
    "SVC505": [(8, 31)],
    "SVC601": [(8, 24), (9, 27), (10, 25), (11, 25), (12, 21), (13, 18)],
    "SVC602": [(8, 13)],
    "SVC603": [(8, 13), (15, 26)],
    "SVC604": [(7, 39)],
    "SVC605": [(3, 5), (11, 9)],
    "SVC606": [(3, 37), (13, 22)],
    "SVC607": [(3, 22)],
    "SVC608": [(7, 37)],
    "SVC609": [(11, 11), (12, 11)],
    "SVC610": [(4, 30), (5, 31), (6, 30), (7, 37), (8, 17), (12, 42), (12, 67)],
    "SVC611": [(8, 13)],
    "SVC701": [(7, 20), (8, 20), (10, 21)],
    "SVC702": [(7, 9)],
    "SVC703": [(9, 19), (10, 19)],
    "SVC704": [(2, 12)],
    "SVC705": [(6, 5)],
    "SVC706": [(12, 20), (13, 3)],
    "SVC801": [(9, 21), (17, 13)],
    "SVC802": [(13, 39), (21, 5)],
    "SVC803": [(8, 57), (18, 22)],
}

#: Rules whose findings come from helm and the Kubernetes schemas; tested in test_lint_render.py
#: and (the API server's rules over rendered objects) in test_apivalidation_rules.py.
RENDER_RULES = {"SVC901", "SVC902", "SVC903", "SVC904"} | api_rule_ids()


def lint(path: Path, rule: str) -> list[tuple[str, int, int, str, Severity]]:
    result = Linter().lint_files([str(path)], select=[rule])
    return [(d.file, d.line, d.column, d.rule, d.severity) for d in result.diagnostics]


def test_every_rule_has_a_failing_and_a_passing_fixture() -> None:
    ids = {r.id for r in all_rules("lint")} - RENDER_RULES
    assert ids == set(EXPECTED)
    for rule_id in ids:
        assert (FIXTURES / f"{rule_id}-bad.yaml").is_file(), rule_id
        assert (FIXTURES / f"{rule_id}-good.yaml").is_file(), rule_id


def test_there_are_at_least_twenty_rules_with_rationale_and_example_fix() -> None:
    rules = all_rules()
    assert len([r for r in rules if r.check is not None]) >= 20
    for r in rules:
        assert r.rationale and "Example fix" in r.rationale, r.id
        assert r.name and r.summary and r.severity in Severity, r.id


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_rule_reports_where_the_value_was_written(rule_id: str) -> None:
    path = FIXTURES / f"{rule_id}-bad.yaml"
    found = lint(path, rule_id)
    assert [(line, col) for _, line, col, _, _ in found] == EXPECTED[rule_id]
    assert {(file, rule) for file, _, _, rule, _ in found} == {(str(path), rule_id)}


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_rule_is_quiet_once_fixed(rule_id: str) -> None:
    path = FIXTURES / f"{rule_id}-good.yaml"
    result = Linter().lint_files([str(path)], select=[rule_id, "SVC001"])
    assert result.diagnostics == []
