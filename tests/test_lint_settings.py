"""Settings files are checked as the command line is: a typo in a rule id, an empty id, a quoted
boolean or a selection that leaves nothing to run is a usage error (exit 2) naming the file, never
a gate that silently stops checking; lint's schema check runs whatever the settings select."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from svcgen.cli import app
from svcgen.diagnostics import SvcgenError
from svcgen.lint import find_config

#: A values file with a schema error (a word for a number) and nothing else wrong.
BROKEN = """\
components:
  api:
    replicas: three
    containers:
      app:
        image: {repository: ghcr.io/acme/api, tag: "1.4.2"}
        ports: {http: {containerPort: 8080}}
"""


def settings_error(tmp_path: Path, text: str, section: str = "lint") -> SvcgenError:
    (tmp_path / ".svcgen.yaml").write_text(text)
    with pytest.raises(SvcgenError) as info:
        find_config(tmp_path, section=section)
    assert info.value.exit_code == 2
    assert info.value.diagnostics[0].file.endswith(".svcgen.yaml")
    return info.value


@pytest.mark.parametrize(("text", "message", "hint"), [
    ("lint:\n  select: [SVC1O1]\n", "`select`: `SVC1O1` names no rule", "did you mean `SVC101`?"),
    ("lint:\n  ignore: [SVC6O1]\n", "`ignore`: `SVC6O1` names no rule", "did you mean `SVC601`?"),
    ("lint:\n  per-file-ignores: {'*.yaml': [SVX602]}\n",
     "`per-file-ignores.*.yaml`: `SVX602` names no rule", "did you mean `SVC602`?"),
    ("diff:\n  select: [DIFF1O1]\n", "`select`: `DIFF1O1` names no rule",
     "did you mean `DIFF101`?"),
])
def test_misspelt_rule_id_is_an_error_with_the_nearest_id(
        tmp_path: Path, text: str, message: str, hint: str) -> None:
    section = text.split(":")[0]
    err = settings_error(tmp_path, text, section)
    assert err.diagnostics[0].message == message
    assert hint in err.diagnostics[0].hint


def test_lint_rule_id_in_the_diff_section_names_no_rule(tmp_path: Path) -> None:
    err = settings_error(tmp_path, "diff:\n  ignore: [SVC401]\n", "diff")
    assert "`SVC401` names no rule" in err.diagnostics[0].message


@pytest.mark.parametrize("text", ["lint:\n  ignore: ['']\n", "lint:\n  select: ['  ']\n",
                                  "lint:\n  per-file-ignores: {'*.yaml': ['']}\n"])
def test_empty_rule_id_is_refused(tmp_path: Path, text: str) -> None:
    err = settings_error(tmp_path, text)
    assert "empty rule id, which would name every rule" in err.diagnostics[0].message


def test_empty_glob_is_refused(tmp_path: Path) -> None:
    err = settings_error(tmp_path, "lint:\n  per-file-ignores: {'': [SVC602]}\n")
    assert "empty glob" in err.diagnostics[0].message


@pytest.mark.parametrize("value", ['"false"', '"true"', "1", "0", "[]", "null"])
def test_strict_must_be_a_boolean(tmp_path: Path, value: str) -> None:
    err = settings_error(tmp_path, f"lint:\n  strict: {value}\n")
    assert err.diagnostics[0].message.startswith("`strict` must be true or false")


def test_quoted_false_in_pyproject_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.svcgen.lint]\nstrict = "false"\n')
    with pytest.raises(SvcgenError) as info:
        find_config(tmp_path)
    assert info.value.exit_code == 2
    assert "`strict` must be true or false" in info.value.diagnostics[0].message


@pytest.mark.parametrize(("text", "section"), [
    ("lint:\n  ignore: [SVC]\n", "lint"),
    ("lint:\n  select: [SVC3]\n  ignore: [SVC3]\n", "lint"),
    ("diff:\n  ignore: [DIFF]\n", "diff"),
])
def test_settings_that_select_no_rule_are_an_error(
        tmp_path: Path, text: str, section: str) -> None:
    err = settings_error(tmp_path, text, section)
    assert f"the {section} settings select no rule" in err.diagnostics[0].message


def test_ignoring_the_schema_check_is_refused(tmp_path: Path) -> None:
    err = settings_error(tmp_path, "lint:\n  ignore: [SVC001]\n")
    assert "the schema check always runs" in err.diagnostics[0].message


def test_misspelt_setting_name_suggests_the_setting(tmp_path: Path) -> None:
    err = settings_error(tmp_path, "lint:\n  ignroe: [SVC3]\n")
    assert err.diagnostics[0].message == "unknown lint setting `ignroe`"
    assert err.diagnostics[0].hint.startswith("did you mean `ignore`?")


def test_schema_check_runs_whatever_the_settings_select(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`select: [SVC3]` chooses the rules to report, not whether the values fit the chart."""
    (tmp_path / ".svcgen.yaml").write_text("lint:\n  select: [SVC3]\n")
    (tmp_path / "values.yaml").write_text(BROKEN)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["lint", "values.yaml"])
    assert result.exit_code == 1
    assert "SVC001" in result.stdout and "expected a whole number" in result.stdout


def test_settings_typo_fails_the_run_with_exit_2(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".svcgen.yaml").write_text("lint:\n  select: [SVC1O1]\n")
    (tmp_path / "values.yaml").write_text(BROKEN)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["lint", "values.yaml"])
    assert result.exit_code == 2
    assert "did you mean `SVC101`?" in result.stderr


def test_diff_options_that_leave_no_rule_are_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "v.yaml").write_text(BROKEN.replace("three", "3"))
    result = CliRunner().invoke(app, ["diff", "--select", "DIFF1", "--ignore", "DIFF1",
                                      str(tmp_path / "v.yaml"), "--", str(tmp_path / "v.yaml")])
    assert result.exit_code == 2
    assert "leave no diff rule to run" in result.stderr
